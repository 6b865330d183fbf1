import LandlordCompute
import LandlordComputeTesting
import LandlordMockProvider
import Testing

@Suite("Mock provider: test-control labels")
struct MockProviderLabelTests {
    let provider = MockProvider()

    // MARK: State label

    @Test(
        "the state label picks the reported state, container states, readiness and health",
        arguments: [
            (ComputeState.running, "running", true, HealthStatus.healthy),
            (.starting, "starting", false, .unknown),
            (.stopping, "stopping", false, .unknown),
            (.stopped, "stopped", false, .unknown),
            (.failed, "failed", false, .unhealthy),
            (.unknown, "unknown", false, .unknown),
        ]
    )
    func stateLabel(_ state: ComputeState, containerState: ContainerState, ready: Bool, health: HealthStatus) async throws {
        var spec = TenantComputeSpec.valid(labels: [MockProvider.Labels.state: state.rawValue])
        spec.containers.append(ContainerSpec(name: "db", image: "postgres:16"))
        _ = try await self.provider.provision(spec)

        let status = try await self.provider.status(tenantID: "acme")
        #expect(status.state == state)
        #expect(status.health == health)
        #expect(status.containers.map(\.name) == ["web", "db"])
        #expect(status.containers.allSatisfy { $0.state == containerState && $0.ready == ready })
        #expect(status.metadata["state_source"] == "label")
    }

    @Test("without the label the tenant is running and healthy, and stays so")
    func defaultState() async throws {
        _ = try await self.provider.provision(.valid())
        for _ in 0..<3 {
            let status = try await self.provider.status(tenantID: "acme")
            #expect(status.state == .running)
            #expect(status.health == .healthy)
            #expect(status.containers == [ContainerStatus(name: "web", state: "running", ready: true)])
            #expect(status.metadata["state_source"] == "default")
        }
    }

    @Test("an update that changes the state label changes the reported state")
    func updateChangesState() async throws {
        let spec = TenantComputeSpec.valid(labels: [MockProvider.Labels.state: "starting"])
        _ = try await self.provider.provision(spec)
        #expect(try await self.provider.status(tenantID: "acme").state == .starting)

        let running = TenantComputeSpec.valid(labels: [MockProvider.Labels.state: "running"])
        let result = try await self.provider.update(tenantID: "acme", spec: running)
        #expect(result.changes == ["labels[mock.landlord.dev/state]: starting -> running"])
        #expect(try await self.provider.status(tenantID: "acme").state == .running)

        _ = try await self.provider.update(tenantID: "acme", spec: .valid())
        #expect(try await self.provider.status(tenantID: "acme").state == .running)
        #expect(try await self.provider.status(tenantID: "acme").metadata["state_source"] == "default")
    }

    @Test("another state label value is a validation error at the label's path", arguments: ["crashed", "Running", ""])
    func invalidStateLabel(_ value: String) async throws {
        let spec = TenantComputeSpec.valid(labels: [MockProvider.Labels.state: value])
        let error = try await #require(throws: ComputeError.self) { try await self.provider.validate(spec) }
        #expect(error.kind == .invalidSpec)
        #expect(error.violations.map(\.field) == ["labels[mock.landlord.dev/state]"])
        await #expect(throws: error) { try await self.provider.provision(spec) }
        #expect(self.provider.tenantIDs == [])
    }

    // MARK: Fail label

    @Test("fail=provision makes provision fail with provisionFailed and stores nothing")
    func failProvision() async throws {
        let spec = TenantComputeSpec.valid(labels: [MockProvider.Labels.fail: "provision"])
        let error = try await #require(throws: ComputeError.self) { try await self.provider.provision(spec) }
        #expect(error.kind == .provisionFailed)
        #expect(error.message.contains("mock.landlord.dev/fail=provision"))
        #expect(self.provider.tenantIDs == [])
        // Only provision fails: the label does not affect the other operations' validation.
        try await self.provider.validate(spec)
    }

