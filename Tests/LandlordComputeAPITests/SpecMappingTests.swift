import Foundation
import LandlordCompute
import LandlordComputeAPI
import LandlordProtobuf
import Testing

@Suite("TenantComputeSpec mapping: optional messages, lists, provider_config, integers, strings")
struct SpecMappingTests {
    private func specRoundTrip(_ spec: TenantComputeSpec) throws -> TenantComputeSpec? {
        try roundTrip(ValidateTenantSpecRequest(spec: spec)).spec
    }

    // MARK: Absent vs present

    @Test("spec: absent is nil, present (even empty) is not")
    func specPresence() throws {
        #expect(try roundTrip(ProvisionTenantRequest(spec: nil)).spec == nil)
        #expect(try roundTrip(UpdateTenantRequest(tenantID: "a", spec: nil)).spec == nil)
        #expect(try roundTrip(ValidateTenantSpecRequest(spec: nil)).spec == nil)

        let empty = TenantComputeSpec(tenantID: "")
        #expect(try roundTrip(ProvisionTenantRequest(spec: empty)).spec == empty)
        // spec (field 1) holding only resources (4) and networking (5), both empty.
        #expect(ProvisionTenantRequest(spec: empty).serializedBytes() == [0x0a, 0x04, 0x22, 0x00, 0x2a, 0x00])
    }

    @Test("the spec's resources and networking: absent reads as zero values, always written")
    func requiredSubMessages() throws {
        // ProvisionTenantRequest { spec { tenant_id: "acme" } } as any encoder omitting them writes it.
        let bytes = Wire.lengthDelimited(1, Wire.lengthDelimited(1, Array("acme".utf8)))
        let spec = try #require(try ProvisionTenantRequest(serializedBytes: bytes).spec)
        #expect(spec == TenantComputeSpec(tenantID: "acme"))
        #expect(spec.resources == ResourceRequirements(cpu: 0, memory: 0, storage: 0))
        #expect(spec.networking == NetworkConfig(publicIP: false, securityGroups: [], subnets: [], dns: nil))

        // Written back with an empty resources (4) and networking (5).
        #expect(ProvisionTenantRequest(spec: spec).serializedBytes() == hexBytes("0a0a 0a0461636d65 2200 2a00"))
    }

    @Test("container health_check and resources, networking dns: nil is absent, zero values are present")
    func optionalSubMessages() throws {
        var spec = Fixtures.fullSpec
        spec.containers = [
            ContainerSpec(name: "none", image: "busybox", healthCheck: nil, resources: nil),
            ContainerSpec(
                name: "zero",
                image: "busybox",
                healthCheck: HealthCheckConfig(
                    type: "",
                    intervalSeconds: 0,
                    timeoutSeconds: 0,
                    healthyThreshold: 0,
                    unhealthyThreshold: 0
                ),
                resources: ResourceRequirements()
            ),
            ContainerSpec(name: "check-only", image: "busybox", healthCheck: .tcp(port: 5432)),
            ContainerSpec(
                name: "resources-only", image: "busybox", resources: ResourceRequirements(cpu: 128, memory: 128)),
        ]
        spec.networking.dns = nil
        var decoded = try #require(try specRoundTrip(spec))
        #expect(decoded == spec)
        #expect(decoded.containers[0].healthCheck == nil)
        #expect(decoded.containers[0].resources == nil)
        #expect(decoded.containers[1].healthCheck != nil)
        #expect(decoded.containers[1].resources == ResourceRequirements())
        #expect(decoded.containers[2].resources == nil)
        #expect(decoded.containers[3].healthCheck == nil)
        #expect(decoded.networking.dns == nil)

        spec.networking.dns = DNSConfig()
        decoded = try #require(try specRoundTrip(spec))
        #expect(decoded.networking.dns == DNSConfig(hostname: "", domain: ""))
    }

