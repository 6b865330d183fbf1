import LandlordHTTP2
import LandlordHTTP2TestSupport
import NIOCore
import Testing

private typealias FrameType = HTTP2RawFrames.FrameType

@Suite("Responses: submissions in, bytes out")
struct ResponseTests {
    /// Opens a stream whose request is complete and returns its id.
    private func openRequest(_ pipe: HTTP2InMemoryPipe, endStream: Bool = true) throws -> Int32 {
        let id = try pipe.client.sendRequest(headers: HTTP2TestClient.grpcRequestHeaders(), endStream: endStream)
        let events = try pipe.run()
        #expect(events.requestHeaders.map(\.streamID) == [id])
        return id
    }

    private func frames(_ client: HTTP2TestClient, streamID: Int32) -> [HTTP2TestClient.FrameSummary] {
        client.receivedFrames.filter { $0.streamID == streamID }
    }

    @Test("headers + data + trailers round trip as the client sees them")
    func roundTrip() throws {
        let pipe = try makeConnectedPipe()
        let id = try self.openRequest(pipe)
        let headers = okStatus + [.init(name: "content-type", value: "application/grpc")]
        let trailers = [
            HTTP2HeaderField(name: "grpc-status", value: "0"), .init(name: "grpc-message", value: "ok%20then"),
        ]
        try pipe.server.sendResponseHeaders(streamID: id, headers: headers, endStream: false)
        try pipe.server.sendData(streamID: id, patternBuffer(count: 100))
        try pipe.server.sendData(streamID: id, patternBuffer(count: 50, seed: 7))
        try pipe.server.sendTrailers(streamID: id, headers: trailers)
        let events = try pipe.run()

        let response = try #require(pipe.client.responses[id])
        #expect(response.headers == headers)
        var body = patternBuffer(count: 100)
        var second = patternBuffer(count: 50, seed: 7)
        body.writeBuffer(&second)
        #expect(response.data == body)
        #expect(response.trailers == trailers)
        #expect(response.endStream)
        #expect(response.resetCode == nil)
        // HEADERS, DATA (both chunks in one frame), HEADERS with END_STREAM.
        let frames = self.frames(pipe.client, streamID: id)
        #expect(frames.map(\.type) == [FrameType.headers, FrameType.data, FrameType.headers])
        #expect(frames.map { $0.flags & HTTP2RawFrames.Flags.endStream } == [0, 0, HTTP2RawFrames.Flags.endStream])
        #expect(frames[1].length == 150)
        #expect(events == [.streamClosed(streamID: id, errorCode: .noError)])
        #expect(pipe.server.openStreamCount == 0)
    }

    @Test("Trailers-Only: one HEADERS frame with END_STREAM")
    func trailersOnly() throws {
        let pipe = try makeConnectedPipe()
        let id = try self.openRequest(pipe)
        let fields =
            okStatus + [
                .init(name: "content-type", value: "application/grpc"),
                .init(name: "grpc-status", value: "12"),
                .init(name: "grpc-message", value: "unknown method"),
            ]
        try pipe.server.sendResponseHeaders(streamID: id, headers: fields, endStream: true)
        let events = try pipe.run()
        let frames = self.frames(pipe.client, streamID: id)
        #expect(frames.count == 1)
        #expect(frames.first?.type == FrameType.headers)
        #expect(frames.first.map { $0.flags & HTTP2RawFrames.Flags.endStream != 0 } == true)
        let response = try #require(pipe.client.responses[id])
        #expect(response.headers == fields)
        #expect(response.trailers == nil)
        #expect(response.data.readableBytes == 0)
        #expect(events == [.streamClosed(streamID: id, errorCode: .noError)])
        // Nothing more can be sent on it.
        #expect(throws: HTTP2Error.self) { try pipe.server.sendData(streamID: id, patternBuffer(count: 1)) }
    }

