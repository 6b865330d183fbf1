internal import CLandlordProto
internal import CProtobufC

// The messages of grpc.health.v1.Health (proto/grpc/health/v1/health.proto).

/// `grpc.health.v1.HealthCheckRequest`: asks for the serving status of one service.
package struct HealthCheckRequest: ProtobufMessage {
    /// Fully qualified name of the service; the empty string means the whole server.
    package var service: String

    package init(service: String = "") {
        self.service = service
    }

    package init(serializedBytes: some Collection<UInt8>) throws {
        self = try ProtobufC.withDecoded(Self.cType, from: Array(serializedBytes)) { message in
            HealthCheckRequest(service: ProtobufC.string(message.service))
        }
    }

    package func serializedBytes() -> [UInt8] {
        ProtobufC.encode(Self.cType) { message, arena in
            message.service = arena.string(service)
        }
    }

    static let cType = ProtobufCMessageType(grpc__health__v1__health_check_request__init)
}

/// `grpc.health.v1.HealthCheckResponse`: the serving status of a service.
package struct HealthCheckResponse: ProtobufMessage {
    /// `grpc.health.v1.HealthCheckResponse.ServingStatus`.
    package enum ServingStatus: Int32, Hashable, Sendable, CaseIterable {
        /// The status is not known (also what unknown wire values decode to).
        case unknown = 0
        /// The service serves requests.
        case serving = 1
        /// The service does not serve requests.
        case notServing = 2
        /// The service is not known to the server (sent by Watch only).
        case serviceUnknown = 3
    }

    /// The serving status of the requested service.
    package var status: ServingStatus

    package init(status: ServingStatus) {
        self.status = status
    }

    package init(serializedBytes: some Collection<UInt8>) throws {
        self = try ProtobufC.withDecoded(Self.cType, from: Array(serializedBytes)) { Self(cMessage: $0) }
    }

    package func serializedBytes() -> [UInt8] {
        ProtobufC.encode(Self.cType) { message, _ in
            fill(&message)
        }
    }

    static let cType = ProtobufCMessageType(grpc__health__v1__health_check_response__init)

    init(cMessage: Grpc__Health__V1__HealthCheckResponse) {
        self.init(status: ServingStatus(wireValue: cMessage.status))
    }

    func fill(_ message: inout Grpc__Health__V1__HealthCheckResponse) {
        message.status = Grpc__Health__V1__HealthCheckResponse__ServingStatus(
            rawValue: .init(truncatingIfNeeded: status.rawValue)
        )
    }
}

extension HealthCheckResponse.ServingStatus {
    init(wireValue: Grpc__Health__V1__HealthCheckResponse__ServingStatus) {
        self = Self(rawValue: Int32(truncatingIfNeeded: wireValue.rawValue)) ?? .unknown
    }
}

/// `grpc.health.v1.HealthListRequest`: asks for the statuses of every known service.
package struct HealthListRequest: ProtobufMessage {
    package init() {}

    package init(serializedBytes: some Collection<UInt8>) throws {
        self = try ProtobufC.withDecoded(Self.cType, from: Array(serializedBytes)) { _ in HealthListRequest() }
    }

    package func serializedBytes() -> [UInt8] {
        ProtobufC.encode(Self.cType) { _, _ in }
    }

    static let cType = ProtobufCMessageType(grpc__health__v1__health_list_request__init)
}

/// `grpc.health.v1.HealthListResponse`: the serving status of every known service.
package struct HealthListResponse: ProtobufMessage {
    /// The serving status of each service, keyed by service name.
    package var statuses: [String: HealthCheckResponse.ServingStatus]

    package init(statuses: [String: HealthCheckResponse.ServingStatus] = [:]) {
        self.statuses = statuses
    }

    package init(serializedBytes: some Collection<UInt8>) throws {
        self = try ProtobufC.withDecoded(Self.cType, from: Array(serializedBytes)) { message in
            let entries = ProtobufC.messages(message.statuses, count: message.n_statuses) { entry in
                (
                    ProtobufC.string(entry.key),
                    ProtobufC.message(entry.value) { HealthCheckResponse(cMessage: $0).status } ?? .unknown
                )
            }
            return HealthListResponse(statuses: Dictionary(entries, uniquingKeysWith: { _, last in last }))
        }
    }

    package func serializedBytes() -> [UInt8] {
        ProtobufC.encode(Self.cType) { message, arena in
            let sorted = statuses.sorted { $0.key < $1.key }
            (message.n_statuses, message.statuses) = arena.messages(Self.entryCType, sorted) { entry, element in
                entry.key = arena.string(element.key)
                let value = arena.message(HealthCheckResponse.cType)
                HealthCheckResponse(status: element.value).fill(&value.pointee)
                entry.value = value
            }
        }
    }

    static let cType = ProtobufCMessageType(grpc__health__v1__health_list_response__init)
    static let entryCType = ProtobufCMessageType(grpc__health__v1__health_list_response__statuses_entry__init)
}
