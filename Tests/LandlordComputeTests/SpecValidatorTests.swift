import LandlordCompute
import LandlordComputeTesting
import Testing

/// One validation rule: a change to a valid spec and the exact field paths it must be reported at.
struct RuleCase: Sendable, CustomTestStringConvertible {
    var name: String
    var fields: [String]
    var mutate: @Sendable (inout TenantComputeSpec) -> Void

    init(_ name: String, _ fields: [String], _ mutate: @escaping @Sendable (inout TenantComputeSpec) -> Void) {
        self.name = name
        self.fields = fields
        self.mutate = mutate
    }

    var testDescription: String { self.name }
}

@Suite("Spec validation")
struct SpecValidatorTests {
    @Test("the fixture spec is valid")
    func validFixture() {
        #expect(SpecValidator.violations(of: .valid()) == [])
    }

    static let digest = String(repeating: "0123456789abcdef", count: 4)

    static let rules: [RuleCase] = [
        // tenant_id
        RuleCase("tenant_id empty", ["tenant_id"]) { $0.tenantID = "" },
        RuleCase("tenant_id uppercase", ["tenant_id"]) { $0.tenantID = "Acme" },
        RuleCase("tenant_id underscore", ["tenant_id"]) { $0.tenantID = "acme_1" },
        RuleCase("tenant_id dot", ["tenant_id"]) { $0.tenantID = "acme.corp" },
        RuleCase("tenant_id 64 characters", ["tenant_id"]) { $0.tenantID = String(repeating: "a", count: 64) },
        RuleCase("tenant_id 63 characters is fine", []) { $0.tenantID = String(repeating: "a", count: 63) },
        RuleCase("tenant_id with digits and hyphens is fine", []) { $0.tenantID = "acme-42" },
        RuleCase("tenant_id long and uppercase breaks two rules", ["tenant_id", "tenant_id"]) {
            $0.tenantID = String(repeating: "A", count: 64)
        },
        // provider_type
        RuleCase("provider_type empty", ["provider_type"]) { $0.providerType = "" },
        // containers
        RuleCase("no containers", ["containers"]) { $0.containers = [] },
        RuleCase("container name empty", ["containers[0].name"]) { $0.containers[0].name = "" },
        RuleCase("container name uppercase", ["containers[0].name"]) { $0.containers[0].name = "Web" },
        RuleCase("container name 64 characters", ["containers[0].name"]) {
            $0.containers[0].name = String(repeating: "w", count: 64)
        },
        RuleCase("duplicate container name reported at the later index", ["containers[2].name"]) {
            $0.containers.append(ContainerSpec(name: "db", image: "postgres:16"))
            $0.containers.append(ContainerSpec(name: "web", image: "nginx"))
        },
        RuleCase("image empty", ["containers[0].image"]) { $0.containers[0].image = "" },
        RuleCase("image with empty tag", ["containers[0].image"]) { $0.containers[0].image = "nginx:" },
        RuleCase("image with short digest", ["containers[0].image"]) { $0.containers[0].image = "nginx@sha256:abc" },
        RuleCase("image with uppercase path", ["containers[0].image"]) { $0.containers[0].image = "Nginx" },
        RuleCase("image with registry, port and digest is fine", []) {
            $0.containers[0].image = "registry.example.com:5000/team/app:v1@sha256:\(SpecValidatorTests.digest)"
        },
        RuleCase("image in the second container", ["containers[1].image"]) {
            $0.containers.append(ContainerSpec(name: "db", image: "postgres:"))
        },
        // env
        RuleCase("empty env name", ["containers[0].env"]) { $0.containers[0].env = ["": "x"] },
        RuleCase("env name with '='", ["containers[0].env[A=B]"]) { $0.containers[0].env = ["A=B": "x"] },
        // ports
        RuleCase("container_port 0", ["containers[0].ports[0].container_port"]) {
            $0.containers[0].ports[0].containerPort = 0
        },
        RuleCase("container_port 65536", ["containers[0].ports[0].container_port"]) {
            $0.containers[0].ports[0].containerPort = 65536
        },
        RuleCase("container_port negative", ["containers[0].ports[0].container_port"]) {
            $0.containers[0].ports[0].containerPort = -1
        },
        RuleCase("container_port 65535 is fine", []) { $0.containers[0].ports[0].containerPort = 65535 },
        RuleCase("duplicate port and protocol", ["containers[0].ports[1].container_port"]) {
            $0.containers[0].ports.append(PortMapping(containerPort: 80, protocol: "tcp"))
        },
        RuleCase("same port on tcp and udp is fine", []) {
            $0.containers[0].ports.append(PortMapping(containerPort: 80, protocol: "udp"))
        },
        RuleCase("host_port 70000", ["containers[0].ports[0].host_port"]) {
            $0.containers[0].ports[0].hostPort = 70000
        },
        RuleCase("host_port negative", ["containers[0].ports[0].host_port"]) {
            $0.containers[0].ports[0].hostPort = -5
        },
        RuleCase("host_port 8080 is fine", []) { $0.containers[0].ports[0].hostPort = 8080 },
        RuleCase("protocol empty", ["containers[0].ports[0].protocol"]) { $0.containers[0].ports[0].protocol = "" },
        RuleCase("protocol uppercase", ["containers[0].ports[0].protocol"]) {
            $0.containers[0].ports[0].protocol = "TCP"
        },
        RuleCase("protocol sctp", ["containers[0].ports[0].protocol"]) { $0.containers[0].ports[0].protocol = "sctp" },
        RuleCase("protocol udp is fine", []) { $0.containers[0].ports[0].protocol = "udp" },
        RuleCase("second port of the second container", ["containers[1].ports[1].container_port"]) {
            $0.containers.append(
                ContainerSpec(
                    name: "dns", image: "coredns",
                    ports: [PortMapping(containerPort: 53, protocol: "udp"), PortMapping(containerPort: 0)])
            )
        },
        // health checks
        RuleCase("health check type unknown", ["containers[0].health_check.type"]) {
            $0.containers[0].healthCheck?.type = "grpc"
        },
        RuleCase("health check type empty", ["containers[0].health_check.type"]) {
            $0.containers[0].healthCheck?.type = ""
        },
        RuleCase("interval below 5", ["containers[0].health_check.interval_seconds"]) {
            $0.containers[0].healthCheck?.intervalSeconds = 4
            $0.containers[0].healthCheck?.timeoutSeconds = 1
        },
        RuleCase("interval 5 with timeout 4 is fine", []) {
            $0.containers[0].healthCheck?.intervalSeconds = 5
            $0.containers[0].healthCheck?.timeoutSeconds = 4
        },
        RuleCase("timeout -1", ["containers[0].health_check.timeout_seconds"]) {
            $0.containers[0].healthCheck?.timeoutSeconds = -1
        },
        RuleCase(
            "interval -5 (timeout 0 is then not less than it)",
            ["containers[0].health_check.interval_seconds", "containers[0].health_check.timeout_seconds"]
        ) {
            $0.containers[0].healthCheck?.intervalSeconds = -5
            $0.containers[0].healthCheck?.timeoutSeconds = 0
        },
        RuleCase("timeout 0 (default 1) with interval 5 is fine", []) {
            $0.containers[0].healthCheck?.intervalSeconds = 5
            $0.containers[0].healthCheck?.timeoutSeconds = 0
        },
        RuleCase("interval 0 (default 10) with timeout 10", ["containers[0].health_check.timeout_seconds"]) {
            $0.containers[0].healthCheck?.intervalSeconds = 0
            $0.containers[0].healthCheck?.timeoutSeconds = 10
        },
        RuleCase("interval 0 (default 10) with timeout 9 is fine", []) {
            $0.containers[0].healthCheck?.intervalSeconds = 0
            $0.containers[0].healthCheck?.timeoutSeconds = 9
        },
        RuleCase("timeout equal to interval", ["containers[0].health_check.timeout_seconds"]) {
            $0.containers[0].healthCheck?.intervalSeconds = 10
            $0.containers[0].healthCheck?.timeoutSeconds = 10
        },
        RuleCase("timeout above interval", ["containers[0].health_check.timeout_seconds"]) {
            $0.containers[0].healthCheck?.intervalSeconds = 10
            $0.containers[0].healthCheck?.timeoutSeconds = 20
        },
        RuleCase(
            "short interval and a longer timeout",
            ["containers[0].health_check.interval_seconds", "containers[0].health_check.timeout_seconds"]
        ) {
            $0.containers[0].healthCheck?.intervalSeconds = 3
            $0.containers[0].healthCheck?.timeoutSeconds = 4
        },
        RuleCase("http_path empty", ["containers[0].health_check.http_path"]) {
            $0.containers[0].healthCheck?.httpPath = ""
        },
        RuleCase("http_path without slash", ["containers[0].health_check.http_path"]) {
            $0.containers[0].healthCheck?.httpPath = "healthz"
        },
        RuleCase("http check without port", ["containers[0].health_check.port"]) {
            $0.containers[0].healthCheck?.port = 0
        },
        RuleCase("health check port 70000", ["containers[0].health_check.port"]) {
            $0.containers[0].healthCheck?.port = 70000
        },
        RuleCase("tcp check without port", ["containers[0].health_check.port"]) {
            $0.containers[0].healthCheck = .tcp(port: 0)
        },
        RuleCase("tcp check with port is fine", []) { $0.containers[0].healthCheck = .tcp(port: 5432) },
        RuleCase("exec check without command", ["containers[0].health_check.command"]) {
            $0.containers[0].healthCheck = .exec([])
        },
        RuleCase("exec check with an empty program", ["containers[0].health_check.command"]) {
            $0.containers[0].healthCheck = .exec([""])
        },
        RuleCase("exec check with command and no port is fine", []) {
            $0.containers[0].healthCheck = .exec(["pg_isready"])
        },
        RuleCase("exec check with a bad port", ["containers[0].health_check.port"]) {
            $0.containers[0].healthCheck = .exec(["true"])
            $0.containers[0].healthCheck?.port = -1
        },
        RuleCase("healthy_threshold -1", ["containers[0].health_check.healthy_threshold"]) {
            $0.containers[0].healthCheck?.healthyThreshold = -1
        },
        RuleCase("unhealthy_threshold -3", ["containers[0].health_check.unhealthy_threshold"]) {
            $0.containers[0].healthCheck?.unhealthyThreshold = -3
        },
        RuleCase("thresholds 0 (defaults) are fine", []) {
            $0.containers[0].healthCheck?.healthyThreshold = 0
            $0.containers[0].healthCheck?.unhealthyThreshold = 0
        },
        // resources
        RuleCase("cpu 127", ["resources.cpu"]) { $0.resources.cpu = 127 },
        RuleCase("cpu 128 is fine", []) { $0.resources.cpu = 128 },
        RuleCase("memory 127", ["resources.memory"]) { $0.resources.memory = 127 },
        RuleCase("memory 128 is fine", []) { $0.resources.memory = 128 },
        RuleCase("storage negative", ["resources.storage"]) { $0.resources.storage = -1 },
        RuleCase("zero resources", ["resources.cpu", "resources.memory"]) { $0.resources = ResourceRequirements() },
        RuleCase("container cpu below minimum", ["containers[0].resources.cpu"]) {
            $0.containers[0].resources = ResourceRequirements(cpu: 100, memory: 256)
        },
        RuleCase("container memory below minimum", ["containers[0].resources.memory"]) {
            $0.containers[0].resources = ResourceRequirements(cpu: 256, memory: 64)
        },
        RuleCase("container storage negative", ["containers[0].resources.storage"]) {
            $0.containers[0].resources = ResourceRequirements(cpu: 256, memory: 256, storage: -10)
        },
        RuleCase("container resources at the minimum are fine", []) {
            $0.containers[0].resources = ResourceRequirements(cpu: 128, memory: 128)
        },
        // networking
        RuleCase("dns hostname starting with '-'", ["networking.dns.hostname"]) {
            $0.networking.dns = DNSConfig(hostname: "-acme", domain: "example.com")
        },
        RuleCase("dns domain with an empty label", ["networking.dns.domain"]) {
            $0.networking.dns = DNSConfig(hostname: "acme", domain: "example..com")
        },
        RuleCase("dns hostname and domain are fine", []) {
            $0.networking.dns = DNSConfig(hostname: "acme", domain: "example.com")
        },
        // secrets
        RuleCase("secret name empty", ["secrets[0].name"]) {
            $0.secrets = [SecretReference(name: "", source: "vault", key: "k")]
        },
        RuleCase("secret source empty", ["secrets[0].source"]) {
            $0.secrets = [SecretReference(name: "db", source: "", key: "k")]
        },
        RuleCase("secret key empty", ["secrets[0].key"]) {
            $0.secrets = [SecretReference(name: "db", source: "vault", key: "")]
        },
        RuleCase("duplicate secret name", ["secrets[1].name"]) {
            $0.secrets = [
                SecretReference(name: "db", source: "vault", key: "a"),
                SecretReference(name: "db", source: "vault", key: "b"),
            ]
        },
        // labels and provider_config
        RuleCase("empty label key", ["labels"]) { $0.labels = ["": "x"] },
        RuleCase("provider_config not JSON", ["provider_config"]) { $0.providerConfig = RawJSON("{oops") },
        RuleCase("provider_config any JSON value is fine for the framework", []) {
            $0.providerConfig = RawJSON("[1,2]")
        },
        RuleCase("empty provider_config counts as absent", []) { $0.providerConfig = RawJSON("") },
    ]

