import Foundation
import LandlordCompute
import LandlordComputeTesting
import LandlordKubernetesProvider
import Testing

/// The shared conformance suite, on the fake API server. Serialized (as the suite below): the
/// fake is Python on the same 2 cores, and the checks in parallel loaded the machine enough to
/// make other suites' timing tests overshoot.
@Suite("Kubernetes provider conformance (fake API server)", .serialized)
struct KubernetesConformanceTests {
    @Test(arguments: ComputeProviderConformance.checks)
    func conformance(_ check: ComputeProviderConformance.Check) async throws {
        let fake = try await FakeAPIServer.shared.get()
        let provider = try fake.provider()
        do {
            try await check.run(provider, ComputeProviderConformance.Fixture(providerType: "kubernetes"))
            try await provider.shutdown()
        } catch {
            try? await provider.shutdown()
            throw error
        }
    }
}

/// Provision, update, rollback, destroy, restart and status of the provider on the fake.
@Suite("Kubernetes provider on the fake API server", .serialized)
struct KubernetesProviderTests {
    static let secretValue = "pa55-w0rd-only-in-the-secret"

    /// A spec of one `web` container on port 80 with an env secret.
    static func spec(_ tenantID: String, image: String = "nginx:1.25", rollback: Bool = false) -> TenantComputeSpec {
        var spec = TenantComputeSpec.valid(tenantID: tenantID, providerType: "kubernetes")
        spec.containers[0].image = image
        spec.containers[0].env = ["MODE": "production"]
        spec.secrets = [SecretReference(name: "db", source: "env", key: "LL_K8S_TEST_SECRET", envVar: "DB_PASSWORD")]
        if rollback { spec.providerConfig = RawJSON(#"{"rollback_on_failure":true}"#) }
        return spec
    }

    static let environment = ["LL_K8S_TEST_SECRET": secretValue]

    /// Runs `body` with a provider on the shared fake, shutting it down afterwards.
    func withProvider(_ body: (KubernetesProvider, FakeAPIServer) async throws -> Void) async throws {
        let fake = try await FakeAPIServer.shared.get()
        let provider = try fake.provider(environment: Self.environment)
        do {
            try await body(provider, fake)
            try await provider.shutdown()
        } catch {
            try? await provider.shutdown()
            throw error
        }
    }

    /// Polls the provider's status until `condition` holds (at most `seconds`).
    func eventually(
        _ provider: KubernetesProvider,
        _ tenantID: String,
        seconds: Double = 15,
        _ condition: (ComputeStatus) -> Bool
    ) async throws -> ComputeStatus {
        let deadline = Date().addingTimeInterval(seconds)
        var status = try await provider.status(tenantID: tenantID)
        while !condition(status) {
            guard Date() < deadline else {
                Issue.record("status did not reach the expected state: \(status)")
                return status
            }
            try await Task.sleep(for: .milliseconds(50))
            status = try await provider.status(tenantID: tenantID)
        }
        return status
    }

    @Test("provision writes the objects, the secret only into the Secret, and becomes running and healthy")
    func provisionRunsAndKeepsTheSecretInTheSecret() async throws {
        try await self.withProvider { provider, fake in
            let result = try await provider.provision(Self.spec("prov-a"))
            #expect(result.status == .success)
            #expect(result.resourceIDs["namespace"]?.hasPrefix("landlord-prov-a") == true)
            #expect(result.endpoints.map(\.address) == ["tenant.landlord-prov-a.svc"])
            // The pods' readiness and the Deployment's availability arrive on two watches.
            let status = try await self.eventually(provider, "prov-a") { $0.state == .running && $0.health == .healthy }
            #expect(status.containers.map(\.name) == ["web"])
            #expect(status.metadata["endpoints"] == "tenant.landlord-prov-a.svc:80")

            let secret = try #require(try await fake.object("/api/v1/namespaces/landlord-prov-a/secrets/tenant-secrets"))
            let data = try #require(secret["data"] as? [String: String])
            #expect(data["db"] == Data(Self.secretValue.utf8).base64EncodedString())
            for path in [
                "/apis/apps/v1/namespaces/landlord-prov-a/deployments/tenant", "/api/v1/namespaces/landlord-prov-a",
                "/api/v1/namespaces/landlord-prov-a/services/tenant",
            ] {
                let object = try #require(try await fake.object(path))
                let json = String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
                #expect(!json.contains(Self.secretValue), "\(path) holds the secret value")
                #expect(!json.contains(Data(Self.secretValue.utf8).base64EncodedString()))
                let labels = (object["metadata"] as? [String: Any])?["labels"] as? [String: String]
                #expect(labels?["landlord.dev/tenant-id"] == "prov-a")
            }
            try await provider.destroy(tenantID: "prov-a")
        }
    }

    @Test("update answers the real changes, then no_changes; status follows the new spec")
    func updateThenNoChanges() async throws {
        try await self.withProvider { provider, fake in
            let spec = Self.spec("upd-a")
            _ = try await provider.provision(spec)
            var changed = spec
            changed.containers[0].image = "nginx:1.27"
            let result = try await provider.update(tenantID: "upd-a", spec: changed)
            #expect(result.status == .inProgress || result.status == .success)
            #expect(result.changes.contains("containers[web].image: nginx:1.25 -> nginx:1.27"), "\(result.changes)")
            let again = try await provider.update(tenantID: "upd-a", spec: changed)
            #expect(again.status == .noChanges)
            #expect(again.changes.isEmpty)
            _ = try await self.eventually(provider, "upd-a") { $0.state == .running }
            let deployment = try #require(try await fake.object("/apis/apps/v1/namespaces/landlord-upd-a/deployments/tenant"))
            let template = try #require((deployment["spec"] as? [String: Any])?["template"] as? [String: Any])
            let containers = try #require((template["spec"] as? [String: Any])?["containers"] as? [[String: Any]])
            #expect(containers.first?["image"] as? String == "nginx:1.27")
            try await provider.destroy(tenantID: "upd-a")
        }
    }

    @Test("a crash-looping image is failed with CrashLoopBackOff and real restart counts")
    func crashLoopIsFailed() async throws {
        try await self.withProvider { provider, _ in
            _ = try await provider.provision(Self.spec("crash-a", image: "example.com/crashloop:1"))
            let status = try await self.eventually(provider, "crash-a") { $0.state == .failed }
            #expect(status.health == .unhealthy)
            #expect(status.metadata["message"]?.contains("CrashLoopBackOff") == true, "\(status.metadata)")
            let restarted = try await self.eventually(provider, "crash-a") { ($0.containers.first?.restartCount ?? 0) > 0 }
            #expect(restarted.containers.first?.state == .failed)
            try await provider.destroy(tenantID: "crash-a")
        }
    }

    @Test("a failed rollout with rollback_on_failure is rolled back to the previous revision")
    func rollbackOnFailure() async throws {
        try await self.withProvider { provider, fake in
            let spec = Self.spec("rb-a", rollback: true)
            _ = try await provider.provision(spec)
            _ = try await self.eventually(provider, "rb-a") { $0.state == .running }
            var broken = spec
            broken.containers[0].image = "example.com/crashloop:2"
            let error = try await #require(throws: ComputeError.self) {
                _ = try await provider.update(tenantID: "rb-a", spec: broken)
            }
            #expect(error.kind == .updateFailed)
            #expect(error.message.contains("CrashLoopBackOff"), "\(error.message)")
            #expect(error.message.contains("rolled back to the previous revision"), "\(error.message)")
            let deployment = try #require(try await fake.object("/apis/apps/v1/namespaces/landlord-rb-a/deployments/tenant"))
            let template = try #require((deployment["spec"] as? [String: Any])?["template"] as? [String: Any])
            let containers = try #require((template["spec"] as? [String: Any])?["containers"] as? [[String: Any]])
            #expect(containers.first?["image"] as? String == "nginx:1.25")
            let annotations = try #require((deployment["metadata"] as? [String: Any])?["annotations"] as? [String: String])
            #expect(annotations["deployment.kubernetes.io/revision"] != "1")
            let status = try await self.eventually(provider, "rb-a") { $0.state == .running }
            #expect(status.health == .healthy)
            // The previous spec is the tenant's spec again: re-applying it changes nothing.
            let same = try await provider.update(tenantID: "rb-a", spec: spec)
            #expect(same.status == .noChanges)
            try await provider.destroy(tenantID: "rb-a")
        }
    }

    @Test("destroy deletes the namespace; status is then not found; destroy again succeeds")
    func destroyIsIdempotent() async throws {
        try await self.withProvider { provider, fake in
            _ = try await provider.provision(Self.spec("gone-a"))
            try await provider.destroy(tenantID: "gone-a")
            #expect(try await fake.object("/api/v1/namespaces/landlord-gone-a") == nil)
            await #expect(throws: ComputeError.self) { _ = try await provider.status(tenantID: "gone-a") }
            try await provider.destroy(tenantID: "gone-a")
            // Provisioning it again works from scratch.
            _ = try await provider.provision(Self.spec("gone-a"))
            try await provider.destroy(tenantID: "gone-a")
        }
    }

    @Test("a new provider (a restarted landlord) finds the tenant from labels and annotations")
    func restartFindsTenants() async throws {
        let fake = try await FakeAPIServer.shared.get()
        let first = try fake.provider(environment: Self.environment)
        let spec = Self.spec("restart-a")
        let provisioned = try await first.provision(spec)
        try await first.shutdown()

        let second = try fake.provider(environment: Self.environment)
        do {
            _ = try await second.checkEngine()
            let status = try await second.status(tenantID: "restart-a")
            #expect(status.containers.map(\.name) == ["web"])
            #expect(try await second.provision(spec) == provisioned)
            #expect(try await second.update(tenantID: "restart-a", spec: spec).status == .noChanges)
            var other = spec
            other.containers[0].image = "nginx:1.27"
            await #expect(throws: ComputeError.self) { _ = try await second.provision(other) }
            try await second.destroy(tenantID: "restart-a")
            try await second.shutdown()
        } catch {
            try? await second.shutdown()
            throw error
        }
    }

    @Test("a write the API server refuses fails the provision and leaves nothing behind")
    func refusedWriteIsUndone() async throws {
        let fake = try await FakeAPIServer.start(arguments: ["--forbid", "patch:networkpolicies"])
                let provider = try fake.provider(environment: Self.environment)
        do {
            let error = try await #require(throws: ComputeError.self) {
                _ = try await provider.provision(Self.spec("refused-a"))
            }
            #expect(error.kind == .provisionFailed)
            #expect(error.message.contains("networkpolicies") && error.message.contains("Forbidden"), "\(error.message)")
            #expect(!error.message.contains(Self.secretValue))
            try await Task.sleep(for: .seconds(1))
            #expect(try await fake.object("/api/v1/namespaces/landlord-refused-a") == nil)
            await #expect(throws: ComputeError.self) { _ = try await provider.status(tenantID: "refused-a") }
            try await provider.shutdown()
            await fake.stop()
        } catch {
            try? await provider.shutdown()
            await fake.stop()
            throw error
        }
    }

    @Test("status reads the watch cache: no request reaches the API server")
    func statusCostsNoRequests() async throws {
        let fake = try await FakeAPIServer.start()
                let provider = try fake.provider(environment: Self.environment)
        do {
            _ = try await provider.checkEngine()
            for tenant in ["cost-a", "cost-b", "cost-c"] { _ = try await provider.provision(Self.spec(tenant)) }
            try await fake.resetStats()
            for _ in 0..<100 {
                for tenant in ["cost-a", "cost-b", "cost-c"] { _ = try await provider.status(tenantID: tenant) }
            }
            let stats = try await fake.stats()
            #expect(stats.total == 0, "requests during 300 status calls: \(stats.requests)")
            try await provider.shutdown()
            await fake.stop()
        } catch {
            try? await provider.shutdown()
            await fake.stop()
            throw error
        }
    }
}
