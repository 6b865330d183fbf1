import NIOCore
import NIOHTTP1

/// Answers one HTTP/1.1 connection of the metrics listener: `GET /metrics` (and `HEAD`) get the
/// exposition, other paths 404, other methods 405. Request bodies are ignored (the
/// ``RequestSizeLimiter`` in front bounds them with the head).
final class MetricsHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    /// The only path served.
    static let path = "/metrics"

    private let exposition: @Sendable () -> [UInt8]
    private var head: HTTPRequestHead?

    init(exposition: @escaping @Sendable () -> [UInt8]) {
        self.exposition = exposition
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
        case .body:
            break
        case .end:
            guard let head = head.take() else { return }
            respond(to: head, context: context)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? IdleStateHandler.IdleStateEvent, event == .read {
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    /// A request that does not parse has had its 400 (HTTPServerProtocolErrorHandler); end the
    /// connection, whose bytes can no longer be framed.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    private func respond(to head: HTTPRequestHead, context: ChannelHandlerContext) {
        let path = head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        let response: Response
        if path != Self.path {
            response = .text(.notFound, "not found: the metrics are at \(Self.path)\n")
        } else if head.method != .GET && head.method != .HEAD {
            response = .text(.methodNotAllowed, "method not allowed: use GET\n", extra: [("allow", "GET, HEAD")])
        } else {
            response = Response(status: .ok, contentType: MetricsRegistry.contentType, body: exposition())
        }
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: response.contentType)
        headers.add(name: "content-length", value: "\(response.body.count)")
        for (name, value) in response.extra { headers.add(name: name, value: value) }
        let keepAlive = head.isKeepAlive && response.status == .ok
        headers.add(name: "connection", value: keepAlive ? "keep-alive" : "close")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: response.status, headers: headers))), promise: nil)
        if head.method != .HEAD && !response.body.isEmpty {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: response.body)))), promise: nil)
        }
        let written = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: written)
        // The request is over: its bytes no longer count against the next one's limit.
        context.triggerUserOutboundEvent(RequestSizeLimiter.RequestCompleted(), promise: nil)
        if !keepAlive {
            let channel = context.channel
            written.futureResult.whenComplete { _ in channel.close(promise: nil) }
        }
    }

    private struct Response {
        var status: HTTPResponseStatus
        var contentType: String
        var body: [UInt8]
        var extra: [(String, String)] = []

        static func text(_ status: HTTPResponseStatus, _ text: String, extra: [(String, String)] = []) -> Response {
            Response(status: status, contentType: "text/plain; charset=utf-8", body: Array(text.utf8), extra: extra)
        }
    }
}

@available(*, unavailable)
extension MetricsHTTPHandler: Sendable {}

/// Bounds the bytes of one request (head and body), before the HTTP parser sees them: a request
/// that grows past the limit gets `431 Request Header Fields Too Large` and the connection closes.
///
/// The close is a half-close first: closing with unread bytes would make the kernel reset the
/// connection, and the client might lose the answer. What the client still sends is read and
/// dropped (up to ``drainLimit`` bytes, or until the idle timer closes the connection).
final class RequestSizeLimiter: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    /// Sent down the pipeline by the handler once it has answered a request.
    struct RequestCompleted: Sendable {}

    /// Bytes dropped after a rejection before the connection is closed outright.
    static let drainLimit = 1024 * 1024

    private let limit: Int
    private var received = 0
    private var rejected = false
    private var dropped = 0

    init(limit: Int) {
        self.limit = limit
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = unwrapInboundIn(data)
        guard !rejected else {
            dropped += bytes.readableBytes
            if dropped > Self.drainLimit { context.close(promise: nil) }
            return
        }
        received += bytes.readableBytes
        guard received <= limit else {
            rejected = true
            let answer = "HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
            let buffer = context.channel.allocator.buffer(string: answer)
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(.byteBuffer(buffer))).whenComplete { _ in
                // The client reads the answer to EOF, then closes; its close ends the connection.
                channel.close(mode: .output, promise: nil)
            }
            return
        }
        context.fireChannelRead(data)
    }

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        if event is RequestCompleted {
            received = 0
            promise?.succeed()
        } else {
            context.triggerUserOutboundEvent(event, promise: promise)
        }
    }
}

@available(*, unavailable)
extension RequestSizeLimiter: Sendable {}
