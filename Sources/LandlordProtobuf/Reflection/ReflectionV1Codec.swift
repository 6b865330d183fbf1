internal import CLandlordProto
internal import CProtobufC

// Reflection messages <-> grpc.reflection.v1 protobuf-c structs.
// ReflectionV1alphaCodec.swift is generated from this file by dev/generate-protos.sh (v1 -> v1alpha):
// edit this one and run `make proto`.

/// Converts ``ServerReflectionRequest`` and ``ServerReflectionResponse`` to and from the
/// `grpc.reflection.v1` wire format.
enum ReflectionV1Codec {
    // MARK: Request

    static func decodeRequest(_ bytes: some Collection<UInt8>) throws -> ServerReflectionRequest {
        try ProtobufC.withDecoded(requestType, from: bytes) { request(from: $0) }
    }

    static func encode(_ request: ServerReflectionRequest) -> [UInt8] {
        ProtobufC.encode(requestType) { message, arena in
            fill(&message, from: request, arena: arena)
        }
    }

    // The oneof cases carry the field numbers of proto/grpc/reflection/*/reflection.proto.

    private static func request(
        from message: Grpc__Reflection__V1__ServerReflectionRequest
    ) -> ServerReflectionRequest {
        let messageRequest: ServerReflectionRequest.MessageRequest? =
            switch message.message_request_case.rawValue {
            case 3: .fileByFilename(ProtobufC.string(message.file_by_filename))
            case 4: .fileContainingSymbol(ProtobufC.string(message.file_containing_symbol))
            case 5:
                ProtobufC.message(message.file_containing_extension) { ext in
                    .fileContainingExtension(
                        containingType: ProtobufC.string(ext.containing_type),
                        number: ext.extension_number
                    )
                }
            case 6: .allExtensionNumbersOfType(ProtobufC.string(message.all_extension_numbers_of_type))
            case 7: .listServices(ProtobufC.string(message.list_services))
            default: nil
            }
        return ServerReflectionRequest(host: ProtobufC.string(message.host), messageRequest: messageRequest)
    }

    private static func fill(
        _ message: inout Grpc__Reflection__V1__ServerReflectionRequest,
        from request: ServerReflectionRequest,
        arena: ProtobufCArena
    ) {
        message.host = arena.string(request.host)
        switch request.messageRequest {
        case nil:
            break
        case .fileByFilename(let name):
            message.message_request_case = .init(rawValue: 3)
            message.file_by_filename = arena.string(name)
        case .fileContainingSymbol(let symbol):
            message.message_request_case = .init(rawValue: 4)
            message.file_containing_symbol = arena.string(symbol)
        case .fileContainingExtension(let containingType, let number):
            let ext = arena.message(extensionRequestType)
            ext.pointee.containing_type = arena.string(containingType)
            ext.pointee.extension_number = number
            message.message_request_case = .init(rawValue: 5)
            message.file_containing_extension = ext
        case .allExtensionNumbersOfType(let type):
            message.message_request_case = .init(rawValue: 6)
            message.all_extension_numbers_of_type = arena.string(type)
        case .listServices(let value):
            message.message_request_case = .init(rawValue: 7)
            message.list_services = arena.string(value)
        }
    }

    // MARK: Response

    static func decodeResponse(_ bytes: some Collection<UInt8>) throws -> ServerReflectionResponse {
        try ProtobufC.withDecoded(responseType, from: bytes) { message in
            let messageResponse: ServerReflectionResponse.MessageResponse? =
                switch message.message_response_case.rawValue {
                case 4:
                    ProtobufC.message(message.file_descriptor_response) { files in
                        .fileDescriptorResponse(
                            ProtobufC.array(files.file_descriptor_proto, count: files.n_file_descriptor_proto)
                                .map { ProtobufC.bytes($0.data, count: $0.len) }
                        )
                    }
                case 5:
                    ProtobufC.message(message.all_extension_numbers_response) { numbers in
                        .allExtensionNumbersResponse(
                            baseTypeName: ProtobufC.string(numbers.base_type_name),
                            extensionNumbers: ProtobufC.array(
                                numbers.extension_number,
                                count: numbers.n_extension_number
                            )
                        )
                    }
                case 6:
                    ProtobufC.message(message.list_services_response) { list in
                        .listServicesResponse(
                            ProtobufC.messages(list.service, count: list.n_service) { ProtobufC.string($0.name) }
                        )
                    }
                case 7:
                    ProtobufC.message(message.error_response) { error in
                        .errorResponse(code: error.error_code, message: ProtobufC.string(error.error_message))
                    }
                default:
                    nil
                }
            return ServerReflectionResponse(
                validHost: ProtobufC.string(message.valid_host),
                originalRequest: ProtobufC.message(message.original_request) { request(from: $0) },
                messageResponse: messageResponse
            )
        }
    }

    static func encode(_ response: ServerReflectionResponse) -> [UInt8] {
        ProtobufC.encode(responseType) { message, arena in
            message.valid_host = arena.string(response.validHost)
            if let originalRequest = response.originalRequest {
                let request = arena.message(requestType)
                fill(&request.pointee, from: originalRequest, arena: arena)
                message.original_request = request
            }
            switch response.messageResponse {
            case nil:
                break
            case .fileDescriptorResponse(let files):
                let answer = arena.message(fileDescriptorResponseType)
                (answer.pointee.n_file_descriptor_proto, answer.pointee.file_descriptor_proto) =
                    arena.binaryData(files)
                message.message_response_case = .init(rawValue: 4)
                message.file_descriptor_response = answer
            case .allExtensionNumbersResponse(let baseTypeName, let extensionNumbers):
                let answer = arena.message(extensionNumberResponseType)
                answer.pointee.base_type_name = arena.string(baseTypeName)
                (answer.pointee.n_extension_number, answer.pointee.extension_number) =
                    arena.array(extensionNumbers)
                message.message_response_case = .init(rawValue: 5)
                message.all_extension_numbers_response = answer
            case .listServicesResponse(let names):
                let answer = arena.message(listServiceResponseType)
                (answer.pointee.n_service, answer.pointee.service) =
                    arena.messages(serviceResponseType, names) { service, name in
                        service.name = arena.string(name)
                    }
                message.message_response_case = .init(rawValue: 6)
                message.list_services_response = answer
            case .errorResponse(let code, let errorMessage):
                let answer = arena.message(errorResponseType)
                answer.pointee.error_code = code
                answer.pointee.error_message = arena.string(errorMessage)
                message.message_response_case = .init(rawValue: 7)
                message.error_response = answer
            }
        }
    }

    // MARK: Message types

    static let requestType = ProtobufCMessageType(
        grpc__reflection__v1__server_reflection_request__init
    )
    static let extensionRequestType = ProtobufCMessageType(
        grpc__reflection__v1__extension_request__init
    )
    static let responseType = ProtobufCMessageType(
        grpc__reflection__v1__server_reflection_response__init
    )
    static let fileDescriptorResponseType = ProtobufCMessageType(
        grpc__reflection__v1__file_descriptor_response__init
    )
    static let extensionNumberResponseType = ProtobufCMessageType(
        grpc__reflection__v1__extension_number_response__init
    )
    static let listServiceResponseType = ProtobufCMessageType(
        grpc__reflection__v1__list_service_response__init
    )
    static let serviceResponseType = ProtobufCMessageType(
        grpc__reflection__v1__service_response__init
    )
    static let errorResponseType = ProtobufCMessageType(
        grpc__reflection__v1__error_response__init
    )
}
