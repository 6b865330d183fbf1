// The state names ECS answers, as enums (the models keep the raw strings, since AWS adds values;
// these computed properties read them).

/// A service's `status`.
package enum ECSServiceState: String, Sendable, Hashable {
    case active = "ACTIVE"
    /// Deleted; its tasks are stopping.
    case draining = "DRAINING"
    /// Deleted.
    case inactive = "INACTIVE"
}

/// A deployment's `status`.
package enum ECSDeploymentStatus: String, Sendable, Hashable {
    /// The newest deployment.
    case primary = "PRIMARY"
    /// An older deployment that still has tasks.
    case active = "ACTIVE"
    case inactive = "INACTIVE"
}

/// A deployment's `rolloutState`.
package enum ECSRolloutState: String, Sendable, Hashable {
    case inProgress = "IN_PROGRESS"
    case completed = "COMPLETED"
    /// The circuit breaker stopped it (and, with rollback, started a deployment of the last completed revision).
    case failed = "FAILED"
}

/// A task's or a container's `lastStatus`.
package enum ECSTaskStatus: String, Sendable, Hashable {
    case provisioning = "PROVISIONING"
    case pending = "PENDING"
    case activating = "ACTIVATING"
    case running = "RUNNING"
    case deactivating = "DEACTIVATING"
    case stopping = "STOPPING"
    case deprovisioning = "DEPROVISIONING"
    case stopped = "STOPPED"
}

/// A task's or a container's `healthStatus`.
package enum ECSHealthStatus: String, Sendable, Hashable {
    case healthy = "HEALTHY"
    case unhealthy = "UNHEALTHY"
    case unknown = "UNKNOWN"
}

extension ECSService {
    /// ``status`` as an enum; nil for a value landlord does not know.
    package var state: ECSServiceState? { self.status.flatMap(ECSServiceState.init(rawValue:)) }
}

extension ECSDeployment {
    /// ``status`` as an enum.
    package var deploymentStatus: ECSDeploymentStatus? { self.status.flatMap(ECSDeploymentStatus.init(rawValue:)) }
    /// ``rolloutState`` as an enum.
    package var rollout: ECSRolloutState? { self.rolloutState.flatMap(ECSRolloutState.init(rawValue:)) }
}

extension ECSTask {
    /// ``lastStatus`` as an enum.
    package var last: ECSTaskStatus? { self.lastStatus.flatMap(ECSTaskStatus.init(rawValue:)) }
    /// ``healthStatus`` as an enum.
    package var health: ECSHealthStatus? { self.healthStatus.flatMap(ECSHealthStatus.init(rawValue:)) }
}

extension ECSContainer {
    /// ``lastStatus`` as an enum.
    package var last: ECSTaskStatus? { self.lastStatus.flatMap(ECSTaskStatus.init(rawValue:)) }
    /// ``healthStatus`` as an enum.
    package var health: ECSHealthStatus? { self.healthStatus.flatMap(ECSHealthStatus.init(rawValue:)) }
}
