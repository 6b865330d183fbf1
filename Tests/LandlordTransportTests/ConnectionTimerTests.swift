import LandlordHTTP2
import LandlordHTTP2TestSupport
import LandlordTransport
import NIOCore
import Testing

extension LiveServerTests {
    @Suite("Connection timers: handshake, idle, keepalive", .timeLimit(.minutes(1)))
    struct ConnectionTimerTests {
        /// How a client fails to complete its handshake.
        enum StalledHandshake: String, CaseIterable, CustomTestStringConvertible {
            case nothing
            case halfThePreface
            case prefaceAndPartOfSettings

            var bytes: ByteBuffer {
                switch self {
                case .nothing:
                    return ByteBuffer()
                case .halfThePreface:
                    return HTTP2RawFrames.clientPreface.getSlice(at: 0, length: 12)!
                case .prefaceAndPartOfSettings:
                    // The preface and a SETTINGS frame header announcing one entry, without the entry.
                    var bytes = HTTP2RawFrames.clientPreface
                    var settings = HTTP2RawFrames.settings([.maxConcurrentStreams(10)])
                    bytes.writeBuffer(&settings)
                    return bytes.getSlice(at: 0, length: bytes.readableBytes - 6)!
                }
            }

            var testDescription: String { rawValue }
        }

        @Test(
            "a client that stalls in its handshake is closed after handshakeTimeout",
            arguments: StalledHandshake.allCases)
        func handshakeTimeout(stall: StalledHandshake) async throws {
            try await withTestServer({ $0.handshakeTimeout = .milliseconds(200) }) { server in
                let connection = try await server.connect(client: nil)
                connection.send(stall.bytes)
                try await connection.wait(for: "the server closes the stalled connection") { $0.isClosed }
                #expect(connection.goAways.isEmpty || connection.goAways.allSatisfy { $0.errorCode != .noError })
            }
        }

        @Test("a slowloris sending its preface one byte at a time is closed after handshakeTimeout")
        func handshakeSlowloris() async throws {
            try await withTestServer({ $0.handshakeTimeout = .milliseconds(200) }) { server in
                let connection = try await server.connect(client: nil)
                var preface = HTTP2RawFrames.clientPreface
                var settings = HTTP2RawFrames.settings([])
                preface.writeBuffer(&settings)
                // One byte every 50 ms: the whole handshake would take 1.65 s.
                var sent = 0
                while !connection.isClosed && sent < preface.readableBytes {
                    connection.send(preface.getSlice(at: sent, length: 1)!)
                    sent += 1
                    try await Task.sleep(for: .milliseconds(50))
                    connection.pump()
                }
                try await connection.wait(for: "the server closes the slow connection") { $0.isClosed }
                #expect(sent < preface.readableBytes, "closed before the handshake was complete")
            }
        }

        @Test("a client that completed its handshake is not closed by the handshake timer")
        func handshakeCompleted() async throws {
            try await withTestServer({ $0.handshakeTimeout = .seconds(1) }) { server in
                let connection = try await server.connect()
                try await connection.handshake()
                try await Task.sleep(for: .milliseconds(1500))
                let (status, _) = try await connection.unary(TestMethod.echo, [1])
                #expect(status == "0")
                #expect(connection.goAways.isEmpty)
                #expect(!connection.isClosed)
            }
        }

        @Test("a connection without calls for idleTimeout gets GOAWAY (notice, then final) and is closed")
        func idleTimeout() async throws {
            try await withTestServer({ $0.idleTimeout = .milliseconds(200) }) { server in
                let connection = try await server.connect()
                try await connection.wait(for: "the server closes the idle connection") { $0.isClosed }
                let goAways = connection.goAways
                try #require(goAways.count == 2)
                #expect(goAways[0].lastStreamID == Int32.max, "first a shutdown notice (gRFC A9)")
                #expect(goAways[1].lastStreamID == 0, "then the final GOAWAY: no stream was processed")
                #expect(goAways.allSatisfy { $0.errorCode == .noError })
            }
        }

        @Test("a connection with a call in flight is not idle; once the call ends the idle timer runs again")
        func idleTimeoutWaitsForCalls() async throws {
            try await withTestServer({ $0.idleTimeout = .milliseconds(300) }) { server in
                // The call leaves with the preface, in one write: the server sees it before any idle time passes.
                let connection = try await server.connect(sendPreface: false)
                let id = try connection.startCall(TestMethod.gated, [[1]])
                try await eventually("the handler runs") { server.probe.started == 1 }
                try await Task.sleep(for: .milliseconds(1200))
                connection.pump()
                #expect(connection.goAways.isEmpty)
                #expect(!connection.isClosed)

                server.probe.openGate()
                try await connection.finish(id)
                #expect(connection.status(id) == "0")
                try await connection.wait(for: "the server closes the connection once idle") { $0.isClosed }
                #expect(connection.goAways.last?.lastStreamID == id)
            }
        }

        @Test("the server PINGs at keepaliveInterval; a client that ACKs stays connected")
        func keepaliveAcknowledged() async throws {
            try await withTestServer({
                $0.keepaliveInterval = .milliseconds(100)
                $0.keepaliveTimeout = .seconds(10)
            }) { server in
                let connection = try await server.connect()
                try await connection.wait(for: "several keepalive PINGs", timeout: .seconds(30)) { $0.pings.count >= 4 }
                #expect(Set(connection.pings.map(\.payload)).count == 1, "the same keepalive opaque data each time")
                let (status, _) = try await connection.unary(TestMethod.echo, [1])
                #expect(status == "0")
                #expect(connection.goAways.isEmpty)
                #expect(!connection.isClosed)
            }
        }

        @Test("a client that never ACKs the keepalive PING is closed after keepaliveTimeout")
        func keepaliveNotAcknowledged() async throws {
            try await withTestServer({
                $0.keepaliveInterval = .milliseconds(100)
                $0.keepaliveTimeout = .milliseconds(300)
            }) { server in
                let connection = try await server.connect(client: nil)
                try await connection.rawHandshake()
                try await connection.wait(for: "a keepalive PING") { !$0.pings.isEmpty }
                try await connection.wait(for: "the server closes the silent connection") { $0.isClosed }
            }
        }
    }
}
