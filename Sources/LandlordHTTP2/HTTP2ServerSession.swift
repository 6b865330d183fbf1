internal import CNGHTTP2
package import NIOCore

/// The server side of one HTTP/2 connection: an `nghttp2_session` behind a Swift
/// API that does no I/O.
///
/// Bytes read from the socket go into ``receive(_:)``, which returns what they
/// caused as ``HTTP2Event``s. Responses are submitted with
/// ``sendResponseHeaders(streamID:headers:endStream:)``, ``sendData(streamID:_:)``
/// and ``sendTrailers(streamID:headers:)``; ``produceOutput(into:maxBytes:)``
/// then serialises every frame nghttp2 wants to send into a `ByteBuffer` for the
/// socket.
///
/// ```swift
/// let session = try HTTP2ServerSession(configuration: .defaults)
/// for event in try session.receive(bytesFromSocket) {
///     if case .requestHeaders(let id, _, _) = event {
///         try session.sendResponseHeaders(streamID: id, headers: [.init(name: ":status", value: "200")], endStream: false)
///         try session.sendData(streamID: id, payload)
///         try session.sendTrailers(streamID: id, headers: [.init(name: "grpc-status", value: "0")])
///     }
/// }
/// var out = ByteBuffer()
/// _ = try session.produceOutput(into: &out)   // write `out` to the socket
/// ```
///
/// Flow control: the session never credits the peer's send windows on its own
/// (`nghttp2_option_set_no_auto_window_update`). Every ``HTTP2Event/requestData(streamID:bytes:)``
/// must eventually be handed back with ``consumeInbound(streamID:count:)`` once the
/// application has used the bytes; bytes still unconsumed when a stream closes go
/// back to the connection window by themselves. On the sending side nghttp2 obeys
/// the peer's windows; ``isStreamWritable(streamID:)`` and
/// ``HTTP2Event/streamWritable(streamID:)`` tell the caller when to stop and resume
/// writing a stream.
///
/// Stream ends: every stream that produced ``HTTP2Event/requestHeaders(streamID:headers:endStream:)``
/// gets exactly one ``HTTP2Event/streamClosed(streamID:errorCode:)`` while the
/// connection lives. When the connection itself ends — a thrown error, or
/// ``wantsRead`` and ``wantsWrite`` both false after a GOAWAY — streams still open
/// get no event: the caller cancels everything it still runs for the connection.
///
/// > Important: Not thread-safe. A session is confined to its connection's event
/// > loop; every method must be called there. nghttp2 calls back into the session
/// > only from inside `receive`, `produceOutput` and the submit methods, and those
/// > callbacks never call out to the caller, so re-entering the session from an
/// > event handler is impossible by construction (and trapped by a precondition).
package final class HTTP2ServerSession {
    /// The nghttp2 session. Owned: created in `init`, deleted in `deinit`.
    ///
    /// Its `user_data` is `self`, passed *unretained*: the session never outlives
    /// this object (it is deleted in `deinit`, before the object's memory goes),
    /// and nghttp2 runs callbacks only from inside calls this object makes.
    private let session: OpaquePointer
    private let configuration: Configuration
    /// Per-stream Swift state, keyed by stream id. An entry exists from
    /// `on_begin_headers` of a request until `on_stream_close`.
    private var streams: [Int32: StreamState] = [:]
    /// The stream whose header block is being received: its header fields arrive one
    /// callback each, and looking it up once per block instead of once per field matters.
    private var headerBlockStream: (id: Int32, state: StreamState)?
    /// Events produced by callbacks since the last `receive`/`produceOutput` returned.
    private var events: [HTTP2Event] = []
    /// Re-entrancy guard (see ``withExclusiveAccess(_:)``).
    private var isBusy = false

    /// The buffer being received, while `nghttp2_session_mem_recv` runs, so DATA
    /// chunks can be sliced out of it instead of copied.
    private var input: ByteBuffer?
    private var inputBase: UnsafeRawPointer?
    private var inputCount = 0

    /// The caller's output buffer, swapped in while `produceOutput` runs, so the
    /// `send_data` callback (NGHTTP2_DATA_FLAG_NO_COPY) can write DATA payloads
    /// straight into it.
    private var output = ByteBuffer()
    /// Writer index at which the no-copy path asks nghttp2 to pause.
    private var outputLimit = Int.max

    private let allocator = ByteBufferAllocator()

    /// Tracks frame boundaries in the received bytes so nghttp2 is never handed a
    /// partial 9-byte frame header (see ``InboundFraming``).
    private var framing = InboundFraming()

    /// Creates a server session and queues its SETTINGS frame and the connection
    /// WINDOW_UPDATE; the first ``produceOutput(into:maxBytes:)`` writes them.
    ///
    /// - Parameter configuration: The limits; see ``Configuration-swift.struct``.
    /// - Throws: ``HTTP2Error`` with ``HTTP2Error/Code-swift.struct/invalidArgument``
    ///   for an out-of-range configuration value, or an nghttp2 allocation error.
    package init(configuration: Configuration) throws(HTTP2Error) {
        try configuration.validate()

        var option: OpaquePointer?
        var rv = nghttp2_option_new(&option)
        guard rv == 0, let option else { throw .nghttp2(rv, context: "nghttp2_option_new") }
        defer { nghttp2_option_del(option) }
        // We hand out window credit only for bytes the application consumed.
        nghttp2_option_set_no_auto_window_update(option, 1)
        // HPACK encoder table bound, whatever SETTINGS_HEADER_TABLE_SIZE the client sends.
        nghttp2_option_set_max_deflate_dynamic_table_size(option, configuration.maxDeflateDynamicTableSize)
        // CVE-2023-44487 (rapid reset): token bucket for incoming RST_STREAM (Debian backport).
        nghttp2_option_set_stream_reset_rate_limit(
            option,
            configuration.streamResetRateLimit.burst,
            configuration.streamResetRateLimit.ratePerSecond
        )
        // CVE-2024-27316 (CONTINUATION flood) (Debian backport).
        nghttp2_option_set_max_continuations(option, configuration.maxContinuations)
        // CVE-2019-9515 family: entries per SETTINGS frame.
        nghttp2_option_set_max_settings(option, configuration.maxSettings)
        // CVE-2019-9512/9515: queued PING/SETTINGS ACKs for a peer that does not read.
        nghttp2_option_set_max_outbound_ack(option, configuration.maxOutboundAck)
        // We do not use the RFC 7540 priority tree for closed streams; do not keep them.
        nghttp2_option_set_no_closed_streams(option, 1)

        var session: OpaquePointer?
        rv = nghttp2_session_server_new2(&session, ServerCallbacks.shared.pointer, nil, option)
        guard rv == 0, let session else { throw .nghttp2(rv, context: "nghttp2_session_server_new2") }
        self.session = session
        self.configuration = configuration
        nghttp2_session_set_user_data(session, Unmanaged.passUnretained(self).toOpaque())

        let settings: [nghttp2_settings_entry] = [
            .init(NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, configuration.maxConcurrentStreams),
            .init(NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, configuration.initialStreamWindowSize),
            .init(NGHTTP2_SETTINGS_MAX_FRAME_SIZE, configuration.maxFrameSize),
            .init(NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, configuration.maxHeaderListSize),
            .init(NGHTTP2_SETTINGS_HEADER_TABLE_SIZE, configuration.headerTableSize),
        ]
        rv = settings.withUnsafeBufferPointer {
            nghttp2_submit_settings(session, .flagNone, $0.baseAddress, $0.count)
        }
        guard rv == 0 else { throw .nghttp2(rv, context: "nghttp2_submit_settings") }
        // Raise the connection window from the protocol's 65 535 to ours; with
        // no_auto_window_update this also sets the size nghttp2 measures
        // consumption against (a WINDOW_UPDATE goes out once half is consumed).
        rv = nghttp2_session_set_local_window_size(
            session,
            .flagNone,
            0,
            Int32(configuration.connectionWindowSize)
        )
        guard rv == 0 else { throw .nghttp2(rv, context: "nghttp2_session_set_local_window_size") }
    }

    deinit {
        // No callback runs during nghttp2_session_del; clear user_data anyway so a
        // stray one would find nil instead of a dying object.
        nghttp2_session_set_user_data(self.session, nil)
        nghttp2_session_del(self.session)
    }

    // MARK: - Bytes in, bytes out

    /// Feeds bytes received from the peer.
    ///
    /// - Parameter bytes: The bytes, in the order received; any chunking works.
    /// - Returns: The events these bytes produced, in order.
    /// - Throws: ``HTTP2Error`` on a connection-level failure: a bad client preface
    ///   (``HTTP2Error/Code-swift.struct/badClientMagic``), a flood
    ///   (``HTTP2Error/Code-swift.struct/flooded``), a CONTINUATION flood
    ///   (``HTTP2Error/Code-swift.struct/tooManyContinuations``) or another fatal
    ///   nghttp2 error. After a throw, call ``produceOutput(into:maxBytes:)`` once
    ///   more (nghttp2 may have queued a GOAWAY; it also returns the events produced
    ///   before the failure), then close the connection.
    ///
    /// Protocol errors nghttp2 treats as non-fatal (a malformed frame, too many
    /// SETTINGS entries, the rapid-reset limit) do not throw: nghttp2 queues a GOAWAY,
    /// ignores further input and ``wantsRead`` turns false; the GOAWAY shows up as
    /// ``HTTP2Event/goAwaySent(lastStreamID:errorCode:)`` when it is written.
    package func receive(_ bytes: ByteBuffer) throws(HTTP2Error) -> [HTTP2Event] {
        try self.withExclusiveAccess { () throws(HTTP2Error) in
            var bytes = bytes
            if self.framing.carry.readableBytes > 0 {
                // Complete the frame header left over from the previous read first.
                let needed = 9 - self.framing.carry.readableBytes
                var head = bytes.readSlice(length: min(needed, bytes.readableBytes))!
                self.framing.carry.writeBuffer(&head)
                guard self.framing.carry.readableBytes == 9 else { return }
                let header = self.framing.carry
                self.framing.carry.clear()
                self.framing.scan(header)
                try self.feed(header)
            }
            guard bytes.readableBytes > 0 else { return }
            let complete = self.framing.scan(bytes)
            if complete < bytes.readableBytes {
                // Hold back a partial frame header (at most 8 bytes, copied so the
                // receive buffer is not retained).
                var rest = bytes.getSlice(at: bytes.readerIndex + complete, length: bytes.readableBytes - complete)!
                self.framing.carry.writeBuffer(&rest)
                bytes = bytes.getSlice(at: bytes.readerIndex, length: complete)!
            }
            try self.feed(bytes)
        }
        return self.takeEvents()
    }

    /// Runs `nghttp2_session_mem_recv` over `bytes`, with `bytes` registered as the
    /// current input so DATA chunks can be sliced out of it.
    private func feed(_ bytes: ByteBuffer) throws(HTTP2Error) {
        guard bytes.readableBytes > 0 else { return }
        self.input = bytes
        defer {
            self.input = nil
            self.inputBase = nil
            self.inputCount = 0
        }
        let rv = bytes.withUnsafeReadableBytes { pointer -> Int in
            self.inputBase = UnsafeRawPointer(pointer.baseAddress)
            self.inputCount = pointer.count
            return nghttp2_session_mem_recv(
                self.session,
                pointer.baseAddress?.assumingMemoryBound(to: UInt8.self),
                pointer.count
            )
        }
        if rv < 0 {
            throw .nghttp2(Int32(truncatingIfNeeded: rv))
        }
        // We never return NGHTTP2_ERR_PAUSE, so nghttp2 consumes everything.
        assert(rv == bytes.readableBytes)
    }

    /// Appends every frame nghttp2 wants to send now to `buffer`.
    ///
    /// - Parameters:
    ///   - buffer: The buffer to append to (the bytes go to the socket in order).
    ///   - maxBytes: A soft cap on the bytes appended by this call: serialising
    ///     stops at the first frame boundary at or after it, and ``hasPendingOutput``
    ///     stays true. The default is no cap.
    /// - Returns: The events sending caused (streams closed after our END_STREAM or
    ///   RST_STREAM, streams writable again, GOAWAYs sent), plus any left over from
    ///   a ``receive(_:)`` that threw.
    /// - Throws: ``HTTP2Error`` on a fatal nghttp2 error; close the connection.
    package func produceOutput(into buffer: inout ByteBuffer, maxBytes: Int = .max) throws(HTTP2Error) -> [HTTP2Event] {
        try self.withExclusiveAccess { () throws(HTTP2Error) in
            swap(&self.output, &buffer)
            defer {
                swap(&self.output, &buffer)
                self.outputLimit = .max
            }
            let start = self.output.writerIndex
            let (limit, overflow) = start.addingReportingOverflow(max(maxBytes, 1))
            self.outputLimit = overflow ? .max : limit
            while self.output.writerIndex < self.outputLimit {
                var pointer: UnsafePointer<UInt8>?
                let count = nghttp2_session_mem_send(self.session, &pointer)
                if count < 0 {
                    throw .nghttp2(Int32(truncatingIfNeeded: count))
                }
                guard count > 0, let pointer else { break }
                self.output.writeBytes(UnsafeRawBufferPointer(start: pointer, count: count))
            }
        }
        return self.takeEvents()
    }

    /// Whether nghttp2 still wants to read from the peer
    /// (`nghttp2_session_want_read`). The connection is finished when both this and
    /// ``wantsWrite`` are false.
    package var wantsRead: Bool { nghttp2_session_want_read(self.session) != 0 }

    /// Whether nghttp2 has frames to send (`nghttp2_session_want_write`).
    package var wantsWrite: Bool { nghttp2_session_want_write(self.session) != 0 }

    /// A cheap check whether ``produceOutput(into:maxBytes:)`` would write anything
    /// (frames queued and not blocked by flow control or a deferred data source).
    package var hasPendingOutput: Bool { self.wantsWrite }

    // MARK: - Responses

    /// Submits the response headers of a stream.
    ///
    /// - Parameters:
    ///   - streamID: A stream that produced ``HTTP2Event/requestHeaders(streamID:headers:endStream:)``.
    ///   - headers: The fields, `:status` first; lowercase names.
    ///   - endStream: `true` sends one HEADERS frame with END_STREAM and ends the
    ///     response (gRPC Trailers-Only, or an HTTP 405/415 answer); `false` opens
    ///     the response body, written with ``sendData(streamID:_:)`` and ended with
    ///     ``sendTrailers(streamID:headers:)``.
    ///
    /// Whenever our END_STREAM goes out while the client has not ended its request,
    /// the session follows it with RST_STREAM(`NO_ERROR`) (RFC 9113 §8.1, as gRPC
    /// servers do): request bytes still in flight are dropped and credited back, and
    /// the stream closes with ``HTTP2Event/streamClosed(streamID:errorCode:)``
    /// (`.noError`) instead of lingering half-closed.
    /// - Throws: ``HTTP2Error/Code-swift.struct/streamNotFound`` if the stream is
    ///   unknown or closed, ``HTTP2Error/Code-swift.struct/invalidState`` if headers
    ///   were already sent or the stream was reset.
    package func sendResponseHeaders(
        streamID: Int32,
        headers: [HTTP2HeaderField],
        endStream: Bool
    ) throws(HTTP2Error) {
        try self.withExclusiveAccess { () throws(HTTP2Error) in
            let stream = try self.stream(streamID, for: "sendResponseHeaders")
            guard case .idle = stream.response, !stream.isReset else {
                throw HTTP2Error(
                    code: .invalidState,
                    message: "sendResponseHeaders: response already started or stream \(streamID) reset"
                )
            }
            let rv: Int32
            if endStream {
                rv = withNameValuePairs(headers) { nva, count in
                    nghttp2_submit_response(self.session, streamID, nva, count, nil)
                }
                stream.response = .finished
            } else {
                var provider = nghttp2_data_provider(
                    source: nghttp2_data_source(ptr: nil),
                    read_callback: { _, streamID, _, length, flags, _, userData in
                        guard let userData else { return Int(Int32.errCallbackFailure) }
                        return HTTP2ServerSession.from(userData).readResponseData(
                            streamID: streamID,
                            maxLength: length,
                            flags: flags!
                        )
                    }
                )
                rv = withNameValuePairs(headers) { nva, count in
                    nghttp2_submit_response(self.session, streamID, nva, count, &provider)
                }
                stream.response = .streaming
            }
            guard rv == 0 else {
                stream.response = .idle
                throw .nghttp2(rv, context: "nghttp2_submit_response(stream \(streamID))")
            }
        }
    }

    /// Appends bytes to a stream's response body.
    ///
    /// The bytes are queued without copying; during ``produceOutput(into:maxBytes:)``
    /// they are copied once, straight into the output buffer, in DATA frames as
    /// large as the peer's flow-control windows and frame size allow. `sendData`
    /// never refuses bytes: stop writing while ``isStreamWritable(streamID:)`` is
    /// false and resume on ``HTTP2Event/streamWritable(streamID:)``.
    ///
    /// - Throws: ``HTTP2Error/Code-swift.struct/streamNotFound`` if the stream is
    ///   unknown or closed, ``HTTP2Error/Code-swift.struct/invalidState`` before
    ///   ``sendResponseHeaders(streamID:headers:endStream:)`` with `endStream: false`,
    ///   after ``sendTrailers(streamID:headers:)``, or after ``resetStream(streamID:errorCode:)``.
    package func sendData(streamID: Int32, _ bytes: ByteBuffer) throws(HTTP2Error) {
        try self.withExclusiveAccess { () throws(HTTP2Error) in
            let stream = try self.stream(streamID, for: "sendData")
            guard case .streaming = stream.response, !stream.isReset else {
                throw HTTP2Error(
                    code: .invalidState,
                    message:
                        "sendData: stream \(streamID) has no open response body (\(stream.response), reset: \(stream.isReset))"
                )
            }
            guard bytes.readableBytes > 0 else { return }
            stream.enqueue(bytes)
            if stream.outboundBytes >= self.configuration.maxOutboundBufferedBytesPerStream {
                stream.needsWritableEvent = true
            }
            self.resumeIfDeferred(stream, streamID: streamID)
        }
    }

    /// Ends a stream's response with trailers, after the queued data.
    ///
    /// When the queue has drained, nghttp2 sends the last DATA frame without
    /// END_STREAM and then the trailers as a HEADERS frame with END_STREAM. With
    /// empty `headers` the body ends with END_STREAM on a DATA frame instead.
    ///
    /// - Throws: as ``sendData(streamID:_:)``.
    package func sendTrailers(streamID: Int32, headers: [HTTP2HeaderField]) throws(HTTP2Error) {
        try self.withExclusiveAccess { () throws(HTTP2Error) in
            let stream = try self.stream(streamID, for: "sendTrailers")
            guard case .streaming = stream.response, !stream.isReset else {
                throw HTTP2Error(
                    code: .invalidState,
                    message:
                        "sendTrailers: stream \(streamID) has no open response body (\(stream.response), reset: \(stream.isReset))"
                )
            }
            stream.response = .ending(trailers: headers)
            self.resumeIfDeferred(stream, streamID: streamID)
        }
    }

    /// Resets a stream with RST_STREAM and drops its queued response bytes.
    ///
    /// Idempotent; a no-op for unknown or closed streams. Request DATA arriving
    /// after the reset is credited back at once and produces no events; the stream
    /// ends with ``HTTP2Event/streamClosed(streamID:errorCode:)`` carrying
    /// `errorCode` once the RST_STREAM has been written.
    package func resetStream(streamID: Int32, errorCode: HTTP2ErrorCode) {
        self.withExclusiveAccess {
            guard let stream = self.streams[streamID], !stream.isReset else { return }
            stream.isReset = true
            stream.dropOutbound()
            stream.response = .finished
            let rv = nghttp2_submit_rst_stream(self.session, .flagNone, streamID, errorCode.rawValue)
            assert(rv == 0, "nghttp2_submit_rst_stream: \(rv)")
        }
    }

    /// The response bytes queued for a stream and not yet written by
    /// ``produceOutput(into:maxBytes:)`` (0 for an unknown stream).
    package func bufferedOutboundBytes(streamID: Int32) -> Int {
        self.streams[streamID]?.outboundBytes ?? 0
    }

    /// Whether the caller should write more to this stream: the stream is open, not
    /// reset, and has fewer than
    /// ``Configuration-swift.struct/maxOutboundBufferedBytesPerStream`` bytes queued.
    package func isStreamWritable(streamID: Int32) -> Bool {
        guard let stream = self.streams[streamID], !stream.isReset else { return false }
        return stream.outboundBytes < self.configuration.maxOutboundBufferedBytesPerStream
    }

    // MARK: - Inbound flow control

    /// Hands request bytes the application has consumed back to the peer's windows
    /// (`nghttp2_session_consume`: stream and connection). nghttp2 sends a
    /// WINDOW_UPDATE once half a window has been consumed.
    ///
    /// Safe for any stream: `count` is clamped to the bytes delivered on the stream
    /// and not yet consumed, and once a stream has closed (``HTTP2Event/streamClosed(streamID:errorCode:)``)
    /// its unconsumed bytes have already been returned to the connection window, so
    /// the call is a no-op.
    package func consumeInbound(streamID: Int32, count: Int) {
        self.withExclusiveAccess {
            guard count > 0, let stream = self.streams[streamID] else { return }
            let credit = min(count, stream.unconsumedInbound)
            guard credit > 0 else { return }
            stream.unconsumedInbound -= credit
            let rv = nghttp2_session_consume(self.session, streamID, credit)
            assert(rv == 0, "nghttp2_session_consume: \(rv)")
        }
    }

    // MARK: - Connection management

    /// Sends a PING; ``HTTP2Event/pingAcknowledged(opaque:)`` follows when the peer
    /// acknowledges it.
    package func sendPing(opaque: UInt64) {
        self.withExclusiveAccess {
            let rv = withUnsafeBytes(of: opaque.bigEndian) { bytes in
                nghttp2_submit_ping(self.session, .flagNone, bytes.baseAddress!.assumingMemoryBound(to: UInt8.self))
            }
            assert(rv == 0, "nghttp2_submit_ping: \(rv)")
        }
    }

    /// Sends a GOAWAY with the maximum stream id (`nghttp2_submit_shutdown_notice`):
    /// the first step of a graceful shutdown (gRFC A9). Follow it, after about one
    /// round trip (a PING), with ``sendGoAway(errorCode:debugData:)``.
    package func sendShutdownNotice() {
        self.withExclusiveAccess {
            let rv = nghttp2_submit_shutdown_notice(self.session)
            assert(rv == 0, "nghttp2_submit_shutdown_notice: \(rv)")
        }
    }

    /// Sends GOAWAY(``lastProcessedStreamID``, `errorCode`). Streams the client
    /// opens afterwards are ignored by nghttp2; streams up to the last processed id
    /// go on. Once they have all closed, ``wantsRead`` and ``wantsWrite`` turn false.
    ///
    /// - Parameters:
    ///   - errorCode: ``HTTP2ErrorCode/noError`` for a graceful shutdown.
    ///   - debugData: Optional opaque text for the peer's logs.
    package func sendGoAway(errorCode: HTTP2ErrorCode, debugData: String?) {
        self.withExclusiveAccess {
            let lastStreamID = nghttp2_session_get_last_proc_stream_id(self.session)
            var debug = Array((debugData ?? "").utf8)
            let rv = debug.withUnsafeMutableBufferPointer { bytes in
                nghttp2_submit_goaway(
                    self.session,
                    .flagNone,
                    lastStreamID,
                    errorCode.rawValue,
                    bytes.baseAddress,
                    bytes.count
                )
            }
            // INVALID_ARGUMENT only for a last_stream_id higher than a previous GOAWAY's.
            assert(rv == 0 || rv == NGHTTP2_ERR_INVALID_ARGUMENT.rawValue, "nghttp2_submit_goaway: \(rv)")
        }
    }

    /// The highest stream id that nghttp2 passed to the application
    /// (`nghttp2_session_get_last_proc_stream_id`); 0 before the first request.
    package var lastProcessedStreamID: Int32 {
        nghttp2_session_get_last_proc_stream_id(self.session)
    }

    /// The streams this session holds state for: those whose request headers
    /// started arriving and which have not closed yet.
    package var openStreamCount: Int {
        self.streams.count
    }

    // MARK: - Internals

    @inline(__always)
    static func from(_ userData: UnsafeMutableRawPointer) -> HTTP2ServerSession {
        Unmanaged<HTTP2ServerSession>.fromOpaque(userData).takeUnretainedValue()
    }

    /// Runs `body` with the re-entrancy guard set. nghttp2 callbacks never call out
    /// of this class, so a nested call means a bug in this file.
    @inline(__always)
    private func withExclusiveAccess<Result, Failure: Error>(
        _ body: () throws(Failure) -> Result
    ) throws(Failure) -> Result {
        precondition(!self.isBusy, "HTTP2ServerSession re-entered while nghttp2 was running")
        self.isBusy = true
        defer { self.isBusy = false }
        return try body()
    }

    private func takeEvents() -> [HTTP2Event] {
        guard !self.events.isEmpty else { return [] }
        var events: [HTTP2Event] = []
        swap(&events, &self.events)
        return events
    }

    private func stream(_ streamID: Int32, for operation: String) throws(HTTP2Error) -> StreamState {
        guard let stream = self.streams[streamID], stream.requestHeadersDelivered else {
            throw HTTP2Error(code: .streamNotFound, message: "\(operation): no open stream \(streamID)")
        }
        return stream
    }

    private func resumeIfDeferred(_ stream: StreamState, streamID: Int32) {
        guard stream.isDeferred else { return }
        stream.isDeferred = false
        // INVALID_ARGUMENT if nghttp2 already dropped the data item (a stream it is
        // resetting); nothing to resume then.
        let rv = nghttp2_session_resume_data(self.session, streamID)
        assert(nghttp2_is_fatal(rv) == 0, "nghttp2_session_resume_data: \(rv)")
    }

    /// A DATA chunk as a `ByteBuffer`: a slice of the received buffer when the chunk
    /// is a large part of it (no copy), else a copy (so that a tiny chunk does not
    /// pin a large receive buffer while it waits to be consumed).
    private func makeBuffer(_ data: UnsafePointer<UInt8>, count: Int) -> ByteBuffer {
        if let input = self.input, let base = self.inputBase, count * 4 >= input.storageCapacity {
            let offset = UnsafeRawPointer(data) - base
            if offset >= 0, offset + count <= self.inputCount,
                let slice = input.getSlice(at: input.readerIndex + offset, length: count)
            {
                return slice
            }
        }
        return self.allocator.buffer(bytes: UnsafeRawBufferPointer(start: data, count: count))
    }
}

