import LandlordHTTP2
import LandlordHTTP2TestSupport
import LandlordRPC
import LandlordTransport
import Synchronization
import Testing

/// Records what the runtime reports, per method, for the tests to compare.
final class RecordingMetrics: RPCServerMetrics {
    struct Counts: Equatable {
        var started = 0
        var received = 0
        var sent = 0
        /// Calls handled, by status code name.
        var handled: [String: Int] = [:]
        var durations: [Duration] = []

        static func == (lhs: Counts, rhs: Counts) -> Bool {
            lhs.started == rhs.started && lhs.received == rhs.received && lhs.sent == rhs.sent
                && lhs.handled == rhs.handled
        }
    }

    private let state = Mutex<(methods: [String: Counts], handlesMade: [String], open: Int, opened: Int)>(([:], [], 0, 0))

    /// What was recorded for `path` (`/service/method`, or `unknown` for unserved methods).
    func counts(_ path: String) -> Counts { state.withLock { $0.methods[path] ?? Counts() } }
    /// The keys handles were made for, in order (`path kind`).
    var handlesMade: [String] { state.withLock { $0.handlesMade } }
    var openConnections: Int { state.withLock { $0.open } }
    var connectionsOpened: Int { state.withLock { $0.opened } }

    func methodMetrics(for descriptor: MethodDescriptor, kind: RPCKind) -> any RPCMethodMetrics {
        state.withLock { $0.handlesMade.append("\(descriptor.path) \(kind)") }
        return Method(path: descriptor.path, owner: self)
    }

    func unknownMethodMetrics() -> any RPCMethodMetrics {
        state.withLock { $0.handlesMade.append("unknown") }
        return Method(path: "unknown", owner: self)
    }

    func connectionOpened() { state.withLock { $0.open += 1; $0.opened += 1 } }
    func connectionClosed() { state.withLock { $0.open -= 1 } }

    fileprivate func update(_ path: String, _ change: (inout Counts) -> Void) {
        state.withLock { change(&$0.methods[path, default: Counts()]) }
    }

    private final class Method: RPCMethodMetrics {
        let path: String
        let owner: RecordingMetrics
        init(path: String, owner: RecordingMetrics) {
            self.path = path
            self.owner = owner
        }
        func callStarted() { owner.update(path) { $0.started += 1 } }
        func messageReceived() { owner.update(path) { $0.received += 1 } }
        func messageSent() { owner.update(path) { $0.sent += 1 } }
        func callHandled(code: StatusCode, duration: Duration) {
            owner.update(path) {
                $0.handled["\(code)", default: 0] += 1
                $0.durations.append(duration)
            }
        }
    }
}

extension LiveServerTests {
    @Suite("Metrics the runtime records for every call", .timeLimit(.minutes(1)))
    struct MetricsTests {
        @Test("every method's handles are made once, at registration, with its kind; calls make none")
        func handlesAtRegistration() async throws {
            let metrics = RecordingMetrics()
            try await withTestServer(metrics: metrics) { server in
                let made = metrics.handlesMade
                #expect(made.contains("\(TestMethod.echo) unary"))
                #expect(made.contains("\(TestMethod.stream) serverStreaming"))
                #expect(made.contains("\(TestMethod.collect) clientStreaming"))
                #expect(made.contains("\(TestMethod.echoStream) bidirectionalStreaming"))
                #expect(made.filter { $0 == "unknown" }.count == 1)
                let connection = try await server.connect()
                for _ in 0..<3 { _ = try await connection.unary(TestMethod.echo, [1]) }
                _ = try await connection.unary("/no.such.Service/Method", [1])
                #expect(metrics.handlesMade == made)
            }
        }

        @Test("unary: started, one message each way, handled OK with its duration")
        func unary() async throws {
            let metrics = RecordingMetrics()
            try await withTestServer(metrics: metrics) { server in
                let connection = try await server.connect()
                let (status, _) = try await connection.unary(TestMethod.echo, [1, 2, 3])
                #expect(status == "0")
                let counts = metrics.counts(TestMethod.echo)
                #expect(counts == RecordingMetrics.Counts(started: 1, received: 1, sent: 1, handled: ["OK": 1]))
                #expect(counts.durations.count == 1 && counts.durations[0] > .zero)
            }
        }

