import LandlordHTTP2
import LandlordHTTP2TestSupport
import LandlordTransport
import NIOCore
import Testing

extension LiveServerTests {
    /// Each attack runs on its own connection while a well-behaved client (the
    /// bystander) has a call in flight on another: the attacker's connection
    /// ends (GOAWAY and/or close), the bystander's call finishes and new calls
    /// are served.
    @Suite("Protocol attacks end the attacker's connection or stream, and only that", .timeLimit(.minutes(1)))
    struct ProtocolAttackTests {
        enum Flood: String, CaseIterable, CustomTestStringConvertible {
            case settings
            case ping

            var testDescription: String { rawValue }

            func frames(count: Int) -> ByteBuffer {
                let frame =
                    switch self {
                    case .settings: HTTP2RawFrames.settings([])
                    case .ping: HTTP2RawFrames.ping(opaque: 0x666C_6F6F_6421)
                    }
                let one = Array(frame.readableBytesView)
                var bytes = [UInt8]()
                bytes.reserveCapacity(one.count * count)
                for _ in 0..<count { bytes += one }
                return ByteBuffer(bytes: bytes)
            }
        }

        @Test("rapid reset: thousands of HEADERS + RST_STREAM hit the reset rate limit (CVE-2023-44487)")
        func rapidReset() async throws {
            try await withBystander { scene in
                let attacker = scene.attacker
                let client = try #require(attacker.client)
                var bytes = ByteBuffer()
                let pairs = 3000
                for _ in 0..<pairs {
                    let id = client.reserveStreamID()
                    var headers = rawRequestHeaders(streamID: id, path: TestMethod.hang, endStream: true)
                    var reset = HTTP2RawFrames.rstStream(streamID: id, errorCode: .cancel)
                    bytes.writeBuffer(&headers)
                    bytes.writeBuffer(&reset)
                }
                try client.sendRaw(bytes)
                try await attacker.wait(for: "the server closes the attacker's connection") { $0.isClosed }
                // A stream reset in the same read as it opened never gets a handler; only
                // pairs cut by a read boundary may start one (then cancelled at once).
                #expect(scene.handlersStarted < 100, "handlers started for \(pairs) reset streams")
                if let goAway = attacker.goAways.last {
                    #expect(goAway.errorCode != .noError)
                }
            }
        }

        @Test("CONTINUATION flood: a header block in endless CONTINUATION frames (CVE-2024-27316)")
        func continuationFlood() async throws {
            try await withBystander { scene in
                let attacker = scene.attacker
                let client = try #require(attacker.client)
                let id = client.reserveStreamID()
                var bytes = HTTP2RawFrames.headers(
                    streamID: id,
                    block: HTTP2RawFrames.literalHeaderBlock(HTTP2TestClient.grpcRequestHeaders(path: TestMethod.hang)),
                    endStream: true,
                    endHeaders: false
                )
                for _ in 0..<1000 {
                    var continuation = HTTP2RawFrames.continuation(
                        streamID: id,
                        block: HTTP2RawFrames.literalHeaderBlock([.init(name: "x-flood", value: "a")]),
                        endHeaders: false
                    )
                    bytes.writeBuffer(&continuation)
                }
                try client.sendRaw(bytes)
                try await attacker.wait(for: "the server closes the attacker's connection") { $0.isClosed }
                #expect(scene.handlersStarted == 0)
            }
        }

        @Test("SETTINGS with more entries than maxSettings: GOAWAY(ENHANCE_YOUR_CALM)")
        func tooManySettings() async throws {
            try await withBystander { scene in
                let attacker = scene.attacker
                let client = try #require(attacker.client)
                let entries = [HTTP2TestClient.Setting](repeating: .headerTableSize(4096), count: 100)
                try client.sendRaw(HTTP2RawFrames.settings(entries))
                try await attacker.wait(for: "the server closes the attacker's connection") { $0.isClosed }
                #expect(attacker.goAways.last?.errorCode == .enhanceYourCalm)
            }
        }

