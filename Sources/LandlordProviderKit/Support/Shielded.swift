/// Runs `body` in an unstructured task and waits for it, so that it completes even when the
/// caller is cancelled: an engine call that was sent is seen through, and the caller learns its
/// result (to undo it) instead of leaving it half done. Cancellation is checked between steps.
package func shielded<Result: Sendable>(
    _ body: @escaping @Sendable () async throws -> Result
) async throws -> Result {
    try await Task { try await body() }.value
}
