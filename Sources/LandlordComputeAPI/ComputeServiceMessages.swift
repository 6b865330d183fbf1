// The request and response messages of landlord.compute.v1.ComputeService
// (proto/landlord/compute/v1/compute.proto), carrying the domain types of LandlordCompute directly.
//
// Mapping rules (details next to each conversion under Conversions/):
// - Every field of every message is mirrored; proto field names are the domain's JSON keys.
// - Optional sub-messages (`spec` of the requests, `health_check`, container `resources`, `dns`) are
//   absent exactly when nil. The spec's `resources` and `networking`, and the `result`/`status` of
//   responses, are not optional in the domain: absent they read as zero values; they are always written.
// - Repeated fields and maps: empty and absent are the same on the wire and in the domain.
// - `provider_config` bytes are kept exactly; no bytes <-> nil (an empty RawJSON is written as no bytes).
// - `google.protobuf.Timestamp` <-> `Date` to the nanosecond, before 1970 too; absent: the Unix epoch.
// - Enums: UNSPECIFIED and unknown values read as `unknown` (ComputeState, HealthStatus) or
//   `inProgress` (ProvisionStatus, UpdateStatus: the outcome is not confirmed); never written.
// - `Int` <-> `int32`: decoding is exact; encoding saturates at the Int32 bounds (never traps).
// - Strings are UTF-8; protobuf-c ends them at the first NUL, so U+0000 and what follows is lost, and
//   does not check UTF-8: invalid sequences read as U+FFFD.
// - Unknown fields are skipped; bytes that are not a valid message throw `ProtobufDecodingError`.

internal import CLandlordProto
internal import CProtobufC
package import LandlordCompute
internal import LandlordProtobuf

// MARK: - ProvisionTenant

/// `landlord.compute.v1.ProvisionTenantRequest`: provision a tenant.
package struct ProvisionTenantRequest: ProtobufMessage {
    /// The tenant to provision; its provider type selects the provider. Nil when absent on the wire.
    package var spec: TenantComputeSpec?

    package init(spec: TenantComputeSpec? = nil) {
        self.spec = spec
    }

    package init(serializedBytes: some Collection<UInt8>) throws {
        self = try ProtobufC.withDecoded(Self.cType, from: Array(serializedBytes)) { m in
            ProvisionTenantRequest(spec: TenantComputeSpec.fromWire(m.spec))
        }
    }

    package func serializedBytes() -> [UInt8] {
        ProtobufC.encode(Self.cType) { m, arena in
            m.spec = arena.spec(spec)
        }
    }

    static let cType = ProtobufCMessageType(landlord__compute__v1__provision_tenant_request__init)
}

/// `landlord.compute.v1.ProvisionTenantResponse`: the outcome of provisioning.
package struct ProvisionTenantResponse: ProtobufMessage {
    /// The outcome of provisioning (an all-zero result when absent on the wire).
    package var result: ProvisionResult

    package init(result: ProvisionResult) {
        self.result = result
    }

    package init(serializedBytes: some Collection<UInt8>) throws {
        self = try ProtobufC.withDecoded(Self.cType, from: Array(serializedBytes)) { m in
            ProvisionTenantResponse(result: ProvisionResult.fromWire(m.result))
        }
    }

    package func serializedBytes() -> [UInt8] {
        ProtobufC.encode(Self.cType) { m, arena in
            m.result = arena.message(ProvisionResult.cType) { result.fill(&$0, arena: arena) }
        }
    }

    static let cType = ProtobufCMessageType(landlord__compute__v1__provision_tenant_response__init)
}

// MARK: - UpdateTenant

