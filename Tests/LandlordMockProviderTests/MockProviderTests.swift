import Foundation
import LandlordCompute
import LandlordComputeTesting
import LandlordMockProvider
import Testing

@Suite("Mock provider: contract")
struct MockProviderConformanceTests {
    @Test("passes every provider conformance check", arguments: ComputeProviderConformance.checks)
    func conformance(_ check: ComputeProviderConformance.Check) async throws {
        try await check.run(MockProvider(), ComputeProviderConformance.Fixture(providerType: "mock"))
    }

    @Test("is a ComputeProvider named mock")
    func identity() {
        let provider: any ComputeProvider = MockProvider()
        #expect(provider.name == "mock")
        #expect(MockProvider(name: "mock2").name == "mock2")
    }
}

@Suite("Mock provider: lifecycle")
struct MockProviderLifecycleTests {
    let provider = MockProvider()

    @Test("provision, status, update, destroy, then status is tenantNotFound")
    func lifecycle() async throws {
        var spec = TenantComputeSpec.valid()
        spec.containers.append(ContainerSpec(name: "worker", image: "busybox"))

        let provisioned = try await self.provider.provision(spec)
        #expect(provisioned.tenantID == "acme")
        #expect(provisioned.providerType == "mock")
        #expect(provisioned.status == .success)
        #expect(
            provisioned.resourceIDs == [
                "network": "mock-acme-network",
                "container/web": "mock-acme-web",
                "container/worker": "mock-acme-worker",
            ]
        )
        #expect(
            provisioned.endpoints == [
                Endpoint(type: "http", address: "acme.mock.internal", port: 80, url: "http://acme.mock.internal:80")
            ])
        #expect(self.provider.tenantIDs == ["acme"])

        let status = try await self.provider.status(tenantID: "acme")
        #expect(status.tenantID == "acme")
        #expect(status.providerType == "mock")
        #expect(status.state == .running)
        #expect(status.health == .healthy)
        #expect(
            status.containers == [
                ContainerStatus(name: "web", state: "running", ready: true),
                ContainerStatus(name: "worker", state: "running", ready: true),
            ]
        )

        var changed = spec
        changed.containers[0].image = "nginx:1.27"
        let updated = try await self.provider.update(tenantID: "acme", spec: changed)
        #expect(updated.status == .success)
        #expect(updated.changes == ["containers[web].image: nginx:1.25 -> nginx:1.27"])
        #expect(self.provider.storedSpec(tenantID: "acme") == changed)

        try await self.provider.destroy(tenantID: "acme")
        #expect(self.provider.tenantIDs == [])
        await #expect(throws: ComputeError(kind: .tenantNotFound, message: "tenant \"acme\" does not exist")) {
            try await self.provider.status(tenantID: "acme")
        }
    }

    @Test("provision is idempotent: same spec, same result, same timestamp and ids")
    func idempotentProvision() async throws {
        let spec = TenantComputeSpec.valid()
        let first = try await self.provider.provision(spec)
        try await Task.sleep(for: .milliseconds(5))
        let second = try await self.provider.provision(spec)
        #expect(first == second)
        #expect(first.provisionedAt == second.provisionedAt)
        #expect(self.provider.tenantIDs == ["acme"])
    }

    @Test("provisioning a different spec for an existing tenant is alreadyExists and keeps the stored spec")
    func alreadyExists() async throws {
        let spec = TenantComputeSpec.valid()
        _ = try await self.provider.provision(spec)
        var other = spec
        other.resources.memory = 1024
        let error = try await #require(throws: ComputeError.self) { try await self.provider.provision(other) }
        #expect(error.kind == .alreadyExists)
        #expect(self.provider.storedSpec(tenantID: "acme") == spec)
    }

    @Test("update with the identical spec is no_changes with an empty change list")
    func noChanges() async throws {
        let spec = TenantComputeSpec.valid()
        _ = try await self.provider.provision(spec)
        let result = try await self.provider.update(tenantID: "acme", spec: spec)
        #expect(result.status == .noChanges)
        #expect(result.changes == [])
        #expect(result.tenantID == "acme")
        #expect(result.providerType == "mock")
    }

    @Test("after an update, provisioning the new spec is idempotent and keeps the first timestamp")
    func provisionAfterUpdate() async throws {
        let spec = TenantComputeSpec.valid()
        let first = try await self.provider.provision(spec)
        var changed = spec
        changed.containers[0].ports.append(PortMapping(containerPort: 443, protocol: "tcp", name: "https"))
        _ = try await self.provider.update(tenantID: "acme", spec: changed)
        let again = try await self.provider.provision(changed)
        #expect(again.provisionedAt == first.provisionedAt)
        #expect(again.endpoints.map(\.port) == [80, 443])
        await #expect(throws: ComputeError.self) { try await self.provider.provision(spec) }
    }

    @Test("update of an unknown tenant is tenantNotFound and creates nothing")
    func updateUnknown() async throws {
        let error = try await #require(throws: ComputeError.self) {
            try await self.provider.update(tenantID: "acme", spec: .valid())
        }
        #expect(error.kind == .tenantNotFound)
        #expect(self.provider.tenantIDs == [])
    }

    @Test("update with a tenant id that differs from the spec's is invalidSpec")
    func updateMismatch() async throws {
        _ = try await self.provider.provision(.valid())
        let error = try await #require(throws: ComputeError.self) {
            try await self.provider.update(tenantID: "acme", spec: .valid(tenantID: "other"))
        }
        #expect(error.kind == .invalidSpec)
        #expect(error.violations.map(\.field) == ["tenant_id"])
    }

    @Test("destroy is idempotent and only removes its tenant")
    func destroyIdempotent() async throws {
        _ = try await self.provider.provision(.valid(tenantID: "a"))
        _ = try await self.provider.provision(.valid(tenantID: "b"))
        try await self.provider.destroy(tenantID: "a")
        try await self.provider.destroy(tenantID: "a")
        try await self.provider.destroy(tenantID: "never-existed")
        #expect(self.provider.tenantIDs == ["b"])
    }

    @Test("endpoints follow ports, host ports, port names and DNS settings")
    func endpoints() async throws {
        var spec = TenantComputeSpec.valid()
        spec.networking.dns = DNSConfig(hostname: "shop", domain: "example.com")
        spec.containers[0].ports = [
            PortMapping(containerPort: 80, hostPort: 8080, protocol: "tcp", name: "http"),
            PortMapping(containerPort: 9000, protocol: "tcp", name: "grpc"),
            PortMapping(containerPort: 53, protocol: "udp"),
        ]
        let result = try await self.provider.provision(spec)
        #expect(
            result.endpoints == [
                Endpoint(type: "http", address: "shop.example.com", port: 8080, url: "http://shop.example.com:8080"),
                Endpoint(type: "grpc", address: "shop.example.com", port: 9000),
                Endpoint(type: "udp", address: "shop.example.com", port: 53),
            ]
        )
    }

    @Test("validate rejects a provider_config that is not a JSON object and a foreign provider_type")
    func validateProviderRules() async throws {
        var spec = TenantComputeSpec.valid()
        spec.providerConfig = RawJSON("[1,2,3]")
        spec.providerType = "ecs"
        let error = try await #require(throws: ComputeError.self) { try await self.provider.validate(spec) }
        #expect(error.kind == .invalidSpec)
        #expect(error.violations.map(\.field) == ["provider_type", "provider_config"])

        spec.providerType = "mock"
        spec.providerConfig = RawJSON(#"{"anything":"goes"}"#)
        try await self.provider.validate(spec)
        await #expect(throws: ComputeError.self) {
            try await self.provider.provision(TenantComputeSpec.valid(providerType: "ecs"))
        }
        #expect(self.provider.tenantIDs == [])
    }
}
