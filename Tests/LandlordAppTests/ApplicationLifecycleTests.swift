import ArgumentParser
import Dispatch
import Foundation
import LandlordApp
import LandlordCompute
import LandlordProviderKit
import Logging
import NIOCore
import Synchronization
import Testing

@testable import landlord

/// What a test provider saw of its life: checked, shut down, and whether shutdown was awaited.
private final class Journal: Sendable {
    private let state = Mutex<[String]>([])
    func append(_ entry: String) { self.state.withLock { $0.append(entry) } }
    var entries: [String] { self.state.withLock { $0 } }
}

/// A provider known only to this test's catalog, recording its engine check and its shutdown.
private struct RecordingProviderFactory: ComputeProviderFactory {
    let journal: Journal
    let name = "recording"
    let summary = "a provider that records its life"
    let options: [ConfigOption] = []

    func makeProvider(_ context: ProviderContext) throws(ConfigOptionError) -> any ManagedComputeProvider {
        RecordingProvider(journal: self.journal)
    }
}

private struct RecordingProvider: ManagedComputeProvider {
    let journal: Journal
    let name = "recording"
    func provision(_ spec: TenantComputeSpec) async throws -> ProvisionResult {
        throw ComputeError(kind: .provisionFailed, message: "recording")
    }
    func update(tenantID: String, spec: TenantComputeSpec) async throws -> UpdateResult {
        throw ComputeError(kind: .updateFailed, message: "recording")
    }
    func destroy(tenantID: String) async throws {}
    func status(tenantID: String) async throws -> ComputeStatus {
        throw ComputeError(kind: .tenantNotFound, message: "recording")
    }
    func validate(_ spec: TenantComputeSpec) async throws {}
    func checkEngine() async throws -> String {
        self.journal.append("checked")
        return "recording engine"
    }
    func shutdown() async throws {
        // A slow shutdown that cancellation cannot cut short: run() must wait for it.
        await withCheckedContinuation { continuation in
            DispatchQueue.global().asyncAfter(deadline: .now() + 0.2) { continuation.resume() }
        }
        self.journal.append("shut down")
    }
}

@Suite("landlord application: start-up engine check and shutdown")
struct ApplicationLifecycleTests {
    private func configuration(
        _ arguments: [String], environment: [String: String] = [:], catalog: ProviderCatalog = .standard
    ) throws -> LandlordConfiguration {
        try LandlordCommand.parse(arguments).resolvedConfiguration(environment: environment, catalog: catalog)
    }

    @Test("an unreachable Docker engine fails the start-up check with one line naming provider, address and what to set")
    func unreachableDocker() async throws {
        let configuration = try configuration(
            ["--providers", "mock,docker", "--listen", "127.0.0.1:0"],
            environment: ["DOCKER_HOST": "unix:///nonexistent/landlord-test/docker.sock"]
        )
        let application = try LandlordApplication(
            configuration: configuration, environment: [:], logger: Logger(label: "test"))
        let error = await #expect(throws: ProviderStartupError.self) { try await application.checkProviders() }
        let message = try #require(error?.message)
        #expect(message.hasPrefix("docker provider: "))
        #expect(message.contains("unix:///nonexistent/landlord-test/docker.sock"))
        #expect(message.contains("--docker-host") || message.contains("DOCKER_HOST"))
        #expect(!message.contains("\n"))
        // run() performs the same check before listening, and fails the same way.
        await #expect(throws: ProviderStartupError.self) { try await application.run() }
    }

    @Test(
        "mock and Docker from the standard catalog pass the start-up check against a real engine",
        .enabled(if: ProcessInfo.processInfo.environment["LANDLORD_TEST_DOCKER_HOST"] != nil)
    )
    func reachableDocker() async throws {
        let host = ProcessInfo.processInfo.environment["LANDLORD_TEST_DOCKER_HOST"]!
        let configuration = try configuration(
            ["--providers", "mock,docker", "--docker-host", host, "--listen", "127.0.0.1:0"])
        let application = try LandlordApplication(
            configuration: configuration, environment: [:], logger: Logger(label: "test"))
        try await application.checkProviders()
    }

    @Test("providers are checked before the server listens and shut down, awaited, before run() returns")
    func checkThenShutdown() async throws {
        let journal = Journal()
        let catalog = ProviderCatalog([RecordingProviderFactory(journal: journal)])
        let configuration = try configuration(
            ["--providers", "recording", "--default-provider", "recording", "--listen", "127.0.0.1:0"],
            catalog: catalog
        )
        let application = try LandlordApplication(
            configuration: configuration, catalog: catalog, environment: [:], logger: Logger(label: "test"))
        let (listening, listeningContinuation) = AsyncStream<SocketAddress>.makeStream()
        let server = Task {
            try await application.run { address in
                journal.append("listening")
                listeningContinuation.yield(address)
            }
        }
        var address: SocketAddress?
        for await bound in listening {
            address = bound
            break
        }
        #expect(address?.port != nil && address?.port != 0)
        #expect(journal.entries == ["checked", "listening"])
        server.cancel()
        _ = try? await server.value
        #expect(journal.entries == ["checked", "listening", "shut down"])
    }
}
