package import LandlordCompute
internal import LandlordProviderKit

/// The `provider_config` of a spec for the kubernetes provider: a JSON object whose keys are all
/// optional.
///
/// | key | type | meaning |
/// |---|---|---|
/// | `replicas` | integer 0-1000 | the Deployment's replicas (default 1) |
/// | `service_type` | `ClusterIP`, `NodePort` or `LoadBalancer` | the Service's type (default `LoadBalancer` when `networking.public_ip`, else `ClusterIP`) |
/// | `node_selector` | object of strings | the pods' `nodeSelector` (label keys and values) |
/// | `tolerations` | array of objects | the pods' tolerations: `key`, `operator` (`Exists`, `Equal`), `value`, `effect` (`NoSchedule`, `PreferNoSchedule`, `NoExecute`), `toleration_seconds` (with `NoExecute`) |
/// | `image_pull_secrets` | array of strings | names of Secrets in the tenant namespace for pulling images |
/// | `service_account` | string | the pods' service account (default: the namespace's `default`, without a mounted token) |
/// | `ingress_from_namespaces` | array of strings | namespaces (e.g. an ingress controller's) whose pods may reach the tenant's pods besides the tenant's own |
/// | `rollback_on_failure` | boolean | roll a failed rollout back to the previous revision (default false) |
///
/// Any other key, a value of another type and an unknown value are violations of
/// `provider_config.<key>` (or of a path below it, `provider_config.tolerations[0].effect`); a
/// document that is not an object is a violation of `provider_config`. Descriptions never quote
/// the configuration's values.
package struct KubernetesSpecConfig: Sendable, Hashable, Encodable {
    /// The Service's type.
    package enum ServiceType: String, Sendable, Hashable, CaseIterable, Encodable {
        case clusterIP = "ClusterIP"
        case nodePort = "NodePort"
        case loadBalancer = "LoadBalancer"
    }

    /// A pod toleration.
    package struct Toleration: Sendable, Hashable, Encodable {
        package var key: String?
        package var `operator`: String?
        package var value: String?
        package var effect: String?
        package var tolerationSeconds: Int?

        private enum CodingKeys: String, CodingKey {
            case key, `operator`, value, effect
            case tolerationSeconds = "toleration_seconds"
        }
    }

    package var replicas: Int?
    package var serviceType: ServiceType?
    package var nodeSelector: [String: String]?
    package var tolerations: [Toleration]?
    package var imagePullSecrets: [String]?
    package var serviceAccount: String?
    package var ingressFromNamespaces: [String]?
    package var rollbackOnFailure: Bool?

    /// The accepted keys.
    package static let keys = [
        "image_pull_secrets", "ingress_from_namespaces", "node_selector", "replicas", "rollback_on_failure",
        "service_account", "service_type", "tolerations",
    ]
    /// The largest `replicas`.
    package static let maximumReplicas = 1000

    package init() {}

    /// Whether no key is set.
    package var isEmpty: Bool { self == Self() }

    /// `replicas`, or 1.
    package var effectiveReplicas: Int { self.replicas ?? 1 }

    /// `service_type`, or `LoadBalancer` for a public tenant and `ClusterIP` otherwise.
    package func effectiveServiceType(publicIP: Bool) -> ServiceType {
        self.serviceType ?? (publicIP ? .loadBalancer : .clusterIP)
    }

    private enum CodingKeys: String, CodingKey {
        case replicas
        case serviceType = "service_type"
        case nodeSelector = "node_selector"
        case tolerations
        case imagePullSecrets = "image_pull_secrets"
        case serviceAccount = "service_account"
        case ingressFromNamespaces = "ingress_from_namespaces"
        case rollbackOnFailure = "rollback_on_failure"
    }

    /// Decodes `raw`; an absent or empty document is the empty configuration. Returns every
    /// violation, with the fields that could be read.
    package static func decode(_ raw: RawJSON?) -> (config: Self, violations: [FieldViolation]) {
        let (object, documentViolation) = ProviderConfigDocument.object(raw, provider: "kubernetes")
        if let documentViolation { return (Self(), [documentViolation]) }
        var config = Self()
        var violations: [FieldViolation] = []
        func violation(_ field: String, _ description: String) {
            violations.append(FieldViolation(field: field, description: description))
        }
        for key in object.keys.sorted() {
            let field = "provider_config.\(ProviderConfigDocument.shortened(key))"
            let entry = object[key] ?? .null
            switch key {
            case "replicas":
                guard let number = integer(entry) else {
                    violation(field, "replicas must be a whole number (it is \(ProviderConfigDocument.typeName(entry)))")
                    continue
                }
                if (0...Self.maximumReplicas).contains(number) {
                    config.replicas = number
                } else {
                    violation(field, "replicas must be from 0 to \(Self.maximumReplicas)")
                }
            case "service_type":
                guard case .string(let text) = entry else {
                    violation(field, "service_type must be a string (it is \(ProviderConfigDocument.typeName(entry)))")
                    continue
                }
                if let type = ServiceType(rawValue: text) {
                    config.serviceType = type
                } else {
                    violation(field, "service_type must be \"ClusterIP\", \"NodePort\" or \"LoadBalancer\"")
                }
            case "node_selector":
                guard case .object(let entries) = entry else {
                    violation(field, "node_selector must be an object of strings (it is \(ProviderConfigDocument.typeName(entry)))")
                    continue
                }
                var selector: [String: String] = [:]
                for name in entries.keys.sorted() {
                    let path = "\(field).\(ProviderConfigDocument.shortened(name))"
                    guard case .string(let text) = entries[name] ?? .null else {
                        violation(path, "a node_selector value must be a string")
                        continue
                    }
                    if !KubernetesNames.isLabelKey(name) {
                        violation(
                            path,
                            "a node_selector key must be a label key ([prefix/]name, name at most 63 characters of letters, digits, '-', '_', '.')"
                        )
                    } else if !KubernetesNames.isLabelValue(text) {
                        violation(
                            path,
                            "a node_selector value must be a label value (at most 63 characters of letters, digits, '-', '_', '.', starting and ending with a letter or digit)"
                        )
                    } else {
                        selector[name] = text
                    }
                }
                config.nodeSelector = selector
            case "tolerations":
                guard case .array(let items) = entry else {
                    violation(field, "tolerations must be an array of objects (it is \(ProviderConfigDocument.typeName(entry)))")
                    continue
                }
                var tolerations: [Toleration] = []
                for (index, item) in items.enumerated() {
                    let (toleration, problems) = Self.toleration(item, field: "\(field)[\(index)]")
                    violations += problems
                    if let toleration, problems.isEmpty { tolerations.append(toleration) }
                }
                config.tolerations = tolerations
            case "image_pull_secrets", "ingress_from_namespaces":
                guard case .array(let items) = entry else {
                    violation(field, "\(key) must be an array of strings (it is \(ProviderConfigDocument.typeName(entry)))")
                    continue
                }
                var names: [String] = []
                for (index, item) in items.enumerated() {
                    let path = "\(field)[\(index)]"
                    guard case .string(let name) = item else {
                        violation(path, "\(key) items must be strings (it is \(ProviderConfigDocument.typeName(item)))")
                        continue
                    }
                    let valid =
                        key == "image_pull_secrets"
                        ? KubernetesNames.isDNS1123Subdomain(name) : KubernetesNames.isDNS1123Label(name)
                    if !valid {
                        violation(
                            path,
                            key == "image_pull_secrets"
                                ? "an image pull secret must be a Secret name (a DNS-1123 subdomain)"
                                : "a namespace name must be a DNS-1123 label")
                    } else {
                        names.append(name)
                    }
                }
                if key == "image_pull_secrets" {
                    config.imagePullSecrets = names
                } else {
                    config.ingressFromNamespaces = names
                }
            case "service_account":
                guard case .string(let name) = entry else {
                    violation(field, "service_account must be a string (it is \(ProviderConfigDocument.typeName(entry)))")
                    continue
                }
                if KubernetesNames.isDNS1123Subdomain(name) {
                    config.serviceAccount = name
                } else {
                    violation(field, "service_account must be a service account name (a DNS-1123 subdomain)")
                }
            case "rollback_on_failure":
                guard case .bool(let flag) = entry else {
                    violation(field, "rollback_on_failure must be a boolean (it is \(ProviderConfigDocument.typeName(entry)))")
                    continue
                }
                config.rollbackOnFailure = flag
            default:
                violation(
                    field,
                    "unknown key; the kubernetes provider accepts "
                        + Self.keys.map { "\"\($0)\"" }.joined(separator: ", "))
            }
        }
        return (config, violations)
    }

    private static let tolerationKeys = ["effect", "key", "operator", "toleration_seconds", "value"]
    private static let effects = ["NoSchedule", "PreferNoSchedule", "NoExecute"]

    private static func toleration(_ value: JSONValue, field: String) -> (Toleration?, [FieldViolation]) {
        guard case .object(let object) = value else {
            return (
                nil,
                [FieldViolation(field: field, description: "a toleration must be an object (it is \(ProviderConfigDocument.typeName(value)))")]
            )
        }
        var toleration = Toleration()
        var violations: [FieldViolation] = []
        func string(_ name: String) -> String? {
            guard let entry = object[name] else { return nil }
            guard case .string(let text) = entry else {
                violations.append(FieldViolation(field: "\(field).\(name)", description: "\(name) must be a string"))
                return nil
            }
            return text
        }
        for key in object.keys.sorted() where !Self.tolerationKeys.contains(key) {
            violations.append(
                FieldViolation(
                    field: "\(field).\(ProviderConfigDocument.shortened(key))",
                    description: "unknown key; a toleration has "
                        + Self.tolerationKeys.map { "\"\($0)\"" }.joined(separator: ", ")))
        }
        toleration.key = string("key")
        toleration.operator = string("operator")
        toleration.value = string("value")
        toleration.effect = string("effect")
        if let entry = object["toleration_seconds"] {
            if let seconds = integer(entry), seconds >= 0 {
                toleration.tolerationSeconds = seconds
            } else {
                violations.append(
                    FieldViolation(
                        field: "\(field).toleration_seconds",
                        description: "toleration_seconds must be a whole number, at least 0"))
            }
        }
        if let key = toleration.key, !key.isEmpty, !KubernetesNames.isLabelKey(key) {
            violations.append(FieldViolation(field: "\(field).key", description: "key must be a label key"))
        }
        let operation = toleration.operator ?? "Equal"
        switch operation {
        case "Exists":
            if let value = toleration.value, !value.isEmpty {
                violations.append(
                    FieldViolation(field: "\(field).value", description: "value must be empty with operator \"Exists\"")
                )
            }
        case "Equal":
            if (toleration.key ?? "").isEmpty {
                violations.append(
                    FieldViolation(field: "\(field).key", description: "key is required with operator \"Equal\""))
            }
            if let value = toleration.value, !KubernetesNames.isLabelValue(value) {
                violations.append(FieldViolation(field: "\(field).value", description: "value must be a label value"))
            }
        default:
            violations.append(
                FieldViolation(field: "\(field).operator", description: "operator must be \"Exists\" or \"Equal\""))
        }
        if let effect = toleration.effect, !effect.isEmpty, !Self.effects.contains(effect) {
            violations.append(
                FieldViolation(
                    field: "\(field).effect",
                    description: "effect must be \"NoSchedule\", \"PreferNoSchedule\" or \"NoExecute\""))
        }
        if toleration.tolerationSeconds != nil, toleration.effect != "NoExecute" {
            violations.append(
                FieldViolation(
                    field: "\(field).toleration_seconds", description: "toleration_seconds needs effect \"NoExecute\""))
        }
        return (toleration, violations)
    }

    private static func integer(_ value: JSONValue) -> Int? {
        switch value {
        case .integer(let number): Int(exactly: number)
        case .unsignedInteger(let number): Int(exactly: number)
        case .double(let number): number.rounded() == number && abs(number) < 1e15 ? Int(number) : nil
        default: nil
        }
    }
}