    @Test(
        "a complete response before the request ended: RST_STREAM(NO_ERROR) asks the client to stop",
        arguments: [true, false])
    func earlyAnswerWhileRequestOpen(trailersOnly: Bool) throws {
        let pipe = try makeConnectedPipe()
        let id = try self.openRequest(pipe, endStream: false)
        if trailersOnly {
            try pipe.server.sendResponseHeaders(
                streamID: id, headers: [.init(name: ":status", value: "405")], endStream: true)
        } else {
            try pipe.server.sendResponseHeaders(streamID: id, headers: okStatus, endStream: false)
            try pipe.server.sendData(streamID: id, patternBuffer(count: 10))
            try pipe.server.sendTrailers(streamID: id, headers: grpcOK)
        }
        // The server writes the response (and the RST); the client's next DATA
        // crosses them on the wire.
        var out = ByteBuffer()
        var events = try pipe.server.produceOutput(into: &out)
        try pipe.client.sendData(streamID: id, patternBuffer(count: 5), endStream: false)
        events += try pipe.deliverClientToServer()
        try pipe.client.receive(out)
        events += try pipe.run()
        let response = try #require(pipe.client.responses[id])
        #expect(response.header(":status") == (trailersOnly ? "405" : "200"))
        #expect(response.endStream)
        #expect(response.trailers == (trailersOnly ? nil : grpcOK))
        #expect(response.data.readableBytes == (trailersOnly ? 0 : 10))
        #expect(pipe.client.resetCodes[id] == .noError)
        // The RST comes after the complete response.
        let frames = self.frames(pipe.client, streamID: id)
        #expect(frames.last?.type == FrameType.rstStream)
        // No request data surfaces after the response ended; the stream is gone.
        #expect(events == [.streamClosed(streamID: id, errorCode: .noError)])
        #expect(pipe.server.openStreamCount == 0)
    }

    @Test("no RST_STREAM when the request had already ended")
    func noResetAfterCompleteExchange() throws {
        let pipe = try makeConnectedPipe()
        let id = try self.openRequest(pipe, endStream: true)
        try pipe.server.sendResponseHeaders(streamID: id, headers: okStatus + grpcOK, endStream: true)
        _ = try pipe.run()
        #expect(pipe.client.resetCodes.isEmpty)
        #expect(self.frames(pipe.client, streamID: id).map(\.type) == [FrameType.headers])
    }

    @Test("deferred data: headers go out alone, data resumes when it arrives, then trailers")
    func deferredDataResumes() throws {
        let pipe = try makeConnectedPipe()
        let id = try self.openRequest(pipe)
        try pipe.server.sendResponseHeaders(streamID: id, headers: okStatus, endStream: false)
        var events = try pipe.run()
        #expect(events.isEmpty)
        #expect(pipe.client.responses[id]?.headers == okStatus)
        #expect(pipe.client.responses[id]?.dataFrames == 0)
        #expect(!pipe.server.hasPendingOutput)

        try pipe.server.sendData(streamID: id, patternBuffer(count: 10))
        #expect(pipe.server.hasPendingOutput)
        events = try pipe.run()
        #expect(events.isEmpty)
        #expect(pipe.client.responses[id]?.data == patternBuffer(count: 10))
        #expect(pipe.client.responses[id]?.endStream == false)

        try pipe.server.sendData(streamID: id, patternBuffer(count: 20, seed: 1))
        _ = try pipe.run()
        #expect(pipe.client.responses[id]?.data.readableBytes == 30)
        #expect(pipe.client.responses[id]?.dataFrames == 2)

        try pipe.server.sendTrailers(streamID: id, headers: grpcOK)
        events = try pipe.run()
        #expect(pipe.client.responses[id]?.trailers == grpcOK)
        #expect(events == [.streamClosed(streamID: id, errorCode: .noError)])
    }

    @Test("empty trailers end the body with END_STREAM on DATA")
    func emptyTrailers() throws {
        let pipe = try makeConnectedPipe()
        let id = try self.openRequest(pipe)
        try pipe.server.sendResponseHeaders(streamID: id, headers: okStatus, endStream: false)
        try pipe.server.sendData(streamID: id, patternBuffer(count: 10))
        try pipe.server.sendTrailers(streamID: id, headers: [])
        let events = try pipe.run()
        let frames = self.frames(pipe.client, streamID: id)
        #expect(frames.map(\.type) == [FrameType.headers, FrameType.data])
        #expect(frames.last.map { $0.flags & HTTP2RawFrames.Flags.endStream != 0 } == true)
        #expect(pipe.client.responses[id]?.trailers == nil)
        #expect(events == [.streamClosed(streamID: id, errorCode: .noError)])
    }

