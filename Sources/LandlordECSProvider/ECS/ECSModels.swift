internal import Foundation

// The parts of the Amazon ECS API (2014-11-13) landlord sends and reads, as the AWS JSON 1.1
// protocol spells them (lowerCamelCase members, nil members left out). Field documentation:
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/

/// A resource tag.
package struct ECSTag: Codable, Sendable, Hashable {
    package var key: String
    package var value: String
    package init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}

/// A name/value pair (container `environment`).
package struct ECSKeyValuePair: Codable, Sendable, Hashable {
    package var name: String
    package var value: String

    package init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// A container port mapping (`awsvpc`: the host port equals the container port).
package struct ECSPortMapping: Codable, Sendable, Hashable {
    package var containerPort: Int
    package var hostPort: Int?
    package var `protocol`: String?
    package var name: String?

    package init(containerPort: Int, hostPort: Int? = nil, `protocol`: String? = nil, name: String? = nil) {
        self.containerPort = containerPort
        self.hostPort = hostPort
        self.protocol = `protocol`
        self.name = name
    }
}

/// A container health check: a command ECS runs in the container.
package struct ECSHealthCheck: Codable, Sendable, Hashable {
    /// `["CMD", exe, args...]` or `["CMD-SHELL", "shell command"]`.
    package var command: [String]
    package var interval: Int?
    package var timeout: Int?
    package var retries: Int?
    package var startPeriod: Int?
}

/// A secret ECS injects as an environment variable at task start (`valueFrom`: a Secrets Manager
/// or SSM Parameter Store reference).
package struct ECSSecret: Codable, Sendable, Hashable {
    package var name: String
    package var valueFrom: String

    package init(name: String, valueFrom: String) {
        self.name = name
        self.valueFrom = valueFrom
    }
}

/// A container's log driver.
package struct ECSLogConfiguration: Codable, Sendable, Hashable {
    package var logDriver: String
    package var options: [String: String]?

    package init(logDriver: String, options: [String: String]? = nil) {
        self.logDriver = logDriver
        self.options = options
    }
}

/// One container of a task definition.
package struct ECSContainerDefinition: Codable, Sendable, Hashable {
    package var name: String
    package var image: String
    package var essential: Bool?
    package var entryPoint: [String]?
    package var command: [String]?
    package var environment: [ECSKeyValuePair]?
    package var portMappings: [ECSPortMapping]?
    package var healthCheck: ECSHealthCheck?
    package var cpu: Int?
    package var memory: Int?
    package var secrets: [ECSSecret]?
    package var logConfiguration: ECSLogConfiguration?
    package var dockerLabels: [String: String]?
}

/// Task-level ephemeral storage (Fargate), in GiB.
package struct ECSEphemeralStorage: Codable, Sendable, Hashable {
    package var sizeInGiB: Int
}

/// `RegisterTaskDefinition`'s request.
package struct ECSRegisterTaskDefinitionInput: Codable, Sendable, Hashable {
    package var family: String
    package var taskRoleArn: String?
    package var executionRoleArn: String?
    package var networkMode: String
    package var containerDefinitions: [ECSContainerDefinition]
    package var requiresCompatibilities: [String]?
    package var cpu: String?
    package var memory: String?
    package var ephemeralStorage: ECSEphemeralStorage?
    package var tags: [ECSTag]?
}

/// A registered task definition revision.
package struct ECSTaskDefinition: Codable, Sendable, Hashable {
    package var taskDefinitionArn: String
    package var family: String?
    package var revision: Int?
    package var status: String?
    package var containerDefinitions: [ECSContainerDefinition]?

    package init(taskDefinitionArn: String, family: String? = nil, revision: Int? = nil, status: String? = nil, containerDefinitions: [ECSContainerDefinition]? = nil) {
        self.taskDefinitionArn = taskDefinitionArn
        self.family = family
        self.revision = revision
        self.status = status
        self.containerDefinitions = containerDefinitions
    }
}

/// `awsvpc` network settings of a service.
package struct ECSAwsVpcConfiguration: Codable, Sendable, Hashable {
    package var subnets: [String]
    package var securityGroups: [String]?
    /// `ENABLED` or `DISABLED`.
    package var assignPublicIp: String?
}

/// A service's network configuration.
package struct ECSNetworkConfiguration: Codable, Sendable, Hashable {
    package var awsvpcConfiguration: ECSAwsVpcConfiguration?
}

/// One entry of a capacity provider strategy.
package struct ECSCapacityProviderStrategyItem: Codable, Sendable, Hashable {
    package var capacityProvider: String
    package var weight: Int?
    package var base: Int?
}

/// The deployment circuit breaker.
package struct ECSDeploymentCircuitBreaker: Codable, Sendable, Hashable {
    package var enable: Bool
    package var rollback: Bool
}

/// A service's deployment settings.
package struct ECSDeploymentConfiguration: Codable, Sendable, Hashable {
    package var deploymentCircuitBreaker: ECSDeploymentCircuitBreaker?
    package var maximumPercent: Int?
    package var minimumHealthyPercent: Int?

    /// The circuit breaker on, with rollback: a deployment whose tasks keep failing is rolled back
    /// to the last completed one.
    package static let rollingWithRollback = ECSDeploymentConfiguration(
        deploymentCircuitBreaker: ECSDeploymentCircuitBreaker(enable: true, rollback: true),
        maximumPercent: 200, minimumHealthyPercent: 100)
}

/// A timestamp as the JSON protocol sends it: epoch seconds (a number; some emulators send text).
package struct ECSTimestamp: Codable, Sendable, Hashable {
    /// Seconds since 1970.
    package var secondsSince1970: Double

    package init(secondsSince1970: Double) {
        self.secondsSince1970 = secondsSince1970
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Double.self) {
            self.secondsSince1970 = number
        } else {
            let text = try container.decode(String.self)
            guard let date = AWSCredentialChain.parseDate(text) ?? Self.parseLoose(text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a timestamp")
            }
            self.secondsSince1970 = date.timeIntervalSince1970
        }
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(self.secondsSince1970)
    }

    private static func parseLoose(_ text: String) -> Date? {
        // `2026-12-07 11:30:00.123456+00:00` (Python's str(datetime)).
        let normalized = text.replacingOccurrences(of: " ", with: "T")
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: normalized) ?? ISO8601DateFormatter().date(from: normalized)
    }
}

