/// The names and tags of a tenant's ECS resources (the contract's binding names).
package enum ECSNaming {
    /// The prefix of task definition families and services.
    package static let prefix = "landlord-"
    /// The tag holding the tenant id.
    package static let tenantTag = "landlord.dev/tenant-id"
    /// The tag saying landlord manages the resource.
    package static let managedByTag = "landlord.dev/managed-by"
    /// The value of ``managedByTag``.
    package static let managedByValue = "landlord"
    /// The docker label (first container) holding the stored tenant-wide part of the spec.
    package static let tenantSpecLabel = "landlord.dev/tenant-spec"
    /// The docker label (every container) holding the container's stored part of the spec.
    package static let containerSpecLabel = "landlord.dev/container-spec"

    /// `landlord-<tenant_id>`: the task definition family of the tenant.
    package static func family(_ tenantID: String) -> String { Self.prefix + tenantID }
    /// `landlord-<tenant_id>`: the service of the tenant.
    package static func service(_ tenantID: String) -> String { Self.prefix + tenantID }

    /// The family of `arn:aws:ecs:region:account:task-definition/<family>:<revision>`.
    package static func family(ofTaskDefinitionARN arn: String) -> String? {
        guard let slash = arn.lastIndex(of: "/"), let colon = arn.lastIndex(of: ":"), slash < colon else {
            return nil
        }
        return String(arn[arn.index(after: slash)..<colon])
    }

    /// The revision of a task definition ARN.
    package static func revision(ofTaskDefinitionARN arn: String) -> Int? {
        guard let colon = arn.lastIndex(of: ":") else { return nil }
        return Int(arn[arn.index(after: colon)...])
    }
}
