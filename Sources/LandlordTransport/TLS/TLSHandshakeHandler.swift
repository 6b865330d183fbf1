import LandlordRPC
import Logging
import NIOCore
import NIOSSL
import NIOTLS

/// Waits for a connection's TLS handshake, behind its `NIOSSLServerHandler`, and then hands the
/// connection to gRPC.
///
/// Once the handshake completes with ALPN `h2` it reads the client certificate's names (once per
/// connection, with swift-certificates), adds the connection handler the server makes for them
/// and removes itself. It closes the connection when the handshake does not complete within the
/// timeout, when the client did not negotiate `h2`, or when the handshake fails (a cleartext
/// HTTP/2 client, garbage, an untrusted or missing client certificate): only that connection.
final class TLSHandshakeHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    /// Makes the gRPC handler of the connection, given the client certificate's names.
    typealias ConnectionHandlerFactory = (PeerCertificateIdentity?) -> any ChannelHandler

    private let timeout: Duration
    private let makeConnectionHandler: ConnectionHandlerFactory
    private let readsClientCertificate: Bool
    private let logger: Logger
    private var timer: Scheduled<Void>?
    private var handedOver = false

    init(
        timeout: Duration,
        readsClientCertificate: Bool,
        logger: Logger,
        makeConnectionHandler: @escaping ConnectionHandlerFactory
    ) {
        self.timeout = timeout
        self.readsClientCertificate = readsClientCertificate
        self.logger = logger
        self.makeConnectionHandler = makeConnectionHandler
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { armTimer(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        armTimer(context: context)
        context.fireChannelActive()
    }

    private func armTimer(context: ChannelHandlerContext) {
        guard timer == nil else { return }
        let loop = context.eventLoop.assumeIsolated()
        timer = loop.scheduleTask(in: TimeAmount(timeout)) { [logger] in
            logger.debug("closing connection: no TLS handshake in time")
            context.close(promise: nil)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard case TLSUserEvent.handshakeCompleted(let negotiatedProtocol) = event else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        timer?.cancel()
        timer = nil
        guard negotiatedProtocol == TLSCredentials.applicationProtocol else {
            logger.debug(
                "closing connection: the client did not negotiate ALPN h2",
                metadata: ["alpn": "\(negotiatedProtocol ?? "none")"]
            )
            context.close(promise: nil)
            return
        }
        var identity: PeerCertificateIdentity?
        if readsClientCertificate {
            do {
                if let certificate = try context.pipeline.syncOperations.nioSSL_peerCertificate() {
                    identity = try PeerCertificateIdentity(derEncoded: try certificate.toDERBytes())
                }
            } catch {
                logger.debug("closing connection: unreadable client certificate", metadata: ["error": "\(error)"])
                context.close(promise: nil)
                return
            }
        }
        do {
            handedOver = true
            try context.pipeline.syncOperations.addHandler(makeConnectionHandler(identity), position: .after(self))
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        } catch {
            logger.error("could not set up a TLS connection", metadata: ["error": "\(error)"])
            context.close(promise: nil)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // Only after the hand-over (reads decrypted with the handshake's last flight).
        if handedOver { context.fireChannelRead(data) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if handedOver {
            context.fireErrorCaught(error)
            return
        }
        // A failed handshake: cleartext, garbage, no or an untrusted client certificate, an alert.
        logger.debug("closing connection: TLS handshake failed", metadata: ["error": "\(error)"])
        context.close(promise: nil)
    }
}

@available(*, unavailable)
extension TLSHandshakeHandler: Sendable {}
