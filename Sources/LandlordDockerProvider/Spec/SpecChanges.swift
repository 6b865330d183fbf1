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
                changes += SpecChangeDescriptions.containerChanges(from: previous, to: container)
            } else {
                changes.append("containers[\(container.name)]: added")
            }
        }
        for container in old.containers.sorted(by: { $0.name < $1.name }) where !newNames.contains(container.name) {
            changes.append("containers[\(container.name)]: removed")
        }

        changes += SpecChangeDescriptions.resourceChanges(from: old.resources, to: new.resources, path: "resources")
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

    private static func networkChanges(from old: NetworkConfig, to new: NetworkConfig) -> [String] {
        var changes: [String] = []
        if old.publicIP != new.publicIP {
            changes.append("networking.public_ip: \(old.publicIP) -> \(new.publicIP)")
        }
        let before = old.dns ?? DNSConfig()
        let after = new.dns ?? DNSConfig()
        if before.hostname != after.hostname {
            changes.append("networking.dns.hostname: \(SpecChangeDescriptions.orNone(before.hostname)) -> \(SpecChangeDescriptions.orNone(after.hostname))")
        }
        if before.domain != after.domain {
            changes.append("networking.dns.domain: \(SpecChangeDescriptions.orNone(before.domain)) -> \(SpecChangeDescriptions.orNone(after.domain))")
        }
        return changes
    }

}