@available(*, unavailable)
extension HTTP2ServerSession: Sendable {}

// MARK: - Inbound framing

/// Finds frame boundaries in the received byte stream, so that a frame header cut
/// by a read boundary is held back until it is complete.
///
/// Why: nghttp2 1.52's CONTINUATION limit (Debian's backport of the
/// CVE-2024-27316 fix, `nghttp2_option_set_max_continuations`) increments its
/// counter every time `mem_recv` *starts* reading a CONTINUATION frame header, not
/// once per frame. A header split across reads counts twice or more, so a
/// legitimate client whose CONTINUATION headers straddle TCP segments could be cut
/// off with `NGHTTP2_ERR_TOO_MANY_CONTINUATIONS` (upstream nghttp2 issue #2817,
/// fixed upstream by counting per complete frame header). Handing nghttp2 only
/// whole frame headers makes the count exact. The cost is a few integer reads per
/// frame and, rarely, an 8-byte copy.
struct InboundFraming {
    /// Bytes of the 24-byte client connection preface still to pass through.
    private var prefaceRemaining = 24
    /// Payload bytes of the current frame not yet seen.
    private var payloadRemaining = 0
    /// A partial frame header held back from the previous read (0...8 bytes).
    var carry = ByteBuffer()

    /// Advances over `bytes` and returns how many of them end on a frame-header
    /// boundary or inside a payload (everything except a trailing partial header).
    @discardableResult
    mutating func scan(_ bytes: ByteBuffer) -> Int {
        let count = bytes.readableBytes
        var offset = 0
        if self.prefaceRemaining > 0 {
            let step = min(self.prefaceRemaining, count)
            self.prefaceRemaining -= step
            offset += step
        }
        while offset < count {
            if self.payloadRemaining > 0 {
                let step = min(self.payloadRemaining, count - offset)
                self.payloadRemaining -= step
                offset += step
                continue
            }
            guard count - offset >= 9 else { return offset }
            let index = bytes.readerIndex + offset
            let high = Int(bytes.getInteger(at: index, as: UInt8.self)!)
            let low = Int(bytes.getInteger(at: index + 1, as: UInt16.self)!)
            self.payloadRemaining = high << 16 | low
            offset += 9
        }
        return offset
    }
}

