// The desired state of a tenant's compute resources (seed 000, "Tenant Compute Specification").
//
// JSON coding follows the seed's Go tags exactly: fields tagged `omitempty` are left out when they
// are empty (or zero, or nil), every other field is always written. Decoding is as lenient as Go's
// `encoding/json`: a missing field decodes to its zero value, so validation (not decoding) reports
// what is missing.

/// The desired state of a tenant's compute resources.
///
/// A spec is provider-agnostic: ``providerType`` picks the ``ComputeProvider`` that realises it and
/// ``providerConfig`` carries that provider's own settings as a raw JSON document.
///
/// ```swift
/// let spec = TenantComputeSpec(
///     tenantID: "acme",
///     providerType: "mock",
///     containers: [ContainerSpec(name: "web", image: "nginx:1.25", ports: [PortMapping(containerPort: 80)])],
///     resources: ResourceRequirements(cpu: 256, memory: 512)
/// )
/// ```
package struct TenantComputeSpec: Sendable, Hashable, Codable {
    /// Uniquely identifies the tenant (`tenant_id`): lowercase letters, digits and `-`, at most 63 characters.
    package var tenantID: String
    /// The name of the registered provider that realises this spec (`provider_type`).
    package var providerType: String
    /// The container workloads of the tenant; at least one (`containers`).
    package var containers: [ContainerSpec]
    /// Resource requirements of the whole tenant (`resources`).
    package var resources: ResourceRequirements
    /// Network configuration (`networking`).
    package var networking: NetworkConfig
    /// Secrets the containers need (`secrets`, omitted when empty).
    package var secrets: [SecretReference]
    /// Key-value pairs for organising and filtering (`labels`, omitted when empty).
    package var labels: [String: String]
    /// Provider-specific configuration, validated by the provider (`provider_config`, omitted when nil).
    package var providerConfig: RawJSON?

    /// Creates a spec; every argument but the tenant id has an empty default.
    package init(
        tenantID: String,
        providerType: String = "",
        containers: [ContainerSpec] = [],
        resources: ResourceRequirements = ResourceRequirements(),
        networking: NetworkConfig = NetworkConfig(),
        secrets: [SecretReference] = [],
        labels: [String: String] = [:],
        providerConfig: RawJSON? = nil
    ) {
        self.tenantID = tenantID
        self.providerType = providerType
        self.containers = containers
        self.resources = resources
        self.networking = networking
        self.secrets = secrets
        self.labels = labels
        self.providerConfig = providerConfig
    }

    private enum CodingKeys: String, CodingKey {
        case tenantID = "tenant_id"
        case providerType = "provider_type"
        case containers
        case resources
        case networking
        case secrets
        case labels
        case providerConfig = "provider_config"
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.tenantID = try container.decodeIfPresent(String.self, forKey: .tenantID) ?? ""
        self.providerType = try container.decodeIfPresent(String.self, forKey: .providerType) ?? ""
        self.containers = try container.decodeIfPresent([ContainerSpec].self, forKey: .containers) ?? []
        self.resources = try container.decodeIfPresent(ResourceRequirements.self, forKey: .resources) ?? .init()
        self.networking = try container.decodeIfPresent(NetworkConfig.self, forKey: .networking) ?? .init()
        self.secrets = try container.decodeIfPresent([SecretReference].self, forKey: .secrets) ?? []
        self.labels = try container.decodeIfPresent([String: String].self, forKey: .labels) ?? [:]
        self.providerConfig = try container.decodeIfPresent(RawJSON.self, forKey: .providerConfig)
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.tenantID, forKey: .tenantID)
        try container.encode(self.providerType, forKey: .providerType)
        try container.encode(self.containers, forKey: .containers)
        try container.encode(self.resources, forKey: .resources)
        try container.encode(self.networking, forKey: .networking)
        if !self.secrets.isEmpty { try container.encode(self.secrets, forKey: .secrets) }
        if !self.labels.isEmpty { try container.encode(self.labels, forKey: .labels) }
        if let providerConfig = self.providerConfig, !providerConfig.isEmpty {
            try container.encode(providerConfig, forKey: .providerConfig)
        }
    }
}