    @Test("a 1 MiB response arrives complete across the client's flow-control windows")
    func largeResponse() throws {
        let pipe = try makeConnectedPipe()
        let id = try self.openRequest(pipe)
        let payload = patternBuffer(count: 1 << 20)
        try pipe.server.sendResponseHeaders(streamID: id, headers: okStatus, endStream: false)
        // Write it in uneven pieces.
        var rest = payload
        var size = 1
        while rest.readableBytes > 0 {
            try pipe.server.sendData(streamID: id, rest.readSlice(length: min(size, rest.readableBytes))!)
            size = size * 3 + 1
        }
        try pipe.server.sendTrailers(streamID: id, headers: grpcOK)
        #expect(pipe.server.bufferedOutboundBytes(streamID: id) == 1 << 20)
        let events = try pipe.run()
        let response = try #require(pipe.client.responses[id])
        #expect(response.data == payload)
        #expect(response.trailers == grpcOK)
        // The client's windows are 65 535: the body needed many WINDOW_UPDATEs.
        #expect(response.dataFrames >= 64)
        #expect(pipe.client.receivedFrames.allSatisfy { $0.length <= 16_384 })
        // 1 MiB was queued at once (over the 64 KiB soft limit), so the stream
        // reported writable again once it drained.
        #expect(events == [.streamWritable(streamID: id), .streamClosed(streamID: id, errorCode: .noError)])
    }

    @Test("a slow client: bytes stay queued, the stream is unwritable until the client opens its window")
    func slowClientBackpressure() throws {
        var clientConfiguration = HTTP2TestClient.Configuration.defaults
        clientConfiguration.automaticWindowUpdates = false
        clientConfiguration.settings = [.enablePush(0), .initialWindowSize(16_384)]
        let pipe = try makeConnectedPipe(client: clientConfiguration)
        let id = try self.openRequest(pipe)
        let limit = HTTP2ServerSession.Configuration.defaults.maxOutboundBufferedBytesPerStream
        let total = 200_000

        try pipe.server.sendResponseHeaders(streamID: id, headers: okStatus, endStream: false)
        #expect(pipe.server.isStreamWritable(streamID: id))
        try pipe.server.sendData(streamID: id, patternBuffer(count: total))
        #expect(!pipe.server.isStreamWritable(streamID: id))
        try pipe.server.sendTrailers(streamID: id, headers: grpcOK)

        var events = try pipe.run()
        // Exactly one stream window's worth went out; the rest waits.
        #expect(pipe.client.responses[id]?.data.readableBytes == 16_384)
        #expect(pipe.server.bufferedOutboundBytes(streamID: id) == total - 16_384)
        #expect(!pipe.server.isStreamWritable(streamID: id))
        #expect(!pipe.server.hasPendingOutput)
        #expect(events.isEmpty)

        // The client reads what it has, round after round.
        var consumed = 0
        var writableAt: Int?
        for _ in 0..<1000 {
            let received = pipe.client.responses[id]?.data.readableBytes ?? 0
            if received > consumed {
                try pipe.client.consume(streamID: id, count: received - consumed)
                consumed = received
            }
            let buffered = pipe.server.bufferedOutboundBytes(streamID: id)
            events = try pipe.run()
            if events.contains(.streamWritable(streamID: id)) {
                #expect(writableAt == nil, "streamWritable emitted twice")
                #expect(buffered >= limit)
                writableAt = pipe.server.bufferedOutboundBytes(streamID: id)
                #expect(pipe.server.isStreamWritable(streamID: id))
            } else if writableAt == nil {
                #expect(!pipe.server.isStreamWritable(streamID: id))
            }
            if pipe.client.responses[id]?.endStream == true { break }
        }
        let drainedTo = try #require(writableAt)
        #expect(drainedTo < limit)
        #expect(pipe.client.responses[id]?.data == patternBuffer(count: total))
        #expect(pipe.client.responses[id]?.trailers == grpcOK)
    }

