// The messages of grpc.reflection.v1.ServerReflection and grpc.reflection.v1alpha.ServerReflection
// (proto/grpc/reflection/{v1,v1alpha}/reflection.proto). Both versions have the same fields and
// numbers, so one Swift type serves both; each version encodes and decodes with its own generated
// protobuf-c descriptors.

/// Which reflection protocol a message belongs to.
package enum ReflectionAPIVersion: Hashable, Sendable, CaseIterable {
    /// `grpc.reflection.v1`.
    case v1
    /// `grpc.reflection.v1alpha`, the pre-release version many clients still use.
    case v1alpha

    /// The protobuf package of this version, e.g. `grpc.reflection.v1`.
    package var protobufPackage: String {
        switch self {
        case .v1: "grpc.reflection.v1"
        case .v1alpha: "grpc.reflection.v1alpha"
        }
    }

    /// Fully qualified name of the reflection service, e.g. `grpc.reflection.v1.ServerReflection`.
    package var serviceName: String {
        "\(protobufPackage).ServerReflection"
    }

    /// The gRPC path of the only method, e.g. `/grpc.reflection.v1.ServerReflection/ServerReflectionInfo`.
    package var methodPath: String {
        "/\(serviceName)/ServerReflectionInfo"
    }
}

/// `ServerReflectionRequest`: one question on the reflection stream.
package struct ServerReflectionRequest: Hashable, Sendable {
    /// The question (the `message_request` oneof).
    package enum MessageRequest: Hashable, Sendable {
        /// The file with this name and its transitive dependencies.
        case fileByFilename(String)
        /// The file defining this fully qualified symbol and its transitive dependencies.
        case fileContainingSymbol(String)
        /// The file defining an extension of `containingType` with field `number`.
        case fileContainingExtension(containingType: String, number: Int32)
        /// The field numbers of every extension of this fully qualified message type.
        case allExtensionNumbersOfType(String)
        /// The names of every service (the value is not checked).
        case listServices(String)
    }

    /// The host the client asks about (may be empty).
    package var host: String

    /// The question; `nil` when the client set none.
    package var messageRequest: MessageRequest?

    package init(host: String = "", messageRequest: MessageRequest?) {
        self.host = host
        self.messageRequest = messageRequest
    }

    /// Decodes a request of the given reflection version.
    ///
    /// - Throws: ``ProtobufDecodingError`` when the bytes are not a valid request.
    package init(serializedBytes: some Collection<UInt8>, version: ReflectionAPIVersion) throws {
        switch version {
        case .v1: self = try ReflectionV1Codec.decodeRequest(serializedBytes)
        case .v1alpha: self = try ReflectionV1alphaCodec.decodeRequest(serializedBytes)
        }
    }

    /// The wire encoding of the request in the given reflection version.
    package func serializedBytes(version: ReflectionAPIVersion) -> [UInt8] {
        switch version {
        case .v1: ReflectionV1Codec.encode(self)
        case .v1alpha: ReflectionV1alphaCodec.encode(self)
        }
    }
}

/// `ServerReflectionResponse`: the answer to one question.
package struct ServerReflectionResponse: Hashable, Sendable {
    /// The answer (the `message_response` oneof).
    package enum MessageResponse: Hashable, Sendable {
        /// Serialized `google.protobuf.FileDescriptorProto`s: the requested file and its
        /// dependencies.
        case fileDescriptorResponse([[UInt8]])
        /// The extension numbers of a message type.
        case allExtensionNumbersResponse(baseTypeName: String, extensionNumbers: [Int32])
        /// Fully qualified names of the services.
        case listServicesResponse([String])
        /// Why the question could not be answered: a gRPC status code and a message.
        case errorResponse(code: Int32, message: String)
    }

    /// The host the answer is valid for.
    package var validHost: String

    /// The question answered.
    package var originalRequest: ServerReflectionRequest?

    /// The answer; `nil` when none is set.
    package var messageResponse: MessageResponse?

    package init(
        validHost: String = "",
        originalRequest: ServerReflectionRequest?,
        messageResponse: MessageResponse?
    ) {
        self.validHost = validHost
        self.originalRequest = originalRequest
        self.messageResponse = messageResponse
    }

    /// Decodes a response of the given reflection version.
    ///
    /// - Throws: ``ProtobufDecodingError`` when the bytes are not a valid response.
    package init(serializedBytes: some Collection<UInt8>, version: ReflectionAPIVersion) throws {
        switch version {
        case .v1: self = try ReflectionV1Codec.decodeResponse(serializedBytes)
        case .v1alpha: self = try ReflectionV1alphaCodec.decodeResponse(serializedBytes)
        }
    }

    /// The wire encoding of the response in the given reflection version.
    package func serializedBytes(version: ReflectionAPIVersion) -> [UInt8] {
        switch version {
        case .v1: ReflectionV1Codec.encode(self)
        case .v1alpha: ReflectionV1alphaCodec.encode(self)
        }
    }
}
