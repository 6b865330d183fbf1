/// An error a handler throws to end its call with a non-OK status.
///
/// The ``metadata`` is sent as trailers, next to `grpc-status` and
/// `grpc-message`; a handler puts rich error details there
/// (`grpc-status-details-bin`).
///
/// ```swift
/// throw RPCError(code: .notFound, message: "tenant \"acme\" does not exist")
/// ```
public struct RPCError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The status code; never ``StatusCode/ok``.
    public var code: StatusCode
    /// A human-readable message for the client.
    public var message: String
    /// Trailers sent with the status.
    public var metadata: Metadata

    public init(code: StatusCode, message: String, metadata: Metadata = [:]) {
        precondition(code != .ok, "an RPCError cannot carry the OK status")
        self.code = code
        self.message = message
        self.metadata = metadata
    }

    public var description: String { "\(code): \(message)" }
}

/// An error type that knows which ``RPCError`` it becomes on the wire.
///
/// Errors a handler throws that neither are an ``RPCError`` nor conform to
/// this protocol end the call with `UNKNOWN`.
public protocol RPCErrorConvertible: Error {
    /// The status, message and trailers this error is sent as.
    var rpcError: RPCError { get }
}