    @Test("many streams interleaved, output produced in capped pieces", arguments: [1, 5000, Int.max])
    func interleavedStreamsWithOutputCap(maxBytes: Int) throws {
        let pipe = try makeConnectedPipe()
        var ids: [Int32] = []
        for _ in 0..<8 {
            ids.append(try pipe.client.sendRequest(headers: HTTP2TestClient.grpcRequestHeaders(), endStream: true))
        }
        _ = try pipe.run()
        for (index, id) in ids.enumerated() {
            try pipe.server.sendResponseHeaders(streamID: id, headers: okStatus, endStream: false)
            try pipe.server.sendData(streamID: id, patternBuffer(count: 30_000 + index, seed: index))
            try pipe.server.sendTrailers(streamID: id, headers: grpcOK)
        }
        var closed: [Int32] = []
        for _ in 0..<100_000 {
            _ = try pipe.deliverClientToServer()  // WINDOW_UPDATEs
            var out = ByteBuffer()
            let events = try pipe.server.produceOutput(into: &out, maxBytes: maxBytes)
            closed += events.closedStreams.keys
            if maxBytes < 9 + 16_384 {
                // The cap stops at the first frame boundary at or after it.
                #expect(out.readableBytes <= max(maxBytes, 0) + 9 + 16_384)
            }
            try pipe.client.receive(out)
            if out.readableBytes == 0, !pipe.client.wantsWrite { break }
        }
        for (index, id) in ids.enumerated() {
            #expect(pipe.client.responses[id]?.data == patternBuffer(count: 30_000 + index, seed: index))
            #expect(pipe.client.responses[id]?.trailers == grpcOK)
        }
        #expect(Set(closed) == Set(ids))
        #expect(pipe.server.openStreamCount == 0)
    }

    @Test("submissions on unknown streams or in the wrong state throw, and change nothing")
    func submissionErrors() throws {
        let pipe = try makeConnectedPipe()
        expectHTTP2Error(.streamNotFound) {
            try pipe.server.sendResponseHeaders(streamID: 1, headers: okStatus, endStream: false)
        }
        expectHTTP2Error(.streamNotFound) {
            try pipe.server.sendData(streamID: 3, patternBuffer(count: 1))
        }
        let id = try self.openRequest(pipe)
        expectHTTP2Error(.invalidState) {
            try pipe.server.sendData(streamID: id, patternBuffer(count: 1))
        }
        expectHTTP2Error(.invalidState) {
            try pipe.server.sendTrailers(streamID: id, headers: grpcOK)
        }
        try pipe.server.sendResponseHeaders(streamID: id, headers: okStatus, endStream: false)
        expectHTTP2Error(.invalidState) {
            try pipe.server.sendResponseHeaders(streamID: id, headers: okStatus, endStream: false)
        }
        try pipe.server.sendTrailers(streamID: id, headers: grpcOK)
        expectHTTP2Error(.invalidState) {
            try pipe.server.sendData(streamID: id, patternBuffer(count: 1))
        }
        _ = try pipe.run()
        #expect(pipe.client.responses[id]?.trailers == grpcOK)
        expectHTTP2Error(.streamNotFound) {
            try pipe.server.sendTrailers(streamID: id, headers: grpcOK)
        }
    }

    @Test("resetStream: RST_STREAM with our code, queued bytes dropped, idempotent, no-op for unknown streams")
    func serverReset() throws {
        let pipe = try makeConnectedPipe()
        let id = try self.openRequest(pipe, endStream: false)
        try pipe.server.sendResponseHeaders(streamID: id, headers: okStatus, endStream: false)
        try pipe.server.sendData(streamID: id, patternBuffer(count: 1000))
        pipe.server.resetStream(streamID: id, errorCode: .cancel)
        pipe.server.resetStream(streamID: id, errorCode: .internalError)
        pipe.server.resetStream(streamID: 99, errorCode: .cancel)
        #expect(pipe.server.bufferedOutboundBytes(streamID: id) == 0)
        #expect(!pipe.server.isStreamWritable(streamID: id))
        #expect(throws: HTTP2Error.self) { try pipe.server.sendData(streamID: id, patternBuffer(count: 1)) }
        let events = try pipe.run()
        #expect(events == [.streamClosed(streamID: id, errorCode: .cancel)])
        #expect(pipe.client.resetCodes == [id: .cancel])
        #expect(pipe.client.receivedFrames.filter { $0.type == FrameType.rstStream }.count == 1)
        #expect(pipe.client.responses[id]?.data.readableBytes == 0)
        #expect(pipe.server.openStreamCount == 0)
        // Resetting a closed stream sends nothing.
        pipe.server.resetStream(streamID: id, errorCode: .cancel)
        #expect(!pipe.server.hasPendingOutput)
    }
}
