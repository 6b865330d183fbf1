import Synchronization

/// What a handler knows about the call it serves.
package struct ServerContext: Sendable {
    /// The method being called.
    package var descriptor: MethodDescriptor
    /// Custom metadata the client sent (`-bin` values already base64-decoded).
    package var requestMetadata: Metadata
    /// When the client's `grpc-timeout` runs out, if it sent one. The call is
    /// cancelled then and ends with `DEADLINE_EXCEEDED`.
    package var deadline: ContinuousClock.Instant?
    /// The client's address, e.g. `ipv4:127.0.0.1:53422`.
    package var remotePeer: String
    /// Response headers and trailers the handler adds.
    package var response: ResponseMetadata

    package init(
        descriptor: MethodDescriptor,
        requestMetadata: Metadata = [:],
        deadline: ContinuousClock.Instant? = nil,
        remotePeer: String = "",
        response: ResponseMetadata = ResponseMetadata()
    ) {
        self.descriptor = descriptor
        self.requestMetadata = requestMetadata
        self.deadline = deadline
        self.remotePeer = remotePeer
        self.response = response
    }
}

/// Custom response headers and trailers of one call.
///
/// Headers travel before the first response message: headers added after it
/// has been written are ignored. Trailers travel with the status.
package final class ResponseMetadata: Sendable {
    private struct State {
        var headers = Metadata()
        var trailers = Metadata()
        var headersSent = false
    }

    private let state = Mutex(State())

    package init() {}

    /// Adds a response header; ignored once the first message has been written.
    package func addHeader(_ key: String, _ value: Metadata.Value) {
        state.withLock { state in
            if !state.headersSent { state.headers.add(key, value) }
        }
    }

    /// Adds a trailer sent with the status.
    package func addTrailer(_ key: String, _ value: Metadata.Value) {
        state.withLock { $0.trailers.add(key, value) }
    }

    /// The headers to send now, once: `nil` after the first call.
    package func takeHeaders() -> Metadata? {
        state.withLock { state in
            if state.headersSent { return nil }
            state.headersSent = true
            return state.headers
        }
    }

    /// The trailers added so far.
    package var trailers: Metadata { state.withLock { $0.trailers } }
}