/// One deployment of a service.
package struct ECSDeployment: Codable, Sendable, Hashable {
    package var id: String?
    /// `PRIMARY` (the newest), `ACTIVE` (older, still running tasks) or `INACTIVE`.
    package var status: String?
    package var taskDefinition: String?
    package var desiredCount: Int?
    package var pendingCount: Int?
    package var runningCount: Int?
    package var failedTasks: Int?
    /// `IN_PROGRESS`, `COMPLETED` or `FAILED` (circuit breaker).
    package var rolloutState: String?
    package var rolloutStateReason: String?
    package var createdAt: ECSTimestamp?
    package var updatedAt: ECSTimestamp?
}

/// A service event (ECS's own log of what it did, e.g. "has reached a steady state").
package struct ECSServiceEvent: Codable, Sendable, Hashable {
    package var id: String?
    package var message: String?
    package var createdAt: ECSTimestamp?
}

/// A service as `DescribeServices` answers it.
package struct ECSService: Codable, Sendable, Hashable {
    package var serviceArn: String?
    package var serviceName: String?
    package var clusterArn: String?
    /// `ACTIVE`, `DRAINING` or `INACTIVE`.
    package var status: String?
    package var desiredCount: Int?
    package var runningCount: Int?
    package var pendingCount: Int?
    package var launchType: String?
    package var platformVersion: String?
    package var capacityProviderStrategy: [ECSCapacityProviderStrategyItem]?
    package var taskDefinition: String?
    package var deployments: [ECSDeployment]?
    package var events: [ECSServiceEvent]?
    package var networkConfiguration: ECSNetworkConfiguration?
    package var deploymentConfiguration: ECSDeploymentConfiguration?
    package var createdAt: ECSTimestamp?
    package var tags: [ECSTag]?
}

/// A name/value detail of a task attachment (the ENI's `privateIPv4Address`).
package struct ECSKeyValue: Codable, Sendable, Hashable {
    package var name: String?
    package var value: String?
}

/// A task attachment (`ElasticNetworkInterface` in `awsvpc` mode).
package struct ECSAttachment: Codable, Sendable, Hashable {
    package var type: String?
    package var status: String?
    package var details: [ECSKeyValue]?
}

/// A network interface of a container.
package struct ECSNetworkInterface: Codable, Sendable, Hashable {
    package var privateIpv4Address: String?
}

/// A container of a running or stopped task.
package struct ECSContainer: Codable, Sendable, Hashable {
    package var name: String?
    package var lastStatus: String?
    package var exitCode: Int?
    package var reason: String?
    /// `HEALTHY`, `UNHEALTHY` or `UNKNOWN`.
    package var healthStatus: String?
    package var networkInterfaces: [ECSNetworkInterface]?
}

/// A task as `DescribeTasks` answers it.
package struct ECSTask: Codable, Sendable, Hashable {
    package var taskArn: String?
    package var taskDefinitionArn: String?
    /// `PROVISIONING`, `PENDING`, `ACTIVATING`, `RUNNING`, `DEACTIVATING`, `STOPPING`, `DEPROVISIONING`, `STOPPED`.
    package var lastStatus: String?
    package var desiredStatus: String?
    package var healthStatus: String?
    package var stoppedReason: String?
    package var stopCode: String?
    package var containers: [ECSContainer]?
    package var attachments: [ECSAttachment]?
    package var startedBy: String?
    package var group: String?
    package var createdAt: ECSTimestamp?
    package var stoppedAt: ECSTimestamp?
}

/// A failure entry of a describe call (`MISSING`).
package struct ECSFailure: Codable, Sendable, Hashable {
    package var arn: String?
    package var reason: String?
    package var detail: String?
}

/// A cluster as `DescribeClusters` answers it.
package struct ECSCluster: Codable, Sendable, Hashable {
    package var clusterArn: String?
    package var clusterName: String?
    package var status: String?
}
