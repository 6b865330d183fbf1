internal import Foundation

/// The names the `nomad` provider gives what it creates for a tenant, and the meta keys it keeps.
package enum NomadNaming {
    /// Tenant jobs are `landlord-<tenant_id>`.
    package static let jobPrefix = "landlord-"
    /// The one task group of a tenant job.
    package static let groupName = "tenant"
    /// `Meta.landlord_tenant_id`: the tenant a job belongs to (binding, see providers-contract.md).
    package static let tenantIDMetaKey = "landlord_tenant_id"
    /// `Meta.landlord_managed_by = landlord`.
    package static let managedByMetaKey = "landlord_managed_by"
    /// `Meta.landlord_spec`: the stored spec (``LandlordProviderKit/StoredSpec``: no env values, no secret keys).
    package static let specMetaKey = "landlord_spec"
    /// `Meta.landlord_provisioned_at`: Unix seconds of the first provision.
    package static let provisionedAtMetaKey = "landlord_provisioned_at"
    /// The env file the secrets template renders (inside the task's `secrets/` directory).
    package static let secretsEnvFile = "secrets/landlord-secrets.env"
    /// The longest Nomad service name (RFC 1123 label).
    package static let maximumServiceNameLength = 63

    /// The job ID of tenant `tenantID`.
    package static func jobID(_ tenantID: String) -> String { Self.jobPrefix + tenantID }

    /// The Nomad Variable holding the tenant's secret values: under `nomad/jobs/<job ID>`, which
    /// the job's tasks may read with their workload identity and nobody else needs to.
    package static func variablePath(_ tenantID: String) -> String { "nomad/jobs/" + Self.jobID(tenantID) }

    /// The group network's label of a container port: `<container>_<port>` (`-` as `_`).
    package static func portLabel(container: String, port: Int) -> String {
        container.replacingOccurrences(of: "-", with: "_") + "_" + String(port)
    }

    /// The Nomad service of a container: `landlord-<tenant_id>-<container>`.
    package static func serviceName(tenantID: String, container: String) -> String {
        Self.jobPrefix + tenantID + "-" + container
    }
}
