import LandlordHTTP2
import LandlordHTTP2TestSupport
import NIOCore
import Testing

@Suite("Stream lifecycle: resets, refusals, no leaked state")
struct StreamLifecycleTests {
    @Test(
        "RST_STREAM from the client closes the stream with the client's code",
        arguments: [HTTP2ErrorCode.cancel, .internalError, .noError])
    func clientReset(code: HTTP2ErrorCode) throws {
        let pipe = try makeConnectedPipe()
        let id = try pipe.client.sendRequest(headers: HTTP2TestClient.grpcRequestHeaders(), endStream: false)
        try pipe.client.sendData(streamID: id, patternBuffer(count: 100), endStream: false)
        _ = try pipe.run()
        try pipe.server.sendResponseHeaders(streamID: id, headers: okStatus, endStream: false)
        try pipe.server.sendData(streamID: id, patternBuffer(count: 10))
        try pipe.client.resetStream(streamID: id, errorCode: code)
        let events = try pipe.run()
        #expect(events == [.streamClosed(streamID: id, errorCode: code)])
        #expect(pipe.server.openStreamCount == 0)
        #expect(pipe.server.bufferedOutboundBytes(streamID: id) == 0)
        #expect(!pipe.server.isStreamWritable(streamID: id))
        expectHTTP2Error(.streamNotFound) { try pipe.server.sendData(streamID: id, patternBuffer(count: 1)) }
        expectHTTP2Error(.streamNotFound) { try pipe.server.sendTrailers(streamID: id, headers: grpcOK) }
        pipe.server.consumeInbound(streamID: id, count: 100)  // no-op, no crash
        pipe.server.resetStream(streamID: id, errorCode: .cancel)  // no-op
        #expect(!pipe.server.hasPendingOutput)
    }

    @Test("streamClosed comes exactly once per stream, also when both sides end together")
    func streamClosedOnce() throws {
        let pipe = try makeConnectedPipe()
        var all: [HTTP2Event] = []
        var ids: [Int32] = []
        for index in 0..<20 {
            let id = try pipe.client.sendRequest(
                headers: HTTP2TestClient.grpcRequestHeaders(), endStream: index % 2 == 0)
            ids.append(id)
        }
        all += try pipe.run()
        for (index, id) in ids.enumerated() {
            switch index % 4 {
            case 0: try pipe.server.sendResponseHeaders(streamID: id, headers: okStatus + grpcOK, endStream: true)
            case 1: pipe.server.resetStream(streamID: id, errorCode: .cancel)
            case 2:
                try pipe.server.sendResponseHeaders(streamID: id, headers: okStatus, endStream: false)
                try pipe.server.sendTrailers(streamID: id, headers: grpcOK)
            default: try pipe.client.resetStream(streamID: id, errorCode: .cancel)
            }
        }
        all += try pipe.run()
        let closed = all.closedStreams
        #expect(closed.count == 20)
        for (index, id) in ids.enumerated() {
            #expect(closed[id] == (index % 2 == 1 ? .cancel : .noError))
        }
        #expect(Set(closed.keys) == Set(ids))
        #expect(pipe.server.openStreamCount == 0)
    }

    @Test("SETTINGS_MAX_CONCURRENT_STREAMS: streams beyond it are refused before our SETTINGS is acknowledged")
    func maxConcurrentStreamsFirstFlight() throws {
        var configuration = HTTP2ServerSession.Configuration.defaults
        configuration.maxConcurrentStreams = 3
        let pipe = HTTP2InMemoryPipe(
            client: try HTTP2TestClient(), server: try HTTP2ServerSession(configuration: configuration))
        // All four requests go out in the client's first flight, before it has
        // seen the server's SETTINGS.
        let ids = try (0..<4).map { _ in
            try pipe.client.sendRequest(headers: HTTP2TestClient.grpcRequestHeaders(), endStream: true)
        }
        let events = try pipe.run()
        #expect(events.requestHeaders.map(\.streamID) == Array(ids.prefix(3)))
        #expect(pipe.client.resetCodes == [ids[3]: .refusedStream])
        #expect(pipe.server.openStreamCount == 3)
        // The connection goes on.
        try pipe.server.sendResponseHeaders(streamID: ids[0], headers: okStatus + grpcOK, endStream: true)
        _ = try pipe.run()
        #expect(pipe.client.responses[ids[0]]?.endStream == true)
    }

