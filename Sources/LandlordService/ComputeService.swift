package import LandlordCompute
import LandlordComputeAPI
package import LandlordRPC

/// `landlord.compute.v1.ComputeService` on the wire: each RPC calls the
/// matching ``ComputeManager`` method, with nothing in between but message
/// conversion and error mapping (see `docs/api.md` for the error table).
package struct ComputeService: RPCService {
    /// The fully qualified service name.
    package static let serviceName = ComputeServiceDescriptor.serviceName

    private let manager: ComputeManager
    private let watchHub: StatusWatchHub

    /// - Parameters:
    ///   - manager: where every call goes.
    ///   - watchHub: the shared status polls behind WatchTenantStatus.
    package init(manager: ComputeManager, watchHub: StatusWatchHub) {
        self.manager = manager
        self.watchHub = watchHub
    }

    private static func method(_ name: String) -> MethodDescriptor {
        MethodDescriptor(service: serviceName, method: name)
    }

    package func registerMethods(with router: inout RPCRouter) {
        let manager = self.manager
        let watchHub = self.watchHub

        router.registerUnary(
            Self.method(ComputeServiceDescriptor.provisionTenant),
            decode: { try ProvisionTenantRequest(serializedBytes: $0) },
            encode: { $0.serializedBytes() }
        ) { request, _ in
            try await mappingComputeErrors {
                ProvisionTenantResponse(result: try await manager.provisionTenant(request.spec ?? TenantComputeSpec(tenantID: "")))
            }
        }

        router.registerUnary(
            Self.method(ComputeServiceDescriptor.updateTenant),
            decode: { try UpdateTenantRequest(serializedBytes: $0) },
            encode: { $0.serializedBytes() }
        ) { request, _ in
            try await mappingComputeErrors {
                UpdateTenantResponse(
                    result: try await manager.updateTenant(tenantID: request.tenantID, spec: request.spec ?? TenantComputeSpec(tenantID: ""))
                )
            }
        }

        router.registerUnary(
            Self.method(ComputeServiceDescriptor.destroyTenant),
            decode: { try DestroyTenantRequest(serializedBytes: $0) },
            encode: { $0.serializedBytes() }
        ) { request, _ in
            try await mappingComputeErrors {
                try await manager.destroyTenant(tenantID: request.tenantID, providerType: request.providerType)
                return DestroyTenantResponse()
            }
        }

        router.registerUnary(
            Self.method(ComputeServiceDescriptor.getTenantStatus),
            decode: { try GetTenantStatusRequest(serializedBytes: $0) },
            encode: { $0.serializedBytes() }
        ) { request, _ in
            try await mappingComputeErrors {
                GetTenantStatusResponse(
                    status: try await manager.tenantStatus(tenantID: request.tenantID, providerType: request.providerType)
                )
            }
        }

        router.registerUnary(
            Self.method(ComputeServiceDescriptor.validateTenantSpec),
            decode: { try ValidateTenantSpecRequest(serializedBytes: $0) },
            encode: { $0.serializedBytes() }
        ) { request, _ in
            try await mappingComputeErrors {
                let violations = try await manager.validateTenantSpec(request.spec ?? TenantComputeSpec(tenantID: ""))
                return ValidateTenantSpecResponse(valid: violations.isEmpty, violations: violations)
            }
        }

        router.registerUnary(
            Self.method(ComputeServiceDescriptor.listProviders),
            decode: { try ListProvidersRequest(serializedBytes: $0) },
            encode: { $0.serializedBytes() }
        ) { _, _ in
            ListProvidersResponse(providers: manager.providers, defaultProvider: manager.defaultProvider)
        }

        router.registerServerStreaming(
            Self.method(ComputeServiceDescriptor.watchTenantStatus),
            decode: { try WatchTenantStatusRequest(serializedBytes: $0) },
            encode: { $0.serializedBytes() }
        ) { request, writer, _ in
            let updates = await watchHub.watch(
                tenantID: request.tenantID,
                providerType: request.providerType.isEmpty ? manager.defaultProvider : request.providerType,
                interval: StatusWatchHub.interval(forRequestedMilliseconds: request.minIntervalMilliseconds)
            )
            try await mappingComputeErrors {
                for try await status in updates {
                    try await writer.write(WatchTenantStatusResponse(status: status))
                }
            }
        }
    }
}
