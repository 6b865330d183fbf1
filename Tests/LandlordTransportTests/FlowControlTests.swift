import LandlordHTTP2
import LandlordHTTP2TestSupport
import LandlordTransport
import NIOCore
import Testing

extension LiveServerTests {
    @Suite("Flow control: a slow peer slows the other side down instead of growing memory", .timeLimit(.minutes(1)))
    struct FlowControlTests {
        @Test("a fast server-streaming handler suspends in write while the client does not open its window")
        func sendSideBackpressure() async throws {
            let messageSize = 16 * 1024
            let messageCount = 100
            let perStreamBuffer = 64 * 1024
            try await withTestServer({ $0.http2.maxOutboundBufferedBytesPerStream = perStreamBuffer }) { server in
                // The client grants the default 65 535-byte windows and no more until it consumes.
                let connection = try await server.connect(client: .init(automaticWindowUpdates: false))
                let client = try #require(connection.client)
                let id = try connection.startCall(
                    TestMethod.stream, [TestMethod.streamRequest(count: messageCount, size: messageSize)])
                let window = 65_535

                try await connection.wait(for: "the server fills the stream window") {
                    $0.response(id)?.data.readableBytes == window
                }
                // Give a runaway writer time to show itself.
                try await connection.drive(for: .milliseconds(300))
                #expect(connection.response(id)?.data.readableBytes == window, "the server obeys the window")
                let bound = (window + perStreamBuffer) / messageSize + 2
                #expect(
                    server.probe.writes <= bound,
                    "writes completed: window + per-stream buffer, not all \(messageCount)")
                #expect(server.probe.writes >= window / messageSize)
                #expect(server.probe.completed == 0)

                // The client reads: everything arrives.
                var consumed = 0
                try await connection.wait(for: "every message arrives") { connection in
                    let received = connection.response(id)?.data.readableBytes ?? 0
                    if received > consumed {
                        try client.consume(streamID: id, count: received - consumed)
                        consumed = received
                    }
                    return connection.isFinished(id)
                }
                #expect(connection.status(id) == "0")
                let messages = connection.messages(id)
                #expect(messages.count == messageCount)
                #expect(
                    messages.enumerated().allSatisfy { index, message in
                        message.count == messageSize && message.allSatisfy { $0 == UInt8(truncatingIfNeeded: index) }
                    })
                #expect(server.probe.writes == messageCount)
            }
        }

        @Test("a client streaming to a handler that does not read is held to window + maxBufferedRequestBytesPerCall")
        func receiveSideBackpressure() async throws {
            let window = 64 * 1024
            let maxBuffered = 128 * 1024
            let messageSize = 8 * 1024
            let messageCount = 256
            try await withTestServer({
                $0.http2.initialStreamWindowSize = UInt32(window)
                $0.maxBufferedRequestBytesPerCall = maxBuffered
            }) { server in
                let connection = try await server.connect()
                let client = try #require(connection.client)
                let id = try connection.startCall(TestMethod.collect, endStream: false)
                for index in 0..<messageCount {
                    let message = [UInt8](repeating: UInt8(truncatingIfNeeded: index), count: messageSize)
                    try client.sendData(
                        streamID: id, TestConnection.frame(message), endStream: index == messageCount - 1)
                }
                let total = messageCount * (messageSize + 5)
                func sent() -> Int { total - client.pendingRequestBytes(streamID: id) }

                try await connection.wait(for: "the client runs out of stream window") {
                    $0.client!.remoteWindowSize(streamID: id) == 0 && sent() > 0
                }
                // Give a server that keeps crediting time to show itself.
                try await connection.drive(for: .milliseconds(500))
                #expect(
                    sent() <= window + maxBuffered + 2 * (messageSize + 5),
                    "credit withheld while the handler does not read")
                #expect(sent() >= window)
                #expect(client.remoteWindowSize(streamID: id) == 0)

                server.probe.openGate()
                try await connection.finish(id)
                #expect(connection.status(id) == "0")
                let expected = UInt64(messageCount * messageSize)
                #expect(connection.messages(id) == [withUnsafeBytes(of: expected.bigEndian, Array.init)])
            }
        }
    }
}

extension LiveServerTests {
    @Suite("Message size limit", .timeLimit(.minutes(1)))
    struct MessageSizeTests {
        @Test(
            "a length prefix over maxReceiveMessageSize gets RESOURCE_EXHAUSTED before the body; the connection stays usable"
        )
        func lengthPrefixOverLimit() async throws {
            try await withTestServer({ $0.maxReceiveMessageSize = 1024 }) { server in
                let connection = try await server.connect()
                let client = try #require(connection.client)
                let id = try client.sendRequest(
                    headers: HTTP2TestClient.grpcRequestHeaders(path: TestMethod.echo), endStream: false)
                // Only the 5-byte prefix announcing 1 MiB; the body never comes, nor END_STREAM.
                var prefix = ByteBuffer()
                prefix.writeInteger(UInt8(0))
                prefix.writeInteger(UInt32(1 << 20))
                try client.sendData(streamID: id, prefix, endStream: false)
                try await connection.wait(for: "the server answers") { $0.response(id)?.endStream == true }
                #expect(connection.status(id) == "8")
                #expect(connection.response(id)?.dataFrames == 0)
                #expect(connection.response(id)?.header("grpc-message")?.contains("1048576") == true)
                // The client never half-closed: the server ends the stream (RFC 9113 §8.1).
                try await connection.wait(for: "RST_STREAM(NO_ERROR) after the answer") { $0.resetCode(id) != nil }
                #expect(connection.resetCode(id) == .noError)

                let (status, messages) = try await connection.unary(TestMethod.echo, [UInt8](repeating: 7, count: 1024))
                #expect(status == "0", "a message of exactly the limit is fine")
                #expect(messages == [[UInt8](repeating: 7, count: 1024)])
                let (overStatus, _) = try await connection.unary(TestMethod.echo, [UInt8](repeating: 7, count: 1025))
                #expect(overStatus == "8")
                #expect(!connection.isClosed)
                #expect(connection.goAways.isEmpty)
            }
        }
    }
}
