import LandlordHTTP2
import LandlordHTTP2TestSupport
import LandlordTransport
import NIOCore
import Testing

extension LiveServerTests {
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

        @Test("a handler runs on its connection's event loop, and comes back to it after leaving it")
        func handlerRunsOnTheEventLoop() async throws {
            try await withTestServer { server in
                let connection = try await server.connect()
                let (status, messages) = try await connection.unary(TestMethod.whereItRuns, [7])
                #expect(status == "0")
                #expect(messages == [[1, 1, 1]], "on the loop at start and after the hop; the request was there whole")
            }
        }

        /// Where a handler is suspended when its call goes away.
        enum Suspension: String, CaseIterable, CustomTestStringConvertible {
            /// In its own code (a sleep).
            case sleeping
            /// In `write`, because the client's flow-control window is full.
            case writing
            /// Waiting for the next request message.
            case reading

            var testDescription: String { rawValue }
        }

        /// How the call goes away.
        enum Ending: String, CaseIterable, CustomTestStringConvertible {
            case resetStream
            case closeConnection

            var testDescription: String { rawValue }
        }

        @Test("a handler sees cancellation wherever it is suspended", arguments: Suspension.allCases, Ending.allCases)
        func cancellationReachesTheHandler(suspension: Suspension, ending: Ending) async throws {
            try await withTestServer { server in
                let connection = try await server.connect(client: .init(automaticWindowUpdates: false))
                let id: Int32
                switch suspension {
                case .sleeping:
                    id = try connection.startCall(TestMethod.hang, [[1]])
                    try await eventually("the handler runs") { server.probe.started == 1 }
                case .writing:
                    id = try connection.startCall(
                        TestMethod.stream, [TestMethod.streamRequest(count: 1000, size: 16 * 1024)])
                    try await connection.wait(for: "the window is full") {
                        $0.response(id)?.data.readableBytes == 65_535
                    }
                case .reading:
                    id = try connection.startCall(TestMethod.echoStream, [[1]], endStream: false)
                    try await connection.wait(for: "the first message comes back") { $0.messages(id) == [[1]] }
                }
                #expect(server.server.callsInFlight == 1)

                switch ending {
                case .resetStream:
                    try #require(connection.client).resetStream(streamID: id, errorCode: .cancel)
                    try connection.flush()
                case .closeConnection:
                    connection.close()
                }
                try await eventually("the handler sees cancellation") { server.probe.cancelled == 1 }
                try await eventually("and ends") { server.server.callsInFlight == 0 }
                #expect(server.probe.completed == 0)
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
}
