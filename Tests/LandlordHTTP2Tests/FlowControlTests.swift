import LandlordHTTP2
import LandlordHTTP2TestSupport
import NIOCore
import Testing

@Suite("Inbound flow control: credit only for what the application consumed")
struct FlowControlTests {
    private func configuration(stream: UInt32, connection: UInt32) -> HTTP2ServerSession.Configuration {
        var configuration = HTTP2ServerSession.Configuration.defaults
        configuration.initialStreamWindowSize = stream
        configuration.connectionWindowSize = connection
        return configuration
    }

    @Test("the advertised windows reach the client")
    func advertisedWindows() throws {
        let pipe = try makeConnectedPipe()
        let id = try pipe.client.sendRequest(headers: HTTP2TestClient.grpcRequestHeaders(), endStream: false)
        _ = try pipe.run()
        #expect(pipe.client.remoteWindowSize(streamID: id) == 1 << 20)
        #expect(pipe.client.connectionRemoteWindowSize == 2 << 20)
    }

    @Test("without consumeInbound the client cannot send past the stream window; with it, it can")
    func streamWindow() throws {
        let pipe = try makeConnectedPipe(server: self.configuration(stream: 32_768, connection: 1 << 20))
        let id = try pipe.client.sendRequest(headers: HTTP2TestClient.grpcRequestHeaders(), endStream: false)
        try pipe.client.sendData(streamID: id, patternBuffer(count: 100_000), endStream: true)
        var events = try pipe.run()
        #expect(events.requestBody(streamID: id).readableBytes == 32_768)
        #expect(pipe.client.remoteWindowSize(streamID: id) == 0)
        #expect(pipe.client.pendingRequestBytes(streamID: id) == 100_000 - 32_768)

        // Running again changes nothing: no credit was given.
        #expect(try pipe.run().isEmpty)

        // Less than half the window consumed: nghttp2 holds the WINDOW_UPDATE back.
        pipe.server.consumeInbound(streamID: id, count: 1000)
        #expect(try pipe.run().isEmpty)

        // Half or more: a WINDOW_UPDATE, and the client sends that much more.
        pipe.server.consumeInbound(streamID: id, count: 32_768 - 1000)
        events = try pipe.run()
        #expect(events.requestBody(streamID: id).readableBytes == 32_768)
        #expect(!events.contains(.requestEnded(streamID: id)))

        // An application that keeps consuming gets the whole body.
        var received = 65_536
        var body = ByteBuffer()
        for _ in 0..<100 {
            pipe.server.consumeInbound(streamID: id, count: 32_768)
            events = try pipe.run()
            var chunk = events.requestBody(streamID: id)
            received += chunk.readableBytes
            body.writeBuffer(&chunk)
            if events.contains(.requestEnded(streamID: id)) { break }
        }
        #expect(received == 100_000)
        #expect(body == patternBuffer(count: 100_000).getSlice(at: 65_536, length: 100_000 - 65_536))
    }

    @Test("consumeInbound is clamped to the bytes delivered: over-consuming gives no extra credit")
    func consumeIsClamped() throws {
        let pipe = try makeConnectedPipe(server: self.configuration(stream: 65_535, connection: 65_535))
        let id = try pipe.client.sendRequest(headers: HTTP2TestClient.grpcRequestHeaders(), endStream: false)
        try pipe.client.sendData(streamID: id, patternBuffer(count: 100), endStream: false)
        _ = try pipe.run()
        // Claim far more than arrived.
        pipe.server.consumeInbound(streamID: id, count: 1 << 30)
        _ = try pipe.run()
        // Fill the rest of both windows, then consume one byte: with inflated
        // bookkeeping nghttp2 would now send a big WINDOW_UPDATE.
        try pipe.client.sendData(streamID: id, patternBuffer(count: 65_535 - 100), endStream: false)
        _ = try pipe.run()
        #expect(pipe.client.connectionRemoteWindowSize == 0)
        pipe.server.consumeInbound(streamID: id, count: 1)
        _ = try pipe.run()
        #expect(pipe.client.connectionRemoteWindowSize == 0)
        #expect(pipe.client.remoteWindowSize(streamID: id) == 0)
    }

