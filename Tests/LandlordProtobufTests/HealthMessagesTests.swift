import LandlordProtobuf
import Testing

@Suite("grpc.health.v1 messages")
struct HealthMessagesTests {
    @Test("known encodings")
    func knownEncodings() throws {
        #expect(HealthCheckRequest().serializedBytes() == [])
        #expect(HealthCheckRequest(service: "a").serializedBytes() == [0x0a, 0x01, 0x61])
        #expect(HealthCheckResponse(status: .serving).serializedBytes() == [0x08, 0x01])
        #expect(HealthCheckResponse(status: .unknown).serializedBytes() == [])
        #expect(HealthCheckResponse(status: .serviceUnknown).serializedBytes() == [0x08, 0x03])
        #expect(HealthListRequest().serializedBytes() == [])

        #expect(try HealthCheckRequest(serializedBytes: []) == HealthCheckRequest(service: ""))
        #expect(try HealthCheckResponse(serializedBytes: [0x08, 0x02]).status == .notServing)
    }

    @Test("HealthCheckRequest round trip", arguments: ["", "landlord.compute.v1.ComputeService", "ünï/cødé ✓"])
    func requestRoundTrip(service: String) throws {
        let request = HealthCheckRequest(service: service)
        #expect(try HealthCheckRequest(serializedBytes: request.serializedBytes()) == request)
    }

    @Test("HealthCheckResponse round trip", arguments: HealthCheckResponse.ServingStatus.allCases)
    func responseRoundTrip(status: HealthCheckResponse.ServingStatus) throws {
        let response = HealthCheckResponse(status: status)
        #expect(try HealthCheckResponse(serializedBytes: response.serializedBytes()) == response)
    }

    @Test("an unknown serving status reads as UNKNOWN")
    func unknownStatus() throws {
        #expect(try HealthCheckResponse(serializedBytes: [0x08, 0x07]).status == .unknown)
    }

    @Test("unknown fields are skipped")
    func unknownFields() throws {
        // field 2 (varint 1), then service = "a"
        #expect(try HealthCheckRequest(serializedBytes: [0x10, 0x01, 0x0a, 0x01, 0x61]).service == "a")
    }

    @Test("HealthListResponse round trip, and decodes what another implementation wrote")
    func listRoundTrip() throws {
        let response = HealthListResponse(statuses: ["": .serving, "x": .notServing, "y": .unknown])
        #expect(try HealthListResponse(serializedBytes: response.serializedBytes()) == response)
        #expect(response.serializedBytes() == response.serializedBytes())
        #expect(try HealthListResponse(serializedBytes: []) == HealthListResponse())

        // Python protobuf: statuses {"": SERVING, "x": NOT_SERVING}.
        let python = hexBytes("0a070a0178120208020a060a0012020801")
        #expect(try HealthListResponse(serializedBytes: python).statuses == ["": .serving, "x": .notServing])
    }

    @Test(
        "malformed bytes throw",
        arguments: [
            [0x0a, 0x05, 0x61],  // length beyond the end
            [0xff],  // truncated varint
            [0x08, 0x01],  // field 1 with the wrong wire type
            [0x00],  // field number 0
        ] as [[UInt8]]
    )
    func malformed(bytes: [UInt8]) {
        #expect(throws: ProtobufDecodingError.self) { try HealthCheckRequest(serializedBytes: bytes) }
    }

    @Test("the decoding error names the message")
    func errorDescription() {
        let error = #expect(throws: ProtobufDecodingError.self) {
            try HealthCheckRequest(serializedBytes: [0xff])
        }
        #expect(error?.messageName == "grpc.health.v1.HealthCheckRequest")
        #expect(error?.byteCount == 1)
    }

    @Test("decodes from any collection of bytes")
    func collections() throws {
        let bytes: [UInt8] = [0x00, 0x0a, 0x01, 0x61]
        #expect(try HealthCheckRequest(serializedBytes: bytes.dropFirst()).service == "a")
        #expect(try HealthCheckRequest(serializedBytes: bytes[1...].reversed().reversed()).service == "a")
    }
}
