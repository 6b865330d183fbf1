/// Readable descriptions of what changed between two parts of a spec, shared by the providers'
/// update change lists (`containers[web].image: nginx:1.21 -> nginx:1.25`).
///
/// Values that may be secret are never shown: environment variables, command lines and secrets
/// are only reported as changed.
package enum SpecChangeDescriptions {
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
