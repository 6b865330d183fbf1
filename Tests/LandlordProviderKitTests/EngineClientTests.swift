import Foundation
import InMemoryLogging
import LandlordProviderKit
import LandlordProviderKitTesting
import Logging
import NIOCore
import NIOHTTP1
import Synchronization
import Testing

@Suite("Engine client: requests, answers, credentials")
struct EngineClientTests {
    struct Thing: Codable, Equatable {
        var name: String
        var replicas: Int
    }

    @Test("a JSON body goes out and the JSON answer decodes")
    func jsonRoundTrip() async throws {
        try await LocalHTTPServer.with(handler: { request, _ in .json(201, request.bodyText) }) { server in
            try await EngineClient.of(server, prefix: "/api/v1").using { client in
                var request = EngineRequest(.POST, "/things", operation: "create thing acme")
                try request.json(Thing(name: "acme/web", replicas: 2))
                let response = try await client.execute(request, expecting: [201])
                #expect(try response.decode(Thing.self) == Thing(name: "acme/web", replicas: 2))
                let received = try #require(server.requests.first)
                #expect(received.method == .POST)
                #expect(received.uri == "/api/v1/things")
                #expect(received.bodyText == #"{"name":"acme/web","replicas":2}"#)
                #expect(received.headers["Content-Type"] == ["application/json"])
                #expect(received.headers["User-Agent"] == ["landlord"])
            }
        }
    }