    @Test("fail=update (in the new spec) makes update fail with updateFailed and keeps the stored spec")
    func failUpdate() async throws {
        let original = TenantComputeSpec.valid()
        _ = try await self.provider.provision(original)
        var failing = TenantComputeSpec.valid(labels: [MockProvider.Labels.fail: "update"])
        failing.containers[0].image = "nginx:1.27"
        let error = try await #require(throws: ComputeError.self) {
            try await self.provider.update(tenantID: "acme", spec: failing)
        }
        #expect(error.kind == .updateFailed)
        #expect(self.provider.storedSpec(tenantID: "acme") == original)
        #expect(try await self.provider.status(tenantID: "acme").state == .running)
    }

    @Test("fail=destroy (on the stored spec) makes destroy fail with providerFailed and keeps the tenant")
    func failDestroy() async throws {
        let spec = TenantComputeSpec.valid(labels: [MockProvider.Labels.fail: "destroy"])
        _ = try await self.provider.provision(spec)
        let error = try await #require(throws: ComputeError.self) { try await self.provider.destroy(tenantID: "acme") }
        #expect(error.kind == .providerFailed)
        #expect(self.provider.storedSpec(tenantID: "acme") == spec)
        #expect(try await self.provider.status(tenantID: "acme").tenantID == "acme")

        // Updating the label away makes the tenant destroyable again.
        _ = try await self.provider.update(tenantID: "acme", spec: .valid())
        try await self.provider.destroy(tenantID: "acme")
        #expect(self.provider.tenantIDs == [])
    }

    @Test("fail=status (on the stored spec) makes status fail with providerFailed and changes nothing")
    func failStatus() async throws {
        let spec = TenantComputeSpec.valid(labels: [MockProvider.Labels.fail: "status"])
        _ = try await self.provider.provision(spec)
        let error = try await #require(throws: ComputeError.self) { try await self.provider.status(tenantID: "acme") }
        #expect(error.kind == .providerFailed)
        #expect(self.provider.storedSpec(tenantID: "acme") == spec)
        // The other operations keep working.
        #expect(try await self.provider.update(tenantID: "acme", spec: spec).status == .noChanges)
        try await self.provider.destroy(tenantID: "acme")
        #expect(self.provider.tenantIDs == [])
    }

    @Test(
        "a fail label never uses the kinds that would map to NOT_FOUND or INVALID_ARGUMENT",
        arguments: MockProvider.FailingOperation.allCases)
    func failKinds(_ operation: MockProvider.FailingOperation) async throws {
        let spec = TenantComputeSpec.valid(labels: [MockProvider.Labels.fail: operation.rawValue])
        var caught: ComputeError?
        do {
            switch operation {
            case .provision:
                _ = try await self.provider.provision(spec)
            case .update:
                _ = try await self.provider.provision(.valid())
                _ = try await self.provider.update(tenantID: "acme", spec: spec)
            case .destroy:
                _ = try await self.provider.provision(spec)
                try await self.provider.destroy(tenantID: "acme")
            case .status:
                _ = try await self.provider.provision(spec)
                _ = try await self.provider.status(tenantID: "acme")
            }
        } catch let error as ComputeError {
            caught = error
        }
        let error = try #require(caught)
        #expect(![.tenantNotFound, .invalidSpec, .alreadyExists, .providerNotFound].contains(error.kind))
    }

    @Test(
        "another fail label value is a validation error at the label's path", arguments: ["delete", "all", "PROVISION"])
    func invalidFailLabel(_ value: String) async throws {
        let spec = TenantComputeSpec.valid(labels: [MockProvider.Labels.fail: value])
        let error = try await #require(throws: ComputeError.self) { try await self.provider.validate(spec) }
        #expect(error.violations.map(\.field) == ["labels[mock.landlord.dev/fail]"])
        #expect(error.violations[0].description.contains("provision, update, destroy, status"))
    }
}
