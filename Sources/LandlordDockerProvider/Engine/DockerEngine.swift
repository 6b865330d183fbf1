internal import AsyncHTTPClient
internal import Foundation
internal import LandlordCompute
internal import LandlordProviderKit
internal import NIOCore
internal import NIOHTTP1

/// A failed Docker engine call: what was attempted, how it failed and the engine's own message.
///
/// Engine messages name images, containers and networks, never environment values, so they are
/// safe to pass on (they are cut to ``maximumMessageLength`` characters).
struct DockerEngineError: Error, Sendable, CustomStringConvertible {
    enum Kind: Sendable, Hashable {
        /// The engine could not be reached (connection refused, no socket, timeout).
        case unreachable
        /// 404: no such container, network, image or exec instance.
        case notFound
        /// 409, or podman's 500 "already in use": a name is taken, a network is in use.
        case conflict
        /// Any other answer, with its HTTP status.
        case failed(status: Int)
    }

    /// The longest engine message kept.
    static let maximumMessageLength = 300

    var kind: Kind
    /// What the provider tried, e.g. `create container landlord-acme-web`.
    var operation: String
    /// The engine's message, or the transport error.
    var message: String

    init(_ kind: Kind, operation: String, message: String) {
        self.kind = kind
        self.operation = operation
        let message = message.trimmingWhitespace()
        self.message =
            message.count > Self.maximumMessageLength
            ? String(message.prefix(Self.maximumMessageLength)) + "..." : message
    }

    var description: String {
        "\(self.operation): \(self.message)"
    }
}

/// A small Docker Engine API client on the provider kit's ``EngineClient``: unix socket or TCP.
///
/// Every call has a deadline (``DockerProvider/Configuration/requestTimeout`` unless told
/// otherwise) and honours task cancellation. Reads (GET, DELETE) are retried when the engine
/// answers 502, 503 or 504; calls that create or change things (POST) only when the connection
/// could not be made.
final class DockerEngine: Sendable {
    let host: DockerProvider.EngineHost
    let http: HTTPClient
    /// The engine client, on ``http``.
    let client: EngineClient
    private let requestTimeout: Duration

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    init(configuration: DockerProvider.Configuration, http: HTTPClient) {
        self.host = configuration.host
        self.http = http
        self.requestTimeout = configuration.requestTimeout
        let version =
            configuration.apiVersion.hasPrefix("/") ? configuration.apiVersion : "/" + configuration.apiVersion
        let endpoint: EngineEndpoint =
            switch configuration.host {
            case .unix(let path):
                // Engines written in Go (podman) reject HTTP/1.1 requests without a Host header;
                // the Docker CLI sends this one.
                .unixSocket(path: path, hostHeader: "api.moby.localhost", pathPrefix: version)
            case .tcp(let host, let port):
                .url(scheme: .http, host: host, port: port, pathPrefix: version)
            }
        self.client = EngineClient(
            endpoint: endpoint,
            configuration: EngineClient.Configuration(requestTimeout: configuration.requestTimeout),
            httpClient: http
        )
    }

    // MARK: - System

    /// `GET /_ping`.
    func ping() async throws {
        _ = try await self.call(.GET, "/_ping", operation: "ping the engine", expecting: [200])
    }

    /// `GET /version`.
    func version() async throws -> DockerAPI.Version {
        try await self.decode(.GET, "/version", operation: "read the engine version")
    }

    // MARK: - Containers

    /// `GET /containers/json?all=true` filtered by labels (`key=value` or `key`).
    func listContainers(labels: [String]) async throws -> [DockerAPI.ContainerSummary] {
        try await self.decode(
            .GET,
            "/containers/json",
            query: [("all", "true"), ("filters", Self.labelFilter(labels))],
            operation: "list containers"
        )
    }

    /// `GET /containers/{id}/json`; `nil` when there is no such container.
    func inspectContainer(_ id: String) async throws -> DockerAPI.ContainerInspect? {
        do {
            return try await self.decode(
                .GET, "/containers/\(Self.escape(id))/json", operation: "inspect container \(id)")
        } catch let error as DockerEngineError where error.kind == .notFound {
            return nil
        }
    }

    /// `POST /containers/create?name=`; returns the container id.
    func createContainer(name: String, _ body: DockerAPI.ContainerCreate) async throws -> String {
        let response: DockerAPI.IDResponse = try await self.decode(
            .POST,
            "/containers/create",
            query: [("name", name)],
            body: body,
            operation: "create container \(name)"
        )
        return response.Id
    }

    /// `POST /containers/{id}/start` (an already started container is fine).
    func startContainer(_ id: String, name: String) async throws {
        _ = try await self.call(
            .POST, "/containers/\(Self.escape(id))/start", operation: "start container \(name)", expecting: [204, 304]
        )
    }

