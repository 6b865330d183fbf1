/// One registered method: its kind and the type-erased body that serves it.
///
/// The body sees raw message bytes; the typed registration functions of
/// ``RPCRouter`` wrap a typed handler with its message decoding and encoding.
public struct RPCHandler: Sendable {
    /// The method served.
    public let descriptor: MethodDescriptor
    /// How many messages each side sends.
    public let kind: RPCKind

    public typealias Body = nonisolated(nonsending) @Sendable (
        _ requests: RPCRequestStream<[UInt8]>,
        _ responses: RPCWriter<[UInt8]>,
        _ context: ServerContext
    ) async throws -> Void

    /// Serves one call: reads `requests`, writes `responses`, throws to fail it.
    public let body: Body
    /// The method's metric handles, set when it is registered on an instrumented router
    /// (``RPCRouter/instrument(with:)``); `nil` without metrics.
    public internal(set) var metrics: (any RPCMethodMetrics)?
    /// The gate the method's calls pass before the body runs, set when it is registered on a
    /// guarded router (``RPCRouter/guardAccess(with:)``); `nil`: every call runs.
    public internal(set) var gate: (any RPCCallGate)?

    public init(descriptor: MethodDescriptor, kind: RPCKind, body: @escaping Body) {
        self.descriptor = descriptor
        self.kind = kind
        self.body = body
        self.metrics = nil
        self.gate = nil
    }
}

/// Turns bytes into a message; throwing makes the call fail with `INTERNAL`.
public typealias MessageDecoder<Message> = @Sendable (_ bytes: [UInt8]) throws -> Message
/// Turns a message into bytes; throwing makes the call fail with `INTERNAL`.
public typealias MessageEncoder<Message> = @Sendable (_ message: Message) throws -> [UInt8]

/// A service: a set of methods it registers on a router.
public protocol RPCService: Sendable {
    /// Registers every method of the service.
    func registerMethods(with router: inout RPCRouter)
}
