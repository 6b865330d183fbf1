import LandlordHTTP2
import LandlordHTTP2TestSupport
import NIOCore
import Testing

@Suite("Requests: bytes in, events out")
struct RequestTests {
    @Test("request HEADERS become one event with every field in order")
    func requestHeadersEvent() throws {
        let pipe = try makeConnectedPipe()
        let headers = HTTP2TestClient.grpcRequestHeaders(
            path: "/landlord.v1.Compute/Get",
            extra: [
                .init(name: "grpc-timeout", value: "5S"),
                .init(name: "x-custom", value: "a"),
                .init(name: "x-custom", value: "b"),
                .init(name: "x-bin", value: "AAEC"),
            ]
        )
        let id = try pipe.client.sendRequest(headers: headers, endStream: false)
        let events = try pipe.run()
        #expect(events == [.requestHeaders(streamID: id, headers: headers, endStream: false)])
        #expect(pipe.server.openStreamCount == 1)
        #expect(pipe.server.lastProcessedStreamID == id)
    }

    @Test("HEADERS with END_STREAM: endStream true and no separate requestEnded")
    func headersWithEndStream() throws {
        let pipe = try makeConnectedPipe()
        let id = try pipe.client.sendRequest(headers: HTTP2TestClient.grpcRequestHeaders(), endStream: true)
        let events = try pipe.run()
        #expect(
            events == [.requestHeaders(streamID: id, headers: HTTP2TestClient.grpcRequestHeaders(), endStream: true)])
    }

    @Test("a header block split over HEADERS + CONTINUATION frames, cut mid-field", arguments: [1, 7, 100, Int.max])
    func continuationFrames(chunkSize: Int) throws {
        let pipe = try makeConnectedPipe()
        let headers = HTTP2TestClient.grpcRequestHeaders(
            extra: (0..<20).map { .init(name: "x-field-\($0)", value: String(repeating: "v", count: $0 * 10)) })
        let block = HTTP2RawFrames.literalHeaderBlock(headers)
        let cut1 = block.readableBytes / 3 + 1
        let cut2 = 2 * block.readableBytes / 3 + 2
        let id = pipe.client.reserveStreamID()
        try pipe.client.sendRaw(
            HTTP2RawFrames.headers(
                streamID: id, block: block.getSlice(at: 0, length: cut1)!, endStream: true, endHeaders: false))
        // Nothing surfaces before the block is complete.
        #expect(try pipe.deliverClientToServer(chunkSize: chunkSize).isEmpty)
        try pipe.client.sendRaw(
            HTTP2RawFrames.continuation(
                streamID: id, block: block.getSlice(at: cut1, length: cut2 - cut1)!, endHeaders: false))
        #expect(try pipe.deliverClientToServer(chunkSize: chunkSize).isEmpty)
        try pipe.client.sendRaw(
            HTTP2RawFrames.continuation(
                streamID: id, block: block.getSlice(at: cut2, length: block.readableBytes - cut2)!, endHeaders: true))
        let events = try pipe.deliverClientToServer(chunkSize: chunkSize)
        #expect(events == [.requestHeaders(streamID: id, headers: headers, endStream: true)])
    }

    @Test("a large header block from nghttp2's encoder arrives through CONTINUATIONs")
    func continuationFromClientLibrary() throws {
        var configuration = HTTP2ServerSession.Configuration.defaults
        configuration.maxHeaderListSize = 64 << 10
        let pipe = try makeConnectedPipe(server: configuration)
        let headers = HTTP2TestClient.grpcRequestHeaders(
            extra: (0..<8).map { .init(name: "x-big-\($0)", value: String(repeating: "\($0)", count: 4000)) })
        let id = try pipe.client.sendRequest(headers: headers, endStream: true)
        let bytes = try pipe.client.produceOutput()
        let frames = HTTP2RawFrames.parse(bytes)
        #expect(
            frames.contains { $0.type == HTTP2RawFrames.FrameType.continuation },
            "expected the client to use CONTINUATION")
        let events = try pipe.server.receive(bytes)
        #expect(events == [.requestHeaders(streamID: id, headers: headers, endStream: true)])
    }

    @Test("request body split across DATA frames and read boundaries", arguments: [1, 5, 1000, Int.max])
    func dataSplitAcrossFrames(chunkSize: Int) throws {
        let pipe = try makeConnectedPipe()
        let id = try pipe.client.sendRequest(headers: HTTP2TestClient.grpcRequestHeaders(), endStream: false)
        let parts = [
            patternBuffer(count: 3, seed: 1), patternBuffer(count: 5, seed: 2), patternBuffer(count: 20_000, seed: 3),
        ]
        for (index, part) in parts.enumerated() {
            try pipe.client.sendData(streamID: id, part, endStream: index == parts.count - 1)
        }
        let events = try pipe.run(chunkSize: chunkSize)
        var expected = ByteBuffer()
        for var part in parts { expected.writeBuffer(&part) }
        #expect(events.requestBody(streamID: id) == expected)
        if chunkSize == .max {
            // Each chunk went out as its own DATA frame(s) (20 000 > 16 384: two frames).
            #expect(events.requestDataSizes(streamID: id) == [3, 5, 16_384, 3_616])
        }
        // requestEnded comes once, after all data.
        let endIndex = try #require(events.firstIndex(of: .requestEnded(streamID: id)))
        #expect(events.filter { $0 == .requestEnded(streamID: id) }.count == 1)
        #expect(!events[endIndex...].contains { if case .requestData = $0 { return true } else { return false } })
    }

    @Test("empty DATA frame with END_STREAM ends the request")
    func emptyEndStream() throws {
        let pipe = try makeConnectedPipe()
        let id = try pipe.client.sendRequest(headers: HTTP2TestClient.grpcRequestHeaders(), endStream: false)
        try pipe.client.sendData(streamID: id, patternBuffer(count: 10), endStream: false)
        var events = try pipe.run()
        #expect(events.requestDataSizes(streamID: id) == [10])
        #expect(!events.contains(.requestEnded(streamID: id)))
        try pipe.client.sendData(streamID: id, ByteBuffer(), endStream: true)
        events = try pipe.run()
        #expect(events == [.requestEnded(streamID: id)])
    }

    @Test("request trailers: END_STREAM surfaces as requestEnded, the fields are dropped")
    func requestTrailers() throws {
        let pipe = try makeConnectedPipe()
        let id = try pipe.client.sendRequest(headers: HTTP2TestClient.grpcRequestHeaders(), endStream: false)
        try pipe.client.sendData(streamID: id, patternBuffer(count: 4), endStream: false)
        try pipe.client.sendTrailers(streamID: id, headers: [.init(name: "x-trailer", value: "t")])
        let events = try pipe.run()
        #expect(events.count == 3)
        #expect(events.requestHeaders.count == 1)
        #expect(events.requestDataSizes(streamID: id) == [4])
        #expect(events.last == .requestEnded(streamID: id))
    }

    @Test("padded DATA: padding is not delivered and does not eat the window")
    func paddedData() throws {
        var client = HTTP2TestClient.Configuration.defaults
        client.dataPadding = 100
        var server = HTTP2ServerSession.Configuration.defaults
        server.initialStreamWindowSize = 65_535
        let pipe = try makeConnectedPipe(server: server, client: client)
        let id = try pipe.client.sendRequest(headers: HTTP2TestClient.grpcRequestHeaders(), endStream: false)
        // 200 frames of 10 bytes, each padded by 100: 22 000 bytes of padding in all,
        // far beyond what the window would allow if padding were never credited.
        for _ in 0..<200 {
            try pipe.client.sendData(streamID: id, patternBuffer(count: 10), endStream: false)
        }
        try pipe.client.sendData(streamID: id, ByteBuffer(), endStream: true)
        let events = try pipe.run(consumingInbound: true)
        #expect(events.requestBody(streamID: id).readableBytes == 2000)
        #expect(events.requestDataSizes(streamID: id).allSatisfy { $0 == 10 })
        #expect(events.contains(.requestEnded(streamID: id)))
        #expect(pipe.client.pendingRequestBytes(streamID: id) == 0)
        // Padding was on the wire: the client did pad its frames.
        #expect(pipe.client.sentFrames.contains { $0.type == HTTP2RawFrames.FrameType.data && $0.length > 100 })
    }

    @Test("DATA bytes are sliced from the received buffer when large, copied when small")
    func dataBufferOwnership() throws {
        let pipe = try makeConnectedPipe()
        let id = try pipe.client.sendRequest(headers: HTTP2TestClient.grpcRequestHeaders(), endStream: false)
        _ = try pipe.run()

        try pipe.client.sendData(streamID: id, patternBuffer(count: 16_000), endStream: false)
        let big = try pipe.client.produceOutput()
        let events = try pipe.server.receive(big)
        #expect(events.requestBody(streamID: id) == patternBuffer(count: 16_000))
        guard case .requestData(_, let slice) = try #require(events.first) else {
            Issue.record("expected requestData, got \(events)")
            return
        }
        // Zero copy: the event's bytes share the received buffer's storage.
        #expect(slice.storageCapacity == big.storageCapacity)

        // A tiny chunk in a big receive buffer is copied, so it does not pin 64 KiB.
        try pipe.client.sendData(streamID: id, patternBuffer(count: 3, seed: 9), endStream: true)
        var small = ByteBufferAllocator().buffer(capacity: 64 << 10)
        var frame = try pipe.client.produceOutput()
        small.writeBuffer(&frame)
        let moreEvents = try pipe.server.receive(small)
        #expect(moreEvents.requestBody(streamID: id) == patternBuffer(count: 3, seed: 9))
        guard case .requestData(_, let copy) = try #require(moreEvents.first) else {
            Issue.record("expected requestData, got \(moreEvents)")
            return
        }
        #expect(copy.storageCapacity < 1024)
    }
}
