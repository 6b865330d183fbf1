/// How the provider names and labels what it creates on the engine.
///
/// | object | name | labels |
/// |---|---|---|
/// | tenant network | `landlord-<tenant_id>` | `landlord.tenant_id`, `landlord.provider=docker` |
/// | container | `landlord-<tenant_id>-<container>` | the above, `landlord.container`, `landlord.spec-hash`, `landlord.spec`, `landlord.tenant-spec`, `landlord.provisioned-at` |
///
/// The provider finds a tenant's objects by their labels, never by name: names are for people
/// (`docker ps`), and two tenants can map to the same container name (`a` + `b-c` and `a-b` + `c`);
/// such a clash fails the second provision with a clear message instead of touching the first
/// tenant's container.
package enum DockerNaming {
    /// The prefix of every name.
    package static let prefix = "landlord"
    /// The suffix of a container kept aside while its replacement starts (update).
    package static let previousSuffix = ".previous"

    /// `landlord-<tenant_id>`.
    package static func networkName(tenantID: String) -> String {
        "\(Self.prefix)-\(tenantID)"
    }

    /// `landlord-<tenant_id>-<container>`.
    package static func containerName(tenantID: String, container: String) -> String {
        "\(Self.prefix)-\(tenantID)-\(container)"
    }

    /// The name of a container kept aside during an update: `landlord-<tenant_id>-<container>.previous`.
    package static func previousName(of engineName: String) -> String {
        engineName + Self.previousSuffix
    }
}

/// The labels the provider puts on engine objects.
package enum DockerLabels {
    /// The tenant id (containers and networks).
    package static let tenantID = "landlord.tenant_id"
    /// Always `docker` (containers and networks).
    package static let provider = "landlord.provider"
    /// The container's name in the spec.
    package static let container = "landlord.container"
    /// The FNV-1a 64 hash of the container's stored spec and its tenant's (see ``SpecHash``).
    package static let specHash = "landlord.spec-hash"
    /// The container's spec as canonical JSON, environment values replaced by fingerprints.
    package static let spec = "landlord.spec"
    /// The tenant-wide part of the spec (resources, networking, secret references, labels,
    /// provider_config) as canonical JSON, secret keys replaced by fingerprints.
    package static let tenantSpec = "landlord.tenant-spec"
    /// When the tenant was first provisioned, in milliseconds since 1970 (kept across updates).
    package static let provisionedAt = "landlord.provisioned-at"

    /// The value of ``provider``.
    package static let providerValue = "docker"

    /// The label filters that select a tenant's objects.
    package static func filters(tenantID: String) -> [String] {
        ["\(Self.tenantID)=\(tenantID)", "\(Self.provider)=\(Self.providerValue)"]
    }
}
