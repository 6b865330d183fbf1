package import LandlordCompute
internal import LandlordProviderKit

// The docker provider's own rules (the framework's are SpecValidator's), all reported with field
// paths and without quoting environment values, secret keys or provider_config values.

extension DockerProvider {
    /// Every violation of the docker provider's rules in `spec`, without engine calls:
    ///
    /// | field | rule |
    /// |---|---|
    /// | `provider_type` | is `docker` |
    /// | `provider_config`, `provider_config.<key>` | see ``DockerSpecConfig`` |
    /// | `secrets[i].source` | `env` or `file`; `file` needs a configured secrets directory |
    /// | `secrets[i].key` | for `file`: a relative path inside the secrets directory |
    /// | `secrets[i].env_var` | required (secrets are injected as environment variables), a valid name, unique, not also set in a container's `env` |
    /// | `networking.security_groups`, `networking.subnets` | empty (the engine has no such thing) |
    /// | `containers[i].ports` | none with `network_mode` `none` |
    /// | `containers[i].ports[j].host_port` | with `network_mode` `host`: 0 or the container port; a host port/protocol is used once per tenant |
    /// | `containers[i].health_check.type` | not `http`/`tcp` with `network_mode` `none` |
    package func violations(of spec: TenantComputeSpec) -> [FieldViolation] {
        var violations: [FieldViolation] = []
        if let violation = SpecValidator.providerTypeViolation(of: spec, provider: self.name) {
            violations.append(violation)
        }
        let (config, configViolations) = DockerSpecConfig.decode(spec.providerConfig)
        violations += configViolations
        violations += self.secretViolations(spec)
        if !spec.networking.securityGroups.isEmpty {
            violations.append(
                FieldViolation(
                    field: "networking.security_groups",
                    description: "the docker provider does not support security groups; leave security_groups empty"
                )
            )
        }
        if !spec.networking.subnets.isEmpty {
            violations.append(
                FieldViolation(
                    field: "networking.subnets",
                    description: "the docker provider does not support subnets; leave subnets empty"
                )
            )
        }
        violations += Self.networkViolations(spec, mode: config.effectiveNetworkMode)
        return violations
    }

    private func secretViolations(_ spec: TenantComputeSpec) -> [FieldViolation] {
        var violations: [FieldViolation] = []
        var firstIndexOfVariable: [String: Int] = [:]
        for (index, secret) in spec.secrets.enumerated() {
            let path = "secrets[\(index)]"
            switch secret.source {
            case "env":
                break
            case "file":
                if self.configuration.secretsDirectory == nil {
                    violations.append(
                        FieldViolation(
                            field: "\(path).source",
                            description:
                                "file secrets need a secrets directory, and none is configured for the docker provider"
                        )
                    )
                } else if !secret.key.isEmpty && !SecretResolver.isSafeFileKey(secret.key) {
                    violations.append(
                        FieldViolation(
                            field: "\(path).key",
                            description: "the key of a file secret must be a relative path inside the secrets directory"
                        )
                    )
                }
            case "":
                break  // SpecValidator reports the missing source
            default:
                violations.append(
                    FieldViolation(
                        field: "\(path).source",
                        description:
                            "secret source must be \"env\" or \"file\" for the docker provider (it is \(SpecValidator.quoted(secret.source)))"
                    )
                )
            }
            if secret.envVar.isEmpty {
                violations.append(
                    FieldViolation(
                        field: "\(path).env_var",
                        description: "env_var is required: the docker provider injects secrets as environment variables"
                    )
                )
            } else if secret.envVar.contains("=") || secret.envVar.contains("\0") {
                violations.append(
                    FieldViolation(
                        field: "\(path).env_var", description: "env_var must not contain '=' or NUL"
                    )
                )
            } else if let first = firstIndexOfVariable[secret.envVar] {
                violations.append(
                    FieldViolation(
                        field: "\(path).env_var",
                        description:
                            "env_var \(SpecValidator.quoted(secret.envVar)) is already used by secrets[\(first)]"
                    )
                )
            } else {
                firstIndexOfVariable[secret.envVar] = index
                for (containerIndex, container) in spec.containers.enumerated()
                where container.env[secret.envVar] != nil {
                    violations.append(
                        FieldViolation(
                            field: "\(path).env_var",
                            description:
                                "env_var \(SpecValidator.quoted(secret.envVar)) is also set by containers[\(containerIndex)].env"
                        )
                    )
                }
            }
        }
        return violations
    }

