internal import Foundation
internal import Synchronization

/// A token kept in a file that is rotated in place (a Kubernetes service-account token, a Nomad
/// token mounted from a secret): read, whitespace-trimmed, and reused for a short interval.
///
/// ``EngineCredentials/bearerTokenFile(_:cacheFor:)`` reads one on every request attempt.
package final class TokenFile: Sendable {
    /// The file's path.
    package let path: String
    /// How long a read token is reused before the file is read again.
    package let cacheInterval: Duration

    private let now: @Sendable () -> ContinuousClock.Instant
    private let cached = Mutex<(token: String, readAt: ContinuousClock.Instant)?>(nil)

    /// A token file at `path`, re-read at most every `cacheInterval` (one minute by default);
    /// `now` is the clock (tests).
    package init(
        path: String,
        cacheFor cacheInterval: Duration = .seconds(60),
        now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }
    ) {
        self.path = path
        self.cacheInterval = cacheInterval
        self.now = now
    }

    /// The token: the cached one while it is fresh, else the file's trimmed content.
    ///
    /// - Throws: ``EngineConfigurationError`` when the file cannot be read or is empty.
    package func token() throws(EngineConfigurationError) -> String {
        let now = self.now()
        if let cached = self.cached.withLock({ $0 }), now - cached.readAt < self.cacheInterval {
            return cached.token
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: self.path))
        } catch {
            let reason = FileManager.default.fileExists(atPath: self.path) ? "cannot be read" : "does not exist"
            throw EngineConfigurationError("the token file \(self.path) \(reason)")
        }
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty else { throw EngineConfigurationError("the token file \(self.path) is empty") }
        self.cached.withLock { $0 = (token, now) }
        return token
    }
}
