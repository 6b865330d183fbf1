import LandlordProviderKit
import Synchronization
import Testing

@Suite("Tenant locks")
struct TenantLocksTests {
    /// Records how many bodies run at once, per key.
    final class Overlap: Sendable {
        private let state = Mutex<(running: [String: Int], maximum: [String: Int], total: Int, maximumTotal: Int)>(
            ([:], [:], 0, 0))

        func enter(_ key: String) {
            self.state.withLock { state in
                state.running[key, default: 0] += 1
                state.total += 1
                state.maximum[key] = max(state.maximum[key] ?? 0, state.running[key]!)
                state.maximumTotal = max(state.maximumTotal, state.total)
            }
        }

        func leave(_ key: String) {
            self.state.withLock { state in
                state.running[key, default: 0] -= 1
                state.total -= 1
            }
        }

        var maximum: [String: Int] { self.state.withLock { $0.maximum } }
        var maximumTotal: Int { self.state.withLock { $0.maximumTotal } }
    }

    @Test("one body at a time per tenant, tenants in parallel")
    func serialisesPerTenant() async throws {
        let locks = TenantLocks()
        let overlap = Overlap()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<40 {
                let tenant = index.isMultiple(of: 2) ? "acme" : "globex"
                group.addTask {
                    try await locks.withLock(tenant) {
                        overlap.enter(tenant)
                        try await Task.sleep(for: .milliseconds(2))
                        overlap.leave(tenant)
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(overlap.maximum == ["acme": 1, "globex": 1])
        #expect(overlap.maximumTotal == 2)  // the two tenants did overlap
    }

    final class Order: Sendable {
        private let state = Mutex<[Int]>([])
        func append(_ value: Int) { self.state.withLock { $0.append(value) } }
        var values: [Int] { self.state.withLock { $0 } }
    }

    @Test("waiters run first come, first served")
    func fifo() async throws {
        let locks = TenantLocks()
        let order = Order()
        let gate = AsyncStream<Void>.makeStream()
        // The first holder waits for the gate, so every other caller queues behind it in order.
        let first = Task {
            try await locks.withLock("acme") {
                for await _ in gate.stream { break }
                order.append(0)
            }
        }
        try await Task.sleep(for: .milliseconds(20))
        var queued: [Task<Void, any Error>] = []
        for index in 1...5 {
            queued.append(Task { try await locks.withLock("acme") { order.append(index) } })
            try await Task.sleep(for: .milliseconds(10))  // each reaches the queue before the next
        }
        gate.continuation.yield()
        try await first.value
        for task in queued { try await task.value }
        #expect(order.values == [0, 1, 2, 3, 4, 5])
    }

    @Test("a throwing body releases the lock and its error reaches the caller")
    func throwingBodyReleases() async throws {
        struct Boom: Error {}
        let locks = TenantLocks()
        await #expect(throws: Boom.self) { try await locks.withLock("acme") { throw Boom() } }
        let value = try await locks.withLock("acme") { 42 }
        #expect(value == 42)
    }
}