    @Test("an answer that is not the expected JSON is an invalid response")
    func undecodable() async throws {
        try await LocalHTTPServer.with(handler: { _, _ in .json(200, #"{"name":1}"#) }) { server in
            try await EngineClient.of(server).using { client in
                let response = try await client.execute(EngineRequest(.GET, "/thing", operation: "read thing"))
                let error = try #require(throws: EngineClientError.self) { try response.decode(Thing.self) }
                #expect(error.kind == .invalidResponse)
                #expect(error.description.hasPrefix("read thing: unexpected answer from the engine (HTTP 200)"))
            }
        }
    }

    @Test("query items are encoded with RFC 3986 unreserved characters only")
    func queryEncoding() async throws {
        try await LocalHTTPServer.with(handler: { _, _ in .respond(status: 200) }) { server in
            try await EngineClient.of(server).using { client in
                let request = EngineRequest(
                    .GET, "/containers/json",
                    query: [("filters", #"{"label":["a=b c"]}"#), ("name", "x/y~z-_.é"), ("all", "true")],
                    operation: "list"
                )
                _ = try await client.execute(request)
                #expect(
                    server.requests.first?.uri
                        == "/containers/json?filters=%7B%22label%22%3A%5B%22a%3Db%20c%22%5D%7D&name=x%2Fy~z-_.%C3%A9&all=true"
                )
            }
        }
    }

    @Test("any status is answered; expecting other statuses throws the engine's message")
    func statuses() async throws {
        try await LocalHTTPServer.with(handler: { _, _ in .json(404, #"{"message":"no such deployment: acme"}"#) }) {
            server in
            try await EngineClient.of(server).using { client in
                let request = EngineRequest(.GET, "/deployments/acme", operation: "read deployment acme")
                let status = try await client.execute(request).status
                #expect(status == 404)
                let error = await #expect(throws: EngineClientError.self) {
                    try await client.execute(request, expecting: [200])
                }
                #expect(error?.kind == .status(404))
                #expect(error?.description == "read deployment acme: no such deployment: acme")
            }
        }
    }

    @Test("a status error without a JSON message carries the start of the body, cut to 300 characters")
    func longBody() async throws {
        let body = String(repeating: "x", count: 2000)
        try await LocalHTTPServer.with(handler: { _, _ in .respond(status: 500, body: body) }) { server in
            try await EngineClient.of(server) { $0.retryPolicy = .never }.using { client in
                let error = await #expect(throws: EngineClientError.self) {
                    try await client.execute(EngineRequest(.GET, "/x", operation: "read x"), expecting: [200])
                }
                #expect(error?.message == String(repeating: "x", count: 300) + "...")
            }
        }
    }

    @Test("an answer larger than the limit is an invalid response")
    func tooLarge() async throws {
        let body = String(repeating: "y", count: 4096)
        try await LocalHTTPServer.with(handler: { _, _ in .respond(status: 200, body: body) }) { server in
            try await EngineClient.of(server) { $0.maximumResponseBodySize = 1024 }.using { client in
                let error = await #expect(throws: EngineClientError.self) {
                    try await client.execute(EngineRequest(.GET, "/big", operation: "read big"))
                }
                #expect(error?.kind == .invalidResponse)
                #expect(server.requests.count == 1)
            }
        }
    }

    @Test("a 2xx body can be streamed chunk by chunk")
    func streaming() async throws {
        let body = (1...200).map { #"{"status":"line \#($0)"}"# }.joined(separator: "\n")
        try await LocalHTTPServer.with(handler: { _, _ in .respond(status: 200, body: body) }) { server in
            try await EngineClient.of(server) { $0.maximumResponseBodySize = 100 }.using { client in
                var received: [UInt8] = []
                let response = try await client.execute(EngineRequest(.POST, "/pull", operation: "pull")) { chunk in
                    received += chunk.readableBytesView
                }
                #expect(response.status == 200)
                #expect(response.body.readableBytes == 0)
                #expect(String(decoding: received, as: UTF8.self) == body)
            }
        }
    }

    @Test("the bearer token is sent, and a rotated one is picked up on the next call")
    func bearerRotates() async throws {
        let calls = Counter()
        try await LocalHTTPServer.with(handler: { _, _ in .respond(status: 200) }) { server in
            try await EngineClient.of(server) {
                $0.credentials = .bearer { "token-\(calls.next())" }
            }.using { client in
                _ = try await client.execute(EngineRequest(.GET, "/a", operation: "a"))
                _ = try await client.execute(EngineRequest(.GET, "/b", operation: "b"))
                #expect(server.requests.map { $0.headers["Authorization"] } == [["Bearer token-1"], ["Bearer token-2"]])
            }
        }
    }

    @Test("a bearer token file is trimmed and re-read after it is rotated")
    func bearerTokenFile() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try directory.write("token", "  first-token\n")
        try await LocalHTTPServer.with(handler: { _, _ in .respond(status: 200) }) { server in
            try await EngineClient.of(server) {
                $0.credentials = .bearerTokenFile(path, cacheFor: .zero)
            }.using { client in
                _ = try await client.execute(EngineRequest(.GET, "/a", operation: "a"))
                _ = try directory.write("token", "second-token")
                _ = try await client.execute(EngineRequest(.GET, "/b", operation: "b"))
                #expect(
                    server.requests.map { $0.headers["Authorization"] } == [["Bearer first-token"], ["Bearer second-token"]])
            }
        }
    }

    @Test("a token file is cached for its interval")
    func tokenFileCache() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try directory.write("token", "one")
        let now = Mutex(ContinuousClock.now)
        let file = TokenFile(path: path, cacheFor: .seconds(60), now: { now.withLock { $0 } })
        #expect(try file.token() == "one")
        _ = try directory.write("token", "two")
        #expect(try file.token() == "one")
        now.withLock { $0 += .seconds(61) }
        #expect(try file.token() == "two")
        _ = try directory.write("token", " \n")
        now.withLock { $0 += .seconds(61) }
        #expect(throws: EngineConfigurationError("the token file \(path) is empty")) { try file.token() }
        let missing = TokenFile(path: directory.path("missing"))
        #expect(throws: EngineConfigurationError("the token file \(directory.path("missing")) does not exist")) {
            try missing.token()
        }
    }

    @Test("a missing token file fails the call as a credentials error, and nothing is sent")
    func missingTokenFile() async throws {
        try await LocalHTTPServer.with(handler: { _, _ in .respond(status: 200) }) { server in
            try await EngineClient.of(server) { $0.credentials = .bearerTokenFile("/nonexistent/token") }.using {
                client in
                let error = await #expect(throws: EngineClientError.self) {
                    try await client.execute(EngineRequest(.GET, "/a", operation: "list pods"))
                }
                #expect(error?.kind == .credentials)
                #expect(error?.description == "list pods: cannot authenticate: the token file /nonexistent/token does not exist")
                #expect(server.requests.isEmpty)
            }
        }
    }

    @Test("a token in a custom header")
    func customHeader() async throws {
        try await LocalHTTPServer.with(handler: { _, _ in .respond(status: 200) }) { server in
            try await EngineClient.of(server) { $0.credentials = .header("X-Nomad-Token", token: "nomad-secret") }.using {
                client in
                _ = try await client.execute(EngineRequest(.GET, "/v1/jobs", operation: "list jobs"))
                let received = try #require(server.requests.first)
                #expect(received.headers["X-Nomad-Token"] == ["nomad-secret"])
                #expect(received.headers["Authorization"].isEmpty)
            }
        }
    }

    @Test("the signer runs last, on every attempt")
    func signerEveryAttempt() async throws {
        let signatures = Counter()
        let sleeps = SleepRecorder()
        try await LocalHTTPServer.with(handler: { _, number in .respond(status: number < 3 ? 503 : 200) }) { server in
            try await EngineClient.of(server, sleeps: sleeps) {
                $0.credentials = EngineCredentials.bearer(token: "t").signed { request in
                    // It sees the finished request: the token header is already set.
                    let authorization = request.headers.first(name: "Authorization") ?? "none"
                    request.headers.replaceOrAdd(name: "X-Signature", value: "\(signatures.next()) after \(authorization)")
                }
            }.using { client in
                let response = try await client.execute(EngineRequest(.GET, "/signed", operation: "signed call"))
                #expect(response.status == 200)
                #expect(
                    server.requests.map { $0.headers.first(name: "X-Signature") }
                        == ["1 after Bearer t", "2 after Bearer t", "3 after Bearer t"])
                #expect(sleeps.sleeps.count == 2)
            }
        }
    }

    @Test("a unix socket endpoint sends its Host header")
    func unixSocket() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let socket = directory.path("engine.sock")
        try await LocalHTTPServer.with(unixSocketPath: socket, handler: { _, _ in .json(200, #"{"ok":true}"#) }) {
            server in
            let client = try EngineClient(
                endpoint: .unixSocket(path: socket, hostHeader: "api.engine.localhost", pathPrefix: "/v1.41"),
                configuration: .init(requestTimeout: .seconds(5))
            )
            try await client.using { client in
                let response = try await client.execute(EngineRequest(.GET, "/_ping", operation: "ping"), expecting: [200])
                #expect(response.text == #"{"ok":true}"#)
                let received = try #require(server.requests.first)
                #expect(received.uri == "/v1.41/_ping")
                #expect(received.headers["Host"] == ["api.engine.localhost"])
            }
        }
    }

    @Test("an existing HTTP client can be shared")
    func sharedHTTPClient() async throws {
        try await LocalHTTPServer.with(handler: { _, _ in .respond(status: 204) }) { server in
            let owner = try EngineClient.of(server)
            try await owner.using { owner in
                let shared = EngineClient(
                    endpoint: .url(scheme: .http, host: "127.0.0.1", port: server.port), httpClient: owner.http)
                let status = try await shared.execute(EngineRequest(.DELETE, "/x", operation: "x")).status
                #expect(status == 204)
                try await shared.shutdown()  // the owner's client stays usable
                let ownerStatus = try await owner.execute(EngineRequest(.DELETE, "/y", operation: "y")).status
                #expect(ownerStatus == 204)
            }
        }
    }

    @Test("no error, description or log line holds the token")
    func tokenNeverShown() async throws {
        let token = "super-secret-token-42"
        let logs = InMemoryLogHandler()
        var logger = Logger(label: "test", factory: { _ in logs })
        logger.logLevel = .trace
        let credentials = EngineCredentials.bearer(token: token)
        #expect(!credentials.description.contains(token))
        #expect(!EngineCredentials.header("X-Nomad-Token", token: token).description.contains(token))
        let sleeps = SleepRecorder()
        var errors: [String] = []
        try await LocalHTTPServer.with(handler: { request, _ in
            request.uri == "/slow" ? .hang : .json(503, #"{"message":"overloaded"}"#)
        }) { server in
            let client = try EngineClient(
                endpoint: .url(scheme: .http, host: "127.0.0.1", port: server.port),
                configuration: .init(requestTimeout: .milliseconds(300), retryPolicy: sleeps.policy(), credentials: credentials),
                logger: logger
            )
            try await client.using { client in
                for path in ["/fail", "/slow"] {
                    do {
                        _ = try await client.execute(EngineRequest(.GET, path, operation: "call \(path)"), expecting: [200])
                    } catch {
                        errors.append("\(error)")
                        errors.append(String(reflecting: error))
                    }
                }
            }
            #expect(server.requests.allSatisfy { $0.headers["Authorization"] == ["Bearer \(token)"] })
        }
        let port = try await LocalHTTPServer.with(handler: { _, _ in .hang }) { $0.port }
        let unreachable = try EngineClient(
            endpoint: .url(scheme: .http, host: "127.0.0.1", port: port),
            configuration: .init(retryPolicy: sleeps.policy(), credentials: credentials), logger: logger)
        try await unreachable.using { client in
            do {
                _ = try await client.execute(EngineRequest(.GET, "/", operation: "call"))
            } catch {
                errors.append("\(error)")
                errors.append(String(reflecting: error))
            }
        }
        #expect(errors.count == 6)
        #expect(errors.allSatisfy { !$0.contains(token) })
        #expect(!logs.entries.isEmpty)
        #expect(logs.entries.allSatisfy { !"\($0.message) \($0.metadata)".contains(token) })
    }
}
