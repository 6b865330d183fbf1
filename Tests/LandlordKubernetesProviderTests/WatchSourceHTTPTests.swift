import Foundation
import LandlordProviderKit
import LandlordProviderKitTesting
import Testing

@testable import LandlordKubernetesProvider

@Suite("Kubernetes watch source over HTTP")
struct WatchSourceHTTPTests {
    private func withSource(
        _ handler: @escaping LocalHTTPServer.Handler,
        _ body: (APIServerWatchSource<TestDeployment>, LocalHTTPServer) async throws -> Void
    ) async throws {
        try await LocalHTTPServer.with(handler: handler) { server in
            let client = try EngineClient(
                endpoint: try EngineEndpoint(parsing: server.url()),
                configuration: .init(requestTimeout: .seconds(10), retryPolicy: .never))
            let source = APIServerWatchSource<TestDeployment>(
                client: client, path: "/apis/apps/v1/deployments", resource: "deployments",
                labelSelector: "app.kubernetes.io/managed-by=landlord", watchTimeout: .seconds(60), pageSize: 1)
            do {
                try await body(source, server)
                try await client.shutdown()
            } catch {
                try? await client.shutdown()
                throw error
            }
        }
    }

    static func item(_ namespace: String, _ version: String) -> String {
        #"{"metadata":{"name":"tenant","namespace":"\#(namespace)","resourceVersion":"\#(version)"},"spec":{"replicas":1}}"#
    }

    @Test("a list follows continue tokens and answers the list's resource version")
    func paginatedList() async throws {
        try await self.withSource({ request, number in
            number == 1
                ? .json(200, #"{"kind":"DeploymentList","metadata":{"resourceVersion":"70","continue":"page2"},"items":[\#(Self.item("landlord-acme", "5"))]}"#)
                : .json(200, #"{"kind":"DeploymentList","metadata":{"resourceVersion":"70"},"items":[\#(Self.item("landlord-globex", "6"))]}"#)
        }) { source, server in
            let (items, version) = try await source.list()
            #expect(version == "70")
            #expect(items.map(\.0) == [ObjectKey(namespace: "landlord-acme", name: "tenant"), ObjectKey(namespace: "landlord-globex", name: "tenant")])
            let uris = server.requests.map(\.uri)
            #expect(uris.count == 2)
            #expect(uris[0] == "/apis/apps/v1/deployments?labelSelector=app.kubernetes.io%2Fmanaged-by%3Dlandlord&limit=1")
            #expect(uris[1].hasSuffix("&continue=page2"))
        }
    }

    @Test("a watch asks for bookmarks from a version and hands each line's event to the cache")
    func watchStream() async throws {
        let body = [
            #"{"type":"ADDED","object":\#(Self.item("landlord-acme", "71"))}"#,
            #"{"type":"BOOKMARK","object":{"kind":"Deployment","metadata":{"resourceVersion":"80"}}}"#,
            #"{"type":"DELETED","object":\#(Self.item("landlord-acme", "81"))}"#,
        ].joined(separator: "\n") + "\n"
        try await self.withSource({ _, _ in .respond(status: 200, headers: [("Content-Type", "application/json")], body: body) }) {
            source, server in
            var state = InformerState<TestDeployment>()
            state.replace(with: [], resourceVersion: "70")
            var seen: [String] = []
            let end = try await source.watch(from: "70") { event in
                if case .added = event { seen.append("added") }
                if case .bookmark = event { seen.append("bookmark") }
                if case .deleted = event { seen.append("deleted") }
                return state.apply(event)
            }
            #expect(end == .ended)
            #expect(seen == ["added", "bookmark", "deleted"])
            #expect(state.resourceVersion == "81")
            #expect(state.objects.isEmpty)
            let uri = try #require(server.requests.first?.uri)
            for part in ["watch=true", "resourceVersion=70", "allowWatchBookmarks=true", "timeoutSeconds=60", "labelSelector="] {
                #expect(uri.contains(part), "\(part) in \(uri)")
            }
        }
    }

    @Test("410 Gone instead of a stream, or an ERROR event, stops the watch for a relist")
    func gone() async throws {
        try await self.withSource({ _, number in
            number == 1
                ? .json(410, #"{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Expired","code":410}"#)
                : .respond(status: 200, body: #"{"type":"ERROR","object":{"kind":"Status","code":410,"reason":"Expired"}}"# + "\n")
        }) { source, _ in
            var state = InformerState<TestDeployment>()
            let refused = try await source.watch(from: "5") { state.apply($0) }
            #expect(refused == .status(410))
            let expired = try await source.watch(from: "5") { state.apply($0) }
            #expect(expired == .stopped(.relist))
        }
    }
}
