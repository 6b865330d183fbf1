import Synchronization

/// What a handler knows about the call it serves.
public struct ServerContext: Sendable {
    /// The method being called.
    public var descriptor: MethodDescriptor
    /// Custom metadata the client sent (`-bin` values already base64-decoded).
    public var requestMetadata: Metadata
    /// When the client's `grpc-timeout` runs out, if it sent one. The call is
    /// cancelled then and ends with `DEADLINE_EXCEEDED`.
    public var deadline: ContinuousClock.Instant?
    /// The client's address, e.g. `ipv4:127.0.0.1:53422`.
    public var remotePeer: String
    /// Response headers and trailers the handler adds.
    public var response: ResponseMetadata
    /// The names of the client's certificate, on a mutual-TLS connection; `nil` otherwise.
    public var peerCertificate: PeerCertificateIdentity?
    /// The caller the method's ``RPCCallGate`` admitted; `nil` when no gate guards the method
    /// (no access control, or a method open to everyone).
    public var caller: (any RPCCaller)?

    public init(
        descriptor: MethodDescriptor,
        requestMetadata: Metadata = [:],
        deadline: ContinuousClock.Instant? = nil,
        remotePeer: String = "",
        response: ResponseMetadata = ResponseMetadata(),
        peerCertificate: PeerCertificateIdentity? = nil
    ) {
        self.descriptor = descriptor
        self.requestMetadata = requestMetadata
        self.deadline = deadline
        self.remotePeer = remotePeer
        self.response = response
        self.peerCertificate = peerCertificate
        self.caller = nil
    }
}

/// Custom response headers and trailers of one call.
///
/// Headers travel before the first response message: headers added after it
/// has been written are ignored. Trailers travel with the status.
public final class ResponseMetadata: Sendable {
    private struct State {
        var headers = Metadata()
        var trailers = Metadata()
        var headersSent = false
    }

    private let state = Mutex(State())

    public init() {}

    /// Adds a response header; ignored once the first message has been written.
    public func addHeader(_ key: String, _ value: Metadata.Value) {
        state.withLock { state in
            if !state.headersSent { state.headers.add(key, value) }
        }
    }

    /// Adds a trailer sent with the status.
    public func addTrailer(_ key: String, _ value: Metadata.Value) {
        state.withLock { $0.trailers.add(key, value) }
    }

    /// The headers to send now, once: `nil` after the first call.
    public func takeHeaders() -> Metadata? {
        state.withLock { state in
            if state.headersSent { return nil }
            state.headersSent = true
            return state.headers
        }
    }

    /// The trailers added so far.
    public var trailers: Metadata { state.withLock { $0.trailers } }
}
