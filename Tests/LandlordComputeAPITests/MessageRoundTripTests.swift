import Foundation
import LandlordCompute
import LandlordComputeAPI
import LandlordProtobuf
import Testing

@Suite("ComputeService messages: round trips with every field set")
struct MessageRoundTripTests {
    @Test("ProvisionTenantRequest")
    func provisionTenantRequest() throws {
        let request = ProvisionTenantRequest(spec: Fixtures.fullSpec)
        let decoded = try roundTrip(request)
        #expect(decoded == request)
        #expect(decoded.spec?.providerConfig?.bytes == Fixtures.fullSpec.providerConfig?.bytes)
    }

    @Test("ProvisionTenantResponse", arguments: ProvisionStatus.allCases)
    func provisionTenantResponse(status: ProvisionStatus) throws {
        var result = Fixtures.fullProvisionResult
        result.status = status
        let response = ProvisionTenantResponse(result: result)
        #expect(try roundTrip(response) == response)
    }

    @Test("UpdateTenantRequest")
    func updateTenantRequest() throws {
        let request = UpdateTenantRequest(tenantID: "acme-prod", spec: Fixtures.fullSpec)
        #expect(try roundTrip(request) == request)
        // The request's tenant id travels on its own, even when it differs from the spec's.
        let mismatch = UpdateTenantRequest(tenantID: "other", spec: Fixtures.fullSpec)
        #expect(try roundTrip(mismatch).tenantID == "other")
    }

    @Test("UpdateTenantResponse", arguments: UpdateStatus.allCases)
    func updateTenantResponse(status: UpdateStatus) throws {
        var result = Fixtures.fullUpdateResult
        result.status = status
        let response = UpdateTenantResponse(result: result)
        #expect(try roundTrip(response) == response)
    }

    @Test("DestroyTenantRequest and DestroyTenantResponse")
    func destroyTenant() throws {
        let request = DestroyTenantRequest(tenantID: "acme-prod", providerType: "mock")
        #expect(try roundTrip(request) == request)
        #expect(DestroyTenantResponse().serializedBytes() == [])
        #expect(try roundTrip(DestroyTenantResponse()) == DestroyTenantResponse())
    }

    @Test("GetTenantStatusRequest")
    func getTenantStatusRequest() throws {
        let request = GetTenantStatusRequest(tenantID: "acme-prod", providerType: "mock")
        #expect(try roundTrip(request) == request)
    }

    @Test(
        "GetTenantStatusResponse, every state and health",
        arguments: ComputeState.allCases,
        HealthStatus.allCases
    )
    func getTenantStatusResponse(state: ComputeState, health: HealthStatus) throws {
        var status = Fixtures.fullStatus
        status.state = state
        status.health = health
        let response = GetTenantStatusResponse(status: status)
        #expect(try roundTrip(response) == response)
    }

    @Test("ValidateTenantSpecRequest")
    func validateTenantSpecRequest() throws {
        let request = ValidateTenantSpecRequest(spec: Fixtures.fullSpec)
        #expect(try roundTrip(request) == request)
    }

    @Test("ValidateTenantSpecResponse")
    func validateTenantSpecResponse() throws {
        let invalid = ValidateTenantSpecResponse(
            valid: false,
            violations: [
                FieldViolation(field: "tenant_id", description: "must match ^[a-z0-9-]+$"),
                FieldViolation(field: "containers[1].ports[0].container_port", description: "must be 1-65535"),
                FieldViolation(field: "containers[1].ports[0].container_port", description: "duplicate, order kept"),
            ]
        )
        #expect(try roundTrip(invalid) == invalid)
        let valid = ValidateTenantSpecResponse(valid: true)
        #expect(try roundTrip(valid) == valid)
        #expect(valid.serializedBytes() == [0x08, 0x01])
    }

    @Test("ListProvidersRequest and ListProvidersResponse")
    func listProviders() throws {
        #expect(ListProvidersRequest().serializedBytes() == [])
        #expect(try roundTrip(ListProvidersRequest()) == ListProvidersRequest())
        let response = ListProvidersResponse(providers: ["ecs", "kubernetes", "mock"], defaultProvider: "mock")
        #expect(try roundTrip(response) == response)
        // The order is the sender's.
        let unsorted = ListProvidersResponse(providers: ["mock", "ecs"], defaultProvider: "ecs")
        #expect(try roundTrip(unsorted).providers == ["mock", "ecs"])
    }

    @Test("WatchTenantStatusRequest", arguments: [0, 1, 100, 1000, UInt32(Int32.max) + 1, UInt32.max] as [UInt32])
    func watchTenantStatusRequest(interval: UInt32) throws {
        let request = WatchTenantStatusRequest(
            tenantID: "acme-prod", providerType: "mock", minIntervalMilliseconds: interval)
        #expect(try roundTrip(request) == request)
    }

