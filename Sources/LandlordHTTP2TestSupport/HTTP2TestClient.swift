internal import CNGHTTP2
package import LandlordHTTP2
package import NIOCore

/// An HTTP/2 client for tests: an nghttp2 *client* session in memory.
///
/// It opens streams with any headers (valid or not), sends DATA in the chunks you
/// choose, RST_STREAM, PING, SETTINGS and raw bytes, and records what the server
/// sent: per stream (``responses``) the response headers, body bytes, trailers and
/// reset code; the GOAWAY; PING ACKs; and every frame received.
///
/// Like ``HTTP2ServerSession`` it does no I/O: ``receive(_:)`` takes the server's
/// bytes and ``produceOutput()`` returns the bytes for the server, so it works both
/// through ``HTTP2InMemoryPipe`` and over a real socket.
///
/// ```swift
/// let client = try HTTP2TestClient()
/// let id = try client.sendRequest(headers: HTTP2TestClient.grpcRequestHeaders(path: "/a.B/C"), endStream: false)
/// try client.sendData(streamID: id, ByteBuffer(bytes: [0, 0, 0, 0, 0]), endStream: true)
/// let bytesForServer = try client.produceOutput()
/// ```
///
/// > Important: Not thread-safe; use it from one task or thread.
package final class HTTP2TestClient {
    /// One SETTINGS parameter.
    package struct Setting: Hashable, Sendable {
        package var id: UInt16
        package var value: UInt32

        package init(id: UInt16, value: UInt32) {
            self.id = id
            self.value = value
        }

        package static func headerTableSize(_ value: UInt32) -> Self { Self(id: 0x1, value: value) }
        package static func enablePush(_ value: UInt32) -> Self { Self(id: 0x2, value: value) }
        package static func maxConcurrentStreams(_ value: UInt32) -> Self { Self(id: 0x3, value: value) }
        package static func initialWindowSize(_ value: UInt32) -> Self { Self(id: 0x4, value: value) }
        package static func maxFrameSize(_ value: UInt32) -> Self { Self(id: 0x5, value: value) }
        package static func maxHeaderListSize(_ value: UInt32) -> Self { Self(id: 0x6, value: value) }
    }

    /// How the client behaves.
    package struct Configuration: Sendable {
        /// The SETTINGS sent with the connection preface.
        package var settings: [Setting]
        /// `true`: nghttp2 sends WINDOW_UPDATEs as response bytes arrive (a client
        /// that reads everything). `false`: it sends them only for bytes passed to
        /// ``HTTP2TestClient/consume(streamID:count:)`` (a slow reader).
        package var automaticWindowUpdates: Bool
        /// The connection receive window (raised with a WINDOW_UPDATE at start when
        /// above 65 535).
        package var connectionWindowSize: Int32
        /// Padding bytes added to every DATA frame the client sends (0: none).
        package var dataPadding: Int
        /// The largest header block the client will send (nghttp2's default is 64 KiB;
        /// raised so tests can send oversized header lists).
        package var maxSendHeaderBlockLength: Int

        package init(
            settings: [Setting] = [.enablePush(0)],
            automaticWindowUpdates: Bool = true,
            connectionWindowSize: Int32 = 65_535,
            dataPadding: Int = 0,
            maxSendHeaderBlockLength: Int = 1 << 20
        ) {
            self.settings = settings
            self.automaticWindowUpdates = automaticWindowUpdates
            self.connectionWindowSize = connectionWindowSize
            self.dataPadding = dataPadding
            self.maxSendHeaderBlockLength = maxSendHeaderBlockLength
        }

        package static var defaults: Self { Self() }
    }

    /// What the server sent on one stream.
    package struct Response: Sendable, Hashable {
        /// The final response headers (the first non-1xx HEADERS block), if any.
        package var headers: [HTTP2HeaderField]?
        /// The body bytes, in order.
        package var data = ByteBuffer()
        /// The number of DATA frames received.
        package var dataFrames = 0
        /// A HEADERS block after the response headers: the trailers.
        package var trailers: [HTTP2HeaderField]?
        /// The RST_STREAM code, if the server reset the stream.
        package var resetCode: HTTP2ErrorCode?
        /// Whether END_STREAM arrived (on HEADERS or DATA).
        package var endStream = false
        /// The code of `on_stream_close`, once the stream closed in the client session.
        package var closeCode: HTTP2ErrorCode?
        /// The HEADERS frames received (with CONTINUATIONs counted as part of them).
        package var headersFrames = 0

        /// `headers[name]` for the response headers (first match).
        package func header(_ name: String) -> String? {
            self.headers?.first(where: { $0.name == name })?.value
        }

        /// `trailers[name]` (first match).
        package func trailer(_ name: String) -> String? {
            self.trailers?.first(where: { $0.name == name })?.value
        }
    }

    /// A frame as seen by the client session.
    package struct FrameSummary: Hashable, Sendable {
        package var type: UInt8
        package var flags: UInt8
        package var streamID: Int32
        package var length: Int

        package init(type: UInt8, flags: UInt8, streamID: Int32, length: Int) {
            self.type = type
            self.flags = flags
            self.streamID = streamID
            self.length = length
        }
    }

    /// A GOAWAY the server sent.
    package struct GoAway: Hashable, Sendable {
        package var lastStreamID: Int32
        package var errorCode: HTTP2ErrorCode
        package var debugData: String

        package init(lastStreamID: Int32, errorCode: HTTP2ErrorCode, debugData: String) {
            self.lastStreamID = lastStreamID
            self.errorCode = errorCode
            self.debugData = debugData
        }
    }

    /// An error of the test client.
    package struct ClientError: Error, Hashable, Sendable, CustomStringConvertible {
        package var message: String
        package var nghttp2ErrorCode: Int32

        init(_ message: String, rv: Int32 = 0) {
            self.message = rv == 0 ? message : "\(message): \(String(cString: nghttp2_strerror(rv))) (\(rv))"
            self.nghttp2ErrorCode = rv
        }

        package var description: String { "HTTP2TestClient: \(self.message)" }
    }

    /// Per-stream responses, keyed by stream id.
    package private(set) var responses: [Int32: Response] = [:]
    /// Every GOAWAY received, in order.
    package private(set) var goAways: [GoAway] = []
    /// The last GOAWAY received.
    package var goAway: GoAway? { self.goAways.last }
    /// Opaque values of PING ACKs received, in order.
    package private(set) var pingAcks: [UInt64] = []
    /// Every frame received, in order (CONTINUATIONs folded into their HEADERS).
    package private(set) var receivedFrames: [FrameSummary] = []
    /// Every frame the client session sent (not raw bytes).
    package private(set) var sentFrames: [FrameSummary] = []
    /// RST_STREAM codes received, by stream id, including streams the client session
    /// does not know (raw streams).
    package private(set) var resetCodes: [Int32: HTTP2ErrorCode] = [:]

    private let session: OpaquePointer
    private let configuration: Configuration
    private var pendingOutput = ByteBuffer()
    private var inboundCarry = ByteBuffer()
    private var rawStreamIDs: Set<Int32> = []
    private var partialHeaders: [Int32: [HTTP2HeaderField]] = [:]
    private var outbound: [Int32: OutboundStream] = [:]

    private final class OutboundStream {
        var chunks: [ByteBuffer] = []
        var ended = false
        var trailers: [HTTP2HeaderField]?
        var deferred = false
    }

    /// Creates a client and queues its connection preface and SETTINGS.
    package init(configuration: Configuration = .defaults) throws(ClientError) {
        self.configuration = configuration
        var option: OpaquePointer?
        var rv = nghttp2_option_new(&option)
        guard rv == 0, let option else { throw ClientError("nghttp2_option_new", rv: rv) }
        defer { nghttp2_option_del(option) }
        nghttp2_option_set_no_auto_window_update(option, configuration.automaticWindowUpdates ? 0 : 1)
        nghttp2_option_set_max_send_header_block_length(option, configuration.maxSendHeaderBlockLength)
        nghttp2_option_set_no_http_messaging(option, 1)  // let tests send invalid requests

        var session: OpaquePointer?
        rv = nghttp2_session_client_new2(
            &session, ClientCallbacks.shared(padding: configuration.dataPadding > 0), nil, option)
        guard rv == 0, let session else { throw ClientError("nghttp2_session_client_new2", rv: rv) }
        self.session = session
        nghttp2_session_set_user_data(session, Unmanaged.passUnretained(self).toOpaque())

        let entries = configuration.settings.map {
            nghttp2_settings_entry(settings_id: Int32($0.id), value: $0.value)
        }
        rv = entries.withUnsafeBufferPointer {
            nghttp2_submit_settings(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), $0.baseAddress, $0.count)
        }
        guard rv == 0 else { throw ClientError("nghttp2_submit_settings", rv: rv) }
        if configuration.connectionWindowSize != 65_535 {
            rv = nghttp2_session_set_local_window_size(
                session,
                UInt8(NGHTTP2_FLAG_NONE.rawValue),
                0,
                configuration.connectionWindowSize
            )
            guard rv == 0 else { throw ClientError("nghttp2_session_set_local_window_size", rv: rv) }
        }
    }

    deinit {
        nghttp2_session_set_user_data(self.session, nil)
        nghttp2_session_del(self.session)
    }

    // MARK: - Requests

    /// Headers of a well-formed gRPC request: `:method POST`, `:scheme http`, `:path`,
    /// `:authority`, `content-type application/grpc`, `te trailers`, then `extra`.
    package static func grpcRequestHeaders(
        path: String = "/test.Service/Method",
        authority: String = "localhost",
        extra: [HTTP2HeaderField] = []
    ) -> [HTTP2HeaderField] {
        [
            HTTP2HeaderField(name: ":method", value: "POST"),
            HTTP2HeaderField(name: ":scheme", value: "http"),
            HTTP2HeaderField(name: ":path", value: path),
            HTTP2HeaderField(name: ":authority", value: authority),
            HTTP2HeaderField(name: "content-type", value: "application/grpc"),
            HTTP2HeaderField(name: "te", value: "trailers"),
        ] + extra
    }

    /// Opens a stream with `headers` (sent as given: the client does no HTTP checks).
    ///
    /// - Parameter endStream: `true` sends HEADERS with END_STREAM (no body);
    ///   `false` leaves the body open for ``sendData(streamID:_:endStream:)``.
    /// - Returns: The new stream id.
    @discardableResult
    package func sendRequest(headers: [HTTP2HeaderField], endStream: Bool) throws(ClientError) -> Int32 {
        let streamID: Int32
        if endStream {
            streamID = withClientNameValuePairs(headers) { nva, count in
                nghttp2_submit_request(self.session, nil, nva, count, nil, nil)
            }
        } else {
            var provider = nghttp2_data_provider(
                source: nghttp2_data_source(ptr: nil),
                read_callback: { _, streamID, buffer, length, flags, _, userData in
                    guard let userData, let buffer, let flags else { return Int(NGHTTP2_ERR_CALLBACK_FAILURE.rawValue) }
                    return HTTP2TestClient.from(userData).readRequestData(
                        streamID: streamID,
                        into: buffer,
                        length: length,
                        flags: flags
                    )
                }
            )
            streamID = withClientNameValuePairs(headers) { nva, count in
                nghttp2_submit_request(self.session, nil, nva, count, &provider, nil)
            }
            if streamID > 0 {
                self.outbound[streamID] = OutboundStream()
            }
        }
        guard streamID > 0 else { throw ClientError("nghttp2_submit_request", rv: streamID) }
        self.responses[streamID] = Response()
        return streamID
    }

    /// Queues one chunk of request body; each chunk becomes its own DATA frame (or
    /// several, if larger than the frame size or the flow-control window allows).
    ///
    /// - Parameter endStream: Whether this chunk ends the request (END_STREAM on
    ///   its last DATA frame). An empty chunk with `endStream` sends an empty DATA
    ///   frame with END_STREAM.
    package func sendData(streamID: Int32, _ bytes: ByteBuffer, endStream: Bool) throws(ClientError) {
        guard let stream = self.outbound[streamID], !stream.ended else {
            throw ClientError("sendData: stream \(streamID) has no open request body")
        }
        if bytes.readableBytes > 0 {
            stream.chunks.append(bytes)
        }
        stream.ended = endStream
        self.resume(streamID, stream)
    }

    /// Ends the request body with trailers (HEADERS with END_STREAM).
    package func sendTrailers(streamID: Int32, headers: [HTTP2HeaderField]) throws(ClientError) {
        guard let stream = self.outbound[streamID], !stream.ended else {
            throw ClientError("sendTrailers: stream \(streamID) has no open request body")
        }
        stream.trailers = headers
        stream.ended = true
        self.resume(streamID, stream)
    }

    /// Sends RST_STREAM.
    package func resetStream(streamID: Int32, errorCode: HTTP2ErrorCode) throws(ClientError) {
        let rv = nghttp2_submit_rst_stream(
            self.session, UInt8(NGHTTP2_FLAG_NONE.rawValue), streamID, errorCode.rawValue)
        guard rv == 0 else { throw ClientError("nghttp2_submit_rst_stream", rv: rv) }
        self.outbound[streamID] = nil
    }

    /// Sends a PING.
    package func sendPing(opaque: UInt64) throws(ClientError) {
        let rv = withUnsafeBytes(of: opaque.bigEndian) {
            nghttp2_submit_ping(
                self.session,
                UInt8(NGHTTP2_FLAG_NONE.rawValue),
                $0.baseAddress!.assumingMemoryBound(to: UInt8.self)
            )
        }
        guard rv == 0 else { throw ClientError("nghttp2_submit_ping", rv: rv) }
    }

    /// Sends a SETTINGS frame through the session (which then expects an ACK).
    package func sendSettings(_ settings: [Setting]) throws(ClientError) {
        let entries = settings.map { nghttp2_settings_entry(settings_id: Int32($0.id), value: $0.value) }
        let rv = entries.withUnsafeBufferPointer {
            nghttp2_submit_settings(self.session, UInt8(NGHTTP2_FLAG_NONE.rawValue), $0.baseAddress, $0.count)
        }
        guard rv == 0 else { throw ClientError("nghttp2_submit_settings", rv: rv) }
    }

    /// Sends GOAWAY (last stream id 0: a client accepts no pushed streams).
    package func sendGoAway(errorCode: HTTP2ErrorCode, debugData: String = "") throws(ClientError) {
        var debug = Array(debugData.utf8)
        let rv = debug.withUnsafeMutableBufferPointer {
            nghttp2_submit_goaway(
                self.session, UInt8(NGHTTP2_FLAG_NONE.rawValue), 0, errorCode.rawValue, $0.baseAddress, $0.count)
        }
        guard rv == 0 else { throw ClientError("nghttp2_submit_goaway", rv: rv) }
    }

    /// Gives the server window credit for `count` response bytes of a stream
    /// (only meaningful with `automaticWindowUpdates: false`).
    package func consume(streamID: Int32, count: Int) throws(ClientError) {
        let rv = nghttp2_session_consume(self.session, streamID, count)
        guard rv == 0 else { throw ClientError("nghttp2_session_consume", rv: rv) }
    }

    // MARK: - Raw bytes

    /// Appends bytes to the output after every frame the session has queued so far;
    /// the session knows nothing of them.
    package func sendRaw(_ bytes: ByteBuffer) throws(ClientError) {
        try self.flushSession()
        var bytes = bytes
        self.pendingOutput.writeBuffer(&bytes)
    }

    /// Takes the next client stream id for raw frames; the session skips it.
    package func reserveStreamID() -> Int32 {
        let next = Int32(bitPattern: nghttp2_session_get_next_stream_id(self.session))
        let rv = nghttp2_session_set_next_stream_id(self.session, next + 2)
        precondition(rv == 0, "nghttp2_session_set_next_stream_id: \(rv)")
        self.rawStreamIDs.insert(next)
        return next
    }

    /// Opens a stream with a raw HEADERS frame (literal, unindexed fields), bypassing
    /// the client session's own concurrency limit and checks.
    @discardableResult
    package func sendRawRequest(headers: [HTTP2HeaderField], endStream: Bool) throws(ClientError) -> Int32 {
        let streamID = self.reserveStreamID()
        try self.sendRaw(
            HTTP2RawFrames.headers(
                streamID: streamID,
                block: HTTP2RawFrames.literalHeaderBlock(headers),
                endStream: endStream
            )
        )
        return streamID
    }

    // MARK: - Bytes in, bytes out

    /// Feeds bytes from the server.
    ///
    /// RST_STREAM and WINDOW_UPDATE frames for streams opened with raw frames
    /// (``sendRawRequest(headers:endStream:)``, ``reserveStreamID()``) are recorded
    /// in ``resetCodes`` and kept from the client session, which never sent those
    /// streams' HEADERS and would take them for a protocol error. Do not answer
    /// raw streams with HEADERS or DATA.
    package func receive(_ bytes: ByteBuffer) throws(ClientError) {
        guard bytes.readableBytes > 0 else { return }
        var input = self.inboundCarry
        var bytes = bytes
        input.writeBuffer(&bytes)
        self.inboundCarry.clear()
        var forward = ByteBuffer()
        while input.readableBytes >= 9 {
            let index = input.readerIndex
            let length =
                Int(input.getInteger(at: index, as: UInt8.self)!) << 16
                | Int(input.getInteger(at: index + 1, as: UInt16.self)!)
            guard input.readableBytes >= 9 + length else { break }
            let type = input.getInteger(at: index + 3, as: UInt8.self)!
            let streamID = Int32(bitPattern: input.getInteger(at: index + 5, as: UInt32.self)! & 0x7fff_ffff)
            var frame = input.readSlice(length: 9 + length)!
            if self.rawStreamIDs.contains(streamID),
                type == HTTP2RawFrames.FrameType.rstStream || type == HTTP2RawFrames.FrameType.windowUpdate
            {
                if type == HTTP2RawFrames.FrameType.rstStream, length >= 4 {
                    self.resetCodes[streamID] = HTTP2ErrorCode(
                        rawValue: frame.getInteger(at: frame.readerIndex + 9, as: UInt32.self)!)
                }
                continue
            }
            forward.writeBuffer(&frame)
        }
        self.inboundCarry.writeBuffer(&input)
        guard forward.readableBytes > 0 else { return }
        let rv = forward.withUnsafeReadableBytes {
            nghttp2_session_mem_recv(self.session, $0.baseAddress?.assumingMemoryBound(to: UInt8.self), $0.count)
        }
        guard rv >= 0 else { throw ClientError("nghttp2_session_mem_recv", rv: Int32(truncatingIfNeeded: rv)) }
    }

    /// Returns (and forgets) every byte the client wants to send now.
    package func produceOutput() throws(ClientError) -> ByteBuffer {
        try self.flushSession()
        var output = ByteBuffer()
        swap(&output, &self.pendingOutput)
        return output
    }

    /// Whether the client session wants to read (`nghttp2_session_want_read`).
    package var wantsRead: Bool { nghttp2_session_want_read(self.session) != 0 }
    /// Whether the client has bytes to send.
    package var wantsWrite: Bool {
        self.pendingOutput.readableBytes > 0 || nghttp2_session_want_write(self.session) != 0
    }

    /// The server's send window on a stream as the client sees it
    /// (`nghttp2_session_get_stream_remote_window_size`): how much more request body
    /// the client may send on it.
    package func remoteWindowSize(streamID: Int32) -> Int {
        Int(nghttp2_session_get_stream_remote_window_size(self.session, streamID))
    }

    /// The connection-level send window (`nghttp2_session_get_remote_window_size`).
    package var connectionRemoteWindowSize: Int {
        Int(nghttp2_session_get_remote_window_size(self.session))
    }

    /// Request body bytes queued but not yet sent on a stream.
    package func pendingRequestBytes(streamID: Int32) -> Int {
        self.outbound[streamID]?.chunks.reduce(0) { $0 + $1.readableBytes } ?? 0
    }

    // MARK: - Internals

    static func from(_ userData: UnsafeMutableRawPointer) -> HTTP2TestClient {
        Unmanaged<HTTP2TestClient>.fromOpaque(userData).takeUnretainedValue()
    }

    private func flushSession() throws(ClientError) {
        while true {
            var pointer: UnsafePointer<UInt8>?
            let count = nghttp2_session_mem_send(self.session, &pointer)
            if count < 0 { throw ClientError("nghttp2_session_mem_send", rv: Int32(truncatingIfNeeded: count)) }
            guard count > 0, let pointer else { return }
            self.pendingOutput.writeBytes(UnsafeRawBufferPointer(start: pointer, count: count))
        }
    }

    private func resume(_ streamID: Int32, _ stream: OutboundStream) {
        if stream.deferred {
            stream.deferred = false
            _ = nghttp2_session_resume_data(self.session, streamID)
        }
    }

    fileprivate func readRequestData(
        streamID: Int32,
        into buffer: UnsafeMutablePointer<UInt8>,
        length: Int,
        flags: UnsafeMutablePointer<UInt32>
    ) -> Int {
        guard let stream = self.outbound[streamID] else { return Int(NGHTTP2_ERR_DEFERRED.rawValue) }
        guard !stream.chunks.isEmpty else {
            if stream.ended {
                self.finish(streamID, stream, flags: flags)
                return 0
            }
            stream.deferred = true
            return Int(NGHTTP2_ERR_DEFERRED.rawValue)
        }
        let count = min(length, stream.chunks[0].readableBytes)
        stream.chunks[0].withUnsafeReadableBytes { bytes in
            UnsafeMutableRawPointer(buffer).copyMemory(from: bytes.baseAddress!, byteCount: count)
        }
        stream.chunks[0].moveReaderIndex(forwardBy: count)
        if stream.chunks[0].readableBytes == 0 {
            stream.chunks.removeFirst()
        }
        if stream.chunks.isEmpty, stream.ended {
            self.finish(streamID, stream, flags: flags)
        }
        return count
    }

    private func finish(_ streamID: Int32, _ stream: OutboundStream, flags: UnsafeMutablePointer<UInt32>) {
        flags.pointee |= NGHTTP2_DATA_FLAG_EOF.rawValue
        if let trailers = stream.trailers {
            flags.pointee |= NGHTTP2_DATA_FLAG_NO_END_STREAM.rawValue
            _ = withClientNameValuePairs(trailers) { nva, count in
                nghttp2_submit_trailer(self.session, streamID, nva, count)
            }
        }
        self.outbound[streamID] = nil
    }

    fileprivate func onHeader(streamID: Int32, name: String, value: String) {
        self.partialHeaders[streamID, default: []].append(HTTP2HeaderField(name: name, value: value))
    }

    fileprivate func onFrameReceived(_ frame: UnsafePointer<nghttp2_frame>) {
        let hd = frame.pointee.hd
        self.receivedFrames.append(
            FrameSummary(type: hd.type, flags: hd.flags, streamID: hd.stream_id, length: hd.length))
        let endStream = hd.flags & UInt8(NGHTTP2_FLAG_END_STREAM.rawValue) != 0
        switch hd.type {
        case UInt8(NGHTTP2_HEADERS.rawValue):
            let block = self.partialHeaders.removeValue(forKey: hd.stream_id) ?? []
            var response = self.responses[hd.stream_id] ?? Response()
            response.headersFrames += 1
            let status = block.first(where: { $0.name == ":status" })?.value
            if response.headers == nil {
                if let status, status.hasPrefix("1") {
                    // Informational response: not the final headers.
                } else {
                    response.headers = block
                }
            } else {
                response.trailers = block
            }
            if endStream { response.endStream = true }
            self.responses[hd.stream_id] = response
        case UInt8(NGHTTP2_DATA.rawValue):
            self.responses[hd.stream_id, default: Response()].dataFrames += 1
            if endStream { self.responses[hd.stream_id, default: Response()].endStream = true }
        case UInt8(NGHTTP2_RST_STREAM.rawValue):
            let code = HTTP2ErrorCode(rawValue: frame.pointee.rst_stream.error_code)
            self.resetCodes[hd.stream_id] = code
            if self.responses[hd.stream_id] != nil {
                self.responses[hd.stream_id]!.resetCode = code
            }
        case UInt8(NGHTTP2_PING.rawValue):
            if hd.flags & UInt8(NGHTTP2_FLAG_ACK.rawValue) != 0 {
                let opaque = withUnsafeBytes(of: frame.pointee.ping.opaque_data) {
                    UInt64(bigEndian: $0.loadUnaligned(as: UInt64.self))
                }
                self.pingAcks.append(opaque)
            }
        case UInt8(NGHTTP2_GOAWAY.rawValue):
            let goaway = frame.pointee.goaway
            let debug =
                goaway.opaque_data_len > 0 && goaway.opaque_data != nil
                ? String(
                    decoding: UnsafeBufferPointer(start: goaway.opaque_data, count: goaway.opaque_data_len),
                    as: UTF8.self)
                : ""
            self.goAways.append(
                GoAway(
                    lastStreamID: goaway.last_stream_id,
                    errorCode: HTTP2ErrorCode(rawValue: goaway.error_code),
                    debugData: debug
                )
            )
        default:
            break
        }
    }

    fileprivate func onDataChunk(streamID: Int32, data: UnsafePointer<UInt8>, length: Int) {
        self.responses[streamID, default: Response()].data.writeBytes(
            UnsafeRawBufferPointer(start: data, count: length))
    }

    fileprivate func onStreamClose(streamID: Int32, errorCode: UInt32) {
        self.responses[streamID, default: Response()].closeCode = HTTP2ErrorCode(rawValue: errorCode)
        self.outbound[streamID] = nil
        self.partialHeaders[streamID] = nil
    }

    fileprivate func onFrameSent(_ frame: UnsafePointer<nghttp2_frame>) {
        let hd = frame.pointee.hd
        self.sentFrames.append(FrameSummary(type: hd.type, flags: hd.flags, streamID: hd.stream_id, length: hd.length))
    }

    fileprivate func padding(for frame: UnsafePointer<nghttp2_frame>, maxPayload: Int) -> Int {
        let length = Int(frame.pointee.hd.length)
        guard frame.pointee.hd.type == UInt8(NGHTTP2_DATA.rawValue) else { return length }
        return min(length + self.configuration.dataPadding, maxPayload)
    }
}