    @Test("SETTINGS_MAX_CONCURRENT_STREAMS: exceeding the acknowledged limit is a connection error")
    func maxConcurrentStreamsEnforced() throws {
        var configuration = HTTP2ServerSession.Configuration.defaults
        configuration.maxConcurrentStreams = 3
        let pipe = try makeConnectedPipe(server: configuration)
        let ids = try (0..<3).map { _ in
            try pipe.client.sendRequest(headers: HTTP2TestClient.grpcRequestHeaders(), endStream: false)
        }
        _ = try pipe.run()
        #expect(pipe.server.openStreamCount == 3)
        // nghttp2 (a well-behaved client) would hold a fourth stream back.
        let held = try pipe.client.sendRequest(headers: HTTP2TestClient.grpcRequestHeaders(), endStream: true)
        #expect(try pipe.run().isEmpty)
        #expect(pipe.client.sentFrames.filter { $0.streamID == held }.isEmpty)

        // Sent raw, past the limit the client acknowledged: nghttp2 ends the
        // connection (RFC 9113 §5.1.2 allows a stream or connection error).
        let extra = try pipe.client.sendRawRequest(headers: HTTP2TestClient.grpcRequestHeaders(), endStream: true)
        let events = try pipe.run()
        #expect(events == [.goAwaySent(lastStreamID: ids[2], errorCode: .protocolError)])
        #expect(pipe.client.goAway?.errorCode == .protocolError)
        #expect(pipe.client.goAway?.lastStreamID == ids[2])
        #expect(pipe.server.lastProcessedStreamID == ids[2])
        #expect(extra > ids[2])
        #expect(!pipe.server.wantsRead)
        #expect(!pipe.server.wantsWrite)
    }

    @Test(
        "requests nghttp2's HTTP checks reject are reset without an event or leaked state",
        arguments: [
            (
                "missing :path",
                [
                    HTTP2HeaderField(name: ":method", value: "POST"), .init(name: ":scheme", value: "http"),
                    .init(name: ":authority", value: "x"),
                ]
            ),
            (
                "connection header",
                HTTP2TestClient.grpcRequestHeaders(extra: [.init(name: "connection", value: "keep-alive")])
            ),
            (
                "pseudo-header after regular",
                HTTP2TestClient.grpcRequestHeaders() + [.init(name: ":path", value: "/again")]
            ),
            ("unknown pseudo-header", HTTP2TestClient.grpcRequestHeaders(extra: [.init(name: ":bogus", value: "1")])),
            (
                "te other than trailers",
                HTTP2TestClient.grpcRequestHeaders().filter { $0.name != "te" } + [.init(name: "te", value: "gzip")]
            ),
            (
                "duplicate :method",
                HTTP2TestClient.grpcRequestHeaders().prefix(1) + HTTP2TestClient.grpcRequestHeaders()
            ),
        ]
    )
    func invalidRequestHeaders(name: String, headers: [HTTP2HeaderField]) throws {
        let pipe = try makeConnectedPipe()
        let bad = try pipe.client.sendRequest(headers: headers, endStream: true)
        var events = try pipe.run()
        #expect(events.isEmpty, "\(name)")
        #expect(pipe.client.resetCodes[bad] == .protocolError, "\(name)")
        #expect(pipe.server.openStreamCount == 0, "\(name)")
        #expect(pipe.client.goAway == nil)
        let good = try pipe.client.sendRequest(headers: HTTP2TestClient.grpcRequestHeaders(), endStream: true)
        events = try pipe.run()
        #expect(events.requestHeaders.map(\.streamID) == [good])
    }

    @Test("an uppercase header name (sent raw: nghttp2's encoder would lowercase it) resets the stream")
    func uppercaseHeaderName() throws {
        let pipe = try makeConnectedPipe()
        let bad = try pipe.client.sendRawRequest(
            headers: HTTP2TestClient.grpcRequestHeaders(extra: [.init(name: "X-Upper", value: "1")]),
            endStream: true
        )
        var events = try pipe.run()
        #expect(events.isEmpty)
        #expect(pipe.client.resetCodes[bad] == .protocolError)
        #expect(pipe.server.openStreamCount == 0)
        let good = try pipe.client.sendRawRequest(headers: HTTP2TestClient.grpcRequestHeaders(), endStream: true)
        events = try pipe.run()
        #expect(events.requestHeaders.map(\.streamID) == [good])
    }

    @Test("lastProcessedStreamID follows the highest accepted stream")
    func lastProcessedStreamID() throws {
        let pipe = try makeConnectedPipe()
        #expect(pipe.server.lastProcessedStreamID == 0)
        for expected in [Int32(1), 3, 5] {
            let id = try pipe.client.sendRequest(headers: HTTP2TestClient.grpcRequestHeaders(), endStream: true)
            #expect(id == expected)
            _ = try pipe.run()
            #expect(pipe.server.lastProcessedStreamID == expected)
        }
    }
}
