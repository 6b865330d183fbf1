import AsyncHTTPClient
import Foundation
import LandlordCompute
import Logging
import NIOCore
import NIOHTTP1
import Testing

@testable import LandlordDockerProvider

/// The real engine the end-to-end tests run on: `LANDLORD_TEST_DOCKER_HOST` (which `make podman-up`
/// prints and `make swift-test` exports). A missing variable or an engine that does not answer
/// fails the tests: they never skip, so a broken set-up is visible.
enum TestEngine {
    /// The test image `dev/podman/up.sh` builds from busybox-static, tagged `:latest`, `:1` and `:2`.
    static let image = "localhost/landlord-busybox"

    struct Unavailable: Error, CustomStringConvertible {
        var description: String
    }

    /// The engine's address.
    static func host() throws -> String {
        guard let host = ProcessInfo.processInfo.environment["LANDLORD_TEST_DOCKER_HOST"], !host.isEmpty else {
            throw Unavailable(
                description:
                    "LANDLORD_TEST_DOCKER_HOST is not set: run `make podman-up` and export the socket it prints "
                    + "(e.g. LANDLORD_TEST_DOCKER_HOST=unix:///tmp/landlord-podman/podman.sock)"
            )
        }
        return host
    }

    /// A test configuration: the test engine, stops that take one second.
    static func configuration(secretsDirectory: String? = nil) throws -> DockerProvider.Configuration {
        var configuration = try DockerProvider.Configuration(dockerHost: try Self.host())
        configuration.stopTimeout = .seconds(1)
        configuration.secretsDirectory = secretsDirectory
        return configuration
    }

    /// A provider on the test engine whose connection was checked.
    static func provider(
        secretsDirectory: String? = nil,
        environment: @escaping @Sendable (String) -> String? = { _ in nil },
        logger: Logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
    ) async throws -> DockerProvider {
        let provider = DockerProvider(
            configuration: try Self.configuration(secretsDirectory: secretsDirectory),
            environment: environment,
            logger: logger
        )
        do {
            try await provider.checkConnection()
        } catch {
            try? await provider.shutdown()
            throw Unavailable(description: "the test engine does not answer (run `make podman-up`): \(error)")
        }
        return provider
    }

    /// A tenant id unique to this run: `dk-<name>-<random>`.
    static func tenantID(_ name: String) -> String {
        let random = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        return "dk-\(name)-\(random)"
    }

    /// Runs `body` with a fresh provider and destroys `tenantIDs` afterwards, whatever happened.
    static func withProvider(
        cleaningUp tenantIDs: [String],
        secretsDirectory: String? = nil,
        environment: @escaping @Sendable (String) -> String? = { _ in nil },
        logger: Logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
        _ body: (DockerProvider) async throws -> Void
    ) async throws {
        let provider = try await Self.provider(
            secretsDirectory: secretsDirectory, environment: environment, logger: logger
        )
        do {
            try await body(provider)
        } catch {
            for tenantID in tenantIDs { try? await provider.destroy(tenantID: tenantID) }
            try? await provider.shutdown()
            throw error
        }
        for tenantID in tenantIDs { try await provider.destroy(tenantID: tenantID) }
        try await provider.shutdown()
    }

    /// Polls `status` until `condition` holds, or fails after `timeout` with the last status.
    static func waitForStatus(
        _ provider: DockerProvider,
        tenantID: String,
        timeout: Duration = .seconds(60),
        sourceLocation: SourceLocation = #_sourceLocation,
        until condition: (ComputeStatus) -> Bool
    ) async throws -> ComputeStatus {
        let deadline = ContinuousClock.now + timeout
        var last = try await provider.status(tenantID: tenantID)
        while !condition(last) {
            guard ContinuousClock.now < deadline else {
                Issue.record("status never reached the expected state; last: \(last)", sourceLocation: sourceLocation)
                return last
            }
            try await Task.sleep(for: .milliseconds(500))
            last = try await provider.status(tenantID: tenantID)
        }
        return last
    }

    /// What the engine holds with the tenant's labels: container names and network names.
    static func objects(of tenantID: String, on provider: DockerProvider) async throws -> (
        containers: [String], networks: [String]
    ) {
        let filters = DockerLabels.filters(tenantID: tenantID)
        let containers = try await provider.engine.listContainers(labels: filters)
        let networks = try await provider.engine.listNetworks(labels: filters)
        return (
            containers.compactMap { $0.Names?.first }.map { $0.hasPrefix("/") ? String($0.dropFirst()) : $0 }.sorted(),
            networks.map(\.Name).sorted()
        )
    }

    /// `GET url` with the provider's own HTTP client: status and body.
    static func get(_ url: String, with provider: DockerProvider) async throws -> (Int, String) {
        var request = HTTPClientRequest(url: url)
        request.method = .GET
        let response = try await provider.http.execute(request, timeout: .seconds(5))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), String(buffer: body))
    }
}

extension TenantComputeSpec {
    /// A docker spec of busybox containers with 128 millicores and 128 MB.
    static func docker(_ tenantID: String, _ containers: [ContainerSpec], providerConfig: String? = nil) -> Self {
        TenantComputeSpec(
            tenantID: tenantID,
            providerType: "docker",
            containers: containers,
            resources: ResourceRequirements(cpu: 250, memory: 128),
            providerConfig: providerConfig.map { RawJSON($0) }
        )
    }
}

extension ContainerSpec {
    /// busybox `httpd` serving `/var/www` (its index.html says `landlord test image`) on `port`.
    static func httpd(
        _ name: String = "web",
        tag: String = "1",
        port: Int = 8080,
        hostPort: Int = 0,
        check: HealthCheckConfig? = nil
    ) -> Self {
        ContainerSpec(
            name: name,
            image: "\(TestEngine.image):\(tag)",
            command: ["httpd", "-f", "-p", "\(port)", "-h", "/var/www"],
            ports: [PortMapping(containerPort: port, hostPort: hostPort, protocol: "tcp", name: "http")],
            healthCheck: check
        )
    }

    /// busybox running `sh -c script`.
    static func shell(_ name: String, _ script: String, tag: String = "1", check: HealthCheckConfig? = nil) -> Self {
        ContainerSpec(
            name: name, image: "\(TestEngine.image):\(tag)", command: ["sh", "-c", script], healthCheck: check)
    }
}

extension HealthCheckConfig {
    /// Fast timing: every 5 seconds (the minimum), 2 seconds timeout, healthy after 1 success.
    func fast(unhealthyThreshold: Int = 2) -> Self {
        var check = self
        check.intervalSeconds = 5
        check.timeoutSeconds = 2
        check.healthyThreshold = 1
        check.unhealthyThreshold = unhealthyThreshold
        return check
    }
}
