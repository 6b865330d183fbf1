import InMemoryLogging
import LandlordCompute
import LandlordComputeTesting
import Logging
import Testing

@Suite("Provider registry")
struct ProviderRegistryTests {
    let logs = InMemoryLogHandler()
    var logger: Logger {
        let handler = self.logs
        return Logger(label: "test", factory: { _ in handler })
    }

    @Test("registered providers can be found, listed sorted and tested for")
    func registerAndFind() throws {
        let registry = ProviderRegistry(logger: self.logger)
        #expect(registry.names == [])
        let zeta = SpyProvider(name: "zeta")
        try registry.register(zeta)
        try registry.register(SpyProvider(name: "alpha"))
        try registry.register(SpyProvider(name: "k8s"))

        #expect(registry.names == ["alpha", "k8s", "zeta"])
        #expect(registry.contains("zeta"))
        #expect(!registry.contains("ecs"))
        let found = try registry.provider(named: "zeta")
        #expect(found.name == "zeta")
        #expect(found as? SpyProvider === zeta)
    }

    @Test("a duplicate name is a providerConflict and keeps the first provider")
    func duplicate() throws {
        let registry = ProviderRegistry(logger: self.logger)
        let first = SpyProvider(name: "mock")
        try registry.register(first)
        #expect(throws: ComputeError(kind: .providerConflict, message: "provider \"mock\" is already registered")) {
            try registry.register(SpyProvider(name: "mock"))
        }
        #expect(try registry.provider(named: "mock") as? SpyProvider === first)
        #expect(registry.names == ["mock"])
    }

    @Test(
        "names that are not lowercase alphanumeric are rejected",
        arguments: ["", "Mock", "my-provider", "my_provider", "k8s ", "ecs.v2", "é"])
    func invalidName(_ name: String) {
        let registry = ProviderRegistry(logger: self.logger)
        #expect {
            try registry.register(SpyProvider(name: name))
        } throws: { error in
            (error as? ComputeError)?.kind == .invalidProviderName
        }
        #expect(registry.names == [])
    }

    @Test("looking up an unknown provider names the registered ones")
    func notFound() throws {
        let registry = ProviderRegistry(logger: self.logger)
        #expect(
            throws: ComputeError(
                kind: .providerNotFound, message: "unknown provider \"ecs\"; registered providers: (none)")
        ) {
            try registry.provider(named: "ecs")
        }
        try registry.register(SpyProvider(name: "mock"))
        try registry.register(SpyProvider(name: "docker"))
        #expect(
            throws: ComputeError(
                kind: .providerNotFound, message: "unknown provider \"ecs\"; registered providers: docker, mock")
        ) {
            try registry.provider(named: "ecs")
        }
    }

    @Test("the list is a copy")
    func listIsCopy() throws {
        let registry = ProviderRegistry(logger: self.logger)
        try registry.register(SpyProvider(name: "a"))
        var names = registry.names
        names.append("b")
        #expect(registry.names == ["a"])
    }

    @Test("registration is logged with the provider name")
    func logsRegistration() throws {
        let registry = ProviderRegistry(logger: self.logger)
        try registry.register(SpyProvider(name: "mock"))
        let entry = try #require(self.logs.entries.first { $0.message == "registered compute provider" })
        #expect(entry.metadata["provider"] == "mock")
        #expect(entry.metadata["component"] == "compute-registry")
    }

    @Test("concurrent registrations and lookups from many tasks")
    func concurrency() async throws {
        let registry = ProviderRegistry(logger: self.logger)
        let count = 200
        let conflicts = try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<count {
                // Every name is registered twice, concurrently: exactly one of each pair must win.
                for _ in 0..<2 {
                    group.addTask {
                        do {
                            try registry.register(SpyProvider(name: "p\(index)"))
                            return 0
                        } catch let error as ComputeError where error.kind == .providerConflict {
                            return 1
                        }
                    }
                }
                group.addTask {
                    // Readers run alongside writers and must never see a torn state.
                    let names = registry.names
                    #expect(names == names.sorted())
                    _ = registry.contains("p\(index)")
                    _ = try? registry.provider(named: "p\(index)")
                    return 0
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(conflicts == count)
        #expect(registry.names.count == count)
        #expect(Set(registry.names) == Set((0..<count).map { "p\($0)" }))
        for index in 0..<count {
            #expect(try registry.provider(named: "p\(index)").name == "p\(index)")
        }
    }
}
