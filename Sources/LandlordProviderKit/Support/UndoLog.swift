internal import Synchronization

/// The steps that undo what an operation did so far, run in reverse order when it fails, so that a
/// failed or cancelled provision or update leaves the engine as it found it.
package final class UndoLog: Sendable {
    private let steps = Mutex<[(String, @Sendable () async throws -> Void)]>([])

    /// An empty log.
    package init() {}

    /// Records a step that undoes something done; `description` names it in failures (it must not
    /// hold secrets).
    package func add(_ description: String, _ step: @escaping @Sendable () async throws -> Void) {
        self.steps.withLock { $0.append((description, step)) }
    }

    /// Runs every step, last first, and empties the log; returns the failures as
    /// `"<description>: <error>"` (the other steps still run).
    package func run() async -> [String] {
        let steps = self.steps.withLock { steps in
            defer { steps.removeAll() }
            return steps
        }
        var failures: [String] = []
        for (description, step) in steps.reversed() {
            do {
                try await step()
            } catch {
                failures.append("\(description): \(error)")
            }
        }
        return failures
    }
}
