internal import Foundation
package import LandlordCompute
internal import LandlordProviderKit

/// What a spec becomes on ECS: the task definition to register, the service's settings, the tags,
/// and the stored form of the spec (docker labels) a restarted landlord reads back.
///
/// ``make(_:configuration:)`` checks every rule the mapping depends on and answers all violations
/// at once (field paths as the framework's validator writes them).
package struct ECSTenantPlan: Sendable, Hashable {
    /// The tenant.
    package var tenantID: String
    /// The decoded provider_config.
    package var config: ECSProviderConfig
    /// The task definition to register (with its stored-spec docker labels and tags).
    package var taskDefinition: ECSRegisterTaskDefinitionInput
    /// The hash of the task definition's content (labels and tags aside): equal hashes, same revision.
    package var taskDefinitionHash: String
    /// The service's settings.
    package var service: ServiceSettings
    /// The tags of the task definition and the service.
    package var tags: [ECSTag]
    /// The stored form of the spec's task-definition part (networking and service-only
    /// provider_config keys removed): what the docker labels hold.
    package var storedTaskPart: TenantComputeSpec

    /// The service side of the plan, compared with what `DescribeServices` shows.
    package struct ServiceSettings: Sendable, Hashable {
        package var desiredCount: Int
        package var launchType: ECSLaunchType?
        package var capacityProviderStrategy: [ECSCapacityProviderStrategyItem]?
        package var platformVersion: String?
        package var subnets: [String]
        package var securityGroups: [String]
        package var assignPublicIP: Bool

        /// The `awsvpc` network configuration.
        package var networkConfiguration: ECSNetworkConfiguration {
            ECSNetworkConfiguration(
                awsvpcConfiguration: ECSAwsVpcConfiguration(
                    subnets: self.subnets, securityGroups: self.securityGroups.isEmpty ? nil : self.securityGroups,
                    assignPublicIp: self.assignPublicIP ? "ENABLED" : "DISABLED"))
        }

        /// What differs from `service`, as change lines (`provider_config.desired_count: 1 -> 2`).
        package func changes(from service: ECSService) -> [String] {
            var changes: [String] = []
            if let current = service.desiredCount, current != self.desiredCount {
                changes.append("provider_config.desired_count: \(current) -> \(self.desiredCount)")
            }
            let vpc = service.networkConfiguration?.awsvpcConfiguration
            let subnets = (vpc?.subnets ?? []).sorted()
            if subnets != self.subnets.sorted() {
                changes.append("networking.subnets: \(SpecChangeDescriptions.describe(subnets)) -> \(SpecChangeDescriptions.describe(self.subnets.sorted()))")
            }
            let groups = (vpc?.securityGroups ?? []).sorted()
            if groups != self.securityGroups.sorted() {
                changes.append("networking.security_groups: \(SpecChangeDescriptions.describe(groups)) -> \(SpecChangeDescriptions.describe(self.securityGroups.sorted()))")
            }
            let publicIP = vpc?.assignPublicIp == "ENABLED"
            if vpc != nil, publicIP != self.assignPublicIP {
                changes.append("networking.public_ip: \(publicIP) -> \(self.assignPublicIP)")
            }
            if let version = self.platformVersion, let current = service.platformVersion, current != version {
                changes.append("provider_config.platform_version: \(current) -> \(version)")
            }
            let strategy = (service.capacityProviderStrategy ?? []).map(\.capacityProvider)
            let wanted = (self.capacityProviderStrategy ?? []).map(\.capacityProvider)
            if !wanted.isEmpty, strategy != wanted {
                changes.append("provider_config.capacity_provider_strategy: changed")
            }
            return changes
        }

        /// Whether the change from `service` needs a new service (ECS cannot change a launch type).
        package func launchTypeChange(from service: ECSService) -> String? {
            guard let wanted = self.launchType, let current = service.launchType, current != wanted.rawValue else { return nil }
            return "provider_config.launch_type: \(current) -> \(wanted.rawValue)"
        }
    }

    /// The secret sources the provider accepts.
    package enum SecretSource: String, Sendable, CaseIterable {
        /// AWS Secrets Manager: a secret ARN or name, optionally `:<json-key>` (with an ARN).
        case secretsManager = "secretsmanager"
        /// SSM Parameter Store: a parameter ARN or name.
        case ssm = "ssm"
    }

    /// The plan of `spec`, or every violation of the ECS rules.
    package static func make(
        _ spec: TenantComputeSpec, configuration: ECSProvider.Configuration
    ) -> Result<ECSTenantPlan, ComputeError> {
        var violations: [FieldViolation] = []
        let (config, configViolations) = ECSProviderConfig.decode(spec.providerConfig)
        violations += configViolations
        let fargate = config.runsOnFargate

        // Names: the family and the service name allow 255 letters, digits, - and _.
        if ECSNaming.family(spec.tenantID).count > 255 {
            violations.append(FieldViolation(field: "tenant_id", description: "the ECS family landlord-<tenant_id> must fit in 255 characters"))
        }

        // Task size.
        let cpu = spec.resources.cpu
        let memory = spec.resources.memory
        if fargate, !FargateSizes.isValid(millicores: cpu, memory: memory) {
            let nearest = FargateSizes.nearest(millicores: cpu, memory: memory)
            violations.append(
                FieldViolation(
                    field: "resources",
                    description:
                        "cpu \(cpu) and memory \(memory) are not a Fargate task size (cpu in millicores: 250, 500, 1000, 2000, 4000, 8000, 16000, each with its memory range); the nearest valid one is \(nearest)"))
        }
        var ephemeral: ECSEphemeralStorage?
        if spec.resources.storage > 0 {
            let gib = (spec.resources.storage + 1023) / 1024
            if !fargate {
                violations.append(FieldViolation(field: "resources.storage", description: "task ephemeral storage is a Fargate setting; EC2 tasks use the instance's disk"))
            } else if gib > 200 {
                violations.append(FieldViolation(field: "resources.storage", description: "Fargate ephemeral storage is at most 200 GiB (204800 MB)"))
            } else if gib > 20 {
                ephemeral = ECSEphemeralStorage(sizeInGiB: max(21, gib))
            }
        }

        // Execution role for secrets and logs.
        if configuration.executionRoleARN == nil {
            if !spec.secrets.isEmpty {
                violations.append(FieldViolation(field: "secrets", description: "secrets need a task execution role: set --ecs-execution-role-arn or LANDLORD_ECS_EXECUTION_ROLE_ARN"))
            }
            if config.logGroup != nil {
                violations.append(FieldViolation(field: "provider_config.log_group", description: "awslogs needs a task execution role: set --ecs-execution-role-arn or LANDLORD_ECS_EXECUTION_ROLE_ARN"))
            }
        }

        // Secrets.
        var secrets: [ECSSecret] = []
        for (index, secret) in spec.secrets.enumerated() {
            let path = "secrets[\(index)]"
            guard let source = SecretSource(rawValue: secret.source) else {
                violations.append(
                    FieldViolation(
                        field: "\(path).source",
                        description:
                            "the ecs provider takes secrets from secretsmanager or ssm (ECS injects them at task start); a \(SpecValidator.quoted(secret.source)) secret's value would sit in the task definition in clear"))
                continue
            }
            let envVar = secret.envVar.isEmpty ? secret.name : secret.envVar
            if !Self.isEnvironmentName(envVar) {
                violations.append(FieldViolation(field: "\(path).env_var", description: "must be an environment variable name (letters, digits, _; not starting with a digit)"))
            }
            switch Self.valueFrom(secret.key, source: source, configuration: configuration) {
            case .success(let valueFrom): secrets.append(ECSSecret(name: envVar, valueFrom: valueFrom))
            case .failure(let problem): violations.append(FieldViolation(field: "\(path).key", description: problem.reason))
            }
        }

        // Containers.
        var definitions: [ECSContainerDefinition] = []
        var containerCPU = 0
        var containerMemory = 0
        var portOwners: [String: Int] = [:]
        for (index, container) in spec.containers.enumerated() {
            let path = "containers[\(index)]"
            var definition = ECSContainerDefinition(name: container.name, image: container.image, essential: true)
            if !container.command.isEmpty { definition.entryPoint = container.command }
            if !container.args.isEmpty { definition.command = container.args }
            let names = Set(secrets.map(\.name))
            for name in container.env.keys.sorted() where names.contains(name) {
                violations.append(FieldViolation(field: "\(path).env[\(name)]", description: "a secret is injected as this variable too"))
            }
            if !container.env.isEmpty {
                definition.environment = container.env.keys.sorted().map { ECSKeyValuePair(name: $0, value: container.env[$0]!) }
            }
            var mappings: [ECSPortMapping] = []
            for (portIndex, port) in container.ports.enumerated() {
                if port.hostPort != 0 && port.hostPort != port.containerPort {
                    violations.append(
                        FieldViolation(
                            field: "\(path).ports[\(portIndex)].host_port",
                            description: "awsvpc tasks expose a container port on the same port: host_port must be 0 or equal container_port"))
                }
                let key = "\(port.containerPort)/\(port.protocol)"
                if let owner = portOwners[key], owner != index {
                    violations.append(
                        FieldViolation(
                            field: "\(path).ports[\(portIndex)].container_port",
                            description: "the containers of an awsvpc task share one network: port \(key) is already used by containers[\(owner)]"))
                }
                portOwners[key] = index
                mappings.append(
                    ECSPortMapping(
                        containerPort: port.containerPort, hostPort: port.containerPort, protocol: port.protocol.rawValue,
                        name: port.name.isEmpty ? nil : port.name))
            }
            if !mappings.isEmpty { definition.portMappings = mappings }
            if let check = container.healthCheck {
                violations += ECSHealthCheckMapping.violations(check, path: "\(path).health_check")
                definition.healthCheck = ECSHealthCheckMapping.healthCheck(check)
            }
            if let limits = container.resources {
                definition.cpu = FargateSizes.cpuUnits(millicores: limits.cpu)
                definition.memory = limits.memory
                containerCPU += limits.cpu
                containerMemory += limits.memory
                if limits.storage != 0 {
                    violations.append(FieldViolation(field: "\(path).resources.storage", description: "ECS has no per-container storage limit; set resources.storage for the task"))
                }
            }
            if !secrets.isEmpty { definition.secrets = secrets }
            if let group = config.logGroup {
                definition.logConfiguration = ECSLogConfiguration(
                    logDriver: "awslogs",
                    options: [
                        "awslogs-group": group, "awslogs-region": configuration.region,
                        "awslogs-stream-prefix": ECSNaming.family(spec.tenantID),
                    ])
            }
            definitions.append(definition)
        }
        if containerCPU > cpu {
            violations.append(FieldViolation(field: "containers", description: "the containers' cpu limits (\(containerCPU)) exceed the task's cpu (\(cpu))"))
        }
        if containerMemory > memory {
            violations.append(FieldViolation(field: "containers", description: "the containers' memory limits (\(containerMemory)) exceed the task's memory (\(memory))"))
        }

        // Networking.
        let subnets = spec.networking.subnets.isEmpty ? configuration.subnets : spec.networking.subnets
        let groups = spec.networking.securityGroups.isEmpty ? configuration.securityGroups : spec.networking.securityGroups
        if subnets.isEmpty {
            violations.append(FieldViolation(field: "networking.subnets", description: "awsvpc services need subnets: set networking.subnets or --ecs-subnets (LANDLORD_ECS_SUBNETS)"))
        }
        if let dns = spec.networking.dns, !dns.hostname.isEmpty || !dns.domain.isEmpty {
            violations.append(FieldViolation(field: "networking.dns", description: "the ecs provider does not register DNS names (no Cloud Map/Service Connect); remove networking.dns"))
        }

        // Labels become tags.
        var tags = [
            ECSTag(key: ECSNaming.tenantTag, value: spec.tenantID),
            ECSTag(key: ECSNaming.managedByTag, value: ECSNaming.managedByValue),
        ]
        let tagCharacters = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _.:/=+-@")
        for key in spec.labels.keys.sorted() {
            let value = spec.labels[key]!
            let field = "labels[\(ProviderConfigDocument.shortened(key))]"
            if key.lowercased().hasPrefix("aws:") || key.hasPrefix("landlord.dev/") {
                violations.append(FieldViolation(field: field, description: "the aws: and landlord.dev/ tag prefixes are reserved"))
            } else if key.count > 128 || value.count > 256 || !key.allSatisfy(tagCharacters.contains) || !value.allSatisfy(tagCharacters.contains) {
                violations.append(FieldViolation(field: field, description: "labels become ECS tags: keys up to 128 and values up to 256 letters, digits, spaces and _ . : / = + - @"))
            } else {
                tags.append(ECSTag(key: key, value: value))
            }
        }
        if tags.count > 50 {
            violations.append(FieldViolation(field: "labels", description: "ECS allows 50 tags; landlord uses 2, so at most 48 labels"))
        }

        guard violations.isEmpty else { return .failure(ComputeError.invalidSpec(violations)) }

        // The stored task-definition part: networking and service-only keys removed.
        var taskPart = spec
        taskPart.networking = NetworkConfig()
        let partConfig = config.taskDefinitionPart
        let stored = StoredSpec.sanitized(taskPart, providerConfig: partConfig)
        let tenantPart = StoredSpec.tenantPart(of: stored)

        var register = ECSRegisterTaskDefinitionInput(
            family: ECSNaming.family(spec.tenantID), taskRoleArn: config.taskRoleARN,
            executionRoleArn: configuration.executionRoleARN, networkMode: "awsvpc", containerDefinitions: definitions,
            requiresCompatibilities: [fargate ? ECSLaunchType.fargate.rawValue : ECSLaunchType.ec2.rawValue],
            cpu: String(FargateSizes.cpuUnits(millicores: cpu)), memory: String(memory), ephemeralStorage: ephemeral,
            tags: nil)
        let hash = SpecHash.hex(StoredSpec.canonicalJSON(register))
        for index in register.containerDefinitions.indices {
            var labels = [
                ECSNaming.containerSpecLabel: StoredSpec.canonicalString(stored.containers[index]),
                "landlord.dev/task-definition-hash": hash,
            ]
            if index == 0 { labels[ECSNaming.tenantSpecLabel] = StoredSpec.canonicalString(tenantPart) }
            register.containerDefinitions[index].dockerLabels = labels
        }
        register.tags = tags

        let service = ServiceSettings(
            desiredCount: config.effectiveDesiredCount,
            launchType: config.capacityProviderStrategy == nil ? (config.launchType ?? .fargate) : nil,
            capacityProviderStrategy: config.capacityProviderStrategy?.map {
                ECSCapacityProviderStrategyItem(capacityProvider: $0.capacityProvider, weight: $0.weight, base: $0.base)
            },
            platformVersion: config.platformVersion, subnets: subnets, securityGroups: groups,
            assignPublicIP: spec.networking.publicIP)
        return .success(
            ECSTenantPlan(
                tenantID: spec.tenantID, config: config, taskDefinition: register, taskDefinitionHash: hash,
                service: service, tags: tags, storedTaskPart: stored))
    }

    /// The stored task-definition part of the spec a registered revision was made from, read
    /// back from its docker labels; nil when the labels are missing or unreadable.
    package static func storedTaskPart(of definition: ECSTaskDefinition, tenantID: String) -> TenantComputeSpec? {
        let containers = definition.containerDefinitions ?? []
        guard let tenant = containers.first?.dockerLabels?[ECSNaming.tenantSpecLabel] else { return nil }
        let parts = containers.compactMap { $0.dockerLabels?[ECSNaming.containerSpecLabel] }
        guard parts.count == containers.count else { return nil }
        return StoredSpec.reassemble(tenantID: tenantID, providerType: ECSProvider.defaultName, tenantPart: tenant, containers: parts)
    }

    /// The task-definition hash label of a registered revision.
    package static func taskDefinitionHash(of definition: ECSTaskDefinition) -> String? {
        definition.containerDefinitions?.first?.dockerLabels?["landlord.dev/task-definition-hash"]
    }

    private static func isEnvironmentName(_ name: String) -> Bool {
        guard let first = name.first, first == "_" || first.isLetter && first.isASCII else { return false }
        return name.allSatisfy { $0 == "_" || ($0.isLetter || $0.isNumber) && $0.isASCII }
    }

    /// Why a secret key cannot be used.
    struct KeyProblem: Error {
        var reason: String
    }

    /// The `valueFrom` of a secret key, or why the key cannot be used.
    ///
    /// A Secrets Manager secret name (ECS takes only ARNs there) becomes the partial ARN
    /// `arn:<partition>:secretsmanager:<region>:<account>:secret:<name>` (Secrets Manager finds the
    /// secret without its random suffix), `:<json-key>::` appended for `NAME:JSON-KEY`.
    static func valueFrom(
        _ key: String, source: SecretSource, configuration: ECSProvider.Configuration
    ) -> Result<String, KeyProblem> {
        switch source {
        case .ssm:
            if key.hasPrefix("arn:") {
                return key.contains(":ssm:") && key.contains(":parameter/")
                    ? .success(key) : .failure(KeyProblem(reason: "must be an SSM parameter ARN (arn:aws:ssm:REGION:ACCOUNT:parameter/NAME) or a parameter name"))
            }
            return key.contains(where: { $0.isWhitespace || $0 == ":" })
                ? .failure(KeyProblem(reason: "must be an SSM parameter name (no spaces or colons) or ARN")) : .success(key)
        case .secretsManager:
            if key.hasPrefix("arn:") {
                let parts = key.split(separator: ":", omittingEmptySubsequences: false)
                guard parts.count >= 7, parts[2] == "secretsmanager", parts[5] == "secret" else {
                    return .failure(KeyProblem(reason: "must be a Secrets Manager secret ARN (arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME), optionally followed by :JSON-KEY"))
                }
                if parts.count == 7 { return .success(key) }
                if parts.count == 8 { return .success(key + "::") }  // a JSON key: version stage and id left empty
                return .success(key)
            }
            let parts = key.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count <= 2, !parts[0].isEmpty, !key.contains(where: \.isWhitespace), parts.count == 1 || !parts[1].isEmpty
            else {
                return .failure(KeyProblem(reason: "must be a Secrets Manager secret name or ARN, optionally followed by :JSON-KEY"))
            }
            guard let account = configuration.accountID else {
                return .failure(KeyProblem(reason: "a secret name needs the cluster's account to make its ARN (unknown: the cluster could not be described); use the secret's ARN"))
            }
            let arn = "arn:\(configuration.partition):secretsmanager:\(configuration.region):\(account):secret:\(parts[0])"
            return .success(parts.count == 2 ? "\(arn):\(parts[1])::" : arn)
        }
    }
}
