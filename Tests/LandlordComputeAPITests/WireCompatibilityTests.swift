import Foundation
import LandlordCompute
import LandlordComputeAPI
import LandlordProtobuf
import Testing

// Bytes written by Python's protobuf (7.36.2, upb), made once with:
//
//   python3 -m grpc_tools.protoc -Iproto --python_out=/tmp/py proto/landlord/compute/v1/compute.proto
//   # then, in Python with /tmp/py on sys.path:
//   from landlord.compute.v1 import compute_pb2 as pb
//   message = pb.GetTenantStatusResponse(); ...set the fields listed in each test...
//   message.SerializeToString(deterministic=True).hex()
//
// `deterministic=True` writes map entries sorted by key, as this layer does, so where a test sets the
// same fields on both sides the encodings must be byte-identical.

@Suite("Wire compatibility with Python's protobuf")
struct WireCompatibilityTests {
    /// status { tenant_id: "acme", provider_type: "mock", state: COMPUTE_STATE_RUNNING,
    ///   containers [{name: "web", state: "running", ready: true, restart_count: 2, message: "ok"},
    ///               {name: "db", state: "failed"}],
    ///   health: HEALTH_STATUS_HEALTHY, last_updated {seconds: 1714564800, nanos: 250000000},
    ///   metadata {"zone": "eu-1", "arn": "arn:x"} }
    static let getTenantStatusResponse = hexBytes(
        """
        0a5f0a0461636d6512046d6f636b180122160a03776562120772756e6e696e67180120022a026f6b220c0a02646212066661696c65642801\
        320b08c0ddc8b1061080e59a773a0c0a0361726e120561726e3a783a0c0a047a6f6e65120465752d31
        """
    )

    @Test("GetTenantStatusResponse")
    func getTenantStatusResponse() throws {
        let expected = ComputeStatus(
            tenantID: "acme",
            providerType: "mock",
            state: .running,
            containers: [
                ContainerStatus(name: "web", state: "running", ready: true, restartCount: 2, message: "ok"),
                ContainerStatus(name: "db", state: "failed", ready: false),
            ],
            health: .healthy,
            lastUpdated: Date(timeIntervalSince1970: 1_714_564_800.25),
            metadata: ["zone": "eu-1", "arn": "arn:x"]
        )
        #expect(try GetTenantStatusResponse(serializedBytes: Self.getTenantStatusResponse).status == expected)
        #expect(GetTenantStatusResponse(status: expected).serializedBytes() == Self.getTenantStatusResponse)
        #expect(WatchTenantStatusResponse(status: expected).serializedBytes() == Self.getTenantStatusResponse)
    }

    /// spec { tenant_id: "acme", provider_type: "mock",
    ///   containers [{name: "web", image: "nginx:1.25", command: ["/bin/sh", "-c"], args: ["echo hi"],
    ///     env {"B": "2", "A": "1"}, ports [{container_port: 80, host_port: 8080, protocol: "tcp", name: "http"}],
    ///     health_check {type: "http", http_path: "/healthz", port: 80, interval_seconds: 30,
    ///       timeout_seconds: 5, healthy_threshold: 1, unhealthy_threshold: 3},
    ///     resources {cpu: 250, memory: 256}}],
    ///   resources {cpu: 500, memory: 1024, storage: 2048},
    ///   networking {public_ip: true, security_groups: ["sg-1"], subnets: ["subnet-a", "subnet-b"],
    ///     dns {hostname: "acme", domain: "example.com"}},
    ///   secrets [{name: "db", source: "kubernetes-secret", key: "password", env_var: "DB_PASSWORD"}],
    ///   labels {"team": "blue", "env": "prod"}, provider_config: b'{"cluster": "c1"}' }
    static let provisionTenantRequest = hexBytes(
        """
        0a97020a0461636d6512046d6f636b1a6d0a03776562120a6e67696e783a312e32351a072f62696e2f73681a022d6322076563686f20\
        68692a060a01411201312a060a01421201323210085010903f1a037463702204687474703a1a0a046874747012082f6865616c74687a\
        1850281e300538014003420608fa01108002220908f4031080081880102a310801120473672d311a087375626e65742d611a08737562\
        6e65742d6222130a0461636d65120b6578616d706c652e636f6d322e0a02646212116b756265726e657465732d7365637265741a0870\
        617373776f7264220b44425f50415353574f52443a0b0a03656e76120470726f643a0c0a047465616d1204626c756542117b22636c75\
        73746572223a20226331227d
        """
    )