@available(*, unavailable)
extension HTTP2TestClient: Sendable {}

private func withClientNameValuePairs<Result>(
    _ headers: [HTTP2HeaderField],
    _ body: (UnsafePointer<nghttp2_nv>?, Int) -> Result
) -> Result {
    // One contiguous byte array holding every name and value (plus one spare byte so
    // empty strings still get a valid pointer); nghttp2 copies them during `body`.
    var bytes: [UInt8] = []
    var ranges: [(name: Range<Int>, value: Range<Int>)] = []
    for field in headers {
        let nameStart = bytes.count
        bytes.append(contentsOf: field.name.utf8)
        let valueStart = bytes.count
        bytes.append(contentsOf: field.value.utf8)
        ranges.append((nameStart..<valueStart, valueStart..<bytes.count))
    }
    bytes.append(0)
    return bytes.withUnsafeMutableBufferPointer { storage in
        let base = storage.baseAddress!
        let nvs = ranges.map { range in
            nghttp2_nv(
                name: base + range.name.lowerBound,
                value: base + range.value.lowerBound,
                namelen: range.name.count,
                valuelen: range.value.count,
                flags: UInt8(NGHTTP2_NV_FLAG_NONE.rawValue)
            )
        }
        return nvs.withUnsafeBufferPointer { body($0.baseAddress, $0.count) }
    }
}

