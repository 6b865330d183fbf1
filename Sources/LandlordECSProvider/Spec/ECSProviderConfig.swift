package import LandlordCompute
internal import LandlordProviderKit

/// The launch type of a tenant's service.
package enum ECSLaunchType: String, Codable, Sendable, Hashable, CaseIterable {
    /// Serverless tasks; the task size must be a Fargate size (``FargateSizes``).
    case fargate = "FARGATE"
    /// Tasks on the cluster's EC2 container instances.
    case ec2 = "EC2"
}

/// The `provider_config` keys of the `ecs` provider, decoded and checked.
///
/// | key | type | default | meaning |
/// |---|---|---|---|
/// | `launch_type` | `"FARGATE"` or `"EC2"` | `"FARGATE"` | the service's launch type |
/// | `desired_count` | integer 0-1000 | 1 | tasks the service keeps running |
/// | `platform_version` | string (`LATEST`, `1.4.0`) | ECS's (`LATEST`) | the Fargate platform version |
/// | `log_group` | string | none | CloudWatch Logs group of the `awslogs` driver (needs the execution role) |
/// | `task_role_arn` | IAM role ARN | none | the role the containers' AWS calls use |
/// | `capacity_provider_strategy` | array of `{capacity_provider, weight, base}` | none | instead of `launch_type` |
package struct ECSProviderConfig: Codable, Sendable, Hashable {
    /// One capacity provider of the strategy.
    package struct CapacityProvider: Codable, Sendable, Hashable {
        package var capacityProvider: String
        package var weight: Int?
        package var base: Int?

        enum CodingKeys: String, CodingKey {
            case capacityProvider = "capacity_provider"
            case weight
            case base
        }
    }

    package var launchType: ECSLaunchType?
    package var desiredCount: Int?
    package var platformVersion: String?
    package var logGroup: String?
    package var taskRoleARN: String?
    package var capacityProviderStrategy: [CapacityProvider]?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case launchType = "launch_type"
        case desiredCount = "desired_count"
        case platformVersion = "platform_version"
        case logGroup = "log_group"
        case taskRoleARN = "task_role_arn"
        case capacityProviderStrategy = "capacity_provider_strategy"
    }

    package init() {}

    /// The default number of tasks.
    package static let defaultDesiredCount = 1

    /// The effective desired count.
    package var effectiveDesiredCount: Int { self.desiredCount ?? Self.defaultDesiredCount }

    /// Whether tasks run on Fargate: the launch type, or a strategy of `FARGATE`/`FARGATE_SPOT` providers.
    package var runsOnFargate: Bool {
        if let strategy = self.capacityProviderStrategy, !strategy.isEmpty {
            return strategy.allSatisfy { $0.capacityProvider.hasPrefix("FARGATE") }
        }
        return (self.launchType ?? .fargate) == .fargate
    }

    /// The part of the config that shapes the task definition (the rest shapes the service).
    package var taskDefinitionPart: ECSProviderConfig {
        var part = ECSProviderConfig()
        part.logGroup = self.logGroup
        part.taskRoleARN = self.taskRoleARN
        part.launchType = self.runsOnFargate ? .fargate : .ec2
        return part
    }

    /// Decodes `raw`, collecting a violation at `provider_config.<key>` for every unknown key and
    /// wrong value (never quoting a value).
    package static func decode(_ raw: RawJSON?) -> (config: ECSProviderConfig, violations: [FieldViolation]) {
        let (object, violation) = ProviderConfigDocument.object(raw, provider: "ecs")
        if let violation { return (ECSProviderConfig(), [violation]) }
        var config = ECSProviderConfig()
        var violations: [FieldViolation] = []
        func add(_ key: String, _ description: String) {
            violations.append(FieldViolation(field: "provider_config.\(ProviderConfigDocument.shortened(key))", description: description))
        }
        let known = Set(CodingKeys.allCases.map(\.rawValue))
        for key in object.keys.sorted() where !known.contains(key) {
            add(key, "unknown key for the ecs provider (known: \(known.sorted().joined(separator: ", ")))")
        }
        func string(_ key: CodingKeys) -> String? {
            guard let value = object[key.rawValue] else { return nil }
            guard case .string(let text) = value, !text.isEmpty else {
                add(key.rawValue, "must be a non-empty string (it is \(ProviderConfigDocument.typeName(value)))")
                return nil
            }
            return text
        }
        /// The whole number `value` within `range`, or a violation at `field`.
        func integer(_ value: JSONValue?, _ range: ClosedRange<Int>, at field: String) -> Int? {
            guard let value else { return nil }
            let number: Int?
            switch value {
            case .integer(let n): number = Int(exactly: n)
            case .unsignedInteger(let n): number = Int(exactly: n)
            case .double(let d) where d.rounded() == d: number = Int(exactly: d)
            default: number = nil
            }
            guard let number, range.contains(number) else {
                add(field, "must be a whole number from \(range.lowerBound) to \(range.upperBound)")
                return nil
            }
            return number
        }
        if let text = string(.launchType) {
            if let type = ECSLaunchType(rawValue: text.uppercased()) {
                config.launchType = type
            } else {
                add(CodingKeys.launchType.rawValue, "must be FARGATE or EC2")
            }
        }
        config.desiredCount = integer(
            object[CodingKeys.desiredCount.rawValue], 0...1000, at: CodingKeys.desiredCount.rawValue)
        if let version = string(.platformVersion) {
            if version == "LATEST" || version.split(separator: ".").count == 3 && version.split(separator: ".").allSatisfy({ Int($0) != nil }) {
                config.platformVersion = version
            } else {
                add(CodingKeys.platformVersion.rawValue, "must be LATEST or a version such as 1.4.0")
            }
        }
        if let group = string(.logGroup) {
            let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-/.#")
            if group.count <= 512 && group.allSatisfy(allowed.contains) {
                config.logGroup = group
            } else {
                add(CodingKeys.logGroup.rawValue, "must be a CloudWatch Logs group name (letters, digits, _ - / . #; at most 512)")
            }
        }
        if let role = string(.taskRoleARN) {
            if role.hasPrefix("arn:") && role.contains(":iam::") && role.contains(":role/") {
                config.taskRoleARN = role
            } else {
                add(CodingKeys.taskRoleARN.rawValue, "must be an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)")
            }
        }
        if let value = object[CodingKeys.capacityProviderStrategy.rawValue] {
            let key = CodingKeys.capacityProviderStrategy.rawValue
            if case .array(let items) = value, !items.isEmpty, items.count <= 20 {
                var strategy: [CapacityProvider] = []
                for (index, item) in items.enumerated() {
                    let path = "\(key)[\(index)]"
                    guard case .object(let fields) = item else {
                        add(path, "must be an object with capacity_provider, weight and base")
                        continue
                    }
                    for field in fields.keys.sorted() where !["capacity_provider", "weight", "base"].contains(field) {
                        add("\(path).\(ProviderConfigDocument.shortened(field))", "unknown key (known: base, capacity_provider, weight)")
                    }
                    guard case .string(let name)? = fields["capacity_provider"], !name.isEmpty else {
                        add("\(path).capacity_provider", "must be a capacity provider name")
                        continue
                    }
                    strategy.append(
                        CapacityProvider(
                            capacityProvider: name,
                            weight: integer(fields["weight"], 0...1000, at: "\(path).weight"),
                            base: integer(fields["base"], 0...100_000, at: "\(path).base")))
                }
                config.capacityProviderStrategy = strategy
                if config.launchType != nil {
                    add(key, "cannot be combined with launch_type (ECS takes one or the other)")
                }
            } else {
                add(key, "must be an array of 1 to 20 {capacity_provider, weight, base} objects")
            }
        }
        return (config, violations)
    }
}
