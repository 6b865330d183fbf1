package import Foundation
package import NIOCore
package import NIOHTTP1

/// An engine's answer, with any status: status, headers and the whole body.
package struct EngineResponse: Sendable {
    /// The HTTP status code.
    package var status: Int
    /// The response headers.
    package var headers: HTTPHeaders
    /// The body (empty when it was streamed to the caller).
    package var body: ByteBuffer
    /// The request's ``EngineRequest/operation``, for errors.
    package var operation: String

    /// Creates a response.
    package init(status: Int, headers: HTTPHeaders = [:], body: ByteBuffer = ByteBuffer(), operation: String) {
        self.status = status
        self.headers = headers
        self.body = body
        self.operation = operation
    }

    /// The body as UTF-8 text (invalid bytes replaced).
    package var text: String {
        String(decoding: self.body.readableBytesView, as: UTF8.self)
    }

    /// The body decoded from JSON.
    ///
    /// - Throws: ``EngineClientError`` of kind ``EngineClientError/Kind/invalidResponse``.
    package func decode<Value: Decodable>(
        _ type: Value.Type = Value.self,
        decoder: JSONDecoder = JSONDecoder()
    ) throws(EngineClientError) -> Value {
        do {
            return try decoder.decode(Value.self, from: Data(self.body.readableBytesView))
        } catch {
            throw EngineClientError(
                .invalidResponse, operation: self.operation,
                message: "unexpected answer from the engine (HTTP \(self.status)): \(Self.decodingFailure(error))"
            )
        }
    }

    /// The engine's error message: the JSON body's `message` (or `error`, or `error.message`) when
    /// there is one, else the start of the body, else `HTTP <status>`.
    package var errorMessage: String {
        let data = Data(self.body.readableBytesView)
        if let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] {
            if let message = object["message"] as? String, !message.isEmpty { return message }
            if let message = object["Message"] as? String, !message.isEmpty { return message }
            if let message = object["error"] as? String, !message.isEmpty { return message }
            if let error = object["error"] as? [String: Any], let message = error["message"] as? String,
                !message.isEmpty
            {
                return message
            }
        }
        let text = String(decoding: data.prefix(EngineClientError.maximumMessageLength * 4), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? "HTTP \(self.status)" : text
    }

    /// What is wrong, without the decoder's debug description of the data.
    private static func decodingFailure(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "not JSON" }
        func path(_ context: DecodingError.Context) -> String {
            let path = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
            return path.isEmpty ? "the top level" : path
        }
        switch error {
        case .typeMismatch(let type, let context): return "\(path(context)) is not \(type)"
        case .valueNotFound(let type, let context): return "\(path(context)) has no \(type) value"
        case .keyNotFound(let key, let context): return "\(path(context)) has no field \"\(key.stringValue)\""
        case .dataCorrupted(let context): return "\(path(context)) is not valid JSON"
        @unknown default: return "not the expected JSON"
        }
    }
}