    @Test("ProvisionTenantRequest with a full spec")
    func provisionTenantRequest() throws {
        let expected = TenantComputeSpec(
            tenantID: "acme",
            providerType: "mock",
            containers: [
                ContainerSpec(
                    name: "web",
                    image: "nginx:1.25",
                    command: ["/bin/sh", "-c"],
                    args: ["echo hi"],
                    env: ["B": "2", "A": "1"],
                    ports: [PortMapping(containerPort: 80, hostPort: 8080, protocol: "tcp", name: "http")],
                    healthCheck: HealthCheckConfig(
                        type: "http",
                        httpPath: "/healthz",
                        port: 80,
                        intervalSeconds: 30,
                        timeoutSeconds: 5,
                        healthyThreshold: 1,
                        unhealthyThreshold: 3
                    ),
                    resources: ResourceRequirements(cpu: 250, memory: 256)
                )
            ],
            resources: ResourceRequirements(cpu: 500, memory: 1024, storage: 2048),
            networking: NetworkConfig(
                publicIP: true,
                securityGroups: ["sg-1"],
                subnets: ["subnet-a", "subnet-b"],
                dns: DNSConfig(hostname: "acme", domain: "example.com")
            ),
            secrets: [SecretReference(name: "db", source: "kubernetes-secret", key: "password", envVar: "DB_PASSWORD")],
            labels: ["team": "blue", "env": "prod"],
            providerConfig: RawJSON(#"{"cluster": "c1"}"#)
        )
        let decoded = try ProvisionTenantRequest(serializedBytes: Self.provisionTenantRequest)
        #expect(decoded.spec == expected)
        #expect(decoded.spec?.providerConfig?.bytes == Data(#"{"cluster": "c1"}"#.utf8))
        #expect(ProvisionTenantRequest(spec: expected).serializedBytes() == Self.provisionTenantRequest)
        // The same spec inside the other requests.
        #expect(try ValidateTenantSpecRequest(serializedBytes: Self.provisionTenantRequest).spec == expected)
    }

    /// result { tenant_id: "acme", provider_type: "mock", status: PROVISION_STATUS_SUCCESS,
    ///   resource_ids {"task": "t-1", "service": "s-1"},
    ///   endpoints [{type: "https", address: "acme.example.com", port: 443, url: "https://acme.example.com"}],
    ///   message: "provisioned", provisioned_at {seconds: 1714564800, nanos: 123456789} }
    static let provisionTenantResponse = hexBytes(
        """
        0a7d0a0461636d6512046d6f636b1801220e0a07736572766963651203732d31220b0a047461736b1203742d312a360a056874747073\
        121061636d652e6578616d706c652e636f6d18bb03221868747470733a2f2f61636d652e6578616d706c652e636f6d320b70726f7669\
        73696f6e65643a0b08c0ddc8b10610959aef3a
        """
    )

    @Test("ProvisionTenantResponse")
    func provisionTenantResponse() throws {
        let result = try ProvisionTenantResponse(serializedBytes: Self.provisionTenantResponse).result
        #expect(result.tenantID == "acme")
        #expect(result.providerType == "mock")
        #expect(result.status == .success)
        #expect(result.resourceIDs == ["task": "t-1", "service": "s-1"])
        #expect(
            result.endpoints == [
                Endpoint(type: "https", address: "acme.example.com", port: 443, url: "https://acme.example.com")
            ])
        #expect(result.message == "provisioned")
        // Date holds ~0.1 µs at this epoch: the nanoseconds read approximately.
        #expect(abs(result.provisionedAt.timeIntervalSince1970 - 1_714_564_800.123_456_789) < 1e-6)
    }

