package import Logging
package import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle
import Synchronization

/// The metrics listener: HTTP/1.1 on its own port, `GET /metrics` answers with the Prometheus
/// text exposition. It runs on the gRPC server's event loops and shares nothing else with the gRPC
/// port; a graceful shutdown closes it. Run it in the application's `ServiceGroup`.
///
/// ```swift
/// let server = MetricsServer(host: "0.0.0.0", port: 9090, registry: metrics, logger: logger)
/// try await server.run()
/// ```
package final class MetricsServer: Service, Sendable {
    /// Limits of the listener; ``defaults`` documents each value.
    package struct Limits: Sendable, Equatable {
        /// Bytes of one request (head and body) at most; larger ones get 431 and a close.
        package var maxRequestBytes: Int
        /// Open connections at most; further ones are closed at once.
        package var maxConnections: Int
        /// A connection that sends nothing for this long is closed.
        package var idleTimeout: TimeAmount

        /// 8 KiB per request, 64 connections, 60 s idle.
        package static let defaults = Limits(maxRequestBytes: 8 * 1024, maxConnections: 64, idleTimeout: .seconds(60))

        package init(maxRequestBytes: Int, maxConnections: Int, idleTimeout: TimeAmount) {
            self.maxRequestBytes = maxRequestBytes
            self.maxConnections = maxConnections
            self.idleTimeout = idleTimeout
        }
    }

    private let host: String
    private let port: Int
    private let exposition: @Sendable () -> [UInt8]
    private let limits: Limits
    private let logger: Logger
    private let group: any EventLoopGroup
    private let connections = Atomic<Int>(0)
    private let address = Mutex<AddressState>(AddressState())

    private struct AddressState {
        var result: Result<SocketAddress, any Error>?
        var waiters: [CheckedContinuation<SocketAddress, any Error>] = []
    }

    /// - Parameters:
    ///   - host, port: where to listen; port 0 picks a free one (see ``listeningAddress``).
    ///   - registry: what a scrape returns.
    ///   - limits: request size, connections and idle time.
    ///   - eventLoopGroup: the loops serving the connections (the gRPC server's).
    package convenience init(
        host: String,
        port: Int,
        registry: MetricsRegistry,
        limits: Limits = .defaults,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger
    ) {
        self.init(host: host, port: port, limits: limits, eventLoopGroup: eventLoopGroup, logger: logger) {
            registry.exposition()
        }
    }

    /// A listener serving what `exposition` returns (tests).
    package init(
        host: String,
        port: Int,
        limits: Limits = .defaults,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger,
        exposition: @escaping @Sendable () -> [UInt8]
    ) {
        self.host = host
        self.port = port
        self.limits = limits
        self.group = eventLoopGroup
        self.logger = logger
        self.exposition = exposition
    }

    /// The address the listener is bound to, once it is (port 0 resolved).
    package var listeningAddress: SocketAddress {
        get async throws {
            try await withCheckedThrowingContinuation { continuation in
                let known = address.withLock { state -> Result<SocketAddress, any Error>? in
                    if let result = state.result { return result }
                    state.waiters.append(continuation)
                    return nil
                }
                if let known { continuation.resume(with: known) }
            }
        }
    }

    /// Listens until a graceful shutdown or cancellation, then closes the listener and its connections.
    package func run() async throws {
        let channel: any Channel
        do {
            channel = try await bind()
        } catch {
            resolve(.failure(error))
            throw error
        }
        resolve(.success(channel.localAddress!))
        logger.info("metrics listening", metadata: ["address": "\(channel.localAddress!)"])
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                try? await channel.closeFuture.get()
            } onGracefulShutdown: {
                channel.close(promise: nil)
            }
        } onCancel: {
            channel.close(promise: nil)
        }
    }

    private func bind() async throws -> any Channel {
        let limits = self.limits
        let exposition = self.exposition
        return try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                guard self.connections.add(1, ordering: .relaxed).newValue <= limits.maxConnections else {
                    self.connections.subtract(1, ordering: .relaxed)
                    return channel.close()
                }
                channel.closeFuture.whenComplete { _ in self.connections.subtract(1, ordering: .relaxed) }
                return channel.eventLoop.makeCompletedFuture {
                    try Self.configure(channel.pipeline.syncOperations, limits: limits, exposition: exposition)
                }
            }
            .bind(host: host, port: port)
            .get()
    }

    /// The handlers of one metrics connection: the size limit in front of the HTTP/1.1 codec, an
    /// idle timer and the handler answering the requests.
    static func configure(
        _ pipeline: ChannelPipeline.SynchronousOperations,
        limits: Limits,
        exposition: @escaping @Sendable () -> [UInt8]
    ) throws {
        try pipeline.addHandler(RequestSizeLimiter(limit: limits.maxRequestBytes))
        try pipeline.configureHTTPServerPipeline(withPipeliningAssistance: true, withErrorHandling: true)
        try pipeline.addHandler(IdleStateHandler(readTimeout: limits.idleTimeout))
        try pipeline.addHandler(MetricsHTTPHandler(exposition: exposition))
    }

    private func resolve(_ result: Result<SocketAddress, any Error>) {
        let waiters = address.withLock { state in
            state.result = result
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(with: result) }
    }
}
