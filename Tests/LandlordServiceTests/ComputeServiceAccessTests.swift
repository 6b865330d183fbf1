import InMemoryLogging
import LandlordCompute
import LandlordComputeAPI
import LandlordComputeTesting
import LandlordMockProvider
import LandlordProtobuf
import LandlordRPC
import Logging
import Synchronization
import Testing

@testable import LandlordService

/// The compute service behind a router guarded by an access policy, called as the transport calls it.
@Suite("ComputeService with an access policy")
struct ComputeServiceAccessTests {
    let logs = InMemoryLogHandler()
    let router: RPCRouter

    init() throws {
        let logs = self.logs
        let logger = Logger(label: "test", factory: { _ in logs })
        let registry = ProviderRegistry(logger: logger)
        try registry.register(MockProvider(logger: logger))
        let manager = ComputeManager(registry: registry, defaultProvider: "mock", logger: logger)
        let hub = StatusWatchHub(logger: logger) { try await manager.tenantStatus(tenantID: $0, providerType: $1) }
        let access = AccessController(
            policy: try AccessPolicy(json: policyJSON([
                ["name": "ops", "token_sha256": sha256Hex("ops-token"), "role": "admin"],
                ["name": "portal", "token_sha256": sha256Hex("portal-token"), "role": "operator", "tenants": ["acme-*", "globex"]],
            ])),
            logger: logger
        )
        var router = RPCRouter()
        router.guardAccess(with: access)
        router.register([ComputeService(manager: manager, watchHub: hub, access: access)])
        self.router = router
    }

    func call(_ method: String, _ request: some ProtobufMessage, token: String) async throws -> RPCOutcome {
        let handler = try #require(router.handler(forPath: "/landlord.compute.v1.ComputeService/\(method)"))
        var metadata = Metadata()
        metadata.add("authorization", "Bearer \(token)")
        return await RPCExecutor.execute(
            handler,
            requests: RPCRequestStream([request.serializedBytes()]),
            responses: RPCWriter { _ in },
            context: ServerContext(descriptor: handler.descriptor, requestMetadata: metadata)
        )
    }

    @Test("a caller acts on the tenants its patterns match, and is PERMISSION_DENIED on the others")
    func tenantPatterns() async throws {
        for (tenant, allowed) in [("acme-eu", true), ("globex", true), ("globex-2", false), ("initech", false)] {
            let spec = TenantComputeSpec.valid(tenantID: tenant, providerType: "mock")
            let outcome = try await call("ProvisionTenant", ProvisionTenantRequest(spec: spec), token: "portal-token")
            #expect(outcome.status.code == (allowed ? .ok : .permissionDenied), "\(tenant): \(outcome.status)")
            if !allowed {
                #expect(outcome.status.message == "caller \"portal\" may not act on tenant \"\(tenant)\" (its tenants: acme-*, globex)")
            }
            let status = try await call("GetTenantStatus", GetTenantStatusRequest(tenantID: tenant), token: "portal-token")
            #expect(status.status.code == (allowed ? .ok : .permissionDenied))
        }
    }

    @Test("audit lines name the caller; refusals are audited; no line holds a token")
    func auditLines() async throws {
        let spec = TenantComputeSpec.valid(tenantID: "acme-1", providerType: "mock")
        #expect(try await call("ProvisionTenant", ProvisionTenantRequest(spec: spec), token: "portal-token").status.code == .ok)
        #expect(try await call("DestroyTenant", DestroyTenantRequest(tenantID: "acme-1"), token: "portal-token").status.code == .permissionDenied)
        #expect(try await call("DestroyTenant", DestroyTenantRequest(tenantID: "acme-1"), token: "ops-token").status.code == .ok)
        let audits = logs.entries.filter { $0.metadata["audit"] == "true" }
        #expect(audits.map(\.message.description) == ["audit: provision tenant", "audit: access denied", "audit: destroy tenant"])
        #expect(audits.map { $0.metadata["caller"] } == ["portal", "portal", "ops"])
        for entry in logs.entries {
            let line = "\(entry.message) \(entry.metadata)"
            #expect(!line.contains("portal-token") && !line.contains("ops-token") && !line.contains(sha256Hex("ops-token")))
        }
    }
}
