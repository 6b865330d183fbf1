internal import Foundation
package import LandlordCompute
package import LandlordProviderKit
package import Logging

/// The `kubernetes` provider: each tenant a namespace `<prefix><tenant_id>` on a cluster, holding a
/// Deployment (one pod with every spec container), a Service, a Secret, a ResourceQuota, a
/// LimitRange and a NetworkPolicy (``KubernetesMapping``), written with server-side apply as field
/// manager `landlord`.
///
/// ## Behaviour
///
/// - ``provision(_:)`` creates the namespace (a create, not an apply: of two landlords racing for
///   a new tenant, one wins and the other gets ``ComputeError/Kind/alreadyExists``), then applies
///   the other objects in ``TenantObjects/inApplyOrder``; when a step fails the namespace (and so
///   everything in it) is deleted again. The same spec again re-applies the same objects (which
///   finishes an interrupted provision and otherwise changes nothing) and answers the same
///   result; a different spec is ``ComputeError/Kind/alreadyExists``.
/// - ``update(tenantID:spec:)`` compares the spec hash annotation with the new spec's: equal is
///   `no_changes` and nothing is written. Otherwise it applies the Namespace with the
///   `resourceVersion` it read (a compare-and-swap: a concurrent update by another landlord makes
///   one of them fail with a 409 Conflict, answered as ``ComputeError/Kind/alreadyExists``), then
///   the other objects, deletes the Secret or Service the new spec no longer needs, and answers
///   the readable changes. With `provider_config.rollback_on_failure` it waits for the rollout's
///   verdict: a failed rollout (a new pod crash-looping or unable to pull its image, or the
///   progress deadline exceeded) re-applies the previous Deployment and fails the update with the
///   reason.
/// - ``destroy(tenantID:)`` deletes the namespace with foreground propagation and waits until the
///   cache has seen it go; idempotent; a namespace without the tenant's labels is never deleted.
/// - ``status(tenantID:)`` (and so every WatchTenantStatus poll) reads the watch cache
///   (``ClusterCache``), never the API server; after a write the operation waits until the
///   cache has seen the written resource versions, so a status right after an update reflects it.
/// - A restarted landlord finds every tenant from the labels `app.kubernetes.io/managed-by` and
///   `landlord.dev/tenant-id` and the spec annotations (``TenantSpecAnnotation``).
///
/// > Important: secret values reach the cluster only in the tenant's Secret; they are never
/// > logged, never in an error (API errors about a Secret are redacted), a label or an annotation.
package final class KubernetesProvider: ManagedComputeProvider {
    /// The provider's name in `--providers` and `provider_type`.
    package static let defaultName = "kubernetes"

    package let name = KubernetesProvider.defaultName
    /// Where the cluster is and how tenants are named.
    package let configuration: Configuration
    /// The cluster's address, credentials and TLS.
    package let connection: KubernetesConnection

    let client: EngineClient
    let api: KubernetesAPI
    let cache: ClusterCache
    let locks = TenantLocks()
    let secretResolver: SecretResolver
    let logger: Logger

    /// Creates a provider; nothing reaches the cluster until ``checkEngine()`` or an operation
    /// runs (the first one starts the watch cache).
    ///
    /// - Parameters:
    ///   - configuration: The provider's settings.
    ///   - connection: The cluster (``Configuration/connection(environment:)``).
    ///   - environment: Looks up `env` secrets; landlord's own environment by default.
    ///   - logger: Where operations are logged (debug and info, with `tenant_id`).
    /// - Throws: ``EngineConfigurationError`` when the connection's TLS files cannot be used.
    package init(
        configuration: Configuration,
        connection: KubernetesConnection,
        environment: @escaping @Sendable (String) -> String? = { ProcessInfo.processInfo.environment[$0] },
        logger: Logger = Logger(label: "landlord.kubernetes-provider", factory: { _ in SwiftLogNoOpLogHandler() })
    ) throws(EngineConfigurationError) {
        self.configuration = configuration
        self.connection = connection
        var logger = logger
        logger[metadataKey: "provider"] = "kubernetes"
        self.logger = logger
        let client = try EngineClient(
            endpoint: connection.endpoint,
            configuration: connection.clientConfiguration(
                base: EngineClient.Configuration(requestTimeout: configuration.requestTimeout)),
            logger: logger)
        self.client = client
        self.api = KubernetesAPI(client: client)
        self.cache = ClusterCache(client: client, logger: logger, watchTimeout: configuration.watchTimeout)
        self.secretResolver = SecretResolver(directory: configuration.secretsDirectory, environment: environment)
    }

    // MARK: - ManagedComputeProvider

    /// The start-up check: the API server's version and the credentials' permissions
    /// (``KubernetesAPI/checkCluster(provider:)``), then the watch cache's first lists.
    ///
    /// - Throws: ``ProviderStartupFailure``: one line naming the provider, the address and what
    ///   to set or grant.
    package func checkEngine() async throws -> String {
        let description = try await self.api.checkCluster(provider: self.name)
        do {
            try await self.cache.start(timeout: self.configuration.cacheSyncTimeout)
        } catch let error as ClusterCache.NotSynced {
            throw ProviderStartupFailure(
                message: "\(self.name) provider: the API server at \(self.client.endpoint) answers, but \(error)")
        }
        return description
    }

    /// Stops the informers (waiting until they have returned) and closes the connections.
    package func shutdown() async throws {
        await self.cache.stop()
        try await self.client.shutdown()
    }

    // MARK: - ComputeProvider

    package func provision(_ spec: TenantComputeSpec) async throws -> ProvisionResult {
        let plan = try self.plan(spec, failure: .provisionFailed)
        return try await self.locks.withLock(spec.tenantID) {
            try await self.provisionLocked(plan)
        }
    }

    package func update(tenantID: String, spec: TenantComputeSpec) async throws -> UpdateResult {
        try SpecValidator.checkTenantIDMatches(tenantID, spec: spec)
        let plan = try self.plan(spec, failure: .updateFailed)
        return try await self.locks.withLock(tenantID) {
            try await self.updateLocked(plan)
        }
    }

    package func destroy(tenantID: String) async throws {
        // In a task of its own: cancelling the caller does not stop the clean-up half-way.
        try await shielded {
            try await self.locks.withLock(tenantID) {
                try await self.destroyLocked(tenantID: tenantID)
            }
        }
    }

    package func status(tenantID: String) async throws -> ComputeStatus {
        try await self.statusOfTenant(tenantID)
    }

    package func validate(_ spec: TenantComputeSpec) async throws {
        var violations = self.ruleViolations(spec)
        for (index, secret) in spec.secrets.enumerated() where violations.isEmpty {
            do {
                _ = try self.secretResolver.value(of: secret)
            } catch {
                violations.append(FieldViolation(field: "secrets[\(index)]", description: error.reason))
            }
        }
        guard violations.isEmpty else { throw ComputeError.invalidSpec(violations) }
    }

    // MARK: - Helpers

    /// The provider's rules (``KubernetesValidation``).
    func ruleViolations(_ spec: TenantComputeSpec) -> [FieldViolation] {
        KubernetesValidation.violations(
            of: spec, provider: self.name, namespacePrefix: self.configuration.namespacePrefix,
            secretsDirectory: self.configuration.secretsDirectory)
    }

    /// The namespace of tenant `tenantID`.
    func namespace(of tenantID: String) -> String {
        KubernetesNaming.namespace(prefix: self.configuration.namespacePrefix, tenantID: tenantID)
    }

    /// `error` as the operation's ``ComputeError`` (`CancellationError` and ``ComputeError``s stay
    /// as they are); API errors about Secrets are already redacted.
    static func mapError(_ error: any Error, kind: ComputeError.Kind, tenantID: String, doing: String) -> any Error {
        if error is CancellationError { return CancellationError() }
        if let error = error as? ComputeError { return error }
        return ComputeError(
            kind: kind,
            message: "kubernetes provider: could not \(doing) tenant \(SpecValidator.quoted(tenantID)): \(error)")
    }

    /// Starts the watch cache if it is not running yet and waits for its first lists.
    func ensureCache() async throws {
        do {
            try await self.cache.start(timeout: self.configuration.cacheSyncTimeout)
        } catch let error as ClusterCache.NotSynced {
            throw ComputeError(
                kind: .providerFailed, message: "kubernetes provider: \(self.client.endpoint): \(error)")
        }
    }
}
