import LandlordHTTP2
import LandlordHTTP2TestSupport
import NIOCore
import Testing

@Suite("Hardening against known HTTP/2 attacks")
struct HardeningTests {
    // MARK: Header list size (HPACK bombs, huge headers)

    @Test(
        "a request header list over maxHeaderListSize resets that stream only",
        arguments: [
            // (description, extra fields)
            ("one huge value", [HTTP2HeaderField(name: "x-huge", value: String(repeating: "h", count: 20_000))]),
            ("many small fields", (0..<600).map { HTTP2HeaderField(name: "x-f\($0)", value: "v") }),
            (
                "just over the limit",
                [HTTP2HeaderField(name: "x-pad", value: String(repeating: "p", count: 16_384 - 220))]
            ),
        ]
    )
    func headerListTooLarge(description: String, extra: [HTTP2HeaderField]) throws {
        let pipe = try makeConnectedPipe()
        let headers = HTTP2TestClient.grpcRequestHeaders(extra: extra)
        #expect(headers.reduce(0) { $0 + $1.headerListSize } > 16_384, "\(description)")
        let bad = try pipe.client.sendRequest(headers: headers, endStream: true)
        var events = try pipe.run()
        #expect(events.isEmpty, "\(description)")
        #expect(pipe.client.resetCodes[bad] == .enhanceYourCalm, "\(description)")
        #expect(pipe.client.goAway == nil)
        #expect(pipe.server.openStreamCount == 0)

        // The next stream on the same connection works, and HPACK is still in sync
        // (the client's encoder indexed fields of the rejected block).
        let good = try pipe.client.sendRequest(
            headers: HTTP2TestClient.grpcRequestHeaders(
                extra: Array(extra.prefix(3).map { .init(name: $0.name, value: String($0.value.prefix(100))) })),
            endStream: true)
        events = try pipe.run()
        #expect(events.requestHeaders.map(\.streamID) == [good])
        #expect(events.requestHeaders.first?.headers.count == 6 + min(3, extra.count))
    }

    @Test("a header list exactly at maxHeaderListSize is accepted")
    func headerListAtLimit() throws {
        var configuration = HTTP2ServerSession.Configuration.defaults
        configuration.maxHeaderListSize = 1000
        let pipe = try makeConnectedPipe(server: configuration)
        var headers = HTTP2TestClient.grpcRequestHeaders()
        let base = headers.reduce(0) { $0 + $1.headerListSize }
        headers.append(.init(name: "x-fill", value: String(repeating: "f", count: 1000 - base - 32 - 6)))
        #expect(headers.reduce(0) { $0 + $1.headerListSize } == 1000)
        let id = try pipe.client.sendRequest(headers: headers, endStream: true)
        #expect(try pipe.run().requestHeaders.map(\.streamID) == [id])
        // One byte more is refused.
        headers[headers.count - 1].value += "f"
        let over = try pipe.client.sendRequest(headers: headers, endStream: true)
        #expect(try pipe.run().isEmpty)
        #expect(pipe.client.resetCodes[over] == .enhanceYourCalm)
    }

