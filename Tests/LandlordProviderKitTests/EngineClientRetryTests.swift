import Foundation
import LandlordProviderKit
import LandlordProviderKitTesting
import NIOHTTP1
import NIOCore
import Testing

@Suite("Engine client: retries, timeouts, cancellation")
struct EngineClientRetryTests {
    @Test("a GET answered 503 then 200 is retried")
    func getRetriedOn503() async throws {
        let sleeps = SleepRecorder()
        try await LocalHTTPServer.with(handler: { _, number in .respond(status: number == 1 ? 503 : 200) }) { server in
            try await EngineClient.of(server, sleeps: sleeps).using { client in
                let response = try await client.execute(EngineRequest(.GET, "/a", operation: "read a"))
                #expect(response.status == 200)
                #expect(server.requests.count == 2)
                #expect(sleeps.sleeps == [.milliseconds(50)])  // full jitter of 100 ms, random 0.5
            }
        }
    }

    @Test("a POST answered 503 is not retried, unless flagged idempotent")
    func postNotRetriedOn503() async throws {
        let sleeps = SleepRecorder()
        try await LocalHTTPServer.with(handler: { _, number in .respond(status: number <= 2 ? 503 : 201) }) { server in
            try await EngineClient.of(server, sleeps: sleeps).using { client in
                let response = try await client.execute(EngineRequest(.POST, "/create", operation: "create"))
                #expect(response.status == 503)
                #expect(server.requests.count == 1)
                #expect(sleeps.sleeps.isEmpty)
                let flagged = try await client.execute(
                    EngineRequest(.POST, "/create", idempotent: true, operation: "create with client token"))
                #expect(flagged.status == 201)
                #expect(server.requests.count == 3)
            }
        }
    }

    @Test("a 429 is retried for a POST after its Retry-After, capped by the maximum delay")
    func throttledPostHonoursRetryAfter() async throws {
        let sleeps = SleepRecorder()
        try await LocalHTTPServer.with(handler: { _, number in
            switch number {
            case 1: .respond(status: 429, headers: [("Retry-After", "2")])
            case 2: .respond(status: 429, headers: [("Retry-After", "120")])
            default: .respond(status: 201)
            }
        }) { server in
            try await EngineClient.of(server, sleeps: sleeps).using { client in
                let response = try await client.execute(EngineRequest(.POST, "/jobs", operation: "register job"))
                #expect(response.status == 201)
                #expect(server.requests.count == 3)
                #expect(sleeps.sleeps == [.seconds(2), .seconds(5)])
            }
        }
    }

