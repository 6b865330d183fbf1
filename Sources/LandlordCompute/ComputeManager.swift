package import Logging
package import Metrics
internal import Synchronization

/// The facade of compute operations (seed 004 `Manager`): validates, routes each call to the
/// provider the spec names, logs, audits and measures.
///
/// Rules every operation follows:
///
/// - **Validation first.** A spec is checked against the framework rules (``SpecValidator``) and
///   then by the provider's own ``ComputeProvider/validate(_:)`` before any other provider call.
///   Framework violations throw ``ComputeError/Kind/invalidSpec`` listing every violation, without
///   calling the provider at all. The provider's `validate` is only asked once the framework rules
///   pass, so a provider may rely on a structurally valid spec.
/// - **Routing.** `spec.providerType` names the provider. An unregistered name throws
///   ``ComputeError/Kind/providerNotFound`` naming the registered providers (when the spec also
///   breaks framework rules, the unknown provider becomes one more `provider_type` violation of the
///   ``ComputeError/Kind/invalidSpec`` error). ``destroyTenant(tenantID:providerType:)`` and
///   ``tenantStatus(tenantID:providerType:)`` use ``defaultProvider`` when `providerType` is empty.
/// - **Errors unchanged.** Whatever the provider throws reaches the caller as thrown; the one
///   exception is ``ComputeError/Kind/tenantNotFound`` from a destroy, which is success
///   (destroying an absent tenant is idempotent).
///
/// ## Logging
///
/// Every line carries `tenant_id`, `provider` and `operation` metadata; it never carries the spec,
/// an environment value, a secret or provider configuration.
///
/// - start: `debug`, e.g. "provisioning tenant";
/// - completion: `info`, e.g. "provisioned tenant", with `outcome`, `duration_ms` and a summary
///   (`status`, `changes`, `state`, ...);
/// - failure: `info` for caller errors (invalid spec, unknown provider or tenant, conflicts,
///   cancellation), `error` for provider failures; with `outcome`, `error_kind` and `error`;
/// - audit: `notice`, "audit: provision tenant" / "audit: update tenant" / "audit: destroy tenant",
///   with `audit: true`, the `outcome` and the `caller` (the name the service layer passes: who
///   asked, as its access policy names them; ``anonymousCaller`` without one), for every
///   provision, update and destroy attempt.
///
/// ## Metrics
///
/// Per call, a timer `landlord_compute_operation_duration_seconds` (a histogram in seconds on
/// Prometheus) and a counter
/// `landlord_compute_operations_total`, both with the dimensions `operation` (`provision`, `update`,
/// `destroy`, `status`, `validate`), `provider` (the provider's name, or `unknown` when the name
/// is not registered, to bound cardinality) and `outcome` (`success`, the snake-case error kind
/// such as `invalid_spec` or `tenant_not_found`, `cancelled`, or `error`).
package final class ComputeManager: Sendable {
    /// The name of the timer recording each operation's duration.
    package static let durationMetricLabel = "landlord_compute_operation_duration_seconds"
    /// The name of the counter counting operations.
    package static let countMetricLabel = "landlord_compute_operations_total"

    /// The `caller` of audit lines when nobody names one (no access policy).
    package static let anonymousCaller = "anonymous"

    /// The provider used by destroy and status calls that name none.
    package let defaultProvider: String

    private let registry: ProviderRegistry
    private let logger: Logger
    private let metricHandles: MetricHandleCache

    /// Creates a manager.
    ///
    /// - Parameters:
    ///   - registry: The registered providers, looked up on every call (so providers registered
    ///     later are found).
    ///   - defaultProvider: The provider for destroy and status calls that name none.
    ///   - logger: Where operations are logged and audited.
    ///   - metricsFactory: Where metrics go; `nil` means the global `MetricsSystem.factory` as it
    ///     is when the manager is created (bootstrap metrics first). Tests pass a `TestMetrics`.
    package init(
        registry: ProviderRegistry,
        defaultProvider: String,
        logger: Logger,
        metricsFactory: (any MetricsFactory)? = nil
    ) {
        self.registry = registry
        self.defaultProvider = defaultProvider
        var logger = logger
        logger[metadataKey: "component"] = "compute-manager"
        self.logger = logger
        self.metricHandles = MetricHandleCache(factory: metricsFactory ?? MetricsSystem.factory)
    }

    /// The names of the registered providers, sorted.
    package var providers: [String] {
        self.registry.names
    }

    // MARK: - Operations

    /// Validates `spec` and provisions it with the provider it names.
    ///
    /// - Returns: The provider's result, unchanged.
    /// - Throws: ``ComputeError/Kind/invalidSpec`` (framework or provider rules),
    ///   ``ComputeError/Kind/providerNotFound``, or whatever the provider throws
    ///   (``ComputeError/Kind/alreadyExists``, ``ComputeError/Kind/provisionFailed``, `CancellationError`, ...).
    /// - Parameter caller: who asks, for the audit line (a name, never a credential).
    package func provisionTenant(_ spec: TenantComputeSpec, caller: String = anonymousCaller) async throws -> ProvisionResult {
        try await self.perform(.provision, tenantID: spec.tenantID, providerName: spec.providerType, caller: caller) {
            let provider = try await self.validatedProvider(for: spec)
            return try await provider.provision(spec)
        } summary: { result in
            [
                "status": "\(result.status.rawValue)",
                "resource_count": "\(result.resourceIDs.count)",
                "endpoint_count": "\(result.endpoints.count)",
            ]
        }
    }

    /// Validates `spec` and updates the tenant with the provider it names.
    ///
    /// `tenantID` must equal `spec.tenantID`; a mismatch is an ``ComputeError/Kind/invalidSpec``
    /// error with a `tenant_id` violation, reported before anything else, even when the tenant
    /// does not exist.
    ///
    /// - Returns: The provider's result, unchanged.
    /// - Throws: ``ComputeError/Kind/invalidSpec``, ``ComputeError/Kind/providerNotFound``, or
    ///   whatever the provider throws (``ComputeError/Kind/tenantNotFound``,
    ///   ``ComputeError/Kind/updateFailed``, `CancellationError`, ...).
    /// - Parameter caller: who asks, for the audit line (a name, never a credential).
    package func updateTenant(
        tenantID: String,
        spec: TenantComputeSpec,
        caller: String = anonymousCaller
    ) async throws -> UpdateResult {
        try await self.perform(.update, tenantID: tenantID, providerName: spec.providerType, caller: caller) {
            let mismatch = SpecValidator.tenantIDMismatch(tenantID, spec: spec).map { [$0] } ?? []
            let provider = try await self.validatedProvider(for: spec, leadingViolations: mismatch)
            return try await provider.update(tenantID: tenantID, spec: spec)
        } summary: { result in
            [
                "status": "\(result.status.rawValue)",
                "change_count": "\(result.changes.count)",
                "changes": .array(result.changes.map { .string($0) }),
            ]
        }
    }

    /// Destroys a tenant's compute resources.
    ///
    /// Idempotent: destroying a tenant that does not exist succeeds, also when the provider
    /// reports ``ComputeError/Kind/tenantNotFound``.
    ///
    /// - Parameters:
    ///   - tenantID: The tenant; must be a valid tenant id (``ComputeError/Kind/invalidSpec`` otherwise).
    ///   - providerType: The provider; empty means ``defaultProvider``.
    /// - Throws: ``ComputeError/Kind/invalidSpec``, ``ComputeError/Kind/providerNotFound``, or
    ///   whatever else the provider throws.
    package func destroyTenant(tenantID: String, providerType: String = "", caller: String = anonymousCaller) async throws {
        let providerName = providerType.isEmpty ? self.defaultProvider : providerType
        _ = try await self.perform(.destroy, tenantID: tenantID, providerName: providerName, caller: caller) {
            let provider = try self.provider(named: providerName, tenantID: tenantID)
            do {
                try await provider.destroy(tenantID: tenantID)
                return false
            } catch let error as ComputeError where error.kind == .tenantNotFound {
                return true
            }
        } summary: { wasAbsent in
            wasAbsent ? ["already_absent": "true"] : [:]
        }
    }

    /// The current status of a tenant's compute resources.
    ///
    /// - Parameters:
    ///   - tenantID: The tenant; must be a valid tenant id (``ComputeError/Kind/invalidSpec`` otherwise).
    ///   - providerType: The provider; empty means ``defaultProvider``.
    /// - Throws: ``ComputeError/Kind/invalidSpec``, ``ComputeError/Kind/providerNotFound``, or
    ///   whatever the provider throws (``ComputeError/Kind/tenantNotFound``, ...).
    package func tenantStatus(tenantID: String, providerType: String = "") async throws -> ComputeStatus {
        let providerName = providerType.isEmpty ? self.defaultProvider : providerType
        return try await self.perform(.status, tenantID: tenantID, providerName: providerName) {
            let provider = try self.provider(named: providerName, tenantID: tenantID)
            return try await provider.status(tenantID: tenantID)
        } summary: { status in
            ["state": "\(status.state.rawValue)", "health": "\(status.health.rawValue)"]
        }
    }

    /// Every violation of `spec`, without provisioning anything; empty when the spec is valid.
    ///
    /// The list holds the framework violations, a `provider_type` violation naming the registered
    /// providers when `spec.providerType` is not registered, and, once those are all clear, the
    /// violations of the provider's own ``ComputeProvider/validate(_:)``. It is exactly the set a
    /// provision of `spec` would be rejected with. (A provider that throws
    /// ``ComputeError/Kind/invalidSpec`` without violations is reported as one violation with the
    /// empty field path and the error's message.)
    ///
    /// - Throws: Never for the spec's content. It rethrows what the provider's `validate` throws
    ///   when that is not an ``ComputeError/Kind/invalidSpec`` error (the check itself failed,
    ///   e.g. `CancellationError` or a platform error).
    package func validateTenantSpec(_ spec: TenantComputeSpec) async throws -> [FieldViolation] {
        try await self.perform(.validate, tenantID: spec.tenantID, providerName: spec.providerType) {
            do {
                _ = try await self.validatedProvider(for: spec)
                return []
            } catch let error as ComputeError where error.kind == .invalidSpec || error.kind == .providerNotFound {
                if error.kind == .providerNotFound {
                    return [FieldViolation(field: "provider_type", description: error.message)]
                }
                return error.violations.isEmpty
                    ? [FieldViolation(field: "", description: error.message)] : error.violations
            }
        } summary: { violations in
            ["valid": "\(violations.isEmpty)", "violation_count": "\(violations.count)"]
        } outcome: { violations in
            violations.isEmpty ? "success" : ComputeError.Kind.invalidSpec.snakeCaseName
        }
    }

    // MARK: - Validation and routing

    /// Runs the framework rules, finds the provider and runs its `validate`; throws on the first
    /// stage that fails.
    private func validatedProvider(
        for spec: TenantComputeSpec,
        leadingViolations: [FieldViolation] = []
    ) async throws -> any ComputeProvider {
        var violations = leadingViolations + SpecValidator.violations(of: spec)
        var provider: (any ComputeProvider)? = nil
        if !spec.providerType.isEmpty {
            do {
                provider = try self.registry.provider(named: spec.providerType)
            } catch let error as ComputeError {
                guard !violations.isEmpty else { throw error }
                Self.insert(FieldViolation(field: "provider_type", description: error.message), into: &violations)
            }
        }
        guard violations.isEmpty, let provider else {
            throw ComputeError.invalidSpec(violations)
        }
        try await provider.validate(spec)
        return provider
    }

    /// Validates a tenant id given on its own (destroy, status) and finds the provider.
    private func provider(named name: String, tenantID: String) throws -> any ComputeProvider {
        var violations = SpecValidator.tenantIDViolations(tenantID)
        do {
            let provider = try self.registry.provider(named: name)
            guard violations.isEmpty else { throw ComputeError.invalidSpec(violations) }
            return provider
        } catch let error as ComputeError where error.kind == .providerNotFound {
            guard !violations.isEmpty else { throw error }
            violations.append(FieldViolation(field: "provider_type", description: error.message))
            throw ComputeError.invalidSpec(violations)
        }
    }

    /// Inserts a `provider_type` violation after the `tenant_id` ones, keeping field order.
    private static func insert(_ violation: FieldViolation, into violations: inout [FieldViolation]) {
        let index = violations.firstIndex { $0.field != "tenant_id" } ?? violations.endIndex
        violations.insert(violation, at: index)
    }

    // MARK: - Observability

    private enum Operation: String {
        case provision
        case update
        case destroy
        case status
        case validate

        var startMessage: Logger.Message {
            switch self {
            case .provision: "provisioning tenant"
            case .update: "updating tenant"
            case .destroy: "destroying tenant"
            case .status: "querying tenant status"
            case .validate: "validating tenant spec"
            }
        }

        var completionMessage: Logger.Message {
            switch self {
            case .provision: "provisioned tenant"
            case .update: "updated tenant"
            case .destroy: "destroyed tenant"
            case .status: "queried tenant status"
            case .validate: "validated tenant spec"
            }
        }

        var failureMessage: Logger.Message {
            switch self {
            case .provision: "provisioning tenant failed"
            case .update: "updating tenant failed"
            case .destroy: "destroying tenant failed"
            case .status: "querying tenant status failed"
            case .validate: "validating tenant spec failed"
            }
        }

        /// The audit line's message, for the operations that change something.
        var auditMessage: Logger.Message? {
            switch self {
            case .provision: "audit: provision tenant"
            case .update: "audit: update tenant"
            case .destroy: "audit: destroy tenant"
            case .status, .validate: nil
            }
        }
    }

    /// Error kinds caused by the caller rather than by a provider failure; logged at `info`.
    private static let callerErrorKinds: Set<ComputeError.Kind> = [
        .invalidSpec, .providerNotFound, .tenantNotFound, .alreadyExists, .invalidProviderName,
    ]

    /// Runs `body` with start, completion/failure and audit log lines and the operation's metrics.
    ///
    /// Only what must outlive the `await` lives in this async function (its frame is allocated
    /// on every call); the logging and metrics work is in the synchronous functions below.
    private func perform<Output: Sendable>(
        _ operation: Operation,
        tenantID: String,
        providerName: String,
        caller: String = anonymousCaller,
        body: () async throws -> Output,
        summary: (Output) -> Logger.Metadata,
        outcome successOutcome: (Output) -> String = { _ in "success" }
    ) async throws -> Output {
        if self.logger.logLevel <= .debug {
            self.operationLogger(operation, tenantID: tenantID, providerName: providerName).debug(operation.startMessage)
        }
        let start = ContinuousClock.now
        let result: Output
        do {
            result = try await body()
        } catch {
            self.recordFailure(
                operation, tenantID: tenantID, providerName: providerName, caller: caller, error: error,
                duration: start.duration(to: .now)
            )
            throw error
        }
        self.recordSuccess(
            operation, tenantID: tenantID, providerName: providerName, caller: caller, outcome: successOutcome(result),
            summary: { summary(result) }, duration: start.duration(to: .now)
        )
        return result
    }

    /// The logger of one operation: the manager's, with the tenant, provider and operation.
    /// Built only when a line is written (status and validate log at debug on success, so at the
    /// usual levels they build none).
    private func operationLogger(_ operation: Operation, tenantID: String, providerName: String) -> Logger {
        var logger = self.logger
        logger[metadataKey: "tenant_id"] = .string(tenantID)
        logger[metadataKey: "provider"] = .string(providerName)
        logger[metadataKey: "operation"] = .string(operation.rawValue)
        return logger
    }

    @inline(never)
    private func recordSuccess(
        _ operation: Operation,
        tenantID: String,
        providerName: String,
        caller: String,
        outcome: String,
        summary: () -> Logger.Metadata,
        duration: Duration
    ) {
        // Read-only operations (status, validate) are frequent: their completion is debug.
        let level: Logger.Level = operation.auditMessage == nil ? .debug : .info
        if self.logger.logLevel <= level || operation.auditMessage != nil {
            let logger = self.operationLogger(operation, tenantID: tenantID, providerName: providerName)
            if logger.logLevel <= level {
                var metadata = summary()
                metadata["outcome"] = .string(outcome)
                metadata["duration_ms"] = "\(Self.milliseconds(duration))"
                logger.log(level: level, operation.completionMessage, metadata: metadata)
            }
            self.audit(operation, outcome: outcome, caller: caller, logger: logger)
        }
        self.record(operation, providerName: providerName, outcome: outcome, duration: duration)
    }

    @inline(never)
    private func recordFailure(
        _ operation: Operation,
        tenantID: String,
        providerName: String,
        caller: String,
        error: any Error,
        duration: Duration
    ) {
        let outcome: String
        let level: Logger.Level
        var metadata: Logger.Metadata = ["duration_ms": "\(Self.milliseconds(duration))"]
        switch error {
        case let error as ComputeError:
            outcome = error.kind.snakeCaseName
            level = Self.callerErrorKinds.contains(error.kind) ? .info : .error
            metadata["error_kind"] = "\(error.kind)"
            metadata["error"] = "\(error.message)"
        case is CancellationError:
            outcome = "cancelled"
            level = .info
            metadata["error"] = "cancelled"
        default:
            outcome = "error"
            level = .error
            metadata["error"] = "\(String(describing: error))"
        }
        metadata["outcome"] = "\(outcome)"
        let logger = self.operationLogger(operation, tenantID: tenantID, providerName: providerName)
        logger.log(level: level, operation.failureMessage, metadata: metadata)
        self.audit(operation, outcome: outcome, caller: caller, logger: logger)
        self.record(operation, providerName: providerName, outcome: outcome, duration: duration)
    }

    private func audit(_ operation: Operation, outcome: String, caller: String, logger: Logger) {
        guard let message = operation.auditMessage else { return }
        logger.notice(message, metadata: ["audit": "true", "outcome": "\(outcome)", "caller": .string(caller)])
    }

    private func record(_ operation: Operation, providerName: String, outcome: String, duration: Duration) {
        let registry = self.registry
        let metrics = self.metricHandles.handles(
            for: MetricKey(operation: operation.rawValue, provider: providerName, outcome: outcome),
            // Asked once per key: providers are never unregistered.
            isRegistered: { registry.contains($0) }
        )
        metrics.counter.increment()
        metrics.timer.record(duration: duration)
    }

    private static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}

