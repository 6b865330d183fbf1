import LandlordCompute
import LandlordComputeTesting
import Testing

/// The shared conformance checks must catch broken providers, or they would prove nothing.
@Suite("Provider conformance checks")
struct ConformanceCheckerTests {
    private func check(named name: String) throws -> ComputeProviderConformance.Check {
        try #require(ComputeProviderConformance.checks.first { $0.name == name })
    }

    @Test("a provider that answers status for unknown tenants fails the status check")
    func statusOfUnknownTenant() async throws {
        let check = try self.check(named: "status of an unknown tenant is tenantNotFound")
        let failure = try await #require(throws: ComputeProviderConformance.Failure.self) {
            try await check.run(SpyProvider(name: "spy"), .init(providerType: "spy"))
        }
        #expect(failure.check == check.name)
        #expect(failure.message == "expected a tenantNotFound error, got success")
    }

    @Test("a provider whose destroy fails for unknown tenants fails the destroy check")
    func destroyOfUnknownTenant() async throws {
        let spy = SpyProvider(name: "spy")
        spy.fail(.destroy, with: ComputeError(kind: .tenantNotFound, message: "no such tenant"))
        let check = try self.check(named: "destroy of an unknown tenant succeeds")
        await #expect(throws: ComputeError(kind: .tenantNotFound, message: "no such tenant")) {
            try await check.run(spy, .init(providerType: "spy"))
        }
    }

    @Test("a provider whose update always reports changes fails the no_changes check")
    func updateAlwaysChanges() async throws {
        let check = try self.check(named: "update with the same spec answers no_changes")
        await #expect(throws: ComputeProviderConformance.Failure.self) {
            try await check.run(SpyProvider(name: "spy"), .init(providerType: "spy"))
        }
    }

    @Test("a provider with an invalid name fails the name check")
    func invalidName() async throws {
        let check = try self.check(named: "name is lowercase alphanumeric")
        await #expect(throws: ComputeProviderConformance.Failure.self) {
            try await check.run(SpyProvider(name: "My-Provider"), .init(providerType: "My-Provider"))
        }
        try await check.run(SpyProvider(name: "ok1"), .init(providerType: "ok1"))
    }
}
