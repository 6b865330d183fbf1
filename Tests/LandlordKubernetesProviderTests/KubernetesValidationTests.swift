import Foundation
import LandlordCompute
import LandlordKubernetesProvider
import Testing

@Suite("Kubernetes provider: provider_config and validation")
struct KubernetesValidationTests {
    private func configViolations(_ json: String) -> [String] {
        KubernetesSpecConfig.decode(RawJSON(json)).violations.map(\.field)
    }

    @Test("every key decodes to its canonical form")
    func decodesEveryKey() throws {
        let (config, violations) = KubernetesSpecConfig.decode(Specs.rich.providerConfig)
        #expect(violations.isEmpty)
        #expect(config.replicas == 3)
        #expect(config.serviceType == .loadBalancer)
        #expect(config.nodeSelector == ["kubernetes.io/os": "linux"])
        #expect(config.tolerations?.count == 2)
        #expect(config.imagePullSecrets == ["registry-acme"])
        #expect(config.serviceAccount == "acme-runner")
        #expect(config.ingressFromNamespaces == ["ingress-nginx"])
        #expect(config.rollbackOnFailure == true)
        #expect(KubernetesSpecConfig.decode(nil).config.isEmpty)
        #expect(KubernetesSpecConfig.decode(RawJSON("{}")).config.effectiveReplicas == 1)
    }

