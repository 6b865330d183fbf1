// TenantComputeSpec and its parts <-> landlord.compute.v1.TenantComputeSpec & co.
//
// Each type gets `init(cMessage:)`, reading a decoded C message, and `fill(_:arena:)`, writing one
// whose pointers come from the arena. Sub-messages the domain models as optionals (`health_check`,
// container `resources`, `dns`) are absent exactly when nil; the spec's `resources` and `networking`
// are not optional in the domain: absent ones read as zero values and they are always written.
// Repeated fields and maps cannot tell empty from absent on the wire (neither can Go's nil and
// empty slices in JSON `omitempty`); the domain never distinguishes them either: both are `[]`/`[:]`.

internal import CLandlordProto
internal import CProtobufC
internal import LandlordCompute
internal import LandlordProtobuf

extension TenantComputeSpec {
    typealias CMessage = Landlord__Compute__V1__TenantComputeSpec
    static let cType = ProtobufCMessageType(landlord__compute__v1__tenant_compute_spec__init)
    static let labelsEntryCType = ProtobufCMessageType(landlord__compute__v1__tenant_compute_spec__labels_entry__init)

    init(cMessage m: CMessage) {
        self.init(
            tenantID: ProtobufC.string(m.tenant_id),
            providerType: ProtobufC.string(m.provider_type),
            containers: ProtobufC.messages(m.containers, count: m.n_containers, ContainerSpec.init(cMessage:)),
            resources: ProtobufC.message(m.resources, ResourceRequirements.init(cMessage:)) ?? ResourceRequirements(),
            networking: ProtobufC.message(m.networking, NetworkConfig.init(cMessage:)) ?? NetworkConfig(),
            secrets: ProtobufC.messages(m.secrets, count: m.n_secrets, SecretReference.init(cMessage:)),
            labels: ProtobufC.stringMap(m.labels, count: m.n_labels, key: \.key, value: \.value),
            providerConfig: RawJSON.fromWire(m.provider_config)
        )
    }

    func fill(_ m: inout CMessage, arena: ProtobufCArena) {
        m.tenant_id = arena.string(tenantID)
        m.provider_type = arena.string(providerType)
        (m.n_containers, m.containers) = arena.messages(ContainerSpec.cType, containers) { c, container in
            container.fill(&c, arena: arena)
        }
        m.resources = arena.message(ResourceRequirements.cType) { resources.fill(&$0) }
        m.networking = arena.message(NetworkConfig.cType) { networking.fill(&$0, arena: arena) }
        (m.n_secrets, m.secrets) = arena.messages(SecretReference.cType, secrets) { c, secret in
            secret.fill(&c, arena: arena)
        }
        (m.n_labels, m.labels) = arena.stringMap(Self.labelsEntryCType, labels, key: \.key, value: \.value)
        m.provider_config = arena.providerConfig(providerConfig)
    }

    /// A spec sub-message field (`spec` of the requests; NULL when absent).
    static func fromWire(_ spec: UnsafePointer<CMessage>?) -> TenantComputeSpec? {
        ProtobufC.message(spec, TenantComputeSpec.init(cMessage:))
    }
}

extension ProtobufCArena {
    /// The `spec` field of a request: nil is absent.
    func spec(_ spec: TenantComputeSpec?) -> UnsafeMutablePointer<TenantComputeSpec.CMessage>? {
        spec.map { spec in message(TenantComputeSpec.cType) { spec.fill(&$0, arena: self) } }
    }
}

extension ContainerSpec {
    typealias CMessage = Landlord__Compute__V1__ContainerSpec
    static let cType = ProtobufCMessageType(landlord__compute__v1__container_spec__init)
    static let envEntryCType = ProtobufCMessageType(landlord__compute__v1__container_spec__env_entry__init)

    init(cMessage m: CMessage) {
        self.init(
            name: ProtobufC.string(m.name),
            image: ProtobufC.string(m.image),
            command: ProtobufC.strings(m.command, count: m.n_command),
            args: ProtobufC.strings(m.args, count: m.n_args),
            env: ProtobufC.stringMap(m.env, count: m.n_env, key: \.key, value: \.value),
            ports: ProtobufC.messages(m.ports, count: m.n_ports, PortMapping.init(cMessage:)),
            healthCheck: ProtobufC.message(m.health_check, HealthCheckConfig.init(cMessage:)),
            resources: ProtobufC.message(m.resources, ResourceRequirements.init(cMessage:))
        )
    }

    func fill(_ m: inout CMessage, arena: ProtobufCArena) {
        m.name = arena.string(name)
        m.image = arena.string(image)
        (m.n_command, m.command) = arena.strings(command)
        (m.n_args, m.args) = arena.strings(args)
        (m.n_env, m.env) = arena.stringMap(Self.envEntryCType, env, key: \.key, value: \.value)
        (m.n_ports, m.ports) = arena.messages(PortMapping.cType, ports) { c, port in
            port.fill(&c, arena: arena)
        }
        m.health_check = healthCheck.map { check in
            arena.message(HealthCheckConfig.cType) { check.fill(&$0, arena: arena) }
        }
        m.resources = resources.map { resources in
            arena.message(ResourceRequirements.cType) { resources.fill(&$0) }
        }
    }
}

