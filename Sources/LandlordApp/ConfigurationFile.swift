package import Foundation
internal import LandlordCompute
package import LandlordProviderKit
internal import Yams

/// The settings of a `--config` / `LANDLORD_CONFIG` file.
///
/// A YAML mapping (or a JSON object, for a file ending in `.json`) whose keys are the long option
/// names of `landlord --help` without their dashes, with the same meaning as the flags:
///
/// ```yaml
/// listen: 0.0.0.0:50051
/// providers: [mock, docker]
/// docker-host: unix:///run/podman/podman.sock
/// drain-timeout: 20
/// ```
///
/// Values are checked against each option's kind: text for text options, whole numbers, numbers
/// of seconds, `true`/`false`, and a list (or a comma-separated string) for lists. An unknown
/// key, a wrong type or an unreadable file is one ``ConfigurationError``; its message never shows
/// the file's content (a value may be a secret).
package struct ConfigurationFile: Sendable, Equatable {
    /// The file's path as given.
    package var path: String
    /// Each key's value as text (lists comma-joined), by option name.
    package var values: [String: String]

    /// The largest configuration file read.
    package static let maximumSize = 1 << 20

    package init(path: String, values: [String: String]) {
        self.path = path
        self.values = values
    }

    /// Reads and checks the file at `path` against `options`.
    package static func load(path: String, options: [ConfigOption]) throws(ConfigurationError) -> ConfigurationFile {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw ConfigurationError("config file \(path) does not exist or is not readable")
        }
        defer { try? handle.close() }
        let data: Data
        do {
            data = try handle.read(upToCount: Self.maximumSize + 1) ?? Data()
        } catch {
            throw ConfigurationError("config file \(path) could not be read")
        }
        guard data.count <= Self.maximumSize else {
            throw ConfigurationError("config file \(path) is larger than 1 MiB")
        }
        return try Self.parse(data, path: path, options: options)
    }

    /// Parses and checks a file's content; JSON when `path` ends in `.json`, YAML otherwise.
    package static func parse(_ data: Data, path: String, options: [ConfigOption]) throws(ConfigurationError)
        -> ConfigurationFile
    {
        let isJSON = path.lowercased().hasSuffix(".json")
        let document: [String: JSONValue]?
        do {
            if isJSON {
                document = try JSONDecoder().decode([String: JSONValue].self, from: data)
            } else if String(decoding: data, as: UTF8.self).allSatisfy(\.isWhitespace) {
                document = [:]
            } else {
                document = try YAMLDecoder().decode([String: JSONValue]?.self, from: data)
            }
        } catch {
            // The decoders' messages quote the document; only the position is safe to show.
            throw ConfigurationError(
                "config file \(path) is not a \(isJSON ? "JSON object" : "YAML mapping") of option names to values\(Self.position(of: error))"
            )
        }
        let byName = Dictionary(options.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var values: [String: String] = [:]
        for (key, value) in (document ?? [:]).sorted(by: { $0.key < $1.key }) {
            guard let option = byName[key] else {
                let hint = key.hasPrefix("--") ? "; write keys without the leading --" : "; keys are the long option names of landlord --help"
                throw ConfigurationError("config file \(path): unknown key \"\(key)\"\(hint)")
            }
            guard let text = value.text(as: option.kind) else {
                throw ConfigurationError(
                    "config file \(path): key \"\(key)\" must be \(option.kind.expected) (it is \(value.kindDescription))"
                )
            }
            values[key] = text
        }
        return ConfigurationFile(path: path, values: values)
    }

    private static func position(of error: any Error) -> String {
        if let error = error as? YamlError {
            switch error {
            case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _):
                return " (line \(mark.line), column \(mark.column))"
            default:
                return ""
            }
        }
        if case DecodingError.typeMismatch(_, let context)? = error as? DecodingError, context.codingPath.isEmpty {
            return " (the top level is not a mapping)"
        }
        return ""
    }
}

/// A configuration file's values are parsed as the domain's ``JSONValue`` (YAML scalars, lists
/// and mappings decode into the same cases as JSON's).
extension JSONValue {
    /// The value as an option of `kind` takes it, as text; nil when it is of the wrong type.
    func text(as kind: ConfigOption.ValueKind) -> String? {
        switch (kind, self) {
        case (.string, .string(let text)): text
        case (.integer, .integer(let number)): String(number)
        case (.seconds, .integer(let number)): String(number)
        case (.seconds, .double(let number)) where number.isFinite: String(number)
        case (.boolean, .bool(let flag)): String(flag)
        case (.list, .string(let text)): text
        case (.list, .array(let items)):
            items.allSatisfy({ if case .string = $0 { true } else { false } })
                ? items.compactMap { if case .string(let text) = $0 { text } else { nil } }.joined(separator: ",")
                : nil
        default: nil
        }
    }

    /// What the value is, for messages (never the value itself: it may be a secret).
    var kindDescription: String {
        switch self {
        case .bool: "a boolean"
        case .integer, .unsignedInteger: "a whole number"
        case .double: "a number"
        case .string: "a string"
        case .array: "a list"
        case .object: "a mapping"
        case .null: "empty"
        }
    }
}

extension ConfigOption.ValueKind {
    /// What a value of this kind is, for messages.
    var expected: String {
        switch self {
        case .string: "a string"
        case .integer: "a whole number"
        case .seconds: "a number of seconds"
        case .boolean: "true or false"
        case .list: "a list of strings (or one comma-separated string)"
        }
    }
}