// MARK: - Stream state

extension HTTP2ServerSession {
    /// What this session knows of one stream.
    final class StreamState {
        enum Response: CustomStringConvertible {
            /// No response headers yet.
            case idle
            /// Headers sent without END_STREAM; body bytes may follow.
            case streaming
            /// Trailers set; they go out once the queue drains.
            case ending(trailers: [HTTP2HeaderField])
            /// Trailers (or END_STREAM) handed to nghttp2, headers sent with
            /// END_STREAM, or stream reset.
            case finished

            var description: String {
                switch self {
                case .idle: "idle"
                case .streaming: "streaming"
                case .ending: "ending"
                case .finished: "finished"
                }
            }
        }

        /// Request header fields being accumulated (until the header block ends).
        var headers: [HTTP2HeaderField] = []
        /// Header list size of the block being received (name + value + 32 per field).
        var headerListSize = 0
        /// Whether the block being received is a trailer block (dropped after the size check).
        var receivingTrailers = false
        /// Whether `.requestHeaders` was emitted (then `.streamClosed` will be).
        var requestHeadersDelivered = false
        /// Whether we reset the stream (RST_STREAM queued or sent).
        var isReset = false
        /// Request DATA bytes delivered and not yet consumed.
        var unconsumedInbound = 0

        var response: Response = .idle
        /// Queued response body; `outbound[outboundHead...]` are live.
        private var outbound: [ByteBuffer] = []
        private var outboundHead = 0
        /// Sum of the readable bytes in `outbound`.
        private(set) var outboundBytes = 0
        /// Whether our data provider returned NGHTTP2_ERR_DEFERRED (queue empty).
        var isDeferred = false
        /// Whether the queue reached the writability limit since the last
        /// `.streamWritable`.
        var needsWritableEvent = false

