import LandlordComputeAPI

/// What a caller of the access policy may do: each role may call its own methods and those of
/// the roles below it (`viewer` < `operator` < `admin`).
package enum CallerRole: String, Sendable, CaseIterable, Comparable {
    /// GetTenantStatus, WatchTenantStatus, ValidateTenantSpec, ListProviders.
    case viewer
    /// The viewer's methods, ProvisionTenant, UpdateTenant.
    case `operator`
    /// The operator's methods, DestroyTenant (and every method of a service the policy does not name).
    case admin

    private var rank: Int {
        switch self {
        case .viewer: 0
        case .operator: 1
        case .admin: 2
        }
    }

    package static func < (lhs: CallerRole, rhs: CallerRole) -> Bool { lhs.rank < rhs.rank }

    /// Whether a caller with this role may call what `required` may.
    package func includes(_ required: CallerRole) -> Bool { self >= required }

    /// The least role that may call a method of `landlord.compute.v1.ComputeService`;
    /// `nil` for a method the service does not have.
    package static func required(forComputeMethod method: String) -> CallerRole? {
        switch method {
        case ComputeServiceDescriptor.getTenantStatus, ComputeServiceDescriptor.watchTenantStatus,
            ComputeServiceDescriptor.validateTenantSpec, ComputeServiceDescriptor.listProviders:
            .viewer
        case ComputeServiceDescriptor.provisionTenant, ComputeServiceDescriptor.updateTenant:
            .operator
        case ComputeServiceDescriptor.destroyTenant:
            .admin
        default:
            nil
        }
    }
}