        @Test(
            "a flood of frames that need an ACK, sent without reading the ACKs (CVE-2019-9512/9515)",
            arguments: Flood.allCases)
        func ackFlood(flood: Flood) async throws {
            try await withBystander(attackerReceiveBuffer: 4096) { scene in
                let attacker = scene.attacker
                await attacker.setReading(false)
                attacker.send(flood.frames(count: 20_000))
                // Look again only once the server had time to take the flood in.
                try await Task.sleep(for: .milliseconds(200))
                await attacker.setReading(true)
                try await attacker.wait(for: "the server closes the attacker's connection") { $0.isClosed }
            }
        }

        @Test("an invalid connection preface (an HTTP/1.1 request) closes the connection")
        func invalidPreface() async throws {
            try await withBystander(attackerClient: nil, rawHandshake: false) { scene in
                let attacker = scene.attacker
                attacker.send(ByteBuffer(string: "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"))
                try await attacker.wait(for: "the server closes the attacker's connection") { $0.isClosed }
            }
        }

        @Test("a header list over maxHeaderListSize resets that stream only; the connection goes on")
        func headerListTooLarge() async throws {
            try await withTestServer({ $0.http2.maxHeaderListSize = 8 * 1024 }) { server in
                let connection = try await server.connect()
                let id = try connection.startCall(
                    TestMethod.echo,
                    [[1]],
                    metadata: [.init(name: "x-large", value: String(repeating: "a", count: 10 * 1024))]
                )
                try await connection.finish(id)
                #expect(connection.response(id)?.resetCode == .enhanceYourCalm)
                #expect(connection.response(id)?.headers == nil)
                #expect(server.probe.started == 0)

                let (status, messages) = try await connection.unary(TestMethod.echo, [2])
                #expect(status == "0")
                #expect(messages == [[2]])
                #expect(connection.goAways.isEmpty)
            }
        }

        @Test(
            "a stream that sends beyond its flow-control window is reset with FLOW_CONTROL_ERROR, its handler cancelled"
        )
        func flowControlViolation() async throws {
            try await withBystander(
                configure: {
                    $0.http2.initialStreamWindowSize = 64 * 1024
                    $0.maxBufferedRequestBytesPerCall = 64 * 1024
                },
                attackerClient: nil
            ) { scene in
                let attacker = scene.attacker
                var bytes = rawRequestHeaders(streamID: 1, path: TestMethod.hang, endStream: false)
                let message = TestConnection.frame([UInt8](repeating: 1, count: 8 * 1024))
                for _ in 0..<64 {
                    var data = HTTP2RawFrames.data(streamID: 1, payload: message, endStream: false)
                    bytes.writeBuffer(&data)
                }
                attacker.send(bytes)
                try await attacker.wait(for: "the server resets the stream or closes the connection") {
                    $0.resetCode(1) != nil || $0.isClosed
                }
                #expect(attacker.resetCode(1) == .flowControlError)
                try await eventually("the stream's handler is cancelled") { scene.server.probe.cancelled == 1 }
                #expect(!attacker.isClosed)
            }
        }

        @Test("a header block of zero-length fields (CVE-2019-9516) resets that stream; no handler starts")
        func zeroLengthHeaders() async throws {
            try await withBystander(attackerClient: nil) { scene in
                let attacker = scene.attacker
                var block = HTTP2RawFrames.literalHeaderBlock(HTTP2TestClient.grpcRequestHeaders(path: TestMethod.echo))
                for _ in 0..<5000 { block.writeBytes([0x00, 0x00, 0x00]) }  // literal, empty name, empty value
                attacker.send(headerFrames(streamID: 1, block: block, endStream: true))
                try await attacker.wait(for: "the server resets the stream or closes the connection") {
                    $0.resetCode(1) != nil || $0.isClosed
                }
                #expect(attacker.resetCode(1) == .protocolError)
                #expect(scene.handlersStarted == 0)
                #expect(!attacker.isClosed)
            }
        }