    /// result { tenant_id: "acme", provider_type: "mock", status: UPDATE_STATUS_NO_CHANGES,
    ///   updated_at {seconds: -1000000001, nanos: 250000000} }   (-1000000000.75 s: 1938-04-24)
    static let updateTenantResponse = hexBytes("0a200a0461636d6512046d6f636b1802321008ffeb94a3fcffffffff011080e59a77")

    @Test("UpdateTenantResponse before 1970")
    func updateTenantResponse() throws {
        let expected = UpdateResult(
            tenantID: "acme",
            providerType: "mock",
            status: .noChanges,
            changes: [],
            updatedAt: Date(timeIntervalSince1970: -1_000_000_000.75)
        )
        #expect(try UpdateTenantResponse(serializedBytes: Self.updateTenantResponse).result == expected)
        #expect(UpdateTenantResponse(result: expected).serializedBytes() == Self.updateTenantResponse)
    }

    /// valid: false, violations [{field: "tenant_id", description: "must match ^[a-z0-9-]+$"},
    ///   {field: "containers[0].ports[0].container_port", description: "must be 1-65535"}]
    static let validateTenantSpecResponse = hexBytes(
        """
        12240a0974656e616e745f696412176d757374206d61746368205e5b612d7a302d392d5d2b2412380a25636f6e7461696e6572735b30\
        5d2e706f7274735b305d2e636f6e7461696e65725f706f7274120f6d75737420626520312d3635353335
        """
    )

    @Test("ValidateTenantSpecResponse")
    func validateTenantSpecResponse() throws {
        let expected = ValidateTenantSpecResponse(
            valid: false,
            violations: [
                FieldViolation(field: "tenant_id", description: "must match ^[a-z0-9-]+$"),
                FieldViolation(field: "containers[0].ports[0].container_port", description: "must be 1-65535"),
            ]
        )
        #expect(try ValidateTenantSpecResponse(serializedBytes: Self.validateTenantSpecResponse) == expected)
        #expect(expected.serializedBytes() == Self.validateTenantSpecResponse)
    }

    /// tenant_id: "acme", provider_type: "mock", min_interval_ms: 4294967295
    static let watchTenantStatusRequest = hexBytes("0a0461636d6512046d6f636b18ffffffff0f")

    @Test("WatchTenantStatusRequest with the largest uint32")
    func watchTenantStatusRequest() throws {
        let expected = WatchTenantStatusRequest(tenantID: "acme", providerType: "mock", minIntervalMilliseconds: .max)
        #expect(try WatchTenantStatusRequest(serializedBytes: Self.watchTenantStatusRequest) == expected)
        #expect(expected.serializedBytes() == Self.watchTenantStatusRequest)
    }

    /// spec { tenant_id: "tënant-🚀", provider_type: "mock",
    ///   containers [{name: "wéb", image: "nginx:1.25", args: ["مرحبا"], env {"GREETING": "héllo 👋"}}],
    ///   labels {"チーム": "青"} }   (no resources, no networking)
    static let unicodeValidateTenantSpecRequest = hexBytes(
        """
        0a5f0a0c74c3ab6e616e742df09f9a8012046d6f636b1a370a0477c3a962120a6e67696e783a312e3235220ad985d8b1d8add8a8d8a7\
        2a170a084752454554494e47120b68c3a96c6c6f20f09f918b3a100a09e38381e383bce383a01203e99d92
        """
    )

