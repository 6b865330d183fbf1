import LandlordCompute
import LandlordComputeTesting
import LandlordMockProvider
import Testing

/// One update: a change to the base spec and the exact change list the mock must answer with.
struct ChangeCase: Sendable, CustomTestStringConvertible {
    var name: String
    var changes: [String]
    var mutate: @Sendable (inout TenantComputeSpec) -> Void

    init(_ name: String, _ changes: [String], _ mutate: @escaping @Sendable (inout TenantComputeSpec) -> Void) {
        self.name = name
        self.changes = changes
        self.mutate = mutate
    }

    var testDescription: String { self.name }
}

@Suite("Mock provider: change lists")
struct MockProviderChangesTests {
    /// The spec every case starts from.
    static var base: TenantComputeSpec {
        var spec = TenantComputeSpec.valid(labels: ["tier": "gold"])
        spec.containers[0].image = "nginx:1.21"
        spec.containers[0].env = ["MODE": "prod", "API_KEY": "old-s3cret"]
        spec.containers[0].resources = ResourceRequirements(cpu: 128, memory: 256)
        spec.containers.append(ContainerSpec(name: "cache", image: "redis:7"))
        spec.secrets = [SecretReference(name: "db", source: "vault", key: "old/s3cret/key")]
        return spec
    }

    static let cases: [ChangeCase] = [
        ChangeCase("image", ["containers[web].image: nginx:1.21 -> nginx:1.25"]) {
            $0.containers[0].image = "nginx:1.25"
        },
        ChangeCase("container added", ["containers[db]: added"]) {
            $0.containers.append(ContainerSpec(name: "db", image: "postgres:16"))
        },
        ChangeCase(
            "containers replaced", ["containers[api]: added", "containers[web]: removed", "containers[cache]: removed"]
        ) {
            $0.containers = [ContainerSpec(name: "api", image: "app:1")]
        },
        ChangeCase("container order", ["containers: order changed"]) { $0.containers.reverse() },
        ChangeCase("label changed", ["labels[tier]: gold -> silver"]) { $0.labels["tier"] = "silver" },
        ChangeCase("label added", ["labels[team]: added (core)"]) { $0.labels["team"] = "core" },
        ChangeCase("label removed", ["labels[tier]: removed"]) { $0.labels = [:] },
        ChangeCase("tenant cpu", ["resources.cpu: 256 -> 512"]) { $0.resources.cpu = 512 },
        ChangeCase("tenant memory and storage", ["resources.memory: 512 -> 1024", "resources.storage: 0 -> 2048"]) {
            $0.resources.memory = 1024
            $0.resources.storage = 2048
        },
        ChangeCase("container resources", ["containers[web].resources.cpu: 128 -> 256"]) {
            $0.containers[0].resources?.cpu = 256
        },
        ChangeCase("container resources removed", ["containers[web].resources: removed"]) {
            $0.containers[0].resources = nil
        },
        ChangeCase("env value changed, value not shown", ["containers[web].env[API_KEY]: changed"]) {
            $0.containers[0].env["API_KEY"] = "new-s3cret"
        },
        ChangeCase(
            "env added and removed", ["containers[web].env[DEBUG]: added", "containers[web].env[MODE]: removed"]
        ) {
            $0.containers[0].env["MODE"] = nil
            $0.containers[0].env["DEBUG"] = "1-s3cret"
        },
        ChangeCase("command and args", ["containers[web].command: changed", "containers[web].args: changed"]) {
            $0.containers[0].command = ["nginx"]
            $0.containers[0].args = ["--token=s3cret"]
        },
        ChangeCase("ports", ["containers[web].ports: [80/tcp http] -> [8080:80/tcp http, 53/udp]"]) {
            $0.containers[0].ports[0].hostPort = 8080
            $0.containers[0].ports.append(PortMapping(containerPort: 53, protocol: "udp"))
        },
        ChangeCase(
            "health check fields",
            [
                "containers[web].health_check.http_path: /healthz -> /ready",
                "containers[web].health_check.interval_seconds: 30 -> 10",
            ]
        ) {
            $0.containers[0].healthCheck?.httpPath = "/ready"
            $0.containers[0].healthCheck?.intervalSeconds = 10
        },
        ChangeCase("health check removed", ["containers[web].health_check: removed"]) {
            $0.containers[0].healthCheck = nil
        },
        ChangeCase(
            "networking",
            [
                "networking.public_ip: false -> true", "networking.security_groups: [] -> [sg-1]",
                "networking.dns: added",
            ]
        ) {
            $0.networking.publicIP = true
            $0.networking.securityGroups = ["sg-1"]
            $0.networking.dns = DNSConfig(hostname: "acme")
        },
        ChangeCase("secret changed, content not shown", ["secrets[db]: changed"]) {
            $0.secrets[0].key = "new/s3cret/key"
        },
        ChangeCase("secret added", ["secrets[cache]: added"]) {
            $0.secrets.append(SecretReference(name: "cache", source: "vault", key: "cache-s3cret"))
        },
        ChangeCase("provider_config, content not shown", ["provider_config: added"]) {
            $0.providerConfig = RawJSON(#"{"token":"s3cret"}"#)
        },
        ChangeCase(
            "several at once, in field order",
            [
                "containers[web].image: nginx:1.21 -> nginx:1.25", "containers[db]: added", "resources.cpu: 256 -> 512",
                "labels[x]: added (a)",
            ]
        ) {
            $0.containers[0].image = "nginx:1.25"
            $0.containers.append(ContainerSpec(name: "db", image: "postgres:16"))
            $0.resources.cpu = 512
            $0.labels["x"] = "a"
        },
    ]

    @Test("update lists exactly what changed", arguments: Self.cases)
    func changeList(_ change: ChangeCase) async throws {
        let provider = MockProvider()
        _ = try await provider.provision(Self.base)
        var spec = Self.base
        change.mutate(&spec)
        let result = try await provider.update(tenantID: "acme", spec: spec)
        #expect(result.status == .success)
        #expect(result.changes == change.changes)
        for line in result.changes {
            #expect(!line.contains("s3cret"), "leaked: \(line)")
        }
        #expect(provider.storedSpec(tenantID: "acme") == spec)
        // The same update again is a no-op.
        #expect(try await provider.update(tenantID: "acme", spec: spec).status == .noChanges)
    }
}
