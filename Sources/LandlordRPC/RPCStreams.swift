import Synchronization

/// The request messages of a call, in the order the client sent them.
///
/// Iterating suspends until the next message arrives; the sequence ends when
/// the client half-closes and throws an ``RPCError`` when the transport could
/// not deliver a message (too large, compressed with an unknown encoding).
/// Reading a message gives the client flow-control credit for it, so a handler
/// that reads slowly slows its client down instead of buffering without bound.
public struct RPCRequestStream<Message: Sendable>: AsyncSequence, Sendable {
    public typealias Element = Message

    private let next: nonisolated(nonsending) @Sendable () async throws -> Message?
    private let takeOnlyMessage: (@Sendable () -> Message?)?

    /// Creates a stream that calls `next` for every message; `nil` ends it.
    ///
    /// `takeOnlyMessage`, when given, answers without waiting: the stream's
    /// only message once the client has half-closed after exactly one, taken
    /// out of the stream; `nil` in every other case (then read with `next`).
    public init(
        next: nonisolated(nonsending) @escaping @Sendable () async throws -> Message?,
        takeOnlyMessage: (@Sendable () -> Message?)? = nil
    ) {
        self.next = next
        self.takeOnlyMessage = takeOnlyMessage
    }

    /// The stream's only message, when the client has already sent it and
    /// half-closed (a unary request that arrived whole); `nil` otherwise,
    /// with nothing consumed. Does not suspend, unlike iterating.
    public func takeOnlyMessageIfComplete() -> Message? {
        takeOnlyMessage?()
    }

    /// A stream of the given messages.
    public init(_ messages: [Message]) {
        let remaining = MessageQueue(messages)
        self.init(next: { remaining.pop() }, takeOnlyMessage: { remaining.takeOnly() })
    }

    /// Maps every message, e.g. to decode bytes into a message type.
    public func map<T: Sendable>(_ transform: @escaping @Sendable (Message) throws -> T) -> RPCRequestStream<T> {
        let next = self.next
        return RPCRequestStream<T>(next: { try await next().map(transform) })
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        fileprivate let next: nonisolated(nonsending) @Sendable () async throws -> Message?
        public mutating func next() async throws -> Message? { try await next() }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(next: next) }
}

/// Writes response messages of a streaming call.
///
/// `write` suspends while the client is not reading fast enough (HTTP/2 flow
/// control), so a fast producer cannot grow the server's memory.
public struct RPCWriter<Message: Sendable>: Sendable {
    private let writeMessage: nonisolated(nonsending) @Sendable (Message) async throws -> Void

    public init(write: nonisolated(nonsending) @escaping @Sendable (Message) async throws -> Void) {
        self.writeMessage = write
    }

    /// Sends one message; throws if the call has ended (e.g. the client cancelled).
    public func write(_ message: Message) async throws {
        try await writeMessage(message)
    }

    /// Sends each message in order.
    public func write(contentsOf messages: some Sequence<Message>) async throws {
        for message in messages { try await write(message) }
    }

    /// A writer that encodes messages before handing them to this one.
    public func contramap<T: Sendable>(_ transform: @escaping @Sendable (T) throws -> Message) -> RPCWriter<T> {
        let write = self.writeMessage
        return RPCWriter<T>(write: { try await write(transform($0)) })
    }
}

/// A small thread-safe FIFO used to replay fixed message lists.
private final class MessageQueue<Message: Sendable>: Sendable {
    private let items: Mutex<[Message]>
    init(_ items: [Message]) { self.items = Mutex(items.reversed()) }
    func pop() -> Message? { items.withLock { $0.popLast() } }
    func takeOnly() -> Message? { items.withLock { $0.count == 1 ? $0.popLast() : nil } }
}
