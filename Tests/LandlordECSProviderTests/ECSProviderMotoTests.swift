import Foundation
import InMemoryLogging
import LandlordCompute
import LandlordComputeTesting
import LandlordECSProvider
import LandlordProviderKit
import Logging
import Testing

/// The provider against moto in server mode with signature and IAM checks on (MotoServer).
@Suite("ECS provider on moto", .serialized)
struct ECSProviderMotoTests {
    static let fixture = ComputeProviderConformance.Fixture(
        makeSpec: { TenantComputeSpec.ecs($0) },
        changeSpec: { spec in
            var spec = spec
            spec.containers[0].image = "nginx:1.27"
            spec.resources.memory = 1024
            return spec
        })

    @Test("conformance", arguments: ComputeProviderConformance.checks)
    func conformance(_ check: ComputeProviderConformance.Check) async throws {
        let moto = try await MotoServer.shared.get()
        let provider = try moto.provider()
        do {
            try await check.run(provider, Self.fixture)
            try await provider.shutdown()
        } catch {
            try? await provider.shutdown()
            throw error
        }
    }

    @Test("the start-up check finds the cluster with the signed DescribeClusters")
    func startupCheck() async throws {
        let moto = try await MotoServer.shared.get()
        let provider = try moto.provider()
        defer { Task { try? await provider.shutdown() } }
        let description = try await provider.checkEngine()
        #expect(description.contains("cluster/landlord-test"))
        #expect(description.contains("credentials: environment"))
    }

    @Test("a missing cluster is one line naming it and what to set")
    func missingCluster() async throws {
        let moto = try await MotoServer.shared.get()
        let provider = try moto.provider(cluster: "no-such-cluster")
        defer { Task { try? await provider.shutdown() } }
        do {
            _ = try await provider.checkEngine()
            Issue.record("the check passed")
        } catch let failure as ProviderStartupFailure {
            #expect(failure.message.hasPrefix("ecs provider: the cluster \"no-such-cluster\" does not exist"))
            #expect(failure.message.contains("--ecs-cluster"))
            #expect(!failure.message.contains("\n"))
        }
    }

    @Test("a wrongly signed request fails: moto checks the signature")
    func wrongSignature() async throws {
        let moto = try await MotoServer.shared.get()
        var environment = moto.environment
        environment["AWS_SECRET_ACCESS_KEY"] = "not-the-secret"
        let provider = try moto.provider(environment: environment)
        defer { Task { try? await provider.shutdown() } }
        do {
            _ = try await provider.checkEngine()
            Issue.record("a wrong signature was accepted")
        } catch let failure as ProviderStartupFailure {
            #expect(failure.message.contains("the credentials were rejected"))
            #expect(failure.message.contains("SignatureDoesNotMatch") || failure.message.contains("403"))
            #expect(!failure.message.contains("not-the-secret"))
        }
        // And an unknown access key id.
        environment["AWS_ACCESS_KEY_ID"] = "AKIAUNKNOWNUNKNOWN00"
        let unknown = try moto.provider(environment: environment)
        defer { Task { try? await unknown.shutdown() } }
        await #expect(throws: ProviderStartupFailure.self) { _ = try await unknown.checkEngine() }
    }

    @Test("the task definition and the service are what the spec says, found again after a restart")
    func lifecycleAcrossRestart() async throws {
        let moto = try await MotoServer.shared.get()
        let tenant = "moto-restart"
        var spec = TenantComputeSpec.ecs(tenant)
        spec.containers[0].env = ["MODE": "prod"]
        spec.secrets = [
            SecretReference(name: "TOKEN", source: "ssm", key: "/landlord/token"),
            SecretReference(name: "db", source: "secretsmanager", key: "landlord/db:password", envVar: "DB_PASSWORD"),
        ]
        spec.labels = ["team": "payments"]
        spec.providerConfig = RawJSON(#"{"desired_count": 2}"#)
        let first = try moto.provider()
        let result = try await first.provision(spec)
        #expect(result.resourceIDs["service"]?.hasSuffix("service/landlord-test/landlord-\(tenant)") == true)
        let definition = try await first.api.describeTaskDefinition("landlord-\(tenant)")
        #expect(definition.family == "landlord-\(tenant)")
        // The secret name became an ARN in the cluster's account (read from the cluster's ARN).
        #expect(definition.containerDefinitions?.first?.secrets == [
            ECSSecret(name: "TOKEN", valueFrom: "/landlord/token"),
            ECSSecret(name: "DB_PASSWORD", valueFrom: "arn:aws:secretsmanager:us-east-1:123456789012:secret:landlord/db:password::"),
        ])
        try await first.shutdown()