        @Test("a flood of empty DATA frames (CVE-2019-9518) reaches no handler; the stream still works after it")
        func emptyFrames() async throws {
            try await withBystander(attackerClient: nil) { scene in
                let attacker = scene.attacker
                attacker.send(rawRequestHeaders(streamID: 1, path: TestMethod.echoStream, endStream: false))
                let one = Array(
                    HTTP2RawFrames.data(streamID: 1, payload: ByteBuffer(), endStream: false).readableBytesView)
                var bytes = [UInt8]()
                for _ in 0..<100_000 { bytes += one }
                attacker.send(ByteBuffer(bytes: bytes))
                attacker.send(HTTP2RawFrames.data(streamID: 1, payload: TestConnection.frame([7]), endStream: true))
                try await attacker.wait(for: "the stream's answer") {
                    $0.frames(on: 1).contains { $0.flags & HTTP2RawFrames.Flags.endStream != 0 }
                }
                let data = attacker.frames(on: 1).filter { $0.type == HTTP2RawFrames.FrameType.data }
                #expect(data.map(\.payload) == [TestConnection.frame([7])], "one message in, the same message out")
                #expect(scene.handlersStarted == 1)
                #expect(!attacker.isClosed)
            }
        }

        enum Bomb: String, CaseIterable, CustomTestStringConvertible {
            /// One 4 KB field put in the HPACK dynamic table, then referenced 4000 times (16 MB decoded).
            case indexedReferences
            /// One literal field value of 50 KB: over the header list limit.
            case largeLiteral
            /// One literal field value of 100 KB: over nghttp2's own HPACK field limit.
            case hugeLiteral

            var testDescription: String { rawValue }

            /// The HPACK representation of the bomb's fields.
            var fields: ByteBuffer {
                var block = ByteBuffer()
                switch self {
                case .indexedReferences:
                    HPACK.writeLiteralWithIndexing(
                        name: "x-bomb", value: String(repeating: "b", count: 4000), into: &block)
                    for _ in 0..<4000 { block.writeInteger(UInt8(0x80 | 62)) }  // indexed: the newest dynamic entry
                case .largeLiteral:
                    block = HTTP2RawFrames.literalHeaderBlock([
                        .init(name: "x-bomb", value: String(repeating: "b", count: 50_000))
                    ])
                case .hugeLiteral:
                    block = HTTP2RawFrames.literalHeaderBlock([
                        .init(name: "x-bomb", value: String(repeating: "b", count: 100_000))
                    ])
                }
                return block
            }
        }

        @Test("an HPACK bomb is never decoded into a request", arguments: Bomb.allCases)
        func hpackBomb(bomb: Bomb) async throws {
            // A raw attacker: its HPACK encoder state is ours to keep consistent.
            try await withBystander(attackerClient: nil) { scene in
                let attacker = scene.attacker
                var block = HTTP2RawFrames.literalHeaderBlock(HTTP2TestClient.grpcRequestHeaders(path: TestMethod.echo))
                var fields = bomb.fields
                block.writeBuffer(&fields)
                attacker.send(headerFrames(streamID: 1, block: block, endStream: true))

                switch bomb {
                case .indexedReferences, .largeLiteral:
                    // Only that stream is reset, while HPACK stays in sync: the connection still serves.
                    try await attacker.wait(for: "the server resets the stream") { $0.resetCode(1) != nil }
                    #expect(attacker.resetCode(1) == .enhanceYourCalm)
                    var request = rawRequestHeaders(streamID: 3, path: TestMethod.echo, endStream: false)
                    var data = HTTP2RawFrames.data(streamID: 3, payload: TestConnection.frame([9]), endStream: true)
                    request.writeBuffer(&data)
                    attacker.send(request)
                    try await attacker.wait(for: "the next request is answered") {
                        $0.frames(on: 3).contains { $0.flags & HTTP2RawFrames.Flags.endStream != 0 }
                    }
                    let answer = attacker.frames(on: 3)
                    #expect(
                        answer.map(\.type) == [
                            HTTP2RawFrames.FrameType.headers, HTTP2RawFrames.FrameType.data,
                            HTTP2RawFrames.FrameType.headers,
                        ])
                    #expect(
                        answer.first { $0.type == HTTP2RawFrames.FrameType.data }?.payload == TestConnection.frame([9]))
                    #expect(scene.handlersStarted == 1, "only the well-formed request")
                    #expect(!attacker.isClosed)
                case .hugeLiteral:
                    // nghttp2 refuses to decode the field at all: the HPACK context is lost, so is the connection.
                    try await attacker.wait(for: "the server closes the connection") { $0.isClosed }
                    #expect(attacker.goAways.last?.errorCode == .compressionError)
                    #expect(scene.handlersStarted == 0)
                }
            }
        }
    }
}

