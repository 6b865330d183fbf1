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

/// The compute service behind a router, called the way the transport calls it.
struct Harness {
    let router: RPCRouter
    let manager: ComputeManager
    let hub: StatusWatchHub
    let spy = SpyProvider()

    init() throws {
        let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        let registry = ProviderRegistry(logger: logger)
        try registry.register(MockProvider(logger: logger))
        try registry.register(MockProvider(name: "other", logger: logger))
        try registry.register(spy)
        let manager = ComputeManager(registry: registry, defaultProvider: "mock", logger: logger)
        let hub = StatusWatchHub(logger: logger) { try await manager.tenantStatus(tenantID: $0, providerType: $1) }
        var router = RPCRouter()
        router.register([ComputeService(manager: manager, watchHub: hub)])
        self.router = router
        self.manager = manager
        self.hub = hub
    }

    /// One unary call: the decoded response, or the status it ended with.
    func call<Response: ProtobufMessage>(
        _ method: String,
        _ request: some ProtobufMessage,
        as: Response.Type
    ) async throws -> Result<Response, RPCOutcome> {
        let handler = try #require(router.handler(forPath: "/landlord.compute.v1.ComputeService/\(method)"))
        let response = Mutex<[UInt8]?>(nil)
        let outcome = await RPCExecutor.execute(
            handler,
            requests: RPCRequestStream([request.serializedBytes()]),
            responses: RPCWriter { bytes in response.withLock { $0 = bytes } },
            context: ServerContext(descriptor: handler.descriptor)
        )
        guard outcome.status.code == .ok else { return .failure(outcome) }
        return .success(try Response(serializedBytes: try #require(response.withLock { $0 })))
    }

    func failure<Response: ProtobufMessage>(
        _ method: String,
        _ request: some ProtobufMessage,
        as type: Response.Type
    ) async throws -> RPCOutcome {
        switch try await call(method, request, as: type) {
        case .success(let response):
            Issue.record("expected \(method) to fail, got \(response)")
            return RPCOutcome(status: .ok)
        case .failure(let outcome):
            return outcome
        }
    }
}

extension RPCOutcome: Error {}

@Suite("ComputeService")
struct ComputeServiceTests {
    let harness: Harness
    init() throws { harness = try Harness() }

    private func spec(_ id: String = "acme", labels: [String: String] = [:], provider: String = "mock") -> TenantComputeSpec {
        TenantComputeSpec.valid(tenantID: id, providerType: provider, labels: labels)
    }

    @Test("the tenant lifecycle maps onto the manager: provision, status, update, destroy")
    func lifecycle() async throws {
        let provisioned = try await harness.call("ProvisionTenant", ProvisionTenantRequest(spec: spec()), as: ProvisionTenantResponse.self).get()
        #expect(provisioned.result.status == .success)
        #expect(!provisioned.result.resourceIDs.isEmpty)

        let status = try await harness.call("GetTenantStatus", GetTenantStatusRequest(tenantID: "acme"), as: GetTenantStatusResponse.self).get()
        #expect(status.status.state == .running)

        let same = try await harness.call("UpdateTenant", UpdateTenantRequest(tenantID: "acme", spec: spec()), as: UpdateTenantResponse.self).get()
        #expect(same.result.status == .noChanges)
        #expect(same.result.changes.isEmpty)

        let stopped = spec(labels: [MockProvider.Labels.state: "stopped"])
        let updated = try await harness.call("UpdateTenant", UpdateTenantRequest(tenantID: "acme", spec: stopped), as: UpdateTenantResponse.self).get()
        #expect(updated.result.status == .success)

        _ = try await harness.call("DestroyTenant", DestroyTenantRequest(tenantID: "acme", providerType: "mock"), as: DestroyTenantResponse.self).get()
        let gone = try await harness.failure("GetTenantStatus", GetTenantStatusRequest(tenantID: "acme"), as: GetTenantStatusResponse.self)
        #expect(gone.status.code == .notFound)
    }

    @Test("an invalid spec is INVALID_ARGUMENT listing every violation, also as a BadRequest detail")
    func invalidSpec() async throws {
        var bad = spec("Bad_ID")
        bad.resources.cpu = 1
        let outcome = try await harness.failure("ProvisionTenant", ProvisionTenantRequest(spec: bad), as: ProvisionTenantResponse.self)
        #expect(outcome.status.code == .invalidArgument)
        #expect(outcome.status.message.contains("tenant_id"))
        #expect(outcome.status.message.contains("resources.cpu"))
        let details = try #require(outcome.trailers.firstBinary(for: "grpc-status-details-bin"))
        let badRequest = try BadRequest(statusDetailsBin: details)
        #expect(Set(badRequest.fieldViolations.map(\.field)) == ["tenant_id", "resources.cpu"])
    }

    @Test("a missing spec is INVALID_ARGUMENT, not a crash")
    func missingSpec() async throws {
        let outcome = try await harness.failure("ProvisionTenant", ProvisionTenantRequest(spec: nil), as: ProvisionTenantResponse.self)
        #expect(outcome.status.code == .invalidArgument)
    }

    @Test("an unregistered provider is INVALID_ARGUMENT naming the known providers, on every RPC naming one")
    func unknownProvider() async throws {
        let provision = try await harness.failure("ProvisionTenant", ProvisionTenantRequest(spec: spec(provider: "ecs")), as: ProvisionTenantResponse.self)
        #expect(provision.status.code == .invalidArgument)
        #expect(provision.status.message.contains("mock"))
        #expect(provision.status.message.contains("other"))
        #expect(provision.status.message.contains("spy"))
        let status = try await harness.failure("GetTenantStatus", GetTenantStatusRequest(tenantID: "acme", providerType: "ecs"), as: GetTenantStatusResponse.self)
        #expect(status.status.code == .invalidArgument)
        let destroy = try await harness.failure("DestroyTenant", DestroyTenantRequest(tenantID: "acme", providerType: "ecs"), as: DestroyTenantResponse.self)
        #expect(destroy.status.code == .invalidArgument)
    }

    @Test("an update whose tenant_id differs from the spec's is INVALID_ARGUMENT even for an unknown tenant")
    func mismatch() async throws {
        let outcome = try await harness.failure("UpdateTenant", UpdateTenantRequest(tenantID: "ghost", spec: spec()), as: UpdateTenantResponse.self)
        #expect(outcome.status.code == .invalidArgument)
    }

    @Test("status and update of an unknown tenant are NOT_FOUND; destroy of one is OK")
    func unknownTenant() async throws {
        let update = try await harness.failure("UpdateTenant", UpdateTenantRequest(tenantID: "acme", spec: spec()), as: UpdateTenantResponse.self)
        #expect(update.status.code == .notFound)
        _ = try await harness.call("DestroyTenant", DestroyTenantRequest(tenantID: "acme"), as: DestroyTenantResponse.self).get()
    }

    @Test("provisioning an existing tenant: the same spec is OK, another is ALREADY_EXISTS")
    func alreadyExists() async throws {
        _ = try await harness.call("ProvisionTenant", ProvisionTenantRequest(spec: spec()), as: ProvisionTenantResponse.self).get()
        _ = try await harness.call("ProvisionTenant", ProvisionTenantRequest(spec: spec()), as: ProvisionTenantResponse.self).get()
        let other = spec(labels: ["team": "b"])
        let outcome = try await harness.failure("ProvisionTenant", ProvisionTenantRequest(spec: other), as: ProvisionTenantResponse.self)
        #expect(outcome.status.code == .alreadyExists)
    }

    @Test("a provider failure is INTERNAL with the provider's message", arguments: ["provision", "status"])
    func providerFailure(operation: String) async throws {
        let failing = spec(labels: [MockProvider.Labels.fail: operation])
        if operation == "provision" {
            let outcome = try await harness.failure("ProvisionTenant", ProvisionTenantRequest(spec: failing), as: ProvisionTenantResponse.self)
            #expect(outcome.status.code == .internal)
            #expect(!outcome.status.message.isEmpty)
        } else {
            _ = try await harness.call("ProvisionTenant", ProvisionTenantRequest(spec: failing), as: ProvisionTenantResponse.self).get()
            let outcome = try await harness.failure("GetTenantStatus", GetTenantStatusRequest(tenantID: "acme"), as: GetTenantStatusResponse.self)
            #expect(outcome.status.code == .internal)
        }
    }

    @Test("a provider error that is not a ComputeError is INTERNAL too, with its description")
    func foreignProviderError() async throws {
        struct EngineUnreachable: Error, CustomStringConvertible {
            var description: String { "engine at unix:///run/engine.sock unreachable" }
        }
        harness.spy.fail(.status, with: EngineUnreachable())
        let outcome = try await harness.failure(
            "GetTenantStatus",
            GetTenantStatusRequest(tenantID: "acme", providerType: "spy"),
            as: GetTenantStatusResponse.self
        )
        #expect(outcome.status.code == .internal)
        #expect(outcome.status.message.contains("engine at unix:///run/engine.sock unreachable"))
    }

    @Test("a draining server ends open watches with UNAVAILABLE, and refuses new ones")
    func watchesEndOnShutdown() async throws {
        _ = try await harness.call("ProvisionTenant", ProvisionTenantRequest(spec: spec()), as: ProvisionTenantResponse.self).get()
        let handler = try #require(harness.router.handler(forPath: "/landlord.compute.v1.ComputeService/WatchTenantStatus"))
        let received = Mutex(0)
        let request = WatchTenantStatusRequest(tenantID: "acme").serializedBytes()
        let watch = Task {
            await RPCExecutor.execute(
                handler,
                requests: RPCRequestStream([request]),
                responses: RPCWriter { _ in received.withLock { $0 += 1 } },
                context: ServerContext(descriptor: handler.descriptor)
            )
        }
        try await waitUntil { received.withLock { $0 } == 1 }
        await harness.hub.shutDown()
        #expect(await watch.value.status.code == .unavailable)
        let late = await RPCExecutor.execute(
            handler,
            requests: RPCRequestStream([request]),
            responses: RPCWriter { _ in },
            context: ServerContext(descriptor: handler.descriptor)
        )
        #expect(late.status.code == .unavailable)
    }

    @Test("ValidateTenantSpec answers OK with valid and every violation")
    func validate() async throws {
        let good = try await harness.call("ValidateTenantSpec", ValidateTenantSpecRequest(spec: spec()), as: ValidateTenantSpecResponse.self).get()
        #expect(good.valid)
        #expect(good.violations.isEmpty)
        var bad = spec(provider: "ecs")
        bad.containers = []
        let answer = try await harness.call("ValidateTenantSpec", ValidateTenantSpecRequest(spec: bad), as: ValidateTenantSpecResponse.self).get()
        #expect(!answer.valid)
        #expect(Set(answer.violations.map(\.field)) == ["containers", "provider_type"])
    }

    @Test("ListProviders is sorted and names the default")
    func listProviders() async throws {
        let answer = try await harness.call("ListProviders", ListProvidersRequest(), as: ListProvidersResponse.self).get()
        #expect(answer.providers == ["mock", "other", "spy"])
        #expect(answer.defaultProvider == "mock")
    }

    @Test("an unparsable request is INTERNAL")
    func unparsable() async throws {
        let handler = try #require(harness.router.handler(forPath: "/landlord.compute.v1.ComputeService/ProvisionTenant"))
        let outcome = await RPCExecutor.execute(
            handler,
            requests: RPCRequestStream([[0xFF, 0xFF, 0xFF]]),
            responses: RPCWriter { _ in },
            context: ServerContext(descriptor: handler.descriptor)
        )
        #expect(outcome.status.code == .internal)
    }

    @Test("WatchTenantStatus sends the status at once, each change, and ends NOT_FOUND when the tenant goes")
    func watch() async throws {
        _ = try await harness.call("ProvisionTenant", ProvisionTenantRequest(spec: spec()), as: ProvisionTenantResponse.self).get()
        let handler = try #require(harness.router.handler(forPath: "/landlord.compute.v1.ComputeService/WatchTenantStatus"))
        let received = Mutex<[ComputeState]>([])
        let watch = Task {
            await RPCExecutor.execute(
                handler,
                requests: RPCRequestStream([WatchTenantStatusRequest(tenantID: "acme", minIntervalMilliseconds: 100).serializedBytes()]),
                responses: RPCWriter { bytes in
                    let state = try WatchTenantStatusResponse(serializedBytes: bytes).status.state
                    received.withLock { $0.append(state) }
                },
                context: ServerContext(descriptor: handler.descriptor)
            )
        }
        try await waitUntil { received.withLock { $0 } == [.running] }
        let stopped = spec(labels: [MockProvider.Labels.state: "stopped"])
        _ = try await harness.call("UpdateTenant", UpdateTenantRequest(tenantID: "acme", spec: stopped), as: UpdateTenantResponse.self).get()
        try await waitUntil { received.withLock { $0 } == [.running, .stopped] }
        _ = try await harness.call("DestroyTenant", DestroyTenantRequest(tenantID: "acme"), as: DestroyTenantResponse.self).get()
        let outcome = await watch.value
        #expect(outcome.status.code == .notFound)
    }

    @Test("watching a tenant that does not exist ends NOT_FOUND at once")
    func watchUnknown() async throws {
        let handler = try #require(harness.router.handler(forPath: "/landlord.compute.v1.ComputeService/WatchTenantStatus"))
        let outcome = await RPCExecutor.execute(
            handler,
            requests: RPCRequestStream([WatchTenantStatusRequest(tenantID: "ghost").serializedBytes()]),
            responses: RPCWriter { _ in Issue.record("no message expected") },
            context: ServerContext(descriptor: handler.descriptor)
        )
        #expect(outcome.status.code == .notFound)
    }

    private func waitUntil(_ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while !condition() {
            guard ContinuousClock.now < deadline else {
                Issue.record("condition not met within 10 s")
                return
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}
