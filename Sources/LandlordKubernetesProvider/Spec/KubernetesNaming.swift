/// How the provider names and labels what it creates on the cluster.
///
/// | object | name (in namespace `<prefix><tenant_id>`) |
/// |---|---|
/// | Namespace | `<prefix><tenant_id>` |
/// | Deployment, Service, ResourceQuota, LimitRange | `tenant` |
/// | Secret | `tenant-secrets` (only when the spec has secrets) |
/// | NetworkPolicy | `tenant-isolation` |
///
/// The namespace is the tenant, so the objects in it have fixed names: a tenant id may start with
/// a digit and be 63 characters long, which a Service name (a DNS-1035 label) could not hold.
/// Every object carries ``managedByLabel`` = ``managedByValue`` and ``tenantIDLabel`` = the
/// tenant id; the pods do too, and the Deployment selects them by those two labels.
package enum KubernetesNaming {
    /// `app.kubernetes.io/managed-by`, the recommended label of the tool that manages an object.
    package static let managedByLabel = "app.kubernetes.io/managed-by"
    /// `landlord`.
    package static let managedByValue = "landlord"
    /// `landlord.dev/tenant-id`.
    package static let tenantIDLabel = "landlord.dev/tenant-id"
    /// The annotation with the stored spec (``StoredSpec``, canonical JSON) on the Deployment.
    package static let specAnnotation = "landlord.dev/spec"
    /// The annotation with the FNV-1a 64 hash of the stored spec, on the Namespace and the Deployment.
    package static let specHashAnnotation = "landlord.dev/spec-hash"
    /// The prefix of landlord's own label keys; a spec's `labels` may not use it.
    package static let reservedLabelPrefix = "landlord.dev/"
    /// The label selector of everything landlord manages: `app.kubernetes.io/managed-by=landlord`.
    package static let managedSelector = "\(managedByLabel)=\(managedByValue)"

    /// The default namespace prefix.
    package static let defaultNamespacePrefix = "landlord-"
    /// The name of the Deployment, the Service, the ResourceQuota and the LimitRange.
    package static let workloadName = "tenant"
    /// The name of the Secret.
    package static let secretName = "tenant-secrets"
    /// The name of the NetworkPolicy.
    package static let networkPolicyName = "tenant-isolation"

    /// `<prefix><tenant_id>`.
    package static func namespace(prefix: String, tenantID: String) -> String {
        prefix + tenantID
    }

    /// The two labels every object carries.
    package static func labels(tenantID: String) -> [String: String] {
        [Self.managedByLabel: Self.managedByValue, Self.tenantIDLabel: tenantID]
    }

    /// The label selector of one tenant's objects.
    package static func selector(tenantID: String) -> String {
        "\(Self.managedSelector),\(Self.tenantIDLabel)=\(tenantID)"
    }
}

/// The API server's name and value rules (k8s.io/apimachinery `validation`), as predicates.
package enum KubernetesNames {
    private static func isLowerAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= 0x61 && byte <= 0x7a) || (byte >= 0x30 && byte <= 0x39)
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        Self.isLowerAlphanumeric(byte) || (byte >= 0x41 && byte <= 0x5a)
    }

    /// A DNS-1123 label: at most 63 lowercase letters, digits and `-`, starting and ending with a
    /// letter or digit (namespace and container names).
    package static func isDNS1123Label(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard let first = bytes.first, let last = bytes.last, bytes.count <= 63 else { return false }
        return Self.isLowerAlphanumeric(first) && Self.isLowerAlphanumeric(last)
            && bytes.allSatisfy { Self.isLowerAlphanumeric($0) || $0 == 0x2d }
    }

    /// A DNS-1123 subdomain: at most 253 characters, dot-separated DNS-1123 labels (most object names).
    package static func isDNS1123Subdomain(_ text: String) -> Bool {
        guard !text.isEmpty, text.utf8.count <= 253 else { return false }
        return text.split(separator: ".", omittingEmptySubsequences: false).allSatisfy {
            Self.isDNS1123Label(String($0))
        }
    }

    /// An IANA service name, the rule of port names: at most 15 lowercase letters, digits and `-`,
    /// at least one letter, starting and ending with a letter or digit, no `--`.
    package static func isPortName(_ text: String) -> Bool {
        guard text.utf8.count <= 15, Self.isDNS1123Label(text), !text.contains("--") else { return false }
        return text.utf8.contains { $0 >= 0x61 && $0 <= 0x7a }
    }

    /// A label value (or a label key's name part when `allowEmpty` is false): at most 63
    /// characters of letters, digits, `-`, `_` and `.`, starting and ending with a letter or digit.
    package static func isLabelValue(_ text: String, allowEmpty: Bool = true) -> Bool {
        let bytes = Array(text.utf8)
        guard let first = bytes.first, let last = bytes.last else { return allowEmpty }
        guard bytes.count <= 63, Self.isAlphanumeric(first), Self.isAlphanumeric(last) else { return false }
        return bytes.allSatisfy { Self.isAlphanumeric($0) || $0 == 0x2d || $0 == 0x5f || $0 == 0x2e }
    }

    /// A label (or annotation, node selector, toleration) key: an optional DNS-1123 subdomain
    /// prefix and `/`, then a name as ``isLabelValue(_:allowEmpty:)`` (non-empty).
    package static func isLabelKey(_ text: String) -> Bool {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        if parts.count == 2 {
            return Self.isDNS1123Subdomain(String(parts[0])) && Self.isLabelValue(String(parts[1]), allowEmpty: false)
        }
        return Self.isLabelValue(text, allowEmpty: false)
    }

    /// A key of a Secret's `data`: at most 253 letters, digits, `-`, `_` and `.`, not `.` or `..`.
    package static func isSecretKey(_ text: String) -> Bool {
        guard !text.isEmpty, text.utf8.count <= 253, text != ".", text != ".." else { return false }
        return text.utf8.allSatisfy { Self.isAlphanumeric($0) || $0 == 0x2d || $0 == 0x5f || $0 == 0x2e }
    }

    /// An environment variable name as the API server (1.30) accepts it: letters, digits, `_`,
    /// `-` and `.`, not starting with a digit.
    package static func isEnvironmentVariableName(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard let first = bytes.first, !(first >= 0x30 && first <= 0x39) else { return false }
        return bytes.allSatisfy { Self.isAlphanumeric($0) || $0 == 0x2d || $0 == 0x5f || $0 == 0x2e }
    }
}
