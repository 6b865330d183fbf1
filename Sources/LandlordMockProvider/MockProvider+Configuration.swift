extension MockProvider {
    /// Latency injection: how long each operation of a ``MockProvider`` takes.
    ///
    /// Delays are slept with `Task.sleep`, so they end promptly when the calling task is
    /// cancelled (see ``MockProvider`` for what each operation does then).
    package struct Configuration: Sendable, Hashable {
        /// The delay before ``MockProvider/provision(_:)`` acts.
        package var provisionDelay: Duration
        /// The delay before ``MockProvider/update(tenantID:spec:)`` acts.
        package var updateDelay: Duration
        /// The delay before ``MockProvider/destroy(tenantID:)`` acts.
        package var destroyDelay: Duration
        /// The delay before ``MockProvider/status(tenantID:)`` answers.
        package var statusDelay: Duration
        /// The delay before ``MockProvider/validate(_:)`` answers.
        package var validateDelay: Duration

        /// Creates a configuration; every delay defaults to zero.
        package init(
            provisionDelay: Duration = .zero,
            updateDelay: Duration = .zero,
            destroyDelay: Duration = .zero,
            statusDelay: Duration = .zero,
            validateDelay: Duration = .zero
        ) {
            self.provisionDelay = provisionDelay
            self.updateDelay = updateDelay
            self.destroyDelay = destroyDelay
            self.statusDelay = statusDelay
            self.validateDelay = validateDelay
        }

        /// No delays: every operation answers at once.
        package static var defaults: Self { Self() }

        /// The same `delay` for every operation (benchmarks, slow-provider demos).
        package static func uniform(_ delay: Duration) -> Self {
            Self(
                provisionDelay: delay, updateDelay: delay, destroyDelay: delay, statusDelay: delay, validateDelay: delay
            )
        }
    }
}
