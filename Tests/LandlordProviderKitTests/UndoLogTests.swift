import LandlordProviderKit
import Synchronization
import Testing

@Suite("Undo log and shielded calls")
struct UndoLogTests {
    final class Journal: Sendable {
        private let state = Mutex<[String]>([])
        func append(_ entry: String) { self.state.withLock { $0.append(entry) } }
        var entries: [String] { self.state.withLock { $0 } }
    }

    struct StepFailed: Error, CustomStringConvertible {
        var description: String { "engine said no" }
    }

    @Test("steps run last first; a failing step is reported and the others still run")
    func reverseOrderAndFailures() async {
        let journal = Journal()
        let undo = UndoLog()
        undo.add("remove network") { journal.append("network") }
        undo.add("remove container web") { throw StepFailed() }
        undo.add("remove container db") { journal.append("db") }
        let failures = await undo.run()
        #expect(journal.entries == ["db", "network"])
        #expect(failures == ["remove container web: engine said no"])
        // The log is empty once run: a second run does nothing.
        #expect(await undo.run().isEmpty)
        #expect(journal.entries == ["db", "network"])
    }

    @Test("a shielded body completes although its caller is cancelled")
    func shieldedCompletes() async throws {
        let journal = Journal()
        let (started, startedContinuation) = AsyncStream<Void>.makeStream()
        let caller = Task {
            try await shielded {
                startedContinuation.yield()
                // Task.sleep throws when cancelled: a shielded body is not.
                try await Task.sleep(for: .milliseconds(100))
                journal.append("created")
                return "id-1"
            }
        }
        for await _ in started { break }
        caller.cancel()
        let id = try await caller.value
        #expect(id == "id-1")
        #expect(journal.entries == ["created"])
    }

    @Test("an unshielded body is cancelled with its caller (the contrast the shield exists for)")
    func unshieldedIsCancelled() async {
        let (started, startedContinuation) = AsyncStream<Void>.makeStream()
        let caller = Task {
            startedContinuation.yield()
            try await Task.sleep(for: .seconds(10))
        }
        for await _ in started { break }
        caller.cancel()
        await #expect(throws: CancellationError.self) { try await caller.value }
    }
}
