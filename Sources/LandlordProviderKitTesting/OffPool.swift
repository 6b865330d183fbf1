import Foundation

/// Runs `body`, which blocks (it waits for a child process or reads its pipe to the end), on a
/// thread of its own: the cooperative pool has only 2 threads on a 2-core machine, and blocking
/// them stalls the timers of every other test running in the same process.
public func offPool<Value: Sendable>(_ body: @escaping @Sendable () throws -> Value) async throws -> Value {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Swift.Result { try body() }) }.start()
    }
}

/// ``offPool(_:)`` for a body that cannot fail.
public func offPool<Value: Sendable>(_ body: @escaping @Sendable () -> Value) async -> Value {
    await withCheckedContinuation { continuation in
        Thread { continuation.resume(returning: body()) }.start()
    }
}
