import Synchronization

/// A histogram of durations that records with two relaxed atomic increments and no lock.
///
/// swift-prometheus's `Histogram` takes a lock on every `record`; this one is for the per-call
/// path. Each observation increments the one bucket it falls in (not the cumulative ones) and the
/// sum; the exposition adds the buckets up, so `_count` and the `+Inf` bucket always agree with
/// the buckets even while calls are being recorded.
final class AtomicHistogram: Sendable {
    /// The buckets' upper bounds in nanoseconds, ascending.
    private let upperBounds: [Int64]
    /// One slot per bound, then the `+Inf` slot.
    private let slots: [Slot]
    private let sumNanoseconds = Atomic<Int64>(0)

    /// A counter in a class of its own: `Atomic` cannot be an element of an array.
    private final class Slot: Sendable {
        let count = Atomic<Int64>(0)
    }

    /// - Parameter upperBounds: the buckets' upper bounds, in seconds, ascending.
    init(upperBounds: [Double]) {
        precondition(zip(upperBounds, upperBounds.dropFirst()).allSatisfy { $0 < $1 }, "bounds must ascend")
        self.upperBounds = upperBounds.map { Int64(($0 * 1e9).rounded()) }
        self.slots = (0...upperBounds.count).map { _ in Slot() }
    }

    /// Records one observation.
    func record(_ duration: Duration) {
        let components = duration.components
        let nanoseconds = max(0, components.seconds &* 1_000_000_000 &+ components.attoseconds / 1_000_000_000)
        var index = 0
        let bounds = upperBounds
        while index < bounds.count && nanoseconds > bounds[index] { index &+= 1 }
        slots[index].count.wrappingAdd(1, ordering: .relaxed)
        sumNanoseconds.wrappingAdd(nanoseconds, ordering: .relaxed)
    }

    /// What the histogram holds now.
    struct Snapshot: Equatable {
        /// Cumulative counts, one per upper bound (`le`), then the total (`+Inf`).
        var cumulativeCounts: [Int64]
        var sumSeconds: Double
        var count: Int64 { cumulativeCounts.last ?? 0 }
    }

    func snapshot() -> Snapshot {
        var running: Int64 = 0
        var cumulative: [Int64] = []
        cumulative.reserveCapacity(slots.count)
        for slot in slots {
            running += slot.count.load(ordering: .relaxed)
            cumulative.append(running)
        }
        return Snapshot(cumulativeCounts: cumulative, sumSeconds: Double(sumNanoseconds.load(ordering: .relaxed)) / 1e9)
    }
}