    @Test("ValidateTenantSpecRequest with Unicode strings and no resources or networking")
    func unicodeSpec() throws {
        let expected = TenantComputeSpec(
            tenantID: "tënant-🚀",
            providerType: "mock",
            containers: [
                ContainerSpec(name: "wéb", image: "nginx:1.25", args: ["مرحبا"], env: ["GREETING": "héllo 👋"])
            ],
            labels: ["チーム": "青"]
        )
        let spec = try #require(
            try ValidateTenantSpecRequest(serializedBytes: Self.unicodeValidateTenantSpecRequest).spec)
        #expect(spec == expected)
        #expect(Array(spec.tenantID.utf8) == Array("tënant-🚀".utf8))
        #expect(spec.resources == ResourceRequirements())
        #expect(spec.networking == NetworkConfig())
    }
}

@Suite("Malformed bytes and unknown fields")
struct MalformedBytesTests {
    /// Every message type, by name, decoding some bytes.
    enum Message: String, CaseIterable, Sendable {
        case provisionTenantRequest, provisionTenantResponse, updateTenantRequest, updateTenantResponse
        case destroyTenantRequest, destroyTenantResponse, getTenantStatusRequest, getTenantStatusResponse
        case validateTenantSpecRequest, validateTenantSpecResponse, listProvidersRequest, listProvidersResponse
        case watchTenantStatusRequest, watchTenantStatusResponse

        func decode(_ bytes: [UInt8]) throws {
            switch self {
            case .provisionTenantRequest: _ = try ProvisionTenantRequest(serializedBytes: bytes)
            case .provisionTenantResponse: _ = try ProvisionTenantResponse(serializedBytes: bytes)
            case .updateTenantRequest: _ = try UpdateTenantRequest(serializedBytes: bytes)
            case .updateTenantResponse: _ = try UpdateTenantResponse(serializedBytes: bytes)
            case .destroyTenantRequest: _ = try DestroyTenantRequest(serializedBytes: bytes)
            case .destroyTenantResponse: _ = try DestroyTenantResponse(serializedBytes: bytes)
            case .getTenantStatusRequest: _ = try GetTenantStatusRequest(serializedBytes: bytes)
            case .getTenantStatusResponse: _ = try GetTenantStatusResponse(serializedBytes: bytes)
            case .validateTenantSpecRequest: _ = try ValidateTenantSpecRequest(serializedBytes: bytes)
            case .validateTenantSpecResponse: _ = try ValidateTenantSpecResponse(serializedBytes: bytes)
            case .listProvidersRequest: _ = try ListProvidersRequest(serializedBytes: bytes)
            case .listProvidersResponse: _ = try ListProvidersResponse(serializedBytes: bytes)
            case .watchTenantStatusRequest: _ = try WatchTenantStatusRequest(serializedBytes: bytes)
            case .watchTenantStatusResponse: _ = try WatchTenantStatusResponse(serializedBytes: bytes)
            }
        }
    }

    /// Bytes that are no valid encoding of any message.
    static let malformed: [[UInt8]] = [
        [0xff],  // truncated varint (tag)
        [0x08, 0xff],  // truncated varint (value)
        [0x0a, 0x05, 0x61],  // length beyond the end
        [0x09, 0x01, 0x02],  // truncated fixed64
        [0x0d, 0x01],  // truncated fixed32
        [0x00],  // field number 0
        [0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f],  // length of 4 GiB
    ]

    @Test("malformed bytes throw ProtobufDecodingError", arguments: Message.allCases, malformed)
    func malformedBytes(message: Message, bytes: [UInt8]) {
        #expect(throws: ProtobufDecodingError.self) { try message.decode(bytes) }
    }