/// A single container of a tenant deployment.
package struct ContainerSpec: Sendable, Hashable, Codable {
    /// The container's identifier within the tenant (`name`): lowercase letters, digits and `-`.
    package var name: String
    /// The image reference, such as `nginx:1.25` (`image`).
    package var image: String
    /// Overrides the image's entrypoint (`command`, omitted when empty).
    package var command: [String]
    /// Arguments to the command (`args`, omitted when empty).
    package var args: [String]
    /// Environment variables (`env`, omitted when empty). Values are never logged.
    package var env: [String: String]
    /// Port mappings (`ports`, omitted when empty).
    package var ports: [PortMapping]
    /// Health checking (`health_check`, omitted when nil).
    package var healthCheck: HealthCheckConfig?
    /// Container-specific resource limits (`resources`, omitted when nil).
    package var resources: ResourceRequirements?

    /// Creates a container spec; only the name and the image are required.
    package init(
        name: String,
        image: String,
        command: [String] = [],
        args: [String] = [],
        env: [String: String] = [:],
        ports: [PortMapping] = [],
        healthCheck: HealthCheckConfig? = nil,
        resources: ResourceRequirements? = nil
    ) {
        self.name = name
        self.image = image
        self.command = command
        self.args = args
        self.env = env
        self.ports = ports
        self.healthCheck = healthCheck
        self.resources = resources
    }

    private enum CodingKeys: String, CodingKey {
        case name
        case image
        case command
        case args
        case env
        case ports
        case healthCheck = "health_check"
        case resources
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.name = try container.decodeIfPresent(String.self, forKey: .name) ?? ""
        self.image = try container.decodeIfPresent(String.self, forKey: .image) ?? ""
        self.command = try container.decodeIfPresent([String].self, forKey: .command) ?? []
        self.args = try container.decodeIfPresent([String].self, forKey: .args) ?? []
        self.env = try container.decodeIfPresent([String: String].self, forKey: .env) ?? [:]
        self.ports = try container.decodeIfPresent([PortMapping].self, forKey: .ports) ?? []
        self.healthCheck = try container.decodeIfPresent(HealthCheckConfig.self, forKey: .healthCheck)
        self.resources = try container.decodeIfPresent(ResourceRequirements.self, forKey: .resources)
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.name, forKey: .name)
        try container.encode(self.image, forKey: .image)
        if !self.command.isEmpty { try container.encode(self.command, forKey: .command) }
        if !self.args.isEmpty { try container.encode(self.args, forKey: .args) }
        if !self.env.isEmpty { try container.encode(self.env, forKey: .env) }
        if !self.ports.isEmpty { try container.encode(self.ports, forKey: .ports) }
        try container.encodeIfPresent(self.healthCheck, forKey: .healthCheck)
        try container.encodeIfPresent(self.resources, forKey: .resources)
    }
}

/// How a container port is exposed.
package struct PortMapping: Sendable, Hashable, Codable {
    /// The port inside the container, 1-65535 (`container_port`).
    package var containerPort: Int
    /// The port on the host; 0 means "not set" (`host_port`, omitted when 0, provider-specific).
    package var hostPort: Int
    /// `tcp` or `udp` (`protocol`); any other string is kept and is a validation violation.
    package var `protocol`: PortProtocol
    /// An optional identifier for this port (`name`, omitted when empty).
    package var name: String

    /// Creates a port mapping; the protocol defaults to `tcp`.
    package init(containerPort: Int, hostPort: Int = 0, protocol: PortProtocol = .tcp, name: String = "") {
        self.containerPort = containerPort
        self.hostPort = hostPort
        self.protocol = `protocol`
        self.name = name
    }

    private enum CodingKeys: String, CodingKey {
        case containerPort = "container_port"
        case hostPort = "host_port"
        case `protocol`
        case name
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.containerPort = try container.decodeIfPresent(Int.self, forKey: .containerPort) ?? 0
        self.hostPort = try container.decodeIfPresent(Int.self, forKey: .hostPort) ?? 0
        self.protocol = try container.decodeIfPresent(PortProtocol.self, forKey: .protocol) ?? ""
        self.name = try container.decodeIfPresent(String.self, forKey: .name) ?? ""
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.containerPort, forKey: .containerPort)
        if self.hostPort != 0 { try container.encode(self.hostPort, forKey: .hostPort) }
        try container.encode(self.protocol, forKey: .protocol)
        if !self.name.isEmpty { try container.encode(self.name, forKey: .name) }
    }
}

