/// How a call ended: the status and the trailers to send with it.
public struct RPCOutcome: Hashable, Sendable {
    public var status: Status
    public var trailers: Metadata

    public init(status: Status, trailers: Metadata = [:]) {
        self.status = status
        self.trailers = trailers
    }
}

/// Runs handlers: enforces the deadline and turns what a handler throws into a status.
public enum RPCExecutor {
    /// Runs `handler` for one call and returns how the call ended.
    ///
    /// A method guarded by an ``RPCCallGate`` runs its handler only when the gate admits the
    /// call; the admitted caller is then the context's ``ServerContext/caller``, and a refusal
    /// is the call's status.
    ///
    /// When the context has a deadline, the handler's task is cancelled once it
    /// passes and the call ends with `DEADLINE_EXCEEDED`. Cancelling the task
    /// that calls this function (a client RST_STREAM, a lost connection)
    /// cancels the handler.
    public static func execute(
        _ handler: RPCHandler,
        requests: RPCRequestStream<[UInt8]>,
        responses: RPCWriter<[UInt8]>,
        context: ServerContext
    ) async -> RPCOutcome {
        // Without a gate: this nil check, and the context goes on as it came (the h2c hot path).
        if let gate = handler.gate {
            return await admitThenExecute(gate, handler, requests, responses, context)
        }
        var outcome: RPCOutcome
        if let deadline = context.deadline, deadline <= .now {
            // Already expired on arrival (e.g. `grpc-timeout: 0n`): the handler never runs.
            outcome = RPCOutcome(status: Status(code: .deadlineExceeded, message: "the call's deadline passed"))
        } else if let deadline = context.deadline {
            outcome = await runWithDeadline(deadline, handler, requests, responses, context)
        } else {
            outcome = await run(handler, requests, responses, context)
        }
        outcome.trailers.merge(context.response.trailers)
        return outcome
    }

    private static func run(
        _ handler: RPCHandler,
        _ requests: RPCRequestStream<[UInt8]>,
        _ responses: RPCWriter<[UInt8]>,
        _ context: ServerContext
    ) async -> RPCOutcome {
        do {
            try await handler.body(requests, responses, context)
            return RPCOutcome(status: .ok)
        } catch {
            return outcome(for: error, context: context)
        }
    }

    /// The gated path, out of line so that ungated calls carry none of it: admits the call, then
    /// runs it as an ungated one with the admitted caller in its context.
    @inline(never)
    private static func admitThenExecute(
        _ gate: any RPCCallGate,
        _ handler: RPCHandler,
        _ requests: RPCRequestStream<[UInt8]>,
        _ responses: RPCWriter<[UInt8]>,
        _ context: ServerContext
    ) async -> RPCOutcome {
        var admitted = context
        do throws(RPCError) {
            admitted.caller = try gate.admit(context)
        } catch {
            return RPCOutcome(status: Status(code: error.code, message: error.message), trailers: error.metadata)
        }
        var admittedHandler = handler
        admittedHandler.gate = nil
        return await execute(admittedHandler, requests: requests, responses: responses, context: admitted)
    }

    private enum DeadlineRace: Sendable {
        case finished(RPCOutcome)
        case deadlinePassed
    }

    // Not inlined into `execute`: its task group lives in this function's async frame, which
    // calls without a deadline should not have to allocate.
    @inline(never)
    private static func runWithDeadline(
        _ deadline: ContinuousClock.Instant,
        _ handler: RPCHandler,
        _ requests: RPCRequestStream<[UInt8]>,
        _ responses: RPCWriter<[UInt8]>,
        _ context: ServerContext
    ) async -> RPCOutcome {
        await withTaskGroup(of: DeadlineRace.self) { group in
            group.addTask { .finished(await run(handler, requests, responses, context)) }
            group.addTask {
                // A cancelled sleep means the handler finished first (or the call was cancelled).
                try? await Task.sleep(until: deadline, clock: .continuous)
                return .deadlinePassed
            }
            let first = await group.next()!
            group.cancelAll()
            switch first {
            case .finished(let outcome):
                return outcome
            case .deadlinePassed:
                if Task.isCancelled {
                    // The whole call was cancelled: report what the handler says.
                    if case .finished(let outcome) = await group.next()! { return outcome }
                }
                return RPCOutcome(status: Status(code: .deadlineExceeded, message: "the call's deadline passed"))
            }
        }
    }

    /// The status a thrown error is sent as.
    public static func outcome(for error: any Error, context: ServerContext) -> RPCOutcome {
        switch error {
        case let error as RPCError:
            return RPCOutcome(status: Status(code: error.code, message: error.message), trailers: error.metadata)
        case let error as any RPCErrorConvertible:
            let rpcError = error.rpcError
            return RPCOutcome(status: Status(code: rpcError.code, message: rpcError.message), trailers: rpcError.metadata)
        case is CancellationError:
            if let deadline = context.deadline, deadline <= .now {
                return RPCOutcome(status: Status(code: .deadlineExceeded, message: "the call's deadline passed"))
            }
            return RPCOutcome(status: Status(code: .cancelled, message: "the call was cancelled"))
        default:
            return RPCOutcome(status: Status(code: .unknown, message: "the handler failed with \(type(of: error))"))
        }
    }
}
