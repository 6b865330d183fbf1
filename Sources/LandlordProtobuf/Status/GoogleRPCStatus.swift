internal import CLandlordProto
internal import CProtobufC

/// `google.rpc.Status`: the rich error model, sent serialized in the `grpc-status-details-bin`
/// trailer next to `grpc-status` and `grpc-message` (proto/google/rpc/status.proto).
///
/// ```swift
/// let status = GoogleRPCStatus(
///     code: 3,  // INVALID_ARGUMENT
///     message: "containers[0].image: invalid image reference",
///     badRequest: BadRequest(fieldViolations: [
///         .init(field: "containers[0].image", description: "invalid image reference")
///     ])
/// )
/// let trailerValue = status.serializedBytes()  // base64 it for `grpc-status-details-bin`
/// ```
package struct GoogleRPCStatus: ProtobufMessage {
    /// A detail message packed in a `google.protobuf.Any`.
    package struct Detail: Hashable, Sendable {
        /// Identifies the type of `value`, e.g. `type.googleapis.com/google.rpc.BadRequest`.
        package var typeURL: String
        /// The serialized detail message.
        package var value: [UInt8]

        package init(typeURL: String, value: [UInt8]) {
            self.typeURL = typeURL
            self.value = value
        }

        /// The fully qualified message name in ``typeURL`` (what follows its last `/`).
        package var typeName: Substring {
            typeURL.split(separator: "/", omittingEmptySubsequences: false).last ?? ""
        }
    }

    /// The gRPC status code (equals `grpc-status`).
    package var code: Int32
    /// The developer-facing error message (equals `grpc-message`).
    package var message: String
    /// Machine-readable details, such as a ``BadRequest``.
    package var details: [Detail]

    package init(code: Int32, message: String, details: [Detail] = []) {
        self.code = code
        self.message = message
        self.details = details
    }

    package init(serializedBytes: some Collection<UInt8>) throws {
        self = try ProtobufC.withDecoded(Self.cType, from: Array(serializedBytes)) { status in
            GoogleRPCStatus(
                code: status.code,
                message: ProtobufC.string(status.message),
                details: ProtobufC.messages(status.details, count: status.n_details) { any in
                    Detail(typeURL: ProtobufC.string(any.type_url), value: ProtobufC.bytes(any.value))
                }
            )
        }
    }

    package func serializedBytes() -> [UInt8] {
        ProtobufC.encode(Self.cType) { status, arena in
            status.code = code
            status.message = arena.string(message)
            (status.n_details, status.details) = arena.messages(Self.anyCType, details) { any, detail in
                any.type_url = arena.string(detail.typeURL)
                any.value = arena.binaryData(detail.value)
            }
        }
    }

    static let cType = ProtobufCMessageType(google__rpc__status__init)
    static let anyCType = ProtobufCMessageType(google__protobuf__any__init)
}

extension GoogleRPCStatus {
    /// A status whose only detail is `badRequest`.
    ///
    /// - Parameters:
    ///   - code: The gRPC status code, usually 3 (INVALID_ARGUMENT).
    ///   - message: The developer-facing message, which should list the violations too.
    ///   - badRequest: The field violations.
    package init(code: Int32, message: String, badRequest: BadRequest) {
        self.init(code: code, message: message, details: [badRequest.statusDetail])
    }

    /// The first ``BadRequest`` among the details, if any.
    ///
    /// - Throws: ``ProtobufDecodingError`` when that detail does not decode.
    package func badRequest() throws -> BadRequest? {
        guard let detail = details.first(where: { $0.typeName == BadRequest.messageName }) else {
            return nil
        }
        return try BadRequest(serializedBytes: detail.value)
    }
}