    @Test("HPACK bomb: a few hundred bytes on the wire that decode to megabytes are cut off early")
    func hpackBomb() throws {
        var clientConfiguration = HTTP2TestClient.Configuration.defaults
        clientConfiguration.maxSendHeaderBlockLength = 8 << 20
        let pipe = try makeConnectedPipe(client: clientConfiguration)
        // Index one 2 000-byte field in the server's decoder table (nghttp2's encoder
        // indexes fields up to 3/4 of the 4 096-byte table).
        let big = HTTP2HeaderField(name: "x-bomb", value: String(repeating: "b", count: 2000))
        let first = try pipe.client.sendRequest(
            headers: HTTP2TestClient.grpcRequestHeaders(extra: [big]), endStream: true)
        #expect(try pipe.run().requestHeaders.map(\.streamID) == [first])
        // Now reference it 1 000 times: ~1 KB of HPACK, ~2 MB decoded.
        let bomb = try pipe.client.sendRequest(
            headers: HTTP2TestClient.grpcRequestHeaders(extra: Array(repeating: big, count: 1000)), endStream: true)
        let wire = try pipe.client.produceOutput()
        #expect(wire.readableBytes < 4_000)
        #expect(
            HTTP2RawFrames.parse(wire).contains { $0.type == HTTP2RawFrames.FrameType.headers && $0.streamID == bomb })
        let events = try pipe.server.receive(wire)
        #expect(events.isEmpty)
        _ = try pipe.run()
        #expect(pipe.client.resetCodes[bomb] == .enhanceYourCalm)
        #expect(pipe.server.openStreamCount == 1)  // `first`, still waiting for its response
        let after = try pipe.client.sendRequest(
            headers: HTTP2TestClient.grpcRequestHeaders(extra: [big]), endStream: true)
        #expect(try pipe.run().requestHeaders.map(\.streamID) == [after])
    }

    @Test("request trailers over the limit reset the live stream, which then closes once")
    func trailersTooLarge() throws {
        var configuration = HTTP2ServerSession.Configuration.defaults
        configuration.maxHeaderListSize = 2000
        let pipe = try makeConnectedPipe(server: configuration)
        let id = try pipe.client.sendRequest(headers: HTTP2TestClient.grpcRequestHeaders(), endStream: false)
        try pipe.client.sendData(streamID: id, patternBuffer(count: 10), endStream: false)
        try pipe.client.sendTrailers(
            streamID: id, headers: [.init(name: "x-t", value: String(repeating: "t", count: 3000))])
        let events = try pipe.run()
        #expect(events.requestHeaders.count == 1)
        #expect(!events.contains(.requestEnded(streamID: id)))
        #expect(events.last == .streamClosed(streamID: id, errorCode: .enhanceYourCalm))
        #expect(pipe.client.resetCodes[id] == .enhanceYourCalm)
        #expect(pipe.server.openStreamCount == 0)
    }

    // MARK: CVE-2023-44487 rapid reset

    /// HEADERS + RST_STREAM pairs, each pair flushed separately so the client
    /// library really sends both.
    private func rapidReset(_ pipe: HTTP2InMemoryPipe, count: Int) throws -> ByteBuffer {
        var attack = ByteBuffer()
        for _ in 0..<count {
            let id = try pipe.client.sendRequest(headers: HTTP2TestClient.grpcRequestHeaders(), endStream: false)
            var headers = try pipe.client.produceOutput()
            attack.writeBuffer(&headers)
            try pipe.client.resetStream(streamID: id, errorCode: .cancel)
            var reset = try pipe.client.produceOutput()
            attack.writeBuffer(&reset)
        }
        return attack
    }

    @Test(
        "rapid reset: past the RST_STREAM budget the server sends GOAWAY and stops taking streams",
        arguments: [(UInt64(10), 3000), (1000, 3000)])
    func rapidReset(burst: UInt64, pairs: Int) throws {
        var configuration = HTTP2ServerSession.Configuration.defaults
        configuration.streamResetRateLimit = .init(burst: burst, ratePerSecond: 1)
        let pipe = try makeConnectedPipe(server: configuration)
        var attack = try self.rapidReset(pipe, count: pairs)
        let pairsPerChunk = 16_384 * pairs / attack.readableBytes + 1
        // A transport reads in chunks and writes between reads.
        var events: [HTTP2Event] = []
        var goAwayAt: Int?
        while attack.readableBytes > 0, pipe.server.wantsRead {
            events += try pipe.server.receive(attack.readSlice(length: min(16_384, attack.readableBytes))!)
            var out = ByteBuffer()
            events += try pipe.server.produceOutput(into: &out)
            try pipe.client.receive(out)
            if goAwayAt == nil,
                events.contains(where: { if case .goAwaySent = $0 { return true } else { return false } })
            {
                goAwayAt = events.requestHeaders.count
            }
        }
        let accepted = events.requestHeaders.count
        let sentGoAway = events.compactMap { event -> HTTP2ErrorCode? in
            if case .goAwaySent(_, let code) = event { return code }
            return nil
        }
        #expect(sentGoAway == [.internalError])
        #expect(pipe.client.goAway?.errorCode == .internalError)
        // The budget bounds the work: about `burst` streams, plus what was already in
        // the chunk being processed when the bucket ran dry.
        #expect(accepted <= Int(burst) + pairsPerChunk)
        #expect(accepted < pairs)
        #expect(try #require(goAwayAt) >= Int(burst))
        // The connection winds down.
        #expect(!pipe.server.wantsRead)
        #expect(!pipe.server.wantsWrite)
        #expect(pipe.server.openStreamCount == 0)
    }

    @Test("resets within the budget are fine")
    func resetsWithinBudget() throws {
        var configuration = HTTP2ServerSession.Configuration.defaults
        configuration.streamResetRateLimit = .init(burst: 50, ratePerSecond: 1)
        let pipe = try makeConnectedPipe(server: configuration)
        let attack = try self.rapidReset(pipe, count: 40)
        let events = try pipe.server.receive(attack)
        var out = ByteBuffer()
        _ = try pipe.server.produceOutput(into: &out)
        try pipe.client.receive(out)
        #expect(events.requestHeaders.count == 40)
        #expect(events.closedStreams.count == 40)
        #expect(pipe.client.goAway == nil)
        #expect(pipe.server.wantsRead)
    }

    // MARK: CVE-2024-27316 CONTINUATION flood

    private func continuationFlood(_ pipe: HTTP2InMemoryPipe, continuations: Int, emptyFrames: Bool) throws
        -> ByteBuffer
    {
        let id = pipe.client.reserveStreamID()
        let block = HTTP2RawFrames.literalHeaderBlock(HTTP2TestClient.grpcRequestHeaders())
        var bytes = try pipe.client.produceOutput()
        var pieces: [ByteBuffer] = []
        if emptyFrames {
            pieces = [block] + Array(repeating: ByteBuffer(), count: continuations)
        } else {
            // Cut the block into continuations + 1 pieces.
            var rest = block
            let size = max(1, block.readableBytes / (continuations + 1))
            for _ in 0..<continuations {
                pieces.append(rest.readSlice(length: min(size, rest.readableBytes))!)
            }
            pieces.append(rest)
        }
        var headers = HTTP2RawFrames.headers(
            streamID: id, block: pieces[0], endStream: true, endHeaders: continuations == 0)
        bytes.writeBuffer(&headers)
        for (index, piece) in pieces.dropFirst().enumerated() {
            var frame = HTTP2RawFrames.continuation(
                streamID: id, block: piece, endHeaders: !emptyFrames && index == continuations - 1)
            bytes.writeBuffer(&frame)
        }
        return bytes
    }

    @Test("CONTINUATION flood: more CONTINUATIONs than allowed is a connection error", arguments: [true, false])
    func continuationFlood(emptyFrames: Bool) throws {
        let pipe = try makeConnectedPipe()
        let attack = try self.continuationFlood(pipe, continuations: 1000, emptyFrames: emptyFrames)
        let error = #expect(throws: HTTP2Error.self) { try pipe.server.receive(attack) }
        #expect(error?.code == .tooManyContinuations)
        #expect(pipe.server.openStreamCount <= 1)
    }

    @Test(
        "maxContinuations is applied: the limit itself is fine (even one byte at a time), one more is not",
        arguments: [2, 8])
    func continuationLimit(limit: Int) throws {
        var configuration = HTTP2ServerSession.Configuration.defaults
        configuration.maxContinuations = limit
        var pipe = try makeConnectedPipe(server: configuration)
        var ok = try self.continuationFlood(pipe, continuations: limit, emptyFrames: false)
        var events: [HTTP2Event] = []
        while ok.readableBytes > 0 {
            events += try pipe.server.receive(ok.readSlice(length: 1)!)
        }
        #expect(events.requestHeaders.count == 1)
        #expect(events.requestHeaders.first?.headers == HTTP2TestClient.grpcRequestHeaders())

        pipe = try makeConnectedPipe(server: configuration)
        let tooMany = try self.continuationFlood(pipe, continuations: limit + 1, emptyFrames: false)
        let error = #expect(throws: HTTP2Error.self) { try pipe.server.receive(tooMany) }
        #expect(error?.code == .tooManyContinuations)
    }

    // MARK: CVE-2019-9512 / 9515 floods of frames that need an answer

    @Test("SETTINGS flood from a client that does not read: FLOODED", arguments: [10, 1000])
    func settingsFlood(maxOutboundAck: Int) throws {
        var configuration = HTTP2ServerSession.Configuration.defaults
        configuration.maxOutboundAck = maxOutboundAck
        let pipe = try makeConnectedPipe(server: configuration)
        var attack = ByteBuffer()
        for _ in 0..<(maxOutboundAck + 10) {
            var frame = HTTP2RawFrames.settings([.maxConcurrentStreams(100)])
            attack.writeBuffer(&frame)
        }
        let error = #expect(throws: HTTP2Error.self) { try pipe.server.receive(attack) }
        #expect(error?.code == .flooded)
        // Draining afterwards is bounded and ends the connection.
        var out = ByteBuffer()
        _ = try pipe.server.produceOutput(into: &out)
        #expect(out.readableBytes < (maxOutboundAck + 10) * 9 + 1000)
    }

    @Test("PING flood from a client that does not read: FLOODED")
    func pingFlood() throws {
        let pipe = try makeConnectedPipe()
        var attack = ByteBuffer()
        for index in 0..<1100 {
            var frame = HTTP2RawFrames.ping(opaque: UInt64(index))
            attack.writeBuffer(&frame)
        }
        let error = #expect(throws: HTTP2Error.self) { try pipe.server.receive(attack) }
        #expect(error?.code == .flooded)
    }

    @Test("PINGs answered as they come are not a flood")
    func pingsThatAreRead() throws {
        let pipe = try makeConnectedPipe()
        for index in 0..<1500 {
            #expect(try pipe.server.receive(HTTP2RawFrames.ping(opaque: UInt64(index))).isEmpty)
            if index % 100 == 99 {
                var out = ByteBuffer()
                _ = try pipe.server.produceOutput(into: &out)
                #expect(HTTP2RawFrames.parse(out).filter { $0.type == HTTP2RawFrames.FrameType.ping }.count == 100)
            }
        }
        #expect(pipe.server.wantsRead)
    }

    @Test("a SETTINGS frame with more entries than maxSettings ends the connection")
    func tooManySettingsEntries() throws {
        let pipe = try makeConnectedPipe()
        let entries = (0..<33).map { HTTP2TestClient.Setting.maxConcurrentStreams(UInt32($0)) }
        try pipe.client.sendRaw(HTTP2RawFrames.settings(entries))
        let events = try pipe.run()
        #expect(events == [.goAwaySent(lastStreamID: 0, errorCode: .enhanceYourCalm)])
        #expect(pipe.client.goAway?.errorCode == .enhanceYourCalm)
        #expect(!pipe.server.wantsRead)

        var configuration = HTTP2ServerSession.Configuration.defaults
        configuration.maxSettings = 33
        let lenient = try makeConnectedPipe(server: configuration)
        try lenient.client.sendSettings(entries)
        #expect(try lenient.run() == [.settingsReceived])
        #expect(lenient.client.goAway == nil)
    }

    // MARK: Framing and preface

    @Test(
        "a connection that does not start with the HTTP/2 preface is rejected",
        arguments: [
            "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n",
            "PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n",
            "\u{16}\u{03}\u{01}\u{02}\u{00}\u{01}\u{00}\u{01}\u{fc}\u{03}\u{03}0123456789abcdef",  // TLS ClientHello
        ]
    )
    func badPreface(preface: String) throws {
        let server = try HTTP2ServerSession(configuration: .defaults)
        let error = #expect(throws: HTTP2Error.self) { try server.receive(ByteBuffer(string: preface)) }
        #expect(error?.code == .badClientMagic)
    }

    @Test("the preface may arrive one byte at a time")
    func prefaceByteByByte() throws {
        let server = try HTTP2ServerSession(configuration: .defaults)
        let client = try HTTP2TestClient()
        var bytes = try client.produceOutput()
        var events: [HTTP2Event] = []
        while bytes.readableBytes > 0 {
            events += try server.receive(bytes.readSlice(length: 1)!)
        }
        #expect(events == [.settingsReceived])
    }

    @Test("a DATA frame larger than our SETTINGS_MAX_FRAME_SIZE is a connection error")
    func frameTooLarge() throws {
        let pipe = try makeConnectedPipe()
        let id = try pipe.client.sendRequest(headers: HTTP2TestClient.grpcRequestHeaders(), endStream: false)
        _ = try pipe.run()
        try pipe.client.sendRaw(
            HTTP2RawFrames.data(streamID: id, payload: patternBuffer(count: 16_385), endStream: false))
        let events = try pipe.run()
        #expect(events.contains(.goAwaySent(lastStreamID: id, errorCode: .frameSizeError)))
        #expect(pipe.client.goAway?.errorCode == .frameSizeError)
        #expect(events.requestBody(streamID: id).readableBytes == 0)
    }

    @Test("DATA beyond the stream window resets the stream with FLOW_CONTROL_ERROR")
    func flowControlViolation() throws {
        var configuration = HTTP2ServerSession.Configuration.defaults
        configuration.initialStreamWindowSize = 1000
        configuration.connectionWindowSize = 65_535
        let pipe = try makeConnectedPipe(server: configuration)
        let id = try pipe.client.sendRequest(headers: HTTP2TestClient.grpcRequestHeaders(), endStream: false)
        _ = try pipe.run()
        #expect(pipe.client.remoteWindowSize(streamID: id) == 1000)
        try pipe.client.sendRaw(
            HTTP2RawFrames.data(streamID: id, payload: patternBuffer(count: 40_000 / 3), endStream: false))
        let events = try pipe.run()
        // nghttp2 still hands over the offending chunk, then resets the stream; the
        // stream's bytes go back to the connection window when it closes.
        #expect(events.last == .streamClosed(streamID: id, errorCode: .flowControlError))
        #expect(pipe.client.resetCodes[id] == .flowControlError)
        #expect(pipe.client.goAway == nil)
        #expect(pipe.server.openStreamCount == 0)
        let next = try pipe.client.sendRequest(headers: HTTP2TestClient.grpcRequestHeaders(), endStream: true)
        #expect(try pipe.run().requestHeaders.map(\.streamID) == [next])
    }
}