/// Health checking parameters of a container.
package struct HealthCheckConfig: Sendable, Hashable, Codable {
    /// `http`, `tcp` or `exec` (`type`); any other string is kept and is a validation violation.
    package var type: HealthCheckType
    /// The path probed by `http` checks; starts with `/` (`http_path`, omitted when empty).
    package var httpPath: String
    /// The port probed by `http` and `tcp` checks; 0 means "not set" (`port`, omitted when 0).
    package var port: Int
    /// The command run by `exec` checks (`command`, omitted when empty).
    package var command: [String]
    /// Seconds between checks, at least 5; 0 (unset) means 10, ``defaults`` (`interval_seconds`).
    /// Read ``effectiveIntervalSeconds`` to use it.
    package var intervalSeconds: Int
    /// Seconds a check may take, at least 1 and less than the interval; 0 (unset) means 1,
    /// ``defaults`` (`timeout_seconds`). Read ``effectiveTimeoutSeconds`` to use it.
    package var timeoutSeconds: Int
    /// Consecutive successes needed to become healthy, at least 1; 0 (unset) means 1, ``defaults``
    /// (`healthy_threshold`). Read ``effectiveHealthyThreshold`` to use it.
    package var healthyThreshold: Int
    /// Consecutive failures needed to become unhealthy, at least 1; 0 (unset) means 3,
    /// ``defaults`` (`unhealthy_threshold`). Read ``effectiveUnhealthyThreshold`` to use it.
    package var unhealthyThreshold: Int

    /// Creates a health check. The Swift argument defaults (30 s interval, 5 s timeout, thresholds
    /// 1 and 3) are explicit, valid values; pass 0 for a field to get its wire default (``defaults``).
    package init(
        type: HealthCheckType,
        httpPath: String = "",
        port: Int = 0,
        command: [String] = [],
        intervalSeconds: Int = 30,
        timeoutSeconds: Int = 5,
        healthyThreshold: Int = 1,
        unhealthyThreshold: Int = 3
    ) {
        self.type = type
        self.httpPath = httpPath
        self.port = port
        self.command = command
        self.intervalSeconds = intervalSeconds
        self.timeoutSeconds = timeoutSeconds
        self.healthyThreshold = healthyThreshold
        self.unhealthyThreshold = unhealthyThreshold
    }

    /// An `http` check of `path` on `port` with the default timing.
    package static func http(path: String = "/", port: Int) -> Self {
        Self(type: .http, httpPath: path, port: port)
    }

    /// A `tcp` check of `port` with the default timing.
    package static func tcp(port: Int) -> Self {
        Self(type: .tcp, port: port)
    }

    /// An `exec` check running `command` with the default timing.
    package static func exec(_ command: [String]) -> Self {
        Self(type: .exec, command: command)
    }

    private enum CodingKeys: String, CodingKey {
        case type
        case httpPath = "http_path"
        case port
        case command
        case intervalSeconds = "interval_seconds"
        case timeoutSeconds = "timeout_seconds"
        case healthyThreshold = "healthy_threshold"
        case unhealthyThreshold = "unhealthy_threshold"
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.type = try container.decodeIfPresent(HealthCheckType.self, forKey: .type) ?? ""
        self.httpPath = try container.decodeIfPresent(String.self, forKey: .httpPath) ?? ""
        self.port = try container.decodeIfPresent(Int.self, forKey: .port) ?? 0
        self.command = try container.decodeIfPresent([String].self, forKey: .command) ?? []
        self.intervalSeconds = try container.decodeIfPresent(Int.self, forKey: .intervalSeconds) ?? 0
        self.timeoutSeconds = try container.decodeIfPresent(Int.self, forKey: .timeoutSeconds) ?? 0
        self.healthyThreshold = try container.decodeIfPresent(Int.self, forKey: .healthyThreshold) ?? 0
        self.unhealthyThreshold = try container.decodeIfPresent(Int.self, forKey: .unhealthyThreshold) ?? 0
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.type, forKey: .type)
        if !self.httpPath.isEmpty { try container.encode(self.httpPath, forKey: .httpPath) }
        if self.port != 0 { try container.encode(self.port, forKey: .port) }
        if !self.command.isEmpty { try container.encode(self.command, forKey: .command) }
        try container.encode(self.intervalSeconds, forKey: .intervalSeconds)
        try container.encode(self.timeoutSeconds, forKey: .timeoutSeconds)
        try container.encode(self.healthyThreshold, forKey: .healthyThreshold)
        try container.encode(self.unhealthyThreshold, forKey: .unhealthyThreshold)
    }
}

