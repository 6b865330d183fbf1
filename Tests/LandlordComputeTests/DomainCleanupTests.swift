import Foundation
import LandlordCompute
import LandlordComputeTesting
import Testing

/// A health check timing field: its path, how to set it and what it resolves to when 0.
struct TimingField: Sendable, CustomTestStringConvertible {
    var name: String
    var set: @Sendable (inout HealthCheckConfig, Int) -> Void
    var effective: @Sendable (HealthCheckConfig) -> Int
    var resolvedValue: @Sendable (HealthCheckConfig) -> Int
    var defaultValue: Int

    var testDescription: String { self.name }
}

@Suite("Health check: zero means default")
struct HealthCheckDefaultsTests {
    static let fields: [TimingField] = [
        TimingField(
            name: "interval_seconds", set: { $0.intervalSeconds = $1 }, effective: \.effectiveIntervalSeconds,
            resolvedValue: { $0.resolved().intervalSeconds }, defaultValue: 10),
        TimingField(
            name: "timeout_seconds", set: { $0.timeoutSeconds = $1 }, effective: \.effectiveTimeoutSeconds,
            resolvedValue: { $0.resolved().timeoutSeconds }, defaultValue: 1),
        TimingField(
            name: "healthy_threshold", set: { $0.healthyThreshold = $1 }, effective: \.effectiveHealthyThreshold,
            resolvedValue: { $0.resolved().healthyThreshold }, defaultValue: 1),
        TimingField(
            name: "unhealthy_threshold", set: { $0.unhealthyThreshold = $1 },
            effective: \.effectiveUnhealthyThreshold, resolvedValue: { $0.resolved().unhealthyThreshold },
            defaultValue: 3),
    ]

    static func spec(_ check: HealthCheckConfig) -> TenantComputeSpec {
        var spec = TenantComputeSpec.valid()
        spec.containers[0].healthCheck = check
        return spec
    }

    @Test("the defaults are the Kubernetes probe defaults and valid")
    func defaults() {
        #expect(
            HealthCheckConfig.defaults
                == .init(intervalSeconds: 10, timeoutSeconds: 1, healthyThreshold: 1, unhealthyThreshold: 3))
        let resolved = HealthCheckConfig(
            type: .http, httpPath: "/", port: 80, intervalSeconds: 0, timeoutSeconds: 0, healthyThreshold: 0,
            unhealthyThreshold: 0
        ).resolved()
        #expect(SpecValidator.violations(of: Self.spec(resolved)) == [])
    }

    @Test("a zero field is accepted and resolves to its default", arguments: Self.fields)
    func zero(_ field: TimingField) {
        var check = HealthCheckConfig.http(path: "/healthz", port: 80)
        field.set(&check, 0)
        #expect(SpecValidator.violations(of: Self.spec(check)) == [])
        #expect(field.effective(check) == field.defaultValue)
        #expect(field.resolvedValue(check) == field.defaultValue)
        // Other fields are untouched by resolution.
        var explicit = check
        field.set(&explicit, 7)
        #expect(field.effective(explicit) == 7)
    }

    @Test("a negative field is a violation at its path", arguments: Self.fields)
    func negative(_ field: TimingField) {
        var check = HealthCheckConfig.http(path: "/healthz", port: 80)
        field.set(&check, -1)
        let violations = SpecValidator.violations(of: Self.spec(check))
        #expect(violations.map(\.field).contains("containers[0].health_check.\(field.name)"))
        #expect(violations.allSatisfy { $0.description.contains("(it is -1)") || $0.field.hasSuffix("timeout_seconds") })
        #expect(field.resolvedValue(check) == -1, "negative values are not replaced")
    }

    @Test("a check with only type, port and path (all timing 0) is valid, as JSON and as built")
    func onlyTypePortPath() throws {
        let json = #"{"type":"http","port":8080,"http_path":"/healthz"}"#
        let check = try JSONDecoder().decode(HealthCheckConfig.self, from: Data(json.utf8))
        #expect(check.intervalSeconds == 0 && check.timeoutSeconds == 0)
        #expect(SpecValidator.violations(of: Self.spec(check)) == [])
        #expect(
            check.resolved()
                == HealthCheckConfig(
                    type: .http, httpPath: "/healthz", port: 8080, intervalSeconds: 10, timeoutSeconds: 1,
                    healthyThreshold: 1, unhealthyThreshold: 3))
    }

    @Test("timeout < interval is checked with the defaults applied")
    func timeoutAgainstDefaultInterval() {
        var check = HealthCheckConfig.http(path: "/", port: 80)
        check.intervalSeconds = 0
        check.timeoutSeconds = 12
        #expect(
            SpecValidator.violations(of: Self.spec(check)) == [
                FieldViolation(
                    field: "containers[0].health_check.timeout_seconds",
                    description: "timeout_seconds (12) must be less than interval_seconds (10, the default)")
            ])
        check.timeoutSeconds = 9
        #expect(SpecValidator.violations(of: Self.spec(check)) == [])
        check.intervalSeconds = 5
        check.timeoutSeconds = 0
        #expect(SpecValidator.violations(of: Self.spec(check)) == [])
    }
}