    @Test("a stream reset with unconsumed bytes returns them to the connection window")
    func resetStreamReturnsConnectionWindow() throws {
        let pipe = try makeConnectedPipe(server: self.configuration(stream: 65_536, connection: 131_072))
        let a = try pipe.client.sendRequest(headers: HTTP2TestClient.grpcRequestHeaders(), endStream: false)
        let b = try pipe.client.sendRequest(headers: HTTP2TestClient.grpcRequestHeaders(), endStream: false)
        let c = try pipe.client.sendRequest(headers: HTTP2TestClient.grpcRequestHeaders(), endStream: false)
        try pipe.client.sendData(streamID: a, patternBuffer(count: 65_536), endStream: false)
        try pipe.client.sendData(streamID: b, patternBuffer(count: 65_536), endStream: false)
        var events = try pipe.run()
        #expect(events.requestBody(streamID: a).readableBytes == 65_536)
        #expect(events.requestBody(streamID: b).readableBytes == 65_536)
        #expect(pipe.client.connectionRemoteWindowSize == 0)

        // The connection window is exhausted: C's bytes cannot go.
        try pipe.client.sendData(streamID: c, patternBuffer(count: 10), endStream: false)
        events = try pipe.run()
        #expect(events.isEmpty)
        #expect(pipe.client.pendingRequestBytes(streamID: c) == 10)

        // The client cancels A: the server never consumed A's 64 KiB, but closing the
        // stream hands them back to the connection, and C's bytes flow.
        try pipe.client.resetStream(streamID: a, errorCode: .cancel)
        events = try pipe.run()
        #expect(events.closedStreams == [a: .cancel])
        #expect(events.requestBody(streamID: c) == patternBuffer(count: 10))
        #expect(pipe.client.connectionRemoteWindowSize == 65_536 - 10)

        // consumeInbound for the closed stream is a no-op: those bytes were returned
        // already. Prove it: fill the window and consume a single byte of C.
        pipe.server.consumeInbound(streamID: a, count: 65_536)
        try pipe.client.sendData(streamID: c, patternBuffer(count: 65_536 - 10), endStream: false)
        _ = try pipe.run()
        #expect(pipe.client.connectionRemoteWindowSize == 0)
        pipe.server.consumeInbound(streamID: c, count: 1)
        _ = try pipe.run()
        #expect(pipe.client.connectionRemoteWindowSize == 0)
    }

    @Test("a stream that closes normally with unconsumed bytes returns them to the connection window")
    func normalCloseReturnsConnectionWindow() throws {
        let pipe = try makeConnectedPipe(server: self.configuration(stream: 65_535, connection: 65_535))
        let id = try pipe.client.sendRequest(headers: HTTP2TestClient.grpcRequestHeaders(), endStream: false)
        try pipe.client.sendData(streamID: id, patternBuffer(count: 40_000), endStream: true)
        var events = try pipe.run()
        #expect(events.requestBody(streamID: id).readableBytes == 40_000)
        #expect(pipe.client.connectionRemoteWindowSize == 65_535 - 40_000)
        try pipe.server.sendResponseHeaders(streamID: id, headers: okStatus + grpcOK, endStream: true)
        events = try pipe.run()
        #expect(events == [.streamClosed(streamID: id, errorCode: .noError)])
        #expect(pipe.client.connectionRemoteWindowSize == 65_535)
    }

    @Test("DATA arriving after the server reset a stream is credited at once")
    func dataAfterServerReset() throws {
        let pipe = try makeConnectedPipe(server: self.configuration(stream: 65_535, connection: 65_535))
        let id = try pipe.client.sendRequest(headers: HTTP2TestClient.grpcRequestHeaders(), endStream: false)
        _ = try pipe.run()
        pipe.server.resetStream(streamID: id, errorCode: .cancel)
        // The client sends before it learns of the reset.
        try pipe.client.sendData(streamID: id, patternBuffer(count: 40_000), endStream: false)
        let events = try pipe.deliverClientToServer()
        #expect(events.isEmpty)
        _ = try pipe.run()
        #expect(pipe.client.resetCodes[id] == .cancel)
        // nghttp2 batches WINDOW_UPDATEs (half a window), so part of the credit may
        // still be pending; but it is counted as consumed: the 40 000 bytes did
        // not vanish from the window.
        #expect(pipe.client.connectionRemoteWindowSize > 65_535 - 40_000)
        // Prove nothing leaked: fill the window on a new stream and consume all of
        // it; the window must come back whole (it would stop short by the ignored
        // bytes if they had never been credited).
        let next = try pipe.client.sendRequest(headers: HTTP2TestClient.grpcRequestHeaders(), endStream: false)
        let fill = pipe.client.connectionRemoteWindowSize
        try pipe.client.sendData(streamID: next, patternBuffer(count: fill), endStream: false)
        let delivered = try pipe.run()
        #expect(delivered.requestBody(streamID: next).readableBytes == fill)
        #expect(pipe.client.connectionRemoteWindowSize == 0)
        pipe.server.consumeInbound(streamID: next, count: fill)
        _ = try pipe.run()
        #expect(pipe.server.openStreamCount == 1)
    }
}
