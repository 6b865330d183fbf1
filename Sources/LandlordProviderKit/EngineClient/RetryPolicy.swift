internal import Foundation
package import NIOCore
package import NIOHTTP1

/// When and how soon an engine call is tried again.
///
/// - Failures before anything was sent (connection refused, connect timeout) and throttling
///   answers (429, or what ``isThrottled`` recognises) are retried for every method: the engine
///   did not act.
/// - Other transport failures (connection reset or closed mid-call) and ``retryableStatuses``
///   (502, 503, 504) are retried only for idempotent requests (``EngineRequest/isIdempotent``).
/// - The delay before attempt *n + 1* is full jitter: random in `0...min(maxDelay, baseDelay·2ⁿ⁻¹)`,
///   or the answer's `Retry-After` seconds capped by ``maxDelay``.
/// - Nothing is retried once the task is cancelled, or when the next attempt would start after
///   the call's deadline.
package struct RetryPolicy: Sendable {
    /// Attempts in all, the first one included; 1 means no retry.
    package var maxAttempts: Int
    /// The delay ceiling of the first retry, doubled for each further one.
    package var baseDelay: Duration
    /// The longest delay, also for `Retry-After`.
    package var maxDelay: Duration
    /// The statuses retried for idempotent requests.
    package var retryableStatuses: Set<Int>
    /// Whether an answer says the engine throttled the call (it did not act); 429 by default.
    /// AWS, for instance, answers 400 with `ThrottlingException` in the body.
    package var isThrottled: @Sendable (_ status: Int, _ body: ByteBuffer) -> Bool
    /// Waits between attempts (tests pass a recorder); `Task.sleep` by default.
    package var sleep: @Sendable (Duration) async throws -> Void
    /// A random number in `0..<1` for the jitter (tests pass a constant).
    package var random: @Sendable () -> Double

    /// Creates a policy; see the properties.
    package init(
        maxAttempts: Int,
        baseDelay: Duration,
        maxDelay: Duration,
        retryableStatuses: Set<Int> = [502, 503, 504],
        isThrottled: @escaping @Sendable (_ status: Int, _ body: ByteBuffer) -> Bool = { status, _ in status == 429 },
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.retryableStatuses = retryableStatuses
        self.isThrottled = isThrottled
        self.sleep = sleep
        self.random = random
    }

    /// 4 attempts, base delay 100 ms, max delay 5 s, full jitter.
    package static let defaults = RetryPolicy(maxAttempts: 4, baseDelay: .milliseconds(100), maxDelay: .seconds(5))

    /// One attempt only.
    package static let never = RetryPolicy(maxAttempts: 1, baseDelay: .zero, maxDelay: .zero)

    /// Whether an answer is worth another attempt.
    package func shouldRetry(status: Int, body: ByteBuffer, idempotent: Bool) -> Bool {
        if self.isThrottled(status, body) { return true }
        return idempotent && self.retryableStatuses.contains(status)
    }

    /// The wait before the attempt after `attempt` (1 for the first), given the answer's
    /// `Retry-After` when there was one.
    package func delay(after attempt: Int, retryAfter: Duration? = nil) -> Duration {
        if let retryAfter { return min(retryAfter, self.maxDelay) }
        let exponent = min(max(attempt - 1, 0), 30)
        let ceiling = min(self.baseDelay * (1 << exponent), self.maxDelay)
        let fraction = min(max(self.random(), 0), 1)
        return ceiling * fraction
    }

    /// The `Retry-After` header's delay in seconds (an HTTP date is not used).
    package static func retryAfter(_ headers: HTTPHeaders) -> Duration? {
        guard let value = headers.first(name: "Retry-After"), let seconds = Double(value.trimmingCharacters(in: .whitespaces)),
            seconds >= 0, seconds.isFinite
        else { return nil }
        return .milliseconds(Int64(min(seconds, 86_400) * 1000))
    }
}

