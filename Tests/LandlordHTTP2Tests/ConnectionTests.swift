import LandlordHTTP2
import LandlordHTTP2TestSupport
import NIOCore
import Testing

@Suite("Connection management: SETTINGS, PING, GOAWAY, configuration")
struct ConnectionTests {
    @Test("the server's SETTINGS carry the configuration")
    func settingsAdvertised() throws {
        var configuration = HTTP2ServerSession.Configuration.defaults
        configuration.maxConcurrentStreams = 7
        configuration.initialStreamWindowSize = 12_345
        configuration.maxFrameSize = 20_000
        configuration.maxHeaderListSize = 9_000
        configuration.headerTableSize = 1_024
        let server = try HTTP2ServerSession(configuration: configuration)
        #expect(server.wantsWrite)
        var out = ByteBuffer()
        let events = try server.produceOutput(into: &out)
        #expect(events.isEmpty)
        let frames = HTTP2RawFrames.parse(out)
        #expect(frames.map(\.type) == [HTTP2RawFrames.FrameType.settings, HTTP2RawFrames.FrameType.windowUpdate])
        var payload = frames[0].payload
        var settings: [UInt16: UInt32] = [:]
        while payload.readableBytes >= 6 {
            settings[payload.readInteger(as: UInt16.self)!] = payload.readInteger(as: UInt32.self)!
        }
        #expect(settings == [0x3: 7, 0x4: 12_345, 0x5: 20_000, 0x6: 9_000, 0x1: 1_024])
        // The connection window goes from 65 535 to 2 MiB.
        #expect(frames[1].streamID == 0)
        #expect(
            frames[1].payload.getInteger(at: frames[1].payload.readerIndex, as: UInt32.self) == UInt32(2 << 20) - 65_535
        )
        #expect(!server.hasPendingOutput)
        #expect(server.wantsRead)
    }

    @Test("every SETTINGS from the client is an event (the first completes the handshake)")
    func settingsReceived() throws {
        let pipe = try makeConnectedPipe()  // checks the first
        try pipe.client.sendSettings([.initialWindowSize(100_000)])
        #expect(try pipe.run() == [.settingsReceived])
    }

    @Test(
        "PING: the ACK comes back as an event with our opaque data",
        arguments: [UInt64(0), 1, 0x0102_0304_0506_0708, .max])
    func pingAcknowledged(opaque: UInt64) throws {
        let pipe = try makeConnectedPipe()
        pipe.server.sendPing(opaque: opaque)
        #expect(try pipe.run() == [.pingAcknowledged(opaque: opaque)])
    }

    @Test("client PINGs are answered by nghttp2 and produce no event")
    func clientPing() throws {
        let pipe = try makeConnectedPipe()
        try pipe.client.sendPing(opaque: 42)
        #expect(try pipe.run().isEmpty)
        #expect(pipe.client.pingAcks == [42])
    }

    @Test("a GOAWAY from the client is an event")
    func goAwayReceived() throws {
        let pipe = try makeConnectedPipe()
        try pipe.client.sendGoAway(errorCode: .enhanceYourCalm, debugData: "too many pings")
        #expect(try pipe.run() == [.goAwayReceived(lastStreamID: 0, errorCode: .enhanceYourCalm)])
    }

    @Test("graceful shutdown (gRFC A9): notice, PING, GOAWAY(last id); open streams finish, new ones are ignored")
    func gracefulShutdown() throws {
        let pipe = try makeConnectedPipe()
        let first = try pipe.client.sendRequest(headers: HTTP2TestClient.grpcRequestHeaders(), endStream: true)
        _ = try pipe.run()

        // Step 1: the notice (GOAWAY with the maximum id): new streams still welcome.
        pipe.server.sendShutdownNotice()
        pipe.server.sendPing(opaque: 7)
        var events = try pipe.run()
        #expect(events == [.goAwaySent(lastStreamID: Int32.max, errorCode: .noError), .pingAcknowledged(opaque: 7)])
        #expect(pipe.client.goAway == .init(lastStreamID: Int32.max, errorCode: .noError, debugData: ""))
        // A stream raced with the notice is still accepted (sent raw: the client
        // library stops opening streams once it has seen any GOAWAY).
        let raced = try pipe.client.sendRawRequest(headers: HTTP2TestClient.grpcRequestHeaders(), endStream: true)
        events = try pipe.run()
        #expect(events.requestHeaders.map(\.streamID) == [raced])

        // Step 2: GOAWAY(last processed id).
        pipe.server.sendGoAway(errorCode: .noError, debugData: "draining")
        events = try pipe.run()
        #expect(events == [.goAwaySent(lastStreamID: raced, errorCode: .noError)])
        #expect(pipe.client.goAway == .init(lastStreamID: raced, errorCode: .noError, debugData: "draining"))
        #expect(pipe.server.lastProcessedStreamID == raced)

        // A stream opened after it is ignored.
        let late = try pipe.client.sendRawRequest(headers: HTTP2TestClient.grpcRequestHeaders(), endStream: true)
        #expect(late > raced)
        #expect(try pipe.run().isEmpty)
        #expect(pipe.server.openStreamCount == 2)

        // The open streams finish normally; then the connection is done.
        #expect(pipe.server.wantsRead)
        try pipe.server.sendResponseHeaders(streamID: first, headers: okStatus + grpcOK, endStream: true)
        try pipe.server.sendResponseHeaders(streamID: raced, headers: okStatus + grpcOK, endStream: true)
        var out = ByteBuffer()
        events = try pipe.server.produceOutput(into: &out)
        #expect(events.closedStreams == [first: .noError, raced: .noError])
        #expect(!pipe.server.wantsRead)
        #expect(!pipe.server.wantsWrite)
    }

    @Test("GOAWAY with an error code, after a protocol error by the peer")
    func goAwayWithError() throws {
        let pipe = try makeConnectedPipe()
        let id = try pipe.client.sendRequest(headers: HTTP2TestClient.grpcRequestHeaders(), endStream: false)
        _ = try pipe.run()
        pipe.server.sendGoAway(errorCode: .protocolError, debugData: nil)
        let events = try pipe.run()
        #expect(events == [.goAwaySent(lastStreamID: id, errorCode: .protocolError)])
        #expect(pipe.client.goAway?.errorCode == .protocolError)
    }

    @Test("a frame on stream 0 that must not be there ends the connection, and receive keeps working")
    func protocolErrorEndsConnection() throws {
        let pipe = try makeConnectedPipe()
        let id = try pipe.client.sendRequest(headers: HTTP2TestClient.grpcRequestHeaders(), endStream: false)
        _ = try pipe.run()
        // DATA on stream 0 is a connection error.
        try pipe.client.sendRaw(HTTP2RawFrames.data(streamID: 0, payload: patternBuffer(count: 4), endStream: false))
        var events = try pipe.deliverClientToServer()
        #expect(events.isEmpty)
        var out = ByteBuffer()
        events = try pipe.server.produceOutput(into: &out)
        #expect(events == [.goAwaySent(lastStreamID: id, errorCode: .protocolError)])
        #expect(!pipe.server.wantsRead)
        #expect(!pipe.server.wantsWrite)
        // Further input is ignored, not an error.
        #expect(try pipe.server.receive(HTTP2RawFrames.ping(opaque: 1)).isEmpty)
    }

    @Test(
        "out-of-range configuration values are rejected",
        arguments: [
            HTTP2ServerSession.Configuration(initialStreamWindowSize: 1 << 31),
            HTTP2ServerSession.Configuration(connectionWindowSize: .max),
            HTTP2ServerSession.Configuration(maxFrameSize: 16_383),
            HTTP2ServerSession.Configuration(maxFrameSize: 1 << 24),
            HTTP2ServerSession.Configuration(maxHeaderListSize: 0),
            HTTP2ServerSession.Configuration(maxDeflateDynamicTableSize: -1),
            HTTP2ServerSession.Configuration(maxContinuations: -1),
            HTTP2ServerSession.Configuration(maxSettings: 0),
            HTTP2ServerSession.Configuration(maxOutboundAck: 0),
            HTTP2ServerSession.Configuration(maxOutboundBufferedBytesPerStream: 0),
        ]
    )
    func invalidConfiguration(configuration: HTTP2ServerSession.Configuration) {
        expectHTTP2Error(.invalidArgument) { _ = try HTTP2ServerSession(configuration: configuration) }
    }

    @Test("the defaults are the documented ones")
    func defaults() {
        let defaults = HTTP2ServerSession.Configuration.defaults
        #expect(defaults.maxConcurrentStreams == 100)
        #expect(defaults.initialStreamWindowSize == 1 << 20)
        #expect(defaults.connectionWindowSize == 2 << 20)
        #expect(defaults.maxFrameSize == 16_384)
        #expect(defaults.maxHeaderListSize == 16_384)
        #expect(defaults.headerTableSize == 4096)
        #expect(defaults.maxDeflateDynamicTableSize == 4096)
        #expect(defaults.streamResetRateLimit == .init(burst: 1000, ratePerSecond: 33))
        #expect(defaults.maxContinuations == 8)
        #expect(defaults.maxSettings == 32)
        #expect(defaults.maxOutboundAck == 1000)
        #expect(defaults.maxOutboundBufferedBytesPerStream == 64 << 10)
    }

    @Test("a session with open streams and queued output can be dropped at any time")
    func teardownWithState() throws {
        for _ in 0..<50 {
            let pipe = try makeConnectedPipe()
            let id = try pipe.client.sendRequest(headers: HTTP2TestClient.grpcRequestHeaders(), endStream: false)
            try pipe.client.sendData(streamID: id, patternBuffer(count: 1000), endStream: false)
            _ = try pipe.run()
            try pipe.server.sendResponseHeaders(streamID: id, headers: okStatus, endStream: false)
            try pipe.server.sendData(streamID: id, patternBuffer(count: 100_000))
            _ = try pipe.client.produceOutput()
        }
    }

    @Test("the HPACK encoder table stays within maxDeflateDynamicTableSize whatever the client allows")
    func deflateTableBound() throws {
        var clientConfiguration = HTTP2TestClient.Configuration.defaults
        clientConfiguration.settings = [.enablePush(0), .headerTableSize(1 << 20)]
        var configuration = HTTP2ServerSession.Configuration.defaults
        configuration.maxDeflateDynamicTableSize = 0
        let pipe = try makeConnectedPipe(server: configuration, client: clientConfiguration)
        // With a zero-size encoder table, repeating a header costs its full size each time.
        let id = try pipe.client.sendRequest(headers: HTTP2TestClient.grpcRequestHeaders(), endStream: true)
        _ = try pipe.run()
        // Huffman coding does not shrink "~", so each copy costs its full length.
        let field = HTTP2HeaderField(name: "x-repeated", value: String(repeating: "~", count: 500))
        try pipe.server.sendResponseHeaders(
            streamID: id, headers: okStatus + Array(repeating: field, count: 10), endStream: true)
        var out = ByteBuffer()
        _ = try pipe.server.produceOutput(into: &out)
        #expect(out.readableBytes > 10 * 500)
        try pipe.client.receive(out)
        #expect(pipe.client.responses[id]?.headers?.count == 11)

        // With the default 4 KiB table, the repeats are indexed and cheap.
        let indexed = try makeConnectedPipe(client: clientConfiguration)
        let other = try indexed.client.sendRequest(headers: HTTP2TestClient.grpcRequestHeaders(), endStream: true)
        _ = try indexed.run()
        try indexed.server.sendResponseHeaders(
            streamID: other, headers: okStatus + Array(repeating: field, count: 10), endStream: true)
        var small = ByteBuffer()
        _ = try indexed.server.produceOutput(into: &small)
        #expect(small.readableBytes < 2 * 500)
    }
}
