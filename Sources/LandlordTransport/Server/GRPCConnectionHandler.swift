import LandlordHTTP2
import LandlordRPC
import Logging
import NIOCore

/// Asks a connection to drain: GOAWAY, let its calls finish, then close.
struct GracefulDrainEvent: Sendable {}

/// Serves gRPC on one HTTP/2 connection: h2c, or the plaintext side of TLS (``TLSHandshakeHandler``
/// adds it once the handshake is done).
///
/// Owns the connection's nghttp2 session and feeds it on the channel's event
/// loop; every request stream becomes a call whose handler runs in its own
/// task. Reading stops while the socket's write buffer is full, so a client
/// that does not read cannot make the server buffer without bound.
///
/// The tasks of the calls opened by one read start once that read's events
/// have all been handled, right there on the event loop (`Task.immediate`):
/// a unary request that arrived whole (HEADERS, DATA, END_STREAM) is answered
/// within the same read, and the answers of a whole read go out in one flush
/// at `channelReadComplete`.
final class GRPCConnectionHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = Never
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// What a call's task needs, kept from opening the stream until the task starts.
    private struct CallStart: Sendable {
        var handler: RPCHandler
        var context: ServerContext
        /// When the call started; read only for a method with metrics.
        var startedAt: ContinuousClock.Instant?
    }

    private final class Stream {
        let call: ServerCall
        /// The method's metric handles (nil without metrics).
        let metrics: (any RPCMethodMetrics)?
        /// Set from opening the stream until its handler's task starts.
        var start: CallStart?
        var task: Task<Void, Never>?
        var deframer: MessageDeframer
        /// Request messages still go to the handler.
        var inboundOpen = true
        var responseHeadersSent = false
        var finished = false
        /// DATA bytes received but not yet credited to the client's window.
        var withheldCredit = 0
        var pendingWrite: EventLoopPromise<Void>?

        init(call: ServerCall, metrics: (any RPCMethodMetrics)?, maxMessageSize: Int) {
            self.call = call
            self.metrics = metrics
            self.deframer = MessageDeframer(maxMessageSize: maxMessageSize)
        }
    }

    private enum Phase {
        case active
        case draining
        case goAwaySent
    }

    private static let keepaliveOpaque: UInt64 = 0x6B65_6570_616C_6976  // "keepaliv"
    private static let drainOpaque: UInt64 = 0x6472_6169_6E69_6E67  // "draining"

    private let router: RPCRouter
    private let configuration: GRPCServer.Configuration
    private let callLimiter: CallLimiter
    private var logger: Logger

    private var session: HTTP2ServerSession?
    private var context: ChannelHandlerContext?
    private var loopBound: NIOLoopBound<GRPCConnectionHandler>?
    /// Runs the calls' tasks on this connection's event loop.
    private var isolation: EventLoopIsolation?
    private var streams: [Int32: Stream] = [:]
    private var phase = Phase.active
    /// A drain asked for before the connection started: it begins once it does.
    private var drainRequested = false
    private var remotePeer = ""
    private var readHeld = false
    private var flushScheduled = false
    /// Between `channelRead` and `channelReadComplete`, which flushes: no
    /// separate flush needs scheduling.
    private var readInProgress = false
    /// Calls opened by the events being handled, started once those are done.
    private var callsToStart: [Int32] = []
    private var handshakeTimer: Scheduled<Void>?
    private var idleTimer: Scheduled<Void>?
    /// Since when the connection has had no open stream; nil while it has one. The idle timer
    /// checks it when it fires, so opening and closing streams never touches the timer.
    private var idleSince: NIODeadline?
    private var keepaliveTimer: Scheduled<Void>?
    private var keepaliveAckTimer: Scheduled<Void>?
    private var drainTimer: Scheduled<Void>?

    /// The client certificate's names on a mutual-TLS connection, handed to every call.
    private let peerCertificate: PeerCertificateIdentity?

    init(
        router: RPCRouter,
        configuration: GRPCServer.Configuration,
        callLimiter: CallLimiter,
        logger: Logger,
        peerCertificate: PeerCertificateIdentity? = nil
    ) {
        self.peerCertificate = peerCertificate
        self.router = router
        self.configuration = configuration
        self.callLimiter = callLimiter
        self.logger = logger
    }

    // MARK: Channel events

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        self.loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        self.isolation = EventLoopIsolation(eventLoop: context.eventLoop)
        if context.channel.isActive { start(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context: context)
        context.fireChannelActive()
    }

    private func start(context: ChannelHandlerContext) {
        guard session == nil else { return }
        remotePeer = context.channel.remoteAddress.map(Self.describe) ?? "unknown"
        logger[metadataKey: "peer"] = "\(remotePeer)"
        do {
            session = try HTTP2ServerSession(configuration: configuration.http2)
        } catch {
            logger.error("could not create an HTTP/2 session", metadata: ["error": "\(error)"])
            context.close(promise: nil)
            return
        }
        let loop = context.eventLoop.assumeIsolated()
        handshakeTimer = loop.scheduleTask(in: TimeAmount(configuration.handshakeTimeout)) { [weak self] in
            self?.logger.debug("closing connection: no HTTP/2 handshake in time")
            self?.context?.close(promise: nil)
        }
        armKeepaliveTimer()
        idleSince = .now()
        armIdleTimer(in: configuration.idleTimeout)
        flushOutput()
        if drainRequested { beginDrain() }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let session else { return }
        let bytes = unwrapInboundIn(data)
        readInProgress = true
        do {
            let events = try session.receive(bytes)
            handle(events)
        } catch {
            logger.debug("closing connection after an HTTP/2 protocol error", metadata: ["error": "\(error)"])
            flushOutput()
            context.close(promise: nil)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        readInProgress = false
        flushOutput()
    }

    func read(context: ChannelHandlerContext) {
        // Stop reading while the socket cannot take what we already have to send.
        if context.channel.isWritable {
            context.read()
        } else {
            readHeld = true
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            flushOutput()
            if readHeld {
                readHeld = false
                context.read()
            }
        }
        context.fireChannelWritabilityChanged()
    }

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        if event is GracefulDrainEvent {
            if session == nil {
                // Accepted just before the shutdown, not active yet.
                drainRequested = true
            } else {
                beginDrain()
            }
            promise?.succeed()
        } else {
            context.triggerUserOutboundEvent(event, promise: promise)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        for stream in streams.values { abort(stream) }
        streams.removeAll()
        for timer in [handshakeTimer, idleTimer, keepaliveTimer, keepaliveAckTimer, drainTimer] { timer?.cancel() }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.debug("connection error", metadata: ["error": "\(error)"])
        context.close(promise: nil)
    }

    // MARK: HTTP/2 events

    private func handle(_ events: [HTTP2Event]) {
        // A stream that opens and closes within one batch of events was reset by
        // the client (or by nghttp2) before we could answer: never start its
        // handler. Rapid reset (CVE-2023-44487) then costs no task, even for the
        // streams nghttp2 still accepts between its reset-rate GOAWAY being
        // queued and being written.
        var closedInBatch: Set<Int32> = []
        for case .streamClosed(let streamID, _) in events { closedInBatch.insert(streamID) }
        for event in events {
            switch event {
            case .requestHeaders(let streamID, let headers, let endStream):
                guard !closedInBatch.contains(streamID) else { continue }
                openStream(streamID, headers: headers, endStream: endStream)
            case .requestData(let streamID, let bytes):
                receiveData(streamID, bytes)
            case .requestEnded(let streamID):
                endRequest(streamID)
            case .streamClosed(let streamID, _):
                closeStream(streamID)
            case .streamWritable(let streamID):
                if let stream = streams[streamID], let promise = stream.pendingWrite {
                    stream.pendingWrite = nil
                    promise.succeed()
                }
            case .pingAcknowledged(let opaque):
                if opaque == Self.keepaliveOpaque {
                    keepaliveAckTimer?.cancel()
                    keepaliveAckTimer = nil
                } else if opaque == Self.drainOpaque {
                    sendFinalGoAway()
                }
            case .settingsReceived:
                // The client's preface is complete: its first SETTINGS frame arrived whole.
                handshakeTimer?.cancel()
                handshakeTimer = nil
            case .goAwayReceived, .goAwaySent:
                break
            }
        }
        startOpenedCalls()
    }

    private func openStream(_ streamID: Int32, headers: [HTTP2HeaderField], endStream: Bool) {
        guard let session, let loopBound else { return }
        idleSince = nil
        let head: GRPCRequestHead
        switch GRPCRequestHead.parse(headers.lazy.map { (name: $0.name, value: $0.value) }) {
        case .success(let parsed):
            head = parsed
        case .failure(.http(let status, _)):
            submit { try session.sendResponseHeaders(streamID: streamID, headers: ResponseHeaders.http(status: status), endStream: true) }
            return
        case .failure(.grpc(let status, let extra)):
            respondTrailersOnly(streamID, status: status, extra: extra)
            return
        }
        guard let handler = router.handler(forPath: head.path) else {
            if let metrics = router.unknownMethodMetrics {
                metrics.callStarted()
                metrics.callHandled(code: .unimplemented, duration: .zero)
            }
            respondTrailersOnly(streamID, status: Status(code: .unimplemented, message: "Method not found: \(head.path)"))
            return
        }
        guard callLimiter.tryAcquire() else {
            logger.notice("refusing a call: too many calls in flight", metadata: ["limit": "\(callLimiter.limit)"])
            session.resetStream(streamID: streamID, errorCode: .refusedStream)
            return
        }
        let metrics = handler.metrics
        let startedAt: ContinuousClock.Instant?
        if let metrics {
            metrics.callStarted()
            startedAt = .now
        } else {
            startedAt = nil
        }
        let serverContext = ServerContext(
            descriptor: handler.descriptor,
            requestMetadata: head.metadata,
            deadline: head.timeout.map { ContinuousClock.now + $0 },
            remotePeer: remotePeer,
            peerCertificate: peerCertificate
        )
        let call = ServerCall(
            streamID: streamID,
            kind: handler.kind,
            response: serverContext.response,
            connection: loopBound,
            maxBufferedBytes: configuration.maxBufferedRequestBytesPerCall
        )
        let stream = Stream(call: call, metrics: metrics, maxMessageSize: configuration.maxReceiveMessageSize)
        streams[streamID] = stream
        if endStream {
            stream.inboundOpen = false
            call.finishInbound()
        }
        stream.start = CallStart(handler: handler, context: serverContext, startedAt: startedAt)
        callsToStart.append(streamID)
    }

    /// Starts the handlers of the calls the last batch of events opened, now
    /// that the requests those events carried have been delivered to them.
    private func startOpenedCalls() {
        guard !callsToStart.isEmpty else { return }
        let streamIDs = callsToStart
        callsToStart.removeAll(keepingCapacity: true)
        guard let isolation else { return }
        let callLimiter = self.callLimiter
        for streamID in streamIDs {
            // A stream reset in the meantime has been removed (and its slot released).
            guard let stream = streams[streamID], let start = stream.start.take() else { continue }
            stream.task = Self.startCall(start, call: stream.call, on: isolation, limiter: callLimiter)
        }
    }

    /// Starts a call's task, isolated to the connection's event loop. It runs
    /// synchronously up to the handler's first suspension (we are on that loop).
    private static func startCall(
        _ start: CallStart,
        call: ServerCall,
        on isolation: EventLoopIsolation,
        limiter: CallLimiter
    ) -> Task<Void, Never> {
        isolation.assumeIsolated { isolation in
            Task.immediate {
                _ = isolation
                defer { limiter.release() }
                let outcome = await RPCExecutor.execute(
                    start.handler,
                    requests: RPCRequestStream(next: call.nextMessage, takeOnlyMessage: call.takeOnlyMessageIfComplete),
                    responses: RPCWriter(write: call.write, writeAtOnce: call.writeAtOnce),
                    context: start.context
                )
                // Counted before the status goes out: a client that has its answer sees it counted.
                // A cancelled task is a call the client reset (or a lost connection): whatever the
                // handler returned (a watch just ends), no status reaches the client, so CANCELLED.
                if let metrics = start.handler.metrics, let startedAt = start.startedAt {
                    let code = Task.isCancelled ? .cancelled : outcome.status.code
                    metrics.callHandled(code: code, duration: .now - startedAt)
                }
                call.finish(outcome)
            }
        }
    }

    private func receiveData(_ streamID: Int32, _ bytes: ByteBuffer) {
        guard let session else { return }
        let count = bytes.readableBytes
        guard let stream = streams[streamID], stream.inboundOpen else {
            session.consumeInbound(streamID: streamID, count: count)
            return
        }
        stream.deframer.append(bytes)
        var credit = stream.withheldCredit == 0
        do {
            while let message = try stream.deframer.nextMessage() {
                stream.metrics?.messageReceived()
                if !stream.call.deliver(message) { credit = false }
            }
        } catch {
            stream.inboundOpen = false
            stream.call.failInbound(error)
            credit = true
        }
        if credit {
            session.consumeInbound(streamID: streamID, count: count + stream.withheldCredit)
            stream.withheldCredit = 0
        } else {
            stream.withheldCredit += count
        }
    }

    private func endRequest(_ streamID: Int32) {
        guard let stream = streams[streamID], stream.inboundOpen else { return }
        stream.inboundOpen = false
        if stream.deframer.bufferedBytes > 0 {
            stream.call.failInbound(RPCError(code: .internal, message: "the request ended in the middle of a message"))
        } else {
            stream.call.finishInbound()
        }
    }

    private func closeStream(_ streamID: Int32) {
        if let stream = streams.removeValue(forKey: streamID), !stream.finished {
            // The client reset the stream (or the connection is going): stop the handler.
            abort(stream)
        }
        if streams.isEmpty {
            idleSince = .now()
            if phase == .goAwaySent { closeWhenDone() }
        }
    }

    private func abort(_ stream: Stream) {
        if let start = stream.start.take() {
            // Ended before its handler started: it never will.
            callLimiter.release()
            if let metrics = stream.metrics, let startedAt = start.startedAt {
                metrics.callHandled(code: .cancelled, duration: .now - startedAt)
            }
        }
        stream.task?.cancel()
        stream.call.failInbound(CancellationError())
        stream.pendingWrite?.fail(CancellationError())
        stream.pendingWrite = nil
    }

    // MARK: Calls (reached from their tasks through the event loop)

    /// Sends one response message of a streaming call; the future completes
    /// once the stream can take more.
    func writeResponse(streamID: Int32, message: [UInt8], headers: Metadata?) -> EventLoopFuture<Void> {
        guard let context, let session, let stream = streams[streamID], !stream.finished else {
            return loopFuture(failing: CancellationError())
        }
        do {
            if !stream.responseHeadersSent {
                stream.responseHeadersSent = true
                try session.sendResponseHeaders(
                    streamID: streamID,
                    headers: ResponseHeaders.initial(custom: headers),
                    endStream: false
                )
            }
            try session.sendData(streamID: streamID, MessageFramer.frame(message, allocator: context.channel.allocator))
        } catch {
            return loopFuture(failing: error)
        }
        stream.metrics?.messageSent()
        scheduleFlush()
        if session.isStreamWritable(streamID: streamID) {
            return context.eventLoop.makeSucceededVoidFuture()
        }
        let promise = context.eventLoop.makePromise(of: Void.self)
        stream.pendingWrite = promise
        return promise.futureResult
    }

    /// A writer's task was cancelled while it waited for the client to read.
    func abandonPendingWrite(streamID: Int32) {
        guard let stream = streams[streamID], let promise = stream.pendingWrite else { return }
        stream.pendingWrite = nil
        promise.fail(CancellationError())
    }

    /// The handler caught up with buffered request messages: credit the client.
    func releaseWithheldCredit(streamID: Int32) {
        guard let session, let stream = streams[streamID], stream.withheldCredit > 0 else { return }
        session.consumeInbound(streamID: streamID, count: stream.withheldCredit)
        stream.withheldCredit = 0
        scheduleFlush()
    }

    /// Ends a call: its last message (single-response calls), then the status.
    func finishCall(streamID: Int32, outcome: RPCOutcome, headers: Metadata?, lastMessage: [UInt8]?) {
        guard let context, let session, let stream = streams[streamID], !stream.finished else { return }
        stream.finished = true
        stream.inboundOpen = false
        if stream.withheldCredit > 0 {
            session.consumeInbound(streamID: streamID, count: stream.withheldCredit)
            stream.withheldCredit = 0
        }
        submit {
            if !stream.responseHeadersSent, lastMessage == nil {
                try session.sendResponseHeaders(
                    streamID: streamID,
                    headers: ResponseHeaders.trailersOnly(outcome, custom: headers),
                    endStream: true
                )
                return
            }
            if !stream.responseHeadersSent {
                stream.responseHeadersSent = true
                try session.sendResponseHeaders(
                    streamID: streamID,
                    headers: ResponseHeaders.initial(custom: headers),
                    endStream: false
                )
            }
            if let lastMessage {
                try session.sendData(streamID: streamID, MessageFramer.frame(lastMessage, allocator: context.channel.allocator))
                stream.metrics?.messageSent()
            }
            try session.sendTrailers(streamID: streamID, headers: ResponseHeaders.trailers(outcome))
        }
        scheduleFlush()
    }

    private func respondTrailersOnly(_ streamID: Int32, status: Status, extra: [(String, String)] = []) {
        guard let session else { return }
        submit {
            try session.sendResponseHeaders(
                streamID: streamID,
                headers: ResponseHeaders.trailersOnly(RPCOutcome(status: status), custom: nil, extra: extra),
                endStream: true
            )
        }
    }

    /// Runs a submission; a stream that has gone away in the meantime is not an error.
    private func submit(_ body: () throws -> Void) {
        do {
            try body()
        } catch {
            logger.debug("could not submit a response frame", metadata: ["error": "\(error)"])
        }
    }

    private func loopFuture(failing error: any Error) -> EventLoopFuture<Void> {
        loopBound!.eventLoop.makeFailedFuture(error)
    }

    // MARK: Output

    private func scheduleFlush() {
        guard !flushScheduled, !readInProgress, let context else { return }
        flushScheduled = true
        context.eventLoop.assumeIsolated().execute { [self] in
            flushScheduled = false
            flushOutput()
        }
    }

    /// Writes what nghttp2 has to send, while the socket can take it.
    private func flushOutput() {
        guard let context, let session, context.channel.isActive else { return }
        while context.channel.isWritable && session.hasPendingOutput {
            var buffer = context.channel.allocator.buffer(capacity: 16 * 1024)
            let events: [HTTP2Event]
            do {
                events = try session.produceOutput(into: &buffer)
            } catch {
                logger.debug("closing connection after an HTTP/2 error", metadata: ["error": "\(error)"])
                context.close(promise: nil)
                return
            }
            if buffer.readableBytes > 0 {
                // Flushed before the events are handled: one of them may close the connection.
                context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
            }
            handle(events)
        }
        if !session.wantsRead && !session.wantsWrite {
            context.close(promise: nil)
        }
    }

    // MARK: Connection management

    private func armIdleTimer(in delay: Duration) {
        guard let context else { return }
        idleTimer = context.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(delay)) { [weak self] in
            self?.idleTimerFired()
        }
    }

    /// Drains the connection once it has had no stream for the idle timeout; otherwise looks
    /// again when it could next be due.
    private func idleTimerFired() {
        idleTimer = nil
        guard phase == .active else { return }
        guard let idleSince else {
            armIdleTimer(in: configuration.idleTimeout)
            return
        }
        let due = idleSince + TimeAmount(configuration.idleTimeout)
        let now = NIODeadline.now()
        if due <= now {
            logger.debug("closing idle connection")
            beginDrain()
        } else {
            armIdleTimer(in: .nanoseconds((due - now).nanoseconds))
        }
    }

    private func armKeepaliveTimer() {
        guard let context else { return }
        keepaliveTimer = context.eventLoop.assumeIsolated().scheduleTask(
            in: TimeAmount(configuration.keepaliveInterval)
        ) { [weak self] in
            self?.sendKeepalivePing()
            self?.armKeepaliveTimer()
        }
    }

    private func sendKeepalivePing() {
        guard let session, let context, keepaliveAckTimer == nil else { return }
        session.sendPing(opaque: Self.keepaliveOpaque)
        keepaliveAckTimer = context.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(configuration.keepaliveTimeout)) { [weak self] in
            self?.logger.debug("closing connection: keepalive PING not acknowledged")
            self?.context?.close(promise: nil)
        }
        flushOutput()
    }

    /// gRFC A9: GOAWAY with the maximum stream id and a PING; once the PING
    /// comes back (or after a second), GOAWAY with the last stream id; close
    /// once the calls in flight have finished.
    private func beginDrain() {
        guard phase == .active, let session, let context else { return }
        phase = .draining
        session.sendShutdownNotice()
        session.sendPing(opaque: Self.drainOpaque)
        drainTimer = context.eventLoop.assumeIsolated().scheduleTask(in: .seconds(1)) { [weak self] in self?.sendFinalGoAway() }
        flushOutput()
    }

    private func sendFinalGoAway() {
        guard phase == .draining, let session else { return }
        phase = .goAwaySent
        drainTimer?.cancel()
        drainTimer = nil
        session.sendGoAway(errorCode: .noError, debugData: nil)
        flushOutput()
        closeWhenDone()
    }

    private func closeWhenDone() {
        if streams.isEmpty { context?.close(promise: nil) }
    }

    private static func describe(_ address: SocketAddress) -> String {
        switch address {
        case .v4(let v4): "ipv4:\(address.ipAddress ?? v4.host):\(address.port ?? 0)"
        case .v6: "ipv6:[\(address.ipAddress ?? "")]:\(address.port ?? 0)"
        case .unixDomainSocket: "unix:\(address.pathname ?? "")"
        }
    }
}

@available(*, unavailable)
extension GRPCConnectionHandler: Sendable {}
