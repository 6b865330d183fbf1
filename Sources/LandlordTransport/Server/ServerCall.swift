import LandlordRPC
import NIOCore
import Synchronization

/// The handler-side half of one stream.
///
/// Request messages are delivered by the connection on its event loop and
/// read by the handler's task; response messages go the other way, each write
/// hopping to the event loop. Everything shared between the two sides sits
/// behind one `Mutex`.
final class ServerCall: Sendable {
    let streamID: Int32
    let kind: RPCKind
    /// Response headers and trailers the handler adds.
    let response: ResponseMetadata
    private let connection: NIOLoopBound<GRPCConnectionHandler>
    private let maxBufferedBytes: Int
    private let inbound: Mutex<Inbound>
    /// The response of a single-response call, sent together with its status
    /// in one hop to the event loop.
    private let stashedResponse = Mutex<[UInt8]?>(nil)

    private struct Inbound: ~Copyable {
        /// The oldest queued message, kept out of `messages`: the one request of a unary call
        /// then needs no array.
        var first: [UInt8]?
        /// Queued messages after `first`, from `head` on.
        var messages: [[UInt8]] = []
        var head = 0
        var bufferedBytes = 0
        var end: End?
        var waiter: CheckedContinuation<[UInt8]?, any Error>?
        var creditWithheld = false

        mutating func push(_ message: [UInt8]) {
            if first == nil && head == messages.count {
                first = message
            } else {
                messages.append(message)
            }
            bufferedBytes += message.count
        }

        mutating func pop() -> [UInt8]? {
            if let message = first.take() {
                bufferedBytes -= message.count
                return message
            }
            guard head < messages.count else { return nil }
            let message = messages[head]
            messages[head] = []
            head += 1
            if head == messages.count {
                messages.removeAll(keepingCapacity: true)
                head = 0
            }
            bufferedBytes -= message.count
            return message
        }
    }

    private enum End {
        case finished
        case failed(any Error)
    }

    init(
        streamID: Int32,
        kind: RPCKind,
        response: ResponseMetadata,
        connection: NIOLoopBound<GRPCConnectionHandler>,
        maxBufferedBytes: Int
    ) {
        self.streamID = streamID
        self.kind = kind
        self.response = response
        self.connection = connection
        self.maxBufferedBytes = maxBufferedBytes
        self.inbound = Mutex(Inbound())
    }

    private var eventLoop: any EventLoop { connection.eventLoop }

    // MARK: Event-loop side

    /// Hands a request message to the handler. Returns `false` when the
    /// handler holds more unread bytes than allowed: the connection then
    /// withholds flow-control credit until ``nextMessage()`` catches up.
    func deliver(_ message: [UInt8]) -> Bool {
        let waiter: CheckedContinuation<[UInt8]?, any Error>?
        let belowLimit: Bool
        (waiter, belowLimit) = inbound.withLock { state in
            if let waiter = state.waiter {
                state.waiter = nil
                return (waiter, true)
            }
            state.push(message)
            if state.bufferedBytes >= maxBufferedBytes {
                state.creditWithheld = true
                return (nil, false)
            }
            return (nil, true)
        }
        waiter?.resume(returning: message)
        return belowLimit
    }

    /// The client half-closed: the request stream ends after the queued messages.
    func finishInbound() { end(.finished) }

    /// The request stream fails after the queued messages (oversized message, reset stream).
    func failInbound(_ error: any Error) { end(.failed(error)) }

    private func end(_ end: End) {
        let waiter = inbound.withLock { state -> CheckedContinuation<[UInt8]?, any Error>? in
            guard case .none = state.end else { return nil }
            state.end = end
            defer { state.waiter = nil }
            return state.waiter
        }
        switch end {
        case .finished: waiter?.resume(returning: nil)
        case .failed(let error): waiter?.resume(throwing: error)
        }
    }

    // MARK: Handler side

    /// The next request message, `nil` once the client has half-closed.
    func nextMessage() async throws -> [UInt8]? {
        // Usually the message (or the end) is already here: no continuation needed.
        let next = inbound.withLock { takeNext(from: &$0, orWait: nil) }
        if case .wait = next {
            return try await waitForNextMessage()
        }
        return try value(of: next)
    }

