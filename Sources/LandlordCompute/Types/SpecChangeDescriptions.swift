/// Readable descriptions of what changed between two specs or parts of one: the change list of
/// every provider's update (``tenantChanges(from:to:order:)``,
/// `containers[web].image: nginx:1.21 -> nginx:1.25`).
///
/// Values that may be secret are never shown: environment variables, command lines and secrets
/// are only reported as changed.
package enum SpecChangeDescriptions {
    /// Whether the order of a spec's containers and secrets means something to a provider.
    package enum Order: Sendable {
        /// A reordering is a change: it is reported (`containers: order changed`,
        /// `secrets: order changed`) and removed containers are listed in their old order.
        case significant
        /// A reordering is no change (the docker provider, which rebuilds specs from its
        /// containers sorted by name): nothing is reported and removed containers are listed by name.
        case ignored
    }

    /// The change list of an update, the one every provider reports: what differs between `old`
    /// and `new`, as readable lines such as `containers[web].image: nginx:1.21 -> nginx:1.25`, in
    /// this order:
    ///
    /// 1. `provider_type: a -> b`;
    /// 2. containers by name: the changes of each container of `new` (``containerChanges(from:to:)``)
    ///    or `containers[NAME]: added`, in the new order; then `containers[NAME]: removed`; then,
    ///    when the order is ``Order/significant`` and nothing else about containers changed,
    ///    `containers: order changed`;
    /// 3. `resources.cpu|memory|storage: a -> b`;
    /// 4. `networking.public_ip`, `.security_groups`, `.subnets: a -> b`, `networking.dns: added|removed`
    ///    (an empty `dns` counts as none) or `networking.dns.hostname|domain: a -> b`;
    /// 5. `secrets[NAME]: changed|added|removed` (content never shown), `secrets: order changed`
    ///    (significant order only);
    /// 6. `labels[KEY]: a -> b`, `labels[KEY]: added (v)`, `labels[KEY]: removed`, by key;
    /// 7. `provider_config: changed|added|removed` (an empty document counts as none);
    /// 8. `spec: changed` when the specs differ (up to an ignored order) and no line above says how,
    ///    such as an empty provider_config versus none.
    ///
    /// Empty when the specs are equal (up to an ignored order).
    package static func tenantChanges(
        from old: TenantComputeSpec, to new: TenantComputeSpec, order: Order = .significant
    ) -> [String] {
        var changes: [String] = []
        if old.providerType != new.providerType {
            changes.append("provider_type: \(old.providerType) -> \(new.providerType)")
        }

        // Containers, by name: changed and added ones in the new order, then removed ones.
        let containerCountBefore = changes.count
        let oldContainers = Dictionary(old.containers.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let newNames = Set(new.containers.map(\.name))
        for container in new.containers {
            if let previous = oldContainers[container.name] {
                changes += Self.containerChanges(from: previous, to: container)
            } else {
                changes.append("containers[\(container.name)]: added")
            }
        }
        let removed = old.containers.filter { !newNames.contains($0.name) }
        for container in order == .significant ? removed : removed.sorted(by: { $0.name < $1.name }) {
            changes.append("containers[\(container.name)]: removed")
        }
        if order == .significant && changes.count == containerCountBefore && old.containers != new.containers {
            changes.append("containers: order changed")
        }

        changes += Self.resourceChanges(from: old.resources, to: new.resources, path: "resources")
        changes += Self.networkChanges(from: old.networking, to: new.networking)

        // Secrets, by name; their content is never shown.
        let secretCountBefore = changes.count
        let oldSecrets = Dictionary(old.secrets.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let newSecretNames = Set(new.secrets.map(\.name))
        for secret in new.secrets {
            if let previous = oldSecrets[secret.name] {
                if previous != secret { changes.append("secrets[\(secret.name)]: changed") }
            } else {
                changes.append("secrets[\(secret.name)]: added")
            }
        }
        for secret in old.secrets where !newSecretNames.contains(secret.name) {
            changes.append("secrets[\(secret.name)]: removed")
        }
        if order == .significant && changes.count == secretCountBefore && old.secrets != new.secrets {
            changes.append("secrets: order changed")
        }

        for key in Set(old.labels.keys).union(new.labels.keys).sorted() {
            switch (old.labels[key], new.labels[key]) {
            case (let before?, let after?) where before != after:
                changes.append("labels[\(key)]: \(before) -> \(after)")
            case (nil, let after?):
                changes.append("labels[\(key)]: added (\(after))")
            case (_?, nil):
                changes.append("labels[\(key)]: removed")
            default:
                break
            }
        }

        switch (Self.nonEmpty(old.providerConfig), Self.nonEmpty(new.providerConfig)) {
        case (let before?, let after?) where before != after: changes.append("provider_config: changed")
        case (nil, _?): changes.append("provider_config: added")
        case (_?, nil): changes.append("provider_config: removed")
        default: break
        }

        // Differences no rule above names (e.g. an empty provider_config versus none).
        if changes.isEmpty && Self.normalized(old, order) != Self.normalized(new, order) {
            changes.append("spec: changed")
        }
        return changes
    }

    /// The spec as `order` compares it: with containers and secrets sorted by name when it is ignored.
    private static func normalized(_ spec: TenantComputeSpec, _ order: Order) -> TenantComputeSpec {
        guard order == .ignored else { return spec }
        var spec = spec
        spec.containers.sort { $0.name < $1.name }
        spec.secrets.sort { $0.name < $1.name }
        return spec
    }

    private static func nonEmpty(_ config: RawJSON?) -> RawJSON? {
        guard let config, !config.isEmpty else { return nil }
        return config
    }

    /// The networking changes; a `dns` with neither hostname nor domain counts as none.
    private static func networkChanges(from old: NetworkConfig, to new: NetworkConfig) -> [String] {
        var changes: [String] = []
        if old.publicIP != new.publicIP {
            changes.append("networking.public_ip: \(old.publicIP) -> \(new.publicIP)")
        }
        if old.securityGroups != new.securityGroups {
            changes.append(
                "networking.security_groups: \(Self.describe(old.securityGroups)) -> \(Self.describe(new.securityGroups))"
            )
        }
        if old.subnets != new.subnets {
            changes.append("networking.subnets: \(Self.describe(old.subnets)) -> \(Self.describe(new.subnets))")
        }
        let noDNS = DNSConfig()
        switch (old.dns.flatMap { $0 == noDNS ? nil : $0 }, new.dns.flatMap { $0 == noDNS ? nil : $0 }) {
        case (let before?, let after?):
            if before.hostname != after.hostname {
                changes.append("networking.dns.hostname: \(Self.orNone(before.hostname)) -> \(Self.orNone(after.hostname))")
            }
            if before.domain != after.domain {
                changes.append("networking.dns.domain: \(Self.orNone(before.domain)) -> \(Self.orNone(after.domain))")
            }
        case (nil, _?):
            changes.append("networking.dns: added")
        case (_?, nil):
            changes.append("networking.dns: removed")
        case (nil, nil):
            break
        }
        return changes
    }

    /// The changes of one container, present in both specs, with paths `containers[NAME].…`.
    package static func containerChanges(from old: ContainerSpec, to new: ContainerSpec) -> [String] {
        let path = "containers[\(new.name)]"
        var changes: [String] = []
        if old.image != new.image {
            changes.append("\(path).image: \(old.image) -> \(new.image)")
        }
        if old.command != new.command {
            changes.append("\(path).command: changed")
        }
        if old.args != new.args {
            changes.append("\(path).args: changed")
        }
        for key in Set(old.env.keys).union(new.env.keys).sorted() {
            switch (old.env[key], new.env[key]) {
            case (let before?, let after?) where before != after: changes.append("\(path).env[\(key)]: changed")
            case (nil, _?): changes.append("\(path).env[\(key)]: added")
            case (_?, nil): changes.append("\(path).env[\(key)]: removed")
            default: break
            }
        }
        if old.ports != new.ports {
            changes.append("\(path).ports: \(Self.describe(old.ports)) -> \(Self.describe(new.ports))")
        }
        switch (old.healthCheck, new.healthCheck) {
        case (let before?, let after?) where before != after:
            changes += Self.healthCheckChanges(from: before, to: after, path: "\(path).health_check")
        case (nil, let after?):
            changes.append("\(path).health_check: added (\(after.type))")
        case (_?, nil):
            changes.append("\(path).health_check: removed")
        default:
            break
        }
        switch (old.resources, new.resources) {
        case (let before?, let after?):
            changes += Self.resourceChanges(from: before, to: after, path: "\(path).resources")
        case (nil, let after?):
            changes.append("\(path).resources: added (cpu \(after.cpu), memory \(after.memory))")
        case (_?, nil):
            changes.append("\(path).resources: removed")
        case (nil, nil):
            break
        }
        return changes
    }

    /// The changes of a health check present in both specs, under `path`.
    package static func healthCheckChanges(from old: HealthCheckConfig, to new: HealthCheckConfig, path: String)
        -> [String]
    {
        var changes: [String] = []
        func compare<Value: Equatable>(_ name: String, _ before: Value, _ after: Value) {
            if before != after { changes.append("\(path).\(name): \(before) -> \(after)") }
        }
        compare("type", old.type, new.type)
        compare("http_path", Self.orNone(old.httpPath), Self.orNone(new.httpPath))
        compare("port", old.port, new.port)
        if old.command != new.command { changes.append("\(path).command: changed") }
        compare("interval_seconds", old.intervalSeconds, new.intervalSeconds)
        compare("timeout_seconds", old.timeoutSeconds, new.timeoutSeconds)
        compare("healthy_threshold", old.healthyThreshold, new.healthyThreshold)
        compare("unhealthy_threshold", old.unhealthyThreshold, new.unhealthyThreshold)
        return changes
    }

    /// The cpu, memory and storage changes, under `path` (`resources` or `containers[NAME].resources`).
    package static func resourceChanges(from old: ResourceRequirements, to new: ResourceRequirements, path: String)
        -> [String]
    {
        var changes: [String] = []
        if old.cpu != new.cpu { changes.append("\(path).cpu: \(old.cpu) -> \(new.cpu)") }
        if old.memory != new.memory { changes.append("\(path).memory: \(old.memory) -> \(new.memory)") }
        if old.storage != new.storage { changes.append("\(path).storage: \(old.storage) -> \(new.storage)") }
        return changes
    }

    /// `[8080:80/tcp http, 53/udp]`
    package static func describe(_ ports: [PortMapping]) -> String {
        Self.describe(
            ports.map { port in
                var text = port.hostPort != 0 ? "\(port.hostPort):" : ""
                text += "\(port.containerPort)/\(port.protocol)"
                if !port.name.isEmpty { text += " \(port.name)" }
                return text
            }
        )
    }

    /// `[a, b]`
    package static func describe(_ values: [String]) -> String {
        "[" + values.joined(separator: ", ") + "]"
    }

    /// The value, or `(none)` when it is empty.
    package static func orNone(_ value: String) -> String {
        value.isEmpty ? "(none)" : value
    }
}