    @Test("the throttling predicate recognises a throttling answer in a 400 body")
    func throttlingPredicate() async throws {
        let sleeps = SleepRecorder()
        try await LocalHTTPServer.with(handler: { request, number in
            if request.uri == "/other" { return .json(400, #"{"__type":"InvalidParameterException"}"#) }
            return number == 1 ? .json(400, #"{"__type":"ThrottlingException","message":"Rate exceeded"}"#) : .json(200, "{}")
        }) { server in
            try await EngineClient.of(server, sleeps: sleeps) {
                $0.retryPolicy.isThrottled = { status, body in
                    status == 429 || (status == 400 && String(buffer: body).contains("ThrottlingException"))
                }
            }.using { client in
                let response = try await client.execute(EngineRequest(.POST, "/", operation: "run task"))
                #expect(response.status == 200)
                #expect(server.requests.count == 2)
                let other = try await client.execute(EngineRequest(.POST, "/other", operation: "run task"))
                #expect(other.status == 400)
                #expect(server.requests.count == 3)
            }
        }
    }

    @Test("when the attempts run out the last answer stands")
    func attemptsExhausted() async throws {
        let sleeps = SleepRecorder()
        try await LocalHTTPServer.with(handler: { _, number in .json(503, #"{"message":"busy \#(number)"}"#) }) {
            server in
            try await EngineClient.of(server, sleeps: sleeps).using { client in
                let error = await #expect(throws: EngineClientError.self) {
                    try await client.execute(EngineRequest(.GET, "/a", operation: "read a"), expecting: [200])
                }
                #expect(error?.kind == .status(503))
                #expect(error?.description == "read a: busy 4")
                #expect(server.requests.count == 4)
                // Full jitter (one half) of 100, 200, 400 ms.
                #expect(sleeps.sleeps == [.milliseconds(50), .milliseconds(100), .milliseconds(200)])
            }
        }
    }

    @Test("a refused connection is retried for every method, then unreachable")
    func connectionRefused() async throws {
        let port = try await LocalHTTPServer.with(handler: { _, _ in .hang }) { $0.port }
        let attempts = Counter()
        let sleeps = SleepRecorder()
        var configuration = EngineClient.Configuration(retryPolicy: sleeps.policy())
        configuration.credentials = .signed { _ in _ = attempts.next() }
        let client = try EngineClient(endpoint: .url(scheme: .http, host: "127.0.0.1", port: port), configuration: configuration)
        try await client.using { client in
            let error = await #expect(throws: EngineClientError.self) {
                try await client.execute(EngineRequest(.POST, "/create", operation: "create service web"))
            }
            #expect(error?.kind == .unreachable)
            #expect(error?.description.hasPrefix("create service web: cannot reach the engine at http://127.0.0.1:\(port)") == true)
            #expect(error?.message.hasSuffix("(4 attempts)") == true)
            #expect(attempts.current == 4)
            #expect(sleeps.sleeps.count == 3)
        }
    }

    @Test("a server that never answers times out within the request timeout")
    func timesOut() async throws {
        try await LocalHTTPServer.with(handler: { _, _ in .hang }) { server in
            try await EngineClient.of(server) { $0.requestTimeout = .milliseconds(300) }.using { client in
                let start = ContinuousClock.now
                let error = await #expect(throws: EngineClientError.self) {
                    try await client.execute(EngineRequest(.GET, "/slow", operation: "read slow"))
                }
                #expect(error?.kind == .timedOut)
                #expect(error?.description.hasPrefix("read slow: no answer from the engine at") == true)
                #expect(ContinuousClock.now - start < .seconds(10))  // far below the alternative; loose: a loaded 2-core machine delays timers
                #expect(server.requests.count == 1)
            }
        }
    }

    @Test("a request's own timeout wins over the client's")
    func requestTimeout() async throws {
        try await LocalHTTPServer.with(handler: { _, _ in .hang }) { server in
            try await EngineClient.of(server) { $0.requestTimeout = .seconds(30) }.using { client in
                let start = ContinuousClock.now
                let error = await #expect(throws: EngineClientError.self) {
                    try await client.execute(EngineRequest(.GET, "/slow", timeout: .milliseconds(200), operation: "read"))
                }
                #expect(error?.kind == .timedOut)
                #expect(ContinuousClock.now - start < .seconds(10))  // the client's own timeout is 30 s
            }
        }
    }

    @Test("a cancelled call ends quickly with CancellationError and is not retried")
    func cancellation() async throws {
        let sleeps = SleepRecorder()
        try await LocalHTTPServer.with(handler: { _, _ in .hang }) { server in
            try await EngineClient.of(server, sleeps: sleeps).using { client in
                let task = Task { try await client.execute(EngineRequest(.GET, "/hang", operation: "hang")) }
                while server.requests.isEmpty { try await Task.sleep(for: .milliseconds(10)) }
                let start = ContinuousClock.now
                task.cancel()
                await #expect(throws: CancellationError.self) { try await task.value }
                #expect(ContinuousClock.now - start < .seconds(10))  // the request timeout is 30 s
                #expect(server.requests.count == 1)
                #expect(sleeps.sleeps.isEmpty)
            }
        }
    }

    @Test("a task cancelled during the back-off stops retrying")
    func cancelledDuringBackoff() async throws {
        try await LocalHTTPServer.with(handler: { _, _ in .respond(status: 503) }) { server in
            try await EngineClient.of(server) {
                $0.retryPolicy = RetryPolicy(maxAttempts: 4, baseDelay: .seconds(10), maxDelay: .seconds(10), random: { 1 })
            }.using { client in
                let task = Task { try await client.execute(EngineRequest(.GET, "/busy", operation: "busy")) }
                while server.requests.isEmpty { try await Task.sleep(for: .milliseconds(10)) }
                try await Task.sleep(for: .milliseconds(50))
                task.cancel()
                await #expect(throws: CancellationError.self) { try await task.value }
                #expect(server.requests.count == 1)
            }
        }
    }

    @Test("no retry starts after the deadline")
    func deadlineBoundsRetries() async throws {
        try await LocalHTTPServer.with(handler: { _, _ in .respond(status: 503) }) { server in
            try await EngineClient.of(server) {
                $0.requestTimeout = .milliseconds(500)
                $0.retryPolicy = RetryPolicy(maxAttempts: 4, baseDelay: .seconds(20), maxDelay: .seconds(20), random: { 1 })
            }.using { client in
                let start = ContinuousClock.now
                let response = try await client.execute(EngineRequest(.GET, "/busy", operation: "busy"))
                #expect(response.status == 503)
                #expect(server.requests.count == 1)
                #expect(ContinuousClock.now - start < .seconds(10))  // a retry would start after 20 s
            }
        }
    }

    @Test("a connection closed without an answer is retried for a GET only")
    func connectionClosed() async throws {
        try await LocalHTTPServer.with(handler: { _, number in number == 1 ? .close : .respond(status: 200) }) { server in
            try await EngineClient.of(server).using { client in
                let status = try await client.execute(EngineRequest(.GET, "/a", operation: "a")).status
                #expect(status == 200)
                #expect(server.requests.count == 2)
            }
        }
        try await LocalHTTPServer.with(handler: { _, number in number == 1 ? .close : .respond(status: 200) }) { server in
            try await EngineClient.of(server).using { client in
                let error = await #expect(throws: EngineClientError.self) {
                    try await client.execute(EngineRequest(.POST, "/a", operation: "create a"))
                }
                #expect(error?.kind == .unreachable)
                #expect(server.requests.count == 1)
            }
        }
    }
}
