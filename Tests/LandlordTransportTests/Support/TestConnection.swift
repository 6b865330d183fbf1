import LandlordHTTP2
import LandlordHTTP2TestSupport
import NIOCore
import NIOPosix
import Synchronization
import Testing

/// One TCP connection to a server under test, driven by the test's task.
///
/// With a client (the default) an ``HTTP2TestClient`` speaks HTTP/2 over the
/// socket: ``flush()`` writes what it queued, ``pump()`` feeds it what the server
/// sent. Without one the socket is raw and the test writes every byte with
/// ``send(_:)``. Either way every frame the server sent is also parsed on its
/// own into ``frames``, so tests can look at frames the client session would
/// reject or never see (replies on raw streams, GOAWAY after a flood).
///
/// Nothing here blocks: writes are queued on the socket's event loop (a server
/// that stops reading cannot stall the test), and ``wait(for:timeout:_:)``
/// polls.
final class TestConnection {
    /// The HTTP/2 client session, unless the connection is raw.
    let client: HTTP2TestClient?
    let channel: any Channel
    private let inbox: SocketInbox
    private var unparsed = ByteBuffer()
    /// Every frame the server sent so far (after ``pump()``), in order.
    private(set) var frames: [HTTP2RawFrames.Frame] = []
    /// Why the client session stopped accepting the server's bytes, if it did.
    private(set) var clientError: (any Error)?
    /// Bytes the server sent so far (after ``pump()``).
    private(set) var bytesReceived = 0
    /// Whether ``frames`` keeps what arrives (off for tests that download a lot).
    var recordsFrames = true

    private init(client: HTTP2TestClient?, channel: any Channel, inbox: SocketInbox) {
        self.client = client
        self.channel = channel
        self.inbox = inbox
    }

