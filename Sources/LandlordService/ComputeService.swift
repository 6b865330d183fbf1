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
    private let access: AccessController?

    /// - Parameters:
    ///   - manager: where every call goes.
    ///   - watchHub: the shared status polls behind WatchTenantStatus.
    ///   - access: the access control the router is guarded with, if any: a call whose caller
    ///     (``ServerContext/caller``) may not act on the request's tenant is refused with
    ///     `PERMISSION_DENIED` and audited there.
    package init(manager: ComputeManager, watchHub: StatusWatchHub, access: AccessController? = nil) {
        self.manager = manager
        self.watchHub = watchHub
        self.access = access
    }

    /// Refuses a call on `tenantID` whose caller (``ServerContext/caller``) may not act on it,
    /// with `PERMISSION_DENIED` (audited); without a caller (no access policy) does nothing.
    /// Synchronous and allocation-free on the way through.
    @inline(__always)
    private static func checkTenant(_ tenantID: String, _ context: ServerContext, access: AccessController?) throws(RPCError) {
        guard let caller = context.caller, let policyCaller = caller as? AccessPolicy.Caller else { return }
        guard !policyCaller.permits(tenant: tenantID) else { return }
        let patterns = policyCaller.tenants?.map(\.pattern).joined(separator: ", ") ?? ""
        let message = "caller \"\(policyCaller.name)\" may not act on tenant \"\(tenantID)\" (its tenants: \(patterns))"
        access?.deny(caller: policyCaller, method: context.descriptor, reason: message, tenantID: tenantID)
        throw RPCError(code: .permissionDenied, message: message)
    }

    /// The name audit lines give the call's caller.
    @inline(__always)
    private static func callerName(_ context: ServerContext) -> String {
        context.caller?.name ?? ComputeManager.anonymousCaller
    }

    private static func method(_ name: String) -> MethodDescriptor {
        MethodDescriptor(service: serviceName, method: name)
    }

    package func registerMethods(with router: inout RPCRouter) {
        let manager = self.manager
        let watchHub = self.watchHub
        let access = self.access

        router.registerUnary(
            Self.method(ComputeServiceDescriptor.provisionTenant),
            decode: { try ProvisionTenantRequest(serializedBytes: $0) },
            encode: { $0.serializedBytes() }
        ) { request, context in
            let spec = request.spec ?? TenantComputeSpec(tenantID: "")
            try Self.checkTenant(spec.tenantID, context, access: access)
            return try await mappingComputeErrors {
                ProvisionTenantResponse(result: try await manager.provisionTenant(spec, caller: Self.callerName(context)))
            }
        }

        router.registerUnary(
            Self.method(ComputeServiceDescriptor.updateTenant),
            decode: { try UpdateTenantRequest(serializedBytes: $0) },
            encode: { $0.serializedBytes() }
        ) { request, context in
            try Self.checkTenant(request.tenantID, context, access: access)
            return try await mappingComputeErrors {
                UpdateTenantResponse(
                    result: try await manager.updateTenant(
                        tenantID: request.tenantID, spec: request.spec ?? TenantComputeSpec(tenantID: ""),
                        caller: Self.callerName(context)
                    )
                )
            }
        }

        router.registerUnary(
            Self.method(ComputeServiceDescriptor.destroyTenant),
            decode: { try DestroyTenantRequest(serializedBytes: $0) },
            encode: { $0.serializedBytes() }
        ) { request, context in
            try Self.checkTenant(request.tenantID, context, access: access)
            return try await mappingComputeErrors {
                try await manager.destroyTenant(
                    tenantID: request.tenantID, providerType: request.providerType, caller: Self.callerName(context)
                )
                return DestroyTenantResponse()
            }
        }

        router.registerUnary(
            Self.method(ComputeServiceDescriptor.getTenantStatus),
            decode: { try GetTenantStatusRequest(serializedBytes: $0) },
            encode: { $0.serializedBytes() }
        ) { request, context in
            try Self.checkTenant(request.tenantID, context, access: access)
            return try await mappingComputeErrors {
                GetTenantStatusResponse(
                    status: try await manager.tenantStatus(tenantID: request.tenantID, providerType: request.providerType)
                )
            }
        }

        router.registerUnary(
            Self.method(ComputeServiceDescriptor.validateTenantSpec),
            decode: { try ValidateTenantSpecRequest(serializedBytes: $0) },
            encode: { $0.serializedBytes() }
        ) { request, context in
            let spec = request.spec ?? TenantComputeSpec(tenantID: "")
            try Self.checkTenant(spec.tenantID, context, access: access)
            return try await mappingComputeErrors {
                let violations = try await manager.validateTenantSpec(spec)
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
        ) { request, writer, context in
            try Self.checkTenant(request.tenantID, context, access: access)
            try await Self.watch(request, writer: writer, manager: manager, watchHub: watchHub)
        }
    }

    private static func watch(
        _ request: WatchTenantStatusRequest,
        writer: RPCWriter<WatchTenantStatusResponse>,
        manager: ComputeManager,
        watchHub: StatusWatchHub
    ) async throws {
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
