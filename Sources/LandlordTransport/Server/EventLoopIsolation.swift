import NIOCore

/// The isolation of a connection's handler tasks: an actor whose executor is
/// the connection's event loop.
///
/// A call's task is isolated to it, and the handler's nonisolated async code
/// (which runs on its caller's executor) inherits that isolation: receiving a
/// request, running the handler and sending the response happen on the thread
/// that reads and writes the connection, and each `await` that stays there
/// costs one executor comparison. Code that runs on the global executor
/// (`@concurrent` functions, other actors) hops off the loop and back.
actor EventLoopIsolation {
    private nonisolated let executor: LoopExecutor

    init(eventLoop: any EventLoop) {
        self.executor = LoopExecutor(eventLoop: eventLoop)
    }

    nonisolated var unownedExecutor: UnownedSerialExecutor {
        executor.asUnownedSerialExecutor()
    }
}

/// A serial executor running jobs on one event loop, which knows when the
/// current thread is that loop's (so a task started there runs at once).
final class LoopExecutor: SerialExecutor {
    let eventLoop: any EventLoop

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute {
            job.runSynchronously(on: self.asUnownedSerialExecutor())
        }
    }

    func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    var isMainExecutor: Bool { false }

    func isIsolatingCurrentContext() -> Bool? {
        eventLoop.inEventLoop
    }

    func checkIsolated() {
        eventLoop.preconditionInEventLoop()
    }
}
