package import Foundation

/// An AWS access key: the id, the secret, the session token of temporary credentials and when
/// they expire, and which source of the chain gave them.
///
/// > Important: ``description`` never shows the secret or the session token.
package struct AWSCredentials: Sendable, Hashable, CustomStringConvertible {
    /// The access key id (`AKIA...`, `ASIA...` for temporary ones).
    package var accessKeyID: String
    /// The secret access key.
    package var secretAccessKey: String
    /// The session token of temporary credentials; sent as `X-Amz-Security-Token`.
    package var sessionToken: String?
    /// When temporary credentials expire; `nil`: they do not.
    package var expiration: Date?
    /// Where they came from, for messages: `environment`, `profile default`, ...
    package var source: String

    /// Creates credentials.
    package init(
        accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil, expiration: Date? = nil,
        source: String = "static"
    ) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.expiration = expiration
        self.source = source
    }

    /// Whether they expire within `window` of `now` (and so must be refreshed before use).
    package func expires(within window: Duration, of now: Date) -> Bool {
        guard let expiration = self.expiration else { return false }
        let seconds = Double(window.components.seconds) + Double(window.components.attoseconds) / 1e18
        return expiration.timeIntervalSince(now) <= seconds
    }

    /// `access key AKIA... from <source>`: never the secret or the token.
    package var description: String {
        "access key \(self.accessKeyID) from \(self.source)"
    }
}
