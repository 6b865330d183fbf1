import LandlordHTTP2
import LandlordHTTP2TestSupport
import LandlordTransport
import NIOCore
import Testing

extension LiveServerTests {
    @Suite("Graceful shutdown", .timeLimit(.minutes(1)))
    struct GracefulShutdownTests {
        @Test(
            "beginGracefulShutdown: onDrain, GOAWAY notice then final; the call in flight finishes; later streams and connections are not served; run() returns"
        )
        func drainLetsCallsFinish() async throws {
            try await withTestServer({ $0.drainTimeout = .seconds(30) }) { server in
                let connection = try await server.connect()
                let client = try #require(connection.client)
                let inFlight = try connection.startCall(TestMethod.gated, [[1]])
                try await eventually("the call runs") { server.probe.started == 1 }

                server.server.beginGracefulShutdown()
                server.server.beginGracefulShutdown()
                #expect(server.probe.drains == 1, "onDrain runs once")
                try await connection.wait(for: "the shutdown notice and the final GOAWAY") { $0.goAways.count == 2 }
                #expect(connection.goAways[0].lastStreamID == Int32.max, "a notice first (gRFC A9)")
                #expect(connection.goAways[1].lastStreamID == inFlight, "then the last stream processed")
                #expect(connection.goAways.allSatisfy { $0.errorCode == .noError })

                // A stream opened after the final GOAWAY is ignored. The PING after it
                // comes back only once the server has read the HEADERS before it.
                let late = client.reserveStreamID()
                try client.sendRaw(rawRequestHeaders(streamID: late, path: TestMethod.echo, endStream: true))
                try client.sendPing(opaque: 0x6C61_7465)
                try await connection.wait(for: "the PING after the late stream comes back") {
                    $0.client!.pingAcks.contains(0x6C61_7465)
                }
                #expect(connection.frames(on: late).isEmpty)
                #expect(server.probe.started == 1)

                // The listener is closed: a new connection is refused or closed unserved.
                if let newcomer = try? await server.connect() {
                    try await newcomer.wait(for: "the newcomer is closed") { $0.isClosed }
                    #expect(newcomer.bytesReceived == 0)
                }

                #expect(!server.hasStopped, "run() waits for the call in flight")
                server.probe.openGate()
                try await connection.finish(inFlight)
                #expect(connection.status(inFlight) == "0")
                #expect(connection.messages(inFlight) == [Array("done".utf8)])
                try await connection.wait(for: "the server closes the drained connection") { $0.isClosed }
                try await eventually("run() returns") { server.hasStopped }
                #expect(server.probe.cancelled == 0)
            }
        }

        @Test("a call still running when the drain timeout passes is cancelled, and run() returns")
        func drainTimeoutCancelsStuckCalls() async throws {
            try await withTestServer({ $0.drainTimeout = .milliseconds(300) }) { server in
                let connection = try await server.connect()
                let stuck = try connection.startCall(TestMethod.hang, [[1]])
                try await eventually("the call runs") { server.probe.started == 1 }

                server.server.beginGracefulShutdown()
                try await eventually("run() returns") { server.hasStopped }
                #expect(server.probe.cancelled == 1)
                try await connection.wait(for: "the server closes the connection") { $0.isClosed }
                #expect(connection.status(stuck) == nil, "the call never finished")
                #expect(connection.goAways.first?.lastStreamID == Int32.max)
            }
        }

        @Test("run() returns only once the handlers it cancelled have ended")
        func runWaitsForCancelledHandlers() async throws {
            try await withTestServer({ $0.drainTimeout = .milliseconds(200) }) { server in
                let connection = try await server.connect()
                try connection.startCall(TestMethod.slowCleanup, [[1]])
                try await eventually("the call runs") { server.probe.started == 1 }

                server.server.beginGracefulShutdown()
                try await eventually("run() returns") { server.hasStopped }
                #expect(server.probe.cancelled == 1)
                #expect(server.probe.completed == 1, "the handler finished its cleanup before run() returned")
                #expect(server.server.callsInFlight == 0)
            }
        }

        @Test("a client's GOAWAY: the call in flight finishes, then the server closes the connection")
        func clientGoAway() async throws {
            try await withTestServer { server in
                let connection = try await server.connect()
                let client = try #require(connection.client)
                let id = try connection.startCall(TestMethod.gated, [[1]])
                try await eventually("the call runs") { server.probe.started == 1 }
                var goAway = ByteBuffer()
                goAway.writeInteger(UInt32(0))
                goAway.writeInteger(HTTP2ErrorCode.noError.rawValue)
                try client.sendRaw(
                    HTTP2RawFrames.frame(type: HTTP2RawFrames.FrameType.goAway, flags: 0, streamID: 0, payload: goAway))
                try connection.flush()
                try await Task.sleep(for: .milliseconds(100))
                connection.pump()
                #expect(!connection.isClosed, "the call in flight keeps the connection")

                server.probe.openGate()
                try await connection.finish(id)
                #expect(connection.status(id) == "0")
                try await connection.wait(for: "the server closes the connection") { $0.isClosed }
            }
        }
    }
}
