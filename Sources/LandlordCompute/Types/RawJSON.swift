// `json.RawMessage` for Swift: a JSON document kept as its bytes.

package import Foundation

/// A JSON document kept as raw bytes, like Go's `json.RawMessage`.
///
/// ``TenantComputeSpec/providerConfig`` uses it so that the framework carries a provider's
/// configuration without interpreting it: bytes that come in (for example from the protobuf `bytes`
/// field) are exactly the bytes a provider sees.
///
/// Through `Codable` the document is written as an embedded JSON value (not as a string), and
/// decoding a document produces its canonical form: compact, object keys sorted. A canonical
/// document therefore survives a JSON round trip byte for byte; any other survives as an equal JSON
/// value. Integers beyond the range of `Int64`/`UInt64` lose precision (they become `Double`).
///
/// Equality and hashing compare the bytes.
///
/// > Important: the provider configuration may hold credentials. `description` prints only the
/// > size, never the content.
package struct RawJSON: Sendable, Hashable, Codable, CustomStringConvertible, CustomReflectable {
    /// The document's bytes, exactly as given.
    package var bytes: Data

    /// Wraps `bytes` without checking them; ``isValidJSON`` tells whether they parse.
    package init(_ bytes: Data) {
        self.bytes = bytes
    }

    /// Wraps the UTF-8 bytes of `string`.
    package init(_ string: String) {
        self.bytes = Data(string.utf8)
    }

    /// Whether there are no bytes at all (an absent document).
    package var isEmpty: Bool { self.bytes.isEmpty }

    /// Whether the bytes are a well-formed JSON document (any JSON value, not only an object).
    package var isValidJSON: Bool {
        (try? self.value()) != nil
    }

    /// Whether the bytes are a well-formed JSON document whose top-level value is an object.
    package var isObject: Bool {
        if case .object = try? self.value() { return true }
        return false
    }

    /// The parsed document.
    package func value() throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: self.bytes)
    }

    package var description: String {
        "RawJSON(\(self.bytes.count) bytes)"
    }

    package var customMirror: Mirror {
        Mirror(self, children: ["byteCount": self.bytes.count], displayStyle: .struct)
    }

    package init(from decoder: any Decoder) throws {
        let value = try JSONValue(from: decoder)
        self.bytes = try Self.canonicalEncoder.encode(value)
    }

    package func encode(to encoder: any Encoder) throws {
        let value: JSONValue
        do {
            value = try self.value()
        } catch {
            throw EncodingError.invalidValue(
                self,
                EncodingError.Context(
                    codingPath: encoder.codingPath,
                    debugDescription: "provider_config is not a well-formed JSON document",
                    underlyingError: error
                )
            )
        }
        try value.encode(to: encoder)
    }

    private static var canonicalEncoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}

/// A parsed JSON value, used to carry ``RawJSON`` through `Codable`.
package enum JSONValue: Sendable, Hashable, Codable {
    case null
    case bool(Bool)
    case integer(Int64)
    case unsignedInteger(UInt64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    package init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .integer(value)
        } else if let value = try? container.decode(UInt64.self) {
            self = .unsignedInteger(value)
        } else if let value = try? container.decode(Double.self) {
            self = .double(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else if let value = try? container.decode([String: JSONValue].self) {
            self = .object(value)
        } else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a JSON value")
        }
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .integer(let value): try container.encode(value)
        case .unsignedInteger(let value): try container.encode(value)
        case .double(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }
}
