package import Foundation
package import NIOCore
package import NIOHTTP1

/// One call to an engine's HTTP API: method, path below the endpoint's prefix, query, headers,
/// body, and what the call does (for errors and logs).
package struct EngineRequest: Sendable {
    /// The HTTP method.
    package var method: HTTPMethod
    /// The path below the endpoint's path prefix, starting with `/`, already percent-encoded
    /// where needed (``percentEncoded(_:)`` encodes one segment).
    package var path: String
    /// The query items, in order; names and values are percent-encoded when sent.
    package var query: [(name: String, value: String)]
    /// Headers sent as they are (the client adds `User-Agent`, `Host` and credentials).
    package var headers: HTTPHeaders
    /// The body; `nil`: none.
    package var body: ByteBuffer?
    /// Whether the request may be sent again after the engine may have acted on it (a 5xx, a
    /// connection lost after sending); `nil` (the default): by method, GET, HEAD, PUT, DELETE and
    /// OPTIONS are. Set it for a POST the engine deduplicates (a `clientToken`).
    package var idempotent: Bool?
    /// The deadline of the call, retries included; `nil` (the default): the client's request timeout.
    package var timeout: Duration?
    /// What the call does, for errors: e.g. `create deployment landlord-acme`.
    package var operation: String

    /// Creates a request without a body.
    package init(
        _ method: HTTPMethod,
        _ path: String,
        query: [(name: String, value: String)] = [],
        headers: HTTPHeaders = [:],
        body: ByteBuffer? = nil,
        idempotent: Bool? = nil,
        timeout: Duration? = nil,
        operation: String
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.idempotent = idempotent
        self.timeout = timeout
        self.operation = operation
    }

    /// An encoder with sorted keys and unescaped slashes.
    package static let jsonEncoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    /// Sets the body to `value` as JSON and `Content-Type: application/json`.
    ///
    /// - Throws: the encoder's error.
    package mutating func json(_ value: some Encodable, encoder: JSONEncoder = EngineRequest.jsonEncoder) throws {
        self.body = ByteBuffer(bytes: try encoder.encode(value))
        self.headers.replaceOrAdd(name: "Content-Type", value: "application/json")
    }

    /// Whether the request may be retried after the engine may have acted on it (see ``idempotent``).
    package var isIdempotent: Bool {
        if let idempotent = self.idempotent { return idempotent }
        switch self.method {
        case .GET, .HEAD, .PUT, .DELETE, .OPTIONS: return true
        default: return false
        }
    }

    /// The path and the encoded query, e.g. `/containers/json?all=true&filters=%7B%7D`.
    package var pathAndQuery: String {
        guard !self.query.isEmpty else { return self.path }
        return self.path + "?" + Self.encodedQuery(self.query)
    }

    /// `name=value&...` with names and values percent-encoded (``percentEncoded(_:)``).
    package static func encodedQuery(_ query: [(name: String, value: String)]) -> String {
        query.map { "\(Self.percentEncoded($0.name))=\(Self.percentEncoded($0.value))" }.joined(separator: "&")
    }

    private static let unreserved = CharacterSet(
        charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~"
    )

    /// `component` with everything but RFC 3986 unreserved characters (`A-Z a-z 0-9 - . _ ~`)
    /// percent-encoded as UTF-8 (a space is `%20`, `/` is `%2F`).
    package static func percentEncoded(_ component: String) -> String {
        component.addingPercentEncoding(withAllowedCharacters: Self.unreserved) ?? component
    }
}

extension EngineRequest: CustomStringConvertible {
    /// `METHOD /path (operation)`: never headers (they may hold tokens), the query or the body.
    package var description: String {
        "\(self.method.rawValue) \(self.path) (\(self.operation))"
    }
}
