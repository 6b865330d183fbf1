import Foundation
import LandlordCompute
import LandlordKubernetesProvider

/// A temporary directory removed by `remove()`.
struct TemporaryDirectory {
    let url: URL

    init() throws {
        self.url = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent(
            "ll-k8s-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: self.url, withIntermediateDirectories: true)
    }

    var path: String { self.url.path }

    func path(_ name: String) -> String { self.url.appendingPathComponent(name).path }

    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let path = self.path(name)
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    func remove() { try? FileManager.default.removeItem(at: self.url) }
}

/// Specs used by the mapping tests.
enum Specs {
    /// The secret values `env` secrets resolve to in these tests.
    static let secretEnvironment = [
        "LL_TEST_DB_PASSWORD": "s3cr3t-db-password-value",
        "LL_TEST_API_TOKEN": "tok-9f8e7d6c5b4a-api-token",
    ]

    /// Two containers sharing the pod, ports, every probe kind, env, two secrets, a public IP and
    /// every provider_config key.
    static var rich: TenantComputeSpec {
        TenantComputeSpec(
            tenantID: "acme",
            providerType: "kubernetes",
            containers: [
                ContainerSpec(
                    name: "web", image: "nginx:1.25", command: ["/docker-entrypoint.sh"],
                    args: ["nginx", "-g", "daemon off;"],
                    env: ["MODE": "production", "LOG_LEVEL": "info"],
                    ports: [
                        PortMapping(containerPort: 80, hostPort: 8080, name: "http"), PortMapping(containerPort: 9090),
                    ],
                    healthCheck: HealthCheckConfig(
                        type: .http, httpPath: "/healthz", port: 80, intervalSeconds: 15, timeoutSeconds: 3,
                        healthyThreshold: 2, unhealthyThreshold: 4),
                    resources: ResourceRequirements(cpu: 500, memory: 256)
                ),
                ContainerSpec(
                    name: "worker", image: "ghcr.io/acme/worker@sha256:" + String(repeating: "a", count: 64),
                    args: ["--queue", "jobs"],
                    ports: [PortMapping(containerPort: 5353, protocol: .udp)],
                    healthCheck: HealthCheckConfig(
                        type: .exec, command: ["/bin/check", "--quick"], intervalSeconds: 0, timeoutSeconds: 0,
                        healthyThreshold: 0, unhealthyThreshold: 0)
                ),
            ],
            resources: ResourceRequirements(cpu: 1000, memory: 1024, storage: 2048),
            networking: NetworkConfig(publicIP: true, dns: DNSConfig(hostname: "acme-web")),
            secrets: [
                SecretReference(name: "db-password", source: "env", key: "LL_TEST_DB_PASSWORD", envVar: "DB_PASSWORD"),
                SecretReference(name: "api.token", source: "env", key: "LL_TEST_API_TOKEN", envVar: "API_TOKEN"),
            ],
            labels: ["team": "payments", "example.com/tier": "gold"],
            providerConfig: RawJSON(
                #"""
                {"replicas": 3, "service_type": "LoadBalancer", "node_selector": {"kubernetes.io/os": "linux"},
                 "tolerations": [{"key": "dedicated", "operator": "Equal", "value": "tenants", "effect": "NoSchedule"},
                                 {"operator": "Exists", "effect": "NoExecute", "toleration_seconds": 30}],
                 "image_pull_secrets": ["registry-acme"], "service_account": "acme-runner",
                 "ingress_from_namespaces": ["ingress-nginx"], "rollback_on_failure": true}
                """#)
        )
    }

    /// One container, no ports, no secrets, no provider_config.
    static var minimal: TenantComputeSpec {
        TenantComputeSpec(
            tenantID: "7tenant",
            providerType: "kubernetes",
            containers: [ContainerSpec(name: "app", image: "busybox:1.36", command: ["sleep", "infinity"])],
            resources: ResourceRequirements(cpu: 250, memory: 128)
        )
    }

    /// A tcp check, a NodePort Service, an env secret.
    static var nodePort: TenantComputeSpec {
        TenantComputeSpec(
            tenantID: "beta-2",
            providerType: "kubernetes",
            containers: [
                ContainerSpec(
                    name: "db", image: "postgres:16", env: ["PGDATA": "/var/lib/postgresql/data/pgdata"],
                    ports: [PortMapping(containerPort: 5432, name: "postgres")],
                    healthCheck: .tcp(port: 5432), resources: ResourceRequirements(cpu: 300, memory: 512, storage: 100))
            ],
            resources: ResourceRequirements(cpu: 300, memory: 512),
            secrets: [
                SecretReference(name: "pg", source: "env", key: "LL_TEST_DB_PASSWORD", envVar: "POSTGRES_PASSWORD")
            ],
            providerConfig: RawJSON(#"{"service_type":"NodePort","replicas":0}"#)
        )
    }

    static func objects(_ spec: TenantComputeSpec, prefix: String = "landlord-") -> TenantObjects {
        let config = KubernetesSpecConfig.decode(spec.providerConfig).config
        let values = Dictionary(
            uniqueKeysWithValues: spec.secrets.map { ($0.name, Self.secretEnvironment[$0.key] ?? "") })
        return KubernetesMapping.objects(for: spec, config: config, namespacePrefix: prefix, secretValues: values)
    }
}