/// `landlord.compute.v1.UpdateTenantRequest`: move a tenant to a new spec.
package struct UpdateTenantRequest: ProtobufMessage {
    /// The tenant to update; must equal the spec's tenant id.
    package var tenantID: String
    /// The new desired state of the tenant. Nil when absent on the wire.
    package var spec: TenantComputeSpec?

    package init(tenantID: String = "", spec: TenantComputeSpec? = nil) {
        self.tenantID = tenantID
        self.spec = spec
    }

    package init(serializedBytes: some Collection<UInt8>) throws {
        self = try ProtobufC.withDecoded(Self.cType, from: Array(serializedBytes)) { m in
            UpdateTenantRequest(tenantID: ProtobufC.string(m.tenant_id), spec: TenantComputeSpec.fromWire(m.spec))
        }
    }

    package func serializedBytes() -> [UInt8] {
        ProtobufC.encode(Self.cType) { m, arena in
            m.tenant_id = arena.string(tenantID)
            m.spec = arena.spec(spec)
        }
    }

    static let cType = ProtobufCMessageType(landlord__compute__v1__update_tenant_request__init)
}

/// `landlord.compute.v1.UpdateTenantResponse`: the outcome of an update.
package struct UpdateTenantResponse: ProtobufMessage {
    /// The outcome of the update (an all-zero result when absent on the wire).
    package var result: UpdateResult

    package init(result: UpdateResult) {
        self.result = result
    }

    package init(serializedBytes: some Collection<UInt8>) throws {
        self = try ProtobufC.withDecoded(Self.cType, from: Array(serializedBytes)) { m in
            UpdateTenantResponse(result: UpdateResult.fromWire(m.result))
        }
    }

    package func serializedBytes() -> [UInt8] {
        ProtobufC.encode(Self.cType) { m, arena in
            m.result = arena.message(UpdateResult.cType) { result.fill(&$0, arena: arena) }
        }
    }

    static let cType = ProtobufCMessageType(landlord__compute__v1__update_tenant_response__init)
}

// MARK: - DestroyTenant

/// `landlord.compute.v1.DestroyTenantRequest`: remove every resource of a tenant.
package struct DestroyTenantRequest: ProtobufMessage {
    /// The tenant to destroy.
    package var tenantID: String
    /// The provider managing the tenant.
    package var providerType: String

    package init(tenantID: String = "", providerType: String = "") {
        self.tenantID = tenantID
        self.providerType = providerType
    }

    package init(serializedBytes: some Collection<UInt8>) throws {
        self = try ProtobufC.withDecoded(Self.cType, from: Array(serializedBytes)) { m in
            DestroyTenantRequest(
                tenantID: ProtobufC.string(m.tenant_id), providerType: ProtobufC.string(m.provider_type))
        }
    }

    package func serializedBytes() -> [UInt8] {
        ProtobufC.encode(Self.cType) { m, arena in
            m.tenant_id = arena.string(tenantID)
            m.provider_type = arena.string(providerType)
        }
    }

    static let cType = ProtobufCMessageType(landlord__compute__v1__destroy_tenant_request__init)
}

/// `landlord.compute.v1.DestroyTenantResponse`: empty; success is the call's status.
package struct DestroyTenantResponse: ProtobufMessage {
    package init() {}

    package init(serializedBytes: some Collection<UInt8>) throws {
        self = try ProtobufC.withDecoded(Self.cType, from: Array(serializedBytes)) { _ in DestroyTenantResponse() }
    }

    package func serializedBytes() -> [UInt8] {
        []  // no fields: the encoding of every value is empty
    }

    static let cType = ProtobufCMessageType(landlord__compute__v1__destroy_tenant_response__init)
}

// MARK: - GetTenantStatus

/// `landlord.compute.v1.GetTenantStatusRequest`: the current status of a tenant.
package struct GetTenantStatusRequest: ProtobufMessage {
    /// The tenant to inspect.
    package var tenantID: String
    /// The provider managing the tenant.
    package var providerType: String

    package init(tenantID: String = "", providerType: String = "") {
        self.tenantID = tenantID
        self.providerType = providerType
    }

    package init(serializedBytes: some Collection<UInt8>) throws {
        self = try ProtobufC.withDecoded(Self.cType, from: Array(serializedBytes)) { m in
            GetTenantStatusRequest(
                tenantID: ProtobufC.string(m.tenant_id),
                providerType: ProtobufC.string(m.provider_type)
            )
        }
    }

    package func serializedBytes() -> [UInt8] {
        ProtobufC.encode(Self.cType) { m, arena in
            m.tenant_id = arena.string(tenantID)
            m.provider_type = arena.string(providerType)
        }
    }

    static let cType = ProtobufCMessageType(landlord__compute__v1__get_tenant_status_request__init)
}

