internal import Foundation
package import LandlordCompute
internal import LandlordProviderKit

/// The `nomad` provider's own rules, on top of the framework's (``SpecValidator``), each a
/// ``FieldViolation`` at its field path:
///
/// | field | rule |
/// |---|---|
/// | `provider_config...` | ``NomadSpecConfig`` |
/// | `containers[i].name` | with ports: the service name `landlord-<tenant_id>-<name>` fits in 63 characters |
/// | `containers[i].health_check.type` | `http` or `tcp`: Nomad's native service checks run no commands, so `exec` is refused |
/// | `containers[i].health_check.port` | one of the container's `ports` (a check probes a port of the group network) |
/// | `containers[i].ports[j].host_port` | a static port is used once in the tenant |
/// | `secrets[k].source` | `env` or `file` (landlord resolves the value and writes it only into the Nomad Variable) |
/// | `secrets[k].name` | a template field name: letters, digits and `_`, not starting with a digit |
/// | `secrets[k].env_var` | an environment variable name: letters, digits and `_`, not starting with a digit |
/// | `networking.public_ip`, `.security_groups`, `.subnets`, `.dns` | unset: a Nomad job has no such settings |
package enum NomadValidation {
    /// Every violation of `spec` against the provider's rules.
    package static func violations(of spec: TenantComputeSpec, secretsDirectory: String?) -> [FieldViolation] {
        var violations = NomadSpecConfig.decode(spec.providerConfig).violations
        var staticPorts: [Int: String] = [:]
        for (i, container) in spec.containers.enumerated() {
            let path = "containers[\(i)]"
            if !container.ports.isEmpty {
                let service = NomadNaming.serviceName(tenantID: spec.tenantID, container: container.name)
                if service.count > NomadNaming.maximumServiceNameLength {
                    violations.append(
                        FieldViolation(
                            field: "\(path).name",
                            description:
                                "the Nomad service name \(service) would be longer than 63 characters; shorten the tenant id or the container name"
                        ))
                }
            }
            if let check = container.healthCheck {
                switch check.type {
                case .http, .tcp:
                    if !container.ports.contains(where: { $0.containerPort == check.port }) {
                        violations.append(
                            FieldViolation(
                                field: "\(path).health_check.port",
                                description:
                                    "must be one of the container's ports: Nomad checks a port of the group network"))
                    }
                default:
                    violations.append(
                        FieldViolation(
                            field: "\(path).health_check.type",
                            description:
                                "the nomad provider supports http and tcp health checks only: Nomad's native service checks do not run commands"
                        ))
                }
            }
            for (j, port) in container.ports.enumerated() where port.hostPort > 0 {
                let here = "\(path).ports[\(j)]"
                if let first = staticPorts[port.hostPort], first != "\(container.name):\(port.containerPort)" {
                    violations.append(
                        FieldViolation(field: "\(here).host_port", description: "host port \(port.hostPort) is already used by \(first)"))
                } else {
                    staticPorts[port.hostPort] = "\(container.name):\(port.containerPort)"
                }
            }
        }
        for (k, secret) in spec.secrets.enumerated() {
            let path = "secrets[\(k)]"
            if !SecretResolver.sources.contains(secret.source) {
                violations.append(
                    FieldViolation(
                        field: "\(path).source",
                        description:
                            "the nomad provider reads secrets from \"env\" or \"file\" and writes them only into the tenant's Nomad Variable"
                    ))
            } else if secret.source == "file", secretsDirectory == nil {
                violations.append(
                    FieldViolation(field: "\(path).source", description: "file secrets need --nomad-secrets-dir"))
            }
            if !Self.isIdentifier(secret.name) {
                violations.append(
                    FieldViolation(
                        field: "\(path).name",
                        description: "must be letters, digits and _ (not starting with a digit): it is a Nomad template field"))
            }
            if !secret.envVar.isEmpty, !Self.isIdentifier(secret.envVar) {
                violations.append(
                    FieldViolation(
                        field: "\(path).env_var",
                        description: "must be letters, digits and _ (not starting with a digit) in a Nomad env template"))
            }
        }
        let networking = spec.networking
        if networking.publicIP {
            violations.append(
                FieldViolation(field: "networking.public_ip", description: "the nomad provider cannot assign public IPs"))
        }
        if !networking.securityGroups.isEmpty {
            violations.append(
                FieldViolation(field: "networking.security_groups", description: "a Nomad job has no security groups"))
        }
        if !networking.subnets.isEmpty {
            violations.append(FieldViolation(field: "networking.subnets", description: "a Nomad job has no subnets"))
        }
        if let dns = networking.dns, !dns.hostname.isEmpty || !dns.domain.isEmpty {
            violations.append(
                FieldViolation(field: "networking.dns", description: "the nomad provider does not manage DNS names"))
        }
        return violations
    }

    /// `^[A-Za-z_][A-Za-z0-9_]*$`.
    static func isIdentifier(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, first == "_" || (first.isASCII && CharacterSet.letters.contains(first))
        else { return false }
        return text.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && CharacterSet.alphanumerics.contains($0)) }
    }
}
