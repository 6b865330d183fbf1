// ProvisionResult, UpdateResult, Endpoint <-> their landlord.compute.v1 messages.
//
// The times are always written; an absent one reads as the Unix epoch (see ``Timestamp``). For the
// status enums' fallbacks see Enums.swift.

internal import CLandlordProto
internal import CProtobufC
internal import LandlordCompute
internal import LandlordProtobuf

extension ProvisionResult {
    typealias CMessage = Landlord__Compute__V1__ProvisionResult
    static let cType = ProtobufCMessageType(landlord__compute__v1__provision_result__init)
    static let resourceIDsEntryCType = ProtobufCMessageType(
        landlord__compute__v1__provision_result__resource_ids_entry__init
    )

    init(cMessage m: CMessage) {
        self.init(
            tenantID: ProtobufC.string(m.tenant_id),
            providerType: ProtobufC.string(m.provider_type),
            status: ProvisionStatus(wireValue: m.status),
            resourceIDs: ProtobufC.stringMap(m.resource_ids, count: m.n_resource_ids, key: \.key, value: \.value),
            endpoints: ProtobufC.messages(m.endpoints, count: m.n_endpoints, Endpoint.init(cMessage:)),
            message: ProtobufC.string(m.message),
            provisionedAt: Timestamp.date(m.provisioned_at)
        )
    }

    /// The `result` of a response; an absent one reads as an all-zero message (a zero-filled C struct:
    /// NULL strings read as "", the status as UNSPECIFIED, no time as the epoch).
    static func fromWire(_ result: UnsafePointer<CMessage>?) -> ProvisionResult {
        ProtobufC.message(result, ProvisionResult.init(cMessage:)) ?? ProvisionResult(cMessage: CMessage())
    }

    func fill(_ m: inout CMessage, arena: ProtobufCArena) {
        m.tenant_id = arena.string(tenantID)
        m.provider_type = arena.string(providerType)
        m.status = status.wireValue
        (m.n_resource_ids, m.resource_ids) = arena.stringMap(
            Self.resourceIDsEntryCType,
            resourceIDs,
            key: \.key,
            value: \.value
        )
        (m.n_endpoints, m.endpoints) = arena.messages(Endpoint.cType, endpoints) { c, endpoint in
            endpoint.fill(&c, arena: arena)
        }
        m.message = arena.string(message)
        m.provisioned_at = arena.timestamp(provisionedAt)
    }
}

extension UpdateResult {
    typealias CMessage = Landlord__Compute__V1__UpdateResult
    static let cType = ProtobufCMessageType(landlord__compute__v1__update_result__init)

    init(cMessage m: CMessage) {
        self.init(
            tenantID: ProtobufC.string(m.tenant_id),
            providerType: ProtobufC.string(m.provider_type),
            status: UpdateStatus(wireValue: m.status),
            changes: ProtobufC.strings(m.changes, count: m.n_changes),
            message: ProtobufC.string(m.message),
            updatedAt: Timestamp.date(m.updated_at)
        )
    }

    /// The `result` of a response; an absent one reads as an all-zero message (a zero-filled C struct:
    /// NULL strings read as "", the status as UNSPECIFIED, no time as the epoch).
    static func fromWire(_ result: UnsafePointer<CMessage>?) -> UpdateResult {
        ProtobufC.message(result, UpdateResult.init(cMessage:)) ?? UpdateResult(cMessage: CMessage())
    }

    func fill(_ m: inout CMessage, arena: ProtobufCArena) {
        m.tenant_id = arena.string(tenantID)
        m.provider_type = arena.string(providerType)
        m.status = status.wireValue
        (m.n_changes, m.changes) = arena.strings(changes)
        m.message = arena.string(message)
        m.updated_at = arena.timestamp(updatedAt)
    }
}

extension Endpoint {
    typealias CMessage = Landlord__Compute__V1__Endpoint
    static let cType = ProtobufCMessageType(landlord__compute__v1__endpoint__init)

    init(cMessage m: CMessage) {
        self.init(
            type: EndpointType(rawValue: ProtobufC.string(m.type)),
            address: ProtobufC.string(m.address),
            port: Int(m.port),
            url: ProtobufC.string(m.url)
        )
    }

    func fill(_ m: inout CMessage, arena: ProtobufCArena) {
        m.type = arena.string(type.rawValue)
        m.address = arena.string(address)
        m.port = wireInt32(port)
        m.url = arena.string(url)
    }
}
