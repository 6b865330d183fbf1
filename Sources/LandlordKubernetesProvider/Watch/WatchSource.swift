internal import Foundation
internal import LandlordProviderKit
internal import NIOCore
internal import NIOHTTP1

/// How a watch request ended.
enum WatchEnd: Sendable, Equatable {
    /// The server closed the stream (its `timeoutSeconds` passed): resume from the last version.
    case ended
    /// The server answered this status instead of streaming (410: list again).
    case status(Int)
    /// The cache asked to stop reading (an `ERROR` event, an unreadable event).
    case stopped(InformerAction)
}

/// Where an informer lists and watches one kind.
protocol WatchSource<Object>: Sendable {
    associatedtype Object: Decodable & Sendable

    /// Every object of the kind (all pages), and the resource version of that list.
    func list() async throws -> (items: [(ObjectKey, Object)], resourceVersion: String)

    /// Streams the events after `resourceVersion` to `onEvent` until the stream ends, the server
    /// refuses, or `onEvent` answers something other than `.continue`.
    func watch(
        from resourceVersion: String,
        _ onEvent: (WatchEvent<Object>) -> InformerAction
    ) async throws -> WatchEnd
}

/// LIST and WATCH of one kind on the API server, across namespaces, filtered by a label selector.
struct APIServerWatchSource<Object: Decodable & Sendable>: WatchSource {
    /// The client of the API server.
    var client: EngineClient
    /// The kind's collection path across namespaces, e.g. `/apis/apps/v1/deployments`.
    var path: String
    /// What the objects are, for errors: e.g. `deployments`.
    var resource: String
    /// `labelSelector`, e.g. `app.kubernetes.io/managed-by=landlord`.
    var labelSelector: String
    /// How long the server keeps one watch open (`timeoutSeconds`); the informer then resumes.
    var watchTimeout: Duration = .seconds(300)
    /// Objects per page of a list.
    var pageSize = 500

    private struct ListPage: Decodable {
        struct Metadata: Decodable {
            var resourceVersion: String?
            var `continue`: String?
        }
        var metadata: Metadata?
        var items: [Item]?
    }

    /// One item of a list: decoded as the object and, for its key, as a header.
    private struct Item: Decodable {
        var header: ObjectHeader
        var object: Object

        init(from decoder: any Decoder) throws {
            self.header = try ObjectHeader(from: decoder)
            self.object = try Object(from: decoder)
        }
    }

    func list() async throws -> (items: [(ObjectKey, Object)], resourceVersion: String) {
        var items: [(ObjectKey, Object)] = []
        var continueToken: String?
        while true {
            var query: [(name: String, value: String)] = [
                ("labelSelector", self.labelSelector), ("limit", String(self.pageSize)),
            ]
            if let continueToken { query.append(("continue", continueToken)) }
            let response = try await self.client.execute(
                EngineRequest(.GET, self.path, query: query, operation: "list \(self.resource)"), expecting: [200])
            let page: ListPage = try response.decode()
            for item in page.items ?? [] {
                guard let key = item.header.key else { continue }
                items.append((key, item.object))
            }
            if let next = page.metadata?.continue, !next.isEmpty {
                continueToken = next
                continue
            }
            guard let version = page.metadata?.resourceVersion else {
                throw EngineClientError(
                    .invalidResponse, operation: "list \(self.resource)", message: "the list has no resourceVersion")
            }
            return (items, version)
        }
    }

    func watch(
        from resourceVersion: String,
        _ onEvent: (WatchEvent<Object>) -> InformerAction
    ) async throws -> WatchEnd {
        let seconds = max(1, Int(self.watchTimeout.components.seconds))
        let request = EngineRequest(
            .GET, self.path,
            query: [
                ("labelSelector", self.labelSelector), ("watch", "true"), ("resourceVersion", resourceVersion),
                ("allowWatchBookmarks", "true"), ("timeoutSeconds", String(seconds)),
            ],
            // The server ends the watch after timeoutSeconds; the request's own deadline is later.
            timeout: .seconds(seconds + 30),
            operation: "watch \(self.resource)"
        )
        var splitter = LineSplitter()
        var stop: InformerAction?
        let decoder = JSONDecoder()
        /// Hands one line to the cache; `false`: stop reading.
        func handle(_ line: Data) -> Bool {
            let action: InformerAction
            do {
                action = onEvent(try WatchEvent<Object>.decode(line, decoder: decoder))
            } catch {
                action = .relist  // a line we cannot read: our cache may have missed a change
            }
            guard action == .continue else {
                stop = action
                return false
            }
            return true
        }
        do {
            let response = try await self.client.execute(request) { chunk in
                for line in try splitter.append(chunk) where !handle(line) { throw WatchStopped() }
            }
            guard (200..<300).contains(response.status) else { return .status(response.status) }
            if let last = splitter.finish(), !handle(last) { return .stopped(stop ?? .relist) }
            return .ended
        } catch is WatchStopped {
            return .stopped(stop ?? .relist)
        } catch is LineSplitter.LineTooLong {
            return .stopped(.relist)
        }
    }
}

/// Thrown out of a watch's body consumer to stop reading the stream.
private struct WatchStopped: Error {}
