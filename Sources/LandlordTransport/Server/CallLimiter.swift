import Synchronization

/// Counts handlers running across all connections and refuses more than the limit.
final class CallLimiter: Sendable {
    private let running = Atomic<Int>(0)
    let limit: Int

    init(limit: Int) { self.limit = limit }

    /// Takes a slot; `false` when all are taken.
    func tryAcquire() -> Bool {
        var current = running.load(ordering: .relaxed)
        while current < limit {
            let (exchanged, original) = running.compareExchange(
                expected: current,
                desired: current + 1,
                ordering: .relaxed
            )
            if exchanged { return true }
            current = original
        }
        return false
    }

    /// Gives a slot back.
    func release() { running.subtract(1, ordering: .relaxed) }

    /// Handlers running now.
    var count: Int { running.load(ordering: .relaxed) }
}
