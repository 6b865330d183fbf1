internal import Logging
internal import Synchronization

/// How many requests an informer sent, and the events they brought.
struct InformerStatistics: Sendable, Hashable {
    var lists = 0
    var watches = 0
    var events = 0
}

/// A cache of one kind of object kept current by LIST and WATCH, as client-go's informers do:
/// one list, then one long watch resumed from the last resource version, relisting on
/// `410 Gone`; reads (``object(_:)``, ``objects(inNamespace:)``) never call the API server.
///
/// ``run()`` keeps the cache current until its task is cancelled; failures are logged and
/// retried with backoff, so the cache may be stale but never wrong about what it last saw.
final class KubernetesInformer<Object: Decodable & Sendable>: Sendable {
    /// How many requests the informer sent (the benchmark's and the tests' view of its cost).
    typealias Statistics = InformerStatistics

    private struct Shared: Sendable {
        var cache = InformerState<Object>()
        var statistics = Statistics()
        var syncWaiters: [Int: CheckedContinuation<Void, any Error>] = [:]
        var nextWaiter = 0
    }

    private let source: any WatchSource<Object>
    private let shared = Mutex(Shared())
    private let logger: Logger
    private let backoff: @Sendable (_ failures: Int) -> Duration
    private let sleep: @Sendable (Duration) async throws -> Void

    /// An informer of `source`'s objects; `backoff` is the wait after the n-th failure in a row.
    init(
        source: any WatchSource<Object>,
        logger: Logger,
        backoff: @escaping @Sendable (_ failures: Int) -> Duration = KubernetesInformer.defaultBackoff,
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    ) {
        self.source = source
        self.logger = logger
        self.backoff = backoff
        self.sleep = sleep
    }

    /// 200 ms doubling up to 30 s, with full jitter.
    static func defaultBackoff(_ failures: Int) -> Duration {
        let ceiling = min(30_000.0, 200.0 * Double(1 << min(failures, 8)))
        return .milliseconds(Int64(Double.random(in: ceiling / 2...ceiling)))
    }

    // MARK: - Reading the cache

    /// The object at `key`, as last seen.
    func object(_ key: ObjectKey) -> Object? {
        self.shared.withLock { $0.cache.objects[key] }
    }

    /// The objects of `namespace`, as last seen, by name.
    func objects(inNamespace namespace: String) -> [Object] {
        self.shared.withLock { $0.cache.objects(inNamespace: namespace) }
    }

    /// Every object, as last seen.
    var all: [ObjectKey: Object] { self.shared.withLock { $0.cache.objects } }

    /// Whether a list has filled the cache.
    var hasSynced: Bool { self.shared.withLock { $0.cache.hasSynced } }

    /// The last resource version the cache has seen (a list's, an event's or a bookmark's).
    var resourceVersion: String? { self.shared.withLock { $0.cache.resourceVersion } }

    /// Whether the cache has seen `version` or a later one: resource versions are compared as
    /// numbers (etcd revisions, which every API server in practice sends), else for equality.
    func hasSeen(_ version: String) -> Bool {
        guard let seen = self.resourceVersion else { return false }
        if let seenNumber = UInt64(seen), let wanted = UInt64(version) { return seenNumber >= wanted }
        return seen == version
    }

    /// Counts the cache's changes (equal values: nothing changed in between).
    var generation: UInt64 { self.shared.withLock { $0.cache.generation } }

    /// What the informer has sent so far.
    var statistics: Statistics { self.shared.withLock { $0.statistics } }

    /// Returns once a list has filled the cache.
    ///
    /// - Throws: `CancellationError` when the waiting task is cancelled first.
    func waitUntilSynced() async throws {
        let id = self.shared.withLock { shared -> Int? in
            guard !shared.cache.hasSynced else { return nil }
            shared.nextWaiter += 1
            return shared.nextWaiter
        }
        guard let id else { return }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let resumeNow = self.shared.withLock { shared -> Bool in
                    if shared.cache.hasSynced || Task.isCancelled { return true }
                    shared.syncWaiters[id] = continuation
                    return false
                }
                if resumeNow {
                    if Task.isCancelled { continuation.resume(throwing: CancellationError()) } else { continuation.resume() }
                }
            }
        } onCancel: {
            self.shared.withLock { $0.syncWaiters.removeValue(forKey: id) }?.resume(throwing: CancellationError())
        }
    }

    // MARK: - Keeping it current

    /// Lists and watches until the task is cancelled.
    func run() async {
        var failures = 0
        var needsList = true
        while !Task.isCancelled {
            do {
                if needsList {
                    try await self.relist()
                    needsList = false
                }
                let end = try await self.watchOnce()
                switch end {
                case .ended:
                    failures = 0
                    continue
                case .status(let status):
                    needsList = InformerState<Object>.action(forWatchStatus: status) == .relist
                    if !needsList {
                        failures += 1
                        self.logger.warning(
                            "watch refused; retrying", metadata: ["status": "\(status)", "failures": "\(failures)"])
                        try await self.sleep(self.backoff(failures))
                    }
                case .stopped(let action):
                    needsList = action == .relist
                    if action == .rewatch {
                        failures += 1
                        try await self.sleep(self.backoff(failures))
                    }
                }
            } catch is CancellationError {
                return
            } catch {
                failures += 1
                self.logger.warning("list or watch failed; retrying", metadata: ["error": "\(error)", "failures": "\(failures)"])
                do { try await self.sleep(self.backoff(failures)) } catch { return }
            }
        }
    }

    private func relist() async throws {
        self.shared.withLock { $0.statistics.lists += 1 }
        let (items, version) = try await self.source.list()
        let waiters = self.shared.withLock { shared in
            shared.cache.replace(with: items, resourceVersion: version)
            defer { shared.syncWaiters.removeAll() }
            return Array(shared.syncWaiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    private func watchOnce() async throws -> WatchEnd {
        let version = self.shared.withLock { shared in
            shared.statistics.watches += 1
            return shared.cache.resourceVersion ?? "0"
        }
        return try await self.source.watch(from: version) { event in
            self.shared.withLock { shared in
                shared.statistics.events += 1
                return shared.cache.apply(event)
            }
        }
    }
}
