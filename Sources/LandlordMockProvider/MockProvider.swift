internal import Foundation
package import LandlordCompute
package import Logging
internal import Synchronization

/// An in-memory compute provider named `mock`, for tests, demos and `make run`.
///
/// Nothing runs anywhere: a provisioned tenant is its spec, kept in memory until destroyed. The
/// provider is safe for concurrent use, and operations on different tenants run in parallel (the
/// store is behind a `Mutex` held only for the bookkeeping, never across an injected delay).
///
/// ## Behaviour
///
/// - ``provision(_:)`` answers ``ProvisionStatus/success`` with the resource ids
///   `network: mock-<tenant>-network` and `container/<name>: mock-<tenant>-<name>` and one endpoint
///   per port. It is idempotent: the same spec again returns the same result (same ids, same
///   `provisionedAt`); a different spec for an existing tenant throws
///   ``ComputeError/Kind/alreadyExists``.
/// - ``update(tenantID:spec:)`` answers ``UpdateStatus/noChanges`` with empty `changes` for the
///   spec the tenant already has, otherwise ``UpdateStatus/success`` with a readable list of what
///   changed, e.g. `containers[web].image: nginx:1.21 -> nginx:1.25`, `containers[db]: added`,
///   `labels[tier]: gold -> silver`, `resources.cpu: 256 -> 512`. Environment values, secrets
///   and provider configuration never appear: `containers[web].env[API_KEY]: changed`. An
///   unknown tenant throws ``ComputeError/Kind/tenantNotFound``.
/// - ``destroy(tenantID:)`` is idempotent: an unknown tenant succeeds.
/// - ``status(tenantID:)`` of an unknown tenant throws ``ComputeError/Kind/tenantNotFound``.
///   A tenant reports state `running`, health `healthy` and one ready container status (state
///   `running`) per spec container, unless the state label says otherwise (below). The state never
///   changes on its own.
///
/// ## Test controls: labels
///
/// - `mock.landlord.dev/state`: one of `running`, `stopped`, `starting`, `stopping`, `failed`,
///   `unknown`; ``status(tenantID:)`` reports that state. Containers and health follow it:
///
///   | state | container state | ready | health |
///   |---|---|---|---|
///   | `running` | `running` | yes | `healthy` |
///   | `starting` | `starting` | no | `unknown` |
///   | `stopping` | `stopping` | no | `unknown` |
///   | `stopped` | `stopped` | no | `unknown` |
///   | `failed` | `failed` | no | `unhealthy` |
///   | `unknown` | `unknown` | no | `unknown` |
///
///   An update that changes the label changes the reported state.
/// - `mock.landlord.dev/fail`: one of `provision`, `update`, `destroy`, `status`; that operation
///   throws a provider error and changes nothing: provision ``ComputeError/Kind/provisionFailed``,
///   update ``ComputeError/Kind/updateFailed``, destroy and status
///   ``ComputeError/Kind/providerFailed`` (all `INTERNAL` on the wire). Provision and update read
///   the label from the spec they are given; destroy and status from the spec stored for the
///   tenant (so a tenant provisioned with `fail=destroy` exists normally until it is destroyed,
///   and updating the label away heals it).
///
/// Any other value of either label is rejected by ``validate(_:)`` as a violation of
/// `labels[mock.landlord.dev/state]` or `labels[mock.landlord.dev/fail]`. ``validate(_:)`` also
/// requires `provider_config`, when present, to be a JSON object, and `provider_type` to be the
/// provider's name.
///
/// ## Latency injection
///
/// ``Configuration`` sets a delay per operation (all zero by default). Delays honour task
/// cancellation: a cancelled provision, update, status or validate ends promptly with
/// `CancellationError` and changes nothing; a cancelled destroy ends its delay promptly but still
/// removes the tenant (the provider contract says cancellation should not stop a cleanup).
///
/// ```swift
/// let slow = MockProvider(configuration: .init(provisionDelay: .milliseconds(200)), logger: logger)
/// ```
package final class MockProvider: ComputeProvider {
    /// The labels the mock provider reads.
    package enum Labels {
        /// Picks the state ``MockProvider/status(tenantID:)`` reports.
        package static let state = "mock.landlord.dev/state"
        /// Makes one operation fail.
        package static let fail = "mock.landlord.dev/fail"
    }

    /// The operations the `mock.landlord.dev/fail` label can make fail.
    package enum FailingOperation: String, Sendable, Hashable, CaseIterable {
        case provision
        case update
        case destroy
        case status
    }

    /// The default name, `mock`.
    package static let defaultName = "mock"

    package let name: String
    /// The injected delays.
    package let configuration: Configuration

    private let tenants: Mutex<[String: StoredTenant]>
    private let logger: Logger

    /// A provisioned tenant; immutable (an update stores a new one), and a class so that reading
    /// one out of the store is a single retain, not a copy of every field.
    private final class StoredTenant: Sendable {
        let spec: TenantComputeSpec
        let result: ProvisionResult
        /// What ``status(tenantID:)`` reports, made once from the spec: only `lastUpdated`
        /// changes per call.
        let status: ComputeStatus
        /// Which operation the spec's fail label injects a failure into, if any.
        let failingOperation: FailingOperation?

        init(spec: TenantComputeSpec, result: ProvisionResult, status: ComputeStatus, failingOperation: FailingOperation?) {
            self.spec = spec
            self.result = result
            self.status = status
            self.failingOperation = failingOperation
        }
    }

    /// Creates an empty mock provider.
    ///
    /// - Parameters:
    ///   - name: The provider name, `mock` unless a test registers several.
    ///   - configuration: Injected delays.
    ///   - logger: Where operations are logged (debug level, with `tenant_id`); silent by default.
    package init(
        name: String = MockProvider.defaultName,
        configuration: Configuration = .defaults,
        logger: Logger = Logger(label: "landlord.mock-provider", factory: { _ in SwiftLogNoOpLogHandler() })
    ) {
        self.name = name
        self.configuration = configuration
        self.tenants = Mutex([:])
        var logger = logger
        logger[metadataKey: "provider"] = "\(name)"
        self.logger = logger
    }

    // MARK: - Inspection (tests)

    /// The ids of the tenants currently stored, sorted.
    package var tenantIDs: [String] {
        self.tenants.withLock { $0.keys.sorted() }
    }

    /// The spec stored for `tenantID`, or `nil` when the tenant does not exist.
    package func storedSpec(tenantID: String) -> TenantComputeSpec? {
        self.tenants.withLock { $0[tenantID]?.spec }
    }

    // MARK: - ComputeProvider

    package func provision(_ spec: TenantComputeSpec) async throws -> ProvisionResult {
        try self.checkProviderRules(spec)
        try await Self.pause(for: self.configuration.provisionDelay)
        if Self.failingOperation(in: spec) == .provision {
            self.logger.debug("injected provision failure", metadata: ["tenant_id": "\(spec.tenantID)"])
            throw Self.injectedFailure(.provision, tenantID: spec.tenantID)
        }
        let result = try self.tenants.withLock { tenants in
            if let existing = tenants[spec.tenantID] {
                guard existing.spec == spec else {
                    throw ComputeError(
                        kind: .alreadyExists,
                        message: "tenant \"\(spec.tenantID)\" is already provisioned with a different spec; use update"
                    )
                }
                return existing.result
            }
            let result = self.makeResult(for: spec, provisionedAt: Date())
            tenants[spec.tenantID] = self.stored(spec, result: result)
            return result
        }
        self.logger.debug("provisioned tenant", metadata: ["tenant_id": "\(spec.tenantID)"])
        return result
    }

    package func update(tenantID: String, spec: TenantComputeSpec) async throws -> UpdateResult {
        try SpecValidator.checkTenantIDMatches(tenantID, spec: spec)
        try self.checkProviderRules(spec)
        try await Self.pause(for: self.configuration.updateDelay)
        if Self.failingOperation(in: spec) == .update {
            self.logger.debug("injected update failure", metadata: ["tenant_id": "\(tenantID)"])
            throw Self.injectedFailure(.update, tenantID: tenantID)
        }
        let now = Date()
        let changes = try self.tenants.withLock { tenants in
            guard let existing = tenants[tenantID] else {
                throw Self.tenantNotFound(tenantID)
            }
            guard existing.spec != spec else { return [String]() }
            let changes = SpecChangeDescriptions.tenantChanges(from: existing.spec, to: spec)
            tenants[tenantID] = self.stored(
                spec,
                result: self.makeResult(for: spec, provisionedAt: existing.result.provisionedAt)
            )
            return changes
        }
        self.logger.debug("updated tenant", metadata: ["tenant_id": "\(tenantID)", "change_count": "\(changes.count)"])
        return UpdateResult(
            tenantID: tenantID,
            providerType: self.name,
            status: changes.isEmpty ? .noChanges : .success,
            changes: changes,
            message: changes.isEmpty ? "the tenant already has this spec" : "updated in memory",
            updatedAt: now
        )
    }

    package func destroy(tenantID: String) async throws {
        // A cancelled destroy still cleans up: the delay ends early, the removal happens.
        try? await Self.pause(for: self.configuration.destroyDelay)
        let existed = try self.tenants.withLock { tenants in
            guard let existing = tenants[tenantID] else { return false }
            if Self.failingOperation(in: existing.spec) == .destroy {
                throw Self.injectedFailure(.destroy, tenantID: tenantID)
            }
            tenants[tenantID] = nil
            return true
        }
        self.logger.debug(
            existed ? "destroyed tenant" : "tenant to destroy does not exist",
            metadata: ["tenant_id": "\(tenantID)"]
        )
    }

    package func status(tenantID: String) async throws -> ComputeStatus {
        try await Self.pause(for: self.configuration.statusDelay)
        var status = try self.tenants.withLock { tenants in
            guard let existing = tenants[tenantID] else {
                throw Self.tenantNotFound(tenantID)
            }
            if existing.failingOperation == .status {
                throw Self.injectedFailure(.status, tenantID: tenantID)
            }
            return existing.status
        }
        status.lastUpdated = Date()
        return status
    }

    package func validate(_ spec: TenantComputeSpec) async throws {
        try await Self.pause(for: self.configuration.validateDelay)
        try self.checkProviderRules(spec)
    }

    // MARK: - Validation

    /// The mock's own rules (the framework's are the manager's job).
    package func violations(of spec: TenantComputeSpec) -> [FieldViolation] {
        var violations: [FieldViolation] = []
        if let violation = SpecValidator.providerTypeViolation(of: spec, provider: self.name) {
            violations.append(violation)
        }
        if let state = spec.labels[Labels.state], ComputeState(rawValue: state) == nil {
            let allowed = ComputeState.allCases.map(\.rawValue).joined(separator: ", ")
            violations.append(
                FieldViolation(
                    field: "labels[\(Labels.state)]",
                    description:
                        "label \(Labels.state) must name a state (\(allowed)); it is \(SpecValidator.quoted(state))"
                )
            )
        }
        if let operation = spec.labels[Labels.fail], FailingOperation(rawValue: operation) == nil {
            let allowed = FailingOperation.allCases.map(\.rawValue).joined(separator: ", ")
            violations.append(
                FieldViolation(
                    field: "labels[\(Labels.fail)]",
                    description:
                        "label \(Labels.fail) must name an operation (\(allowed)); it is \(SpecValidator.quoted(operation))"
                )
            )
        }
        if let config = spec.providerConfig, !config.isEmpty, !config.isObject {
            violations.append(
                FieldViolation(
                    field: "provider_config",
                    description: "provider_config for the mock provider must be a JSON object"
                )
            )
        }
        return violations
    }

    private func checkProviderRules(_ spec: TenantComputeSpec) throws {
        let violations = self.violations(of: spec)
        guard violations.isEmpty else { throw ComputeError.invalidSpec(violations) }
    }

    // MARK: - Helpers

    private static func pause(for delay: Duration) async throws {
        if delay > .zero {
            try await Task.sleep(for: delay)
        } else {
            try Task.checkCancellation()
        }
    }

    private static func failingOperation(in spec: TenantComputeSpec) -> FailingOperation? {
        spec.labels[Labels.fail].flatMap(FailingOperation.init(rawValue:))
    }

    private static func injectedFailure(_ operation: FailingOperation, tenantID: String) -> ComputeError {
        let kind: ComputeError.Kind
        switch operation {
        case .provision: kind = .provisionFailed
        case .update: kind = .updateFailed
        case .destroy, .status: kind = .providerFailed
        }
        return ComputeError(
            kind: kind,
            message: "mock provider: \(operation.rawValue) of tenant \"\(tenantID)\" failed "
                + "(injected by label \(Labels.fail)=\(operation.rawValue))"
        )
    }

    private static func tenantNotFound(_ tenantID: String) -> ComputeError {
        ComputeError(kind: .tenantNotFound, message: "tenant \"\(tenantID)\" does not exist")
    }

    private func makeResult(for spec: TenantComputeSpec, provisionedAt: Date) -> ProvisionResult {
        var resourceIDs = ["network": "mock-\(spec.tenantID)-network"]
        for container in spec.containers {
            resourceIDs["container/\(container.name)"] = "mock-\(spec.tenantID)-\(container.name)"
        }
        let address = Self.address(of: spec)
        var endpoints: [Endpoint] = []
        for container in spec.containers {
            for port in container.ports {
                let number = port.hostPort != 0 ? port.hostPort : port.containerPort
                endpoints.append(Endpoint(publishing: port, address: address, port: number))
            }
        }
        return ProvisionResult(
            tenantID: spec.tenantID,
            providerType: self.name,
            status: .success,
            resourceIDs: resourceIDs,
            endpoints: endpoints,
            message: "provisioned in memory by the mock provider",
            provisionedAt: provisionedAt
        )
    }

    /// `hostname.domain` from the spec's DNS settings, else `<tenant>.mock.internal`.
    private static func address(of spec: TenantComputeSpec) -> String {
        let hostname = spec.networking.dns?.hostname ?? ""
        let domain = spec.networking.dns?.domain ?? ""
        switch (hostname.isEmpty, domain.isEmpty) {
        case (false, false): return "\(hostname).\(domain)"
        case (false, true): return hostname
        case (true, false): return "\(spec.tenantID).\(domain)"
        case (true, true): return "\(spec.tenantID).mock.internal"
        }
    }

    private func stored(_ spec: TenantComputeSpec, result: ProvisionResult) -> StoredTenant {
        StoredTenant(
            spec: spec,
            result: result,
            status: self.makeStatus(for: spec, at: result.provisionedAt),
            failingOperation: Self.failingOperation(in: spec)
        )
    }

    private func makeStatus(for spec: TenantComputeSpec, at date: Date) -> ComputeStatus {
        let labelled = spec.labels[Labels.state].flatMap(ComputeState.init(rawValue:))
        let state = labelled ?? .running
        let (containerState, ready, health) = Self.appearance(of: state)
        let message = labelled == nil || state == .running ? "" : "state set by label \(Labels.state)"
        return ComputeStatus(
            tenantID: spec.tenantID,
            providerType: self.name,
            state: state,
            containers: spec.containers.map {
                ContainerStatus(name: $0.name, state: containerState, ready: ready, restartCount: 0, message: message)
            },
            health: health,
            lastUpdated: date,
            metadata: ["state_source": labelled == nil ? "default" : "label"]
        )
    }

    /// How containers and health look in a tenant state (the table in the type's documentation).
    package static func appearance(of state: ComputeState) -> (
        containerState: ContainerState, ready: Bool, health: HealthStatus
    ) {
        switch state {
        case .running: ("running", true, .healthy)
        case .starting: ("starting", false, .unknown)
        case .stopping: ("stopping", false, .unknown)
        case .stopped: ("stopped", false, .unknown)
        case .failed: ("failed", false, .unhealthy)
        case .unknown: ("unknown", false, .unknown)
        }
    }
}
