package import LandlordCompute

/// The readable change list of an update, computed from two stored specs (``StoredSpec``): the one
/// the containers' labels describe and the new one.
///
/// Lines name the field and, for values that are safe to show, the old and new value:
/// `containers[web].image: busybox:1 -> busybox:2`, `containers[db]: added`,
/// `resources.cpu: 256 -> 512`. Environment variables, command lines, secrets and provider_config
/// are only reported as changed (`containers[web].env[API_KEY]: changed`). Container order is not
/// significant to the docker provider and is not reported.
package enum SpecChanges {
    /// What differs between the stored specs `old` and `new`; empty when they are equal up to
    /// container order.
    package static func between(_ old: TenantComputeSpec, _ new: TenantComputeSpec) -> [String] {
        var changes: [String] = []
        let oldContainers = Dictionary(old.containers.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let newNames = Set(new.containers.map(\.name))
        for container in new.containers {
            if let previous = oldContainers[container.name] {
                changes += Self.containerChanges(from: previous, to: container)
            } else {
                changes.append("containers[\(container.name)]: added")
            }
        }
        for container in old.containers.sorted(by: { $0.name < $1.name }) where !newNames.contains(container.name) {
            changes.append("containers[\(container.name)]: removed")
        }

        changes += Self.resourceChanges(from: old.resources, to: new.resources, path: "resources")
        changes += Self.networkChanges(from: old.networking, to: new.networking)

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

        switch (old.providerConfig, new.providerConfig) {
        case (let before?, let after?) where before != after: changes.append("provider_config: changed")
        case (nil, _?): changes.append("provider_config: added")
        case (_?, nil): changes.append("provider_config: removed")
        default: break
        }
        return changes
    }

    private static func containerChanges(from old: ContainerSpec, to new: ContainerSpec) -> [String] {
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

    private static func healthCheckChanges(from old: HealthCheckConfig, to new: HealthCheckConfig, path: String)
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

    private static func resourceChanges(from old: ResourceRequirements, to new: ResourceRequirements, path: String)
        -> [String]
    {
        var changes: [String] = []
        if old.cpu != new.cpu { changes.append("\(path).cpu: \(old.cpu) -> \(new.cpu)") }
        if old.memory != new.memory { changes.append("\(path).memory: \(old.memory) -> \(new.memory)") }
        if old.storage != new.storage { changes.append("\(path).storage: \(old.storage) -> \(new.storage)") }
        return changes
    }

    private static func networkChanges(from old: NetworkConfig, to new: NetworkConfig) -> [String] {
        var changes: [String] = []
        if old.publicIP != new.publicIP {
            changes.append("networking.public_ip: \(old.publicIP) -> \(new.publicIP)")
        }
        let before = old.dns ?? DNSConfig()
        let after = new.dns ?? DNSConfig()
        if before.hostname != after.hostname {
            changes.append("networking.dns.hostname: \(Self.orNone(before.hostname)) -> \(Self.orNone(after.hostname))")
        }
        if before.domain != after.domain {
            changes.append("networking.dns.domain: \(Self.orNone(before.domain)) -> \(Self.orNone(after.domain))")
        }
        return changes
    }

    /// `[8080:80/tcp http, 53/udp]`
    private static func describe(_ ports: [PortMapping]) -> String {
        "["
            + ports.map { port in
                var text = port.hostPort != 0 ? "\(port.hostPort):" : ""
                text += "\(port.containerPort)/\(port.protocol)"
                if !port.name.isEmpty { text += " \(port.name)" }
                return text
            }.joined(separator: ", ") + "]"
    }

    private static func orNone(_ value: String) -> String {
        value.isEmpty ? "(none)" : value
    }
}