/// `landlord.compute.v1.GetTenantStatusResponse`: the current status of a tenant.
package struct GetTenantStatusResponse: ProtobufMessage {
    /// The current status (an all-zero status, state and health `unknown`, when absent on the wire).
    package var status: ComputeStatus

    package init(status: ComputeStatus) {
        self.status = status
    }

    package init(serializedBytes: some Collection<UInt8>) throws {
        self = try ProtobufC.withDecoded(Self.cType, from: Array(serializedBytes)) { m in
            GetTenantStatusResponse(status: ComputeStatus.fromWire(m.status))
        }
    }

    package func serializedBytes() -> [UInt8] {
        ProtobufC.encode(Self.cType) { m, arena in
            m.status = arena.message(ComputeStatus.cType) { status.fill(&$0, arena: arena) }
        }
    }

    static let cType = ProtobufCMessageType(landlord__compute__v1__get_tenant_status_response__init)
}

// MARK: - ValidateTenantSpec

/// `landlord.compute.v1.ValidateTenantSpecRequest`: check a spec without provisioning anything.
package struct ValidateTenantSpecRequest: ProtobufMessage {
    /// The spec to check. Nil when absent on the wire.
    package var spec: TenantComputeSpec?

    package init(spec: TenantComputeSpec? = nil) {
        self.spec = spec
    }

    package init(serializedBytes: some Collection<UInt8>) throws {
        self = try ProtobufC.withDecoded(Self.cType, from: Array(serializedBytes)) { m in
            ValidateTenantSpecRequest(spec: TenantComputeSpec.fromWire(m.spec))
        }
    }

    package func serializedBytes() -> [UInt8] {
        ProtobufC.encode(Self.cType) { m, arena in
            m.spec = arena.spec(spec)
        }
    }

    static let cType = ProtobufCMessageType(landlord__compute__v1__validate_tenant_spec_request__init)
}

/// `landlord.compute.v1.ValidateTenantSpecResponse`: whether a spec is valid, and every violation.
package struct ValidateTenantSpecResponse: ProtobufMessage {
    /// Whether the spec passed every rule (then ``violations`` is empty).
    package var valid: Bool
    /// Every violation found, in the validator's order.
    package var violations: [FieldViolation]

    package init(valid: Bool = false, violations: [FieldViolation] = []) {
        self.valid = valid
        self.violations = violations
    }

    package init(serializedBytes: some Collection<UInt8>) throws {
        self = try ProtobufC.withDecoded(Self.cType, from: Array(serializedBytes)) { m in
            ValidateTenantSpecResponse(
                valid: m.valid != 0,
                violations: ProtobufC.messages(m.violations, count: m.n_violations, FieldViolation.init(cMessage:))
            )
        }
    }

    package func serializedBytes() -> [UInt8] {
        ProtobufC.encode(Self.cType) { m, arena in
            m.valid = wireBool(valid)
            (m.n_violations, m.violations) = arena.messages(FieldViolation.cType, violations) { c, violation in
                violation.fill(&c, arena: arena)
            }
        }
    }

    static let cType = ProtobufCMessageType(landlord__compute__v1__validate_tenant_spec_response__init)
}

// MARK: - ListProviders

