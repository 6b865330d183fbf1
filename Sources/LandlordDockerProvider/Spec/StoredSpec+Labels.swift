internal import LandlordCompute
internal import LandlordProviderKit

// The docker provider keeps a tenant's stored spec (``StoredSpec``) in its containers' labels: each
// container carries its own part (``DockerLabels/spec``), the tenant-wide part
// (``DockerLabels/tenantSpec``) and the hash of both (``DockerLabels/specHash``).
extension StoredSpec {
    /// The stored form of `spec` with its decoded provider_config.
    static func sanitized(_ spec: TenantComputeSpec, config: DockerSpecConfig) -> TenantComputeSpec {
        Self.sanitized(spec, providerConfig: config.isEmpty ? nil : config)
    }

    /// Rebuilds a stored spec from the labels of a tenant's containers: the tenant-wide part of the
    /// first container (by name) and every container's own part, sorted by name. `nil` when a
    /// label is missing or unreadable.
    static func reconstruct(tenantID: String, providerType: String, labels: [[String: String]]) -> TenantComputeSpec? {
        let sorted = labels.sorted { ($0[DockerLabels.container] ?? "") < ($1[DockerLabels.container] ?? "") }
        guard let tenantPart = sorted.first?[DockerLabels.tenantSpec] else { return nil }
        var containers: [String] = []
        for containerLabels in sorted {
            guard let json = containerLabels[DockerLabels.spec] else { return nil }
            containers.append(json)
        }
        return Self.reassemble(
            tenantID: tenantID, providerType: providerType, tenantPart: tenantPart, containers: containers)
    }
}
