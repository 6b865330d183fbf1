// The parts of a Nomad job landlord writes and reads, in the JSON of Nomad's HTTP API
// (`api/jobs.go`, `api/tasks.go`, `api/services.go`, `api/resources.go` of the Go API package):
// PascalCase field names, durations in nanoseconds. Fields landlord does not set are left out, and
// Nomad fills in its defaults; fields Nomad answers that landlord does not read are ignored.

/// A Nomad job (`structs.Job`): landlord writes one service job per tenant.
package struct NomadJob: Sendable, Hashable, Codable {
    package var id: String
    package var name: String
    package var namespace: String?
    package var region: String?
    package var type: String
    package var priority: Int?
    package var datacenters: [String]
    package var nodePool: String?
    package var constraints: [NomadConstraint]?
    package var taskGroups: [NomadTaskGroup]
    package var meta: [String: String]?
    // Set by the server; never sent.
    package var status: String?
    package var statusDescription: String?
    package var stop: Bool?
    package var version: UInt64?
    package var stable: Bool?
    package var jobModifyIndex: UInt64?
    package var modifyIndex: UInt64?

    enum CodingKeys: String, CodingKey {
        case id = "ID", name = "Name", namespace = "Namespace", region = "Region", type = "Type"
        case priority = "Priority", datacenters = "Datacenters", nodePool = "NodePool"
        case constraints = "Constraints", taskGroups = "TaskGroups", meta = "Meta", status = "Status"
        case statusDescription = "StatusDescription", stop = "Stop", version = "Version", stable = "Stable"
        case jobModifyIndex = "JobModifyIndex", modifyIndex = "ModifyIndex"
    }

    package init(
        id: String, name: String, namespace: String?, region: String?, type: String = "service", priority: Int?,
        datacenters: [String], nodePool: String?, constraints: [NomadConstraint]?, taskGroups: [NomadTaskGroup],
        meta: [String: String]?
    ) {
        self.id = id
        self.name = name
        self.namespace = namespace
        self.region = region
        self.type = type
        self.priority = priority
        self.datacenters = datacenters
        self.nodePool = nodePool
        self.constraints = constraints
        self.taskGroups = taskGroups
        self.meta = meta
    }
}

/// A placement constraint (`api.Constraint`).
package struct NomadConstraint: Sendable, Hashable, Codable {
    package var lTarget: String
    package var rTarget: String
    package var operand: String

    enum CodingKeys: String, CodingKey {
        case lTarget = "LTarget", rTarget = "RTarget", operand = "Operand"
    }

    package init(lTarget: String, rTarget: String, operand: String) {
        self.lTarget = lTarget
        self.rTarget = rTarget
        self.operand = operand
    }
}

/// A task group (`api.TaskGroup`): landlord writes one, `tenant`, holding every container.
package struct NomadTaskGroup: Sendable, Hashable, Codable {
    package var name: String
    package var count: Int
    package var networks: [NomadNetwork]?
    package var services: [NomadService]?
    package var tasks: [NomadTask]
    package var update: NomadUpdateStrategy?
    package var restartPolicy: NomadRestartPolicy?
    package var reschedulePolicy: NomadReschedulePolicy?
    package var constraints: [NomadConstraint]?
    package var ephemeralDisk: NomadEphemeralDisk?

    enum CodingKeys: String, CodingKey {
        case name = "Name", count = "Count", networks = "Networks", services = "Services", tasks = "Tasks"
        case update = "Update", restartPolicy = "RestartPolicy", reschedulePolicy = "ReschedulePolicy"
        case constraints = "Constraints", ephemeralDisk = "EphemeralDisk"
    }
}

/// The group's scratch disk (`api.EphemeralDisk`), in MB.
package struct NomadEphemeralDisk: Sendable, Hashable, Codable {
    package var sizeMB: Int

    enum CodingKeys: String, CodingKey { case sizeMB = "SizeMB" }
}

/// A group network (`api.NetworkResource`): the ports of the group's tasks.
package struct NomadNetwork: Sendable, Hashable, Codable {
    package var mode: String?
    /// Ports with a static host port (`static` in HCL).
    package var reservedPorts: [NomadPort]?
    /// Ports the scheduler picks a host port for.
    package var dynamicPorts: [NomadPort]?

    enum CodingKeys: String, CodingKey {
        case mode = "Mode", reservedPorts = "ReservedPorts", dynamicPorts = "DynamicPorts"
    }
}

/// A port of a group network (`api.Port`): `Label`, host port `Value` (static ports), container
/// port `To`.
package struct NomadPort: Sendable, Hashable, Codable {
    package var label: String
    package var value: Int?
    package var to: Int?

    enum CodingKeys: String, CodingKey {
        case label = "Label", value = "Value", to = "To"
    }

    package init(label: String, value: Int?, to: Int?) {
        self.label = label
        self.value = value
        self.to = to
    }
}

