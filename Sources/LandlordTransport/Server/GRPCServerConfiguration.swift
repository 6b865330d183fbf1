package import LandlordHTTP2

extension GRPCServer {
    /// Everything an owner can tune about the server; ``defaults`` documents each value.
    package struct Configuration: Sendable {
        /// Where to listen.
        package var host: String
        /// The TCP port; 0 picks a free one (see ``GRPCServer/listeningAddress``).
        package var port: Int
        /// The largest request message accepted; larger ones end the call with
        /// `RESOURCE_EXHAUSTED` and the connection stays usable.
        package var maxReceiveMessageSize: Int
        /// Open connections at most; further ones are closed at once.
        package var maxConnections: Int
        /// Handlers running at once across all connections; further streams
        /// are refused with RST_STREAM(REFUSED_STREAM), which clients retry.
        package var maxConcurrentCalls: Int
        /// Complete request messages a call may hold unread before the server
        /// stops giving its client flow-control credit.
        package var maxBufferedRequestBytesPerCall: Int
        /// A new connection must send the HTTP/2 preface and SETTINGS within this time.
        package var handshakeTimeout: Duration
        /// A connection with no call for this long is closed with GOAWAY.
        package var idleTimeout: Duration
        /// How often the server PINGs a connection, and how long it waits for the ACK.
        package var keepaliveInterval: Duration
        package var keepaliveTimeout: Duration
        /// On graceful shutdown, how long in-flight calls may run before they are cancelled.
        package var drainTimeout: Duration
        /// Bytes queued for a socket before the server stops reading from it.
        package var writeBufferHighWatermark: Int
        package var writeBufferLowWatermark: Int
        /// HTTP/2 settings and the limits against HTTP/2 attacks.
        package var http2: HTTP2ServerSession.Configuration

        /// - `host` "127.0.0.1", `port` 0
        /// - `maxReceiveMessageSize` 4 MiB (gRPC's usual default)
        /// - `maxConnections` 16384, `maxConcurrentCalls` 20000
        /// - `maxBufferedRequestBytesPerCall` 1 MiB
        /// - `handshakeTimeout` 10 s, `idleTimeout` 10 min
        /// - `keepaliveInterval` 2 min, `keepaliveTimeout` 20 s
        /// - `drainTimeout` 30 s
        /// - write buffer watermarks 256 KiB / 64 KiB
        /// - `http2`: ``HTTP2ServerSession/Configuration/defaults``
        package static var defaults: Configuration {
            Configuration(
                host: "127.0.0.1",
                port: 0,
                maxReceiveMessageSize: 4 * 1024 * 1024,
                maxConnections: 16384,
                maxConcurrentCalls: 20000,
                maxBufferedRequestBytesPerCall: 1024 * 1024,
                handshakeTimeout: .seconds(10),
                idleTimeout: .seconds(600),
                keepaliveInterval: .seconds(120),
                keepaliveTimeout: .seconds(20),
                drainTimeout: .seconds(30),
                writeBufferHighWatermark: 256 * 1024,
                writeBufferLowWatermark: 64 * 1024,
                http2: .defaults
            )
        }

        package init(
            host: String,
            port: Int,
            maxReceiveMessageSize: Int,
            maxConnections: Int,
            maxConcurrentCalls: Int,
            maxBufferedRequestBytesPerCall: Int,
            handshakeTimeout: Duration,
            idleTimeout: Duration,
            keepaliveInterval: Duration,
            keepaliveTimeout: Duration,
            drainTimeout: Duration,
            writeBufferHighWatermark: Int,
            writeBufferLowWatermark: Int,
            http2: HTTP2ServerSession.Configuration
        ) {
            self.host = host
            self.port = port
            self.maxReceiveMessageSize = maxReceiveMessageSize
            self.maxConnections = maxConnections
            self.maxConcurrentCalls = maxConcurrentCalls
            self.maxBufferedRequestBytesPerCall = maxBufferedRequestBytesPerCall
            self.handshakeTimeout = handshakeTimeout
            self.idleTimeout = idleTimeout
            self.keepaliveInterval = keepaliveInterval
            self.keepaliveTimeout = keepaliveTimeout
            self.drainTimeout = drainTimeout
            self.writeBufferHighWatermark = writeBufferHighWatermark
            self.writeBufferLowWatermark = writeBufferLowWatermark
            self.http2 = http2
        }
    }
}
