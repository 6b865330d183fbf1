/// Serialises the operations of one provider instance on each tenant (provision, update, destroy),
/// while operations on different tenants run in parallel.
///
/// Waiting is first come, first served and not cancellable: a cancelled operation still waits its
/// turn and then notices the cancellation itself (destroy must not be skipped anyway).
package actor TenantLocks {
    /// An empty set of locks.
    package init() {}

    private var waiters: [String: [CheckedContinuation<Void, Never>]] = [:]
    private var held: Set<String> = []

    /// Runs `body` while holding the tenant's lock.
    package nonisolated func withLock<Result: Sendable>(
        _ tenantID: String,
        _ body: @Sendable () async throws -> Result
    ) async throws -> Result {
        await self.acquire(tenantID)
        do {
            let result = try await body()
            await self.release(tenantID)
            return result
        } catch {
            await self.release(tenantID)
            throw error
        }
    }

    private func acquire(_ tenantID: String) async {
        if self.held.insert(tenantID).inserted { return }
        await withCheckedContinuation { continuation in
            self.waiters[tenantID, default: []].append(continuation)
        }
    }

    private func release(_ tenantID: String) {
        if var queue = self.waiters[tenantID], !queue.isEmpty {
            let next = queue.removeFirst()
            self.waiters[tenantID] = queue.isEmpty ? nil : queue
            next.resume()  // the lock passes to the next waiter: `held` keeps the tenant
        } else {
            self.held.remove(tenantID)
        }
    }
}