/// Zero means default: proto3 and JSON read an unset number as 0, so a client that sets only a
/// check's `type`, `port` and `path` sends zeros for its timing. Those zeros stand for the
/// documented defaults below (the defaults of Kubernetes probes: `periodSeconds` 10,
/// `timeoutSeconds` 1, `successThreshold` 1, `failureThreshold` 3), which every provider applies;
/// negative values are violations. The stored and echoed spec keeps the zeros: defaults are
/// applied where a value is used, through the `effective…` accessors or ``resolved()``.
extension HealthCheckConfig {
    /// The timing of a health check: interval, timeout and thresholds.
    package struct Timing: Sendable, Hashable {
        /// Seconds between checks.
        package var intervalSeconds: Int
        /// Seconds a check may take.
        package var timeoutSeconds: Int
        /// Consecutive successes needed to become healthy.
        package var healthyThreshold: Int
        /// Consecutive failures needed to become unhealthy.
        package var unhealthyThreshold: Int

        /// Creates a timing.
        package init(intervalSeconds: Int, timeoutSeconds: Int, healthyThreshold: Int, unhealthyThreshold: Int) {
            self.intervalSeconds = intervalSeconds
            self.timeoutSeconds = timeoutSeconds
            self.healthyThreshold = healthyThreshold
            self.unhealthyThreshold = unhealthyThreshold
        }
    }

    /// What a 0 (unset) timing field means: interval 10 s, timeout 1 s, healthy threshold 1,
    /// unhealthy threshold 3 (the Kubernetes probe defaults; the interval satisfies the seed's
    /// minimum of 5 and the timeout is less than it).
    package static let defaults = Timing(intervalSeconds: 10, timeoutSeconds: 1, healthyThreshold: 1, unhealthyThreshold: 3)

    /// ``intervalSeconds``, or the default when it is 0.
    package var effectiveIntervalSeconds: Int {
        self.intervalSeconds == 0 ? Self.defaults.intervalSeconds : self.intervalSeconds
    }

    /// ``timeoutSeconds``, or the default when it is 0.
    package var effectiveTimeoutSeconds: Int {
        self.timeoutSeconds == 0 ? Self.defaults.timeoutSeconds : self.timeoutSeconds
    }

    /// ``healthyThreshold``, or the default when it is 0.
    package var effectiveHealthyThreshold: Int {
        self.healthyThreshold == 0 ? Self.defaults.healthyThreshold : self.healthyThreshold
    }

    /// ``unhealthyThreshold``, or the default when it is 0.
    package var effectiveUnhealthyThreshold: Int {
        self.unhealthyThreshold == 0 ? Self.defaults.unhealthyThreshold : self.unhealthyThreshold
    }

    /// The check with every 0 timing field replaced by its default (``defaults``); other values,
    /// negative ones included, are kept.
    package func resolved() -> HealthCheckConfig {
        var check = self
        check.intervalSeconds = self.effectiveIntervalSeconds
        check.timeoutSeconds = self.effectiveTimeoutSeconds
        check.healthyThreshold = self.effectiveHealthyThreshold
        check.unhealthyThreshold = self.effectiveUnhealthyThreshold
        return check
    }
}

/// Compute resource requirements of a tenant or a container.
package struct ResourceRequirements: Sendable, Hashable, Codable {
    /// CPU in millicores, 1000 = 1 CPU; at least 128 (`cpu`).
    package var cpu: Int
    /// Memory in megabytes; at least 128 (`memory`).
    package var memory: Int
    /// Ephemeral storage in megabytes; 0 means "provider default" (`storage`, omitted when 0).
    package var storage: Int

    /// Creates resource requirements. The zero defaults do not pass validation: set `cpu` and `memory`.
    package init(cpu: Int = 0, memory: Int = 0, storage: Int = 0) {
        self.cpu = cpu
        self.memory = memory
        self.storage = storage
    }

    private enum CodingKeys: String, CodingKey {
        case cpu
        case memory
        case storage
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.cpu = try container.decodeIfPresent(Int.self, forKey: .cpu) ?? 0
        self.memory = try container.decodeIfPresent(Int.self, forKey: .memory) ?? 0
        self.storage = try container.decodeIfPresent(Int.self, forKey: .storage) ?? 0
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.cpu, forKey: .cpu)
        try container.encode(self.memory, forKey: .memory)
        if self.storage != 0 { try container.encode(self.storage, forKey: .storage) }
    }
}

