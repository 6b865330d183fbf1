internal import CLandlordTestingProto
internal import CProtobufC
internal import LandlordProtobuf

// The messages of landlord.testing.v1.TestService (Tests/proto/landlord/testing/v1/test_service.proto).

/// `landlord.testing.v1.EchoRequest`: what the test service echoes and how.
package struct EchoRequest: ProtobufMessage {
    /// Text echoed back in ``EchoResponse/message``.
    package var message: String
    /// Bytes echoed back in ``EchoResponse/payload`` (unless ``responseSize`` is positive).
    package var payload: [UInt8]
    /// Number of responses a streaming method sends for this request; 0 means 1.
    package var responseCount: Int32
    /// When positive, each response carries a payload of exactly this many bytes.
    package var responseSize: Int32
    /// Milliseconds to wait before each response.
    package var delayMilliseconds: Int32
    /// When not 0, the call fails with this gRPC status code.
    package var failCode: Int32
    /// The grpc-message of the requested failure.
    package var failMessage: String
    /// Whether responses carry the request's custom metadata.
    package var echoMetadata: Bool
    /// Whether the handler waits until the call is cancelled instead of answering.
    package var waitForCancellation: Bool
    /// Headers the server adds to its response headers.
    package var responseHeaders: [String: String]
    /// Trailers the server adds to its response trailers.
    package var responseTrailers: [String: String]
    /// Number of responses sent before failing with ``failCode``.
    package var failAfter: Int32

    package init(
        message: String = "",
        payload: [UInt8] = [],
        responseCount: Int32 = 0,
        responseSize: Int32 = 0,
        delayMilliseconds: Int32 = 0,
        failCode: Int32 = 0,
        failMessage: String = "",
        echoMetadata: Bool = false,
        waitForCancellation: Bool = false,
        responseHeaders: [String: String] = [:],
        responseTrailers: [String: String] = [:],
        failAfter: Int32 = 0
    ) {
        self.message = message
        self.payload = payload
        self.responseCount = responseCount
        self.responseSize = responseSize
        self.delayMilliseconds = delayMilliseconds
        self.failCode = failCode
        self.failMessage = failMessage
        self.echoMetadata = echoMetadata
        self.waitForCancellation = waitForCancellation
        self.responseHeaders = responseHeaders
        self.responseTrailers = responseTrailers
        self.failAfter = failAfter
    }

    package init(serializedBytes: some Collection<UInt8>) throws {
        self = try ProtobufC.withDecoded(Self.cType, from: serializedBytes) { m in
            EchoRequest(
                message: ProtobufC.string(m.message),
                payload: ProtobufC.bytes(m.payload.data, count: m.payload.len),
                responseCount: m.response_count,
                responseSize: m.response_size,
                delayMilliseconds: m.delay_ms,
                failCode: m.fail_code,
                failMessage: ProtobufC.string(m.fail_message),
                echoMetadata: m.echo_metadata != 0,
                waitForCancellation: m.wait_for_cancellation != 0,
                responseHeaders: ProtobufC.stringMap(
                    m.response_headers,
                    count: m.n_response_headers,
                    key: \.key,
                    value: \.value
                ),
                responseTrailers: ProtobufC.stringMap(
                    m.response_trailers,
                    count: m.n_response_trailers,
                    key: \.key,
                    value: \.value
                ),
                failAfter: m.fail_after
            )
        }
    }

    package func serializedBytes() -> [UInt8] {
        ProtobufC.encode(Self.cType) { m, arena in
            m.message = arena.string(message)
            let payload = arena.bytes(payload)
            m.payload = ProtobufCBinaryData(len: payload.count, data: payload.pointer)
            m.response_count = responseCount
            m.response_size = responseSize
            m.delay_ms = delayMilliseconds
            m.fail_code = failCode
            m.fail_message = arena.string(failMessage)
            m.echo_metadata = echoMetadata ? 1 : 0
            m.wait_for_cancellation = waitForCancellation ? 1 : 0
            (m.n_response_headers, m.response_headers) = arena.stringMap(
                Self.headersEntryCType,
                responseHeaders,
                key: \.key,
                value: \.value
            )
            (m.n_response_trailers, m.response_trailers) = arena.stringMap(
                Self.trailersEntryCType,
                responseTrailers,
                key: \.key,
                value: \.value
            )
            m.fail_after = failAfter
        }
    }

    static let cType = ProtobufCMessageType(landlord__testing__v1__echo_request__init)
    static let headersEntryCType = ProtobufCMessageType(
        landlord__testing__v1__echo_request__response_headers_entry__init
    )
    static let trailersEntryCType = ProtobufCMessageType(
        landlord__testing__v1__echo_request__response_trailers_entry__init
    )
}

/// `landlord.testing.v1.EchoResponse`: one echo.
package struct EchoResponse: ProtobufMessage {
    /// The request's message.
    package var message: String
    /// The request's payload, or the requested number of bytes.
    package var payload: [UInt8]
    /// Position of this response in its stream, from 0.
    package var index: Int32
    /// The request's custom metadata, when requested.
    package var metadata: [String: String]
    /// Number of requests the server read on this call so far.
    package var requestCount: Int32

    package init(
        message: String = "",
        payload: [UInt8] = [],
        index: Int32 = 0,
        metadata: [String: String] = [:],
        requestCount: Int32 = 0
    ) {
        self.message = message
        self.payload = payload
        self.index = index
        self.metadata = metadata
        self.requestCount = requestCount
    }

    package init(serializedBytes: some Collection<UInt8>) throws {
        self = try ProtobufC.withDecoded(Self.cType, from: serializedBytes) { m in
            EchoResponse(
                message: ProtobufC.string(m.message),
                payload: ProtobufC.bytes(m.payload.data, count: m.payload.len),
                index: m.index,
                metadata: ProtobufC.stringMap(m.metadata, count: m.n_metadata, key: \.key, value: \.value),
                requestCount: m.request_count
            )
        }
    }

    package func serializedBytes() -> [UInt8] {
        ProtobufC.encode(Self.cType) { m, arena in
            m.message = arena.string(message)
            let payload = arena.bytes(payload)
            m.payload = ProtobufCBinaryData(len: payload.count, data: payload.pointer)
            m.index = index
            (m.n_metadata, m.metadata) = arena.stringMap(
                Self.metadataEntryCType,
                metadata,
                key: \.key,
                value: \.value
            )
            m.request_count = requestCount
        }
    }

    static let cType = ProtobufCMessageType(landlord__testing__v1__echo_response__init)
    static let metadataEntryCType = ProtobufCMessageType(
        landlord__testing__v1__echo_response__metadata_entry__init
    )
}
