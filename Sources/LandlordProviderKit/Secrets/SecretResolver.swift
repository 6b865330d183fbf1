internal import Foundation
package import LandlordCompute

/// Resolves a spec's ``SecretReference``s to values at provision time, for providers that pass
/// values to their engine themselves (sources an engine resolves itself, such as AWS Secrets
/// Manager, never pass through here).
///
/// | source | `key` | value |
/// |---|---|---|
/// | `env` | the name of a variable of landlord's own environment | its value |
/// | `file` | a file name (or relative path) inside the provider's secrets directory | the file's content, without one trailing newline; at most 1 MiB |
///
/// Errors name the secret (its `name`), never its key or its value.
package struct SecretResolver: Sendable {
    /// The sources this resolver understands.
    package static let sources = ["env", "file"]
    /// The largest secret file read.
    package static let maximumFileSize = 1 << 20

    /// A resolver reading `file` secrets from `directory` and `env` ones through `environment`.
    package init(directory: String?, environment: @escaping @Sendable (String) -> String?) {
        self.directory = directory
        self.environment = environment
    }

    /// The `file` source's directory; `nil` rejects `file` secrets.
    package var directory: String?
    /// Looks a variable up in landlord's environment.
    package var environment: @Sendable (String) -> String?

    /// A secret that cannot be resolved; `description` names the secret, not its key or value.
    package struct Failure: Error, Sendable, CustomStringConvertible {
        /// The secret's `name`.
        package var secret: String
        /// Why it cannot be resolved.
        package var reason: String

        package var description: String { "secret \(SpecValidator.quoted(self.secret)): \(self.reason)" }
    }

    /// Whether `key` is a safe relative path inside the secrets directory: non-empty, not
    /// absolute, no `.` or `..` component, no NUL.
    package static func isSafeFileKey(_ key: String) -> Bool {
        guard !key.isEmpty, !key.hasPrefix("/"), !key.contains("\0") else { return false }
        return key.split(separator: "/", omittingEmptySubsequences: false).allSatisfy {
            !$0.isEmpty && $0 != "." && $0 != ".."
        }
    }

    /// The value of `secret`.
    package func value(of secret: SecretReference) throws(Failure) -> String {
        switch secret.source {
        case "env":
            guard let value = self.environment(secret.key) else {
                throw Failure(
                    secret: secret.name, reason: "the variable its key names is not set in landlord's environment")
            }
            guard !value.contains("\0") else {
                throw Failure(secret: secret.name, reason: "its value contains a NUL character")
            }
            return value
        case "file":
            guard let directory = self.directory else {
                throw Failure(secret: secret.name, reason: "no secrets directory is configured for file secrets")
            }
            guard Self.isSafeFileKey(secret.key) else {
                throw Failure(secret: secret.name, reason: "its key is not a file name inside the secrets directory")
            }
            let path = directory.hasSuffix("/") ? directory + secret.key : directory + "/" + secret.key
            guard let handle = FileHandle(forReadingAtPath: path) else {
                throw Failure(secret: secret.name, reason: "its file does not exist or is not readable")
            }
            defer { try? handle.close() }
            let data: Data
            do {
                data = try handle.read(upToCount: Self.maximumFileSize + 1) ?? Data()
            } catch {
                throw Failure(secret: secret.name, reason: "its file could not be read")
            }
            guard data.count <= Self.maximumFileSize else {
                throw Failure(secret: secret.name, reason: "its file is larger than 1 MiB")
            }
            guard var value = String(data: data, encoding: .utf8), !value.contains("\0") else {
                throw Failure(secret: secret.name, reason: "its file is not UTF-8 text without NUL characters")
            }
            if value.hasSuffix("\r\n") {
                value.removeLast(1)  // "\r\n" is one Character
            } else if value.hasSuffix("\n") {
                value.removeLast()
            }
            return value
        default:
            throw Failure(secret: secret.name, reason: "source must be \"env\" or \"file\"")
        }
    }

    /// Every secret's value keyed by its `env_var`.
    package func environmentVariables(for secrets: [SecretReference]) throws(Failure) -> [String: String] {
        var variables: [String: String] = [:]
        for secret in secrets {
            variables[secret.envVar] = try self.value(of: secret)
        }
        return variables
    }
}
