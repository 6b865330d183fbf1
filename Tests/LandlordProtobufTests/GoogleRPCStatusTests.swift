import LandlordProtobuf
import Testing

@Suite("google.rpc.Status and BadRequest")
struct GoogleRPCStatusTests {
    static let badRequest = BadRequest(fieldViolations: [
        .init(field: "tenant_id", description: "must match ^[a-z0-9-]+$"),
        .init(field: "containers[0].image", description: "invalid image reference", reason: "INVALID_IMAGE"),
    ])

    // google.rpc.Status{code: 3, message: "invalid spec", details: [Any(BadRequest above)]},
    // written by Python protobuf from proto/landlord.binpb.
    static let pythonStatus = hexBytes(
        """
        0803120c696e76616c696420737065631a92010a29747970652e676f6f676c65617069732e636f6d2f676f6f676c652e
        7270632e4261645265717565737412650a240a0974656e616e745f696412176d757374206d61746368205e5b612d7a30
        2d392d5d2b240a3d0a13636f6e7461696e6572735b305d2e696d6167651217696e76616c696420696d61676520726566
        6572656e63651a0d494e56414c49445f494d414745
        """
    )

    @Test("the grpc-status-details-bin payload of a BadRequest")
    func statusDetailsBin() throws {
        let payload = Self.badRequest.statusDetailsBin(message: "invalid spec")
        #expect(payload == Self.pythonStatus)

        let status = try GoogleRPCStatus(serializedBytes: payload)
        #expect(status.code == 3)
        #expect(status.message == "invalid spec")
        #expect(status.details.map(\.typeURL) == ["type.googleapis.com/google.rpc.BadRequest"])
        #expect(try status.badRequest() == Self.badRequest)
        #expect(try BadRequest(statusDetailsBin: payload) == Self.badRequest)
    }

    @Test("round trips")
    func roundTrips() throws {
        let statuses = [
            GoogleRPCStatus(code: 0, message: ""),
            GoogleRPCStatus(code: 13, message: "provider failed", details: [.init(typeURL: "x/y.Z", value: [])]),
            GoogleRPCStatus(
                code: 3,
                message: "two details",
                details: [Self.badRequest.statusDetail, .init(typeURL: "type.googleapis.com/a.B", value: [0, 1, 2])]
            ),
        ]
        for status in statuses {
            #expect(try GoogleRPCStatus(serializedBytes: status.serializedBytes()) == status)
        }
        #expect(GoogleRPCStatus(code: 0, message: "").serializedBytes() == [])
        #expect(try BadRequest(serializedBytes: Self.badRequest.serializedBytes()) == Self.badRequest)
        #expect(try BadRequest(serializedBytes: []) == BadRequest(fieldViolations: []))
    }

    @Test("a status without a BadRequest")
    func noBadRequest() throws {
        let status = GoogleRPCStatus(
            code: 5,
            message: "gone",
            details: [.init(typeURL: "type.googleapis.com/a.B", value: [])]
        )
        #expect(try status.badRequest() == nil)
        #expect(throws: ProtobufDecodingError.self) { try BadRequest(statusDetailsBin: status.serializedBytes()) }
    }

    @Test("the type name of a detail is what follows the last slash of its type URL")
    func typeName() {
        #expect(
            GoogleRPCStatus.Detail(typeURL: "type.googleapis.com/google.rpc.BadRequest", value: []).typeName
                == "google.rpc.BadRequest"
        )
        #expect(
            GoogleRPCStatus.Detail(typeURL: "example.com/x/google.rpc.BadRequest", value: []).typeName
                == "google.rpc.BadRequest"
        )
    }

    @Test("malformed bytes throw")
    func malformed() {
        #expect(throws: ProtobufDecodingError.self) { try GoogleRPCStatus(serializedBytes: [0x1a, 0x03, 0x0a]) }
        #expect(throws: ProtobufDecodingError.self) { try BadRequest(serializedBytes: [0x0a]) }
        #expect(throws: ProtobufDecodingError.self) { try BadRequest(statusDetailsBin: [0x12]) }
    }
}