/// The client callback tables (with and without DATA padding), built once.
private final class ClientCallbacks: @unchecked Sendable {
    private static let plain = ClientCallbacks(padding: false)
    private static let padded = ClientCallbacks(padding: true)

    static func shared(padding: Bool) -> OpaquePointer {
        padding ? padded.pointer : plain.pointer
    }

    let pointer: OpaquePointer

    private init(padding: Bool) {
        var callbacks: OpaquePointer?
        precondition(nghttp2_session_callbacks_new(&callbacks) == 0 && callbacks != nil)
        self.pointer = callbacks!
        nghttp2_session_callbacks_set_on_header_callback(self.pointer) {
            _, frame, name, nameLength, value, valueLength, _, userData in
            guard let userData, let frame else { return 0 }
            HTTP2TestClient.from(userData).onHeader(
                streamID: frame.pointee.hd.stream_id,
                name: name.map { String(decoding: UnsafeBufferPointer(start: $0, count: nameLength), as: UTF8.self) }
                    ?? "",
                value: value.map { String(decoding: UnsafeBufferPointer(start: $0, count: valueLength), as: UTF8.self) }
                    ?? ""
            )
            return 0
        }
        nghttp2_session_callbacks_set_on_frame_recv_callback(self.pointer) { _, frame, userData in
            guard let userData, let frame else { return 0 }
            HTTP2TestClient.from(userData).onFrameReceived(frame)
            return 0
        }
        nghttp2_session_callbacks_set_on_data_chunk_recv_callback(self.pointer) {
            _, _, streamID, data, length, userData in
            guard let userData, let data else { return 0 }
            HTTP2TestClient.from(userData).onDataChunk(streamID: streamID, data: data, length: length)
            return 0
        }
        nghttp2_session_callbacks_set_on_stream_close_callback(self.pointer) { _, streamID, errorCode, userData in
            guard let userData else { return 0 }
            HTTP2TestClient.from(userData).onStreamClose(streamID: streamID, errorCode: errorCode)
            return 0
        }
        nghttp2_session_callbacks_set_on_frame_send_callback(self.pointer) { _, frame, userData in
            guard let userData, let frame else { return 0 }
            HTTP2TestClient.from(userData).onFrameSent(frame)
            return 0
        }
        if padding {
            nghttp2_session_callbacks_set_select_padding_callback(self.pointer) { _, frame, maxPayload, userData in
                guard let userData, let frame else { return 0 }
                return HTTP2TestClient.from(userData).padding(for: frame, maxPayload: maxPayload)
            }
        }
    }

    deinit {
        nghttp2_session_callbacks_del(self.pointer)
    }
}
