import Foundation
import LandlordCompute
import LandlordComputeTesting
import LandlordNomadProvider
import LandlordProviderKit
import Testing

@Suite("Nomad job mapping")
struct NomadMappingTests {
    static let settings = NomadJobMapping.Settings(namespace: "team", region: nil, datacenters: ["*"], mhzPerCore: 2000)

    static func job(_ spec: TenantComputeSpec, config: NomadSpecConfig = NomadSpecConfig()) -> NomadJob {
        NomadJobMapping.job(spec, config: config, settings: Self.settings, provisionedAt: Date(timeIntervalSince1970: 1_700_000_000))
    }

    static func json(_ job: NomadJob) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(job)) as? [String: Any])
    }

    @Test("a spec becomes one service job with meta, one group and a docker task per container")
    func shape() throws {
        var spec = TenantComputeSpec.valid(tenantID: "acme", providerType: "nomad")
        spec.containers[0].command = ["/bin/server"]
        spec.containers[0].args = ["--port", "80"]
        spec.containers[0].env = ["MODE": "production"]
        let job = Self.job(spec)
        #expect(job.id == "landlord-acme" && job.type == "service" && job.namespace == "team")
        #expect(job.meta?["landlord_tenant_id"] == "acme")
        #expect(job.meta?["landlord_provisioned_at"] == "1700000000")
        #expect(job.datacenters == ["*"])
        let group = try #require(job.taskGroups.first)
        #expect(job.taskGroups.count == 1 && group.name == "tenant" && group.count == 1)
        let task = try #require(group.tasks.first)
        #expect(task.driver == "docker" && task.config.image == "nginx:1.25")
        #expect(task.config.entrypoint == ["/bin/server"] && task.config.args == ["--port", "80"])
        #expect(task.env == ["MODE": "production"])
        // 256 millicores x 2000 MHz per core.
        #expect(task.resources.cpu == 512 && task.resources.memoryMB == 512 && task.resources.cores == nil)
        #expect(group.networks?.first?.dynamicPorts == [NomadPort(label: "web_80", value: nil, to: 80)])
        #expect(task.config.ports == ["web_80"])
        let service = try #require(group.services?.first)
        #expect(service.name == "landlord-acme-web" && service.provider == "nomad" && service.portLabel == "web_80")
        let check = try #require(service.checks?.first)
        #expect(check.type == "http" && check.path == "/healthz")
        #expect(check.interval == 30_000_000_000 && check.timeout == 5_000_000_000)
        #expect(check.checkRestart == NomadCheckRestart(limit: 3, grace: 30_000_000_000))
        let update = try #require(group.update)
        #expect(update.healthCheck == "checks" && update.autoRevert)
        #expect(update.minHealthyTime == 30_000_000_000 && update.healthyDeadline < update.progressDeadline)
        #expect(group.restartPolicy?.mode == "fail" && group.reschedulePolicy?.unlimited == true)
    }

    @Test("PascalCase JSON with nanosecond durations and nothing landlord does not set")
    func wireNames() throws {
        let json = try Self.json(Self.job(TenantComputeSpec.valid(tenantID: "acme", providerType: "nomad")))
        #expect(json["ID"] as? String == "landlord-acme")
        #expect(json["Priority"] == nil && json["NodePool"] == nil)
        let group = try #require((json["TaskGroups"] as? [[String: Any]])?.first)
        let task = try #require((group["Tasks"] as? [[String: Any]])?.first)
        #expect((task["Resources"] as? [String: Int])?["MemoryMB"] == 512)
        #expect((task["Config"] as? [String: Any])?["image"] as? String == "nginx:1.25")
        #expect((group["Update"] as? [String: Any])?["HealthyDeadline"] as? Int == 300_000_000_000)
    }

    @Test("a host port is a static port; provider_config sets count, datacenters, constraints, node pool, priority, cores")
    func staticPortsAndConfig() throws {
        var spec = TenantComputeSpec.valid(tenantID: "acme", providerType: "nomad")
        spec.containers[0].ports = [PortMapping(containerPort: 80, hostPort: 8080, protocol: .tcp, name: "http")]
        spec.providerConfig = RawJSON(
            #"{"count":3,"datacenters":["dc1","dc2"],"constraints":[{"attribute":"${attr.kernel.name}","value":"linux"}],"node_pool":"gpu","priority":70,"cpu_cores":true,"auto_revert":false}"#)
        let (config, violations) = NomadSpecConfig.decode(spec.providerConfig)
        #expect(violations.isEmpty)
        let job = Self.job(spec, config: config)
        let group = try #require(job.taskGroups.first)
        #expect(group.networks?.first?.reservedPorts == [NomadPort(label: "web_80", value: 8080, to: 80)])
        #expect(group.count == 3 && job.datacenters == ["dc1", "dc2"] && job.nodePool == "gpu" && job.priority == 70)
        #expect(job.constraints == [NomadConstraint(lTarget: "${attr.kernel.name}", rTarget: "linux", operand: "=")])
        #expect(group.tasks[0].resources.cores == 1 && group.tasks[0].resources.cpu == nil)
        #expect(group.update?.autoRevert == false)
    }

    @Test("secrets: a template reads the tenant's variable; no value in the job")
    func secretsTemplate() throws {
        var spec = TenantComputeSpec.valid(tenantID: "acme", providerType: "nomad")
        spec.secrets = [
            SecretReference(name: "db", source: "env", key: "X", envVar: "DB_PASSWORD"),
            SecretReference(name: "tls_key", source: "env", key: "Y"),
        ]
        let templates = try #require(Self.job(spec).taskGroups[0].tasks[0].templates)
        #expect(templates.count == 2)
        #expect(templates[0].embeddedTmpl == "{{ with nomadVar \"nomad/jobs/landlord-acme\" }}\nDB_PASSWORD={{ .db }}\n{{ end }}\n")
        #expect(templates[0].envvars && templates[0].destPath == "secrets/landlord-secrets.env")
        #expect(templates[1].destPath == "secrets/tls_key" && !templates[1].envvars)
        let stored = try #require(Self.job(spec).meta?["landlord_spec"])
        #expect(!stored.contains("\"key\":\"X\""))
    }
}

