import Foundation
import LandlordCompute
import LandlordComputeTesting
import LandlordECSProvider
import Logging

/// moto in server mode (`Tests/fakes/ecs/moto_ecs.py`): signature checking on, a `landlord` IAM
/// user limited to `deploy/aws/landlord-ecs-policy.json`, and the cluster `landlord-test`.
///
/// The helper stops moto when its stdin closes, which happens when the test process ends however
/// it ends. One moto serves every test of the process (tests use distinct tenant ids).
struct MotoServer: Sendable, Decodable {
    var endpoint: String
    var region: String
    var cluster: String
    var access_key_id: String
    var secret_access_key: String
    var subnet: String
    var security_group: String

    struct StartFailure: Error, CustomStringConvertible {
        var description: String
    }

    /// The shared moto, started on first use.
    static let shared = Shared()

    actor Shared {
        private var starting: Task<MotoServer, any Error>?
        // The helper process and the pipe whose closing stops it: kept for the process's life.
        private var keep: [any Sendable] = []

        func get() async throws -> MotoServer {
            if let starting { return try await starting.value }
            let task = Task { try await MotoServer.launch(keeping: { await self.retain($0) }) }
            self.starting = task
            return try await task.value
        }

        private func retain(_ value: any Sendable) { self.keep.append(value) }
    }

    private static let script: String = {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("fakes/ecs/moto_ecs.py").path
    }()

    /// An `@unchecked Sendable` box for Foundation's Process and Pipe, which are not Sendable; they
    /// are only kept alive (never touched again) once started.
    final class Kept: @unchecked Sendable {
        let process: Process
        let stdin: Pipe
        init(process: Process, stdin: Pipe) {
            self.process = process
            self.stdin = stdin
        }
    }

    private static func launch(keeping retain: @Sendable (any Sendable) async -> Void) async throws -> MotoServer {
        let ready = FileManager.default.temporaryDirectory.appendingPathComponent("moto-\(UUID().uuidString).json").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [ProcessInfo.processInfo.environment["PYTHON"] ?? "python3", Self.script, "--ready-file", ready]
        let stdin = Pipe()
        process.standardInput = stdin
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        await retain(Kept(process: process, stdin: stdin))
        let deadline = Date().addingTimeInterval(90)
        while !FileManager.default.fileExists(atPath: ready) {
            guard Date() < deadline, process.isRunning else {
                throw StartFailure(description: "moto did not start (is `pip install 'moto[server]' boto3` done? `make pip-deps`)")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        return try JSONDecoder().decode(MotoServer.self, from: Data(contentsOf: URL(fileURLWithPath: ready)))
    }

    /// The environment of a landlord using the moto user's keys.
    var environment: [String: String] {
        ["AWS_ACCESS_KEY_ID": self.access_key_id, "AWS_SECRET_ACCESS_KEY": self.secret_access_key, "HOME": "/nonexistent"]
    }

    /// The provider's configuration for moto (subnets are required for awsvpc services).
    func configuration(cluster: String? = nil) -> ECSProvider.Configuration {
        ECSProvider.Configuration(
            region: self.region, cluster: cluster ?? self.cluster, endpoint: self.endpoint, subnets: [self.subnet],
            securityGroups: [self.security_group], executionRoleARN: "arn:aws:iam::123456789012:role/ecsTaskExecutionRole")
    }

    /// A provider on moto with the given environment (default: the landlord user's keys).
    func provider(environment: [String: String]? = nil, cluster: String? = nil, logger: Logger? = nil) throws -> ECSProvider {
        if let logger {
            return try ECSProvider(configuration: self.configuration(cluster: cluster), environment: environment ?? self.environment, logger: logger)
        }
        return try ECSProvider(configuration: self.configuration(cluster: cluster), environment: environment ?? self.environment)
    }
}

extension TenantComputeSpec {
    /// A valid ECS spec: one `web` container (`nginx:1.25`, port 80, an http check), 250
    /// millicores (256 CPU units) and 512 MB.
    static func ecs(_ tenantID: String) -> TenantComputeSpec {
        var spec = TenantComputeSpec.valid(tenantID: tenantID, providerType: "ecs")
        spec.resources.cpu = 250
        return spec
    }
}
