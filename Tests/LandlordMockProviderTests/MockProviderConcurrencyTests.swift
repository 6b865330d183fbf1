import InMemoryLogging
import LandlordCompute
import LandlordComputeTesting
import LandlordMockProvider
import Logging
import Testing

@Suite("Mock provider: latency and concurrency")
struct MockProviderConcurrencyTests {
    let clock = ContinuousClock()

    @Test("defaults have no delay")
    func defaults() {
        #expect(MockProvider.Configuration.defaults == MockProvider.Configuration())
        #expect(MockProvider.Configuration.defaults.provisionDelay == .zero)
        #expect(MockProvider.Configuration.uniform(.seconds(1)).statusDelay == .seconds(1))
    }

    @Test("each operation waits its configured delay")
    func delays() async throws {
        let delay = Duration.milliseconds(150)
        let provider = MockProvider(configuration: .uniform(delay))
        let spec = TenantComputeSpec.valid()
        let operations: [(String, @Sendable () async throws -> Void)] = [
            ("validate", { try await provider.validate(spec) }),
            ("provision", { _ = try await provider.provision(spec) }),
            ("update", { _ = try await provider.update(tenantID: "acme", spec: spec) }),
            ("status", { _ = try await provider.status(tenantID: "acme") }),
            ("destroy", { try await provider.destroy(tenantID: "acme") }),
        ]
        for (name, operation) in operations {
            let start = self.clock.now
            try await operation()
            #expect(start.duration(to: self.clock.now) >= delay, "\(name)")
        }
    }

    @Test("only the configured operation is slow")
    func perOperationDelay() async throws {
        // A delay far above what a loaded 2-core machine adds to an undelayed call.
        let provider = MockProvider(configuration: .init(statusDelay: .seconds(2)))
        let start = self.clock.now
        _ = try await provider.provision(.valid())
        #expect(start.duration(to: self.clock.now) < .seconds(2))
        let statusStart = self.clock.now
        _ = try await provider.status(tenantID: "acme")
        #expect(statusStart.duration(to: self.clock.now) >= .seconds(2))
    }

    @Test("cancelling a provision during its delay ends it promptly and stores nothing")
    func cancelProvision() async throws {
        let provider = MockProvider(configuration: .init(provisionDelay: .seconds(30)))
        let start = self.clock.now
        let task = Task { try await provider.provision(.valid()) }
        try await Task.sleep(for: .milliseconds(50))
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(start.duration(to: self.clock.now) < .seconds(10))
        #expect(provider.tenantIDs == [])
    }

    @Test("cancelling an update during its delay ends it promptly and keeps the stored spec")
    func cancelUpdate() async throws {
        let provider = MockProvider(configuration: .init(updateDelay: .seconds(30)))
        let spec = TenantComputeSpec.valid()
        _ = try await provider.provision(spec)
        var changed = spec
        changed.resources.cpu = 1024
        let start = self.clock.now
        let task = Task { try await provider.update(tenantID: "acme", spec: changed) }
        try await Task.sleep(for: .milliseconds(50))
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(start.duration(to: self.clock.now) < .seconds(10))
        #expect(provider.storedSpec(tenantID: "acme") == spec)
    }

    @Test("cancelling a status query during its delay ends it promptly")
    func cancelStatus() async throws {
        let provider = MockProvider(configuration: .init(statusDelay: .seconds(30)))
        _ = try await provider.provision(.valid())
        let start = self.clock.now
        let task = Task { try await provider.status(tenantID: "acme") }
        try await Task.sleep(for: .milliseconds(50))
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(start.duration(to: self.clock.now) < .seconds(10))
    }

    @Test("an already cancelled task does not provision, even without a delay")
    func alreadyCancelled() async throws {
        let provider = MockProvider()
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await provider.provision(.valid())
        }
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(provider.tenantIDs == [])
    }

    @Test("cancelling a destroy during its delay ends it promptly and still removes the tenant")
    func cancelDestroy() async throws {
        let provider = MockProvider(configuration: .init(destroyDelay: .seconds(30)))
        _ = try await provider.provision(.valid())
        let start = self.clock.now
        let task = Task { try await provider.destroy(tenantID: "acme") }
        try await Task.sleep(for: .milliseconds(50))
        task.cancel()
        try await task.value
        #expect(start.duration(to: self.clock.now) < .seconds(10))
        #expect(provider.tenantIDs == [])
    }

    @Test("many tenants provision concurrently, and in parallel")
    func concurrentProvisions() async throws {
        let delay = Duration.seconds(1)
        let provider = MockProvider(configuration: .init(provisionDelay: delay))
        let count = 100
        let start = self.clock.now
        let results = try await withThrowingTaskGroup(of: ProvisionResult.self) { group in
            for index in 0..<count {
                group.addTask { try await provider.provision(.valid(tenantID: "tenant-\(index)")) }
            }
            return try await group.reduce(into: [ProvisionResult]()) { $0.append($1) }
        }
        // Serialised, 100 provisions would take 100 s; in parallel about one delay. The bound is
        // generous so that a loaded CI machine cannot fail it, yet far below serial execution.
        #expect(start.duration(to: self.clock.now) < delay * 40)
        #expect(results.count == count)
        #expect(Set(results.map(\.tenantID)).count == count)
        #expect(provider.tenantIDs.count == count)
    }

    @Test("concurrent identical provisions of one tenant all succeed with one result")
    func concurrentSameTenant() async throws {
        let provider = MockProvider()
        let results = try await withThrowingTaskGroup(of: ProvisionResult.self) { group in
            for _ in 0..<50 {
                group.addTask { try await provider.provision(.valid()) }
            }
            return try await group.reduce(into: [ProvisionResult]()) { $0.append($1) }
        }
        #expect(Set(results).count == 1)
        #expect(provider.tenantIDs == ["acme"])
    }

    @Test("concurrent different provisions of one tenant: exactly one wins, the others are alreadyExists")
    func concurrentConflicts() async throws {
        let provider = MockProvider()
        let outcomes = await withTaskGroup(of: ComputeError.Kind?.self) { group in
            for index in 0..<20 {
                group.addTask {
                    var spec = TenantComputeSpec.valid()
                    spec.resources.memory = 256 + index
                    do {
                        _ = try await provider.provision(spec)
                        return nil
                    } catch let error as ComputeError {
                        return error.kind
                    } catch {
                        return .providerFailed
                    }
                }
            }
            return await group.reduce(into: [ComputeError.Kind?]()) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 == nil }.count == 1)
        #expect(outcomes.filter { $0 == .alreadyExists }.count == 19)
    }

    @Test("the provider logs operations with the tenant id and never the env values")
    func logging() async throws {
        var handler = InMemoryLogHandler()
        handler.logLevel = .trace
        let provider = MockProvider(logger: Logger(label: "test", factory: { [handler] _ in handler }))
        var spec = TenantComputeSpec.valid()
        spec.containers[0].env = ["TOKEN": "tok-s3cret"]
        _ = try await provider.provision(spec)
        try await provider.destroy(tenantID: "acme")
        let entries = handler.entries
        #expect(entries.map(\.message.description) == ["provisioned tenant", "destroyed tenant"])
        #expect(entries.allSatisfy { $0.metadata["tenant_id"] == "acme" && $0.metadata["provider"] == "mock" })
        #expect(entries.allSatisfy { !"\($0.message) \($0.metadata)".contains("s3cret") })
    }
}
