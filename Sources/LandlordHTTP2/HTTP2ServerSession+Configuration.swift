extension HTTP2ServerSession {
    /// The limits and settings of one server session.
    ///
    /// Every value has a safe default (``defaults``); each hardening limit maps to
    /// one nghttp2 option or one SETTINGS parameter, named in its documentation.
    ///
    /// ```swift
    /// var configuration = HTTP2ServerSession.Configuration.defaults
    /// configuration.maxConcurrentStreams = 250
    /// let session = try HTTP2ServerSession(configuration: configuration)
    /// ```
    package struct Configuration: Sendable, Hashable {
        /// A token bucket for incoming RST_STREAM frames
        /// (`nghttp2_option_set_stream_reset_rate_limit`, CVE-2023-44487 "rapid reset").
        ///
        /// Each RST_STREAM from the client takes a token; `burst` tokens are available
        /// at first and at most, and `ratePerSecond` come back every second. When the
        /// bucket is empty nghttp2 sends GOAWAY(`INTERNAL_ERROR`) and the connection
        /// winds down.
        package struct StreamResetRateLimit: Sendable, Hashable {
            /// The bucket size (default 1000).
            package var burst: UInt64
            /// Tokens regained per second (default 33).
            package var ratePerSecond: UInt64

            package init(burst: UInt64, ratePerSecond: UInt64) {
                self.burst = burst
                self.ratePerSecond = ratePerSecond
            }
        }

        /// `SETTINGS_MAX_CONCURRENT_STREAMS` we advertise, enforced by nghttp2: before
        /// the client has acknowledged our SETTINGS, a stream beyond it is refused
        /// with RST_STREAM(`REFUSED_STREAM`) (the client may retry it); after, a
        /// client that exceeds it has broken the protocol and the connection ends
        /// with GOAWAY(`PROTOCOL_ERROR`). Default 100.
        package var maxConcurrentStreams: UInt32
        /// `SETTINGS_INITIAL_WINDOW_SIZE` we advertise: how many request body bytes a
        /// client may send on one stream before we hand credit back with
        /// ``HTTP2ServerSession/consumeInbound(streamID:count:)``. Default 1 MiB;
        /// at most 2^31 - 1.
        package var initialStreamWindowSize: UInt32
        /// The connection-level receive window. HTTP/2 starts every connection at
        /// 65 535 bytes; the session raises (or lowers) it to this value with a
        /// WINDOW_UPDATE right after its SETTINGS. It bounds the request bytes a
        /// client can have in flight over all streams together. Default 2 MiB; at
        /// most 2^31 - 1.
        package var connectionWindowSize: UInt32
        /// `SETTINGS_MAX_FRAME_SIZE` we advertise: the largest frame payload we
        /// accept. Default 16 KiB (the protocol minimum); at most 2^24 - 1.
        package var maxFrameSize: UInt32
        /// `SETTINGS_MAX_HEADER_LIST_SIZE` we advertise, and enforce while a header
        /// block is being decoded: the sum over all fields of name + value + 32
        /// octets. A request (or request trailer) block over it resets that stream
        /// with RST_STREAM(`ENHANCE_YOUR_CALM`) — gRPC clients report
        /// RESOURCE_EXHAUSTED — before any event is produced; the HPACK state stays
        /// in sync and the rest of the connection is unaffected. Default 16 KiB.
        package var maxHeaderListSize: UInt32
        /// `SETTINGS_HEADER_TABLE_SIZE` we advertise: the HPACK dynamic table size our
        /// decoder allows the client's encoder. Default 4096.
        package var headerTableSize: UInt32
        /// The upper bound of the HPACK dynamic table of our encoder, whatever the
        /// client advertises (`nghttp2_option_set_max_deflate_dynamic_table_size`;
        /// bounds the memory a client can make us spend on response headers).
        /// Default 4096.
        package var maxDeflateDynamicTableSize: Int
        /// The RST_STREAM token bucket (CVE-2023-44487). Default burst 1000, 33/s.
        package var streamResetRateLimit: StreamResetRateLimit
        /// The most CONTINUATION frames allowed after one HEADERS frame
        /// (`nghttp2_option_set_max_continuations`, CVE-2024-27316); more is a
        /// connection error (``HTTP2Error/Code-swift.struct/tooManyContinuations``).
        /// Default 8.
        package var maxContinuations: Int
        /// The most entries accepted in one SETTINGS frame
        /// (`nghttp2_option_set_max_settings`, CVE-2019-9515 family); more ends the
        /// connection with GOAWAY(`ENHANCE_YOUR_CALM`). Default 32.
        package var maxSettings: Int
        /// The most SETTINGS-ACK and PING-ACK frames nghttp2 keeps queued for a peer
        /// that does not read them (`nghttp2_option_set_max_outbound_ack`,
        /// CVE-2019-9512 ping flood, CVE-2019-9515 settings flood); past it
        /// ``HTTP2ServerSession/receive(_:)`` throws
        /// ``HTTP2Error/Code-swift.struct/flooded``. Default 1000.
        package var maxOutboundAck: Int
        /// The soft limit of response bytes buffered per stream: at or above it
        /// ``HTTP2ServerSession/isStreamWritable(streamID:)`` is false, and when the
        /// buffer drains below it again ``HTTP2Event/streamWritable(streamID:)`` is
        /// emitted. ``HTTP2ServerSession/sendData(streamID:_:)`` never refuses
        /// bytes: the caller must stop writing. Default 64 KiB.
        package var maxOutboundBufferedBytesPerStream: Int

        /// Creates a configuration; every parameter defaults to the value in ``defaults``.
        package init(
            maxConcurrentStreams: UInt32 = 100,
            initialStreamWindowSize: UInt32 = 1 << 20,
            connectionWindowSize: UInt32 = 2 << 20,
            maxFrameSize: UInt32 = 1 << 14,
            maxHeaderListSize: UInt32 = 16 << 10,
            headerTableSize: UInt32 = 4096,
            maxDeflateDynamicTableSize: Int = 4096,
            streamResetRateLimit: StreamResetRateLimit = .init(burst: 1000, ratePerSecond: 33),
            maxContinuations: Int = 8,
            maxSettings: Int = 32,
            maxOutboundAck: Int = 1000,
            maxOutboundBufferedBytesPerStream: Int = 64 << 10
        ) {
            self.maxConcurrentStreams = maxConcurrentStreams
            self.initialStreamWindowSize = initialStreamWindowSize
            self.connectionWindowSize = connectionWindowSize
            self.maxFrameSize = maxFrameSize
            self.maxHeaderListSize = maxHeaderListSize
            self.headerTableSize = headerTableSize
            self.maxDeflateDynamicTableSize = maxDeflateDynamicTableSize
            self.streamResetRateLimit = streamResetRateLimit
            self.maxContinuations = maxContinuations
            self.maxSettings = maxSettings
            self.maxOutboundAck = maxOutboundAck
            self.maxOutboundBufferedBytesPerStream = maxOutboundBufferedBytesPerStream
        }

        /// The defaults:
        ///
        /// | value | default |
        /// | --- | --- |
        /// | ``maxConcurrentStreams`` | 100 |
        /// | ``initialStreamWindowSize`` | 1 MiB |
        /// | ``connectionWindowSize`` | 2 MiB |
        /// | ``maxFrameSize`` | 16 KiB |
        /// | ``maxHeaderListSize`` | 16 KiB |
        /// | ``headerTableSize`` | 4096 |
        /// | ``maxDeflateDynamicTableSize`` | 4096 |
        /// | ``streamResetRateLimit`` | burst 1000, 33 per second |
        /// | ``maxContinuations`` | 8 |
        /// | ``maxSettings`` | 32 |
        /// | ``maxOutboundAck`` | 1000 |
        /// | ``maxOutboundBufferedBytesPerStream`` | 64 KiB |
        package static var defaults: Self { Self() }

        /// Throws ``HTTP2Error/Code-swift.struct/invalidArgument`` for a value HTTP/2
        /// or nghttp2 cannot take.
        func validate() throws(HTTP2Error) {
            func fail(_ message: String) -> HTTP2Error {
                HTTP2Error(code: .invalidArgument, message: message)
            }
            let maxWindow: UInt32 = (1 << 31) - 1
            guard self.initialStreamWindowSize <= maxWindow else {
                throw fail("initialStreamWindowSize \(self.initialStreamWindowSize) exceeds 2^31-1")
            }
            guard self.connectionWindowSize <= maxWindow else {
                throw fail("connectionWindowSize \(self.connectionWindowSize) exceeds 2^31-1")
            }
            guard (1 << 14)...((1 << 24) - 1) ~= self.maxFrameSize else {
                throw fail("maxFrameSize \(self.maxFrameSize) is outside 16384...16777215")
            }
            guard self.maxHeaderListSize > 0 else { throw fail("maxHeaderListSize must be positive") }
            guard self.maxDeflateDynamicTableSize >= 0 else {
                throw fail("maxDeflateDynamicTableSize must not be negative")
            }
            guard self.maxContinuations >= 0 else { throw fail("maxContinuations must not be negative") }
            guard self.maxSettings > 0 else { throw fail("maxSettings must be positive") }
            guard self.maxOutboundAck > 0 else { throw fail("maxOutboundAck must be positive") }
            guard self.maxOutboundBufferedBytesPerStream > 0 else {
                throw fail("maxOutboundBufferedBytesPerStream must be positive")
            }
        }
    }
}