    @Test("empty and populated lists and maps")
    func listsAndMaps() throws {
        let empty = TenantComputeSpec(
            tenantID: "t",
            containers: [],
            networking: NetworkConfig(securityGroups: [], subnets: []),
            secrets: [],
            labels: [:]
        )
        #expect(try specRoundTrip(empty) == empty)

        let one = TenantComputeSpec(
            tenantID: "t",
            containers: [ContainerSpec(name: "c", image: "i", command: [""], args: ["", ""], env: ["": ""])],
            networking: NetworkConfig(securityGroups: [""], subnets: ["s"]),
            secrets: [SecretReference(name: "", source: "", key: "")],
            labels: ["": ""]
        )
        // Empty strings inside lists and maps are elements, not absence.
        let decoded = try #require(try specRoundTrip(one))
        #expect(decoded == one)
        #expect(decoded.containers[0].args == ["", ""])
        #expect(decoded.labels == ["": ""])

        #expect(try specRoundTrip(Fixtures.fullSpec) == Fixtures.fullSpec)
    }

    // MARK: provider_config

    @Test(
        "provider_config bytes travel exactly",
        arguments: [
            Data(#"{"cluster":"c1"}"#.utf8),
            Data("  {\n\t\"b\" : 2 ,\"a\":1 }\n".utf8),
            Data(#"[1,"two",{"3":null}]"#.utf8),
            Data("not json at all".utf8),  // validation, not decoding, reports it
            Data([0x00, 0x01, 0x7b, 0x00, 0xff, 0xfe]),  // NUL and non-UTF-8 bytes
            Data(repeating: 0x20, count: 70_000),
        ]
    )
    func providerConfigBytes(bytes: Data) throws {
        var spec = Fixtures.fullSpec
        spec.providerConfig = RawJSON(bytes)
        let decoded = try #require(try specRoundTrip(spec))
        #expect(decoded.providerConfig?.bytes == bytes)
        #expect(decoded == spec)
    }

    @Test("provider_config: nil and empty are no bytes, which read as nil")
    func providerConfigAbsent() throws {
        var spec = TenantComputeSpec(tenantID: "t", providerConfig: nil)
        let withoutConfig = ValidateTenantSpecRequest(spec: spec).serializedBytes()
        #expect(try specRoundTrip(spec)?.providerConfig == nil)

        spec.providerConfig = RawJSON(Data())
        #expect(ValidateTenantSpecRequest(spec: spec).serializedBytes() == withoutConfig)
        #expect(try specRoundTrip(spec)?.providerConfig == nil)

        // An explicitly written empty bytes field (field 8, length 0) reads as nil too.
        let bytes = Wire.lengthDelimited(1, Wire.lengthDelimited(1, Array("t".utf8)) + Wire.lengthDelimited(8, []))
        #expect(try ValidateTenantSpecRequest(serializedBytes: bytes).spec?.providerConfig == nil)
    }

    // MARK: Integers

    @Test("every int32 value survives", arguments: [Int(Int32.min), -1, 0, 1, 128, 65535, 65536, Int(Int32.max)])
    func int32Range(value: Int) throws {
        let spec = TenantComputeSpec(
            tenantID: "t",
            containers: [
                ContainerSpec(
                    name: "c",
                    image: "i",
                    ports: [PortMapping(containerPort: value, hostPort: value)],
                    healthCheck: HealthCheckConfig(
                        type: "tcp",
                        port: value,
                        intervalSeconds: value,
                        timeoutSeconds: value,
                        healthyThreshold: value,
                        unhealthyThreshold: value
                    ),
                    resources: ResourceRequirements(cpu: value, memory: value, storage: value)
                )
            ],
            resources: ResourceRequirements(cpu: value, memory: value, storage: value)
        )
        #expect(try specRoundTrip(spec) == spec)

        let status = ComputeStatus(
            tenantID: "t",
            providerType: "p",
            state: .running,
            containers: [ContainerStatus(name: "c", state: "running", ready: true, restartCount: value)],
            health: .healthy,
            lastUpdated: Fixtures.provisionedAt
        )
        #expect(try roundTrip(GetTenantStatusResponse(status: status)).status == status)
        var result = Fixtures.fullProvisionResult
        result.endpoints = [Endpoint(type: "tcp", address: "a", port: value)]
        #expect(try roundTrip(ProvisionTenantResponse(result: result)).result == result)
    }

    @Test(
        "Int values beyond int32 saturate instead of wrapping",
        arguments: [
            (Int(Int32.max) + 1, Int(Int32.max)),
            (Int(UInt32.max) + 81, Int(Int32.max)),  // would wrap to 80
            (Int.max, Int(Int32.max)),
            (Int(Int32.min) - 1, Int(Int32.min)),
            (Int.min, Int(Int32.min)),
        ]
    )
    func int32Saturation(value: Int, expected: Int) throws {
        let spec = TenantComputeSpec(
            tenantID: "t",
            containers: [
                ContainerSpec(
                    name: "c",
                    image: "i",
                    ports: [PortMapping(containerPort: value, hostPort: value)],
                    healthCheck: HealthCheckConfig(type: "tcp", port: value, intervalSeconds: value),
                    resources: ResourceRequirements(cpu: value, memory: value, storage: value)
                )
            ],
            resources: ResourceRequirements(cpu: value, memory: value, storage: value)
        )
        let decoded = try #require(try specRoundTrip(spec))
        let container = decoded.containers[0]
        #expect(container.ports[0].containerPort == expected)
        #expect(container.ports[0].hostPort == expected)
        #expect(container.healthCheck?.port == expected)
        #expect(container.healthCheck?.intervalSeconds == expected)
        #expect(container.resources == ResourceRequirements(cpu: expected, memory: expected, storage: expected))
        #expect(decoded.resources == ResourceRequirements(cpu: expected, memory: expected, storage: expected))

        let status = ComputeStatus(
            tenantID: "t",
            providerType: "p",
            state: .running,
            containers: [ContainerStatus(name: "c", state: "running", ready: true, restartCount: value)],
            health: .healthy,
            lastUpdated: Fixtures.provisionedAt
        )
        #expect(try roundTrip(GetTenantStatusResponse(status: status)).status.containers[0].restartCount == expected)
    }

    // MARK: Strings

    @Test("a spec with Unicode strings everywhere")
    func unicode() throws {
        let decomposed = "e\u{301}te\u{301}"  // "été" with combining accents
        let spec = TenantComputeSpec(
            tenantID: "tënant-🚀",
            providerType: "μock",
            containers: [
                ContainerSpec(
                    name: "wéb-容器",
                    image: "registry.例え.jp/app:1",
                    command: ["/bin/échο", "👩‍👩‍👧‍👦"],
                    args: ["مرحبا بالعالم", "שלום", decomposed],
                    env: ["GREETING": "héllo 👋", "ÜMLAUT": "ä", "ZWJ": "🏳️‍🌈"],
                    ports: [PortMapping(containerPort: 80, protocol: "tcp", name: "ポート")],
                    healthCheck: HealthCheckConfig(type: "http", httpPath: "/santé/✓"),
                    resources: nil
                )
            ],
            networking: NetworkConfig(
                securityGroups: ["gruppe-ß"], subnets: ["子网"],
                dns: DNSConfig(hostname: "ünï", domain: "xn--bcher-kva.example")),
            secrets: [SecretReference(name: "sécret", source: "vault", key: "ключ", envVar: "VAR_Ω")],
            labels: ["チーム": "青", "emoji-🔑": "value-🔒", "\u{10FFFF}": "\u{1}"],
            providerConfig: RawJSON(#"{"région":"eu-🇪🇺"}"#)
        )
        let decoded = try #require(try specRoundTrip(spec))
        #expect(decoded == spec)
        // String equality is canonical equivalence: check that the exact scalars survived.
        #expect(Array(decoded.containers[0].args[2].unicodeScalars) == Array(decomposed.unicodeScalars))
        #expect(Array(decoded.tenantID.utf8) == Array("tënant-🚀".utf8))
        #expect(decoded.labels.keys.contains("\u{10FFFF}"))
    }

    @Test("protobuf-c ends a string at U+0000")
    func embeddedNUL() throws {
        let request = GetTenantStatusRequest(tenantID: "acme\u{0}-evil", providerType: "mock")
        #expect(try roundTrip(request).tenantID == "acme")
    }

    @Test("strings that are not UTF-8 on the wire are repaired, not trusted")
    func invalidUTF8() throws {
        // tenant_id = "a\xFFb"
        let bytes = Wire.lengthDelimited(1, [0x61, 0xff, 0x62])
        let request = try GetTenantStatusRequest(serializedBytes: bytes)
        #expect(request.tenantID == "a\u{FFFD}b")
    }
}
