import LandlordHTTP2
import LandlordHTTP2TestSupport
import LandlordTransport
import Testing

@Suite("Cancellation: a reset stream or a lost connection stops the handlers", .timeLimit(.minutes(1)))
struct CancellationTests {
    @Test("a unary call answers over a real socket")
    func unaryEcho() async throws {
        try await withTestServer { server in
            let connection = try await server.connect()
            let (status, messages) = try await connection.unary(TestMethod.echo, Array("hello".utf8))
            #expect(status == "0")
            #expect(messages == [Array("hello".utf8)])
        }
    }

    @Test("the client's RST_STREAM cancels that call's handler; other calls on the connection go on")
    func resetStreamCancelsHandler() async throws {
        try await withTestServer { server in
            let connection = try await server.connect()
            let doomed = try connection.startCall(TestMethod.hang, [[1]])
            let survivor = try connection.startCall(TestMethod.gated, [[2]])
            try await eventually("both handlers run") { server.probe.started == 2 }

            try #require(connection.client).resetStream(streamID: doomed, errorCode: .cancel)
            try connection.flush()
            try await eventually("the reset call's handler sees cancellation") { server.probe.cancelled == 1 }
            try await eventually("its slot is free again") { server.server.callsInFlight == 1 }

            server.probe.openGate()
            try await connection.finish(survivor)
            #expect(connection.status(survivor) == "0")
            #expect(connection.messages(survivor) == [Array("done".utf8)])
            #expect(server.probe.cancelled == 1)
        }
    }

    @Test("closing the socket cancels every handler running on that connection, and only those")
    func connectionLossCancelsAllHandlers() async throws {
        try await withTestServer { server in
            let other = try await server.connect()
            let otherCall = try other.startCall(TestMethod.gated, [[0]])
            let connection = try await server.connect()
            for index in 0..<3 { try connection.startCall(TestMethod.hang, [[UInt8(index)]]) }
            try await eventually("all four handlers run") { server.probe.started == 4 }

            connection.close()
            try await eventually("the three handlers of the closed connection see cancellation") {
                server.probe.cancelled == 3
            }
            try await eventually("their slots are free again") { server.server.callsInFlight == 1 }

            server.probe.openGate()
            try await other.finish(otherCall)
            #expect(other.status(otherCall) == "0")
            #expect(server.probe.cancelled == 3)
        }
    }
}