    @Test(
        "a field of the wrong wire type throws",
        arguments: [
            (Message.provisionTenantRequest, [0x08, 0x01]),  // spec as a varint
            (.getTenantStatusRequest, [0x08, 0x01]),  // tenant_id as a varint
            (.getTenantStatusResponse, Wire.lengthDelimited(1, Wire.lengthDelimited(3, [0x01]))),  // state as bytes
            (.watchTenantStatusRequest, Wire.lengthDelimited(3, [0x01])),  // min_interval_ms as bytes
            (.validateTenantSpecResponse, [0x10, 0x01]),  // violations as a varint
        ] as [(Message, [UInt8])]
    )
    func wrongWireType(message: Message, bytes: [UInt8]) {
        #expect(throws: ProtobufDecodingError.self) { try message.decode(bytes) }
    }

    @Test("a malformed nested message throws, however deep")
    func malformedNested() {
        // ProvisionTenantRequest.spec.containers[0].ports[0] = [0xff]
        let port = Wire.lengthDelimited(6, [0xff])
        let bytes = Wire.lengthDelimited(1, Wire.lengthDelimited(3, port))
        #expect(throws: ProtobufDecodingError.self) { try ProvisionTenantRequest(serializedBytes: bytes) }
        let timestamp = Wire.lengthDelimited(1, Wire.lengthDelimited(6, [0x08]))
        #expect(throws: ProtobufDecodingError.self) { try GetTenantStatusResponse(serializedBytes: timestamp) }
    }

    @Test("the error names the message")
    func errorNamesMessage() {
        let error = #expect(throws: ProtobufDecodingError.self) { try GetTenantStatusRequest(serializedBytes: [0xff]) }
        #expect(error?.messageName == "landlord.compute.v1.GetTenantStatusRequest")
        #expect(error?.byteCount == 1)
    }

    @Test("every message decodes the truncations of a valid encoding without crashing")
    func truncations() throws {
        let bytes = ProvisionTenantRequest(spec: Fixtures.fullSpec).serializedBytes()
        for count in 0..<bytes.count {
            _ = try? ProvisionTenantRequest(serializedBytes: bytes.prefix(count))
        }
        let status = GetTenantStatusResponse(status: Fixtures.fullStatus).serializedBytes()
        for count in 0..<status.count {
            _ = try? GetTenantStatusResponse(serializedBytes: status.prefix(count))
        }
    }

    @Test("unknown fields are skipped, at the top and nested")
    func unknownFields() throws {
        let unknown = Wire.varintField(99, 7) + Wire.lengthDelimited(100, Array("future".utf8))
        let request = GetTenantStatusRequest(tenantID: "acme", providerType: "mock")
        #expect(try GetTenantStatusRequest(serializedBytes: unknown + request.serializedBytes() + unknown) == request)

        // ComputeStatus with an unknown field 20 before its tenant_id.
        let status = Wire.lengthDelimited(20, [0x01]) + Wire.lengthDelimited(1, Array("acme".utf8))
        #expect(try GetTenantStatusResponse(serializedBytes: Wire.lengthDelimited(1, status)).status.tenantID == "acme")

        // A field added later to an empty message.
        #expect(try DestroyTenantResponse(serializedBytes: unknown) == DestroyTenantResponse())
        #expect(try ListProvidersRequest(serializedBytes: unknown) == ListProvidersRequest())
    }

    @Test("a field repeated on the wire: the last scalar wins, sub-messages merge")
    func repeatedFields() throws {
        let bytes = Wire.lengthDelimited(1, Array("first".utf8)) + Wire.lengthDelimited(1, Array("last".utf8))
        #expect(try DestroyTenantRequest(serializedBytes: bytes).tenantID == "last")

        // spec { tenant_id: "a" } then spec { provider_type: "p" }: one spec with both.
        let merged =
            Wire.lengthDelimited(1, Wire.lengthDelimited(1, Array("a".utf8)))
            + Wire.lengthDelimited(1, Wire.lengthDelimited(2, Array("p".utf8)))
        #expect(
            try ProvisionTenantRequest(serializedBytes: merged).spec
                == TenantComputeSpec(tenantID: "a", providerType: "p"))
    }
}
