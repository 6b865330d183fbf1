/// Maps method paths (`/package.Service/Method`) to their handlers.
///
/// ```swift
/// var router = RPCRouter()
/// router.registerUnary(checkMethod, decode: HealthCheckRequest.init, encode: { $0.serializedBytes() }) {
///     request, context in HealthCheckResponse(status: .serving)
/// }
/// ```
public struct RPCRouter: Sendable {
    private var handlers: [String: RPCHandler] = [:]
    private var serverMetrics: (any RPCServerMetrics)?
    private var accessControl: (any RPCAccessControl)?
    /// The handles calls of unregistered paths are counted under; `nil` without metrics.
    public private(set) var unknownMethodMetrics: (any RPCMethodMetrics)?

    public init() {}

    /// Registers a handler; a second one for the same path replaces the first. On an
    /// instrumented router the method's metric handles are made here, once.
    public mutating func register(_ handler: RPCHandler) {
        var handler = handler
        if let serverMetrics {
            handler.metrics = serverMetrics.methodMetrics(for: handler.descriptor, kind: handler.kind)
        }
        if let accessControl { handler.gate = accessControl.gate(for: handler.descriptor) }
        handlers[handler.descriptor.path] = handler
    }

    /// Records every call of every method, registered so far or later, in `metrics`: each method's
    /// handles are made now (or at its registration), so a call finds them with its handler.
    public mutating func instrument(with metrics: any RPCServerMetrics) {
        serverMetrics = metrics
        unknownMethodMetrics = metrics.unknownMethodMetrics()
        for (path, handler) in handlers {
            handlers[path]!.metrics = metrics.methodMetrics(for: handler.descriptor, kind: handler.kind)
        }
    }

    /// Guards every method, registered so far or later, with the gate `accessControl` gives it:
    /// asked once per method (now, or at its registration), so a call finds its gate with its
    /// handler and nothing is looked up per call.
    public mutating func guardAccess(with accessControl: any RPCAccessControl) {
        self.accessControl = accessControl
        for (path, handler) in handlers {
            handlers[path]!.gate = accessControl.gate(for: handler.descriptor)
        }
    }

    /// Registers every method of each service.
    public mutating func register(_ services: [any RPCService]) {
        for service in services { service.registerMethods(with: &self) }
    }

    /// The handler for a `:path`, if one is registered.
    public func handler(forPath path: String) -> RPCHandler? { handlers[path] }

    /// Every registered method, sorted by path.
    public var methods: [MethodDescriptor] { handlers.values.map(\.descriptor).sorted { $0.path < $1.path } }

    /// The fully qualified names of the registered services, sorted.
    public var serviceNames: [String] { Array(Set(handlers.values.map(\.descriptor.service))).sorted() }
}

// The typed registrations are `@inlinable` (and so everything they use is `public`; no library
// product exports this module): specialized in the service module that registers a method, a
// call's decoding, handler call and encoding run without generic metadata or boxed values.
extension RPCRouter {
    /// Registers a unary method: one request, one response.
    @inlinable
    public mutating func registerUnary<Input: Sendable, Output: Sendable>(
        _ descriptor: MethodDescriptor,
        decode: @escaping MessageDecoder<Input>,
        encode: @escaping MessageEncoder<Output>,
        handler: nonisolated(nonsending) @escaping @Sendable (Input, ServerContext) async throws -> Output
    ) {
        register(RPCHandler(descriptor: descriptor, kind: .unary) { requests, responses, context in
            // Usually the request is here whole: no `await` (and no executor check) for it.
            let request =
                if let bytes = requests.takeOnlyMessageIfComplete() {
                    try Self.decoded(bytes, with: decode)
                } else {
                    try await Self.singleRequest(requests, decode: decode)
                }
            let response = try Self.encoded(try await handler(request, context), with: encode)
            if !responses.writeWithoutSuspending(response) { try await responses.write(response) }
        })
    }

    /// Registers a server-streaming method: one request, a stream of responses.
    @inlinable
    public mutating func registerServerStreaming<Input: Sendable, Output: Sendable>(
        _ descriptor: MethodDescriptor,
        decode: @escaping MessageDecoder<Input>,
        encode: @escaping MessageEncoder<Output>,
        handler: nonisolated(nonsending) @escaping @Sendable (Input, RPCWriter<Output>, ServerContext) async throws -> Void
    ) {
        register(RPCHandler(descriptor: descriptor, kind: .serverStreaming) { requests, responses, context in
            let request =
                if let bytes = requests.takeOnlyMessageIfComplete() {
                    try Self.decoded(bytes, with: decode)
                } else {
                    try await Self.singleRequest(requests, decode: decode)
                }
            try await handler(request, responses.contramap { try Self.encoded($0, with: encode) }, context)
        })
    }

    /// Registers a client-streaming method: a stream of requests, one response.
    @inlinable
    public mutating func registerClientStreaming<Input: Sendable, Output: Sendable>(
        _ descriptor: MethodDescriptor,
        decode: @escaping MessageDecoder<Input>,
        encode: @escaping MessageEncoder<Output>,
        handler: nonisolated(nonsending) @escaping @Sendable (RPCRequestStream<Input>, ServerContext) async throws -> Output
    ) {
        register(RPCHandler(descriptor: descriptor, kind: .clientStreaming) { requests, responses, context in
            let response = try await handler(requests.map { try Self.decoded($0, with: decode) }, context)
            try await responses.write(Self.encoded(response, with: encode))
        })
    }

    /// Registers a bidirectional-streaming method.
    @inlinable
    public mutating func registerBidirectionalStreaming<Input: Sendable, Output: Sendable>(
        _ descriptor: MethodDescriptor,
        decode: @escaping MessageDecoder<Input>,
        encode: @escaping MessageEncoder<Output>,
        handler: nonisolated(nonsending) @escaping @Sendable (RPCRequestStream<Input>, RPCWriter<Output>, ServerContext) async throws -> Void
    ) {
        register(RPCHandler(descriptor: descriptor, kind: .bidirectionalStreaming) { requests, responses, context in
            try await handler(
                requests.map { try Self.decoded($0, with: decode) },
                responses.contramap { try Self.encoded($0, with: encode) },
                context
            )
        })
    }

    /// Reads the one request message of a unary or server-streaming call.
    @inlinable
    static func singleRequest<Input>(
        _ requests: RPCRequestStream<[UInt8]>,
        decode: MessageDecoder<Input>
    ) async throws -> Input {
        var iterator = requests.makeAsyncIterator()
        guard let bytes = try await iterator.next() else {
            throw RPCError(code: .internal, message: "the client sent no request message")
        }
        guard try await iterator.next() == nil else {
            throw RPCError(code: .internal, message: "the client sent more than one request message")
        }
        return try decoded(bytes, with: decode)
    }

    @inlinable
    static func decoded<Input>(_ bytes: [UInt8], with decode: MessageDecoder<Input>) throws -> Input {
        do {
            return try decode(bytes)
        } catch {
            throw RPCError(code: .internal, message: "could not parse the request message: \(error)")
        }
    }

    @inlinable
    static func encoded<Output>(_ message: Output, with encode: MessageEncoder<Output>) throws -> [UInt8] {
        do {
            return try encode(message)
        } catch {
            throw RPCError(code: .internal, message: "could not serialize the response message: \(error)")
        }
    }
}
