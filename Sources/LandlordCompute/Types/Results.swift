// Results of provision and update operations (seed 000, "Result Types").

package import Foundation

/// The outcome of a provision operation.
package struct ProvisionResult: Sendable, Hashable, Codable {
    /// The tenant that was provisioned (`tenant_id`).
    package var tenantID: String
    /// The provider that provisioned it (`provider_type`).
    package var providerType: String
    /// The outcome (`status`).
    package var status: ProvisionStatus
    /// Resource kinds mapped to provider-specific ids, e.g. `["task": "arn:..."]` (`resource_ids`, always written).
    package var resourceIDs: [String: String]
    /// Where the tenant can be reached (`endpoints`, omitted when empty).
    package var endpoints: [Endpoint]
    /// Additional details (`message`, omitted when empty).
    package var message: String
    /// When the tenant was provisioned (`provisioned_at`, RFC 3339).
    package var provisionedAt: Date

    /// Creates a provision result.
    package init(
        tenantID: String,
        providerType: String,
        status: ProvisionStatus,
        resourceIDs: [String: String] = [:],
        endpoints: [Endpoint] = [],
        message: String = "",
        provisionedAt: Date
    ) {
        self.tenantID = tenantID
        self.providerType = providerType
        self.status = status
        self.resourceIDs = resourceIDs
        self.endpoints = endpoints
        self.message = message
        self.provisionedAt = provisionedAt
    }

    private enum CodingKeys: String, CodingKey {
        case tenantID = "tenant_id"
        case providerType = "provider_type"
        case status
        case resourceIDs = "resource_ids"
        case endpoints
        case message
        case provisionedAt = "provisioned_at"
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.tenantID = try container.decodeIfPresent(String.self, forKey: .tenantID) ?? ""
        self.providerType = try container.decodeIfPresent(String.self, forKey: .providerType) ?? ""
        self.status = try container.decode(ProvisionStatus.self, forKey: .status)
        self.resourceIDs = try container.decodeIfPresent([String: String].self, forKey: .resourceIDs) ?? [:]
        self.endpoints = try container.decodeIfPresent([Endpoint].self, forKey: .endpoints) ?? []
        self.message = try container.decodeIfPresent(String.self, forKey: .message) ?? ""
        self.provisionedAt = try RFC3339.decode(from: container, forKey: .provisionedAt)
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.tenantID, forKey: .tenantID)
        try container.encode(self.providerType, forKey: .providerType)
        try container.encode(self.status, forKey: .status)
        try container.encode(self.resourceIDs, forKey: .resourceIDs)
        if !self.endpoints.isEmpty { try container.encode(self.endpoints, forKey: .endpoints) }
        if !self.message.isEmpty { try container.encode(self.message, forKey: .message) }
        try container.encode(RFC3339.string(from: self.provisionedAt), forKey: .provisionedAt)
    }
}

/// The outcome of a provision operation.
package enum ProvisionStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case success = "success"
    case inProgress = "in_progress"
    case failed = "failed"
}

/// The outcome of an update operation.
package struct UpdateResult: Sendable, Hashable, Codable {
    /// The tenant that was updated (`tenant_id`).
    package var tenantID: String
    /// The provider that updated it (`provider_type`).
    package var providerType: String
    /// The outcome (`status`).
    package var status: UpdateStatus
    /// Readable descriptions of what changed; empty for ``UpdateStatus/noChanges`` (`changes`, always written).
    ///
    /// Never holds an environment value, a secret or provider configuration content.
    package var changes: [String]
    /// Additional details (`message`, omitted when empty).
    package var message: String
    /// When the update happened (`updated_at`, RFC 3339).
    package var updatedAt: Date

    /// Creates an update result.
    package init(
        tenantID: String,
        providerType: String,
        status: UpdateStatus,
        changes: [String] = [],
        message: String = "",
        updatedAt: Date
    ) {
        self.tenantID = tenantID
        self.providerType = providerType
        self.status = status
        self.changes = changes
        self.message = message
        self.updatedAt = updatedAt
    }

    private enum CodingKeys: String, CodingKey {
        case tenantID = "tenant_id"
        case providerType = "provider_type"
        case status
        case changes
        case message
        case updatedAt = "updated_at"
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.tenantID = try container.decodeIfPresent(String.self, forKey: .tenantID) ?? ""
        self.providerType = try container.decodeIfPresent(String.self, forKey: .providerType) ?? ""
        self.status = try container.decode(UpdateStatus.self, forKey: .status)
        self.changes = try container.decodeIfPresent([String].self, forKey: .changes) ?? []
        self.message = try container.decodeIfPresent(String.self, forKey: .message) ?? ""
        self.updatedAt = try RFC3339.decode(from: container, forKey: .updatedAt)
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.tenantID, forKey: .tenantID)
        try container.encode(self.providerType, forKey: .providerType)
        try container.encode(self.status, forKey: .status)
        try container.encode(self.changes, forKey: .changes)
        if !self.message.isEmpty { try container.encode(self.message, forKey: .message) }
        try container.encode(RFC3339.string(from: self.updatedAt), forKey: .updatedAt)
    }
}

/// The outcome of an update operation.
package enum UpdateStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case success = "success"
    case noChanges = "no_changes"
    case inProgress = "in_progress"
    case failed = "failed"
}

/// How to reach a tenant.
package struct Endpoint: Sendable, Hashable, Codable {
    /// `http`, `https`, `tcp`, `udp` or `grpc` (`type`, see ``EndpointType/init(of:)``).
    package var type: EndpointType
    /// Hostname or IP address (`address`).
    package var address: String
    /// Port number (`port`).
    package var port: Int
    /// A URL, when one applies (`url`, omitted when empty).
    package var url: String

    /// Creates an endpoint.
    package init(type: EndpointType, address: String, port: Int, url: String = "") {
        self.type = type
        self.address = address
        self.port = port
        self.url = url
    }

    private enum CodingKeys: String, CodingKey {
        case type
        case address
        case port
        case url
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.type = try container.decodeIfPresent(EndpointType.self, forKey: .type) ?? ""
        self.address = try container.decodeIfPresent(String.self, forKey: .address) ?? ""
        self.port = try container.decodeIfPresent(Int.self, forKey: .port) ?? 0
        self.url = try container.decodeIfPresent(String.self, forKey: .url) ?? ""
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.type, forKey: .type)
        try container.encode(self.address, forKey: .address)
        try container.encode(self.port, forKey: .port)
        if !self.url.isEmpty { try container.encode(self.url, forKey: .url) }
    }
}