    private static func networkViolations(
        _ spec: TenantComputeSpec,
        mode: DockerSpecConfig.NetworkMode
    ) -> [FieldViolation] {
        var violations: [FieldViolation] = []
        var firstUseOfHostPort: [String: String] = [:]
        for (index, container) in spec.containers.enumerated() {
            let path = "containers[\(index)]"
            if mode == .none && !container.ports.isEmpty {
                violations.append(
                    FieldViolation(
                        field: "\(path).ports", description: "ports cannot be published with network_mode \"none\""
                    )
                )
            }
            for (portIndex, port) in container.ports.enumerated() {
                let portPath = "\(path).ports[\(portIndex)]"
                if mode == .host && port.hostPort != 0 && port.hostPort != port.containerPort {
                    violations.append(
                        FieldViolation(
                            field: "\(portPath).host_port",
                            description:
                                "with network_mode \"host\" a container listens on the host directly: host_port must be 0 or equal to container_port"
                        )
                    )
                }
                let hostPort = mode == .host ? port.containerPort : port.hostPort
                guard hostPort != 0, mode != .none else { continue }
                let key = "\(hostPort)/\(port.protocol)"
                if let first = firstUseOfHostPort[key] {
                    violations.append(
                        FieldViolation(
                            field: "\(portPath).host_port",
                            description: "host port \(key) is already used by \(first)"
                        )
                    )
                } else {
                    firstUseOfHostPort[key] = portPath
                }
            }
            if mode == .none, let check = container.healthCheck, check.type.probesPort {
                violations.append(
                    FieldViolation(
                        field: "\(path).health_check.type",
                        description: "\(check.type) health checks cannot reach a container with network_mode \"none\""
                    )
                )
            }
        }
        return violations
    }

    /// Throws ``ComputeError/Kind/invalidSpec`` with the framework's and the provider's violations.
    func checkRules(_ spec: TenantComputeSpec) throws {
        let violations = SpecValidator.violations(of: spec) + self.violations(of: spec)
        guard violations.isEmpty else { throw ComputeError.invalidSpec(violations) }
    }

    /// The violations only the engine and the environment can tell: images that are neither present
    /// nor pullable (`containers[i].image`), secrets that cannot be resolved (`secrets[i].key`).
    func availabilityViolations(_ spec: TenantComputeSpec) async throws -> [FieldViolation] {
        var violations: [FieldViolation] = []
        let resolver = self.secretResolver
        for (index, secret) in spec.secrets.enumerated() {
            do {
                _ = try resolver.value(of: secret)
            } catch {
                violations.append(FieldViolation(field: "secrets[\(index)].key", description: error.description))
            }
        }
        var verdicts: [String: String?] = [:]  // image -> problem
        for (index, container) in spec.containers.enumerated() {
            let problem: String?
            if let known = verdicts[container.image] {
                problem = known
            } else {
                problem = try await self.imageProblem(container.image)
                verdicts[container.image] = problem
            }
            if let problem {
                violations.append(FieldViolation(field: "containers[\(index)].image", description: problem))
            }
        }
        return violations
    }

    /// Why `image` can be neither used nor pulled, or `nil` when it is present or pullable.
    ///
    /// Present: `GET /images/{name}/json`. Otherwise Docker's read-only registry lookup
    /// (`GET /distribution/{name}/json`) decides; engines without it (podman) get a real pull,
    /// which is the only way they can tell (it leaves the image in the engine's cache, where
    /// provisioning would put it anyway).
    private func imageProblem(_ image: String) async throws -> String? {
        do {
            if try await self.engine.imageExists(image) { return nil }
            switch try await self.engine.distributionExists(image) {
            case true?:
                return nil
            case false?:
                return "image \(SpecValidator.quoted(image)) is not on the engine and its registry does not know it"
            case nil:
                try await self.engine.pullImage(image, timeout: self.configuration.pullTimeout)
                return nil
            }
        } catch let error as DockerEngineError where error.kind != .unreachable {
            return "image \(SpecValidator.quoted(image)) is not on the engine and cannot be pulled: \(error.message)"
        }
    }
}
