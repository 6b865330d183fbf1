/// One registered method: its kind and the type-erased body that serves it.
///
/// The body sees raw message bytes; the typed registration functions of
/// ``RPCRouter`` wrap a typed handler with its message decoding and encoding.
package struct RPCHandler: Sendable {
    /// The method served.
    package let descriptor: MethodDescriptor
    /// How many messages each side sends.
    package let kind: RPCKind

    package typealias Body = @Sendable (
        _ requests: RPCRequestStream<[UInt8]>,
        _ responses: RPCWriter<[UInt8]>,
        _ context: ServerContext
    ) async throws -> Void

    /// Serves one call: reads `requests`, writes `responses`, throws to fail it.
    package let body: Body

    package init(descriptor: MethodDescriptor, kind: RPCKind, body: @escaping Body) {
        self.descriptor = descriptor
        self.kind = kind
        self.body = body
    }
}

/// Turns bytes into a message; throwing makes the call fail with `INTERNAL`.
package typealias MessageDecoder<Message> = @Sendable (_ bytes: [UInt8]) throws -> Message
/// Turns a message into bytes; throwing makes the call fail with `INTERNAL`.
package typealias MessageEncoder<Message> = @Sendable (_ message: Message) throws -> [UInt8]

/// A service: a set of methods it registers on a router.
package protocol RPCService: Sendable {
    /// Registers every method of the service.
    func registerMethods(with router: inout RPCRouter)
}
