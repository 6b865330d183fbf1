package import LandlordCompute
internal import LandlordProviderKit

/// The `nomad` provider's `provider_config`: a JSON object with these keys, each optional.
///
/// | key | type | default | becomes |
/// |---|---|---|---|
/// | `count` | integer 1-100 | 1 | the group's `Count` (allocations) |
/// | `datacenters` | array of non-empty strings | `--nomad-datacenters` (`*`) | the job's `Datacenters` |
/// | `constraints` | array of `{"attribute", "operator", "value"}` | none | the job's `Constraints` (`LTarget`, `Operand`, `RTarget`) |
/// | `node_pool` | non-empty string | Nomad's `default` | the job's `NodePool` |
/// | `priority` | integer 1-100 | Nomad's 50 | the job's `Priority` |
/// | `auto_revert` | boolean | true | the update block's `AutoRevert` |
/// | `cpu_cores` | boolean | false | reserve whole `Cores` (millicores rounded up to cores) instead of `CPU` MHz |
///
/// An unknown key or a wrong type is a violation at `provider_config.<key>` (or deeper, e.g.
/// `provider_config.constraints[0].operator`).
package struct NomadSpecConfig: Sendable, Hashable, Codable {
    /// A placement constraint in Nomad's HCL terms.
    package struct Constraint: Sendable, Hashable, Codable {
        /// `attribute`: e.g. `${attr.kernel.name}` or `${meta.rack}`; empty for `distinct_hosts`.
        package var attribute: String
        /// `operator`: `=`, `!=`, `>`, `>=`, `<`, `<=`, `regexp`, `set_contains`, ...; `=` by default.
        package var `operator`: String
        /// `value`: what the attribute is compared with.
        package var value: String
    }

    package var count: Int?
    package var datacenters: [String]?
    package var constraints: [Constraint]?
    package var nodePool: String?
    package var priority: Int?
    package var autoRevert: Bool?
    package var cpuCores: Bool?

    enum CodingKeys: String, CodingKey {
        case count, datacenters, constraints, priority
        case nodePool = "node_pool", autoRevert = "auto_revert", cpuCores = "cpu_cores"
    }

    package init() {}

    /// Whether nothing is set (the stored spec then keeps no provider_config).
    package var isEmpty: Bool { self == Self() }

    /// The operators Nomad's constraints accept (`structs.Constraint.Validate`).
    package static let operators: Set<String> = [
        "=", "==", "is", "!=", "not", ">", ">=", "<", "<=", "regexp", "set_contains", "set_contains_all",
        "set_contains_any", "version", "semver", "is_set", "is_not_set", "distinct_hosts", "distinct_property",
    ]

    /// The keys this provider reads.
    package static let keys = ["auto_revert", "constraints", "count", "cpu_cores", "datacenters", "node_pool", "priority"]

    /// `raw` decoded, with every violation found (an empty config when there are violations).
    package static func decode(_ raw: RawJSON?) -> (config: NomadSpecConfig, violations: [FieldViolation]) {
        let (object, violation) = ProviderConfigDocument.object(raw, provider: NomadProvider.defaultName)
        if let violation { return (Self(), [violation]) }
        var config = Self()
        var violations: [FieldViolation] = []
        func violate(_ key: String, _ description: String) {
            violations.append(FieldViolation(field: "provider_config.\(key)", description: description))
        }
        func integer(_ key: String, _ value: JSONValue, in range: ClosedRange<Int>) -> Int? {
            let number: Int?
            switch value {
            case .integer(let n): number = Int(exactly: n)
            case .unsignedInteger(let n): number = Int(exactly: n)
            case .double(let d): number = d.rounded() == d ? Int(exactly: d) : nil
            default: number = nil
            }
            guard let number, range.contains(number) else {
                violate(key, "\(key) must be a whole number from \(range.lowerBound) to \(range.upperBound)")
                return nil
            }
            return number
        }
        for (key, value) in object.sorted(by: { $0.key < $1.key }) {
            switch key {
            case "count":
                config.count = integer(key, value, in: 1...100)
            case "priority":
                config.priority = integer(key, value, in: 1...100)
            case "auto_revert", "cpu_cores":
                guard case .bool(let flag) = value else {
                    violate(key, "\(key) must be a boolean (it is \(ProviderConfigDocument.typeName(value)))")
                    continue
                }
                if key == "auto_revert" { config.autoRevert = flag } else { config.cpuCores = flag }
            case "node_pool":
                guard case .string(let pool) = value, !pool.isEmpty, !pool.contains(where: \.isWhitespace) else {
                    violate(key, "node_pool must be a non-empty string without spaces")
                    continue
                }
                config.nodePool = pool
            case "datacenters":
                guard case .array(let items) = value, !items.isEmpty else {
                    violate(key, "datacenters must be a non-empty array of datacenter names")
                    continue
                }
                var names: [String] = []
                for (index, item) in items.enumerated() {
                    guard case .string(let name) = item, !name.isEmpty, !name.contains(where: \.isWhitespace) else {
                        violate("datacenters[\(index)]", "a datacenter must be a non-empty string without spaces")
                        continue
                    }
                    names.append(name)
                }
                config.datacenters = names
            case "constraints":
                guard case .array(let items) = value else {
                    violate(key, "constraints must be an array of {attribute, operator, value} objects")
                    continue
                }
                var constraints: [Constraint] = []
                for (index, item) in items.enumerated() {
                    let path = "constraints[\(index)]"
                    guard case .object(let fields) = item else {
                        violate(path, "a constraint must be an object with attribute, operator and value")
                        continue
                    }
                    var constraint = Constraint(attribute: "", operator: "=", value: "")
                    for (field, fieldValue) in fields.sorted(by: { $0.key < $1.key }) {
                        guard ["attribute", "operator", "value"].contains(field) else {
                            violate("\(path).\(ProviderConfigDocument.shortened(field))", "unknown constraint field (known: attribute, operator, value)")
                            continue
                        }
                        guard case .string(let text) = fieldValue else {
                            violate("\(path).\(field)", "\(field) must be a string")
                            continue
                        }
                        switch field {
                        case "attribute": constraint.attribute = text
                        case "operator": constraint.operator = text
                        default: constraint.value = text
                        }
                    }
                    if !Self.operators.contains(constraint.operator) {
                        violate("\(path).operator", "operator must be one of \(Self.operators.sorted().joined(separator: ", "))")
                    } else if !["distinct_hosts", "distinct_property", "is_set", "is_not_set"].contains(constraint.operator),
                        constraint.attribute.isEmpty
                    {
                        violate("\(path).attribute", "attribute is required with operator \(constraint.operator)")
                    }
                    constraints.append(constraint)
                }
                config.constraints = constraints
            default:
                violate(
                    ProviderConfigDocument.shortened(key),
                    "unknown key for the nomad provider (known: \(Self.keys.joined(separator: ", ")))")
            }
        }
        return violations.isEmpty ? (config, []) : (Self(), violations)
    }
}
