internal import AsyncHTTPClient
internal import Foundation
package import LandlordCompute
package import Logging
internal import LandlordProviderKit
internal import NIOCore

/// A compute provider named `docker` that runs tenants as containers on a Docker engine (or any
/// engine speaking the Docker Engine API v1.41, such as podman's `podman system service`).
///
/// It talks to the engine over a unix socket or plain TCP with async-http-client and never shells
/// out to a CLI.
///
/// ## What a tenant becomes
///
/// A user-defined bridge network `landlord-<tenant_id>` (unless `provider_config.network_mode`
/// says otherwise) and one container `landlord-<tenant_id>-<container>` per ``ContainerSpec``,
/// labelled with the tenant, the container, the spec (environment values and secret keys only as
/// fingerprints) and its hash (``DockerNaming``, ``DockerLabels``, ``StoredSpec``,
/// ``TenantPlan``). The engine is the only store: a new provider instance (a restarted landlord)
/// finds, updates and destroys tenants from their labels.
///
/// ## Behaviour
///
/// - ``provision(_:)`` resolves secrets, pulls missing images, creates the network and the
///   containers and starts them; anything created is removed again when a later step fails or the
///   task is cancelled. The same spec again answers the same result; a different one
///   ``ComputeError/Kind/alreadyExists``.
/// - ``update(tenantID:spec:)`` compares the spec hashes and recreates only the containers whose
///   spec (or the tenant-wide part) changed, adds and removes containers, and answers the readable
///   changes (``SpecChanges``) or `no_changes`. An old container is renamed aside and stopped
///   while its replacement starts, and restored when any new container fails to start.
/// - ``destroy(tenantID:)`` stops and removes every container and network with the tenant's
///   labels; it is idempotent and finishes even when its task is cancelled.
/// - ``status(tenantID:)`` reads the containers' real state and restart counts from the engine;
///   readiness and health come from the provider's own health checks (``HealthMonitor``), which
///   start after provision and update, and on the first status of a tenant found on the engine.
/// - ``validate(_:)`` checks the provider's rules (``violations(of:)``), that secrets resolve and
///   that images are present or pullable.
///
/// > Important: secret values reach the engine only as container environment variables; they are
/// > never logged, never in an error, a label or a spec hash.
package final class DockerProvider: ComputeProvider {
    /// The provider's name, `docker`.
    package static let defaultName = "docker"

    package let name = DockerProvider.defaultName
    /// How the provider reaches its engine.
    package let configuration: Configuration

    let engine: DockerEngine
    let http: HTTPClient
    let monitor: HealthMonitor
    let locks = TenantLocks()
    let secretResolver: SecretResolver
    let logger: Logger

    /// Creates a provider; nothing is sent to the engine until an operation or
    /// ``checkConnection()`` runs.
    ///
    /// - Parameters:
    ///   - configuration: The engine's address and the provider's defaults.
    ///   - environment: Looks up `env` secrets; landlord's own environment by default.
    ///   - logger: Where operations are logged (debug level, with `tenant_id`); silent by default.
    package init(
        configuration: Configuration = .defaults,
        environment: @escaping @Sendable (String) -> String? = { ProcessInfo.processInfo.environment[$0] },
        logger: Logger = Logger(label: "landlord.docker-provider", factory: { _ in SwiftLogNoOpLogHandler() })
    ) {
        self.configuration = configuration
        var httpConfiguration = HTTPClient.Configuration(redirectConfiguration: .disallow)
        httpConfiguration.connectionPool.idleTimeout = .seconds(30)
        // Engine calls of many tenants run at once, some for seconds (stops, pulls, exec checks):
        // allow more than the default 8 connections to the engine before requests queue.
        httpConfiguration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 64
        // The engine is local or close, and a health probe of a closed port must fail at once:
        // do not retry refused connections until the connect timeout.
        httpConfiguration.connectionPool.retryConnectionEstablishment = false
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: httpConfiguration)
        self.http = http
        let engine = DockerEngine(configuration: configuration, http: http)
        self.engine = engine
        self.secretResolver = SecretResolver(directory: configuration.secretsDirectory, environment: environment)
        var logger = logger
        logger[metadataKey: "provider"] = "docker"
        self.logger = logger
        self.monitor = HealthMonitor(probe: { target, timeout in
            await HealthProbe(engine: engine, http: http, configuration: configuration).run(target, timeout: timeout)
        })
    }

    deinit {
        self.monitor.stopAll()
        // An orderly owner calls shutdown(); otherwise release the client's connections now
        // (shutting down twice only reports an error to the callback).
        self.http.shutdown { _ in }
    }

    /// Stops the health checks and closes the provider's connections. Call it once, when the
    /// provider is no longer used.
    package func shutdown() async throws {
        self.monitor.stopAll()
        try await self.http.shutdown()
    }

    // MARK: - Connection

    /// What ``checkConnection()`` learnt about the engine.
    package struct EngineInfo: Sendable, Hashable, CustomStringConvertible {
        /// The engine's address.
        package var host: EngineHost
        /// The engine's product, e.g. `Docker Engine - Community` or `Podman Engine`.
        package var product: String
        /// The engine's version, e.g. `24.0.7` or `4.3.1`.
        package var version: String
        /// The newest API version the engine speaks, e.g. `1.43`.
        package var apiVersion: String

        package var description: String {
            "\(self.product) \(self.version) (API \(self.apiVersion)) at \(self.host)"
        }
    }

    /// Checks that the engine answers and speaks API v1.41 or newer (call it at start-up).
    ///
    /// - Throws: ``ComputeError`` of kind ``ComputeError/Kind/providerFailed`` whose message says
    ///   which engine could not be reached and why, e.g. `docker provider: cannot reach the Docker
    ///   engine at unix:///var/run/docker.sock (set DOCKER_HOST or --docker-host): ...`.
    @discardableResult
    package func checkConnection() async throws -> EngineInfo {
        let hint = "(set DOCKER_HOST or --docker-host)"
        let version: DockerAPI.Version
        do {
            try await self.engine.ping()
            version = try await self.engine.version()
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw ComputeError(
                kind: .providerFailed,
                message:
                    "docker provider: cannot reach the Docker engine at \(self.configuration.host) \(hint): \(error)"
            )
        }
        let apiVersion = version.ApiVersion ?? "unknown"
        let parts = apiVersion.split(separator: ".").compactMap { Int($0) }
        guard parts.count >= 2, (parts[0], parts[1]) >= (1, 41) else {
            throw ComputeError(
                kind: .providerFailed,
                message:
                    "docker provider: the engine at \(self.configuration.host) speaks API \(apiVersion); version 1.41 or newer is needed"
            )
        }
        let product = version.Components?.first?.Name ?? "Docker engine"
        let info = EngineInfo(
            host: self.configuration.host, product: product, version: version.Version ?? "unknown",
            apiVersion: apiVersion
        )
        self.logger.debug("engine reachable", metadata: ["engine": "\(info)"])
        return info
    }

    // MARK: - ComputeProvider

    package func provision(_ spec: TenantComputeSpec) async throws -> ProvisionResult {
        try self.checkRules(spec)
        let plan = TenantPlan(spec: spec, configuration: self.configuration)
        return try await self.locks.withLock(spec.tenantID) {
            try await self.provisionLocked(spec, plan: plan)
        }
    }

    package func update(tenantID: String, spec: TenantComputeSpec) async throws -> UpdateResult {
        try SpecValidator.checkTenantIDMatches(tenantID, spec: spec)
        try self.checkRules(spec)
        let plan = TenantPlan(spec: spec, configuration: self.configuration)
        return try await self.locks.withLock(tenantID) {
            try await self.updateLocked(spec, plan: plan)
        }
    }

    package func destroy(tenantID: String) async throws {
        // The whole destroy runs in a task of its own, so that cancelling the caller does not
        // stop the cleanup half-way.
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
        try self.checkRules(spec)
        let violations: [FieldViolation]
        do {
            violations = try await self.availabilityViolations(spec)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw ComputeError(
                kind: .providerFailed,
                message:
                    "docker provider: could not check the images of tenant \(SpecValidator.quoted(spec.tenantID)): \(error)"
            )
        }
        guard violations.isEmpty else { throw ComputeError.invalidSpec(violations) }
    }

    // MARK: - Helpers

    /// `error` as the operation's ``ComputeError`` (`CancellationError` stays as it is).
    static func mapError(
        _ error: any Error,
        kind: ComputeError.Kind,
        tenantID: String,
        doing: String
    ) -> any Error {
        if error is CancellationError { return CancellationError() }
        if let error = error as? ComputeError { return error }
        return ComputeError(
            kind: kind,
            message: "docker provider: could not \(doing) tenant \(SpecValidator.quoted(tenantID)): \(error)"
        )
    }
}
