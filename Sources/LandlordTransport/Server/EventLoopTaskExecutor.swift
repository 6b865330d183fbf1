import NIOCore

/// Runs the jobs of handler tasks on a connection's event loop.
///
/// A call's task is created with this executor as its preference, so a
/// handler that does not hop to another actor or executor runs entirely on
/// the thread that reads and writes its connection: no thread switch between
/// receiving a request, running the handler and sending the response.
final class EventLoopTaskExecutor: TaskExecutor {
    let eventLoop: any EventLoop

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute {
            job.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }
}