    static func connect(
        to address: SocketAddress,
        client configuration: HTTP2TestClient.Configuration?,
        reading: Bool,
        receiveBufferSize: Int?,
        sendPreface: Bool
    ) async throws -> TestConnection {
        let inbox = SocketInbox()
        var bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelOption(.autoRead, value: reading)
        if let receiveBufferSize {
            bootstrap = bootstrap.channelOption(.socketOption(.so_rcvbuf), value: SocketOptionValue(receiveBufferSize))
        }
        let channel = try await bootstrap.channelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandler(InboxHandler(inbox: inbox))
            }
        }
        .connect(to: address)
        .get()
        let connection = TestConnection(
            client: try configuration.map { try HTTP2TestClient(configuration: $0) },
            channel: channel,
            inbox: inbox
        )
        if sendPreface { try connection.flush() }
        return connection
    }

    // MARK: Bytes

    /// Whether the socket has closed (seen only while it reads).
    var isClosed: Bool { inbox.isClosed }

    /// Writes raw bytes to the socket now, after everything written before.
    func send(_ bytes: ByteBuffer) {
        channel.writeAndFlush(bytes, promise: nil)
    }

    /// Writes what the client session has queued.
    func flush() throws {
        guard let client else { return }
        let bytes = try client.produceOutput()
        if bytes.readableBytes > 0 { send(bytes) }
    }

    /// Hands what the server sent to the frame parser and the client session.
    func pump() {
        while let bytes = inbox.take() {
            bytesReceived += bytes.readableBytes
            if recordsFrames {
                var copy = bytes
                unparsed.writeBuffer(&copy)
            }
            if let client, clientError == nil {
                do { try client.receive(bytes) } catch { clientError = error }
            }
        }
        let parsed = HTTP2RawFrames.parse(unparsed)
        if !parsed.isEmpty {
            unparsed.moveReaderIndex(forwardBy: parsed.reduce(0) { $0 + 9 + $1.payload.readableBytes })
            unparsed.discardReadBytes()
            frames += parsed
        }
    }

    /// Flushes and pumps until `condition` holds; throws ``WaitTimeout`` after
    /// `timeout` (a bound against hangs, not a performance claim).
    func wait(
        for description: String,
        timeout: Duration = .seconds(10),
        _ condition: (TestConnection) throws -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + timeout
        while true {
            try flush()
            pump()
            if try condition(self) { return }
            guard ContinuousClock.now < deadline else {
                throw WaitTimeout(description: "\(description) (connection: \(summary))")
            }
            try await Task.sleep(for: .milliseconds(2))
        }
    }

    /// Keeps flushing and pumping for `duration`: lets the client session react
    /// to what the server does (send more as windows open, ACK PINGs) for a while.
    func drive(for duration: Duration) async throws {
        let end = ContinuousClock.now + duration
        while ContinuousClock.now < end {
            try flush()
            pump()
            try await Task.sleep(for: .milliseconds(2))
        }
        try flush()
        pump()
    }

    /// Turns reading from the socket on or off (moot once it has closed).
    func setReading(_ reading: Bool) async {
        try? await channel.setOption(.autoRead, value: reading).get()
    }

    func close() {
        channel.close(promise: nil)
    }

    // MARK: What the server sent

    /// What happened on the connection, for failure messages.
    var summary: String {
        let types = Dictionary(grouping: frames, by: \.type).mapValues(\.count)
        return "closed \(isClosed), \(bytesReceived) bytes received, frames by type \(types), "
            + "GOAWAYs \(goAways), client error \(clientError.map { "\($0)" } ?? "none")"
    }

    /// GOAWAY frames received: last stream id and error code.
    var goAways: [(lastStreamID: Int32, errorCode: HTTP2ErrorCode)] {
        frames.compactMap(\.goAway)
    }

    /// PING frames the server sent (not ACKs).
    var pings: [HTTP2RawFrames.Frame] {
        frames.filter { $0.type == HTTP2RawFrames.FrameType.ping && $0.flags & HTTP2RawFrames.Flags.ack == 0 }
    }

    /// Whether the server acknowledged our SETTINGS.
    var settingsAcknowledged: Bool {
        frames.contains { $0.type == HTTP2RawFrames.FrameType.settings && $0.flags & HTTP2RawFrames.Flags.ack != 0 }
    }

    /// The RST_STREAM code the server sent for a stream.
    func resetCode(_ streamID: Int32) -> HTTP2ErrorCode? {
        frames.first { $0.streamID == streamID && $0.type == HTTP2RawFrames.FrameType.rstStream }?.rstStreamCode
    }

    /// The frames the server sent on a stream.
    func frames(on streamID: Int32) -> [HTTP2RawFrames.Frame] {
        frames.filter { $0.streamID == streamID }
    }

    /// Waits until the server sent its SETTINGS ACK: it has read and accepted our preface.
    func handshake() async throws {
        try await wait(for: "the server acknowledges our SETTINGS") { $0.settingsAcknowledged }
    }

    /// For a raw connection: sends the preface and `settings`, acknowledges the
    /// server's SETTINGS and waits for the server to acknowledge ours.
    func rawHandshake(settings: [HTTP2TestClient.Setting] = []) async throws {
        var bytes = HTTP2RawFrames.clientPreface
        var frame = HTTP2RawFrames.settings(settings)
        bytes.writeBuffer(&frame)
        send(bytes)
        try await wait(for: "the server's SETTINGS") {
            $0.frames.contains {
                $0.type == HTTP2RawFrames.FrameType.settings && $0.flags & HTTP2RawFrames.Flags.ack == 0
            }
        }
        send(HTTP2RawFrames.settingsAck())
        try await handshake()
    }

    // MARK: gRPC calls

    /// Opens a call: request HEADERS for `path` (plus `metadata`), then each
    /// message framed in its own DATA frame; END_STREAM after the last one if
    /// `endStream`.
    @discardableResult
    func startCall(
        _ path: String,
        _ messages: [[UInt8]] = [],
        metadata: [HTTP2HeaderField] = [],
        endStream: Bool = true
    ) throws -> Int32 {
        let client = try #require(client, "a raw connection has no client session")
        let headers = HTTP2TestClient.grpcRequestHeaders(path: path, extra: metadata)
        if messages.isEmpty && endStream {
            return try client.sendRequest(headers: headers, endStream: true)
        }
        let id = try client.sendRequest(headers: headers, endStream: false)
        for (index, message) in messages.enumerated() {
            try client.sendData(streamID: id, Self.frame(message), endStream: endStream && index == messages.count - 1)
        }
        try flush()
        return id
    }

    /// The client session's view of a stream's response.
    func response(_ streamID: Int32) -> HTTP2TestClient.Response? {
        client?.responses[streamID]
    }

    /// Whether a stream's response ended: END_STREAM, a reset, or the connection closed.
    func isFinished(_ streamID: Int32) -> Bool {
        guard let response = response(streamID) else { return isClosed }
        return response.endStream || response.resetCode != nil || response.closeCode != nil || isClosed
    }

    /// The `grpc-status` of a stream: from its trailers, or from its headers for Trailers-Only.
    func status(_ streamID: Int32) -> String? {
        guard let response = response(streamID) else { return nil }
        return response.trailer("grpc-status") ?? (response.endStream ? response.header("grpc-status") : nil)
    }

    /// The response messages of a stream received so far.
    func messages(_ streamID: Int32) -> [[UInt8]] {
        guard var data = response(streamID)?.data else { return [] }
        var messages: [[UInt8]] = []
        while let flag = data.getInteger(at: data.readerIndex, as: UInt8.self),
            let length = data.getInteger(at: data.readerIndex + 1, as: UInt32.self),
            data.readableBytes >= 5 + Int(length)
        {
            _ = flag
            data.moveReaderIndex(forwardBy: 5)
            messages.append(data.readBytes(length: Int(length))!)
        }
        return messages
    }

    /// Waits for a stream's response to end.
    func finish(_ streamID: Int32, timeout: Duration = .seconds(10)) async throws {
        try await wait(for: "stream \(streamID) ends", timeout: timeout) { $0.isFinished(streamID) }
    }

    /// Makes a whole unary call and returns its status and messages.
    func unary(
        _ path: String,
        _ message: [UInt8],
        metadata: [HTTP2HeaderField] = []
    ) async throws -> (status: String?, messages: [[UInt8]]) {
        let id = try startCall(path, [message], metadata: metadata)
        try await finish(id)
        return (status(id), messages(id))
    }

    /// A gRPC message with its 5-byte prefix.
    static func frame(_ message: [UInt8]) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeInteger(UInt8(0))
        buffer.writeInteger(UInt32(message.count))
        buffer.writeBytes(message)
        return buffer
    }
}

/// Bytes a socket received and whether it closed: filled on the event loop, drained by the test.
private final class SocketInbox: Sendable {
    private struct State {
        var chunks: [ByteBuffer] = []
        var closed = false
    }

    private let state = Mutex(State())

    var isClosed: Bool { state.withLock { $0.closed && $0.chunks.isEmpty } }

    func append(_ bytes: ByteBuffer) { state.withLock { $0.chunks.append(bytes) } }

    func markClosed() { state.withLock { $0.closed = true } }

    func take() -> ByteBuffer? {
        state.withLock { state in
            guard !state.chunks.isEmpty else { return nil }
            return state.chunks.removeFirst()
        }
    }
}

private final class InboxHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let inbox: SocketInbox

    init(inbox: SocketInbox) { self.inbox = inbox }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        inbox.append(unwrapInboundIn(data))
    }

    func channelInactive(context: ChannelHandlerContext) {
        inbox.markClosed()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // ECONNRESET and friends: the server closed the connection.
        inbox.markClosed()
        context.close(promise: nil)
    }
}

@available(*, unavailable)
extension TestConnection: Sendable {}
