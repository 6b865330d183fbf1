internal import AsyncHTTPClient
internal import Foundation
package import LandlordCompute
package import LandlordProviderKit
package import Logging
internal import NIOCore
internal import Synchronization

/// The `ecs` provider: each tenant a task definition family `landlord-<tenant_id>` and a service
/// `landlord-<tenant_id>` in one ECS cluster (Fargate by default, `awsvpc`), tagged
/// `landlord.dev/tenant-id` and `landlord.dev/managed-by=landlord` (``ECSTenantPlan``).
///
/// ## Behaviour
///
/// - ``provision(_:)`` registers a revision and creates the service with a `clientToken` derived
///   from the tenant and the spec: the same spec again (or a second landlord provisioning it at the
///   same time) answers the same service; a different spec for an existing service is
///   ``ComputeError/Kind/alreadyExists``. When the service cannot be created, the revision is
///   deregistered again.
/// - ``update(tenantID:spec:)`` compares the stored spec of the service's revision (docker labels)
///   and the service's settings with the new spec: nothing differs, `no_changes` and nothing is
///   written. A different task definition registers a new revision; then the service is updated
///   (deployment circuit breaker with rollback) if its revision is still the one read (else
///   ``ComputeError/Kind/alreadyExists``: another landlord updated it first).
/// - ``destroy(tenantID:)`` scales the service to zero, deletes it and deregisters every ACTIVE
///   revision of the family; idempotent; everything is found by name and tag.
/// - ``status(tenantID:)`` reads `DescribeServices`, `ListTasks`/`DescribeTasks` and the family's
///   newest revision (``ECSStatusMapping``).
///
/// > Important: secrets are `valueFrom` references ECS resolves at task start: landlord never
/// > reads their values. Environment values are in the task definition (as ECS requires) but never
/// > in a log line, an error or a tag.
package final class ECSProvider: ManagedComputeProvider {
    /// The provider's name in `--providers` and `provider_type`.
    package static let defaultName = "ecs"

    package let name = ECSProvider.defaultName
    /// The provider's settings.
    package let configuration: Configuration

    /// The ECS operations (tests read what the provider wrote through it).
    package let api: ECSAPI
    let engine: EngineClient
    let credentials: AWSCredentialChain
    let locks = TenantLocks()
    /// The cluster's partition and account, read from its ARN once a spec needs them.
    private let account = Mutex<AWSAccount?>(nil)
    let logger: Logger
    private let http: HTTPClient

    /// Creates a provider; nothing reaches AWS until ``checkEngine()`` or an operation runs.
    ///
    /// - Parameters:
    ///   - configuration: Region, cluster, endpoint and defaults.
    ///   - environment: landlord's environment, for the credential chain.
    ///   - logger: Where operations are logged.
    /// - Throws: ``EngineConfigurationError`` when the endpoint is not a URL.
    package init(
        configuration: Configuration,
        environment: [String: String],
        logger: Logger = Logger(label: "landlord.ecs-provider", factory: { _ in SwiftLogNoOpLogHandler() })
    ) throws(EngineConfigurationError) {
        self.configuration = configuration
        var logger = logger
        logger[metadataKey: "provider"] = "ecs"
        self.logger = logger
        let endpoint = try EngineEndpoint(parsing: configuration.effectiveEndpoint)
        var httpConfiguration = HTTPClient.Configuration(redirectConfiguration: .disallow)
        httpConfiguration.timeout = .init(connect: .seconds(5))
        // The retry policy decides about failed connections.
        httpConfiguration.connectionPool.retryConnectionEstablishment = false
        let http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: httpConfiguration)
        self.http = http
        let chain = AWSCredentialChain(environment: environment, region: configuration.region, http: http)
        self.credentials = chain
        let signer = AWSRequestSigner(
            signer: SigV4Signer(region: configuration.region, service: "ecs"), endpoint: endpoint,
            credentials: { try await chain.credentials() })
        let retry = AWSJSONClient.retryPolicy()
        self.engine = EngineClient(
            endpoint: endpoint,
            configuration: EngineClient.Configuration(
                requestTimeout: configuration.requestTimeout, retryPolicy: retry,
                credentials: .signed(by: { request in try await signer.sign(&request) })),
            httpClient: http, logger: logger)
        self.api = ECSAPI(client: AWSJSONClient(engine: self.engine, targetPrefix: ECSAPI.targetPrefix), cluster: configuration.cluster)
    }

    deinit {
        // An orderly owner calls shutdown(); otherwise release the connections now (a second
        // shutdown only reports an error to the callback).
        self.http.shutdown { _ in }
    }

    // MARK: - ManagedComputeProvider

    /// The start-up check: `DescribeClusters` of the configured cluster with the chain's credentials.
    ///
    /// - Throws: ``ProviderStartupFailure``: one line naming the endpoint, the cluster and what to set.
    package func checkEngine() async throws -> String {
        let endpoint = self.configuration.effectiveEndpoint
        let cluster = self.configuration.cluster
        do {
            // Credentials first: a chain without any is its own sentence, not an unreachable endpoint.
            let credentials = try await self.credentials.credentials()
            guard let found = try await self.api.describeCluster() else {
                throw ProviderStartupFailure(
                    message:
                        "ecs provider: the cluster \"\(cluster)\" does not exist in \(self.configuration.region) at \(endpoint) (create it, or set --ecs-cluster or LANDLORD_ECS_CLUSTER)")
            }
            if let account = found.clusterArn.flatMap(AWSAccount.init(arn:)) { self.account.withLock { $0 = account } }
            return "cluster \(found.clusterArn ?? cluster) at \(endpoint) (credentials: \(credentials.source))"
        } catch let error as ProviderStartupFailure {
            throw error
        } catch let error as AWSCredentialChain.Failure {
            throw ProviderStartupFailure(message: "ecs provider: \(error.message)")
        } catch let error as AWSServiceError {
            let hint =
                error.isPermissionDenied
                ? "grant ecs:DescribeClusters and the rest of deploy/aws/landlord-ecs-policy.json"
                : error.isCredentialFailure
                    ? "the credentials were rejected; check AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE or the role"
                    : "check --ecs-region and --ecs-endpoint"
            throw ProviderStartupFailure(
                message: "ecs provider: DescribeClusters at \(endpoint) failed (\(hint)): \(error.type)" + (error.message.isEmpty ? "" : ": \(error.message)"))
        } catch let error as EngineClientError where error.kind == .credentials {
            throw ProviderStartupFailure(message: "ecs provider: \(error.message)")
        } catch let error as EngineClientError {
            throw ProviderStartupFailure(
                provider: self.name, address: endpoint, hint: "set --ecs-endpoint, AWS_ENDPOINT_URL_ECS or --ecs-region",
                reason: error.message)
        }
    }

    /// Closes the connections.
    package func shutdown() async throws {
        try await self.http.shutdown()
    }

    // MARK: - ComputeProvider

    package func validate(_ spec: TenantComputeSpec) async throws {
        _ = try await self.plan(spec)
    }

    package func provision(_ spec: TenantComputeSpec) async throws -> ProvisionResult {
        let plan = try await self.plan(spec)
        return try await shielded {
            try await self.locks.withLock(spec.tenantID) { try await self.provisionLocked(plan) }
        }
    }

    package func update(tenantID: String, spec: TenantComputeSpec) async throws -> UpdateResult {
        try SpecValidator.checkTenantIDMatches(tenantID, spec: spec)
        let plan = try await self.plan(spec)
        return try await shielded {
            try await self.locks.withLock(tenantID) { try await self.updateLocked(plan) }
        }
    }

    package func destroy(tenantID: String) async throws {
        try await shielded {
            try await self.locks.withLock(tenantID) { try await self.destroyLocked(tenantID: tenantID) }
        }
    }

    package func status(tenantID: String) async throws -> ComputeStatus {
        try await self.statusOfTenant(tenantID)
    }

    // MARK: - Helpers

    /// The plan of `spec`, or its violations as ``ComputeError/Kind/invalidSpec``. A spec naming a
    /// Secrets Manager secret by name first learns the cluster's account (``accountOfCluster()``).
    func plan(_ spec: TenantComputeSpec) async throws -> ECSTenantPlan {
        var configuration = self.configuration
        let needsAccount = spec.secrets.contains {
            $0.source == ECSTenantPlan.SecretSource.secretsManager.rawValue && !$0.key.hasPrefix("arn:")
        }
        if needsAccount, let account = try? await self.accountOfCluster() {
            configuration.accountID = account.id
            configuration.partition = account.partition
        }
        var violations: [FieldViolation] = []
        if let violation = SpecValidator.providerTypeViolation(of: spec, provider: self.name) { violations.append(violation) }
        switch ECSTenantPlan.make(spec, configuration: configuration) {
        case .success(let plan):
            guard violations.isEmpty else { throw ComputeError.invalidSpec(violations) }
            return plan
        case .failure(let error):
            throw ComputeError.invalidSpec(violations + error.violations)
        }
    }

    /// The partition and account of the cluster, from its ARN (`DescribeClusters` once).
    func accountOfCluster() async throws -> AWSAccount? {
        if let known = self.account.withLock({ $0 }) { return known }
        var arn = self.configuration.cluster
        if !arn.hasPrefix("arn:") { arn = try await self.api.describeCluster()?.clusterArn ?? "" }
        guard let account = AWSAccount(arn: arn) else { return nil }
        self.account.withLock { $0 = account }
        return account
    }

    /// `error` as the operation's ``ComputeError`` (``ComputeError``s and cancellation unchanged).
    static func mapError(_ error: any Error, kind: ComputeError.Kind, tenantID: String, doing: String) -> any Error {
        if error is CancellationError { return CancellationError() }
        if let error = error as? ComputeError { return error }
        let reason: String
        switch error {
        case let error as AWSServiceError: reason = error.description
        case let error as EngineClientError: reason = error.description
        case let error as AWSCredentialChain.Failure: reason = "credentials: \(error.message)"
        default: reason = "\(error)"
        }
        return ComputeError(kind: kind, message: "ecs provider: could not \(doing) tenant \(SpecValidator.quoted(tenantID)): \(reason)")
    }
}