        @Test("server streaming: every response message counts as sent")
        func serverStreaming() async throws {
            let metrics = RecordingMetrics()
            try await withTestServer(metrics: metrics) { server in
                let connection = try await server.connect()
                let id = try connection.startCall(TestMethod.stream, [TestMethod.streamRequest(count: 5, size: 10)])
                try await connection.finish(id)
                #expect(connection.status(id) == "0")
                #expect(metrics.counts(TestMethod.stream) == .init(started: 1, received: 1, sent: 5, handled: ["OK": 1]))
            }
        }

        @Test("client streaming: every request message counts as received, one response")
        func clientStreaming() async throws {
            let metrics = RecordingMetrics()
            try await withTestServer(metrics: metrics) { server in
                server.probe.openGate()
                let connection = try await server.connect()
                let id = try connection.startCall(TestMethod.collect, [[1], [2, 2], [3, 3, 3], [4]])
                try await connection.finish(id)
                #expect(connection.status(id) == "0")
                #expect(metrics.counts(TestMethod.collect) == .init(started: 1, received: 4, sent: 1, handled: ["OK": 1]))
            }
        }

        @Test("bidirectional streaming: messages counted both ways")
        func bidirectionalStreaming() async throws {
            let metrics = RecordingMetrics()
            try await withTestServer(metrics: metrics) { server in
                let connection = try await server.connect()
                let id = try connection.startCall(TestMethod.echoStream, [[1], [2], [3]])
                try await connection.finish(id)
                #expect(connection.status(id) == "0")
                #expect(metrics.counts(TestMethod.echoStream) == .init(started: 1, received: 3, sent: 3, handled: ["OK": 1]))
            }
        }

        @Test("a failing handler is handled with its code and sends no message")
        func failure() async throws {
            let metrics = RecordingMetrics()
            try await withTestServer(metrics: metrics) { server in
                let connection = try await server.connect()
                _ = try await connection.unary(TestMethod.fail, [])
                #expect(
                    metrics.counts(TestMethod.fail)
                        == .init(started: 1, received: 1, sent: 0, handled: ["FAILED_PRECONDITION": 1]))
            }
        }

        @Test("a method the server does not serve counts under unknown, UNIMPLEMENTED")
        func unknownMethod() async throws {
            let metrics = RecordingMetrics()
            try await withTestServer(metrics: metrics) { server in
                let connection = try await server.connect()
                let (status, _) = try await connection.unary("/no.such.Service/Method", [1])
                #expect(status == "12")
                _ = try await connection.unary("/\(TestMethod.service)/NoSuchMethod", [1])
                #expect(metrics.counts("unknown") == .init(started: 2, handled: ["UNIMPLEMENTED": 2]))
                #expect(metrics.counts("/no.such.Service/Method") == .init())
            }
        }

        @Test("a call the client resets is handled CANCELLED")
        func reset() async throws {
            let metrics = RecordingMetrics()
            try await withTestServer(metrics: metrics) { server in
                let connection = try await server.connect()
                let id = try connection.startCall(TestMethod.hang, [[1]])
                try await eventually("the handler runs") { server.probe.started == 1 }
                try #require(connection.client).resetStream(streamID: id, errorCode: .cancel)
                try connection.flush()
                try await eventually("the reset call is handled") { metrics.counts(TestMethod.hang).handled != [:] }
                #expect(metrics.counts(TestMethod.hang) == .init(started: 1, received: 1, handled: ["CANCELLED": 1]))
            }
        }

        @Test("connections are counted up and down")
        func connections() async throws {
            let metrics = RecordingMetrics()
            try await withTestServer(metrics: metrics) { server in
                let first = try await server.connect()
                let second = try await server.connect()
                try await first.handshake()
                try await second.handshake()
                try await eventually("two connections open") { metrics.openConnections == 2 }
                first.close()
                second.close()
                try await eventually("both closed") { metrics.openConnections == 0 }
                #expect(metrics.connectionsOpened == 2)
            }
        }
    }
}