        func enqueue(_ bytes: ByteBuffer) {
            self.outbound.append(bytes)
            self.outboundBytes += bytes.readableBytes
        }

        func dropOutbound() {
            self.outbound = []
            self.outboundHead = 0
            self.outboundBytes = 0
        }

        /// Moves `count` queued bytes into `output` (the one copy of response bytes).
        func drain(_ count: Int, into output: inout ByteBuffer) {
            precondition(count <= self.outboundBytes)
            var remaining = count
            while remaining > 0 {
                let available = self.outbound[self.outboundHead].readableBytes
                if available <= remaining {
                    output.writeBuffer(&self.outbound[self.outboundHead])
                    self.outbound[self.outboundHead] = ByteBuffer()
                    self.outboundHead += 1
                    remaining -= available
                } else {
                    var slice = self.outbound[self.outboundHead].readSlice(length: remaining)!
                    output.writeBuffer(&slice)
                    remaining = 0
                }
            }
            self.outboundBytes -= count
            if self.outboundHead == self.outbound.count {
                self.outbound.removeAll(keepingCapacity: true)
                self.outboundHead = 0
            } else if self.outboundHead >= 16, self.outboundHead * 2 >= self.outbound.count {
                self.outbound.removeFirst(self.outboundHead)
                self.outboundHead = 0
            }
        }
    }
}

