import Logging
import Synchronization
import Testing

@testable import LandlordKubernetesProvider

/// A scripted API server: each list answers the next scripted list, each watch streams the next
/// scripted events (then ends as scripted); what the informer asked is recorded.
final class ScriptedWatchSource: WatchSource, Sendable {
    typealias Object = TestDeployment

    enum Watch: Sendable {
        case events([WatchEvent<TestDeployment>], then: WatchEnd)
        case fails
        /// Blocks until cancelled (the informer idles on a quiet watch).
        case quiet
    }

    struct Failure: Error {}

    private struct State {
        var lists: [[(ObjectKey, TestDeployment)]]
        var listVersions: [String]
        var watches: [Watch]
        var watchedFrom: [String] = []
        var listCount = 0
    }

    private let state: Mutex<State>

    init(lists: [([(ObjectKey, TestDeployment)], String)], watches: [Watch]) {
        self.state = Mutex(State(lists: lists.map(\.0), listVersions: lists.map(\.1), watches: watches))
    }

    var watchedFrom: [String] { self.state.withLock { $0.watchedFrom } }
    var listCount: Int { self.state.withLock { $0.listCount } }

    func list() async throws -> (items: [(ObjectKey, TestDeployment)], resourceVersion: String) {
        try self.state.withLock { state in
            guard !state.lists.isEmpty else { throw Failure() }
            state.listCount += 1
            return (state.lists.removeFirst(), state.listVersions.removeFirst())
        }
    }

    func watch(from resourceVersion: String, _ onEvent: (WatchEvent<TestDeployment>) -> InformerAction) async throws
        -> WatchEnd
    {
        let next = self.state.withLock { state -> Watch in
            state.watchedFrom.append(resourceVersion)
            return state.watches.isEmpty ? .quiet : state.watches.removeFirst()
        }
        switch next {
        case .events(let events, let end):
            for event in events {
                let action = onEvent(event)
                if action != .continue { return .stopped(action) }
            }
            return end
        case .fails:
            throw Failure()
        case .quiet:
            try await Task.sleep(for: .seconds(3600))
            return .ended
        }
    }
}

@Suite("Kubernetes informer: list, watch, resume, relist")
struct InformerTests {
    static func deployment(_ namespace: String, _ name: String, replicas: Int = 1, version: String = "1")
        -> (ObjectKey, TestDeployment)
    {
        (
            ObjectKey(namespace: namespace, name: name),
            TestDeployment(
                metadata: .init(name: name, namespace: namespace, resourceVersion: version),
                spec: .init(replicas: replicas))
        )
    }

    @Test("the per-namespace index follows lists, additions and deletions")
    func namespaceIndex() {
        var state = InformerState<TestDeployment>()
        state.replace(with: [Self.deployment("ns-a", "x"), Self.deployment("ns-a", "w"), Self.deployment("ns-b", "x")], resourceVersion: "5")
        #expect(state.objects(inNamespace: "ns-a").map(\.metadata.name) == ["w", "x"])
        let (key, object) = Self.deployment("ns-c", "y", version: "6")
        _ = state.apply(.added(key, resourceVersion: "6", object))
        #expect(state.objects(inNamespace: "ns-c").map(\.metadata.name) == ["y"])
        let (gone, last) = Self.deployment("ns-a", "w", version: "7")
        _ = state.apply(.deleted(gone, resourceVersion: "7", last))
        #expect(state.objects(inNamespace: "ns-a").map(\.metadata.name) == ["x"])
        #expect(state.objects(inNamespace: "ns-b").count == 1)
        #expect(state.namesByNamespace["ns-a"] == ["x"])
        _ = state.apply(.deleted(ObjectKey(namespace: "ns-c", name: "y"), resourceVersion: "8", object))
        #expect(state.namesByNamespace["ns-c"] == nil)
    }

    static func eventually(_ condition: () -> Bool) async throws {
        for _ in 0..<200 where !condition() { try await Task.sleep(for: .milliseconds(10)) }
        #expect(condition())
    }

    @Test("the cache follows the list, then the watch; a watch that ends resumes from the last version")
    func listThenWatch() async throws {
        let (aKey, a) = Self.deployment("landlord-acme", "tenant")
        let (bKey, b) = Self.deployment("landlord-globex", "tenant")
        let source = ScriptedWatchSource(
            lists: [([(aKey, a)], "10")],
            watches: [
                .events(
                    [.added(bKey, resourceVersion: "11", b), .modified(aKey, resourceVersion: "12", Self.deployment("landlord-acme", "tenant", replicas: 3).1)],
                    then: .ended),
                .events([.bookmark(resourceVersion: "20"), .deleted(bKey, resourceVersion: "21", b)], then: .ended),
            ]
        )
        let informer = KubernetesInformer(source: source, logger: Logger(label: "test"), backoff: { _ in .zero })
        let task = Task { await informer.run() }
        try await informer.waitUntilSynced()
        try await Self.eventually { source.watchedFrom.count == 3 }
        #expect(source.watchedFrom == ["10", "12", "21"])
        #expect(informer.object(aKey)?.spec?.replicas == 3)
        #expect(informer.object(bKey) == nil)
        #expect(informer.objects(inNamespace: "landlord-acme").count == 1)
        #expect(informer.statistics.lists == 1)
        #expect(source.listCount == 1)
        task.cancel()
        await task.value  // run() ends on cancellation
    }

    @Test("410 Gone, as an answer or as an ERROR event, relists; other errors back off and rewatch")
    func goneRelists() async throws {
        let (aKey, a) = Self.deployment("landlord-acme", "tenant")
        let (bKey, b) = Self.deployment("landlord-globex", "tenant")
        let backoffs = Mutex<[Int]>([])
        let source = ScriptedWatchSource(
            lists: [([(aKey, a)], "10"), ([(bKey, b)], "50"), ([(aKey, a), (bKey, b)], "90")],
            watches: [
                .status(410),  // resource version too old: relist ("50")
                .events([.error(code: 500, reason: "InternalError", message: "etcd")], then: .ended),  // rewatch
                .fails,  // transport failure: back off, rewatch
                .events([.error(code: 410, reason: "Expired", message: "too old")], then: .ended),  // relist ("90")
            ].map { $0 }
        )
        let informer = KubernetesInformer(
            source: source, logger: Logger(label: "test"),
            backoff: { failures in
                backoffs.withLock { $0.append(failures) }
                return .zero
            })
        let task = Task { await informer.run() }
        try await Self.eventually { source.watchedFrom.count == 5 }
        #expect(source.watchedFrom == ["10", "50", "50", "50", "90"])
        #expect(source.listCount == 3)
        #expect(Set(informer.all.keys) == [aKey, bKey])  // the last list replaced the cache
        #expect(backoffs.withLock { $0 } == [1, 2])  // the two failures in a row backed off longer
        task.cancel()
        await task.value
    }

    @Test("waiting for the first list ends when it arrives, or with the waiter's cancellation")
    func waitForSync() async throws {
        let source = ScriptedWatchSource(lists: [], watches: [])  // every list fails
        let informer = KubernetesInformer(source: source, logger: Logger(label: "test"), backoff: { _ in .milliseconds(5) })
        let task = Task { await informer.run() }
        let waiter = Task { try await informer.waitUntilSynced() }
        try await Task.sleep(for: .milliseconds(50))
        #expect(!informer.hasSynced)
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
        task.cancel()
        await task.value
    }
}

extension ScriptedWatchSource.Watch {
    /// The watch request answered `status` instead of streaming.
    static func status(_ code: Int) -> Self { .events([], then: .status(code)) }
}