    @Test("each rule is reported at its field path", arguments: Self.rules)
    func rule(_ rule: RuleCase) {
        var spec = TenantComputeSpec.valid()
        rule.mutate(&spec)
        let violations = SpecValidator.violations(of: spec)
        #expect(violations.map(\.field) == rule.fields)
        for violation in violations {
            #expect(violation.description.count > 10, "a human sentence: \(violation.description)")
        }
    }

    @Test("a spec breaking many rules at once reports every violation")
    func manyViolations() {
        let spec = TenantComputeSpec(
            tenantID: "Bad_ID",
            providerType: "",
            containers: [
                ContainerSpec(
                    name: "",
                    image: "nginx:",
                    ports: [PortMapping(containerPort: 0, protocol: "sctp")],
                    healthCheck: HealthCheckConfig(type: "grpc", intervalSeconds: 1, timeoutSeconds: 3)
                ),
                ContainerSpec(name: "web", image: "Nginx", resources: ResourceRequirements(cpu: 1, memory: 1)),
                ContainerSpec(name: "web", image: "nginx@sha256:abc"),
            ],
            resources: ResourceRequirements(cpu: 0, memory: 0),
            secrets: [SecretReference(name: "", source: "", key: "")],
            labels: ["": "x"],
            providerConfig: RawJSON("not json")
        )
        #expect(
            SpecValidator.violations(of: spec).map(\.field) == [
                "tenant_id",
                "provider_type",
                "containers[0].name",
                "containers[0].image",
                "containers[0].ports[0].container_port",
                "containers[0].ports[0].protocol",
                "containers[0].health_check.type",
                "containers[0].health_check.interval_seconds",
                "containers[0].health_check.timeout_seconds",
                "containers[1].image",
                "containers[1].resources.cpu",
                "containers[1].resources.memory",
                "containers[2].image",
                "containers[2].name",
                "resources.cpu",
                "resources.memory",
                "secrets[0].name",
                "secrets[0].source",
                "secrets[0].key",
                "labels",
                "provider_config",
            ]
        )
    }

    @Test("descriptions are human sentences that say what is wrong")
    func descriptions() {
        var spec = TenantComputeSpec.valid()
        spec.tenantID = ""
        spec.containers[0].image = "nginx:"
        spec.containers[0].healthCheck?.intervalSeconds = 10
        spec.containers[0].healthCheck?.timeoutSeconds = 10
        spec.containers.append(ContainerSpec(name: "web", image: "nginx"))
        #expect(
            SpecValidator.violations(of: spec) == [
                FieldViolation(field: "tenant_id", description: "tenant_id is required"),
                FieldViolation(
                    field: "containers[0].image",
                    description:
                        "image \"nginx:\" is not a valid image reference: the tag after \":\" must not be empty"
                ),
                FieldViolation(
                    field: "containers[0].health_check.timeout_seconds",
                    description: "timeout_seconds (10) must be less than interval_seconds (10)"
                ),
                FieldViolation(
                    field: "containers[1].name", description: "container name \"web\" is already used by containers[0]"),
            ]
        )
    }

    @Test("violation descriptions never quote environment values or secret keys")
    func noSecretsInDescriptions() {
        var spec = TenantComputeSpec.valid()
        spec.containers[0].env = ["": "env-s3cret", "A=B": "other-s3cret"]
        spec.secrets = [SecretReference(name: "", source: "", key: "key-s3cret")]
        let text = SpecValidator.violations(of: spec).map { "\($0.field) \($0.description)" }.joined(separator: "\n")
        #expect(!text.isEmpty)
        #expect(!text.contains("s3cret"))
    }

    @Test("tenant ids given on their own use the same rules")
    func tenantIDs() {
        #expect(SpecValidator.tenantIDViolations("acme-1") == [])
        #expect(SpecValidator.tenantIDViolations("").map(\.field) == ["tenant_id"])
        #expect(SpecValidator.tenantIDViolations("ACME", field: "id").map(\.field) == ["id"])
    }
}

@Suite("Spec validation: quoting")
struct SpecValidatorQuotingTests {
    @Test("descriptions quote at most 64 characters of a client's value")
    func longValuesAreCut() throws {
        var spec = TenantComputeSpec.valid()
        spec.tenantID = String(repeating: "X", count: 10_000)
        spec.containers[0].image = String(repeating: "Y", count: 10_000)
        let violations = SpecValidator.violations(of: spec)
        #expect(violations.map(\.field) == ["tenant_id", "tenant_id", "containers[0].image"])
        for violation in violations {
            #expect(violation.description.count < 400, "\(violation.description.count) characters")
        }
        #expect(
            violations[0].description
                == "tenant_id \"\(String(repeating: "X", count: 64))...\" must contain only lowercase letters, digits and '-'"
        )
        #expect(SpecValidator.quoted("short") == "\"short\"")
    }
}