        // A new provider (a restarted landlord) knows the tenant from ECS alone.
        let second = try moto.provider()
        let status = try await second.status(tenantID: tenant)
        #expect(status.containers.map(\.name) == ["web"])
        #expect(status.metadata["desired_count"] == "2")
        let same = try await second.update(tenantID: tenant, spec: spec)
        #expect(same.status == .noChanges)
        let again = try await second.provision(spec)
        #expect(again == result)

        // A service-only change updates the service without a new revision.
        var scaled = spec
        scaled.providerConfig = RawJSON(#"{"desired_count": 3}"#)
        let scale = try await second.update(tenantID: tenant, spec: scaled)
        #expect(scale.changes == ["provider_config.desired_count: 2 -> 3"])
        #expect(try await second.api.activeRevisions(of: "landlord-\(tenant)").count == 1)

        // A task definition change registers revision 2.
        var changed = scaled
        changed.containers[0].image = "nginx:1.27"
        let update = try await second.update(tenantID: tenant, spec: changed)
        #expect(update.changes == ["containers[web].image: nginx:1.25 -> nginx:1.27"])
        #expect(update.status == .inProgress)
        let revisions = try await second.api.activeRevisions(of: "landlord-\(tenant)")
        #expect(revisions.count == 2)
        #expect(revisions.first?.hasSuffix(":2") == true)
        // moto keeps no rollout (its PRIMARY deployment keeps revision 1, no tasks run): the
        // tenant is starting, not reported as rolled back.
        let deploying = try await second.status(tenantID: tenant)
        #expect(deploying.state != .failed, "\(deploying)")
        #expect(deploying.metadata["message"]?.contains("rolled") != true)

        try await second.destroy(tenantID: tenant)
        #expect(try await second.api.activeRevisions(of: "landlord-\(tenant)").isEmpty)
        #expect(try await second.api.describeService("landlord-\(tenant)") == nil)
        try await second.destroy(tenantID: tenant)
        try await second.shutdown()
    }

    @Test("no environment value, secret key or access key secret in any log line or error")
    func nothingSecretLogged() async throws {
        let moto = try await MotoServer.shared.get()
        var handler = InMemoryLogHandler()
        handler.logLevel = .trace
        let logs = handler
        let provider = try moto.provider(logger: Logger(label: "test", factory: { _ in logs }))
        defer { Task { try? await provider.shutdown() } }
        let tenant = "moto-logs"
        var spec = TenantComputeSpec.ecs(tenant)
        spec.containers[0].env = ["PASSWORD": "env-value-never-logged"]
        spec.secrets = [SecretReference(name: "DB", source: "ssm", key: "/secret/key-never-logged")]
        _ = try await provider.provision(spec)
        var changed = spec
        changed.containers[0].env = ["PASSWORD": "other-value-never-logged"]
        let update = try await provider.update(tenantID: tenant, spec: changed)
        #expect(update.changes == ["containers[web].env[PASSWORD]: changed"])
        var conflicting = spec
        conflicting.containers[0].image = "nginx:1.27"
        var errors: [String] = []
        do { _ = try await provider.provision(conflicting) } catch { errors.append("\(error)") }
        _ = try await provider.status(tenantID: tenant)
        try await provider.destroy(tenantID: tenant)
        #expect(errors.count == 1)
        #expect(!logs.entries.isEmpty)
        let text = logs.entries.map { "\($0.message) \($0.metadata)" }.joined(separator: "\n") + errors.joined()
        for secret in ["env-value-never-logged", "other-value-never-logged", "key-never-logged", moto.secret_access_key] {
            #expect(!text.contains(secret))
        }
    }
}
