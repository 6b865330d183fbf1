import LandlordCompute
import LandlordComputeTesting
import LandlordMockProvider
import Logging
import Testing

/// The mock provider behind the real manager, as the service layer will use them.
@Suite("Mock provider behind the compute manager")
struct MockProviderManagerTests {
    let provider = MockProvider()
    let manager: ComputeManager

    init() throws {
        let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        let registry = ProviderRegistry(logger: logger)
        try registry.register(self.provider)
        self.manager = ComputeManager(registry: registry, defaultProvider: "mock", logger: logger)
    }

    @Test("the full lifecycle through the manager")
    func lifecycle() async throws {
        let spec = TenantComputeSpec.valid()
        #expect(try await self.manager.validateTenantSpec(spec) == [])
        let provisioned = try await self.manager.provisionTenant(spec)
        #expect(provisioned.status == .success && !provisioned.resourceIDs.isEmpty)
        #expect(try await self.manager.updateTenant(tenantID: "acme", spec: spec).status == .noChanges)
        #expect(try await self.manager.tenantStatus(tenantID: "acme").state == .running)
        try await self.manager.destroyTenant(tenantID: "acme")
        try await self.manager.destroyTenant(tenantID: "acme")
        await #expect(throws: ComputeError.self) {
            try await self.manager.tenantStatus(tenantID: "acme", providerType: "mock")
        }
    }

    @Test("a bad mock label is reported by validateTenantSpec and rejects a provision")
    func labelValidation() async throws {
        let spec = TenantComputeSpec.valid(labels: [
            MockProvider.Labels.state: "exploded", MockProvider.Labels.fail: "never",
        ])
        #expect(
            try await self.manager.validateTenantSpec(spec).map(\.field) == [
                "labels[mock.landlord.dev/state]", "labels[mock.landlord.dev/fail]",
            ]
        )
        let error = try await #require(throws: ComputeError.self) { try await self.manager.provisionTenant(spec) }
        #expect(error.kind == .invalidSpec)
        #expect(error.violations.count == 2)
        #expect(self.provider.tenantIDs == [])
    }

    @Test("framework violations are reported before the mock's own")
    func frameworkFirst() async throws {
        var spec = TenantComputeSpec.valid(labels: [MockProvider.Labels.state: "exploded"])
        spec.resources.cpu = 0
        #expect(try await self.manager.validateTenantSpec(spec).map(\.field) == ["resources.cpu"])
    }

    @Test("an injected failure comes back through the manager unchanged")
    func injectedFailure() async throws {
        let spec = TenantComputeSpec.valid(labels: [MockProvider.Labels.fail: "provision"])
        let direct = try await #require(throws: ComputeError.self) { try await self.provider.provision(spec) }
        await #expect(throws: direct) { try await self.manager.provisionTenant(spec) }
    }
}
