import LandlordRPC
import LandlordTestingProto

/// `landlord.testing.v1.TestService`: an echo service whose behaviour each
/// request controls (delays, failures, metadata, sizes, waiting for
/// cancellation), so that interop tests can drive every path of the runtime.
///
/// It reports `handler waiting: <message>` and `handler cancelled: <message>`
/// through `report`, so tests can see that cancellation reached the handler.
struct TestService: RPCService {
    static let name = LandlordTestingDescriptorSet.testServiceName

    let report: @Sendable (String) -> Void

    func registerMethods(with router: inout RPCRouter) {
        let decode: MessageDecoder<EchoRequest> = { try EchoRequest(serializedBytes: $0) }
        let encode: MessageEncoder<EchoResponse> = { $0.serializedBytes() }

        router.registerUnary(method("UnaryEcho"), decode: decode, encode: encode) { request, context in
            try await prepare(request, context)
            try failIfAsked(request, sent: 0)
            return response(to: request, index: 0, requestCount: 1, context)
        }

        router.registerServerStreaming(method("ServerStreamEcho"), decode: decode, encode: encode) {
            request, writer, context in
            try await prepare(request, context)
            for index in 0..<max(1, Int(request.responseCount)) {
                try failIfAsked(request, sent: index)
                if index > 0 { try await delay(request) }
                try await writer.write(response(to: request, index: index, requestCount: 1, context))
            }
            try failIfAsked(request, sent: max(1, Int(request.responseCount)))
        }

        router.registerClientStreaming(method("ClientStreamEcho"), decode: decode, encode: encode) { requests, context in
            var messages: [String] = []
            var last = EchoRequest()
            for try await request in requests {
                messages.append(request.message)
                last = request
            }
            try await prepare(last, context)
            try failIfAsked(last, sent: 0)
            var echo = response(to: last, index: 0, requestCount: messages.count, context)
            echo.message = messages.joined(separator: ",")
            return echo
        }

        router.registerBidirectionalStreaming(method("BidiEcho"), decode: decode, encode: encode) {
            requests, writer, context in
            var count = 0
            for try await request in requests {
                count += 1
                try await prepare(request, context)
                try failIfAsked(request, sent: count - 1)
                try await writer.write(response(to: request, index: count - 1, requestCount: count, context))
            }
        }
    }

    private func method(_ name: String) -> MethodDescriptor { MethodDescriptor(service: Self.name, method: name) }

    /// Response metadata, the requested wait and delay.
    private func prepare(_ request: EchoRequest, _ context: ServerContext) async throws {
        for (key, value) in request.responseHeaders { context.response.addHeader(key, .string(value)) }
        for (key, value) in request.responseTrailers { context.response.addTrailer(key, .string(value)) }
        if request.waitForCancellation {
            report("handler waiting: \(request.message)")
            try await reportingCancellation(of: request) { try await Task.sleep(for: .seconds(3600)) }
        }
        try await delay(request)
    }

    private func delay(_ request: EchoRequest) async throws {
        guard request.delayMilliseconds > 0 else { return }
        try await reportingCancellation(of: request) { try await Task.sleep(for: .milliseconds(Int(request.delayMilliseconds))) }
    }

    private func reportingCancellation(of request: EchoRequest, _ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch {
            report("handler cancelled: \(request.message)")
            throw error
        }
    }

    private func failIfAsked(_ request: EchoRequest, sent: Int) throws {
        guard request.failCode != 0, sent == Int(request.failAfter) else { return }
        throw RPCError(
            code: StatusCode(rawValue: Int(request.failCode)) ?? .unknown,
            message: request.failMessage
        )
    }

    private func response(to request: EchoRequest, index: Int, requestCount: Int, _ context: ServerContext) -> EchoResponse {
        var metadata: [String: String] = [:]
        if request.echoMetadata {
            for element in context.requestMetadata {
                switch element.value {
                case .string(let value): metadata[element.key] = value
                case .binary(let bytes): metadata[element.key] = base64(bytes)
                }
            }
        }
        let payload = request.responseSize > 0 ? [UInt8](repeating: 0x61, count: Int(request.responseSize)) : request.payload
        return EchoResponse(
            message: request.message,
            payload: payload,
            index: Int32(index),
            metadata: metadata,
            requestCount: Int32(requestCount)
        )
    }

    /// Unpadded base64, for echoing binary metadata as a string.
    private func base64(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        var out = ""
        var index = 0
        while index < bytes.count {
            let chunk = bytes[index..<min(index + 3, bytes.count)]
            var value = 0
            for byte in chunk { value = value << 8 | Int(byte) }
            value <<= 8 * (3 - chunk.count)
            for position in 0...chunk.count { out.append(alphabet[(value >> (18 - 6 * position)) & 0x3F]) }
            index += 3
        }
        return out
    }
}