    /// `POST /containers/{id}/stop?t=`; a stopped or missing container is fine.
    func stopContainer(_ id: String, name: String, timeout: Duration) async throws {
        let seconds = max(0, Int(timeout.components.seconds))
        do {
            _ = try await self.call(
                .POST,
                "/containers/\(Self.escape(id))/stop",
                query: [("t", "\(seconds)")],
                operation: "stop container \(name)",
                expecting: [204, 304],
                timeout: self.requestTimeout + timeout
            )
        } catch let error as DockerEngineError where error.kind == .notFound {
            return
        }
    }

    /// `DELETE /containers/{id}?force=true&v=true`; returns `false` when there was no such container.
    @discardableResult
    func removeContainer(_ id: String, name: String) async throws -> Bool {
        do {
            _ = try await self.call(
                .DELETE,
                "/containers/\(Self.escape(id))",
                query: [("force", "true"), ("v", "true")],
                operation: "remove container \(name)",
                expecting: [200, 204]
            )
            return true
        } catch let error as DockerEngineError where error.kind == .notFound {
            return false
        }
    }

    /// `POST /containers/{id}/rename?name=`.
    func renameContainer(_ id: String, from oldName: String, to newName: String) async throws {
        _ = try await self.call(
            .POST,
            "/containers/\(Self.escape(id))/rename",
            query: [("name", newName)],
            operation: "rename container \(oldName) to \(newName)",
            expecting: [200, 204]
        )
    }

    // MARK: - Networks

    /// `GET /networks` filtered by labels.
    func listNetworks(labels: [String]) async throws -> [DockerAPI.NetworkSummary] {
        try await self.decode(
            .GET, "/networks", query: [("filters", Self.labelFilter(labels))], operation: "list networks"
        )
    }

    /// `POST /networks/create` of a bridge network; returns its id.
    func createNetwork(name: String, labels: [String: String]) async throws -> String {
        let response: DockerAPI.IDResponse = try await self.decode(
            .POST,
            "/networks/create",
            body: DockerAPI.NetworkCreate(Name: name, Driver: "bridge", CheckDuplicate: true, Labels: labels),
            operation: "create network \(name)"
        )
        return response.Id
    }

    /// `DELETE /networks/{id}`; returns `false` when there was no such network.
    @discardableResult
    func removeNetwork(_ id: String, name: String) async throws -> Bool {
        do {
            _ = try await self.call(
                .DELETE, "/networks/\(Self.escape(id))", operation: "remove network \(name)", expecting: [200, 204]
            )
            return true
        } catch let error as DockerEngineError where error.kind == .notFound {
            return false
        }
    }

    // MARK: - Images

    /// Whether the engine has the image locally (`GET /images/{name}/json`).
    func imageExists(_ reference: String) async throws -> Bool {
        do {
            let _: DockerAPI.ImageInspect = try await self.decode(
                .GET, "/images/\(Self.escapeImage(reference))/json", operation: "inspect image \(reference)"
            )
            return true
        } catch let error as DockerEngineError where error.kind == .notFound {
            return false
        }
    }

    /// Whether a registry knows the image, through `GET /distribution/{name}/json` (read-only);
    /// `nil` when the engine does not offer that endpoint (podman's compatible API does not).
    func distributionExists(_ reference: String) async throws -> Bool? {
        let response = try await self.call(
            .GET,
            "/distribution/\(Self.escapeImage(reference))/json",
            operation: "look up image \(reference) in its registry",
            expecting: nil
        )
        switch response.status {
        case 200: return true
        case 401, 403, 404:
            // Docker answers a JSON error for an unknown image; an endpoint the engine lacks
            // answers a plain-text 404.
            return (try? response.decode(DockerAPI.ErrorResponse.self)) == nil ? nil : false
        default:
            throw Self.error(response)
        }
    }

