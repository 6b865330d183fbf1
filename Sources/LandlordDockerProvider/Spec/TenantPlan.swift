package import LandlordCompute
internal import LandlordProviderKit

/// What a spec becomes on the engine: the tenant's network and one container create request per
/// ``ContainerSpec``, with names, labels and spec hashes. Pure: building a plan reads nothing and
/// resolves no secret (secret values are added by ``ContainerPlan/createBody(secrets:provisionedAt:)``
/// when the container is created).
///
/// | spec | Docker |
/// |---|---|
/// | `command` | `Entrypoint` (replaces the image's entrypoint and its default command) |
/// | `args` | `Cmd` |
/// | `env`, secrets (`env_var`) | `Env`, sorted by name |
/// | `ports` | `ExposedPorts` and `PortBindings` on the host IP; `host_port` 0 takes an ephemeral port |
/// | `resources.cpu` (container's, else the tenant's) | `NanoCpus` = millicores x 1,000,000 |
/// | `resources.memory` (container's, else the tenant's) | `Memory` = MB x 1,048,576 |
/// | `resources.storage` | not applied (Docker's `StorageOpt` needs overlay2 on xfs with quotas) |
/// | `networking.dns.hostname`, `.domain` | `Hostname`, `Domainname` |
/// | `networking.public_ip` | ports bind to `0.0.0.0` unless `provider_config.host_ip` is set |
/// | `provider_config.restart_policy` | `RestartPolicy` |
package struct TenantPlan: Sendable {
    package var tenantID: String
    /// The decoded provider_config.
    package var config: DockerSpecConfig
    /// The address published ports bind to.
    package var hostIP: String
    /// The restart policy of every container.
    package var restartPolicy: DockerProvider.RestartPolicy
    /// The stored form of the spec (``StoredSpec``).
    package var stored: TenantComputeSpec
    /// One plan per container, in spec order.
    package var containers: [ContainerPlan]

    /// The tenant network's name.
    package var networkName: String { DockerNaming.networkName(tenantID: self.tenantID) }

    /// Whether the tenant has its own network (``DockerSpecConfig/NetworkMode/tenant``).
    package var usesTenantNetwork: Bool { self.config.effectiveNetworkMode == .tenant }

    /// Plans `spec` (which must pass ``SpecValidator`` and the provider's rules).
    package init(spec: TenantComputeSpec, configuration: DockerProvider.Configuration) {
        let config = DockerSpecConfig.decode(spec.providerConfig).config
        self.tenantID = spec.tenantID
        self.config = config
        self.hostIP = config.hostIP ?? (spec.networking.publicIP ? "0.0.0.0" : configuration.hostIP)
        self.restartPolicy = config.restartPolicy ?? configuration.restartPolicy
        self.stored = StoredSpec.sanitized(spec, config: config)
        let tenantPart = StoredSpec.tenantPart(of: self.stored)
        let tenantJSON = StoredSpec.canonicalString(tenantPart)
        var containers: [ContainerPlan] = []
        for (container, stored) in zip(spec.containers, self.stored.containers) {
            containers.append(
                ContainerPlan(
                    spec: container,
                    engineName: DockerNaming.containerName(tenantID: spec.tenantID, container: container.name),
                    hash: StoredSpec.hash(container: stored, tenantPart: tenantPart),
                    storedJSON: StoredSpec.canonicalString(stored),
                    tenantJSON: tenantJSON,
                    resources: container.resources ?? spec.resources,
                    dns: spec.networking.dns,
                    tenantID: spec.tenantID,
                    networkMode: config.effectiveNetworkMode,
                    hostIP: self.hostIP,
                    restartPolicy: self.restartPolicy
                )
            )
        }
        self.containers = containers
    }

    /// The container plan named `name`.
    package func container(named name: String) -> ContainerPlan? {
        self.containers.first { $0.spec.name == name }
    }
}

/// One container of a ``TenantPlan``.
package struct ContainerPlan: Sendable {
    /// The container's spec (with its environment values: never log it).
    package var spec: ContainerSpec
    /// `landlord-<tenant_id>-<container>`.
    package var engineName: String
    /// The ``DockerLabels/specHash`` label.
    package var hash: String
    var storedJSON: String
    var tenantJSON: String
    var resources: ResourceRequirements
    var dns: DNSConfig?
    var tenantID: String
    var networkMode: DockerSpecConfig.NetworkMode
    var hostIP: String
    var restartPolicy: DockerProvider.RestartPolicy

    /// The labels of the container.
    package func labels(provisionedAt: Int64) -> [String: String] {
        [
            DockerLabels.tenantID: self.tenantID,
            DockerLabels.provider: DockerLabels.providerValue,
            DockerLabels.container: self.spec.name,
            DockerLabels.specHash: self.hash,
            DockerLabels.spec: self.storedJSON,
            DockerLabels.tenantSpec: self.tenantJSON,
            DockerLabels.provisionedAt: "\(provisionedAt)",
        ]
    }

    /// The engine's network mode value: the tenant network's name, `bridge`, `host` or `none`.
    var engineNetworkMode: String {
        switch self.networkMode {
        case .tenant: DockerNaming.networkName(tenantID: self.tenantID)
        case .bridge: "bridge"
        case .host: "host"
        case .none: "none"
        }
    }

    /// The `POST /containers/create` body; `secrets` maps `env_var` names to resolved values.
    func createBody(secrets: [String: String], provisionedAt: Int64) -> DockerAPI.ContainerCreate {
        var environment = self.spec.env
        for (name, value) in secrets {
            environment[name] = value
        }
        var exposed: [String: DockerAPI.EmptyObject] = [:]
        var bindings: [String: [DockerAPI.PortBinding]] = [:]
        for port in self.spec.ports {
            let key = "\(port.containerPort)/\(port.protocol)"
            exposed[key] = DockerAPI.EmptyObject()
            if self.networkMode == .tenant || self.networkMode == .bridge {
                bindings[key, default: []].append(
                    DockerAPI.PortBinding(HostIp: self.hostIP, HostPort: port.hostPort == 0 ? "" : "\(port.hostPort)")
                )
            }
        }
        let hostname = self.dns?.hostname ?? ""
        let domain = self.dns?.domain ?? ""
        return DockerAPI.ContainerCreate(
            Image: self.spec.image,
            Entrypoint: self.spec.command.isEmpty ? nil : self.spec.command,
            Cmd: self.spec.args.isEmpty ? nil : self.spec.args,
            Env: environment.keys.sorted().map { "\($0)=\(environment[$0] ?? "")" },
            Labels: self.labels(provisionedAt: provisionedAt),
            Hostname: hostname.isEmpty ? nil : hostname,
            Domainname: domain.isEmpty ? nil : domain,
            ExposedPorts: exposed,
            HostConfig: DockerAPI.HostConfig(
                NetworkMode: self.engineNetworkMode,
                PortBindings: bindings,
                NanoCpus: Int64(self.resources.cpu) * 1_000_000,
                Memory: Int64(self.resources.memory) * 1_048_576,
                RestartPolicy: self.restartPolicy.api
            ),
            NetworkingConfig: self.networkMode == .tenant
                ? DockerAPI.NetworkingConfig(
                    EndpointsConfig: [self.engineNetworkMode: DockerAPI.EndpointSettings(Aliases: [self.spec.name])]
                ) : nil
        )
    }
}