@Suite("Nomad validation")
struct NomadValidationTests {
    static func fields(_ spec: TenantComputeSpec) -> [String] {
        NomadValidation.violations(of: spec, secretsDirectory: nil).map(\.field)
    }

    @Test("provider_config: unknown keys and wrong types at their paths", arguments: [
        (#"{"count":0}"#, "provider_config.count"),
        (#"{"count":"3"}"#, "provider_config.count"),
        (#"{"priority":101}"#, "provider_config.priority"),
        (#"{"datacenters":[]}"#, "provider_config.datacenters"),
        (#"{"datacenters":["dc1",""]}"#, "provider_config.datacenters[1]"),
        (#"{"node_pool":""}"#, "provider_config.node_pool"),
        (#"{"constraints":[{"attribute":"${node.class}","operator":"~","value":"x"}]}"#, "provider_config.constraints[0].operator"),
        (#"{"constraints":[{"operator":"="}]}"#, "provider_config.constraints[0].attribute"),
        (#"{"constraints":[{"attribute":"a","weight":1}]}"#, "provider_config.constraints[0].weight"),
        (#"{"auto_revert":"yes"}"#, "provider_config.auto_revert"),
        (#"{"replicas":2}"#, "provider_config.replicas"),
        (#"[1]"#, "provider_config"),
    ])
    func providerConfig(_ json: String, _ field: String) {
        var spec = TenantComputeSpec.valid(tenantID: "acme", providerType: "nomad")
        spec.providerConfig = RawJSON(json)
        #expect(Self.fields(spec) == [field])
    }

    @Test("exec checks, a check on an undeclared port, bad secrets and networking are violations")
    func rules() {
        var spec = TenantComputeSpec.valid(tenantID: "acme", providerType: "nomad")
        spec.containers[0].healthCheck = .exec(["true"])
        spec.secrets = [
            SecretReference(name: "db-password", source: "vault", key: "x", envVar: "DB-PASSWORD")
        ]
        spec.networking.publicIP = true
        #expect(
            Self.fields(spec) == [
                "containers[0].health_check.type", "secrets[0].source", "secrets[0].name", "secrets[0].env_var",
                "networking.public_ip",
            ])
        var other = TenantComputeSpec.valid(tenantID: "acme", providerType: "nomad")
        other.containers[0].healthCheck = .tcp(port: 9000)
        #expect(Self.fields(other) == ["containers[0].health_check.port"])
        #expect(Self.fields(TenantComputeSpec.valid(tenantID: "acme", providerType: "nomad")).isEmpty)
    }

    @Test("a service name longer than 63 characters is a violation at the container's name")
    func longServiceName() {
        let spec = TenantComputeSpec.valid(tenantID: String(repeating: "a", count: 60), providerType: "nomad")
        #expect(Self.fields(spec) == ["containers[0].name"])
    }
}

@Suite("Nomad variables never show their values")
struct NomadVariableRedactionTests {
    @Test("description, dump and interpolation name the items, not the values")
    func redaction() {
        let variable = NomadVariable(namespace: "default", path: "nomad/jobs/landlord-acme", items: ["db": "s3cr3t-value"])
        var dumped = ""
        dump(variable, to: &dumped)
        for text in ["\(variable)", String(describing: variable), String(reflecting: variable), dumped] {
            #expect(!text.contains("s3cr3t-value"), "\(text)")
            #expect(text.contains("db"))
        }
    }
}
