import LandlordHTTP2
import LandlordHTTP2TestSupport
import LandlordTransport
import Testing

extension LiveServerTests {
    @Suite("Limits on calls in flight and open connections", .timeLimit(.minutes(1)))
    struct LimitTests {
        @Test(
            "a call beyond maxConcurrentCalls is refused with RST_STREAM(REFUSED_STREAM); once a slot frees calls work")
        func maxConcurrentCalls() async throws {
            try await withTestServer({ $0.maxConcurrentCalls = 2 }) { server in
                let first = try await server.connect()
                let second = try await server.connect()
                let hanging = try first.startCall(TestMethod.hang, [[1]])
                try second.startCall(TestMethod.hang, [[2]])
                try await eventually("two handlers run") { server.probe.started == 2 }

                // The limit is server-wide: a third call on either connection is refused.
                let refused = try second.startCall(TestMethod.echo, [[3]])
                try await second.finish(refused)
                #expect(second.response(refused)?.resetCode == .refusedStream)
                #expect(second.response(refused)?.headers == nil)
                #expect(server.probe.started == 2)
                #expect(server.server.callsInFlight == 2)

                try #require(first.client).resetStream(streamID: hanging, errorCode: .cancel)
                try first.flush()
                try await eventually("the reset call frees its slot") { server.server.callsInFlight == 1 }

                let (status, messages) = try await second.unary(TestMethod.echo, [4])
                #expect(status == "0")
                #expect(messages == [[4]])
                #expect(second.isClosed == false)
            }
        }

        @Test("a connection over maxConnections is closed at once; the others keep working")
        func maxConnections() async throws {
            try await withTestServer({ $0.maxConnections = 2 }) { server in
                let first = try await server.connect()
                let second = try await server.connect()
                try await first.handshake()
                try await second.handshake()
                #expect(server.server.connectionCount == 2)

                let third = try await server.connect()
                try await third.wait(for: "the server closes the connection over the limit") { $0.isClosed }
                #expect(third.bytesReceived == 0, "not even the server's SETTINGS: the connection was never served")
                #expect(server.server.connectionCount == 2)

                for connection in [first, second] {
                    let (status, messages) = try await connection.unary(TestMethod.echo, [7])
                    #expect(status == "0")
                    #expect(messages == [[7]])
                }

                // A slot frees when a connection goes.
                first.close()
                try await eventually("the server forgets the closed connection") { server.server.connectionCount == 1 }
                let fourth = try await server.connect()
                let (status, _) = try await fourth.unary(TestMethod.echo, [8])
                #expect(status == "0")
            }
        }
    }
}
