package import LandlordRPC
package import Logging
package import NIOCore
import NIOPosix
import NIOSSL
import ServiceLifecycle
import Synchronization

/// A gRPC server over HTTP/2: cleartext (h2c with prior knowledge), or TLS only with ALPN `h2`
/// when it has ``TLSCredentials``.
///
/// Each accepted connection gets its own nghttp2 session, driven on the
/// connection's event loop; each call runs its handler in its own task. The
/// server is a `Service`: run it in a `ServiceGroup`, and a graceful shutdown
/// stops accepting, sends GOAWAY on every connection, lets calls in flight
/// finish within ``Configuration/drainTimeout`` and then cancels the rest.
///
/// ```swift
/// var router = RPCRouter()
/// router.register([HealthService(), EchoService()])
/// let server = GRPCServer(router: router, configuration: .defaults, logger: logger)
/// try await server.run()
/// ```
package final class GRPCServer: Service, Sendable {
    package let configuration: Configuration
    private let router: RPCRouter
    private let logger: Logger
    private let group: any EventLoopGroup
    private let callLimiter: CallLimiter
    private let metrics: (any RPCServerMetrics)?
    private let onDrain: @Sendable () -> Void
    private let tls: TLSCredentials?
    private let state = Mutex(State())

    private struct State {
        enum Phase {
            case notStarted
            case running(any Channel)
            case draining
            case stopped
        }

        var phase = Phase.notStarted
        var connections: [ObjectIdentifier: any Channel] = [:]
        var address: Result<SocketAddress, any Error>?
        var addressWaiters: [CheckedContinuation<SocketAddress, any Error>] = []
    }

    /// Creates a server; nothing listens until ``run()``.
    ///
    /// - Parameters:
    ///   - router: the methods served.
    ///   - configuration: limits and timeouts.
    ///   - logger: where connection-level events are logged.
    ///   - eventLoopGroup: the loops serving connections.
    ///   - metrics: where calls and connections are counted; the router's methods are
    ///     instrumented with it once, here. `nil`: nothing is recorded.
    ///   - tls: with credentials, the port speaks TLS only (ALPN `h2`), each new connection with
    ///     their current context; `nil`: h2c.
    ///   - onDrain: called once when a graceful shutdown begins (e.g. to turn health NOT_SERVING).
    package init(
        router: RPCRouter,
        configuration: Configuration = .defaults,
        logger: Logger,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        metrics: (any RPCServerMetrics)? = nil,
        tls: TLSCredentials? = nil,
        onDrain: @escaping @Sendable () -> Void = {}
    ) {
        self.tls = tls
        var router = router
        if let metrics { router.instrument(with: metrics) }
        self.router = router
        self.metrics = metrics
        self.configuration = configuration
        self.logger = logger
        self.group = eventLoopGroup
        self.callLimiter = CallLimiter(limit: configuration.maxConcurrentCalls)
        self.onDrain = onDrain
    }

    /// The address the server listens on, once it does (port 0 resolved).
    package var listeningAddress: SocketAddress {
        get async throws {
            try await withCheckedThrowingContinuation { continuation in
                let known = state.withLock { state -> Result<SocketAddress, any Error>? in
                    if let address = state.address { return address }
                    state.addressWaiters.append(continuation)
                    return nil
                }
                if let known { continuation.resume(with: known) }
            }
        }
    }

    /// Connections open now.
    package var connectionCount: Int { state.withLock { $0.connections.count } }

    /// Handlers running now.
    package var callsInFlight: Int { callLimiter.count }

    /// Listens and serves until a graceful shutdown (or cancellation) ends it;
    /// returns once every connection has closed and every handler has returned.
    package func run() async throws {
        let serverChannel: any Channel
        do {
            serverChannel = try await bind()
        } catch {
            resolveAddress(.failure(error))
            throw error
        }
        let proceed = state.withLock { state -> Bool in
            guard case .notStarted = state.phase else { return false }
            state.phase = .running(serverChannel)
            return true
        }
        guard proceed else {
            try? await serverChannel.close()
            return
        }
        resolveAddress(.success(serverChannel.localAddress!))
        logger.info("gRPC server listening", metadata: ["address": "\(serverChannel.localAddress!)"])

        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                try? await serverChannel.closeFuture.get()
            } onGracefulShutdown: {
                self.beginGracefulShutdown()
            }
            await drainConnections()
            // Closed connections have cancelled their calls; wait for the handlers to end.
            await callLimiter.waitUntilIdle()
        } onCancel: {
            self.closeEverything()
        }
        state.withLock { $0.phase = .stopped }
        logger.info("gRPC server stopped")
    }

    /// Stops accepting connections and asks every connection to drain.
    package func beginGracefulShutdown() {
        let (listener, connections) = state.withLock { state -> ((any Channel)?, [any Channel]) in
            switch state.phase {
            case .running(let channel):
                state.phase = .draining
                return (channel, Array(state.connections.values))
            case .notStarted:
                state.phase = .stopped
                return (nil, [])
            case .draining, .stopped:
                return (nil, [])
            }
        }
        guard let listener else { return }
        logger.info("gRPC server draining", metadata: ["connections": "\(connections.count)"])
        onDrain()
        listener.close(promise: nil)
        for connection in connections {
            connection.triggerUserOutboundEvent(GracefulDrainEvent(), promise: nil)
        }
    }

    private func bind() async throws -> any Channel {
        let configuration = self.configuration
        return try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelOption(
                .writeBufferWaterMark,
                value: .init(low: configuration.writeBufferLowWatermark, high: configuration.writeBufferHighWatermark)
            )
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelInitializer { channel in self.initializeConnection(channel) }
            .bind(host: configuration.host, port: configuration.port)
            .get()
    }

    private func initializeConnection(_ channel: any Channel) -> EventLoopFuture<Void> {
        let accepted = state.withLock { state -> Bool in
            guard case .running = state.phase, state.connections.count < self.configuration.maxConnections else {
                return false
            }
            state.connections[ObjectIdentifier(channel)] = channel
            return true
        }
        guard accepted else {
            logger.notice("refusing a connection", metadata: ["limit": "\(self.configuration.maxConnections)"])
            return channel.close()
        }
        metrics?.connectionOpened()
        channel.closeFuture.whenComplete { _ in
            _ = self.state.withLock { $0.connections.removeValue(forKey: ObjectIdentifier(channel)) }
            self.metrics?.connectionClosed()
        }
        // The pipeline is chosen here, once per connection: an h2c connection never meets TLS code.
        guard let tls else {
            let handler = GRPCConnectionHandler(
                router: router,
                configuration: configuration,
                callLimiter: callLimiter,
                logger: logger
            )
            return channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandler(handler)
            }
        }
        let router = self.router
        let callLimiter = self.callLimiter
        let logger = self.logger
        let configuration = self.configuration
        let context = tls.currentContext
        return channel.eventLoop.makeCompletedFuture {
            let handshake = TLSHandshakeHandler(
                timeout: configuration.handshakeTimeout,
                readsClientCertificate: tls.requiresClientCertificate,
                logger: logger
            ) { peerCertificate in
                GRPCConnectionHandler(
                    router: router,
                    configuration: configuration,
                    callLimiter: callLimiter,
                    logger: logger,
                    peerCertificate: peerCertificate
                )
            }
            try channel.pipeline.syncOperations.addHandlers([NIOSSLServerHandler(context: context), handshake])
        }
    }

    /// Waits for every connection to close, at most the drain timeout; then closes the rest.
    private func drainConnections() async {
        let connections = state.withLock { Array($0.connections.values) }
        guard !connections.isEmpty else { return }
        let allClosed = EventLoopFuture.andAllComplete(connections.map(\.closeFuture), on: group.any())
        let drainTimeout = configuration.drainTimeout
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                try? await allClosed.get()
                return true
            }
            group.addTask {
                try? await Task.sleep(for: drainTimeout)
                return false
            }
            let drained = await group.next()!
            group.cancelAll()
            if !drained {
                self.logger.notice("drain timeout passed: closing connections with calls in flight")
                for connection in connections { connection.close(promise: nil) }
            }
            await group.waitForAll()
        }
    }

    private func closeEverything() {
        let channels = state.withLock { state -> [any Channel] in
            var channels = Array(state.connections.values)
            if case .running(let listener) = state.phase { channels.append(listener) }
            state.phase = .stopped
            return channels
        }
        for channel in channels { channel.close(promise: nil) }
    }

    private func resolveAddress(_ result: Result<SocketAddress, any Error>) {
        let waiters = state.withLock { state in
            state.address = result
            defer { state.addressWaiters = [] }
            return state.addressWaiters
        }
        for waiter in waiters { waiter.resume(with: result) }
    }
}
