internal import Foundation
internal import LandlordProviderKit
internal import Logging
internal import Synchronization

/// The provider's view of the cluster: one informer per kind it reads (Namespaces, Deployments,
/// Pods, Services, across namespaces, filtered by `app.kubernetes.io/managed-by=landlord`), each
/// one LIST and then one long WATCH, so that status reads cost the API server nothing.
///
/// ``start()`` starts the informers once (later calls only wait for the first list of each);
/// ``stop()`` cancels them and waits until they have returned.
final class ClusterCache: Sendable {
    /// The kinds the cache holds.
    enum Kind: String, Sendable, CaseIterable, CustomStringConvertible {
        case namespaces, deployments, pods, services

        var description: String { self.rawValue }
    }

    /// Why the cache could not be used.
    struct NotSynced: Error, Sendable, CustomStringConvertible {
        var kinds: [Kind]
        var timeout: Duration

        var description: String {
            "the watch cache of \(self.kinds.map(\.description).joined(separator: ", ")) did not fill within \(self.timeout) (the API server does not answer the lists)"
        }
    }

    let namespaces: KubernetesInformer<ObservedNamespace>
    let deployments: KubernetesInformer<ObservedDeployment>
    let pods: KubernetesInformer<ObservedPod>
    let services: KubernetesInformer<ObservedService>

    private enum RunState: Sendable {
        case idle
        case running([Task<Void, Never>])
        case stopped
    }

    private let state = Mutex(RunState.idle)

    /// Informers of the kinds on `client`'s API server; `watchTimeout` is how long one watch
    /// request stays open before it is resumed.
    init(client: EngineClient, logger: Logger, watchTimeout: Duration = .seconds(300)) {
        let selector = KubernetesNaming.managedSelector
        func source<Object>(_ resource: KubernetesResource, _: Object.Type) -> APIServerWatchSource<Object> {
            APIServerWatchSource<Object>(
                client: client, path: resource.collectionPath(namespace: nil), resource: resource.plural,
                labelSelector: selector, watchTimeout: watchTimeout)
        }
        func informerLogger(_ kind: Kind) -> Logger {
            var logger = logger
            logger[metadataKey: "informer"] = "\(kind)"
            return logger
        }
        self.namespaces = KubernetesInformer(
            source: source(.namespaces, ObservedNamespace.self), logger: informerLogger(.namespaces))
        self.deployments = KubernetesInformer(
            source: source(.deployments, ObservedDeployment.self), logger: informerLogger(.deployments))
        self.pods = KubernetesInformer(source: source(.pods, ObservedPod.self), logger: informerLogger(.pods))
        self.services = KubernetesInformer(
            source: source(.services, ObservedService.self), logger: informerLogger(.services))
    }

    /// Starts the informers (once) and returns when each has listed its kind.
    ///
    /// - Throws: ``NotSynced`` after `timeout`; `CancellationError`.
    func start(timeout: Duration) async throws {
        if self.isSynced { return }  // the common case: no task group per status read
        self.state.withLock { state in
            guard case .idle = state else { return }
            state = .running([
                Task { await self.namespaces.run() }, Task { await self.deployments.run() },
                Task { await self.pods.run() }, Task { await self.services.run() },
            ])
        }
        try await self.waitUntilSynced(timeout: timeout)
    }

    /// Whether every informer has listed its kind.
    var isSynced: Bool {
        self.namespaces.hasSynced && self.deployments.hasSynced && self.pods.hasSynced && self.services.hasSynced
    }

    private func waitUntilSynced(timeout: Duration) async throws {
        let synced = try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                try await self.namespaces.waitUntilSynced()
                try await self.deployments.waitUntilSynced()
                try await self.pods.waitUntilSynced()
                try await self.services.waitUntilSynced()
                return true
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return false
            }
            let first = try await group.next() ?? false
            group.cancelAll()
            return first
        }
        guard synced else {
            var missing: [Kind] = []
            if !self.namespaces.hasSynced { missing.append(.namespaces) }
            if !self.deployments.hasSynced { missing.append(.deployments) }
            if !self.pods.hasSynced { missing.append(.pods) }
            if !self.services.hasSynced { missing.append(.services) }
            throw NotSynced(kinds: missing, timeout: timeout)
        }
    }

    /// Cancels the informers and waits until they have stopped; the cache cannot start again.
    func stop() async {
        let tasks = self.state.withLock { state -> [Task<Void, Never>] in
            defer { state = .stopped }
            if case .running(let tasks) = state { return tasks }
            return []
        }
        for task in tasks { task.cancel() }
        for task in tasks { await task.value }
    }

    /// Whether the cache of `kind` has seen resource version `version` (or a later one).
    func hasSeen(_ kind: Kind, _ version: String) -> Bool {
        switch kind {
        case .namespaces: self.namespaces.hasSeen(version)
        case .deployments: self.deployments.hasSeen(version)
        case .pods: self.pods.hasSeen(version)
        case .services: self.services.hasSeen(version)
        }
    }

    /// Waits until `condition` holds on the cache (checked every `interval`), at most `timeout`;
    /// answers whether it held. Reads only the cache: no request reaches the API server.
    func wait(
        timeout: Duration,
        interval: Duration = .milliseconds(20),
        until condition: () -> Bool
    ) async throws -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while !condition() {
            guard clock.now < deadline else { return false }
            try await Task.sleep(for: interval)
        }
        return true
    }

    /// What the cache holds of the tenant in `namespace` whose id is `tenantID`: nothing when the
    /// namespace is not a landlord tenant namespace of that id.
    func tenant(namespace: String, tenantID: String) -> CachedTenant? {
        guard let observed = self.namespaces.object(ObjectKey(namespace: "", name: namespace)),
            observed.metadata.labels?[KubernetesNaming.tenantIDLabel] == tenantID
        else { return nil }
        return CachedTenant(
            namespace: observed,
            deployment: self.deployments.object(ObjectKey(namespace: namespace, name: KubernetesNaming.workloadName)),
            pods: self.pods.objects(inNamespace: namespace),
            service: self.services.object(ObjectKey(namespace: namespace, name: KubernetesNaming.workloadName)))
    }

    /// The requests the informers have sent: lists, watches (and the events they brought).
    var statistics: InformerStatistics {
        let all: [InformerStatistics] = [
            self.namespaces.statistics, self.deployments.statistics, self.pods.statistics, self.services.statistics,
        ]
        var total = InformerStatistics()
        for part in all {
            total.lists += part.lists
            total.watches += part.watches
            total.events += part.events
        }
        return total
    }
}

/// One tenant's objects as the cache last saw them.
struct CachedTenant: Sendable {
    var namespace: ObservedNamespace
    var deployment: ObservedDeployment?
    var pods: [ObservedPod]
    var service: ObservedService?

    /// The stored spec of the Deployment's `landlord.dev/spec` annotation, if readable.
    var storedSpec: TenantSpecAnnotation? {
        self.deployment?.metadata.annotations.flatMap(TenantSpecAnnotation.init)
    }

    /// Whether the namespace is being deleted.
    var isTerminating: Bool {
        self.namespace.status?.phase == "Terminating" || self.namespace.metadata.deletionTimestamp != nil
    }
}