/// The dimensions of one operation's metrics.
private struct MetricKey: Hashable {
    var operation: String
    var provider: String
    var outcome: String
}

/// The `Counter` and `Timer` of each (operation, provider, outcome), made once per factory
/// instead of on every call (each `makeCounter`/`makeTimer` is a factory lookup under a lock and
/// two objects). The cardinality is bounded: 5 operations x registered providers (or `unknown`)
/// x the outcomes.
private final class MetricHandleCache: Sendable {
    /// Where the handles are made (fixed for the manager's life, like a swift-metrics handle's).
    private let factory: any MetricsFactory
    private let handles = Mutex<[MetricKey: (counter: Counter, timer: Timer)]>([:])

    init(factory: any MetricsFactory) {
        self.factory = factory
    }

    /// The handles of `key`; a provider that is not registered is recorded as `unknown`, so
    /// client-chosen names cannot grow the cache or the metrics' cardinality.
    func handles(
        for key: MetricKey,
        isRegistered: (_ provider: String) -> Bool
    ) -> (counter: Counter, timer: Timer) {
        if let cached = self.handles.withLock({ $0[key] }) {
            return cached
        }
        var recorded = key
        if !isRegistered(key.provider) { recorded.provider = "unknown" }
        return self.handles.withLock { handles in
            if let existing = handles[recorded] {
                return existing
            }
            let made = Self.makeHandles(for: recorded, factory: self.factory)
            handles[recorded] = made
            return made
        }
    }

    private static func makeHandles(for key: MetricKey, factory: any MetricsFactory) -> (counter: Counter, timer: Timer) {
        let dimensions = [("operation", key.operation), ("provider", key.provider), ("outcome", key.outcome)]
        return (
            counter: Counter(label: ComputeManager.countMetricLabel, dimensions: dimensions, factory: factory),
            timer: Timer(label: ComputeManager.durationMetricLabel, dimensions: dimensions, factory: factory)
        )
    }
}