// MARK: - nghttp2 callbacks

extension HTTP2ServerSession {
    fileprivate func onBeginHeaders(_ frame: UnsafePointer<nghttp2_frame>) -> Int32 {
        guard frame.pointee.hd.type == .frameHeaders else { return 0 }
        let streamID = frame.pointee.hd.stream_id
        switch frame.pointee.headers.cat {
        case NGHTTP2_HCAT_REQUEST:
            let stream = StreamState()
            stream.headers.reserveCapacity(8)
            self.streams[streamID] = stream
            self.headerBlockStream = (streamID, stream)
        case NGHTTP2_HCAT_HEADERS:
            // Request trailers: only sized, then dropped.
            if let stream = self.streams[streamID] {
                stream.receivingTrailers = true
                stream.headerListSize = 0
                self.headerBlockStream = (streamID, stream)
            }
        default:
            break
        }
        return 0
    }

    fileprivate func onHeader(
        _ frame: UnsafePointer<nghttp2_frame>,
        name: UnsafePointer<UInt8>?,
        nameLength: Int,
        value: UnsafePointer<UInt8>?,
        valueLength: Int
    ) -> Int32 {
        guard frame.pointee.hd.type == .frameHeaders else { return 0 }
        let streamID = frame.pointee.hd.stream_id
        let stream: StreamState
        if let current = self.headerBlockStream, current.id == streamID {
            stream = current.state
        } else {
            guard let found = self.streams[streamID] else { return 0 }
            stream = found
        }
        stream.headerListSize += nameLength + valueLength + 32
        if stream.headerListSize > Int(self.configuration.maxHeaderListSize) {
            // RST_STREAM(ENHANCE_YOUR_CALM) now; returning TEMPORAL_CALLBACK_FAILURE
            // makes nghttp2 decode the rest of the block without calling us (HPACK
            // stays in sync) and skip on_frame_recv. Its own RST(INTERNAL_ERROR) is
            // suppressed because the stream is already closing.
            let rv = nghttp2_submit_rst_stream(
                self.session,
                .flagNone,
                streamID,
                HTTP2ErrorCode.enhanceYourCalm.rawValue
            )
            if nghttp2_is_fatal(rv) != 0 { return .errCallbackFailure }
            if stream.requestHeadersDelivered {
                // Oversized trailers of a live request: `.streamClosed` follows.
                stream.isReset = true
                stream.dropOutbound()
                stream.response = .finished
            } else {
                // Never surfaced: forget it now (on_stream_close finds nothing).
                self.streams[streamID] = nil
                self.headerBlockStream = nil
            }
            return .errTemporalCallbackFailure
        }
        if !stream.receivingTrailers {
            stream.headers.append(
                HTTP2HeaderField(
                    name: String(nghttp2Bytes: name, count: nameLength),
                    value: String(nghttp2Bytes: value, count: valueLength)
                )
            )
        }
        return 0
    }

