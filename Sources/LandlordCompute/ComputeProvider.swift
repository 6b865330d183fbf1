/// A compute provider: the code that turns a ``TenantComputeSpec`` into running containers on one
/// platform (ECS, Kubernetes, Nomad, ..., or the in-memory `mock`).
///
/// The ``ComputeManager`` is the only caller in production: it validates every spec with the
/// framework rules (``SpecValidator``) and then with the provider's own ``validate(_:)`` before it
/// calls any other method, so a provider may rely on a structurally valid spec in ``provision(_:)``
/// and ``update(tenantID:spec:)``.
///
/// ## Errors
///
/// Throw ``ComputeError`` with the kind that says what happened; the manager returns provider
/// errors to its caller unchanged, and the service layer maps the kind to a gRPC status:
///
/// - ``ComputeError/Kind/invalidSpec`` with at least one ``FieldViolation`` from ``validate(_:)``
///   (field paths as ``SpecValidator`` writes them, e.g. `provider_config` or `labels[x]`).
/// - ``ComputeError/Kind/alreadyExists`` from ``provision(_:)`` when the tenant exists with a
///   different spec.
/// - ``ComputeError/Kind/tenantNotFound`` from ``update(tenantID:spec:)`` and ``status(tenantID:)``.
/// - ``ComputeError/Kind/provisionFailed``, ``ComputeError/Kind/updateFailed`` and
///   ``ComputeError/Kind/providerFailed`` (destroy, status, anything else) for platform failures.
/// - `CancellationError` when the calling task was cancelled.
///
/// Error messages reach clients and logs: never put an environment value, a secret or provider
/// configuration content in them.
///
/// ## Cancellation
///
/// Cancellation is Swift task cancellation: the manager's caller cancels the task (a client's
/// RST_STREAM or an expired deadline) and the provider stops waiting, cleans up what it started and
/// throws `CancellationError`. ``destroy(tenantID:)`` is the exception: it finishes its cleanup.
///
/// ## Concurrency
///
/// A provider is `Sendable` and is called concurrently: it must be safe for concurrent use and
/// should let operations on different tenants run in parallel.
///
/// ## Logging
///
/// Log with `tenant_id` in the metadata, at info or below for normal operation, and never log a
/// secret, an environment value or provider configuration.
package protocol ComputeProvider: Sendable {
    /// The provider's unique identifier, which ``TenantComputeSpec/providerType`` names.
    ///
    /// - Must be non-empty, lowercase and alphanumeric (`^[a-z0-9]+$`); the ``ProviderRegistry``
    ///   rejects anything else.
    /// - Must be unique among registered providers and must not change over the provider's life.
    var name: String { get }

    /// Creates the compute resources of a tenant.
    ///
    /// - Must be idempotent: the same spec again succeeds with the same result (same resource ids,
    ///   same `provisionedAt`); a different spec for an existing tenant throws
    ///   ``ComputeError/Kind/alreadyExists``.
    /// - Must create all resources atomically or roll back on failure, and return the identifiers
    ///   needed for cleanup in ``ProvisionResult/resourceIDs``.
    /// - Should validate the spec (the manager already has, but direct callers may not).
    /// - May take minutes; on cancellation, clean up what was started and throw `CancellationError`.
    ///
    /// - Parameter spec: The tenant's desired state; `spec.providerType` is this provider's name.
    /// - Returns: The resource ids and endpoints of the tenant.
    /// - Throws: ``ComputeError`` (``ComputeError/Kind/alreadyExists``, ``ComputeError/Kind/invalidSpec``,
    ///   ``ComputeError/Kind/provisionFailed``) or `CancellationError`.
    func provision(_ spec: TenantComputeSpec) async throws -> ProvisionResult

    /// Brings an existing tenant to a new desired state.
    ///
    /// - Must be idempotent: the spec the tenant already has answers ``UpdateStatus/noChanges``
    ///   with empty ``UpdateResult/changes`` and changes nothing.
    /// - Should list what changed, readably, without environment values or secrets
    ///   (e.g. `containers[web].image: nginx:1.21 -> nginx:1.25`).
    /// - Must not cause downtime if possible, and must roll back to the previous state on failure.
    /// - May be implemented as destroy-then-provision.
    ///
    /// - Parameters:
    ///   - tenantID: The tenant to update; equals `spec.tenantID` (the manager checks).
    ///   - spec: The new desired state.
    /// - Throws: ``ComputeError`` (``ComputeError/Kind/tenantNotFound``, ``ComputeError/Kind/invalidSpec``,
    ///   ``ComputeError/Kind/updateFailed``) or `CancellationError`.
    func update(tenantID: String, spec: TenantComputeSpec) async throws -> UpdateResult

    /// Removes every compute resource of a tenant.
    ///
    /// - Must be idempotent: destroying a tenant that does not exist (any more) succeeds.
    /// - Must clean up everything ``provision(_:)`` created; should log, not fail, when some
    ///   resources were already gone.
    /// - Should not stop its cleanup when the task is cancelled.
    ///
    /// - Parameter tenantID: The tenant to remove.
    /// - Throws: ``ComputeError`` (``ComputeError/Kind/providerFailed``) only for unexpected failures.
    func destroy(tenantID: String) async throws

    /// Reports the current state of a tenant's compute resources.
    ///
    /// - Must query the current state, not a cached one, and should answer fast (under 5 s typically).
    /// - Should include health information.
    ///
    /// - Parameter tenantID: The tenant to query.
    /// - Throws: ``ComputeError`` with ``ComputeError/Kind/tenantNotFound`` if the tenant does not
    ///   exist; ``ComputeError/Kind/providerFailed`` for platform failures; `CancellationError`.
    func status(tenantID: String) async throws -> ComputeStatus

    /// Checks a spec against this provider's own rules, without side effects.
    ///
    /// The framework rules (``SpecValidator``) are checked by the manager before this is called; this
    /// method checks what only the provider knows: its ``TenantComputeSpec/providerConfig``, its
    /// labels, resource limits, image availability. It may make read-only calls to the platform.
    ///
    /// - Parameter spec: The spec to check.
    /// - Throws: ``ComputeError`` of kind ``ComputeError/Kind/invalidSpec`` carrying every violation
    ///   found (``ComputeError/invalidSpec(_:)``); any other error means the check itself failed.
    func validate(_ spec: TenantComputeSpec) async throws
}
