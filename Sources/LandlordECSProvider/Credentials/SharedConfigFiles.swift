internal import Foundation

/// The AWS shared credentials and config files (INI): `[name]` sections of `key = value` lines in
/// the credentials file, `[profile name]` (or `[default]`) sections in the config file.
///
/// Only what the provider needs is read: a profile's static keys (`aws_access_key_id`,
/// `aws_secret_access_key`, `aws_session_token`) and its `region`. Comments start with `#` or `;`.
struct SharedConfigFiles: Sendable, Hashable {
    /// The sections of a file by name (config file names without their `profile ` prefix).
    typealias Sections = [String: [String: String]]

    /// The credentials file's sections.
    var credentials: Sections
    /// The config file's sections.
    var config: Sections

    /// The files as the AWS SDKs find them: `AWS_SHARED_CREDENTIALS_FILE` (default
    /// `~/.aws/credentials`) and `AWS_CONFIG_FILE` (default `~/.aws/config`); a missing file is empty.
    init(environment: [String: String]) {
        let home = environment["HOME"] ?? NSHomeDirectory()
        let credentialsPath = environment["AWS_SHARED_CREDENTIALS_FILE"].flatMap { $0.isEmpty ? nil : $0 }
            ?? home + "/.aws/credentials"
        let configPath = environment["AWS_CONFIG_FILE"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.aws/config"
        self.credentials = Self.parse((try? String(contentsOfFile: Self.expand(credentialsPath, home), encoding: .utf8)) ?? "", isConfig: false)
        self.config = Self.parse((try? String(contentsOfFile: Self.expand(configPath, home), encoding: .utf8)) ?? "", isConfig: true)
    }

    init(credentials: Sections, config: Sections) {
        self.credentials = credentials
        self.config = config
    }

    /// The profile's settings: the config file's, overridden by the credentials file's.
    func profile(_ name: String) -> [String: String]? {
        let fromConfig = self.config[name]
        let fromCredentials = self.credentials[name]
        if fromConfig == nil && fromCredentials == nil { return nil }
        return (fromConfig ?? [:]).merging(fromCredentials ?? [:], uniquingKeysWith: { _, credentials in credentials })
    }

    private static func expand(_ path: String, _ home: String) -> String {
        path.hasPrefix("~/") ? home + path.dropFirst() : path
    }

    /// The sections of an INI text.
    static func parse(_ text: String, isConfig: Bool) -> Sections {
        var sections: Sections = [:]
        var current: String?
        for rawLine in text.split(whereSeparator: \.isNewline) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") && line.hasSuffix("]") {
                var name = line.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
                if isConfig {
                    if name.hasPrefix("profile ") {
                        name = String(name.dropFirst("profile ".count)).trimmingCharacters(in: .whitespaces)
                    } else if name != "default" {
                        current = nil  // `[sso-session x]`, `[services x]`: not a profile
                        continue
                    }
                }
                current = name
                if sections[name] == nil { sections[name] = [:] }
                continue
            }
            guard let current, let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            sections[current]?[key] = value
        }
        return sections
    }
}