    fileprivate func onFrameReceived(_ frame: UnsafePointer<nghttp2_frame>) -> Int32 {
        let header = frame.pointee.hd
        switch header.type {
        case .frameHeaders:
            // The header block is complete.
            self.headerBlockStream = nil
            // The stream may be gone already (the nghttp2 example warns that this can
            // run after on_stream_close).
            guard let stream = self.streams[header.stream_id] else { return 0 }
            let endStream = header.flags & .flagEndStream != 0
            if frame.pointee.headers.cat == NGHTTP2_HCAT_REQUEST {
                stream.requestHeadersDelivered = true
                var headers: [HTTP2HeaderField] = []
                swap(&headers, &stream.headers)
                self.events.append(.requestHeaders(streamID: header.stream_id, headers: headers, endStream: endStream))
            } else {
                stream.receivingTrailers = false
                if endStream, stream.requestHeadersDelivered, !stream.isReset {
                    self.events.append(.requestEnded(streamID: header.stream_id))
                }
            }
        case .frameData:
            if header.flags & .flagEndStream != 0, let stream = self.streams[header.stream_id],
                stream.requestHeadersDelivered, !stream.isReset
            {
                self.events.append(.requestEnded(streamID: header.stream_id))
            }
        case .framePing:
            if header.flags & .flagAck != 0 {
                let opaque = withUnsafeBytes(of: frame.pointee.ping.opaque_data) {
                    UInt64(bigEndian: $0.loadUnaligned(as: UInt64.self))
                }
                self.events.append(.pingAcknowledged(opaque: opaque))
            }
        case .frameGoAway:
            self.events.append(
                .goAwayReceived(
                    lastStreamID: frame.pointee.goaway.last_stream_id,
                    errorCode: HTTP2ErrorCode(rawValue: frame.pointee.goaway.error_code)
                )
            )
        case .frameSettings:
            if header.flags & .flagAck == 0 {
                self.events.append(.settingsReceived)
            }
        default:
            break
        }
        return 0
    }

