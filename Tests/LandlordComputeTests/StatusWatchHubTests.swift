import Foundation
import LandlordCompute
import Logging
import MetricsTestKit
import Synchronization
import Testing

/// A status source whose answers the test scripts, counting its calls.
private final class ScriptedSource: Sendable {
    private let state = Mutex<(status: Result<ComputeStatus, ComputeError>, calls: Int)>(
        (.success(ScriptedSource.status(.running)), 0)
    )

    static func status(_ state: ComputeState, health: HealthStatus = .healthy, at seconds: Double = 0) -> ComputeStatus {
        ComputeStatus(
            tenantID: "acme",
            providerType: "mock",
            state: state,
            containers: [ContainerStatus(name: "web", state: ContainerState(state), ready: state == .running)],
            health: health,
            lastUpdated: Date(timeIntervalSince1970: seconds)
        )
    }

    func set(_ status: ComputeStatus) { state.withLock { $0.status = .success(status) } }
    func fail(_ error: ComputeError) { state.withLock { $0.status = .failure(error) } }
    var calls: Int { state.withLock { $0.calls } }

    func fetch() throws -> ComputeStatus {
        let status = state.withLock { state in
            state.calls += 1
            return state.status
        }
        return try status.get()
    }
}

@Suite("StatusWatchHub")
struct StatusWatchHubTests {
    private let source = ScriptedSource()
    private let interval = Duration.milliseconds(100)

    private func hub() -> StatusWatchHub {
        let source = self.source
        return StatusWatchHub(logger: Logger(label: "test")) { _, _ in try source.fetch() }
    }

    private func waitUntil(_ condition: () async -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while await !condition() {
            guard ContinuousClock.now < deadline else {
                Issue.record("condition not met within 10 s")
                return
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    @Test("the first status comes at once, then only real changes; last_updated alone is not one")
    func changesOnly() async throws {
        let hub = hub()
        var updates = await hub.watch(tenantID: "acme", providerType: "mock", interval: interval).makeAsyncIterator()
        #expect(try await updates.next()?.state == .running)
        source.set(ScriptedSource.status(.running, at: 50))  // only last_updated moves
        try await waitUntil { source.calls >= 3 }
        source.set(ScriptedSource.status(.failed, health: .unhealthy, at: 60))
        let next = try await updates.next()
        #expect(next?.state == .failed)
        #expect(next?.health == .unhealthy)
    }

    @Test("many watchers of one tenant share one poll, which stops when the last leaves")
    func sharedPoll() async throws {
        let hub = hub()
        var tasks: [Task<ComputeState?, any Error>] = []
        for _ in 0..<200 {
            let updates = await hub.watch(tenantID: "acme", providerType: "mock", interval: interval)
            tasks.append(Task { try await updates.first { _ in true }?.state })
        }
        for task in tasks { #expect(try await task.value == .running) }
        #expect(await hub.pollCount <= 1)
        try await Task.sleep(for: .milliseconds(350))
        #expect(source.calls < 10, "one poll per interval, not one per watcher")
        try await waitUntil { await hub.pollCount == 0 }
        let calls = source.calls
        try await Task.sleep(for: .milliseconds(300))
        #expect(source.calls == calls, "the poll stopped with its last watcher")
        #expect(await hub.watcherCount == 0)
    }

    @Test("a tenant that does not exist ends the watch with tenantNotFound")
    func notFoundAtStart() async throws {
        source.fail(ComputeError(kind: .tenantNotFound, message: "no tenant acme"))
        let updates = await hub().watch(tenantID: "acme", providerType: "mock", interval: interval)
        await #expect(throws: ComputeError(kind: .tenantNotFound, message: "no tenant acme")) {
            for try await _ in updates {}
        }
    }

    @Test("a tenant that disappears ends the watch; a transient failure does not")
    func disappears() async throws {
        let hub = hub()
        var updates = await hub.watch(tenantID: "acme", providerType: "mock", interval: interval).makeAsyncIterator()
        #expect(try await updates.next() != nil)
        source.fail(ComputeError(kind: .providerFailed, message: "flaky"))
        let calls = source.calls
        try await waitUntil { source.calls >= calls + 2 }
        #expect(await hub.pollCount == 1, "still polling after a transient failure")
        source.fail(ComputeError(kind: .tenantNotFound, message: "gone"))
        do {
            _ = try await updates.next()
            Issue.record("expected the watch to end with tenantNotFound")
        } catch let error as ComputeError {
            #expect(error.kind == .tenantNotFound)
        }
        #expect(await hub.pollCount == 0)
    }

    @Test("a watcher that does not read gets the latest status, not a backlog")
    func slowWatcherGetsLatest() async throws {
        let hub = hub()
        let updates = await hub.watch(tenantID: "acme", providerType: "mock", interval: interval)
        for state in [ComputeState.starting, .stopping, .stopped] {
            let calls = source.calls
            source.set(ScriptedSource.status(state))
            try await waitUntil { source.calls >= calls + 2 }
        }
        var iterator = updates.makeAsyncIterator()
        #expect(try await iterator.next()?.state == .stopped)
    }

    @Test("requested intervals: 0 is 1 s, below 100 ms is raised", arguments: [(0, 1000), (50, 100), (100, 100), (2500, 2500)])
    func intervals(requested: UInt32, expectedMilliseconds: Int) {
        #expect(StatusWatchHub.interval(forRequestedMilliseconds: requested) == .milliseconds(expectedMilliseconds))
    }

    @Test("the gauges follow the watchers and the polls, up and down, to zero")
    func gauges() async throws {
        let metrics = TestMetrics()
        let source = self.source
        let hub = StatusWatchHub(logger: Logger(label: "test"), metricsFactory: metrics) { _, _ in try source.fetch() }
        let streams = try metrics.expectGauge(StatusWatchHub.streamsMetricLabel)
        let polls = try metrics.expectGauge(StatusWatchHub.pollsMetricLabel)
        #expect(streams.lastValue == 0 && polls.lastValue == 0)

        var tasks: [Task<Void, any Error>] = []
        for tenant in ["acme", "acme", "globex"] {
            let updates = await hub.watch(tenantID: tenant, providerType: "mock", interval: interval)
            tasks.append(Task { for try await _ in updates {} })
        }
        try await waitUntil { streams.lastValue == 3 && polls.lastValue == 2 }
        for task in tasks { task.cancel() }
        try await waitUntil { streams.lastValue == 0 && polls.lastValue == 0 }

        _ = await hub.watch(tenantID: "acme", providerType: "mock", interval: interval)
        try await waitUntil { streams.lastValue == 1 }
        await hub.shutDown()
        #expect(streams.lastValue == 0 && polls.lastValue == 0)
    }
}
