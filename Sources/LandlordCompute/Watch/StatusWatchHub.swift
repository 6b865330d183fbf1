package import Logging
package import Metrics

/// Shares one status poll per (provider, tenant) among all its watchers.
///
/// A watcher gets the current status at once, then a new one each time the
/// state, the health or any container status changes (`last_updated` alone
/// moving is not a change). The poll runs at the smallest interval its
/// watchers asked for and stops when the last watcher leaves. A watcher that
/// reads slowly is never waited for and never queues: it gets the latest
/// status. Watches end with ``ComputeError/Kind/tenantNotFound`` when the
/// tenant does not exist or disappears; other errors of the first poll end
/// them too, while later transient failures are retried at the next interval.
///
/// Two gauges follow the hub: ``streamsMetricLabel`` (watchers connected) and ``pollsMetricLabel``
/// (polls running).
package actor StatusWatchHub {
    /// The gauge of watchers connected now (each WatchTenantStatus stream is one).
    package static let streamsMetricLabel = "landlord_watch_streams"
    /// The gauge of shared status polls running now (one per watched tenant).
    package static let pollsMetricLabel = "landlord_watch_polls"

    /// Fetches a tenant's status; usually ``ComputeManager/tenantStatus(tenantID:providerType:)``.
    package typealias StatusSource = @Sendable (_ tenantID: String, _ providerType: String) async throws -> ComputeStatus

    /// What one watcher receives.
    package typealias Updates = AsyncThrowingStream<ComputeStatus, any Error>

    /// The interval used when a watcher asks for none, and the smallest one allowed.
    package static let defaultInterval = Duration.milliseconds(1000)
    package static let minimumInterval = Duration.milliseconds(100)

    private struct Key: Hashable {
        var providerType: String
        var tenantID: String
    }

    private struct Watcher {
        var continuation: Updates.Continuation
        var interval: Duration
    }

    private final class Poll {
        var watchers: [Int: Watcher] = [:]
        var latest: ComputeStatus?
        var task: Task<Void, Never>?
        var interval: Duration { watchers.values.map(\.interval).min() ?? StatusWatchHub.defaultInterval }
    }

    private let source: StatusSource
    private let logger: Logger
    private var polls: [Key: Poll] = [:]
    private var nextWatcherID = 0
    private var isShutDown = false
    /// Watchers over all polls (kept, not summed, so a change costs nothing per tenant).
    private var watchers = 0
    private let streamsGauge: Gauge
    private let pollsGauge: Gauge

    /// - Parameters:
    ///   - logger: where poll failures are logged.
    ///   - metricsFactory: where the gauges go; `nil` means the global `MetricsSystem.factory` as
    ///     it is when the hub is created.
    ///   - source: how a status is fetched.
    package init(logger: Logger, metricsFactory: (any MetricsFactory)? = nil, source: @escaping StatusSource) {
        self.logger = logger
        self.source = source
        let factory = metricsFactory ?? MetricsSystem.factory
        self.streamsGauge = Gauge(label: Self.streamsMetricLabel, factory: factory)
        self.pollsGauge = Gauge(label: Self.pollsMetricLabel, factory: factory)
        self.streamsGauge.record(0)
        self.pollsGauge.record(0)
    }

    private func updateGauges() {
        streamsGauge.record(watchers)
        pollsGauge.record(polls.count)
    }

    /// The poll interval for a requested one: 0 means the default (1 s); values
    /// under 100 ms are raised to 100 ms.
    package static func interval(forRequestedMilliseconds milliseconds: UInt32) -> Duration {
        guard milliseconds > 0 else { return defaultInterval }
        return max(.milliseconds(Int64(milliseconds)), minimumInterval)
    }

    /// Starts watching a tenant; the stream ends when the caller stops iterating.
    package func watch(tenantID: String, providerType: String, interval: Duration) -> Updates {
        let (updates, continuation) = Updates.makeStream(bufferingPolicy: .bufferingNewest(1))
        guard !isShutDown else {
            continuation.finish(throwing: ShutdownError())
            return updates
        }
        let key = Key(providerType: providerType, tenantID: tenantID)
        let id = nextWatcherID
        nextWatcherID += 1
        let poll = polls[key] ?? startPoll(key)
        poll.watchers[id] = Watcher(continuation: continuation, interval: max(interval, Self.minimumInterval))
        watchers += 1
        updateGauges()
        if let latest = poll.latest { continuation.yield(latest) }
        continuation.onTermination = { _ in
            Task { await self.removeWatcher(id, from: key) }
        }
        return updates
    }

    /// Ends every watch (and every later one) with ``ShutdownError``: a watch
    /// never ends on its own, so a draining server ends them to let its
    /// clients reconnect elsewhere instead of holding the drain.
    package func shutDown() {
        isShutDown = true
        let all = polls.values
        polls = [:]
        watchers = 0
        updateGauges()
        for poll in all {
            poll.task?.cancel()
            for watcher in poll.watchers.values { watcher.continuation.finish(throwing: ShutdownError()) }
        }
    }

    /// Why a watch ended when the hub shut down.
    package struct ShutdownError: Error, Equatable {}

    /// Watchers connected now, over all tenants.
    package var watcherCount: Int { polls.values.reduce(0) { $0 + $1.watchers.count } }

    /// Polls running now (one per watched tenant).
    package var pollCount: Int { polls.count }

    private func startPoll(_ key: Key) -> Poll {
        let poll = Poll()
        polls[key] = poll
        poll.task = Task { await self.runPoll(key) }
        return poll
    }

    private func runPoll(_ key: Key) async {
        while !Task.isCancelled {
            do {
                let status = try await source(key.tenantID, key.providerType)
                publish(status, for: key)
            } catch {
                if !handleFailure(error, for: key) { return }
            }
            guard let interval = polls[key]?.interval else { return }
            do {
                try await Task.sleep(for: interval)
            } catch {
                return
            }
        }
    }

    private func publish(_ status: ComputeStatus, for key: Key) {
        guard let poll = polls[key] else { return }
        let changed = poll.latest.map { !$0.hasSameObservableState(as: status) } ?? true
        poll.latest = status
        guard changed else { return }
        for watcher in poll.watchers.values { watcher.continuation.yield(status) }
    }

    /// Ends the watches on a failure that is final; returns whether polling goes on.
    private func handleFailure(_ error: any Error, for key: Key) -> Bool {
        guard let poll = polls[key] else { return false }
        let notFound = (error as? ComputeError)?.kind == .tenantNotFound
        guard notFound || poll.latest == nil || error is CancellationError else {
            logger.warning(
                "tenant status poll failed; retrying",
                metadata: ["tenant_id": "\(key.tenantID)", "provider": "\(key.providerType)", "error": "\(error)"]
            )
            return true
        }
        polls[key] = nil
        watchers -= poll.watchers.count
        updateGauges()
        for watcher in poll.watchers.values { watcher.continuation.finish(throwing: error) }
        return false
    }

    private func removeWatcher(_ id: Int, from key: Key) {
        guard let poll = polls[key], poll.watchers.removeValue(forKey: id) != nil else { return }
        watchers -= 1
        if poll.watchers.isEmpty {
            poll.task?.cancel()
            polls[key] = nil
        }
        updateGauges()
    }
}

extension ComputeStatus {
    /// Whether a watcher would see no difference: same state, health and container statuses.
    package func hasSameObservableState(as other: ComputeStatus) -> Bool {
        state == other.state && health == other.health && containers == other.containers
    }
}
