// What the provider reads back from the cluster (through the informers): only the fields that
// status needs, all optional as the API server may omit any of them.

/// `metadata` of an observed object.
struct ObservedMetadata: Sendable, Hashable, Decodable {
    var name: String?
    var namespace: String?
    var labels: [String: String]?
    var annotations: [String: String]?
    var generation: Int64?
    var resourceVersion: String?
    var deletionTimestamp: String?
}

/// A condition of an object's status (`type`, `status`, `reason`, `message`).
struct ObservedCondition: Sendable, Hashable, Decodable {
    var type: String
    var status: String?
    var reason: String?
    var message: String?
}

/// An apps/v1 Deployment as the cluster reports it.
struct ObservedDeployment: Sendable, Hashable, Decodable {
    struct Spec: Sendable, Hashable, Decodable {
        var replicas: Int?
        var paused: Bool?
    }

    struct Status: Sendable, Hashable, Decodable {
        var observedGeneration: Int64?
        var replicas: Int?
        var updatedReplicas: Int?
        var readyReplicas: Int?
        var availableReplicas: Int?
        var unavailableReplicas: Int?
        var conditions: [ObservedCondition]?
    }

    var metadata: ObservedMetadata
    var spec: Spec?
    var status: Status?
}

/// A v1 Pod as the cluster reports it.
struct ObservedPod: Sendable, Hashable, Decodable {
    struct Status: Sendable, Hashable, Decodable {
        var phase: String?
        var reason: String?
        var message: String?
        var containerStatuses: [ContainerStatus]?
    }

    /// One container's `status.containerStatuses[]` entry.
    struct ContainerStatus: Sendable, Hashable, Decodable {
        var name: String
        var ready: Bool?
        var restartCount: Int?
        var state: State?
        var lastState: State?
    }

    /// `state` / `lastState`: exactly one of the three is set.
    struct State: Sendable, Hashable, Decodable {
        struct Waiting: Sendable, Hashable, Decodable {
            var reason: String?
            var message: String?
        }
        struct Running: Sendable, Hashable, Decodable {
            var startedAt: String?
        }
        struct Terminated: Sendable, Hashable, Decodable {
            var exitCode: Int?
            var reason: String?
            var message: String?
        }
        var waiting: Waiting?
        var running: Running?
        var terminated: Terminated?
    }

    var metadata: ObservedMetadata
    var status: Status?
}

/// A v1 Service as the cluster reports it.
struct ObservedService: Sendable, Hashable, Decodable {
    struct Spec: Sendable, Hashable, Decodable {
        struct Port: Sendable, Hashable, Decodable {
            var name: String?
            var port: Int
            var `protocol`: String?
            var nodePort: Int?
        }
        var type: String?
        var clusterIP: String?
        var ports: [Port]?
    }

    struct Status: Sendable, Hashable, Decodable {
        struct LoadBalancer: Sendable, Hashable, Decodable {
            struct Ingress: Sendable, Hashable, Decodable {
                var ip: String?
                var hostname: String?
            }
            var ingress: [Ingress]?
        }
        var loadBalancer: LoadBalancer?
    }

    var metadata: ObservedMetadata
    var spec: Spec?
    var status: Status?
}

/// A v1 Namespace as the cluster reports it.
struct ObservedNamespace: Sendable, Hashable, Decodable {
    struct Status: Sendable, Hashable, Decodable {
        var phase: String?
    }

    var metadata: ObservedMetadata
    var status: Status?
}