@Suite("Open string values")
struct OpenValueTests {
    struct Box<Value: Codable & Equatable>: Codable, Equatable { var value: Value }

    static func roundTrip<Value: OpenStringValue>(_ value: Value) throws {
        let data = try JSONEncoder().encode(Box(value: value))
        #expect(String(decoding: data, as: UTF8.self) == #"{"value":"\#(value.rawValue)"}"#)
        #expect(try JSONDecoder().decode(Box<Value>.self, from: data) == Box(value: value))
        #expect("\(value)" == value.rawValue)
    }

    @Test("known and unknown values round-trip JSON as the same strings")
    func json() throws {
        for value in HealthCheckType.known + ["grpc", ""] { try Self.roundTrip(value) }
        for value in PortProtocol.known + ["sctp"] { try Self.roundTrip(value) }
        for value in ContainerState.known + ["paused"] { try Self.roundTrip(value) }
        for value in EndpointType.known + ["ws"] { try Self.roundTrip(value) }
    }

    @Test("cases and known sets")
    func cases() {
        #expect(HealthCheckType.known.map(\.rawValue) == ["http", "tcp", "exec"])
        #expect(PortProtocol.known.map(\.rawValue) == ["tcp", "udp"])
        #expect(ContainerState.known.map(\.rawValue) == ["running", "stopped", "starting", "stopping", "failed", "unknown"])
        #expect(Set(ContainerState.known.map(\.rawValue)) == Set(ComputeState.allCases.map(\.rawValue)))
        #expect(EndpointType.known.map(\.rawValue) == ["http", "https", "tcp", "udp", "grpc"])
        #expect(HealthCheckType("grpc").isKnown == false && HealthCheckType.exec.isKnown)
        #expect(HealthCheckType.knownList == #""http", "tcp" or "exec""#)
        #expect(HealthCheckType.http.probesPort && HealthCheckType.tcp.probesPort && !HealthCheckType.exec.probesPort)
    }

    @Test("an unknown value is the same violation as when the fields were strings")
    func unknownViolations() {
        var spec = TenantComputeSpec.valid()
        spec.containers[0].ports[0].protocol = "sctp"
        spec.containers[0].healthCheck?.type = "grpc"
        #expect(
            SpecValidator.violations(of: spec) == [
                FieldViolation(
                    field: "containers[0].ports[0].protocol", description: #"protocol must be "tcp" or "udp" (it is "sctp")"#),
                FieldViolation(
                    field: "containers[0].health_check.type",
                    description: #"health check type must be "http", "tcp" or "exec" (it is "grpc")"#),
            ])
        spec.containers[0].ports[0].protocol = ""
        spec.containers[0].healthCheck?.type = ""
        #expect(
            SpecValidator.violations(of: spec).map(\.description) == [
                #"protocol is required and must be "tcp" or "udp""#,
                #"health check type is required and must be "http", "tcp" or "exec""#,
            ])
    }

    @Test("the endpoint type rule: named http/https/grpc ports, else the protocol")
    func endpointType() {
        #expect(EndpointType(of: PortMapping(containerPort: 80, name: "HTTP")) == .http)
        #expect(EndpointType(of: PortMapping(containerPort: 443, name: "https")) == .https)
        #expect(EndpointType(of: PortMapping(containerPort: 9000, name: "grpc")) == .grpc)
        #expect(EndpointType(of: PortMapping(containerPort: 53, protocol: .udp, name: "dns")) == .udp)
        #expect(EndpointType(of: PortMapping(containerPort: 5432)) == .tcp)
        #expect(
            Endpoint(publishing: PortMapping(containerPort: 80, name: "http"), address: "::1", port: 8080)
                == Endpoint(type: .http, address: "::1", port: 8080, url: "http://[::1]:8080"))
        #expect(
            Endpoint(publishing: PortMapping(containerPort: 5432), address: "db.local", port: 5432)
                == Endpoint(type: .tcp, address: "db.local", port: 5432))
    }
}

