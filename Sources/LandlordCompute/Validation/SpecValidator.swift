/// The framework's validation rules for a ``TenantComputeSpec``: a pure function that returns
/// **every** violation, each with its field path and a human sentence.
///
/// The rules are those of seed 000 "Validation Rules" and seed 004 `ValidateComputeSpec`, with the
/// field paths of the RPC contract ("Validation details"), plus the checks a production user
/// expects where the seeds are silent:
///
/// | field | rule |
/// |---|---|
/// | `tenant_id` | non-empty, `^[a-z0-9-]+$`, at most 63 characters |
/// | `provider_type` | non-empty (whether it is registered is the ``ComputeManager``'s check) |
/// | `containers` | at least one |
/// | `containers[i].name` | non-empty, `^[a-z0-9-]+$`, at most 63 characters, unique (a duplicate is reported at the later index) |
/// | `containers[i].image` | a Docker/OCI image reference (``ImageReference``) |
/// | `containers[i].env` | no empty variable name |
/// | `containers[i].env[NAME]` | the name contains no `=` and no NUL |
/// | `containers[i].ports[j].container_port` | 1-65535; a port/protocol pair is mapped once per container |
/// | `containers[i].ports[j].host_port` | 0 (unset) or 1-65535 |
/// | `containers[i].ports[j].protocol` | `tcp` or `udp` |
/// | `containers[i].health_check.type` | `http`, `tcp` or `exec` |
/// | `containers[i].health_check.http_path` | starts with `/` (http) |
/// | `containers[i].health_check.port` | 1-65535; required for http and tcp |
/// | `containers[i].health_check.command` | non-empty (exec) |
/// | `containers[i].health_check.interval_seconds` | 0 (the default, 10) or at least 5 |
/// | `containers[i].health_check.timeout_seconds` | 0 (the default, 1) or at least 1; less than the interval (defaults applied) |
/// | `containers[i].health_check.healthy_threshold`, `.unhealthy_threshold` | 0 (the default: 1 and 3) or at least 1 |
/// | `resources.cpu`, `containers[i].resources.cpu` | at least 128 (millicores) |
/// | `resources.memory`, `containers[i].resources.memory` | at least 128 (MB) |
/// | `resources.storage`, `containers[i].resources.storage` | not negative |
/// | `networking.dns.hostname` | a DNS label (letters, digits, `-`; at most 63) when set |
/// | `networking.dns.domain` | a DNS name (at most 253) when set |
/// | `secrets[k].name` | non-empty, unique (a duplicate is reported at the later index) |
/// | `secrets[k].source`, `secrets[k].key` | non-empty |
/// | `labels` | no empty key |
/// | `provider_config` | a well-formed JSON document when present |
///
/// Descriptions never quote an environment value, a secret key or provider configuration content.
package enum SpecValidator {
    /// The longest tenant id or container name.
    package static let maximumIdentifierLength = 63
    /// The smallest CPU amount, in millicores.
    package static let minimumCPU = 128
    /// The smallest memory amount, in megabytes.
    package static let minimumMemory = 128
    /// The shortest health check interval, in seconds.
    package static let minimumHealthCheckInterval = 5

    /// Every violation of the framework rules in `spec`, in field order; empty when the spec is valid.
    package static func violations(of spec: TenantComputeSpec) -> [FieldViolation] {
        var violations: [FieldViolation] = []
        violations += Self.tenantIDViolations(spec.tenantID)
        if spec.providerType.isEmpty {
            violations.append(FieldViolation(field: "provider_type", description: "provider_type is required"))
        }
        if spec.containers.isEmpty {
            violations.append(FieldViolation(field: "containers", description: "at least one container is required"))
        }
        var firstIndexOfName: [String: Int] = [:]
        for (index, container) in spec.containers.enumerated() {
            violations += Self.containerViolations(container, path: "containers[\(index)]")
            if !container.name.isEmpty {
                if let first = firstIndexOfName[container.name] {
                    violations.append(
                        FieldViolation(
                            field: "containers[\(index)].name",
                            description:
                                "container name \(Self.quoted(container.name)) is already used by containers[\(first)]"
                        )
                    )
                } else {
                    firstIndexOfName[container.name] = index
                }
            }
        }
        violations += Self.resourceViolations(spec.resources, path: "resources")
        violations += Self.networkViolations(spec.networking, path: "networking")
        violations += Self.secretViolations(spec.secrets)
        if spec.labels.keys.contains("") {
            violations.append(FieldViolation(field: "labels", description: "label keys must not be empty"))
        }
        if let config = spec.providerConfig, !config.isEmpty, !config.isValidJSON {
            violations.append(
                FieldViolation(
                    field: "provider_config", description: "provider_config must be a well-formed JSON document")
            )
        }
        return violations
    }

    /// The violations of a tenant id, reported at `field` (`tenant_id` unless told otherwise).
    package static func tenantIDViolations(_ tenantID: String, field: String = "tenant_id") -> [FieldViolation] {
        Self.identifierViolations(tenantID, field: field, what: "tenant_id")
    }

    /// The violation of an update whose request names another tenant than its spec: `nil` when
    /// `tenantID` equals `spec.tenantID`, else a `tenant_id` violation. The one check the manager
    /// and every provider's `update` use.
    package static func tenantIDMismatch(_ tenantID: String, spec: TenantComputeSpec) -> FieldViolation? {
        guard tenantID != spec.tenantID else { return nil }
        return FieldViolation(
            field: "tenant_id",
            description:
                "tenant_id \(Self.quoted(tenantID)) of the request does not match the spec's tenant_id "
                + Self.quoted(spec.tenantID)
        )
    }

    /// Throws the ``tenantIDMismatch(_:spec:)`` violation as ``ComputeError/Kind/invalidSpec``, if any.
    package static func checkTenantIDMatches(_ tenantID: String, spec: TenantComputeSpec) throws(ComputeError) {
        if let violation = Self.tenantIDMismatch(tenantID, spec: spec) {
            throw ComputeError.invalidSpec([violation])
        }
    }

    /// The provider's `provider_type` rule: `nil` when `spec.providerType` is `provider` (the
    /// provider's registered name), else a `provider_type` violation. Every provider's own
    /// validation starts with it.
    package static func providerTypeViolation(of spec: TenantComputeSpec, provider: String) -> FieldViolation? {
        guard spec.providerType != provider else { return nil }
        return FieldViolation(
            field: "provider_type",
            description:
                "provider_type must be \"\(provider)\" for this provider (it is \(Self.quoted(spec.providerType)))"
        )
    }

    /// Whether `reference` is a valid image reference (``ImageReference``).
    package static func isValidImageReference(_ reference: String) -> Bool {
        ImageReference.isValid(reference)
    }

    /// The longest value a description quotes; longer values are cut with an ellipsis.
    package static let maximumQuotedLength = 64

    /// `value` in double quotes, cut to ``maximumQuotedLength`` characters, so that a description
    /// stays readable (and a log line bounded) whatever a client sent.
    package static func quoted(_ value: String) -> String {
        guard value.count > Self.maximumQuotedLength else { return "\"\(value)\"" }
        return "\"\(value.prefix(Self.maximumQuotedLength))...\""
    }

    // MARK: - Rules

    /// Non-empty, `^[a-z0-9-]+$`, at most 63 characters.
    private static func identifierViolations(_ value: String, field: String, what: String) -> [FieldViolation] {
        guard !value.isEmpty else {
            return [FieldViolation(field: field, description: "\(what) is required")]
        }
        var violations: [FieldViolation] = []
        let isLowercaseIdentifier = value.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || byte == UInt8(ascii: "-")
        }
        if !isLowercaseIdentifier {
            violations.append(
                FieldViolation(
                    field: field,
                    description: "\(what) \(Self.quoted(value)) must contain only lowercase letters, digits and '-'"
                )
            )
        }
        let length = value.count
        if length > Self.maximumIdentifierLength {
            violations.append(
                FieldViolation(
                    field: field,
                    description:
                        "\(what) must be at most \(Self.maximumIdentifierLength) characters long (it has \(length))"
                )
            )
        }
        return violations
    }

    private static func containerViolations(_ container: ContainerSpec, path: String) -> [FieldViolation] {
        var violations = Self.identifierViolations(container.name, field: "\(path).name", what: "container name")

        if container.image.isEmpty {
            violations.append(FieldViolation(field: "\(path).image", description: "image is required"))
        } else {
            do {
                _ = try ImageReference(parsing: container.image)
            } catch {
                violations.append(
                    FieldViolation(
                        field: "\(path).image",
                        description:
                            "image \(Self.quoted(container.image)) is not a valid image reference: \(error.reason)"
                    )
                )
            }
        }

        if container.env.keys.contains("") {
            violations.append(
                FieldViolation(field: "\(path).env", description: "environment variable names must not be empty")
            )
        }
        for name in container.env.keys.sorted() where name.contains("=") || name.contains("\0") {
            violations.append(
                FieldViolation(
                    field: "\(path).env[\(name)]",
                    description: "environment variable names must not contain '=' or NUL"
                )
            )
        }

        var firstIndexOfPort: [String: Int] = [:]
        for (index, port) in container.ports.enumerated() {
            let portPath = "\(path).ports[\(index)]"
            if !(1...65535).contains(port.containerPort) {
                violations.append(
                    FieldViolation(
                        field: "\(portPath).container_port",
                        description: "container_port must be between 1 and 65535 (it is \(port.containerPort))"
                    )
                )
            } else if port.protocol.isKnown {
                let key = "\(port.containerPort)/\(port.protocol)"
                if let first = firstIndexOfPort[key] {
                    violations.append(
                        FieldViolation(
                            field: "\(portPath).container_port",
                            description: "port \(key) is already mapped by \(path).ports[\(first)]"
                        )
                    )
                } else {
                    firstIndexOfPort[key] = index
                }
            }
            if port.hostPort != 0 && !(1...65535).contains(port.hostPort) {
                violations.append(
                    FieldViolation(
                        field: "\(portPath).host_port",
                        description: "host_port must be between 1 and 65535, or 0 for none (it is \(port.hostPort))"
                    )
                )
            }
            if !port.protocol.isKnown {
                violations.append(
                    FieldViolation(
                        field: "\(portPath).protocol",
                        description: port.protocol.rawValue.isEmpty
                            ? "protocol is required and must be \(PortProtocol.knownList)"
                            : "protocol must be \(PortProtocol.knownList) (it is \(Self.quoted(port.protocol.rawValue)))"
                    )
                )
            }
        }

        if let healthCheck = container.healthCheck {
            violations += Self.healthCheckViolations(healthCheck, path: "\(path).health_check")
        }
        if let resources = container.resources {
            violations += Self.resourceViolations(resources, path: "\(path).resources")
        }
        return violations
    }

    private static func healthCheckViolations(_ check: HealthCheckConfig, path: String) -> [FieldViolation] {
        var violations: [FieldViolation] = []
        if !check.type.isKnown {
            violations.append(
                FieldViolation(
                    field: "\(path).type",
                    description: check.type.rawValue.isEmpty
                        ? "health check type is required and must be \(HealthCheckType.knownList)"
                        : "health check type must be \(HealthCheckType.knownList) (it is \(Self.quoted(check.type.rawValue)))"
                )
            )
        }
        if check.type == .http && !check.httpPath.hasPrefix("/") {
            violations.append(
                FieldViolation(
                    field: "\(path).http_path",
                    description: check.httpPath.isEmpty
                        ? "http_path is required for http health checks and must start with '/'"
                        : "http_path must start with '/'"
                )
            )
        }
        if check.type.probesPort && check.port == 0 {
            violations.append(
                FieldViolation(field: "\(path).port", description: "port is required for \(check.type) health checks")
            )
        } else if check.port != 0 && !(1...65535).contains(check.port) {
            violations.append(
                FieldViolation(
                    field: "\(path).port", description: "port must be between 1 and 65535 (it is \(check.port))")
            )
        }
        if check.type == .exec && (check.command.isEmpty || check.command[0].isEmpty) {
            violations.append(
                FieldViolation(field: "\(path).command", description: "command is required for exec health checks")
            )
        }
        // 0 is unset and means the default (HealthCheckConfig.defaults); the rules apply to
        // every other value, and timeout < interval to the values in effect.
        let defaults = HealthCheckConfig.defaults
        if check.intervalSeconds != 0 && check.intervalSeconds < Self.minimumHealthCheckInterval {
            violations.append(
                FieldViolation(
                    field: "\(path).interval_seconds",
                    description:
                        "interval_seconds must be at least \(Self.minimumHealthCheckInterval), or 0 for the default "
                        + "(\(defaults.intervalSeconds)) (it is \(check.intervalSeconds))"
                )
            )
        }
        if check.timeoutSeconds < 0 {
            violations.append(
                FieldViolation(
                    field: "\(path).timeout_seconds",
                    description:
                        "timeout_seconds must be at least 1, or 0 for the default (\(defaults.timeoutSeconds)) "
                        + "(it is \(check.timeoutSeconds))"
                )
            )
        } else if check.effectiveTimeoutSeconds >= check.effectiveIntervalSeconds {
            let timeout = check.effectiveTimeoutSeconds
            let interval = check.effectiveIntervalSeconds
            violations.append(
                FieldViolation(
                    field: "\(path).timeout_seconds",
                    description:
                        "timeout_seconds (\(timeout)\(check.timeoutSeconds == 0 ? ", the default" : "")) must be less "
                        + "than interval_seconds (\(interval)\(check.intervalSeconds == 0 ? ", the default" : ""))"
                )
            )
        }
        for (name, value, fallback) in [
            ("healthy_threshold", check.healthyThreshold, defaults.healthyThreshold),
            ("unhealthy_threshold", check.unhealthyThreshold, defaults.unhealthyThreshold),
        ] where value < 0 {
            violations.append(
                FieldViolation(
                    field: "\(path).\(name)",
                    description: "\(name) must be at least 1, or 0 for the default (\(fallback)) (it is \(value))"
                )
            )
        }
        return violations
    }

    private static func resourceViolations(_ resources: ResourceRequirements, path: String) -> [FieldViolation] {
        var violations: [FieldViolation] = []
        if resources.cpu < Self.minimumCPU {
            violations.append(
                FieldViolation(
                    field: "\(path).cpu",
                    description: "cpu must be at least \(Self.minimumCPU) millicores (it is \(resources.cpu))"
                )
            )
        }
        if resources.memory < Self.minimumMemory {
            violations.append(
                FieldViolation(
                    field: "\(path).memory",
                    description: "memory must be at least \(Self.minimumMemory) MB (it is \(resources.memory))"
                )
            )
        }
        if resources.storage < 0 {
            violations.append(
                FieldViolation(
                    field: "\(path).storage",
                    description: "storage must not be negative (it is \(resources.storage))"
                )
            )
        }
        return violations
    }

    private static func networkViolations(_ networking: NetworkConfig, path: String) -> [FieldViolation] {
        guard let dns = networking.dns else { return [] }
        var violations: [FieldViolation] = []
        if !dns.hostname.isEmpty && !Self.isDNSLabel(Substring(dns.hostname)) {
            violations.append(
                FieldViolation(
                    field: "\(path).dns.hostname",
                    description:
                        "hostname \(Self.quoted(dns.hostname)) must be a DNS label: letters, digits and '-', not at either end, at most 63 characters"
                )
            )
        }
        if !dns.domain.isEmpty {
            let labels = dns.domain.split(separator: ".", omittingEmptySubsequences: false)
            if dns.domain.utf8.count > 253 || !labels.allSatisfy(Self.isDNSLabel) {
                violations.append(
                    FieldViolation(
                        field: "\(path).dns.domain",
                        description:
                            "domain \(Self.quoted(dns.domain)) must be a DNS name: dot-separated DNS labels, at most 253 characters"
                    )
                )
            }
        }
        return violations
    }

    private static func isDNSLabel(_ label: Substring) -> Bool {
        func isAlphanumeric(_ byte: UInt8) -> Bool {
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
        }
        let bytes = Array(label.utf8)
        guard let first = bytes.first, let last = bytes.last, bytes.count <= 63, isAlphanumeric(first),
            isAlphanumeric(last)
        else { return false }
        return bytes.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: "-") }
    }

    private static func secretViolations(_ secrets: [SecretReference]) -> [FieldViolation] {
        var violations: [FieldViolation] = []
        var firstIndexOfName: [String: Int] = [:]
        for (index, secret) in secrets.enumerated() {
            let path = "secrets[\(index)]"
            if secret.name.isEmpty {
                violations.append(FieldViolation(field: "\(path).name", description: "secret name is required"))
            } else if let first = firstIndexOfName[secret.name] {
                violations.append(
                    FieldViolation(
                        field: "\(path).name",
                        description: "secret name \(Self.quoted(secret.name)) is already used by secrets[\(first)]"
                    )
                )
            } else {
                firstIndexOfName[secret.name] = index
            }
            if secret.source.isEmpty {
                violations.append(FieldViolation(field: "\(path).source", description: "secret source is required"))
            }
            if secret.key.isEmpty {
                violations.append(FieldViolation(field: "\(path).key", description: "secret key is required"))
            }
        }
        return violations
    }
}
