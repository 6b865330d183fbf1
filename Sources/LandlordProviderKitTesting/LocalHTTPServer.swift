internal import NIOCore
package import NIOHTTP1
internal import NIOPosix
package import NIOSSL
internal import Synchronization

/// An HTTP/1.1 server on 127.0.0.1 (an ephemeral port) or a unix socket, optionally behind TLS,
/// whose answers come from a closure; it records every request it receives.
package final class LocalHTTPServer: Sendable {
    /// A request as received.
    package struct Request: Sendable {
        package var method: HTTPMethod
        /// The request target: path and query.
        package var uri: String
        package var headers: HTTPHeaders
        package var body: [UInt8]

        package var bodyText: String { String(decoding: self.body, as: UTF8.self) }
    }

    /// What the server does with a request.
    package enum Reply: Sendable {
        /// Answers.
        case respond(status: Int, headers: [(String, String)] = [], body: String = "")
        /// Never answers (the connection stays open).
        case hang
        /// Closes the connection without answering.
        case close

        package static func json(_ status: Int, _ body: String, headers: [(String, String)] = []) -> Reply {
            .respond(status: status, headers: [("Content-Type", "application/json")] + headers, body: body)
        }
    }

    /// Answers the request; the second argument is the request's number, from 1.
    package typealias Handler = @Sendable (Request, Int) -> Reply

    private let channel: any Channel
    private let recorded = Mutex<[Request]>([])
    package let handler: Handler

    /// The TCP port (0 for a unix socket).
    package let port: Int

    private init(channel: any Channel, handler: @escaping Handler) {
        self.channel = channel
        self.handler = handler
        self.port = channel.localAddress?.port ?? 0
    }

    /// The requests received so far, in order.
    package var requests: [Request] { self.recorded.withLock { $0 } }

    /// `http://127.0.0.1:<port>` (or `https://`).
    package func url(tls: Bool = false) -> String { "\(tls ? "https" : "http")://127.0.0.1:\(self.port)" }

    fileprivate func record(_ request: Request) -> Int {
        self.recorded.withLock {
            $0.append(request)
            return $0.count
        }
    }

    /// Starts a server; `tls` puts TLS in front, `unixSocketPath` binds a socket instead of TCP.
    package static func start(
        tls: TLSConfiguration? = nil,
        unixSocketPath: String? = nil,
        handler: @escaping Handler
    ) async throws -> LocalHTTPServer {
        let context = try tls.map { try NIOSSLContext(configuration: $0) }
        let box = Mutex<LocalHTTPServer?>(nil)
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    guard let server = box.withLock({ $0 }) else { throw ChannelError.ioOnClosedChannel }
                    if let context {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
                    }
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(RequestHandler(server: server))
                }
            }
        let channel =
            if let unixSocketPath {
                try await bootstrap.bind(unixDomainSocketPath: unixSocketPath, cleanupExistingSocketFile: true).get()
            } else {
                try await bootstrap.bind(host: "127.0.0.1", port: 0).get()
            }
        let server = LocalHTTPServer(channel: channel, handler: handler)
        box.withLock { $0 = server }
        return server
    }

    /// Closes the listening socket (open connections are closed by the client).
    package func shutdown() async {
        try? await self.channel.close()
    }

    /// Runs `body` with a server, then shuts it down.
    package static func with<Result>(
        tls: TLSConfiguration? = nil,
        unixSocketPath: String? = nil,
        handler: @escaping Handler,
        _ body: (LocalHTTPServer) async throws -> Result
    ) async throws -> Result {
        let server = try await Self.start(tls: tls, unixSocketPath: unixSocketPath, handler: handler)
        do {
            let result = try await body(server)
            await server.shutdown()
            return result
        } catch {
            await server.shutdown()
            throw error
        }
    }
}

private final class RequestHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let server: LocalHTTPServer
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []

    init(server: LocalHTTPServer) {
        self.server = server
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch self.unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            self.body = []
        case .body(let buffer):
            self.body += buffer.readableBytesView
        case .end:
            guard let head = self.head else { return }
            let request = LocalHTTPServer.Request(method: head.method, uri: head.uri, headers: head.headers, body: self.body)
            let number = self.server.record(request)
            switch self.server.handler(request, number) {
            case .hang:
                break
            case .close:
                context.close(promise: nil)
            case .respond(let status, let headers, let body):
                var responseHeaders = HTTPHeaders(headers)
                responseHeaders.replaceOrAdd(name: "Content-Length", value: "\(body.utf8.count)")
                let responseHead = HTTPResponseHead(
                    version: head.version, status: HTTPResponseStatus(statusCode: status), headers: responseHeaders)
                context.write(self.wrapOutboundOut(.head(responseHead)), promise: nil)
                context.write(self.wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: body)))), promise: nil)
                context.writeAndFlush(self.wrapOutboundOut(.end(nil)), promise: nil)
            }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
