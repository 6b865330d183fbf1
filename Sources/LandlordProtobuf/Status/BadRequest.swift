internal import CLandlordProto
internal import CProtobufC

/// `google.rpc.BadRequest`: the invalid fields of a request (proto/google/rpc/error_details.proto).
/// Sent as a detail of a ``GoogleRPCStatus`` with INVALID_ARGUMENT.
package struct BadRequest: ProtobufMessage {
    /// `google.rpc.BadRequest.FieldViolation`: one invalid field.
    package struct FieldViolation: Hashable, Sendable {
        /// Path of the field in the request, e.g. `containers[1].ports[0].container_port`.
        package var field: String
        /// Why the value is invalid.
        package var description: String
        /// Optional UPPER_SNAKE_CASE identifier of the cause (empty when not set).
        package var reason: String

        package init(field: String, description: String, reason: String = "") {
            self.field = field
            self.description = description
            self.reason = reason
        }
    }

    /// Fully qualified name of the message.
    package static let messageName = "google.rpc.BadRequest"

    /// The type URL of a BadRequest packed in a `google.protobuf.Any`.
    package static let typeURL = "type.googleapis.com/\(messageName)"

    /// Every invalid field.
    package var fieldViolations: [FieldViolation]

    package init(fieldViolations: [FieldViolation]) {
        self.fieldViolations = fieldViolations
    }

    package init(serializedBytes: some Collection<UInt8>) throws {
        self = try ProtobufC.withDecoded(Self.cType, from: Array(serializedBytes)) { request in
            BadRequest(
                fieldViolations: ProtobufC.messages(request.field_violations, count: request.n_field_violations) {
                    FieldViolation(
                        field: ProtobufC.string($0.field),
                        description: ProtobufC.string($0.description),
                        reason: ProtobufC.string($0.reason)
                    )
                }
            )
        }
    }

    package func serializedBytes() -> [UInt8] {
        ProtobufC.encode(Self.cType) { request, arena in
            (request.n_field_violations, request.field_violations) = arena.messages(
                Self.fieldViolationCType,
                fieldViolations
            ) { violation, element in
                violation.field = arena.string(element.field)
                violation.description = arena.string(element.description)
                violation.reason = arena.string(element.reason)
            }
        }
    }

    static let cType = ProtobufCMessageType(google__rpc__bad_request__init)
    static let fieldViolationCType = ProtobufCMessageType(google__rpc__bad_request__field_violation__init)
}

extension BadRequest {
    /// This message packed as a status detail (a `google.protobuf.Any`).
    package var statusDetail: GoogleRPCStatus.Detail {
        GoogleRPCStatus.Detail(typeURL: Self.typeURL, value: serializedBytes())
    }

    /// The value of the `grpc-status-details-bin` trailer (before base64) for a call failing with
    /// these violations: a serialized `google.rpc.Status` holding this message.
    ///
    /// - Parameters:
    ///   - code: The call's gRPC status code; 3 (INVALID_ARGUMENT) by default.
    ///   - message: The call's `grpc-message`.
    package func statusDetailsBin(code: Int32 = 3, message: String) -> [UInt8] {
        GoogleRPCStatus(code: code, message: message, badRequest: self).serializedBytes()
    }

    /// Decodes the BadRequest inside a `grpc-status-details-bin` value (after base64).
    ///
    /// - Throws: ``ProtobufDecodingError`` when the status or its BadRequest does not decode, or
    ///   the status holds no BadRequest.
    package init(statusDetailsBin: some Collection<UInt8>) throws {
        let status = try GoogleRPCStatus(serializedBytes: statusDetailsBin)
        guard let badRequest = try status.badRequest() else {
            throw ProtobufDecodingError(messageName: Self.messageName, byteCount: 0)
        }
        self = badRequest
    }
}
