import Foundation
import LandlordCompute
import LandlordComputeTesting
import LandlordProviderKit
import Testing

@testable import LandlordDockerProvider

@Suite("Docker provider: names, labels and hashes")
struct DockerNamingAndHashTests {
    @Test("names follow landlord-<tenant>[-<container>]")
    func names() {
        #expect(DockerNaming.networkName(tenantID: "acme") == "landlord-acme")
        #expect(DockerNaming.containerName(tenantID: "acme", container: "web") == "landlord-acme-web")
        #expect(DockerNaming.previousName(of: "landlord-acme-web") == "landlord-acme-web.previous")
        #expect(DockerLabels.filters(tenantID: "acme") == ["landlord.tenant_id=acme", "landlord.provider=docker"])
    }

    static func spec() -> TenantComputeSpec {
        var spec = TenantComputeSpec(
            tenantID: "acme",
            providerType: "docker",
            containers: [
                ContainerSpec(
                    name: "web", image: "nginx:1.25", command: ["nginx"], args: ["-g", "daemon off;"],
                    env: ["MODE": "prod", "TOKEN": "tok-s3cret"],
                    ports: [
                        PortMapping(containerPort: 80, protocol: "tcp", name: "http"),
                        PortMapping(containerPort: 53, hostPort: 5353, protocol: "udp"),
                    ],
                    healthCheck: .http(path: "/healthz", port: 80)
                ),
                ContainerSpec(
                    name: "worker", image: "busybox:1", args: ["sleep", "1000"],
                    resources: ResourceRequirements(cpu: 1500, memory: 256)
                ),
            ],
            resources: ResourceRequirements(cpu: 250, memory: 512),
            networking: NetworkConfig(dns: DNSConfig(hostname: "app", domain: "example.org")),
            secrets: [SecretReference(name: "db", source: "env", key: "DB_PASSWORD_KEY", envVar: "DB_PASSWORD")],
            labels: ["team": "core"]
        )
        spec.providerConfig = RawJSON(#"{"restart_policy": "always"}"#)
        return spec
    }

    @Test("a plan maps the spec to Docker's create request")
    func mapping() throws {
        let plan = TenantPlan(spec: Self.spec(), configuration: .defaults)
        #expect(plan.networkName == "landlord-acme")
        #expect(plan.usesTenantNetwork)
        let web = try #require(plan.container(named: "web"))
        let body = web.createBody(secrets: ["DB_PASSWORD": "pw-s3cret"], provisionedAt: 1_700_000_000_000)
        #expect(web.engineName == "landlord-acme-web")
        #expect(body.Image == "nginx:1.25")
        #expect(body.Entrypoint == ["nginx"])
        #expect(body.Cmd == ["-g", "daemon off;"])
        #expect(body.Env == ["DB_PASSWORD=pw-s3cret", "MODE=prod", "TOKEN=tok-s3cret"])
        #expect(body.Hostname == "app" && body.Domainname == "example.org")
        #expect(Set(body.ExposedPorts.keys) == ["80/tcp", "53/udp"])
        #expect(body.HostConfig.PortBindings["80/tcp"] == [DockerAPI.PortBinding(HostIp: "127.0.0.1", HostPort: "")])
        #expect(
            body.HostConfig.PortBindings["53/udp"] == [DockerAPI.PortBinding(HostIp: "127.0.0.1", HostPort: "5353")])
        #expect(body.HostConfig.NanoCpus == 250_000_000)
        #expect(body.HostConfig.Memory == 512 * 1_048_576)
        #expect(body.HostConfig.NetworkMode == "landlord-acme")
        #expect(body.HostConfig.RestartPolicy == DockerAPI.RestartPolicy(Name: "always", MaximumRetryCount: 0))
        #expect(body.NetworkingConfig?.EndpointsConfig["landlord-acme"]?.Aliases == ["web"])
        #expect(body.Labels["landlord.tenant_id"] == "acme")
        #expect(body.Labels["landlord.provider"] == "docker")
        #expect(body.Labels["landlord.container"] == "web")
        #expect(body.Labels["landlord.spec-hash"] == web.hash)
        #expect(body.Labels["landlord.provisioned-at"] == "1700000000000")

        let worker = try #require(plan.container(named: "worker"))
        let workerBody = worker.createBody(secrets: [:], provisionedAt: 0)
        #expect(workerBody.Entrypoint == nil)
        #expect(workerBody.Cmd == ["sleep", "1000"])
        #expect(workerBody.HostConfig.NanoCpus == 1_500_000_000)
        #expect(workerBody.HostConfig.Memory == 256 * 1_048_576)
    }