/// `landlord.compute.v1.ListProvidersRequest`: empty.
package struct ListProvidersRequest: ProtobufMessage {
    package init() {}

    package init(serializedBytes: some Collection<UInt8>) throws {
        self = try ProtobufC.withDecoded(Self.cType, from: Array(serializedBytes)) { _ in ListProvidersRequest() }
    }

    package func serializedBytes() -> [UInt8] {
        []  // no fields: the encoding of every value is empty
    }

    static let cType = ProtobufCMessageType(landlord__compute__v1__list_providers_request__init)
}

/// `landlord.compute.v1.ListProvidersResponse`: the registered providers and the default one.
package struct ListProvidersResponse: ProtobufMessage {
    /// Names of the registered providers, sorted (the order is kept as given).
    package var providers: [String]
    /// The provider used by default.
    package var defaultProvider: String

    package init(providers: [String] = [], defaultProvider: String = "") {
        self.providers = providers
        self.defaultProvider = defaultProvider
    }

    package init(serializedBytes: some Collection<UInt8>) throws {
        self = try ProtobufC.withDecoded(Self.cType, from: Array(serializedBytes)) { m in
            ListProvidersResponse(
                providers: ProtobufC.strings(m.providers, count: m.n_providers),
                defaultProvider: ProtobufC.string(m.default_provider)
            )
        }
    }

    package func serializedBytes() -> [UInt8] {
        ProtobufC.encode(Self.cType) { m, arena in
            (m.n_providers, m.providers) = arena.strings(providers)
            m.default_provider = arena.string(defaultProvider)
        }
    }

    static let cType = ProtobufCMessageType(landlord__compute__v1__list_providers_response__init)
}

// MARK: - WatchTenantStatus

/// `landlord.compute.v1.WatchTenantStatusRequest`: stream the status of a tenant.
package struct WatchTenantStatusRequest: ProtobufMessage {
    /// The tenant to watch.
    package var tenantID: String
    /// The provider managing the tenant.
    package var providerType: String
    /// Smallest interval between two polls, in milliseconds (`min_interval_ms`), as sent: the service
    /// applies the contract's rules (0 means 1000, below 100 means 100).
    package var minIntervalMilliseconds: UInt32

    package init(tenantID: String = "", providerType: String = "", minIntervalMilliseconds: UInt32 = 0) {
        self.tenantID = tenantID
        self.providerType = providerType
        self.minIntervalMilliseconds = minIntervalMilliseconds
    }

    package init(serializedBytes: some Collection<UInt8>) throws {
        self = try ProtobufC.withDecoded(Self.cType, from: Array(serializedBytes)) { m in
            WatchTenantStatusRequest(
                tenantID: ProtobufC.string(m.tenant_id),
                providerType: ProtobufC.string(m.provider_type),
                minIntervalMilliseconds: m.min_interval_ms
            )
        }
    }

    package func serializedBytes() -> [UInt8] {
        ProtobufC.encode(Self.cType) { m, arena in
            m.tenant_id = arena.string(tenantID)
            m.provider_type = arena.string(providerType)
            m.min_interval_ms = minIntervalMilliseconds
        }
    }

    static let cType = ProtobufCMessageType(landlord__compute__v1__watch_tenant_status_request__init)
}

/// `landlord.compute.v1.WatchTenantStatusResponse`: one message of the status stream.
package struct WatchTenantStatusResponse: ProtobufMessage {
    /// The status at the time of sending (an all-zero status, state and health `unknown`, when absent
    /// on the wire).
    package var status: ComputeStatus

    package init(status: ComputeStatus) {
        self.status = status
    }

    package init(serializedBytes: some Collection<UInt8>) throws {
        self = try ProtobufC.withDecoded(Self.cType, from: Array(serializedBytes)) { m in
            WatchTenantStatusResponse(status: ComputeStatus.fromWire(m.status))
        }
    }

    package func serializedBytes() -> [UInt8] {
        ProtobufC.encode(Self.cType) { m, arena in
            m.status = arena.message(ComputeStatus.cType) { status.fill(&$0, arena: arena) }
        }
    }

    static let cType = ProtobufCMessageType(landlord__compute__v1__watch_tenant_status_response__init)
}