    @Test("WatchTenantStatusResponse")
    func watchTenantStatusResponse() throws {
        let response = WatchTenantStatusResponse(status: Fixtures.fullStatus)
        #expect(try roundTrip(response) == response)
        // Same message shape as GetTenantStatusResponse: field 1 holds the ComputeStatus.
        #expect(response.serializedBytes() == GetTenantStatusResponse(status: Fixtures.fullStatus).serializedBytes())
    }

    @Test("empty requests are all defaults, and encode to no bytes")
    func emptyRequests() throws {
        #expect(ProvisionTenantRequest().serializedBytes() == [])
        #expect(UpdateTenantRequest().serializedBytes() == [])
        #expect(DestroyTenantRequest().serializedBytes() == [])
        #expect(GetTenantStatusRequest().serializedBytes() == [])
        #expect(ValidateTenantSpecRequest().serializedBytes() == [])
        #expect(WatchTenantStatusRequest().serializedBytes() == [])
        #expect(ValidateTenantSpecResponse().serializedBytes() == [])
        #expect(ListProvidersResponse().serializedBytes() == [])

        #expect(try ProvisionTenantRequest(serializedBytes: []) == ProvisionTenantRequest())
        #expect(try UpdateTenantRequest(serializedBytes: []) == UpdateTenantRequest())
        #expect(try DestroyTenantRequest(serializedBytes: []) == DestroyTenantRequest())
        #expect(try GetTenantStatusRequest(serializedBytes: []) == GetTenantStatusRequest())
        #expect(try ValidateTenantSpecRequest(serializedBytes: []) == ValidateTenantSpecRequest())
        #expect(try WatchTenantStatusRequest(serializedBytes: []) == WatchTenantStatusRequest())
        #expect(try ValidateTenantSpecResponse(serializedBytes: []) == ValidateTenantSpecResponse())
        #expect(try ListProvidersResponse(serializedBytes: []) == ListProvidersResponse())
    }

    @Test("absent results and statuses read as zero values")
    func absentResults() throws {
        let epoch = Date(timeIntervalSince1970: 0)
        #expect(
            try ProvisionTenantResponse(serializedBytes: []).result
                == ProvisionResult(tenantID: "", providerType: "", status: .inProgress, provisionedAt: epoch)
        )
        #expect(
            try UpdateTenantResponse(serializedBytes: []).result
                == UpdateResult(tenantID: "", providerType: "", status: .inProgress, updatedAt: epoch)
        )
        let zeroStatus = ComputeStatus(
            tenantID: "", providerType: "", state: .unknown, health: .unknown, lastUpdated: epoch)
        #expect(try GetTenantStatusResponse(serializedBytes: []).status == zeroStatus)
        #expect(try WatchTenantStatusResponse(serializedBytes: []).status == zeroStatus)
    }

    @Test("encoding is deterministic: maps are written sorted, whatever their insertion order")
    func deterministic() throws {
        var forward: [String: String] = [:]
        var backward: [String: String] = [:]
        let keys = (0..<50).map { "key-\($0)" }
        for key in keys { forward[key] = key.uppercased() }
        for key in keys.reversed() { backward[key] = key.uppercased() }
        var a = Fixtures.fullSpec
        var b = Fixtures.fullSpec
        a.labels = forward
        b.labels = backward
        a.containers[0].env = forward
        b.containers[0].env = backward
        #expect(ProvisionTenantRequest(spec: a).serializedBytes() == ProvisionTenantRequest(spec: b).serializedBytes())
        #expect(try roundTrip(ProvisionTenantRequest(spec: a)).spec?.labels == forward)
    }

    @Test("a repeated map key: the last entry wins")
    func repeatedMapKey() throws {
        // ComputeStatus.metadata (field 7) entries {"k": "1"}, {"k": "2"} inside GetTenantStatusResponse.status.
        let entry1 = Wire.lengthDelimited(1, Array("k".utf8)) + Wire.lengthDelimited(2, Array("1".utf8))
        let entry2 = Wire.lengthDelimited(1, Array("k".utf8)) + Wire.lengthDelimited(2, Array("2".utf8))
        let status = Wire.lengthDelimited(7, entry1) + Wire.lengthDelimited(7, entry2)
        let response = try GetTenantStatusResponse(serializedBytes: Wire.lengthDelimited(1, status))
        #expect(response.status.metadata == ["k": "2"])
    }

    @Test("service and method names")
    func descriptor() {
        #expect(ComputeServiceDescriptor.serviceName == "landlord.compute.v1.ComputeService")
        #expect(
            ComputeServiceDescriptor.methodNames == [
                "ProvisionTenant", "UpdateTenant", "DestroyTenant", "GetTenantStatus", "ValidateTenantSpec",
                "ListProviders", "WatchTenantStatus",
            ]
        )
        #expect(ComputeServiceDescriptor.provisionTenant == "ProvisionTenant")
        #expect(ComputeServiceDescriptor.watchTenantStatus == "WatchTenantStatus")
    }
}
