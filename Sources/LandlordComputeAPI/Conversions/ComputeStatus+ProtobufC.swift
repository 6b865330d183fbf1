// ComputeStatus, ContainerStatus, FieldViolation <-> their landlord.compute.v1 messages.

internal import CLandlordProto
internal import CProtobufC
internal import LandlordCompute
internal import LandlordProtobuf

extension ComputeStatus {
    typealias CMessage = Landlord__Compute__V1__ComputeStatus
    static let cType = ProtobufCMessageType(landlord__compute__v1__compute_status__init)
    static let metadataEntryCType = ProtobufCMessageType(landlord__compute__v1__compute_status__metadata_entry__init)

    init(cMessage m: CMessage) {
        self.init(
            tenantID: ProtobufC.string(m.tenant_id),
            providerType: ProtobufC.string(m.provider_type),
            state: ComputeState(wireValue: m.state),
            containers: ProtobufC.messages(m.containers, count: m.n_containers, ContainerStatus.init(cMessage:)),
            health: HealthStatus(wireValue: m.health),
            lastUpdated: Timestamp.date(m.last_updated),
            metadata: ProtobufC.stringMap(m.metadata, count: m.n_metadata, key: \.key, value: \.value)
        )
    }

    /// The `status` of a response; an absent one reads as an all-zero message (state and health
    /// `unknown`, checked at the Unix epoch).
    static func fromWire(_ status: UnsafePointer<CMessage>?) -> ComputeStatus {
        ProtobufC.message(status, ComputeStatus.init(cMessage:)) ?? ComputeStatus(cMessage: CMessage())
    }

    func fill(_ m: inout CMessage, arena: ProtobufCArena) {
        m.tenant_id = arena.string(tenantID)
        m.provider_type = arena.string(providerType)
        m.state = state.wireValue
        (m.n_containers, m.containers) = arena.messages(ContainerStatus.cType, containers) { c, container in
            container.fill(&c, arena: arena)
        }
        m.health = health.wireValue
        m.last_updated = arena.timestamp(lastUpdated)
        (m.n_metadata, m.metadata) = arena.stringMap(Self.metadataEntryCType, metadata, key: \.key, value: \.value)
    }
}

extension ContainerStatus {
    typealias CMessage = Landlord__Compute__V1__ContainerStatus
    static let cType = ProtobufCMessageType(landlord__compute__v1__container_status__init)

    init(cMessage m: CMessage) {
        self.init(
            name: ProtobufC.string(m.name),
            state: ContainerState(rawValue: ProtobufC.string(m.state)),
            ready: m.ready != 0,
            restartCount: Int(m.restart_count),
            message: ProtobufC.string(m.message)
        )
    }

    func fill(_ m: inout CMessage, arena: ProtobufCArena) {
        m.name = arena.string(name)
        m.state = arena.string(state.rawValue)
        m.ready = wireBool(ready)
        m.restart_count = wireInt32(restartCount)
        m.message = arena.string(message)
    }
}

extension FieldViolation {
    typealias CMessage = Landlord__Compute__V1__FieldViolation
    static let cType = ProtobufCMessageType(landlord__compute__v1__field_violation__init)

    init(cMessage m: CMessage) {
        self.init(field: ProtobufC.string(m.field), description: ProtobufC.string(m.description))
    }

    func fill(_ m: inout CMessage, arena: ProtobufCArena) {
        m.field = arena.string(field)
        m.description = arena.string(description)
    }
}
