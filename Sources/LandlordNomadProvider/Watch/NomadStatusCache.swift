internal import Foundation
package import Logging

/// What Nomad says about the tenants whose status is being asked for, kept current by blocking
/// queries (`?index=N&wait=5m` on the job, its latest deployment and its allocations), so that a
/// WatchTenantStatus, which asks for a status every second or so, costs Nomad nothing while nothing
/// changes: each query is answered only when its index moves (or its wait ends).
///
/// A tenant's queries start with the first status call and stop when no status was asked for
/// during the idle timeout (checked whenever a query answers, so at the latest one `wait` later),
/// when the job is gone, or when a write of this provider invalidates the tenant (the next status
/// call then reads Nomad afresh, so it reflects the write).
///
/// The blocking queries go through a client of their own (``init(api:watchAPI:wait:idleTimeout:logger:)``):
/// each watched tenant holds three of its connections, and no other call ever queues behind them.
package actor NomadStatusCache {
    /// The job, its latest deployment and its allocations, read together.
    package struct Snapshot: Sendable {
        package var job: NomadJobInfo
        package var deployment: NomadDeployment?
        package var allocations: [NomadAllocation]
    }

    private final class Entry {
        var snapshot: Snapshot
        var lastAccess: ContinuousClock.Instant
        var task: Task<Void, Never>?
        init(snapshot: Snapshot, lastAccess: ContinuousClock.Instant) {
            self.snapshot = snapshot
            self.lastAccess = lastAccess
        }
    }

    private let api: NomadAPI
    private let watchAPI: NomadAPI
    private let wait: Duration
    private let idleTimeout: Duration
    private let logger: Logger
    private var entries: [String: Entry] = [:]
    private var generations: [String: Int] = [:]
    private var isStopped = false

    /// - Parameters:
    ///   - api: Reads a tenant's first snapshot.
    ///   - watchAPI: Sends the blocking queries (a client with its own connection pool).
    ///   - wait: The `wait` of a blocking query.
    ///   - idleTimeout: How long a tenant is watched after its last status call.
    package init(api: NomadAPI, watchAPI: NomadAPI, wait: Duration, idleTimeout: Duration, logger: Logger) {
        self.api = api
        self.watchAPI = watchAPI
        self.wait = wait
        self.idleTimeout = idleTimeout
        self.logger = logger
    }

    /// The tenant's snapshot (`nil` when its job does not exist): cached while its queries run,
    /// else read now (and its queries started).
    package func snapshot(jobID: String) async throws -> Snapshot? {
        self.sweep()
        if let entry = self.entries[jobID] {
            entry.lastAccess = .now
            return entry.snapshot
        }
        let generation = self.generations[jobID, default: 0]
        guard let (snapshot, indexes) = try await Self.read(self.api, jobID: jobID) else { return nil }
        if let entry = self.entries[jobID] {
            entry.lastAccess = .now
            return entry.snapshot
        }
        // A write invalidated the tenant while this read ran: answer it, but do not keep it.
        guard generation == self.generations[jobID, default: 0], !self.isStopped else { return snapshot }
        let entry = Entry(snapshot: snapshot, lastAccess: .now)
        self.entries[jobID] = entry
        entry.task = self.startQueries(jobID: jobID, generation: generation, indexes: indexes)
        return snapshot
    }

    /// Forgets the tenant (after a write): its queries stop, the next status call reads Nomad.
    package func invalidate(jobID: String) {
        self.generations[jobID, default: 0] += 1
        self.entries.removeValue(forKey: jobID)?.task?.cancel()
    }

    /// How many tenants have blocking queries running (for tests).
    package var watchedCount: Int { self.entries.count }

    /// Stops every query.
    package func stop() {
        self.isStopped = true
        for entry in self.entries.values { entry.task?.cancel() }
        self.entries.removeAll()
    }

    private func sweep() {
        let now = ContinuousClock.now
        for (jobID, entry) in self.entries where now - entry.lastAccess > self.idleTimeout {
            entry.task?.cancel()
            self.entries.removeValue(forKey: jobID)
        }
    }

    private struct Indexes: Sendable {
        var job: UInt64
        var deployment: UInt64
        var allocations: UInt64
    }

    private static func read(_ api: NomadAPI, jobID: String) async throws -> (Snapshot, Indexes)? {
        let job = try await api.job(jobID)
        guard let info = job.value else { return nil }
        let deployment = try await api.latestDeployment(jobID)
        let allocations = try await api.allocations(jobID)
        return (
            Snapshot(job: info, deployment: deployment.value, allocations: allocations.value),
            Indexes(job: job.index, deployment: deployment.index, allocations: allocations.index)
        )
    }

    private enum Part: Sendable {
        case job(NomadJobInfo?)
        case deployment(NomadDeployment?)
        case allocations([NomadAllocation])
    }

    private func apply(_ part: Part, jobID: String, generation: Int) {
        guard generation == self.generations[jobID, default: 0], let entry = self.entries[jobID] else { return }
        if ContinuousClock.now - entry.lastAccess > self.idleTimeout {
            // Nobody asked for this tenant's status lately: stop watching it.
            self.entries.removeValue(forKey: jobID)?.task?.cancel()
            return
        }
        switch part {
        case .job(let job?): entry.snapshot.job = job
        case .job(nil): self.invalidate(jobID: jobID)  // gone: the next status call says so
        case .deployment(let deployment): entry.snapshot.deployment = deployment
        case .allocations(let allocations): entry.snapshot.allocations = allocations
        }
    }

    private func startQueries(jobID: String, generation: Int, indexes: Indexes) -> Task<Void, Never> {
        let api = self.watchAPI
        let wait = self.wait
        let logger = self.logger
        // The task holds the cache until it is cancelled (invalidate, sweep or stop end every one).
        return Task { [self] in
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    await Self.follow(index: indexes.job, jobID: jobID, logger: logger) { index in
                        let answer = try await api.job(jobID, blocking: .init(index: index, wait: wait))
                        await self.apply(.job(answer.value), jobID: jobID, generation: generation)
                        return answer.value == nil ? nil : answer.index
                    }
                }
                group.addTask {
                    await Self.follow(index: indexes.deployment, jobID: jobID, logger: logger) { index in
                        let answer = try await api.latestDeployment(jobID, blocking: .init(index: index, wait: wait))
                        await self.apply(.deployment(answer.value), jobID: jobID, generation: generation)
                        return answer.index
                    }
                }
                group.addTask {
                    await Self.follow(index: indexes.allocations, jobID: jobID, logger: logger) { index in
                        let answer = try await api.allocations(jobID, blocking: .init(index: index, wait: wait))
                        await self.apply(.allocations(answer.value), jobID: jobID, generation: generation)
                        return answer.index
                    }
                }
            }
        }
    }

    /// Runs `query` from `index` on, each time with the index it answered, until cancelled or
    /// until it answers `nil` (the job is gone). An index that goes backwards starts again from
    /// 0 (Nomad's advice); failures are retried after a second.
    private static func follow(
        index start: UInt64, jobID: String, logger: Logger, _ query: @Sendable (UInt64) async throws -> UInt64?
    ) async {
        var index = start
        while !Task.isCancelled {
            do {
                guard let next = try await query(index) else { return }
                if next < index || next == 0 {
                    index = 0
                    try await Task.sleep(for: .seconds(1))
                } else {
                    index = next
                }
            } catch is CancellationError {
                return
            } catch {
                logger.debug("nomad status query failed; retrying", metadata: ["job_id": "\(jobID)", "error": "\(error)"])
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }
}
