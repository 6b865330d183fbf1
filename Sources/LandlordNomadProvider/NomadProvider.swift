internal import Foundation
package import LandlordCompute
package import LandlordProviderKit
package import Logging

/// The `nomad` provider: each tenant one Nomad service job `landlord-<tenant_id>` (one group,
/// one docker-driver task per container; ``NomadJobMapping``), its secret values in the Nomad
/// Variable `nomad/jobs/landlord-<tenant_id>`, through Nomad's HTTP API.
///
/// ## Behaviour
///
/// - ``provision(_:)`` registers the job with `EnforceIndex` and `JobModifyIndex` 0: of two
///   landlords racing for a new tenant, Nomad accepts one and the other gets
///   ``ComputeError/Kind/alreadyExists``. The same spec again answers the same result and writes
///   nothing; a different spec is ``ComputeError/Kind/alreadyExists``.
/// - ``update(tenantID:spec:)`` plans the new job with `Diff`: a diff of type `None` (and unchanged
///   secret values) is `no_changes` and nothing is written; otherwise it registers with
///   `EnforceIndex` at the plan's `JobModifyIndex` (a concurrent writer makes it fail with
///   ``ComputeError/Kind/alreadyExists``) and answers the changes.
/// - ``destroy(tenantID:)`` deregisters the job with `purge=true` and deletes the variable;
///   idempotent; a job whose `Meta.landlord_tenant_id` is not the tenant's is never touched.
/// - ``status(tenantID:)`` reads the job, its latest deployment and its allocations
///   (``NomadStatusReport``), kept current by blocking queries (``NomadStatusCache``).
/// - A restarted landlord finds every tenant from its job and `Meta`.
///
/// > Important: the token is sent only as `X-Nomad-Token`; secret values only reach the Nomad
/// > Variable, never the job, a log line or an error.
package final class NomadProvider: ManagedComputeProvider {
    /// The provider's name in `--providers` and `provider_type`.
    package static let defaultName = "nomad"
    /// Nomad's default address (the CLI's).
    package static let defaultAddress = "http://127.0.0.1:4646"

    package let name = NomadProvider.defaultName
    /// The provider's settings.
    package let configuration: Configuration

    let client: EngineClient
    /// The client of the status cache's blocking queries (a pool of its own).
    let watchClient: EngineClient
    let api: NomadAPI
    let cache: NomadStatusCache
    let locks = TenantLocks()
    let secretResolver: SecretResolver
    let logger: Logger

    /// Creates a provider; nothing reaches Nomad until ``checkEngine()`` or an operation runs.
    ///
    /// - Parameters:
    ///   - configuration: The provider's settings.
    ///   - environment: Looks up `env` secrets; landlord's own environment by default.
    ///   - logger: Where operations are logged (debug and info, with `tenant_id`).
    /// - Throws: ``EngineConfigurationError`` when the address or the TLS files cannot be used.
    package init(
        configuration: Configuration,
        environment: @escaping @Sendable (String) -> String? = { ProcessInfo.processInfo.environment[$0] },
        logger: Logger = Logger(label: "landlord.nomad-provider", factory: { _ in SwiftLogNoOpLogHandler() })
    ) throws(EngineConfigurationError) {
        self.configuration = configuration
        var logger = logger
        logger[metadataKey: "provider"] = "nomad"
        self.logger = logger
        let (endpoint, clientConfiguration) = try configuration.clientSettings()
        // async-http-client logs parts of request and response bodies at trace level, and the
        // answers of variable calls hold secret values: its output stops at debug.
        var clientLogger = logger
        if clientLogger.logLevel < .debug { clientLogger.logLevel = .debug }
        let client = try EngineClient(endpoint: endpoint, configuration: clientConfiguration, logger: clientLogger)
        var watchConfiguration = clientConfiguration
        // Three held connections per watched tenant.
        watchConfiguration.maximumConnections = 3 * 1024
        watchConfiguration.idleTimeout = configuration.blockingWait + .seconds(60)
        let watchClient = try EngineClient(endpoint: endpoint, configuration: watchConfiguration, logger: clientLogger)
        self.client = client
        self.watchClient = watchClient
        self.api = NomadAPI(client: client, namespace: configuration.namespace, region: configuration.region)
        self.cache = NomadStatusCache(
            api: self.api,
            watchAPI: NomadAPI(client: watchClient, namespace: configuration.namespace, region: configuration.region),
            wait: configuration.blockingWait, idleTimeout: configuration.watchIdleTimeout, logger: logger)
        self.secretResolver = SecretResolver(directory: configuration.secretsDirectory, environment: environment)
    }

    var settings: NomadJobMapping.Settings {
        NomadJobMapping.Settings(
            namespace: self.configuration.namespace, region: self.configuration.region,
            datacenters: self.configuration.datacenters, mhzPerCore: self.configuration.mhzPerCore)
    }

    // MARK: - ManagedComputeProvider

    /// The start-up check: `/v1/agent/self` (reachable, its version and region), then, with a
    /// token, `/v1/acl/token/self` (the token is known; ACLs disabled is fine).
    ///
    /// - Throws: ``ProviderStartupFailure``: one line naming the provider, the address and what to set.
    package func checkEngine() async throws -> String {
        let address = "\(self.client.endpoint)"
        let agent: NomadAgentSelf
        do {
            agent = try await self.api.agentSelf()
        } catch let error as NomadAPIError where error.reason == .permissionDenied {
            throw ProviderStartupFailure(
                message:
                    "nomad provider: the Nomad agent at \(address) refused the token (set NOMAD_TOKEN to a token with the policy of deploy/nomad/landlord-acl-policy.hcl): \(error.message)"
            )
        } catch {
            throw ProviderStartupFailure(
                provider: self.name, address: "the Nomad agent at \(address)",
                hint: "set NOMAD_ADDR or --nomad-address, and NOMAD_CACERT for https", reason: Self.reason(error))
        }
        let version = agent.config?.version?.version
        if let version, let parsed = Self.majorMinor(version), parsed < Self.minimumVersion {
            throw ProviderStartupFailure(
                message:
                    "nomad provider: the Nomad agent at \(address) runs Nomad \(version); landlord needs \(Self.minimumVersion.0).\(Self.minimumVersion.1) or newer (node pools, native service checks, workload identity for variables)"
            )
        }
        var description = "Nomad \(version ?? "(unknown version)") at \(address), region \(self.configuration.region ?? agent.config?.region ?? "?"), namespace \(self.configuration.namespace)"
        if self.configuration.token != nil {
            do {
                if let token = try await self.api.tokenSelf() {
                    description += ", token \(token.name ?? token.accessorID ?? "?") (policies: \((token.policies ?? []).joined(separator: ",")))"
                } else {
                    description += ", ACLs disabled"
                }
            } catch {
                throw ProviderStartupFailure(
                    message:
                        "nomad provider: the Nomad agent at \(address) does not accept NOMAD_TOKEN (set NOMAD_TOKEN to a valid ACL token): \(Self.reason(error))"
                )
            }
        }
        return description
    }

    /// Stops the status queries and closes the connections.
    package func shutdown() async throws {
        await self.cache.stop()
        try await self.watchClient.shutdown()
        try await self.client.shutdown()
    }

    // MARK: - ComputeProvider

    package func provision(_ spec: TenantComputeSpec) async throws -> ProvisionResult {
        let plan = try self.plan(spec)
        return try await self.locks.withLock(spec.tenantID) {
            try await shielded { try await self.provisionLocked(plan) }
        }
    }

    package func update(tenantID: String, spec: TenantComputeSpec) async throws -> UpdateResult {
        try SpecValidator.checkTenantIDMatches(tenantID, spec: spec)
        let plan = try self.plan(spec)
        return try await self.locks.withLock(tenantID) {
            try await shielded { try await self.updateLocked(plan) }
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
        let jobID = NomadNaming.jobID(tenantID)
        let snapshot: NomadStatusCache.Snapshot?
        do {
            snapshot = try await self.cache.snapshot(jobID: jobID)
        } catch {
            throw Self.mapError(error, kind: .providerFailed, tenantID: tenantID, doing: "read the status of")
        }
        guard let snapshot, snapshot.job.meta?[NomadNaming.tenantIDMetaKey] == tenantID else {
            throw ComputeError(
                kind: .tenantNotFound, message: "nomad provider: tenant \(SpecValidator.quoted(tenantID)) has no job \(jobID)")
        }
        return NomadStatusReport(
            tenantID: tenantID, providerType: self.name, job: snapshot.job, deployment: snapshot.deployment,
            allocations: snapshot.allocations
        ).status()
    }

    package func validate(_ spec: TenantComputeSpec) async throws {
        var violations = NomadValidation.violations(of: spec, secretsDirectory: self.configuration.secretsDirectory)
        for (index, secret) in spec.secrets.enumerated() where violations.isEmpty {
            do {
                _ = try self.secretResolver.value(of: secret)
            } catch {
                violations.append(FieldViolation(field: "secrets[\(index)]", description: error.reason))
            }
        }
        guard violations.isEmpty else { throw ComputeError.invalidSpec(violations) }
    }

    /// How many tenants' statuses are being kept current by blocking queries now.
    package var watchedTenants: Int {
        get async { await self.cache.watchedCount }
    }

    /// The oldest Nomad the provider works with: 1.6 (node pools; native service checks and
    /// `nomadVar` templates with workload identity came in 1.4).
    package static let minimumVersion = (1, 6)

    /// `major.minor` of a version such as `1.9.3` or `1.10.0-beta.1`.
    static func majorMinor(_ version: String) -> (Int, Int)? {
        let parts = version.split(separator: ".").prefix(2).map { Int($0.prefix { $0.isNumber }) }
        guard parts.count == 2, let major = parts[0], let minor = parts[1] else { return nil }
        return (major, minor)
    }

    // MARK: - Helpers

    /// `error` as the operation's ``ComputeError`` (`CancellationError` and ``ComputeError``s stay).
    static func mapError(_ error: any Error, kind: ComputeError.Kind, tenantID: String, doing: String) -> any Error {
        if error is CancellationError { return CancellationError() }
        if let error = error as? ComputeError { return error }
        return ComputeError(
            kind: kind,
            message: "nomad provider: could not \(doing) tenant \(SpecValidator.quoted(tenantID)): \(Self.reason(error))")
    }

    /// What went wrong, for a message: Nomad's text, the client's failure, never a body of a variable.
    static func reason(_ error: any Error) -> String {
        switch error {
        case let error as NomadAPIError:
            error.reason == .permissionDenied
                ? "\(error.description) (the token lacks a capability: see deploy/nomad/landlord-acl-policy.hcl)"
                : error.description
        case let error as EngineClientError: error.description
        default: "\(error)"
        }
    }
}
