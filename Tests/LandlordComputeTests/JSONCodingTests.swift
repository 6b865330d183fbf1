import Foundation
import LandlordCompute
import LandlordComputeTesting
import Testing

/// JSON keys and omitempty behaviour must match seed 000's Go tags exactly.
@Suite("JSON coding")
struct JSONCodingTests {
    private func encode<Value: Encodable>(_ value: Value) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    private func decode<Value: Decodable>(_ type: Value.Type, _ json: String) throws -> Value {
        try JSONDecoder().decode(type, from: Data(json.utf8))
    }

    @Test("a minimal spec writes every non-omitempty field and nothing else")
    func minimalSpec() throws {
        let spec = TenantComputeSpec(
            tenantID: "acme",
            providerType: "mock",
            containers: [ContainerSpec(name: "web", image: "nginx")],
            resources: ResourceRequirements(cpu: 256, memory: 512)
        )
        #expect(
            try self.encode(spec)
                == #"{"containers":[{"image":"nginx","name":"web"}],"networking":{"public_ip":false},"#
                + #""provider_type":"mock","resources":{"cpu":256,"memory":512},"tenant_id":"acme"}"#
        )
    }

    @Test("a full spec uses the seed's snake_case keys")
    func fullSpec() throws {
        let spec = TenantComputeSpec(
            tenantID: "acme",
            providerType: "mock",
            containers: [
                ContainerSpec(
                    name: "web",
                    image: "nginx:1.25",
                    command: ["nginx"],
                    args: ["-g", "daemon off;"],
                    env: ["MODE": "prod"],
                    ports: [PortMapping(containerPort: 80, hostPort: 8080, protocol: "tcp", name: "http")],
                    healthCheck: HealthCheckConfig(
                        type: "http",
                        httpPath: "/healthz",
                        port: 80,
                        command: ["true"],
                        intervalSeconds: 10,
                        timeoutSeconds: 2,
                        healthyThreshold: 1,
                        unhealthyThreshold: 3
                    ),
                    resources: ResourceRequirements(cpu: 128, memory: 256, storage: 1024)
                )
            ],
            resources: ResourceRequirements(cpu: 256, memory: 512, storage: 2048),
            networking: NetworkConfig(
                publicIP: true,
                securityGroups: ["sg-1"],
                subnets: ["subnet-1"],
                dns: DNSConfig(hostname: "acme", domain: "example.com")
            ),
            secrets: [SecretReference(name: "db", source: "vault", key: "db/password", envVar: "DB_PASSWORD")],
            labels: ["team": "core"],
            providerConfig: RawJSON(#"{"region":"eu-west-1"}"#)
        )
        let expected =
            #"{"containers":[{"args":["-g","daemon off;"],"command":["nginx"],"env":{"MODE":"prod"},"#
            + #""health_check":{"command":["true"],"healthy_threshold":1,"http_path":"/healthz","interval_seconds":10,"#
            + #""port":80,"timeout_seconds":2,"type":"http","unhealthy_threshold":3},"image":"nginx:1.25","name":"web","#
            + #""ports":[{"container_port":80,"host_port":8080,"name":"http","protocol":"tcp"}],"#
            + #""resources":{"cpu":128,"memory":256,"storage":1024}}],"labels":{"team":"core"},"#
            + #""networking":{"dns":{"domain":"example.com","hostname":"acme"},"public_ip":true,"#
            + #""security_groups":["sg-1"],"subnets":["subnet-1"]},"provider_config":{"region":"eu-west-1"},"#
            + #""provider_type":"mock","resources":{"cpu":256,"memory":512,"storage":2048},"#
            + #""secrets":[{"env_var":"DB_PASSWORD","key":"db/password","name":"db","source":"vault"}],"tenant_id":"acme"}"#
        #expect(try self.encode(spec) == expected)
        #expect(try self.decode(TenantComputeSpec.self, expected) == spec)
    }

    @Test("omitempty fields of nested types are left out when zero")
    func nestedOmitEmpty() throws {
        #expect(
            try self.encode(PortMapping(containerPort: 53, protocol: "udp"))
                == #"{"container_port":53,"protocol":"udp"}"#)
        #expect(
            try self.encode(
                HealthCheckConfig(
                    type: "tcp", intervalSeconds: 10, timeoutSeconds: 2, healthyThreshold: 1, unhealthyThreshold: 2))
                == #"{"healthy_threshold":1,"interval_seconds":10,"timeout_seconds":2,"type":"tcp","unhealthy_threshold":2}"#
        )
        #expect(try self.encode(DNSConfig()) == "{}")
        #expect(
            try self.encode(SecretReference(name: "a", source: "b", key: "c"))
                == #"{"key":"c","name":"a","source":"b"}"#)
        #expect(try self.encode(ResourceRequirements(cpu: 0, memory: 0)) == #"{"cpu":0,"memory":0}"#)
    }

    @Test("missing fields decode to zero values, like Go")
    func lenientDecoding() throws {
        let spec = try self.decode(TenantComputeSpec.self, #"{"tenant_id":"acme"}"#)
        #expect(spec == TenantComputeSpec(tenantID: "acme"))
        let port = try self.decode(PortMapping.self, "{}")
        #expect(port.containerPort == 0 && port.hostPort == 0 && port.protocol.rawValue.isEmpty && port.name.isEmpty)
    }

    @Test("provider_config is embedded as a JSON value and decodes to its canonical bytes")
    func providerConfigRoundTrip() throws {
        let json =
            #"{"tenant_id":"acme","provider_config":{"replicas":3,"region":"eu-west-1","nested":{"b":[1,2.5,true,null,"x/y"]}}}"#
        let spec = try self.decode(TenantComputeSpec.self, json)
        let config = try #require(spec.providerConfig)
        #expect(
            String(decoding: config.bytes, as: UTF8.self)
                == #"{"nested":{"b":[1,2.5,true,null,"x/y"]},"region":"eu-west-1","replicas":3}"#
        )
        let reencoded = try self.encode(spec)
        #expect(
            reencoded.contains(
                #""provider_config":{"nested":{"b":[1,2.5,true,null,"x/y"]},"region":"eu-west-1","replicas":3}"#))
        #expect(try self.decode(TenantComputeSpec.self, reencoded) == spec)
    }

    @Test("RawJSON keeps the bytes it was given, byte for byte")
    func rawJSONKeepsBytes() throws {
        let original = Data("{ \"b\" : 1,\n  \"a\": [ 1 , 2 ] }".utf8)
        let spec = TenantComputeSpec(tenantID: "acme", providerConfig: RawJSON(original))
        #expect(spec.providerConfig?.bytes == original)
        #expect(spec.providerConfig?.isObject == true)
        // Through JSON the value survives (whitespace is not part of a JSON value).
        let decoded = try self.decode(TenantComputeSpec.self, try self.encode(spec))
        #expect(try decoded.providerConfig?.value() == RawJSON(original).value())
        #expect(String(decoding: try #require(decoded.providerConfig).bytes, as: UTF8.self) == #"{"a":[1,2],"b":1}"#)
    }

    @Test(
        "a top-level provider_config that is not an object still round-trips",
        arguments: ["[1,2]", "\"text\"", "42", "true"])
    func providerConfigScalars(_ document: String) throws {
        let spec = TenantComputeSpec(tenantID: "acme", providerConfig: RawJSON(document))
        let decoded = try self.decode(TenantComputeSpec.self, try self.encode(spec))
        #expect(decoded.providerConfig == RawJSON(document))
    }

    @Test("an empty provider_config is omitted; malformed bytes refuse to encode")
    func providerConfigEdgeCases() throws {
        #expect(
            !(try self.encode(TenantComputeSpec(tenantID: "a", providerConfig: RawJSON(Data())))).contains(
                "provider_config"))
        #expect(throws: EncodingError.self) {
            try self.encode(TenantComputeSpec(tenantID: "a", providerConfig: RawJSON("{not json")))
        }
        #expect(RawJSON("{not json").isValidJSON == false)
        #expect(RawJSON("[1]").isValidJSON && !RawJSON("[1]").isObject)
    }

    @Test("results write resource_ids and changes even when empty, timestamps as RFC 3339")
    func results() throws {
        let date = Date(timeIntervalSince1970: 1_700_000_000.25)
        let provision = ProvisionResult(
            tenantID: "acme", providerType: "mock", status: .inProgress, provisionedAt: date)
        #expect(
            try self.encode(provision)
                == #"{"provider_type":"mock","provisioned_at":"2023-11-14T22:13:20.250Z","resource_ids":{},"status":"in_progress","tenant_id":"acme"}"#
        )
        let full = ProvisionResult(
            tenantID: "acme",
            providerType: "mock",
            status: .success,
            resourceIDs: ["network": "n-1"],
            endpoints: [
                Endpoint(type: "http", address: "acme.example.com", port: 80, url: "http://acme.example.com:80")
            ],
            message: "ok",
            provisionedAt: date
        )
        #expect(
            try self.encode(full)
                == #"{"endpoints":[{"address":"acme.example.com","port":80,"type":"http","url":"http://acme.example.com:80"}],"#
                + #""message":"ok","provider_type":"mock","provisioned_at":"2023-11-14T22:13:20.250Z","#
                + #""resource_ids":{"network":"n-1"},"status":"success","tenant_id":"acme"}"#
        )
        #expect(try self.decode(ProvisionResult.self, try self.encode(full)) == full)

        let update = UpdateResult(tenantID: "acme", providerType: "mock", status: .noChanges, updatedAt: date)
        #expect(
            try self.encode(update)
                == #"{"changes":[],"provider_type":"mock","status":"no_changes","tenant_id":"acme","updated_at":"2023-11-14T22:13:20.250Z"}"#
        )
        #expect(try self.decode(UpdateResult.self, try self.encode(update)) == update)
    }

    @Test("status writes containers even when empty and omits empty metadata and messages")
    func status() throws {
        let date = Date(timeIntervalSince1970: 1_700_000_000)
        let status = ComputeStatus(
            tenantID: "acme",
            providerType: "mock",
            state: .stopping,
            containers: [ContainerStatus(name: "web", state: "running", ready: true)],
            health: .unknown,
            lastUpdated: date
        )
        #expect(
            try self.encode(status)
                == #"{"containers":[{"name":"web","ready":true,"restart_count":0,"state":"running"}],"health":"unknown","#
                + #""last_updated":"2023-11-14T22:13:20.000Z","provider_type":"mock","state":"stopping","tenant_id":"acme"}"#
        )
        var withMetadata = status
        withMetadata.metadata = ["node": "n1"]
        withMetadata.containers[0].message = "fine"
        withMetadata.containers[0].restartCount = 2
        let json = try self.encode(withMetadata)
        #expect(json.contains(#""metadata":{"node":"n1"}"#))
        #expect(json.contains(#""message":"fine""#) && json.contains(#""restart_count":2"#))
        #expect(try self.decode(ComputeStatus.self, json) == withMetadata)
    }

    @Test("timestamps decode from RFC 3339 with and without fractional seconds")
    func timestamps() throws {
        let plain = try self.decode(
            UpdateResult.self,
            #"{"tenant_id":"a","provider_type":"m","status":"success","changes":[],"updated_at":"2023-11-14T22:13:20Z"}"#
        )
        #expect(plain.updatedAt == Date(timeIntervalSince1970: 1_700_000_000))
        let fractional = try self.decode(
            UpdateResult.self,
            #"{"tenant_id":"a","provider_type":"m","status":"success","changes":[],"updated_at":"2023-11-14T22:13:20.500Z"}"#
        )
        #expect(fractional.updatedAt == Date(timeIntervalSince1970: 1_700_000_000.5))
        #expect(throws: DecodingError.self) {
            try self.decode(
                UpdateResult.self,
                #"{"tenant_id":"a","provider_type":"m","status":"success","changes":[],"updated_at":"yesterday"}"#
            )
        }
    }

    @Test("status enums use the seed's string values")
    func enumRawValues() {
        #expect(ProvisionStatus.allCases.map(\.rawValue) == ["success", "in_progress", "failed"])
        #expect(UpdateStatus.allCases.map(\.rawValue) == ["success", "no_changes", "in_progress", "failed"])
        #expect(
            ComputeState.allCases.map(\.rawValue) == [
                "running", "stopped", "starting", "stopping", "failed", "unknown",
            ])
        #expect(HealthStatus.allCases.map(\.rawValue) == ["healthy", "unhealthy", "unknown"])
    }

    @Test("an unknown status value does not decode")
    func unknownEnumValue() {
        #expect(throws: DecodingError.self) {
            try self.decode(
                ComputeStatus.self,
                #"{"tenant_id":"a","provider_type":"m","state":"exploded","containers":[],"health":"healthy","last_updated":"2023-11-14T22:13:20Z"}"#
            )
        }
    }

    @Test("describing a spec never shows environment values, secret keys or provider configuration")
    func redactedDescription() {
        var spec = TenantComputeSpec.valid()
        spec.containers[0].env = ["API_TOKEN": "tok-s3cr3t-value"]
        spec.secrets = [SecretReference(name: "db", source: "vault", key: "prod/db-password-key")]
        spec.providerConfig = RawJSON(#"{"access_key":"AKIA-very-secret"}"#)
        let texts = [
            String(describing: spec), String(reflecting: spec),
            {
                var out = ""
                dump(spec, to: &out)
                return out
            }(),
        ]
        for text in texts {
            #expect(text.contains("API_TOKEN"))
            #expect(!text.contains("tok-s3cr3t-value"))
            #expect(!text.contains("prod/db-password-key"))
            #expect(!text.contains("AKIA-very-secret"))
        }
    }
}
