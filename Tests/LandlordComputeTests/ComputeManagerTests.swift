import InMemoryLogging
import LandlordCompute
import LandlordComputeTesting
import Logging
import MetricsTestKit
import Testing

/// A manager over spy providers, with captured logs and metrics.
struct ManagerHarness {
    let logs: InMemoryLogHandler
    let metrics = TestMetrics()
    let registry: ProviderRegistry
    let manager: ComputeManager

    init(_ providers: [SpyProvider], defaultProvider: String = "alpha") throws {
        var handler = InMemoryLogHandler()
        handler.logLevel = .trace
        self.logs = handler
        let logger = Logger(label: "test", factory: { _ in handler })
        self.registry = ProviderRegistry(logger: logger)
        for provider in providers {
            try self.registry.register(provider)
        }
        self.manager = ComputeManager(
            registry: self.registry,
            defaultProvider: defaultProvider,
            logger: logger,
            metricsFactory: self.metrics
        )
    }
}

/// An error that is not a ComputeError, to prove foreign errors pass through unchanged.
struct PlatformError: Error, Equatable {
    var code: Int
}

@Suite("Compute manager")
struct ComputeManagerTests {
    let alpha = SpyProvider(name: "alpha")
    let beta = SpyProvider(name: "beta")

    func harness(defaultProvider: String = "alpha") throws -> ManagerHarness {
        try ManagerHarness([self.alpha, self.beta], defaultProvider: defaultProvider)
    }

    // MARK: Routing

