internal import Foundation

/// A failed engine call: which operation, how it failed, and a message that is safe to show.
///
/// The message is the transport's error or the engine's own message (cut to
/// ``maximumMessageLength`` characters); it never holds request headers, tokens or request
/// bodies. A cancelled task surfaces as `CancellationError`, not as this error.
package struct EngineClientError: Error, Sendable, CustomStringConvertible {
    /// How the call failed.
    package enum Kind: Sendable, Hashable {
        /// The engine could not be reached, or the connection failed (after any retries).
        case unreachable
        /// The call's deadline passed.
        case timedOut
        /// The TLS handshake failed: the certificate was not trusted, or the client's was refused.
        case tls
        /// The engine answered a status the caller did not expect.
        case status(Int)
        /// The answer could not be read: too large, or not the expected JSON.
        case invalidResponse
        /// The token or the signer failed, so nothing was sent.
        case credentials
        /// The request could not be built (e.g. an invalid header value).
        case invalidRequest
    }

    /// The longest message kept.
    package static let maximumMessageLength = 300

    /// How the call failed.
    package var kind: Kind
    /// What the call did, e.g. `create deployment landlord-acme`.
    package var operation: String
    /// What went wrong.
    package var message: String

    /// An error whose message is trimmed and cut to ``maximumMessageLength`` characters.
    package init(_ kind: Kind, operation: String, message: String) {
        self.kind = kind
        self.operation = operation
        let trimmed = message.trimmingCharacters(in: .whitespacesAndNewlines)
        self.message =
            trimmed.count > Self.maximumMessageLength ? String(trimmed.prefix(Self.maximumMessageLength)) + "..." : trimmed
    }

    /// The HTTP status of a ``Kind/status(_:)`` error.
    package var status: Int? {
        if case .status(let status) = self.kind { return status }
        return nil
    }

    /// `operation: message`.
    package var description: String {
        "\(self.operation): \(self.message)"
    }
}