extension PortMapping {
    typealias CMessage = Landlord__Compute__V1__PortMapping
    static let cType = ProtobufCMessageType(landlord__compute__v1__port_mapping__init)

    init(cMessage m: CMessage) {
        self.init(
            containerPort: Int(m.container_port),
            hostPort: Int(m.host_port),
            protocol: PortProtocol(rawValue: ProtobufC.string(m.protocol)),
            name: ProtobufC.string(m.name)
        )
    }

    func fill(_ m: inout CMessage, arena: ProtobufCArena) {
        m.container_port = wireInt32(containerPort)
        m.host_port = wireInt32(hostPort)
        m.protocol = arena.string(self.protocol.rawValue)
        m.name = arena.string(name)
    }
}

extension HealthCheckConfig {
    typealias CMessage = Landlord__Compute__V1__HealthCheckConfig
    static let cType = ProtobufCMessageType(landlord__compute__v1__health_check_config__init)

    init(cMessage m: CMessage) {
        self.init(
            type: HealthCheckType(rawValue: ProtobufC.string(m.type)),
            httpPath: ProtobufC.string(m.http_path),
            port: Int(m.port),
            command: ProtobufC.strings(m.command, count: m.n_command),
            intervalSeconds: Int(m.interval_seconds),
            timeoutSeconds: Int(m.timeout_seconds),
            healthyThreshold: Int(m.healthy_threshold),
            unhealthyThreshold: Int(m.unhealthy_threshold)
        )
    }

    func fill(_ m: inout CMessage, arena: ProtobufCArena) {
        m.type = arena.string(type.rawValue)
        m.http_path = arena.string(httpPath)
        m.port = wireInt32(port)
        (m.n_command, m.command) = arena.strings(command)
        m.interval_seconds = wireInt32(intervalSeconds)
        m.timeout_seconds = wireInt32(timeoutSeconds)
        m.healthy_threshold = wireInt32(healthyThreshold)
        m.unhealthy_threshold = wireInt32(unhealthyThreshold)
    }
}

extension ResourceRequirements {
    typealias CMessage = Landlord__Compute__V1__ResourceRequirements
    static let cType = ProtobufCMessageType(landlord__compute__v1__resource_requirements__init)

    init(cMessage m: CMessage) {
        self.init(cpu: Int(m.cpu), memory: Int(m.memory), storage: Int(m.storage))
    }

    func fill(_ m: inout CMessage) {
        m.cpu = wireInt32(cpu)
        m.memory = wireInt32(memory)
        m.storage = wireInt32(storage)
    }
}

extension NetworkConfig {
    typealias CMessage = Landlord__Compute__V1__NetworkConfig
    static let cType = ProtobufCMessageType(landlord__compute__v1__network_config__init)

    init(cMessage m: CMessage) {
        self.init(
            publicIP: m.public_ip != 0,
            securityGroups: ProtobufC.strings(m.security_groups, count: m.n_security_groups),
            subnets: ProtobufC.strings(m.subnets, count: m.n_subnets),
            dns: ProtobufC.message(m.dns, DNSConfig.init(cMessage:))
        )
    }

    func fill(_ m: inout CMessage, arena: ProtobufCArena) {
        m.public_ip = wireBool(publicIP)
        (m.n_security_groups, m.security_groups) = arena.strings(securityGroups)
        (m.n_subnets, m.subnets) = arena.strings(subnets)
        m.dns = dns.map { dns in arena.message(DNSConfig.cType) { dns.fill(&$0, arena: arena) } }
    }
}

extension DNSConfig {
    typealias CMessage = Landlord__Compute__V1__DNSConfig
    static let cType = ProtobufCMessageType(landlord__compute__v1__dnsconfig__init)

    init(cMessage m: CMessage) {
        self.init(hostname: ProtobufC.string(m.hostname), domain: ProtobufC.string(m.domain))
    }

    func fill(_ m: inout CMessage, arena: ProtobufCArena) {
        m.hostname = arena.string(hostname)
        m.domain = arena.string(domain)
    }
}

extension SecretReference {
    typealias CMessage = Landlord__Compute__V1__SecretReference
    static let cType = ProtobufCMessageType(landlord__compute__v1__secret_reference__init)

    init(cMessage m: CMessage) {
        self.init(
            name: ProtobufC.string(m.name),
            source: ProtobufC.string(m.source),
            key: ProtobufC.string(m.key),
            envVar: ProtobufC.string(m.env_var)
        )
    }

    func fill(_ m: inout CMessage, arena: ProtobufCArena) {
        m.name = arena.string(name)
        m.source = arena.string(source)
        m.key = arena.string(key)
        m.env_var = arena.string(envVar)
    }
}