    fileprivate func onDataChunkReceived(streamID: Int32, data: UnsafePointer<UInt8>?, length: Int) -> Int32 {
        guard length > 0, let data else { return 0 }
        guard let stream = self.streams[streamID], stream.requestHeadersDelivered, !stream.isReset else {
            // Nobody will consume these bytes: credit them back right away. (Defensive:
            // nghttp2 itself drops and credits DATA for streams it is resetting.)
            let rv = nghttp2_session_consume(self.session, streamID, length)
            return nghttp2_is_fatal(rv) != 0 ? .errCallbackFailure : 0
        }
        stream.unconsumedInbound += length
        self.events.append(.requestData(streamID: streamID, bytes: self.makeBuffer(data, count: length)))
        return 0
    }

    fileprivate func onStreamClose(streamID: Int32, errorCode: UInt32) -> Int32 {
        if self.headerBlockStream?.id == streamID { self.headerBlockStream = nil }
        guard let stream = self.streams.removeValue(forKey: streamID) else { return 0 }
        if stream.unconsumedInbound > 0 {
            // The stream window is gone with the stream; the connection window must
            // not lose these bytes.
            let rv = nghttp2_session_consume_connection(self.session, stream.unconsumedInbound)
            if nghttp2_is_fatal(rv) != 0 { return .errCallbackFailure }
        }
        if stream.requestHeadersDelivered {
            self.events.append(.streamClosed(streamID: streamID, errorCode: HTTP2ErrorCode(rawValue: errorCode)))
        }
        return 0
    }

    fileprivate func onFrameSent(_ frame: UnsafePointer<nghttp2_frame>) -> Int32 {
        let header = frame.pointee.hd
        if header.flags & .flagEndStream != 0, header.type == .frameHeaders || header.type == .frameData,
            nghttp2_session_get_stream_remote_close(self.session, header.stream_id) == 0,
            let stream = self.streams[header.stream_id], !stream.isReset
        {
            // Our response is complete but the client is still sending: ask it to stop
            // with RST_STREAM(NO_ERROR) (RFC 9113 §8.1; what gRPC servers do), so the
            // stream does not linger half-closed and count against the concurrency
            // limit. Request bytes after this point are dropped and credited back.
            stream.isReset = true
            let rv = nghttp2_submit_rst_stream(
                self.session, .flagNone, header.stream_id, HTTP2ErrorCode.noError.rawValue)
            if nghttp2_is_fatal(rv) != 0 { return .errCallbackFailure }
        }
        if header.type == .frameGoAway {
            self.events.append(
                .goAwaySent(
                    lastStreamID: frame.pointee.goaway.last_stream_id,
                    errorCode: HTTP2ErrorCode(rawValue: frame.pointee.goaway.error_code)
                )
            )
        }
        return 0
    }

