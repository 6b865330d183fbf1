// The current state of a tenant's compute resources (seed 000, "Status Types").

package import Foundation

/// The current state of a tenant's compute resources, as a provider reports it.
package struct ComputeStatus: Sendable, Hashable, Codable {
    /// The tenant queried (`tenant_id`).
    package var tenantID: String
    /// The provider managing the tenant (`provider_type`).
    package var providerType: String
    /// The state of the whole deployment (`state`).
    package var state: ComputeState
    /// The status of each container (`containers`, always written).
    package var containers: [ContainerStatus]
    /// The overall health (`health`).
    package var health: HealthStatus
    /// When this status was observed (`last_updated`, RFC 3339).
    package var lastUpdated: Date
    /// Provider-specific status information (`metadata`, omitted when empty).
    package var metadata: [String: String]

    /// Creates a status.
    package init(
        tenantID: String,
        providerType: String,
        state: ComputeState,
        containers: [ContainerStatus] = [],
        health: HealthStatus,
        lastUpdated: Date,
        metadata: [String: String] = [:]
    ) {
        self.tenantID = tenantID
        self.providerType = providerType
        self.state = state
        self.containers = containers
        self.health = health
        self.lastUpdated = lastUpdated
        self.metadata = metadata
    }

    private enum CodingKeys: String, CodingKey {
        case tenantID = "tenant_id"
        case providerType = "provider_type"
        case state
        case containers
        case health
        case lastUpdated = "last_updated"
        case metadata
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.tenantID = try container.decodeIfPresent(String.self, forKey: .tenantID) ?? ""
        self.providerType = try container.decodeIfPresent(String.self, forKey: .providerType) ?? ""
        self.state = try container.decode(ComputeState.self, forKey: .state)
        self.containers = try container.decodeIfPresent([ContainerStatus].self, forKey: .containers) ?? []
        self.health = try container.decode(HealthStatus.self, forKey: .health)
        self.lastUpdated = try RFC3339.decode(from: container, forKey: .lastUpdated)
        self.metadata = try container.decodeIfPresent([String: String].self, forKey: .metadata) ?? [:]
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.tenantID, forKey: .tenantID)
        try container.encode(self.providerType, forKey: .providerType)
        try container.encode(self.state, forKey: .state)
        try container.encode(self.containers, forKey: .containers)
        try container.encode(self.health, forKey: .health)
        try container.encode(RFC3339.string(from: self.lastUpdated), forKey: .lastUpdated)
        if !self.metadata.isEmpty { try container.encode(self.metadata, forKey: .metadata) }
    }
}

/// The state of a tenant's deployment.
package enum ComputeState: String, Sendable, Hashable, Codable, CaseIterable {
    case running = "running"
    case stopped = "stopped"
    case starting = "starting"
    case stopping = "stopping"
    case failed = "failed"
    case unknown = "unknown"
}

/// The state of a single container.
package struct ContainerStatus: Sendable, Hashable, Codable {
    /// The container's name (`name`).
    package var name: String
    /// The container's state, such as `running`, `stopped` or `failed` (`state`); a string outside
    /// ``ContainerState/known`` (from a newer server, say) is kept as it is.
    package var state: ContainerState
    /// Whether the container is ready to serve (`ready`).
    package var ready: Bool
    /// How many times the container restarted (`restart_count`).
    package var restartCount: Int
    /// Additional details (`message`, omitted when empty).
    package var message: String

    /// Creates a container status.
    package init(name: String, state: ContainerState, ready: Bool, restartCount: Int = 0, message: String = "") {
        self.name = name
        self.state = state
        self.ready = ready
        self.restartCount = restartCount
        self.message = message
    }

    private enum CodingKeys: String, CodingKey {
        case name
        case state
        case ready
        case restartCount = "restart_count"
        case message
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.name = try container.decodeIfPresent(String.self, forKey: .name) ?? ""
        self.state = try container.decodeIfPresent(ContainerState.self, forKey: .state) ?? ""
        self.ready = try container.decodeIfPresent(Bool.self, forKey: .ready) ?? false
        self.restartCount = try container.decodeIfPresent(Int.self, forKey: .restartCount) ?? 0
        self.message = try container.decodeIfPresent(String.self, forKey: .message) ?? ""
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.name, forKey: .name)
        try container.encode(self.state, forKey: .state)
        try container.encode(self.ready, forKey: .ready)
        try container.encode(self.restartCount, forKey: .restartCount)
        if !self.message.isEmpty { try container.encode(self.message, forKey: .message) }
    }
}

/// The overall health of a tenant.
package enum HealthStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case healthy = "healthy"
    case unhealthy = "unhealthy"
    case unknown = "unknown"
}