    @Test("each operation goes to the provider the spec or argument names")
    func routing() async throws {
        let manager = try self.harness().manager
        let spec = TenantComputeSpec.valid(providerType: "beta")

        let provisioned = try await manager.provisionTenant(spec)
        #expect(provisioned.providerType == "beta")
        let updated = try await manager.updateTenant(tenantID: "acme", spec: spec)
        #expect(updated.providerType == "beta")
        let status = try await manager.tenantStatus(tenantID: "acme", providerType: "beta")
        #expect(status.providerType == "beta")
        try await manager.destroyTenant(tenantID: "acme", providerType: "beta")

        #expect(self.alpha.calls.isEmpty)
        #expect(
            self.beta.calls == [
                .validate(spec), .provision(spec),
                .validate(spec), .update(tenantID: "acme", spec: spec),
                .status(tenantID: "acme"),
                .destroy(tenantID: "acme"),
            ]
        )
    }

    @Test("destroy and status without a provider use the default provider")
    func defaultProvider() async throws {
        let manager = try self.harness(defaultProvider: "beta").manager
        #expect(manager.defaultProvider == "beta")
        _ = try await manager.tenantStatus(tenantID: "acme")
        try await manager.destroyTenant(tenantID: "acme", providerType: "")
        #expect(self.beta.operations == [.status, .destroy])
        #expect(self.alpha.calls.isEmpty)
    }

    @Test("the provider list is sorted")
    func providers() throws {
        let harness = try ManagerHarness([
            SpyProvider(name: "zeta"), SpyProvider(name: "alpha"), SpyProvider(name: "mock"),
        ])
        #expect(harness.manager.providers == ["alpha", "mock", "zeta"])
    }

    // MARK: Unknown providers

    @Test("an unregistered provider_type is providerNotFound naming the known providers")
    func providerNotFound() async throws {
        let manager = try self.harness().manager
        let expected = ComputeError(
            kind: .providerNotFound, message: "unknown provider \"ecs\"; registered providers: alpha, beta")
        let spec = TenantComputeSpec.valid(providerType: "ecs")

        await #expect(throws: expected) { try await manager.provisionTenant(spec) }
        await #expect(throws: expected) { try await manager.updateTenant(tenantID: "acme", spec: spec) }
        await #expect(throws: expected) { try await manager.destroyTenant(tenantID: "acme", providerType: "ecs") }
        await #expect(throws: expected) { try await manager.tenantStatus(tenantID: "acme", providerType: "ecs") }
        #expect(self.alpha.calls.isEmpty && self.beta.calls.isEmpty)
    }

    @Test("an unregistered default provider is providerNotFound too")
    func unknownDefaultProvider() async throws {
        let manager = try self.harness(defaultProvider: "docker").manager
        await #expect(
            throws: ComputeError(
                kind: .providerNotFound, message: "unknown provider \"docker\"; registered providers: alpha, beta")
        ) {
            try await manager.tenantStatus(tenantID: "acme")
        }
    }

    @Test("an unregistered provider_type in an otherwise invalid spec is one more violation")
    func unknownProviderAmongViolations() async throws {
        let manager = try self.harness().manager
        var spec = TenantComputeSpec.valid(providerType: "ecs")
        spec.tenantID = "Bad"
        spec.resources.cpu = 1
        let error = try await #require(throws: ComputeError.self) { try await manager.provisionTenant(spec) }
        #expect(error.kind == .invalidSpec)
        #expect(error.violations.map(\.field) == ["tenant_id", "provider_type", "resources.cpu"])
        #expect(error.violations[1].description == "unknown provider \"ecs\"; registered providers: alpha, beta")
    }

    // MARK: Validation before delegation

    @Test("an invalid spec never reaches the provider")
    func validationBeforeDelegation() async throws {
        let manager = try self.harness().manager
        var spec = TenantComputeSpec.valid(providerType: "alpha")
        spec.containers[0].image = "nginx:"
        spec.resources.memory = 64

        let provisionError = try await #require(throws: ComputeError.self) { try await manager.provisionTenant(spec) }
        #expect(provisionError.kind == .invalidSpec)
        #expect(provisionError.violations.map(\.field) == ["containers[0].image", "resources.memory"])
        #expect(provisionError.message.hasPrefix("invalid compute spec: containers[0].image: "))
        #expect(provisionError.message.contains("; resources.memory: memory must be at least 128 MB"))

        let updateError = try await #require(throws: ComputeError.self) {
            try await manager.updateTenant(tenantID: "acme", spec: spec)
        }
        #expect(updateError == provisionError)

        #expect(self.alpha.calls.isEmpty, "the provider was called: \(self.alpha.operations)")
    }

    @Test("the provider's own validate runs before provision and update, with the same spec")
    func providerValidateFirst() async throws {
        let manager = try self.harness().manager
        let spec = TenantComputeSpec.valid(providerType: "alpha")
        _ = try await manager.provisionTenant(spec)
        _ = try await manager.updateTenant(tenantID: "acme", spec: spec)
        #expect(
            self.alpha.calls == [
                .validate(spec), .provision(spec), .validate(spec), .update(tenantID: "acme", spec: spec),
            ])
    }

    @Test("a provider's validation failure stops the operation and comes back unchanged")
    func providerValidationFailure() async throws {
        let manager = try self.harness().manager
        let rejection = ComputeError.invalidSpec([
            FieldViolation(field: "provider_config", description: "region is required")
        ])
        self.alpha.fail(.validate, with: rejection)
        let spec = TenantComputeSpec.valid(providerType: "alpha")

        await #expect(throws: rejection) { try await manager.provisionTenant(spec) }
        await #expect(throws: rejection) { try await manager.updateTenant(tenantID: "acme", spec: spec) }
        #expect(self.alpha.operations == [.validate, .validate])
    }

    // MARK: Update tenant id

    @Test("update rejects a tenant id that differs from the spec's, before anything else")
    func tenantIDMismatch() async throws {
        let manager = try self.harness().manager
        let error = try await #require(throws: ComputeError.self) {
            try await manager.updateTenant(tenantID: "other", spec: .valid(tenantID: "acme", providerType: "alpha"))
        }
        #expect(error.kind == .invalidSpec)
        #expect(error.violations.map(\.field) == ["tenant_id"])
        #expect(error.violations[0].description.contains("\"other\""))
        #expect(self.alpha.calls.isEmpty)
    }

    @Test("a tenant id mismatch is reported with the spec's other violations and even for unknown providers")
    func tenantIDMismatchWithOtherViolations() async throws {
        let manager = try self.harness().manager
        var spec = TenantComputeSpec.valid(tenantID: "acme", providerType: "ecs")
        spec.containers = []
        let error = try await #require(throws: ComputeError.self) {
            try await manager.updateTenant(tenantID: "other", spec: spec)
        }
        #expect(error.kind == .invalidSpec)
        #expect(error.violations.map(\.field) == ["tenant_id", "provider_type", "containers"])
    }

    // MARK: Tenant ids of destroy and status

    @Test(
        "destroy and status validate the tenant id", arguments: ["", "Acme", "a_b", String(repeating: "x", count: 64)])
    func invalidTenantID(_ tenantID: String) async throws {
        let manager = try self.harness().manager
        for operation in [
            { try await manager.destroyTenant(tenantID: tenantID, providerType: "alpha") },
            { _ = try await manager.tenantStatus(tenantID: tenantID, providerType: "alpha") },
        ] as [@Sendable () async throws -> Void] {
            let error = try await #require(throws: ComputeError.self) { try await operation() }
            #expect(error.kind == .invalidSpec)
            #expect(Set(error.violations.map(\.field)) == ["tenant_id"])
        }
        #expect(self.alpha.calls.isEmpty)
    }

    @Test("an invalid tenant id and an unknown provider are reported together")
    func invalidTenantIDAndUnknownProvider() async throws {
        let manager = try self.harness().manager
        let error = try await #require(throws: ComputeError.self) {
            try await manager.tenantStatus(tenantID: "Bad", providerType: "ecs")
        }
        #expect(error.kind == .invalidSpec)
        #expect(error.violations.map(\.field) == ["tenant_id", "provider_type"])
    }

    // MARK: Errors unchanged

    static let providerErrors: [(SpyProvider.Operation, ComputeError)] = [
        (.provision, ComputeError(kind: .alreadyExists, message: "tenant \"acme\" exists with a different spec")),
        (.provision, ComputeError(kind: .provisionFailed, message: "no capacity in eu-west-1")),
        (.update, ComputeError(kind: .tenantNotFound, message: "tenant \"acme\" does not exist")),
        (.update, ComputeError(kind: .updateFailed, message: "rollout stuck")),
        (.status, ComputeError(kind: .tenantNotFound, message: "tenant \"acme\" does not exist")),
        (.status, ComputeError(kind: .providerFailed, message: "API timeout")),
        (.destroy, ComputeError(kind: .providerFailed, message: "volume busy")),
    ]

    @Test("provider errors come back unchanged", arguments: Self.providerErrors)
    func errorPropagation(_ operation: SpyProvider.Operation, _ error: ComputeError) async throws {
        let manager = try self.harness().manager
        self.alpha.fail(operation, with: error)
        let spec = TenantComputeSpec.valid(providerType: "alpha")
        await #expect(throws: error) {
            switch operation {
            case .provision: _ = try await manager.provisionTenant(spec)
            case .update: _ = try await manager.updateTenant(tenantID: "acme", spec: spec)
            case .status: _ = try await manager.tenantStatus(tenantID: "acme", providerType: "alpha")
            case .destroy: try await manager.destroyTenant(tenantID: "acme", providerType: "alpha")
            case .validate: Issue.record("not a case of this table")
            }
        }
    }

    @Test("errors that are not ComputeErrors come back unchanged too")
    func foreignErrors() async throws {
        let manager = try self.harness().manager
        self.alpha.fail(.provision, with: PlatformError(code: 42))
        self.alpha.fail(.destroy, with: CancellationError())
        await #expect(throws: PlatformError(code: 42)) {
            try await manager.provisionTenant(.valid(providerType: "alpha"))
        }
        await #expect(throws: CancellationError.self) {
            try await manager.destroyTenant(tenantID: "acme", providerType: "alpha")
        }
    }

    @Test("destroying an unknown tenant succeeds even when the provider says tenantNotFound")
    func destroyUnknownTenant() async throws {
        let manager = try self.harness().manager
        self.alpha.fail(.destroy, with: ComputeError(kind: .tenantNotFound, message: "no such tenant"))
        try await manager.destroyTenant(tenantID: "ghost", providerType: "alpha")
        #expect(self.alpha.calls == [.destroy(tenantID: "ghost")])
    }

    // MARK: validateTenantSpec

    @Test("a valid spec has no violations, after the provider checked it")
    func validateValid() async throws {
        let manager = try self.harness().manager
        let spec = TenantComputeSpec.valid(providerType: "alpha")
        #expect(try await manager.validateTenantSpec(spec) == [])
        #expect(self.alpha.calls == [.validate(spec)])
    }

    @Test("framework violations are returned, not thrown, and the provider is not asked")
    func validateFrameworkViolations() async throws {
        let manager = try self.harness().manager
        var spec = TenantComputeSpec.valid(providerType: "alpha")
        spec.containers[0].ports[0].protocol = "sctp"
        spec.tenantID = ""
        let violations = try await manager.validateTenantSpec(spec)
        #expect(violations.map(\.field) == ["tenant_id", "containers[0].ports[0].protocol"])
        #expect(self.alpha.calls.isEmpty)
    }

    @Test("an unknown provider_type is a violation naming the known providers")
    func validateUnknownProvider() async throws {
        let manager = try self.harness().manager
        #expect(
            try await manager.validateTenantSpec(.valid(providerType: "nomad")) == [
                FieldViolation(
                    field: "provider_type", description: "unknown provider \"nomad\"; registered providers: alpha, beta"
                )
            ]
        )
        var spec = TenantComputeSpec.valid(providerType: "nomad")
        spec.containers = []
        #expect(try await manager.validateTenantSpec(spec).map(\.field) == ["provider_type", "containers"])
        var empty = TenantComputeSpec.valid(providerType: "")
        empty.tenantID = "ok"
        #expect(try await manager.validateTenantSpec(empty).map(\.field) == ["provider_type"])
    }

    @Test("the provider's violations are returned")
    func validateProviderViolations() async throws {
        let manager = try self.harness().manager
        let violations = [
            FieldViolation(field: "provider_config", description: "region is required"),
            FieldViolation(field: "labels[tier]", description: "tier must be gold or silver"),
        ]
        self.alpha.fail(.validate, with: ComputeError.invalidSpec(violations))
        #expect(try await manager.validateTenantSpec(.valid(providerType: "alpha")) == violations)
    }

    @Test("a provider rejection without violations becomes one violation of the whole spec")
    func validateRejectionWithoutViolations() async throws {
        let manager = try self.harness().manager
        self.alpha.fail(.validate, with: ComputeError(kind: .invalidSpec, message: "quota exceeded for this tenant"))
        #expect(
            try await manager.validateTenantSpec(.valid(providerType: "alpha"))
                == [FieldViolation(field: "", description: "quota exceeded for this tenant")]
        )
    }

    @Test("a validate that fails for another reason is rethrown")
    func validateOtherFailure() async throws {
        let manager = try self.harness().manager
        self.alpha.fail(.validate, with: PlatformError(code: 7))
        await #expect(throws: PlatformError(code: 7)) {
            try await manager.validateTenantSpec(.valid(providerType: "alpha"))
        }
        self.alpha.fail(.validate, with: ComputeError(kind: .providerFailed, message: "registry unreachable"))
        await #expect(throws: ComputeError(kind: .providerFailed, message: "registry unreachable")) {
            try await manager.validateTenantSpec(.valid(providerType: "alpha"))
        }
    }

    // MARK: Cancellation

    @Test("cancelling the caller cancels the provider call")
    func cancellation() async throws {
        let manager = try self.harness().manager
        let (started, startedContinuation) = AsyncStream<Void>.makeStream()
        self.alpha.onProvision { _ in
            startedContinuation.yield()
            try await Task.sleep(for: .seconds(60))
            throw PlatformError(code: 0)
        }
        let clock = ContinuousClock()
        let begin = clock.now
        let task = Task { try await manager.provisionTenant(.valid(providerType: "alpha")) }
        var iterator = started.makeAsyncIterator()
        await iterator.next()
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(begin.duration(to: clock.now) < .seconds(10))
    }
}
