/// The names of `landlord.compute.v1.ComputeService` and its methods, as they appear in the
/// `:path` of a call (`/<serviceName>/<method>`).
package enum ComputeServiceDescriptor {
    /// The fully qualified service name.
    package static let serviceName = "landlord.compute.v1.ComputeService"

    /// `ProvisionTenant`: ``ProvisionTenantRequest`` -> ``ProvisionTenantResponse``.
    package static let provisionTenant = "ProvisionTenant"
    /// `UpdateTenant`: ``UpdateTenantRequest`` -> ``UpdateTenantResponse``.
    package static let updateTenant = "UpdateTenant"
    /// `DestroyTenant`: ``DestroyTenantRequest`` -> ``DestroyTenantResponse``.
    package static let destroyTenant = "DestroyTenant"
    /// `GetTenantStatus`: ``GetTenantStatusRequest`` -> ``GetTenantStatusResponse``.
    package static let getTenantStatus = "GetTenantStatus"
    /// `ValidateTenantSpec`: ``ValidateTenantSpecRequest`` -> ``ValidateTenantSpecResponse``.
    package static let validateTenantSpec = "ValidateTenantSpec"
    /// `ListProviders`: ``ListProvidersRequest`` -> ``ListProvidersResponse``.
    package static let listProviders = "ListProviders"
    /// `WatchTenantStatus` (server streaming): ``WatchTenantStatusRequest`` -> a stream of
    /// ``WatchTenantStatusResponse``.
    package static let watchTenantStatus = "WatchTenantStatus"

    /// Every method name, in the order of the proto file.
    package static let methodNames: [String] = [
        provisionTenant, updateTenant, destroyTenant, getTenantStatus, validateTenantSpec, listProviders,
        watchTenantStatus,
    ]
}
