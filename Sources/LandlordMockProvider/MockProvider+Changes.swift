package import LandlordCompute

// The readable change list of an update. Entries name the field (`containers[web].image`) and, for
// values that are safe to show, old and new value; environment values, command lines, secrets and
// provider configuration are only reported as changed.

extension MockProvider {
    /// What differs between `old` and `new`, as readable lines such as
    /// `containers[web].image: nginx:1.21 -> nginx:1.25`; empty when the specs are equal.
    package static func changes(from old: TenantComputeSpec, to new: TenantComputeSpec) -> [String] {
        guard old != new else { return [] }
        var changes: [String] = []

        if old.providerType != new.providerType {
            changes.append("provider_type: \(old.providerType) -> \(new.providerType)")
        }

        // Containers, by name: changed and added ones in the new order, then removed ones.
        let oldContainers = Dictionary(old.containers.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let newNames = Set(new.containers.map(\.name))
        for container in new.containers {
            if let previous = oldContainers[container.name] {
                changes += SpecChangeDescriptions.containerChanges(from: previous, to: container)
            } else {
                changes.append("containers[\(container.name)]: added")
            }
        }
        for container in old.containers where !newNames.contains(container.name) {
            changes.append("containers[\(container.name)]: removed")
        }
        if changes.isEmpty && old.containers != new.containers {
            changes.append("containers: order changed")
        }

        changes += SpecChangeDescriptions.resourceChanges(from: old.resources, to: new.resources, path: "resources")
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
        if changes.count == secretCountBefore && old.secrets != new.secrets {
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
        if changes.isEmpty {
            changes.append("spec: changed")
        }
        return changes
    }

    private static func nonEmpty(_ config: RawJSON?) -> RawJSON? {
        guard let config, !config.isEmpty else { return nil }
        return config
    }

    private static func networkChanges(from old: NetworkConfig, to new: NetworkConfig) -> [String] {
        var changes: [String] = []
        if old.publicIP != new.publicIP {
            changes.append("networking.public_ip: \(old.publicIP) -> \(new.publicIP)")
        }
        if old.securityGroups != new.securityGroups {
            changes.append(
                "networking.security_groups: \(SpecChangeDescriptions.describe(old.securityGroups)) -> \(SpecChangeDescriptions.describe(new.securityGroups))"
            )
        }
        if old.subnets != new.subnets {
            changes.append("networking.subnets: \(SpecChangeDescriptions.describe(old.subnets)) -> \(SpecChangeDescriptions.describe(new.subnets))")
        }
        switch (old.dns, new.dns) {
        case (let before?, let after?):
            if before.hostname != after.hostname {
                changes.append(
                    "networking.dns.hostname: \(SpecChangeDescriptions.orNone(before.hostname)) -> \(SpecChangeDescriptions.orNone(after.hostname))")
            }
            if before.domain != after.domain {
                changes.append("networking.dns.domain: \(SpecChangeDescriptions.orNone(before.domain)) -> \(SpecChangeDescriptions.orNone(after.domain))")
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

}
