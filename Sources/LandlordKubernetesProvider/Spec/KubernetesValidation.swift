package import LandlordCompute
internal import LandlordProviderKit

/// The kubernetes provider's own rules (the framework's are ``SpecValidator``'s), reported with
/// field paths and without quoting environment values, secret keys or provider_config values.
///
/// | field | rule |
/// |---|---|
/// | `provider_type` | is `kubernetes` |
/// | `provider_config`, `provider_config.<key>` | see ``KubernetesSpecConfig`` |
/// | `containers` | the stored spec (environment values fingerprinted) at most 128 KiB |
/// | `tenant_id` | `<prefix><tenant_id>` is a DNS-1123 label (at most 63 characters, starting and ending with a letter or digit); the tenant id starts with a letter or digit too (it is a label value) |
/// | `containers[i].name` | a DNS-1123 label |
/// | `containers[i].env[NAME]` | a name the API server accepts (letters, digits, `_`, `-`, `.`; not starting with a digit); not also a secret's `env_var` |
/// | `containers[i].ports[j].name` | an IANA service name (at most 15 characters, a letter at least); port names unique in the tenant |
/// | `containers[i].ports[j].container_port` | a port/protocol pair once per tenant (the containers share one pod's network) |
/// | `containers[i].ports[j].host_port` | (the Service's port) a port/protocol pair once per tenant |
/// | `containers[i].resources.cpu`, `.memory`, `.storage` | the containers' own resources together within the tenant's, leaving at least 1 for each container without its own |
/// | `secrets[k].name` | a Secret key (letters, digits, `-`, `_`, `.`; at most 253) |
/// | `secrets[k].source` | `env` or `file`; `file` needs a secrets directory |
/// | `secrets[k].key` | for `file`: a relative path inside the secrets directory |
/// | `secrets[k].env_var` | required, a valid name, unique |
/// | `networking.security_groups`, `networking.subnets` | empty (the cluster decides) |
/// | `networking.dns.hostname` | a DNS-1123 label (lowercase) |
/// | `networking.dns.domain` | empty (the cluster's DNS decides the domain) |
/// | `labels.<key>` | a label key and value, not one of landlord's own (`landlord.dev/...`, `app.kubernetes.io/managed-by`) nor Kubernetes' (`kubernetes.io/`, `k8s.io/` prefixes) |
package enum KubernetesValidation {
    /// The largest stored spec (the Deployment's `landlord.dev/spec` annotation; the API server
    /// allows 256 KiB of annotations per object): 128 KiB.
    package static let maximumStoredSpecSize = 128 << 10

    /// Every violation of the provider's rules in `spec` (the framework's rules not included).
    package static func violations(
        of spec: TenantComputeSpec,
        provider: String = KubernetesProvider.defaultName,
        namespacePrefix: String,
        secretsDirectory: String?
    ) -> [FieldViolation] {
        var violations: [FieldViolation] = []
        func violation(_ field: String, _ description: String) {
            violations.append(FieldViolation(field: field, description: description))
        }
        if let problem = SpecValidator.providerTypeViolation(of: spec, provider: provider) {
            violations.append(problem)
        }
        let (config, configViolations) = KubernetesSpecConfig.decode(spec.providerConfig)
        violations += configViolations
        let stored = KubernetesMapping.storedSpec(spec, config: config).utf8.count
        if stored > Self.maximumStoredSpecSize {
            violation(
                "containers",
                "the spec is too large to keep on the cluster: its stored form has \(stored) bytes, at most \(Self.maximumStoredSpecSize) fit in an annotation"
            )
        }

        let namespace = KubernetesNaming.namespace(prefix: namespacePrefix, tenantID: spec.tenantID)
        if !spec.tenantID.isEmpty,
            !KubernetesNames.isDNS1123Label(namespace) || !KubernetesNames.isLabelValue(spec.tenantID)
        {
            violation(
                "tenant_id",
                "the tenant's namespace \(SpecValidator.quoted(namespace)) must be a DNS-1123 label: at most 63 characters (the prefix \(SpecValidator.quoted(namespacePrefix)) leaves \(max(63 - namespacePrefix.utf8.count, 0)) for the tenant id), lowercase letters, digits and '-', starting and ending with a letter or digit (the tenant id is also a label value)"
            )
        }

        let secretVariables = Set(spec.secrets.map(\.envVar).filter { !$0.isEmpty })
        var portUses: [String: String] = [:]  // "80/tcp" -> path
        var servicePortUses: [String: String] = [:]
        var portNames: [String: String] = [:]
        for (index, container) in spec.containers.enumerated() {
            let path = "containers[\(index)]"
            if !container.name.isEmpty, !KubernetesNames.isDNS1123Label(container.name) {
                violation(
                    "\(path).name",
                    "a container name must be a DNS-1123 label (lowercase letters, digits and '-', starting and ending with a letter or digit)"
                )
            }
            for name in container.env.keys.sorted() where !name.isEmpty {
                let field = "\(path).env[\(SpecValidator.quoted(name))]"
                if !KubernetesNames.isEnvironmentVariableName(name) {
                    violation(
                        field,
                        "a variable name must consist of letters, digits, '_', '-' and '.', and must not start with a digit"
                    )
                } else if secretVariables.contains(name) {
                    violation(field, "the variable is also a secret's env_var")
                }
            }
            for (portIndex, port) in container.ports.enumerated() {
                let portPath = "\(path).ports[\(portIndex)]"
                let name = KubernetesMapping.portName(port)
                if !port.name.isEmpty, !KubernetesNames.isPortName(port.name) {
                    violation(
                        "\(portPath).name",
                        "a port name must be an IANA service name: at most 15 lowercase letters, digits and '-', with a letter, no '--'"
                    )
                } else if let first = portNames[name] {
                    violation(
                        "\(portPath).name", "the port name \(SpecValidator.quoted(name)) is already used by \(first)")
                } else {
                    portNames[name] = portPath
                }
                let key = "\(port.containerPort)/\(port.protocol)"
                if let first = portUses[key] {
                    violation(
                        "\(portPath).container_port",
                        "port \(key) is already used by \(first): the tenant's containers share one pod's network")
                } else {
                    portUses[key] = portPath
                }
                let serviceKey = "\(port.hostPort != 0 ? port.hostPort : port.containerPort)/\(port.protocol)"
                if let first = servicePortUses[serviceKey] {
                    if port.hostPort != 0 {
                        violation("\(portPath).host_port", "the Service port \(serviceKey) is already used by \(first)")
                    } else if portUses[key] == portPath {
                        // (a container port used twice is reported above already)
                        violation(
                            "\(portPath).container_port",
                            "the Service port \(serviceKey) (the container port, as host_port is 0) is already used by \(first)"
                        )
                    }
                } else {
                    servicePortUses[serviceKey] = portPath
                }
            }
        }
        violations += Self.resourceViolations(spec)
        violations += Self.secretViolations(spec, secretsDirectory: secretsDirectory)
        if !spec.networking.securityGroups.isEmpty {
            violation(
                "networking.security_groups",
                "the kubernetes provider does not support security groups (tenants are isolated by a NetworkPolicy); leave security_groups empty"
            )
        }
        if !spec.networking.subnets.isEmpty {
            violation(
                "networking.subnets",
                "the kubernetes provider does not support subnets (the cluster places pods); leave subnets empty")
        }
        if let hostname = spec.networking.dns?.hostname, !hostname.isEmpty, !KubernetesNames.isDNS1123Label(hostname) {
            violation(
                "networking.dns.hostname",
                "a pod's hostname must be a DNS-1123 label (lowercase letters, digits and '-', starting and ending with a letter or digit)"
            )
        }
        if let domain = spec.networking.dns?.domain, !domain.isEmpty {
            violation(
                "networking.dns.domain",
                "the kubernetes provider cannot set a domain (the cluster's DNS decides it); leave domain empty")
        }
        for key in spec.labels.keys.sorted() where !key.isEmpty {
            let field = "labels.\(SpecValidator.quoted(key))"
            if key.hasPrefix(KubernetesNaming.reservedLabelPrefix) || key == KubernetesNaming.managedByLabel {
                violation(field, "the label key is landlord's own")
            } else if Self.isKubernetesReserved(key) {
                violation(field, "label keys with a kubernetes.io or k8s.io prefix are reserved for Kubernetes")
            } else if !KubernetesNames.isLabelKey(key) {
                violation(
                    field,
                    "a label key must be [prefix/]name, the name at most 63 characters of letters, digits, '-', '_', '.'"
                )
            } else if !KubernetesNames.isLabelValue(spec.labels[key] ?? "") {
                violation(
                    field,
                    "a label value must be at most 63 characters of letters, digits, '-', '_', '.', starting and ending with a letter or digit"
                )
            }
        }
        return violations
    }

    /// Whether `key`'s prefix is `kubernetes.io`, `k8s.io` or a subdomain of them.
    private static func isKubernetesReserved(_ key: String) -> Bool {
        guard let slash = key.firstIndex(of: "/") else { return false }
        let prefix = key[..<slash]
        return ["kubernetes.io", "k8s.io"].contains { prefix == $0 || prefix.hasSuffix("." + $0) }
    }

    private static func resourceViolations(_ spec: TenantComputeSpec) -> [FieldViolation] {
        var violations: [FieldViolation] = []
        let explicit = spec.containers.enumerated().compactMap { index, container in
            container.resources.map { (index, $0) }
        }
        let others = spec.containers.count - explicit.count
        let amounts: [(String, Int, (ResourceRequirements) -> Int, String)] = [
            ("cpu", spec.resources.cpu, { $0.cpu }, "millicores"),
            ("memory", spec.resources.memory, { $0.memory }, "MB"),
            ("storage", spec.resources.storage, { $0.storage }, "MB"),
        ]
        for (name, total, amount, unit) in amounts {
            let used = explicit.map { amount($0.1) }.reduce(0, +)
            guard let last = explicit.last, used > 0 else { continue }
            if name == "storage" && total == 0 { continue }  // no tenant-wide storage limit
            let needed = used + (name == "storage" ? 0 : others)
            if needed > total {
                violations.append(
                    FieldViolation(
                        field: "containers[\(last.0)].resources.\(name)",
                        description:
                            "the containers' own \(name) (\(used) \(unit)) must fit in the tenant's resources.\(name) (\(total) \(unit))"
                            + (others > 0 && name != "storage"
                                ? ", leaving at least 1 for each of the \(others) containers without their own" : "")
                    )
                )
            }
        }
        return violations
    }

    private static func secretViolations(_ spec: TenantComputeSpec, secretsDirectory: String?) -> [FieldViolation] {
        var violations: [FieldViolation] = []
        var firstIndexOfVariable: [String: Int] = [:]
        for (index, secret) in spec.secrets.enumerated() {
            let path = "secrets[\(index)]"
            if !secret.name.isEmpty, !KubernetesNames.isSecretKey(secret.name) {
                violations.append(
                    FieldViolation(
                        field: "\(path).name",
                        description:
                            "a secret's name is its key in the tenant's Secret: at most 253 letters, digits, '-', '_' and '.'"
                    ))
            }
            switch secret.source {
            case "env", "":
                break  // SpecValidator reports a missing source
            case "file":
                if secretsDirectory == nil {
                    violations.append(
                        FieldViolation(
                            field: "\(path).source",
                            description:
                                "file secrets need a secrets directory (--kubernetes-secrets-dir), and none is configured"
                        ))
                } else if !secret.key.isEmpty && !SecretResolver.isSafeFileKey(secret.key) {
                    violations.append(
                        FieldViolation(
                            field: "\(path).key",
                            description: "the key of a file secret must be a relative path inside the secrets directory"
                        ))
                }
            default:
                violations.append(
                    FieldViolation(
                        field: "\(path).source",
                        description:
                            "secret source must be \"env\" or \"file\" for the kubernetes provider (it is \(SpecValidator.quoted(secret.source)))"
                    ))
            }
            if secret.envVar.isEmpty {
                violations.append(
                    FieldViolation(
                        field: "\(path).env_var",
                        description:
                            "env_var is required: the kubernetes provider passes secrets as environment variables"))
            } else if !KubernetesNames.isEnvironmentVariableName(secret.envVar) {
                violations.append(
                    FieldViolation(
                        field: "\(path).env_var",
                        description:
                            "env_var must consist of letters, digits, '_', '-' and '.', and must not start with a digit"
                    ))
            } else if let first = firstIndexOfVariable[secret.envVar] {
                violations.append(
                    FieldViolation(
                        field: "\(path).env_var",
                        description:
                            "env_var \(SpecValidator.quoted(secret.envVar)) is already used by secrets[\(first)]"))
            } else {
                firstIndexOfVariable[secret.envVar] = index
            }
        }
        return violations
    }
}