    /// The only request message, when the client has half-closed after
    /// exactly one (a unary request that arrived whole); `nil` otherwise, with
    /// nothing taken.
    func takeOnlyMessageIfComplete() -> [UInt8]? {
        let taken = inbound.withLock { state -> (message: [UInt8], releaseCredit: Bool)? in
            guard case .finished? = state.end, state.head == state.messages.count, let message = state.first.take()
            else { return nil }
            state.bufferedBytes -= message.count
            let release = state.creditWithheld
            state.creditWithheld = false
            return (message, release)
        }
        guard let taken else { return nil }
        if taken.releaseCredit { releaseWithheldCredit() }
        return taken.message
    }

    private enum Next {
        case message([UInt8], releaseCredit: Bool)
        case end(End)
        case wait
    }

    /// Takes the next message or the end from `state`; otherwise registers `waiter` (if any).
    private func takeNext(
        from state: inout Inbound,
        orWait waiter: CheckedContinuation<[UInt8]?, any Error>?
    ) -> Next {
        if let message = state.pop() {
            let release = state.creditWithheld && state.bufferedBytes < maxBufferedBytes
            if release { state.creditWithheld = false }
            return .message(message, releaseCredit: release)
        }
        if let end = state.end { return .end(end) }
        if Task.isCancelled { return .end(.failed(CancellationError())) }
        guard let waiter else { return .wait }
        state.waiter = waiter
        return .wait
    }

    private func waitForNextMessage() async throws -> [UInt8]? {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let next = inbound.withLock { takeNext(from: &$0, orWait: continuation) }
                // `.wait`: the continuation is registered; `deliver` or `end` resumes it.
                if case .wait = next { return }
                continuation.resume(with: Result { try value(of: next) })
            }
        } onCancel: {
            let waiter = inbound.withLock { state in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume(throwing: CancellationError())
        }
    }

    /// The message (or end) `next` carries, giving back withheld credit when it says so.
    private func value(of next: Next) throws -> [UInt8]? {
        switch next {
        case .message(let message, let releaseCredit):
            if releaseCredit { releaseWithheldCredit() }
            return message
        case .end(.finished):
            return nil
        case .end(.failed(let error)):
            throw error
        case .wait:
            preconditionFailure("no message to take while waiting")
        }
    }

    private func releaseWithheldCredit() {
        let connection = self.connection
        let streamID = self.streamID
        onEventLoop { connection.value.releaseWithheldCredit(streamID: streamID) }
    }

    /// Runs `body` on the connection's event loop: at once when already there
    /// (the call's task usually runs there), otherwise as a submitted task.
    private func onEventLoop(_ body: @escaping @Sendable () -> Void) {
        if eventLoop.inEventLoop {
            body()
        } else {
            eventLoop.execute(body)
        }
    }

    /// Sends a response message, with the response headers first if they have
    /// not been sent. Suspends while the client's flow-control window is full.
    func write(_ message: [UInt8]) async throws {
        try Task.checkCancellation()
        if kind.hasSingleResponse {
            // Sent with the status in ``finish(_:)``: one hop, one flush.
            stashedResponse.withLock { $0 = message }
            return
        }
        let headers = response.takeHeaders()
        let connection = self.connection
        let streamID = self.streamID
        try await withTaskCancellationHandler {
            let written =
                eventLoop.inEventLoop
                ? connection.value.writeResponse(streamID: streamID, message: message, headers: headers)
                : eventLoop.flatSubmit {
                    connection.value.writeResponse(streamID: streamID, message: message, headers: headers)
                }
            try await written.get()
        } onCancel: {
            eventLoop.execute { connection.value.abandonPendingWrite(streamID: streamID) }
        }
    }

    /// Ends the call with its outcome.
    func finish(_ outcome: RPCOutcome) {
        let headers = response.takeHeaders()
        let message = outcome.status.code == .ok ? stashedResponse.withLock { $0.take() } : nil
        if eventLoop.inEventLoop {
            // The usual case (the task runs on the event loop): no closure to allocate.
            connection.value.finishCall(streamID: streamID, outcome: outcome, headers: headers, lastMessage: message)
            return
        }
        let connection = self.connection
        let streamID = self.streamID
        eventLoop.execute {
            connection.value.finishCall(streamID: streamID, outcome: outcome, headers: headers, lastMessage: message)
        }
    }
}
