import Testing

@testable import LandlordProtobuf

@Suite("grpc.reflection messages")
struct ReflectionMessagesTests {
    static let requests: [ServerReflectionRequest] = [
        .init(messageRequest: nil),
        .init(host: "localhost:50051", messageRequest: .fileByFilename("grpc/health/v1/health.proto")),
        .init(messageRequest: .fileContainingSymbol("landlord.compute.v1.ComputeService")),
        .init(messageRequest: .fileContainingExtension(containingType: "google.protobuf.MessageOptions", number: 1000)),
        .init(messageRequest: .fileContainingExtension(containingType: "", number: 0)),
        .init(messageRequest: .allExtensionNumbersOfType("google.protobuf.FieldOptions")),
        .init(messageRequest: .listServices("")),
        .init(messageRequest: .listServices("*")),
        .init(messageRequest: .fileByFilename("")),
    ]

    static let responses: [ServerReflectionResponse] = [
        .init(originalRequest: nil, messageResponse: nil),
        .init(
            validHost: "h",
            originalRequest: requests[2],
            messageResponse: .fileDescriptorResponse([[0x0a, 0x01, 0x61], [], Array(0...255)])
        ),
        .init(originalRequest: requests[5], messageResponse: .fileDescriptorResponse([])),
        .init(
            originalRequest: requests[5],
            messageResponse: .allExtensionNumbersResponse(baseTypeName: "a.B", extensionNumbers: [1, 300, -1])
        ),
        .init(
            originalRequest: requests[5],
            messageResponse: .allExtensionNumbersResponse(baseTypeName: "", extensionNumbers: [])
        ),
        .init(
            originalRequest: requests[6],
            messageResponse: .listServicesResponse(["grpc.health.v1.Health", "landlord.compute.v1.ComputeService"])
        ),
        .init(originalRequest: requests[6], messageResponse: .listServicesResponse([])),
        .init(originalRequest: requests[0], messageResponse: .errorResponse(code: 5, message: "not found: x.Y")),
        .init(originalRequest: requests[0], messageResponse: .errorResponse(code: 0, message: "")),
    ]

    @Test("request round trip", arguments: ReflectionAPIVersion.allCases, requests)
    func requestRoundTrip(version: ReflectionAPIVersion, request: ServerReflectionRequest) throws {
        let bytes = request.serializedBytes(version: version)
        #expect(try ServerReflectionRequest(serializedBytes: bytes, version: version) == request)
    }

    @Test("response round trip", arguments: ReflectionAPIVersion.allCases, responses)
    func responseRoundTrip(version: ReflectionAPIVersion, response: ServerReflectionResponse) throws {
        let bytes = response.serializedBytes(version: version)
        #expect(try ServerReflectionResponse(serializedBytes: bytes, version: version) == response)
    }

    @Test("both versions write the same bytes", arguments: responses)
    func sameLayout(response: ServerReflectionResponse) {
        #expect(response.serializedBytes(version: .v1) == response.serializedBytes(version: .v1alpha))
    }

    @Test("each version uses its own generated descriptors")
    func descriptors() {
        #expect(ReflectionV1Codec.requestType.name == "grpc.reflection.v1.ServerReflectionRequest")
        #expect(ReflectionV1Codec.responseType.name == "grpc.reflection.v1.ServerReflectionResponse")
        #expect(ReflectionV1Codec.errorResponseType.name == "grpc.reflection.v1.ErrorResponse")
        #expect(ReflectionV1alphaCodec.requestType.name == "grpc.reflection.v1alpha.ServerReflectionRequest")
        #expect(ReflectionV1alphaCodec.responseType.name == "grpc.reflection.v1alpha.ServerReflectionResponse")
        #expect(ReflectionV1alphaCodec.serviceResponseType.name == "grpc.reflection.v1alpha.ServiceResponse")
        #expect(ReflectionAPIVersion.v1alpha.serviceName == "grpc.reflection.v1alpha.ServerReflection")
        #expect(ReflectionAPIVersion.v1.methodPath == "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo")
    }

    @Test("known encodings (written by Python protobuf)", arguments: ReflectionAPIVersion.allCases)
    func knownEncodings(version: ReflectionAPIVersion) throws {
        // list_services = "" (an empty string in a oneof is still sent)
        #expect(
            ServerReflectionRequest(messageRequest: .listServices("")).serializedBytes(version: version) == [
                0x3a, 0x00,
            ]
        )

        let extensionRequest = ServerReflectionRequest(
            messageRequest: .fileContainingExtension(containingType: "a.B", number: -1)
        )
        let extensionRequestBytes = hexBytes("2a100a03612e4210ffffffffffffffffff01")
        #expect(extensionRequest.serializedBytes(version: version) == extensionRequestBytes)
        #expect(
            try ServerReflectionRequest(serializedBytes: extensionRequestBytes, version: version) == extensionRequest
        )

        let files = ServerReflectionResponse(
            validHost: "h",
            originalRequest: .init(host: "h", messageRequest: .fileContainingSymbol("grpc.health.v1.Health")),
            messageResponse: .fileDescriptorResponse([[0x0a, 0x01, 0x61], []])
        )
        let filesBytes = hexBytes("0a0168121a0a01682215677270632e6865616c74682e76312e4865616c746822070a030a01610a00")
        #expect(files.serializedBytes(version: version) == filesBytes)
        #expect(try ServerReflectionResponse(serializedBytes: filesBytes, version: version) == files)

        let numbers = ServerReflectionResponse(
            originalRequest: nil,
            messageResponse: .allExtensionNumbersResponse(baseTypeName: "a.B", extensionNumbers: [1, 300])
        )
        let numbersBytes = hexBytes("2a0a0a03612e42120301ac02")  // packed repeated int32
        #expect(numbers.serializedBytes(version: version) == numbersBytes)
        #expect(try ServerReflectionResponse(serializedBytes: numbersBytes, version: version) == numbers)

        let services = ServerReflectionResponse(
            originalRequest: nil,
            messageResponse: .listServicesResponse(["a", "b"])
        )
        let servicesBytes = hexBytes("320a0a030a01610a030a0162")
        #expect(services.serializedBytes(version: version) == servicesBytes)
        #expect(try ServerReflectionResponse(serializedBytes: servicesBytes, version: version) == services)
    }

    @Test("unpacked repeated int32 decodes too")
    func unpackedNumbers() throws {
        // base_type_name "a.B", extension_number 1, extension_number 300 (one tag each)
        let bytes = hexBytes("2a0a0a03612e42100110ac02")
        let response = try ServerReflectionResponse(serializedBytes: bytes, version: .v1)
        #expect(
            response.messageResponse == .allExtensionNumbersResponse(baseTypeName: "a.B", extensionNumbers: [1, 300])
        )
    }

    @Test("malformed bytes throw", arguments: ReflectionAPIVersion.allCases)
    func malformed(version: ReflectionAPIVersion) {
        #expect(throws: ProtobufDecodingError.self) {
            try ServerReflectionRequest(serializedBytes: [0x22, 0x10, 0x61], version: version)
        }
        #expect(throws: ProtobufDecodingError.self) {
            // file_descriptor_response whose inner length overruns it
            try ServerReflectionResponse(serializedBytes: [0x22, 0x02, 0x0a, 0x05], version: version)
        }
    }
}