@Suite("Shared provider rules")
struct SharedRuleTests {
    @Test("tenant id mismatch is one tenant_id violation")
    func mismatch() {
        let spec = TenantComputeSpec.valid(tenantID: "acme")
        #expect(SpecValidator.tenantIDMismatch("acme", spec: spec) == nil)
        #expect(
            SpecValidator.tenantIDMismatch("other", spec: spec)
                == FieldViolation(
                    field: "tenant_id",
                    description: #"tenant_id "other" of the request does not match the spec's tenant_id "acme""#))
        #expect(throws: ComputeError.self) { try SpecValidator.checkTenantIDMatches("other", spec: spec) }
    }

    @Test("provider_type must name the provider")
    func providerType() {
        let spec = TenantComputeSpec.valid(providerType: "mock")
        #expect(SpecValidator.providerTypeViolation(of: spec, provider: "mock") == nil)
        #expect(
            SpecValidator.providerTypeViolation(of: spec, provider: "docker")
                == FieldViolation(
                    field: "provider_type", description: #"provider_type must be "docker" for this provider (it is "mock")"#))
    }
}

@Suite("Tenant-level change list")
struct TenantChangesTests {
    static var base: TenantComputeSpec {
        var spec = TenantComputeSpec.valid(labels: ["tier": "gold"])
        spec.containers.append(ContainerSpec(name: "cache", image: "redis:7"))
        spec.containers.append(ContainerSpec(name: "api", image: "app:1"))
        spec.secrets = [
            SecretReference(name: "db", source: "vault", key: "k1"), SecretReference(name: "tls", source: "vault", key: "k2"),
        ]
        return spec
    }

    static func changes(
        _ order: SpecChangeDescriptions.Order = .significant, _ mutate: (inout TenantComputeSpec) -> Void
    ) -> [String] {
        var new = Self.base
        mutate(&new)
        return SpecChangeDescriptions.tenantChanges(from: Self.base, to: new, order: order)
    }

    @Test("equal specs have no changes")
    func equal() {
        #expect(SpecChangeDescriptions.tenantChanges(from: Self.base, to: Self.base).isEmpty)
        #expect(Self.changes(.ignored) { _ in }.isEmpty)
    }

    @Test("reordering is a change only when order is significant")
    func order() {
        #expect(Self.changes { $0.containers.reverse() } == ["containers: order changed"])
        #expect(Self.changes { $0.secrets.reverse() } == ["secrets: order changed"])
        #expect(Self.changes(.ignored) { $0.containers.reverse() }.isEmpty)
        #expect(Self.changes(.ignored) { $0.secrets.reverse() }.isEmpty)
    }

    @Test("removed containers: old order when significant, by name when ignored")
    func removed() {
        #expect(
            Self.changes { $0.containers = [$0.containers[0]] } == [
                "containers[cache]: removed", "containers[api]: removed",
            ])
        #expect(
            Self.changes(.ignored) { $0.containers = [$0.containers[0]] } == [
                "containers[api]: removed", "containers[cache]: removed",
            ])
    }

    @Test("tenant-level fields, in field order")
    func tenantFields() {
        #expect(
            Self.changes {
                $0.providerType = "docker"
                $0.resources.memory = 1024
                $0.networking.publicIP = true
                $0.networking.subnets = ["subnet-1"]
                $0.secrets.removeLast()
                $0.secrets.append(SecretReference(name: "api", source: "vault", key: "k3"))
                $0.secrets[0].key = "k9"
                $0.labels["team"] = "core"
                $0.labels["tier"] = nil
                $0.providerConfig = RawJSON(#"{"a":1}"#)
            } == [
                "provider_type: mock -> docker",
                "resources.memory: 512 -> 1024",
                "networking.public_ip: false -> true",
                "networking.subnets: [] -> [subnet-1]",
                "secrets[db]: changed",
                "secrets[api]: added",
                "secrets[tls]: removed",
                "labels[team]: added (core)",
                "labels[tier]: removed",
                "provider_config: added",
            ])
    }

    @Test("dns: added, removed, field changes; an empty dns counts as none")
    func dns() {
        #expect(Self.changes { $0.networking.dns = DNSConfig(hostname: "acme") } == ["networking.dns: added"])
        #expect(Self.changes { $0.networking.dns = DNSConfig() } == ["spec: changed"])
        #expect(Self.changes(.ignored) { $0.networking.dns = DNSConfig() } == ["spec: changed"])
        var withDNS = Self.base
        withDNS.networking.dns = DNSConfig(hostname: "acme", domain: "example.com")
        var changed = withDNS
        changed.networking.dns = DNSConfig(hostname: "shop", domain: "example.com")
        #expect(
            SpecChangeDescriptions.tenantChanges(from: withDNS, to: changed) == ["networking.dns.hostname: acme -> shop"])
        #expect(SpecChangeDescriptions.tenantChanges(from: withDNS, to: Self.base) == ["networking.dns: removed"])
    }

    @Test("an empty provider_config versus none is reported as spec: changed")
    func unnamed() {
        #expect(Self.changes { $0.providerConfig = RawJSON("") } == ["spec: changed"])
    }
}