/// Networking parameters of a tenant.
package struct NetworkConfig: Sendable, Hashable, Codable {
    /// Whether to assign a public IP (`public_ip`).
    package var publicIP: Bool
    /// Security groups or firewall rules (`security_groups`, omitted when empty).
    package var securityGroups: [String]
    /// Subnets to place resources in (`subnets`, omitted when empty).
    package var subnets: [String]
    /// DNS settings (`dns`, omitted when nil).
    package var dns: DNSConfig?

    /// Creates a network configuration; by default private, with no DNS settings.
    package init(publicIP: Bool = false, securityGroups: [String] = [], subnets: [String] = [], dns: DNSConfig? = nil) {
        self.publicIP = publicIP
        self.securityGroups = securityGroups
        self.subnets = subnets
        self.dns = dns
    }

    private enum CodingKeys: String, CodingKey {
        case publicIP = "public_ip"
        case securityGroups = "security_groups"
        case subnets
        case dns
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.publicIP = try container.decodeIfPresent(Bool.self, forKey: .publicIP) ?? false
        self.securityGroups = try container.decodeIfPresent([String].self, forKey: .securityGroups) ?? []
        self.subnets = try container.decodeIfPresent([String].self, forKey: .subnets) ?? []
        self.dns = try container.decodeIfPresent(DNSConfig.self, forKey: .dns)
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.publicIP, forKey: .publicIP)
        if !self.securityGroups.isEmpty { try container.encode(self.securityGroups, forKey: .securityGroups) }
        if !self.subnets.isEmpty { try container.encode(self.subnets, forKey: .subnets) }
        try container.encodeIfPresent(self.dns, forKey: .dns)
    }
}

/// DNS settings of a tenant.
package struct DNSConfig: Sendable, Hashable, Codable {
    /// Hostname for the tenant (`hostname`, omitted when empty).
    package var hostname: String
    /// Domain for the tenant (`domain`, omitted when empty).
    package var domain: String

    /// Creates DNS settings.
    package init(hostname: String = "", domain: String = "") {
        self.hostname = hostname
        self.domain = domain
    }

    private enum CodingKeys: String, CodingKey {
        case hostname
        case domain
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.hostname = try container.decodeIfPresent(String.self, forKey: .hostname) ?? ""
        self.domain = try container.decodeIfPresent(String.self, forKey: .domain) ?? ""
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        if !self.hostname.isEmpty { try container.encode(self.hostname, forKey: .hostname) }
        if !self.domain.isEmpty { try container.encode(self.domain, forKey: .domain) }
    }
}

/// A reference to a secret the tenant needs. Only the reference travels; the secret's content never does.
package struct SecretReference: Sendable, Hashable, Codable {
    /// The name of the secret, unique within the spec (`name`).
    package var name: String
    /// Where the secret is stored, provider-specific, e.g. `aws-secrets-manager` (`source`).
    package var source: String
    /// The key within the secret store (`key`).
    package var key: String
    /// The environment variable to inject the secret as (`env_var`, omitted when empty).
    package var envVar: String

    /// Creates a secret reference.
    package init(name: String, source: String, key: String, envVar: String = "") {
        self.name = name
        self.source = source
        self.key = key
        self.envVar = envVar
    }

    private enum CodingKeys: String, CodingKey {
        case name
        case source
        case key
        case envVar = "env_var"
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.name = try container.decodeIfPresent(String.self, forKey: .name) ?? ""
        self.source = try container.decodeIfPresent(String.self, forKey: .source) ?? ""
        self.key = try container.decodeIfPresent(String.self, forKey: .key) ?? ""
        self.envVar = try container.decodeIfPresent(String.self, forKey: .envVar) ?? ""
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.name, forKey: .name)
        try container.encode(self.source, forKey: .source)
        try container.encode(self.key, forKey: .key)
        if !self.envVar.isEmpty { try container.encode(self.envVar, forKey: .envVar) }
    }
}