    /// `POST /images/create?fromImage=` (a pull); throws the first error of the progress stream.
    func pullImage(_ reference: String, timeout: Duration) async throws {
        let operation = "pull image \(reference)"
        // Without a tag or digest the engine would pull every tag of the repository.
        let parsed = try? ImageReference(parsing: reference)
        var query = [("fromImage", reference)]
        if let parsed, parsed.tag == nil, parsed.digest == nil { query.append(("tag", "latest")) }
        let request = EngineRequest(
            .POST, "/images/create", query: query.map { (name: $0.0, value: $0.1) }, timeout: timeout,
            operation: operation)
        var pending = Data()
        var lastError: String?
        let response = try await self.execute(request) { chunk in
            pending.append(contentsOf: chunk.readableBytesView)
            while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = pending[pending.startIndex..<newline]
                pending = Data(pending[pending.index(after: newline)...])
                if let progress = try? JSONDecoder().decode(DockerAPI.PullProgress.self, from: line),
                    let error = progress.error
                {
                    lastError = error
                }
            }
        }
        guard response.status == 200 else { throw Self.error(response) }
        if let progress = try? JSONDecoder().decode(DockerAPI.PullProgress.self, from: pending),
            let error = progress.error
        {
            lastError = error
        }
        if let lastError {
            throw DockerEngineError(.failed(status: 200), operation: operation, message: lastError)
        }
    }

    // MARK: - Exec

    /// Runs `command` in a container and returns its exit code, or throws when it does not finish
    /// within `timeout` (the process itself is left to finish: the API cannot kill it).
    ///
    /// Uses an attached exec (`Detach: false`): the start call answers when the command exits
    /// (podman does not update a detached exec's state).
    func exec(in containerID: String, command: [String], timeout: Duration) async throws -> Int {
        let created: DockerAPI.IDResponse = try await self.decode(
            .POST,
            "/containers/\(Self.escape(containerID))/exec",
            body: DockerAPI.ExecCreate(Cmd: command, AttachStdout: true, AttachStderr: true),
            operation: "create exec instance"
        )
        var request = EngineRequest(
            .POST, "/exec/\(Self.escape(created.Id))/start", timeout: timeout, operation: "start exec instance")
        try request.json(DockerAPI.ExecStart(Detach: false, Tty: false), encoder: Self.encoder)
        // The output is not kept: it may hold anything.
        let response = try await self.execute(request) { _ in }
        guard response.status == 200 else { throw Self.error(response) }
        let inspected: DockerAPI.ExecInspect = try await self.decode(
            .GET, "/exec/\(Self.escape(created.Id))/json", operation: "inspect exec instance"
        )
        return inspected.ExitCode ?? -1
    }

    // MARK: - Plumbing

    private func decode<Response: Decodable>(
        _ method: HTTPMethod,
        _ path: String,
        query: [(String, String)] = [],
        body: (some Encodable)? = DockerAPI.EmptyObject?.none,
        operation: String
    ) async throws -> Response {
        let response = try await self.call(
            method, path, query: query, body: body, operation: operation, expecting: [200, 201])
        do {
            return try JSONDecoder().decode(Response.self, from: Data(response.body.readableBytesView))
        } catch {
            throw DockerEngineError(
                .failed(status: 200), operation: operation, message: "unexpected answer from the engine: \(error)"
            )
        }
    }

    /// Sends a request and collects the answer; throws ``DockerEngineError`` for a status outside
    /// `expecting` (`nil`: any status is returned).
    private func call(
        _ method: HTTPMethod,
        _ path: String,
        query: [(String, String)] = [],
        body: (some Encodable)? = DockerAPI.EmptyObject?.none,
        operation: String,
        expecting: Set<Int>?,
        timeout: Duration? = nil
    ) async throws -> EngineResponse {
        var request = EngineRequest(
            method, path, query: query.map { (name: $0.0, value: $0.1) }, timeout: timeout, operation: operation)
        if let body { try request.json(body, encoder: Self.encoder) }
        let response = try await self.execute(request)
        if let expecting, !expecting.contains(response.status) {
            throw Self.error(response)
        }
        return response
    }

    private func execute(_ request: EngineRequest) async throws -> EngineResponse {
        do {
            return try await self.client.execute(request)
        } catch {
            throw Self.transportError(error, operation: request.operation)
        }
    }

    /// Sends a request whose 2xx body goes to `consume` as it arrives.
    private func execute(
        _ request: EngineRequest,
        streamingBody consume: (ByteBuffer) async throws -> Void
    ) async throws -> EngineResponse {
        do {
            return try await self.client.execute(request, streamingBody: consume)
        } catch {
            throw Self.transportError(error, operation: request.operation)
        }
    }

    private static func transportError(_ error: any Error, operation: String) -> any Error {
        if error is CancellationError || Task.isCancelled { return CancellationError() }
        if let error = error as? EngineClientError {
            let kind: DockerEngineError.Kind = error.kind == .invalidResponse ? .failed(status: 200) : .unreachable
            return DockerEngineError(kind, operation: operation, message: error.message)
        }
        return error
    }

    private static func error(_ response: EngineResponse) -> DockerEngineError {
        let message = response.errorMessage
        let kind: DockerEngineError.Kind
        switch response.status {
        case 404: kind = .notFound
        case 409: kind = .conflict
        case 500 where message.contains("already in use") || message.contains("is being used"): kind = .conflict
        default: kind = .failed(status: response.status)
        }
        return DockerEngineError(kind, operation: response.operation, message: message)
    }

    /// `{"label":["a=b","c"]}`, the `filters` query value.
    private static func labelFilter(_ labels: [String]) -> String {
        let data = (try? Self.encoder.encode(["label": labels])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    /// Percent-encodes everything but RFC 3986 unreserved characters.
    static func escape(_ component: String) -> String {
        EngineRequest.percentEncoded(component)
    }

    /// An image reference as a path: its `/` stay (the engine routes `/images/{name}/json` with
    /// slashes in the name), everything else unreserved is escaped.
    private static func escapeImage(_ reference: String) -> String {
        reference.split(separator: "/", omittingEmptySubsequences: false).map { Self.escape(String($0)) }
            .joined(separator: "/")
    }
}