    /// The data provider's read callback. It copies nothing: it tells nghttp2 how
    /// many bytes the next DATA frame carries and sets NGHTTP2_DATA_FLAG_NO_COPY, so
    /// nghttp2 calls `send_data` (``writeDataFrame``) to serialise the frame.
    fileprivate func readResponseData(streamID: Int32, maxLength: Int, flags: UnsafeMutablePointer<UInt32>) -> Int {
        guard let stream = self.streams[streamID], !stream.isReset else {
            return Int(Int32.errDeferred)
        }
        let available = stream.outboundBytes
        let length = min(maxLength, available)
        if length == available, case .ending(let trailers) = stream.response {
            // Last chunk (possibly empty): end the body here.
            stream.response = .finished
            if trailers.isEmpty {
                flags.pointee |= NGHTTP2_DATA_FLAG_EOF.rawValue
            } else {
                flags.pointee |= NGHTTP2_DATA_FLAG_EOF.rawValue | NGHTTP2_DATA_FLAG_NO_END_STREAM.rawValue
                let rv = withNameValuePairs(trailers) { nva, count in
                    nghttp2_submit_trailer(self.session, streamID, nva, count)
                }
                if nghttp2_is_fatal(rv) != 0 { return Int(Int32.errCallbackFailure) }
                if rv != 0 { return Int(Int32.errTemporalCallbackFailure) }
            }
        } else if length == 0 {
            stream.isDeferred = true
            return Int(Int32.errDeferred)
        }
        if length > 0 {
            flags.pointee |= NGHTTP2_DATA_FLAG_NO_COPY.rawValue
        }
        return length
    }

    /// nghttp2's `send_data` callback for NO_COPY DATA frames, called from inside
    /// `nghttp2_session_mem_send`: writes the 9-byte frame header, the padding length,
    /// the payload (straight from the stream's queue) and the padding into the output
    /// buffer. Frames returned by `mem_send` are appended after the call returns, so
    /// the byte order on the wire is the order nghttp2 serialised the frames in.
    fileprivate func writeDataFrame(
        _ frame: UnsafeMutablePointer<nghttp2_frame>,
        frameHeader: UnsafePointer<UInt8>,
        length: Int
    ) -> Int32 {
        let streamID = frame.pointee.hd.stream_id
        guard let stream = self.streams[streamID], stream.outboundBytes >= length else {
            return .errCallbackFailure
        }
        let padding = frame.pointee.data.padlen
        self.output.writeBytes(UnsafeRawBufferPointer(start: frameHeader, count: 9))
        if padding > 0 {
            self.output.writeInteger(UInt8(truncatingIfNeeded: padding - 1))
        }
        stream.drain(length, into: &self.output)
        if padding > 1 {
            self.output.writeRepeatingByte(0, count: padding - 1)
        }
        if stream.needsWritableEvent,
            stream.outboundBytes < self.configuration.maxOutboundBufferedBytesPerStream
        {
            stream.needsWritableEvent = false
            self.events.append(.streamWritable(streamID: streamID))
        }
        return self.output.writerIndex >= self.outputLimit ? .errPause : 0
    }
}

/// The callback table, built once per process: nghttp2 copies it into every
/// session it creates, and nobody writes to it after `init`.
private final class ServerCallbacks: @unchecked Sendable {
    static let shared = ServerCallbacks()

    let pointer: OpaquePointer

    private init() {
        var callbacks: OpaquePointer?
        let rv = nghttp2_session_callbacks_new(&callbacks)
        precondition(rv == 0 && callbacks != nil, "nghttp2_session_callbacks_new failed: \(rv)")
        self.pointer = callbacks!

        nghttp2_session_callbacks_set_on_begin_headers_callback(self.pointer) { _, frame, userData in
            guard let userData, let frame else { return 0 }
            return HTTP2ServerSession.from(userData).onBeginHeaders(frame)
        }
        nghttp2_session_callbacks_set_on_header_callback(self.pointer) {
            _, frame, name, nameLength, value, valueLength, _, userData in
            guard let userData, let frame else { return 0 }
            return HTTP2ServerSession.from(userData).onHeader(
                frame,
                name: name,
                nameLength: nameLength,
                value: value,
                valueLength: valueLength
            )
        }
        nghttp2_session_callbacks_set_on_frame_recv_callback(self.pointer) { _, frame, userData in
            guard let userData, let frame else { return 0 }
            return HTTP2ServerSession.from(userData).onFrameReceived(frame)
        }
        nghttp2_session_callbacks_set_on_data_chunk_recv_callback(self.pointer) {
            _, _, streamID, data, length, userData in
            guard let userData else { return 0 }
            return HTTP2ServerSession.from(userData).onDataChunkReceived(streamID: streamID, data: data, length: length)
        }
        nghttp2_session_callbacks_set_on_stream_close_callback(self.pointer) { _, streamID, errorCode, userData in
            guard let userData else { return 0 }
            return HTTP2ServerSession.from(userData).onStreamClose(streamID: streamID, errorCode: errorCode)
        }
        nghttp2_session_callbacks_set_on_frame_send_callback(self.pointer) { _, frame, userData in
            guard let userData, let frame else { return 0 }
            return HTTP2ServerSession.from(userData).onFrameSent(frame)
        }
        nghttp2_session_callbacks_set_send_data_callback(self.pointer) {
            _, frame, frameHeader, length, _, userData in
            guard let userData, let frame, let frameHeader else { return .errCallbackFailure }
            return HTTP2ServerSession.from(userData).writeDataFrame(frame, frameHeader: frameHeader, length: length)
        }
    }

    deinit {
        nghttp2_session_callbacks_del(self.pointer)
    }
}
