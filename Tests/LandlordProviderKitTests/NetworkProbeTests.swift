import AsyncHTTPClient
import LandlordProviderKit
import LandlordProviderKitTesting
import NIOCore
import NIOPosix
import Testing

@Suite("Network probes (http and tcp health checks)")
struct NetworkProbeTests {
    private static func withClient<Result>(_ body: (HTTPClient) async throws -> Result) async throws -> Result {
        let client = HTTPClient(
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
            configuration: HTTPClient.Configuration(redirectConfiguration: .disallow)
        )
        do {
            let result = try await body(client)
            try await client.shutdown()
            return result
        } catch {
            try await client.shutdown()
            throw error
        }
    }

    @Test("http: 200 to 399 succeed (a redirect is not followed), other statuses fail naming the URL and status")
    func httpStatuses() async throws {
        try await Self.withClient { client in
            try await LocalHTTPServer.with(handler: { request, _ in
                switch request.uri {
                case "/healthz": .respond(status: 200, body: "ok")
                case "/": .respond(status: 204)
                case "/moved": .respond(status: 302, headers: [("Location", "/nowhere")])
                default: .respond(status: 503, body: "secret-looking body")
                }
            }) { server in
                let probe = { (path: String) in
                    await NetworkProbe.http(
                        address: "127.0.0.1", port: server.port, path: path, timeout: .seconds(2), client: client)
                }
                #expect(await probe("/healthz") == .success)
                #expect(await probe("") == .success)  // empty path asks for /
                #expect(await probe("/moved") == .success)
                let failure = await probe("/down")
                #expect(failure == .failure("GET http://127.0.0.1:\(server.port)/down answered 503"))
                #expect(server.requests.map(\.uri) == ["/healthz", "/", "/moved", "/down"])
            }
        }
    }

    @Test("http: a server that does not answer fails within the timeout")
    func httpTimeout() async throws {
        try await Self.withClient { client in
            try await LocalHTTPServer.with(handler: { _, _ in .hang }) { server in
                let started = ContinuousClock.now
                let outcome = await NetworkProbe.http(
                    address: "127.0.0.1", port: server.port, path: "/", timeout: .milliseconds(300), client: client)
                #expect(ContinuousClock.now - started < .seconds(10))  // the server never answers
                guard case .failure(let reason) = outcome else {
                    Issue.record("expected a failure, got \(outcome)")
                    return
                }
                #expect(reason.hasPrefix("GET http://127.0.0.1:\(server.port)/ failed"))
            }
        }
    }

    @Test("tcp: an accepting port succeeds, a closed one fails naming the address")
    func tcp() async throws {
        let port = try await LocalHTTPServer.with(handler: { _, _ in .respond(status: 200) }) { server in
            #expect(await NetworkProbe.tcp(address: "127.0.0.1", port: server.port, timeout: .seconds(2)) == .success)
            return server.port
        }
        // The listener is closed now: nothing accepts on its port.
        let outcome = await NetworkProbe.tcp(address: "127.0.0.1", port: port, timeout: .seconds(2))
        guard case .failure(let reason) = outcome else {
            Issue.record("expected a failure, got \(outcome)")
            return
        }
        #expect(reason.hasPrefix("tcp connect to 127.0.0.1:\(port) failed"))
    }
}