    @Test(
        "provider_config violations carry the field path",
        arguments: [
            (#"[1]"#, ["provider_config"]),
            (#"{"replica": 2}"#, ["provider_config.replica"]),
            (#"{"replicas": "2"}"#, ["provider_config.replicas"]),
            (#"{"replicas": -1}"#, ["provider_config.replicas"]),
            (#"{"replicas": 1001}"#, ["provider_config.replicas"]),
            (#"{"replicas": 1.5}"#, ["provider_config.replicas"]),
            (#"{"service_type": "ExternalName"}"#, ["provider_config.service_type"]),
            (#"{"service_type": 1}"#, ["provider_config.service_type"]),
            (#"{"node_selector": ["a"]}"#, ["provider_config.node_selector"]),
            (#"{"node_selector": {"bad key!": "x"}}"#, ["provider_config.node_selector.bad key!"]),
            (#"{"node_selector": {"zone": 1}}"#, ["provider_config.node_selector.zone"]),
            (#"{"node_selector": {"zone": "-a"}}"#, ["provider_config.node_selector.zone"]),
            (#"{"tolerations": {}}"#, ["provider_config.tolerations"]),
            (#"{"tolerations": [1]}"#, ["provider_config.tolerations[0]"]),
            (#"{"tolerations": [{"operator": "Maybe"}]}"#, ["provider_config.tolerations[0].operator"]),
            (#"{"tolerations": [{"key": "a", "effect": "Sometimes"}]}"#, ["provider_config.tolerations[0].effect"]),
            (#"{"tolerations": [{"operator": "Equal"}]}"#, ["provider_config.tolerations[0].key"]),
            (#"{"tolerations": [{"operator": "Exists", "value": "x"}]}"#, ["provider_config.tolerations[0].value"]),
            (
                #"{"tolerations": [{"key": "a", "toleration_seconds": 5}]}"#,
                ["provider_config.tolerations[0].toleration_seconds"]
            ),
            (
                #"{"tolerations": [{"key": "a", "tolerationSeconds": 5}]}"#,
                ["provider_config.tolerations[0].tolerationSeconds"]
            ),
            (#"{"image_pull_secrets": "regcred"}"#, ["provider_config.image_pull_secrets"]),
            (#"{"image_pull_secrets": ["ok", "Not_OK"]}"#, ["provider_config.image_pull_secrets[1]"]),
            (#"{"service_account": "Admin"}"#, ["provider_config.service_account"]),
            (#"{"service_account": true}"#, ["provider_config.service_account"]),
            (#"{"ingress_from_namespaces": ["a.b"]}"#, ["provider_config.ingress_from_namespaces[0]"]),
            (#"{"rollback_on_failure": "yes"}"#, ["provider_config.rollback_on_failure"]),
            (
                #"{"replicas": "x", "service_type": "y", "extra": 1}"#,
                ["provider_config.extra", "provider_config.replicas", "provider_config.service_type"]
            ),
        ])
    func providerConfigViolations(json: String, fields: [String]) {
        #expect(self.configViolations(json) == fields)
    }

    @Test("violation descriptions never quote provider_config values")
    func descriptionsDoNotQuoteValues() {
        let violations = KubernetesSpecConfig.decode(
            RawJSON(#"{"service_type": "hunter2-secret", "service_account": "Hunter2-Secret"}"#)
        ).violations
        #expect(violations.count == 2)
        for violation in violations { #expect(!violation.description.lowercased().contains("hunter2")) }
    }

    private func fields(_ spec: TenantComputeSpec, prefix: String = "landlord-", secretsDirectory: String? = nil)
        -> [String]
    {
        KubernetesValidation.violations(of: spec, namespacePrefix: prefix, secretsDirectory: secretsDirectory).map(
            \.field)
    }

    @Test("the example specs are valid")
    func validSpecs() {
        for spec in [Specs.rich, Specs.minimal, Specs.nodePort] {
            #expect(SpecValidator.violations(of: spec).isEmpty)
            #expect(self.fields(spec).isEmpty)
        }
    }

    @Test("the namespace must be a DNS-1123 label of at most 63 characters")
    func namespaceLength() {
        var spec = Specs.minimal
        spec.tenantID = String(repeating: "a", count: 55)
        #expect(self.fields(spec) == ["tenant_id"])  // landlord- + 55 = 64
        spec.tenantID = String(repeating: "a", count: 54)
        #expect(self.fields(spec).isEmpty)
        spec.tenantID = "ends-with-dash-"
        #expect(self.fields(spec) == ["tenant_id"])
        spec.tenantID = "-x"  // landlord--x is a DNS label, but -x is no label value
        #expect(self.fields(spec) == ["tenant_id"])
        #expect(self.fields(spec, prefix: "").contains("tenant_id"))
    }

    @Test("provider rules: names, ports, secrets, networking, labels, resources")
    func providerRules() {
        var spec = Specs.rich
        spec.providerType = "docker"
        spec.containers[0].name = "web-"
        spec.containers[0].env["1BAD"] = "x"
        spec.containers[0].env["API_TOKEN"] = "x"
        spec.containers[0].ports.append(PortMapping(containerPort: 81, name: "this-name-is-too-long"))
        spec.containers[1].ports.append(PortMapping(containerPort: 80))  // 80/tcp is web's
        spec.containers[1].ports.append(PortMapping(containerPort: 82, hostPort: 8080))  // Service port 8080 is web's
        spec.secrets.append(SecretReference(name: "bad/name", source: "vault", key: "k", envVar: "DB_PASSWORD"))
        spec.secrets.append(SecretReference(name: "file", source: "file", key: "x", envVar: ""))
        spec.networking.securityGroups = ["sg-1"]
        spec.networking.subnets = ["subnet-1"]
        spec.networking.dns?.domain = "example.com"
        spec.labels["landlord.dev/tenant-id"] = "other"
        spec.labels["bad key"] = "x"
        spec.labels["ok"] = "bad value!"
        spec.labels["kubernetes.io/metadata.name"] = "other"
        spec.networking.dns?.hostname = "Acme"
        spec.containers[0].resources = ResourceRequirements(cpu: 1000, memory: 256)  // leaves nothing for worker
        #expect(
            self.fields(spec).sorted() == [
                "containers[0].env[\"1BAD\"]",
                "containers[0].env[\"API_TOKEN\"]",
                "containers[0].name",
                "containers[0].ports[2].name",
                "containers[0].resources.cpu",
                "containers[1].ports[1].container_port",
                "containers[1].ports[2].host_port",
                "labels.\"bad key\"",
                "labels.\"kubernetes.io/metadata.name\"",
                "labels.\"landlord.dev/tenant-id\"",
                "labels.\"ok\"",
                "networking.dns.domain",
                "networking.dns.hostname",
                "networking.security_groups",
                "networking.subnets",
                "provider_type",
                "secrets[2].env_var",
                "secrets[2].name",
                "secrets[2].source",
                "secrets[3].env_var",
                "secrets[3].source",
            ])
        // A Service port is used once per protocol, whether it comes from host_port or container_port.
        var servicePorts = Specs.minimal
        servicePorts.containers[0].ports = [PortMapping(containerPort: 80, hostPort: 8080)]
        servicePorts.containers.append(
            ContainerSpec(name: "b", image: "busybox:1.36", ports: [PortMapping(containerPort: 8080)]))
        #expect(self.fields(servicePorts) == ["containers[1].ports[0].container_port"])
        servicePorts.containers[1].ports[0].protocol = .udp
        #expect(self.fields(servicePorts).isEmpty)

        // The stored spec must fit in an annotation.
        var large = Specs.minimal
        large.containers[0].args = Array(repeating: String(repeating: "x", count: 1000), count: 140)
        #expect(self.fields(large) == ["containers"])

        // With a secrets directory, file secrets are fine (and their key must stay inside it).
        var files = Specs.minimal
        files.secrets = [SecretReference(name: "a", source: "file", key: "../etc/passwd", envVar: "A")]
        #expect(self.fields(files, secretsDirectory: "/run/secrets") == ["secrets[0].key"])
        files.secrets[0].key = "db/password"
        #expect(self.fields(files, secretsDirectory: "/run/secrets").isEmpty)
    }

    @Test("name rules match the API server's")
    func names() {
        #expect(KubernetesNames.isDNS1123Label("a-1"))
        #expect(!KubernetesNames.isDNS1123Label("A"))
        #expect(!KubernetesNames.isDNS1123Label(String(repeating: "a", count: 64)))
        #expect(KubernetesNames.isPortName("http"))
        #expect(!KubernetesNames.isPortName("8080"))
        #expect(!KubernetesNames.isPortName("a--b"))
        #expect(!KubernetesNames.isPortName("sixteen-chars-xx"))
        #expect(KubernetesNames.isLabelKey("example.com/tier"))
        #expect(!KubernetesNames.isLabelKey("/tier"))
        #expect(KubernetesNames.isLabelValue(""))
        #expect(!KubernetesNames.isLabelValue("a b"))
        #expect(KubernetesNames.isEnvironmentVariableName("my.var-1"))
        #expect(!KubernetesNames.isEnvironmentVariableName("9LIVES"))
    }
}