    @Test("network modes, host_ip and public_ip shape the bindings")
    func networkModes() throws {
        var spec = Self.spec()
        spec.providerConfig = RawJSON(#"{"network_mode":"host"}"#)
        var body = try #require(TenantPlan(spec: spec, configuration: .defaults).containers.first)
            .createBody(secrets: [:], provisionedAt: 0)
        #expect(body.HostConfig.NetworkMode == "host")
        #expect(body.HostConfig.PortBindings.isEmpty)
        #expect(body.NetworkingConfig == nil)

        spec.providerConfig = RawJSON(#"{"network_mode":"bridge","host_ip":"10.1.2.3"}"#)
        body = try #require(TenantPlan(spec: spec, configuration: .defaults).containers.first)
            .createBody(secrets: [:], provisionedAt: 0)
        #expect(body.HostConfig.NetworkMode == "bridge")
        #expect(body.HostConfig.PortBindings["80/tcp"]?.first?.HostIp == "10.1.2.3")

        spec.providerConfig = nil
        spec.networking.publicIP = true
        let plan = TenantPlan(spec: spec, configuration: .defaults)
        #expect(plan.hostIP == "0.0.0.0")
        #expect(plan.restartPolicy == .onFailure(maximumRetryCount: 3))
    }

    @Test("labels keep no environment value, secret key or secret value")
    func sanitized() throws {
        let plan = TenantPlan(spec: Self.spec(), configuration: .defaults)
        for container in plan.containers {
            let labels = container.labels(provisionedAt: 0)
            let text = labels.values.joined(separator: " ")
            #expect(!text.contains("tok-s3cret"))
            #expect(!text.contains("prod"))
            #expect(!text.contains("DB_PASSWORD_KEY"))
            #expect(text.contains(SpecHash.fingerprint("tok-s3cret")) || container.spec.name != "web")
        }
        #expect(plan.stored.secrets[0].key == SpecHash.fingerprint("DB_PASSWORD_KEY"))
        #expect(plan.stored.providerConfig == RawJSON(#"{"restart_policy":"always"}"#))
    }

    @Test("the stored spec survives the labels")
    func reconstruct() throws {
        let plan = TenantPlan(spec: Self.spec(), configuration: .defaults)
        let labels = plan.containers.reversed().map { $0.labels(provisionedAt: 0) }
        let rebuilt = try #require(StoredSpec.reconstruct(tenantID: "acme", providerType: "docker", labels: labels))
        #expect(SpecChangeDescriptions.tenantChanges(from: rebuilt, to: plan.stored, order: .ignored).isEmpty)
        #expect(Set(rebuilt.containers.map(\.name)) == ["web", "worker"])
        #expect(rebuilt.providerConfig == plan.stored.providerConfig)
        #expect(StoredSpec.reconstruct(tenantID: "acme", providerType: "docker", labels: [[:]]) == nil)
    }

    @Test("a container's hash changes with it and with the tenant-wide part, not with its siblings")
    func hashes() {
        let base = TenantPlan(spec: Self.spec(), configuration: .defaults)
        func hashes(_ change: (inout TenantComputeSpec) -> Void) -> [String] {
            var spec = Self.spec()
            change(&spec)
            return TenantPlan(spec: spec, configuration: .defaults).containers.map(\.hash)
        }
        let original = base.containers.map(\.hash)
        #expect(hashes { _ in } == original)
        #expect(Array(hashes { $0.containers.reverse() }.reversed()) == original)

        let env = hashes { $0.containers[0].env["TOKEN"] = "other-s3cret" }
        #expect(env[0] != original[0] && env[1] == original[1])
        let image = hashes { $0.containers[1].image = "busybox:2" }
        #expect(image[0] == original[0] && image[1] != original[1])

        let tenantWideChanges: [(inout TenantComputeSpec) -> Void] = [
            { $0.resources.cpu = 500 },
            { $0.labels["team"] = "edge" },
            { $0.secrets[0].key = "OTHER" },
            { $0.providerConfig = nil },
            { $0.networking.publicIP = true },
        ]
        for change in tenantWideChanges {
            let changed = hashes(change)
            #expect(changed[0] != original[0] && changed[1] != original[1])
        }
    }

    @Test("a secret's value never reaches the hash")
    func secretValues() {
        let plan = TenantPlan(spec: Self.spec(), configuration: .defaults)
        let one = plan.containers[0].createBody(secrets: ["DB_PASSWORD": "a"], provisionedAt: 0)
        let two = plan.containers[0].createBody(secrets: ["DB_PASSWORD": "b"], provisionedAt: 0)
        #expect(one.Labels == two.Labels)
        #expect(one.Env != two.Env)
    }
}

@Suite("Docker provider: change lists")
struct DockerSpecChangesTests {
    static func stored(_ change: (inout TenantComputeSpec) -> Void = { _ in }) -> TenantComputeSpec {
        var spec = DockerNamingAndHashTests.spec()
        change(&spec)
        return TenantPlan(spec: spec, configuration: .defaults).stored
    }

    @Test("equal specs have no changes, whatever the container order")
    func none() {
        #expect(SpecChangeDescriptions.tenantChanges(from: Self.stored(), to: Self.stored(), order: .ignored).isEmpty)
        #expect(SpecChangeDescriptions.tenantChanges(from: Self.stored(), to: Self.stored { $0.containers.reverse() }, order: .ignored).isEmpty)
    }

    @Test("changes are readable and never show environment values, commands or secrets")
    func readable() {
        let changes = SpecChangeDescriptions.tenantChanges(
            from: Self.stored(),
            to: Self.stored {
                $0.containers[0].image = "nginx:1.27"
                $0.containers[0].env["TOKEN"] = "new-s3cret"
                $0.containers[0].env["DEBUG"] = "1"
                $0.containers[0].command = ["nginx", "--token=s3cret"]
                $0.containers[0].healthCheck?.intervalSeconds = 10
                $0.containers.remove(at: 1)
                $0.containers.append(ContainerSpec(name: "cache", image: "redis:7"))
                $0.resources.cpu = 500
                $0.secrets[0].key = "ROTATED_s3cret"
                $0.labels["team"] = "edge"
                $0.providerConfig = RawJSON(#"{"restart_policy":"no"}"#)
            },
            order: .ignored
        )
        #expect(
            changes == [
                "containers[web].image: nginx:1.25 -> nginx:1.27",
                "containers[web].command: changed",
                "containers[web].env[DEBUG]: added",
                "containers[web].env[TOKEN]: changed",
                "containers[web].health_check.interval_seconds: 30 -> 10",
                "containers[cache]: added",
                "containers[worker]: removed",
                "resources.cpu: 250 -> 500",
                "secrets[db]: changed",
                "labels[team]: core -> edge",
                "provider_config: changed",
            ]
        )
        #expect(changes.allSatisfy { !$0.contains("s3cret") })
    }
}

@Suite("Docker provider: validation rules")
struct DockerValidationTests {
    static func provider(secretsDirectory: String? = nil) -> DockerProvider {
        var configuration = DockerProvider.Configuration.defaults
        configuration.secretsDirectory = secretsDirectory
        return DockerProvider(configuration: configuration)
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var fields: [String]
        var mutate: @Sendable (inout TenantComputeSpec) -> Void
        var testDescription: String { self.name }

        init(_ name: String, _ fields: [String], _ mutate: @escaping @Sendable (inout TenantComputeSpec) -> Void) {
            self.name = name
            self.fields = fields
            self.mutate = mutate
        }
    }

    static let cases: [Case] = [
        Case("valid", []) { _ in },
        Case("other provider type", ["provider_type"]) { $0.providerType = "mock" },
        Case("bad provider_config", ["provider_config.host_ip"]) { $0.providerConfig = RawJSON(#"{"host_ip":1}"#) },
        Case("unknown secret source", ["secrets[0].source"]) {
            $0.secrets = [SecretReference(name: "db", source: "vault", key: "k", envVar: "DB")]
        },
        Case("file secret without directory", ["secrets[0].source"]) {
            $0.secrets = [SecretReference(name: "db", source: "file", key: "db.txt", envVar: "DB")]
        },
        Case("secret without env_var", ["secrets[0].env_var"]) {
            $0.secrets = [SecretReference(name: "db", source: "env", key: "K")]
        },
        Case("secret env_var used twice", ["secrets[1].env_var"]) {
            $0.secrets = [
                SecretReference(name: "a", source: "env", key: "A", envVar: "X"),
                SecretReference(name: "b", source: "env", key: "B", envVar: "X"),
            ]
        },
        Case("secret env_var also in env", ["secrets[0].env_var"]) {
            $0.containers[0].env = ["X": "1"]
            $0.secrets = [SecretReference(name: "a", source: "env", key: "A", envVar: "X")]
        },
        Case("security groups and subnets", ["networking.security_groups", "networking.subnets"]) {
            $0.networking.securityGroups = ["sg-1"]
            $0.networking.subnets = ["subnet-1"]
        },
        Case("ports with network_mode none", ["containers[0].ports", "containers[0].health_check.type"]) {
            $0.providerConfig = RawJSON(#"{"network_mode":"none"}"#)
        },
        Case("host mode with another host port", ["containers[0].ports[0].host_port"]) {
            $0.providerConfig = RawJSON(#"{"network_mode":"host"}"#)
            $0.containers[0].ports[0].hostPort = 9090
        },
        Case("the same host port twice", ["containers[1].ports[0].host_port"]) {
            $0.containers[0].ports[0].hostPort = 9090
            $0.containers.append(
                ContainerSpec(name: "other", image: "nginx:1", ports: [PortMapping(containerPort: 81, hostPort: 9090)])
            )
        },
    ]

    @Test("provider rules report exact field paths", arguments: Self.cases)
    func rules(_ testCase: Case) {
        var spec = TenantComputeSpec.valid(tenantID: "acme", providerType: "docker")
        testCase.mutate(&spec)
        #expect(Self.provider().violations(of: spec).map(\.field) == testCase.fields)
    }

    @Test("file secrets need a safe key inside the configured directory")
    func fileSecrets() {
        let provider = Self.provider(secretsDirectory: "/run/secrets")
        var spec = TenantComputeSpec.valid(tenantID: "acme", providerType: "docker")
        spec.secrets = [
            SecretReference(name: "a", source: "file", key: "db/password", envVar: "A"),
            SecretReference(name: "b", source: "file", key: "../etc/shadow", envVar: "B"),
            SecretReference(name: "c", source: "file", key: "/etc/shadow", envVar: "C"),
        ]
        let violations = provider.violations(of: spec)
        #expect(violations.map(\.field) == ["secrets[1].key", "secrets[2].key"])
        #expect(violations.allSatisfy { !$0.description.contains("shadow") })
    }

    @Test("provision and update reject invalid specs before touching the engine")
    func rejectsEarly() async throws {
        // The default socket need not exist: nothing is sent.
        let provider = DockerProvider(configuration: try .init(dockerHost: "unix:///nonexistent/docker.sock"))
        var spec = TenantComputeSpec.valid(tenantID: "acme", providerType: "docker")
        spec.secrets = [SecretReference(name: "db", source: "vault", key: "k", envVar: "DB")]
        await #expect {
            _ = try await provider.provision(spec)
        } throws: { error in
            (error as? ComputeError)?.violations.map(\.field) == ["secrets[0].source"]
        }
        await #expect {
            _ = try await provider.update(tenantID: "other", spec: spec)
        } throws: { error in
            (error as? ComputeError)?.violations.map(\.field) == ["tenant_id"]
        }
        try await provider.shutdown()
    }

    @Test("an unreachable engine is a clear connection error")
    func unreachable() async throws {
        let provider = DockerProvider(configuration: try .init(dockerHost: "unix:///nonexistent/docker.sock"))
        await #expect {
            try await provider.checkConnection()
        } throws: { error in
            guard let error = error as? ComputeError else { return false }
            return error.kind == .providerFailed
                && error.message.contains("cannot reach the Docker engine at unix:///nonexistent/docker.sock")
        }
        try await provider.shutdown()
    }
}
