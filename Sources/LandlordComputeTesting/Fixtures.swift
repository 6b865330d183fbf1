package import LandlordCompute

extension TenantComputeSpec {
    /// A spec that passes every framework rule: one `web` container (`nginx:1.25`, port 80/tcp
    /// named `http`, an http health check) with 256 millicores and 512 MB.
    ///
    /// - Parameters:
    ///   - tenantID: The tenant id.
    ///   - providerType: The provider the spec names.
    ///   - labels: Labels to set (e.g. the mock provider's test controls).
    package static func valid(
        tenantID: String = "acme",
        providerType: String = "mock",
        labels: [String: String] = [:]
    ) -> TenantComputeSpec {
        TenantComputeSpec(
            tenantID: tenantID,
            providerType: providerType,
            containers: [
                ContainerSpec(
                    name: "web",
                    image: "nginx:1.25",
                    ports: [PortMapping(containerPort: 80, protocol: "tcp", name: "http")],
                    healthCheck: .http(path: "/healthz", port: 80)
                )
            ],
            resources: ResourceRequirements(cpu: 256, memory: 512),
            labels: labels
        )
    }
}
