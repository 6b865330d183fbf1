/// Names one RPC method: its fully qualified service and its method name.
package struct MethodDescriptor: Hashable, Sendable, CustomStringConvertible {
    /// Fully qualified service name, e.g. `grpc.health.v1.Health`.
    package var service: String
    /// Method name within the service, e.g. `Check`.
    package var method: String

    package init(service: String, method: String) {
        self.service = service
        self.method = method
    }

    /// The HTTP/2 `:path` of the method: `/service/method`.
    package var path: String { "/\(service)/\(method)" }

    package var description: String { path }
}

/// How many messages each side of a call sends.
package enum RPCKind: Hashable, Sendable {
    /// One request, one response.
    case unary
    /// One request, a stream of responses.
    case serverStreaming
    /// A stream of requests, one response.
    case clientStreaming
    /// Streams both ways.
    case bidirectionalStreaming

    /// Whether the client sends exactly one message.
    package var hasSingleRequest: Bool { self == .unary || self == .serverStreaming }
    /// Whether the server sends exactly one message on success.
    package var hasSingleResponse: Bool { self == .unary || self == .clientStreaming }
}