/// A header block as a HEADERS frame and as many CONTINUATION frames as 16 KiB frames need.
func headerFrames(streamID: Int32, block: ByteBuffer, endStream: Bool) -> ByteBuffer {
    var bytes = ByteBuffer()
    let frameSize = 16 * 1024
    var offset = 0
    repeat {
        let length = min(frameSize, block.readableBytes - offset)
        let piece = block.getSlice(at: block.readerIndex + offset, length: length)!
        let last = offset + length == block.readableBytes
        var frame =
            offset == 0
            ? HTTP2RawFrames.headers(streamID: streamID, block: piece, endStream: endStream, endHeaders: last)
            : HTTP2RawFrames.continuation(streamID: streamID, block: piece, endHeaders: last)
        bytes.writeBuffer(&frame)
        offset += length
    } while offset < block.readableBytes
    return bytes
}

/// A HEADERS frame with a gRPC request for `path` in literal, unindexed fields.
func rawRequestHeaders(streamID: Int32, path: String, endStream: Bool) -> ByteBuffer {
    HTTP2RawFrames.headers(
        streamID: streamID,
        block: HTTP2RawFrames.literalHeaderBlock(HTTP2TestClient.grpcRequestHeaders(path: path)),
        endStream: endStream
    )
}

/// HPACK representations the raw-frame helpers do not build.
enum HPACK {
    /// "Literal header field with incremental indexing — new name" (RFC 7541 §6.2.1): the field enters the dynamic table.
    static func writeLiteralWithIndexing(name: String, value: String, into buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8(0x40))
        writeString(name, into: &buffer)
        writeString(value, into: &buffer)
    }

    private static func writeString(_ string: String, into buffer: inout ByteBuffer) {
        let bytes = Array(string.utf8)
        // Length with a 7-bit prefix, no Huffman coding (RFC 7541 §5.1, §5.2).
        if bytes.count < 127 {
            buffer.writeInteger(UInt8(bytes.count))
        } else {
            buffer.writeInteger(UInt8(127))
            var rest = bytes.count - 127
            while rest >= 128 {
                buffer.writeInteger(UInt8(rest % 128 + 128))
                rest /= 128
            }
            buffer.writeInteger(UInt8(rest))
        }
        buffer.writeBytes(bytes)
    }
}

/// The attacker's connection, and what the attack made the server do.
struct AttackScene {
    let server: TestServer
    let attacker: TestConnection

    /// Handlers the attack started (the bystander's call in flight is not counted).
    var handlersStarted: Int { server.probe.started - 1 }
}

/// Runs `attack` on a fresh connection (after its handshake, raw or by its
/// client session, unless `rawHandshake` is false for a raw one) while a bystander
/// connection has a call in flight; then checks that the bystander's call
/// finishes and that the bystander can still make calls.
func withBystander(
    configure: (inout GRPCServer.Configuration) -> Void = { _ in },
    attackerClient: HTTP2TestClient.Configuration? = .defaults,
    attackerReceiveBuffer: Int? = nil,
    rawHandshake: Bool = true,
    _ attack: (AttackScene) async throws -> Void
) async throws {
    try await withTestServer(configure) { server in
        let bystander = try await server.connect()
        let inFlight = try bystander.startCall(TestMethod.gated, [[1]])
        try await eventually("the bystander's call runs") { server.probe.started == 1 }

        let attacker = try await server.connect(client: attackerClient, receiveBufferSize: attackerReceiveBuffer)
        if attackerClient != nil {
            try await attacker.handshake()
        } else if rawHandshake {
            try await attacker.rawHandshake()
        }
        try await attack(AttackScene(server: server, attacker: attacker))

        server.probe.openGate()
        try await bystander.finish(inFlight)
        #expect(bystander.status(inFlight) == "0", "the bystander's call in flight finished")
        let (status, messages) = try await bystander.unary(TestMethod.echo, [42])
        #expect(status == "0", "the bystander is still served")
        #expect(messages == [[42]])
        #expect(!bystander.isClosed)
        #expect(bystander.goAways.isEmpty)
    }
}
