package import LandlordCompute

/// The common first steps of decoding a spec's `provider_config`: the document as a JSON object,
/// the readable names of JSON types, and keys shortened for field paths.
package enum ProviderConfigDocument {
    /// `raw` as a JSON object: an empty object when absent or empty, else a violation at
    /// `provider_config` when it is not well-formed or not an object (`provider` names who reads it).
    package static func object(
        _ raw: RawJSON?,
        provider: String
    ) -> (object: [String: JSONValue], violation: FieldViolation?) {
        guard let raw, !raw.isEmpty else { return ([:], nil) }
        guard let value = try? raw.value() else {
            return (
                [:],
                FieldViolation(
                    field: "provider_config", description: "provider_config must be a well-formed JSON document"))
        }
        guard case .object(let object) = value else {
            return (
                [:],
                FieldViolation(
                    field: "provider_config",
                    description:
                        "provider_config for the \(provider) provider must be a JSON object (it is \(Self.typeName(value)))"
                ))
        }
        return (object, nil)
    }

    /// What `value` is, for messages: `a string`, `a number`, ... (never the value itself).
    package static func typeName(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool: "a boolean"
        case .integer, .unsignedInteger, .double: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    /// A key as a field path component, cut to ``SpecValidator/maximumQuotedLength`` characters.
    package static func shortened(_ key: String) -> String {
        key.count > SpecValidator.maximumQuotedLength
            ? String(key.prefix(SpecValidator.maximumQuotedLength)) + "..." : key
    }
}