/// A Nomad-native service registration (`api.Service`, `Provider: nomad`).
package struct NomadService: Sendable, Hashable, Codable {
    package var name: String
    package var provider: String
    package var portLabel: String
    package var tags: [String]?
    package var checks: [NomadServiceCheck]?

    enum CodingKeys: String, CodingKey {
        case name = "Name", provider = "Provider", portLabel = "PortLabel", tags = "Tags", checks = "Checks"
    }
}

/// A service check (`api.ServiceCheck`): `http` or `tcp`, durations in nanoseconds.
package struct NomadServiceCheck: Sendable, Hashable, Codable {
    package var name: String
    package var type: String
    package var path: String?
    package var portLabel: String?
    package var interval: Int64
    package var timeout: Int64
    package var checkRestart: NomadCheckRestart?

    enum CodingKeys: String, CodingKey {
        case name = "Name", type = "Type", path = "Path", portLabel = "PortLabel", interval = "Interval"
        case timeout = "Timeout", checkRestart = "CheckRestart"
    }
}

/// Restarts a task whose check fails `Limit` times in a row, after `Grace` (nanoseconds).
package struct NomadCheckRestart: Sendable, Hashable, Codable {
    package var limit: Int
    package var grace: Int64

    enum CodingKeys: String, CodingKey {
        case limit = "Limit", grace = "Grace"
    }

    package init(limit: Int, grace: Int64) {
        self.limit = limit
        self.grace = grace
    }
}

/// A task (`api.Task`): one docker-driver task per spec container.
package struct NomadTask: Sendable, Hashable, Codable {
    package var name: String
    package var driver: String
    package var config: NomadDockerConfig
    package var env: [String: String]?
    package var resources: NomadResources
    package var templates: [NomadTemplate]?
    package var meta: [String: String]?

    enum CodingKeys: String, CodingKey {
        case name = "Name", driver = "Driver", config = "Config", env = "Env", resources = "Resources"
        case templates = "Templates", meta = "Meta"
    }
}

/// The docker driver's task configuration (lowercase keys, as in HCL).
package struct NomadDockerConfig: Sendable, Hashable, Codable {
    package var image: String
    package var entrypoint: [String]?
    package var args: [String]?
    package var ports: [String]?
}

/// A task's resources (`api.Resources`): `CPU` in MHz or `Cores`, `MemoryMB`.
package struct NomadResources: Sendable, Hashable, Codable {
    package var cpu: Int?
    package var cores: Int?
    package var memoryMB: Int

    enum CodingKeys: String, CodingKey {
        case cpu = "CPU", cores = "Cores", memoryMB = "MemoryMB"
    }
}

/// A template (`api.Template`) rendered by the Nomad client; landlord's read Nomad Variables.
package struct NomadTemplate: Sendable, Hashable, Codable {
    package var embeddedTmpl: String
    package var destPath: String
    package var envvars: Bool
    package var changeMode: String

    enum CodingKeys: String, CodingKey {
        case embeddedTmpl = "EmbeddedTmpl", destPath = "DestPath", envvars = "Envvars", changeMode = "ChangeMode"
    }
}

/// A group's update strategy (`api.UpdateStrategy`): rolling deployments with health deadlines.
package struct NomadUpdateStrategy: Sendable, Hashable, Codable {
    package var maxParallel: Int
    package var healthCheck: String
    package var minHealthyTime: Int64
    package var healthyDeadline: Int64
    package var progressDeadline: Int64
    package var autoRevert: Bool

    enum CodingKeys: String, CodingKey {
        case maxParallel = "MaxParallel", healthCheck = "HealthCheck", minHealthyTime = "MinHealthyTime"
        case healthyDeadline = "HealthyDeadline", progressDeadline = "ProgressDeadline", autoRevert = "AutoRevert"
    }
}

/// A group's restart policy (`api.RestartPolicy`): restarts on the same node.
package struct NomadRestartPolicy: Sendable, Hashable, Codable {
    package var attempts: Int
    package var interval: Int64
    package var delay: Int64
    package var mode: String

    enum CodingKeys: String, CodingKey {
        case attempts = "Attempts", interval = "Interval", delay = "Delay", mode = "Mode"
    }
}

/// A group's reschedule policy (`api.ReschedulePolicy`): new allocations elsewhere after failures.
package struct NomadReschedulePolicy: Sendable, Hashable, Codable {
    package var attempts: Int
    package var interval: Int64
    package var delay: Int64
    package var delayFunction: String
    package var maxDelay: Int64
    package var unlimited: Bool

    enum CodingKeys: String, CodingKey {
        case attempts = "Attempts", interval = "Interval", delay = "Delay", delayFunction = "DelayFunction"
        case maxDelay = "MaxDelay", unlimited = "Unlimited"
    }
}
