// What landlord reads of Nomad's answers (`api/jobs.go`, `api/allocations.go`, `api/tasks.go`,
// `api/deployments.go`, `api/variables.go`, `api/agent.go`, `api/acl.go`); every field optional
// or defaulted, so that an answer of a newer or older Nomad still decodes.

/// A job as `GET /v1/job/:id` answers it: what landlord needs to find its tenant again.
package struct NomadJobInfo: Sendable, Hashable, Decodable {
    package var id: String
    package var namespace: String?
    package var status: String?
    package var stop: Bool?
    package var version: UInt64?
    package var jobModifyIndex: UInt64
    package var meta: [String: String]?
    package var taskGroups: [Group]?

    /// A group's name and tasks' names (the containers a status reports).
    package struct Group: Sendable, Hashable, Decodable {
        package var name: String
        package var count: Int?
        package var tasks: [Task]?

        package struct Task: Sendable, Hashable, Decodable {
            package var name: String
            enum CodingKeys: String, CodingKey { case name = "Name" }
        }

        enum CodingKeys: String, CodingKey { case name = "Name", count = "Count", tasks = "Tasks" }
    }

    enum CodingKeys: String, CodingKey {
        case id = "ID", namespace = "Namespace", status = "Status", stop = "Stop", version = "Version"
        case jobModifyIndex = "JobModifyIndex", meta = "Meta", taskGroups = "TaskGroups"
    }
}

/// The answer of a job register (`api.JobRegisterResponse`).
package struct NomadRegisterResponse: Sendable, Hashable, Decodable {
    package var evalID: String?
    package var jobModifyIndex: UInt64
    package var warnings: String?

    enum CodingKeys: String, CodingKey {
        case evalID = "EvalID", jobModifyIndex = "JobModifyIndex", warnings = "Warnings"
    }
}

/// The answer of a job plan (`api.JobPlanResponse`) with its diff.
package struct NomadPlanResponse: Sendable, Hashable, Decodable {
    package var jobModifyIndex: UInt64
    package var diff: NomadJobDiff?

    enum CodingKeys: String, CodingKey { case jobModifyIndex = "JobModifyIndex", diff = "Diff" }
}

/// A job diff (`api.JobDiff`): `Type` is `None`, `Added`, `Deleted` or `Edited`.
package struct NomadJobDiff: Sendable, Hashable, Decodable {
    package var type: String
    package var fields: [NomadFieldDiff]?
    package var objects: [NomadObjectDiff]?
    package var taskGroups: [NomadTaskGroupDiff]?

    enum CodingKeys: String, CodingKey {
        case type = "Type", fields = "Fields", objects = "Objects", taskGroups = "TaskGroups"
    }
}

/// A diff of a group (`api.TaskGroupDiff`).
package struct NomadTaskGroupDiff: Sendable, Hashable, Decodable {
    package var type: String
    package var name: String
    package var fields: [NomadFieldDiff]?
    package var objects: [NomadObjectDiff]?
    package var tasks: [NomadTaskDiff]?

    enum CodingKeys: String, CodingKey {
        case type = "Type", name = "Name", fields = "Fields", objects = "Objects", tasks = "Tasks"
    }
}

/// A diff of a task (`api.TaskDiff`).
package struct NomadTaskDiff: Sendable, Hashable, Decodable {
    package var type: String
    package var name: String
    package var fields: [NomadFieldDiff]?
    package var objects: [NomadObjectDiff]?

    enum CodingKeys: String, CodingKey { case type = "Type", name = "Name", fields = "Fields", objects = "Objects" }
}

/// A diff of a nested object (`api.ObjectDiff`), such as `Template` or `Network`.
package struct NomadObjectDiff: Sendable, Hashable, Decodable {
    package var type: String
    package var name: String
    package var fields: [NomadFieldDiff]?
    package var objects: [NomadObjectDiff]?

    enum CodingKeys: String, CodingKey { case type = "Type", name = "Name", fields = "Fields", objects = "Objects" }
}

/// A diff of one field (`api.FieldDiff`).
package struct NomadFieldDiff: Sendable, Hashable, Decodable {
    package var type: String
    package var name: String
    package var old: String?
    package var new: String?

    enum CodingKeys: String, CodingKey { case type = "Type", name = "Name", old = "Old", new = "New" }
}

/// An allocation as `GET /v1/job/:id/allocations?resources=true` lists it (`api.AllocationListStub`).
package struct NomadAllocation: Sendable, Hashable, Decodable {
    package var id: String
    package var name: String?
    package var jobVersion: UInt64?
    package var taskGroup: String?
    package var desiredStatus: String
    package var clientStatus: String
    package var clientDescription: String?
    package var taskStates: [String: NomadTaskState]?
    package var deploymentStatus: DeploymentStatus?
    package var allocatedResources: AllocatedResources?
    package var createIndex: UInt64?
    package var modifyIndex: UInt64?

    /// The allocation's health in its deployment (`api.AllocDeploymentStatus`).
    package struct DeploymentStatus: Sendable, Hashable, Decodable {
        package var healthy: Bool?
        enum CodingKeys: String, CodingKey { case healthy = "Healthy" }
    }

    /// The allocation's resources; landlord reads the shared ports.
    package struct AllocatedResources: Sendable, Hashable, Decodable {
        package var shared: Shared?

        package struct Shared: Sendable, Hashable, Decodable {
            package var ports: [PortMapping]?
            enum CodingKeys: String, CodingKey { case ports = "Ports" }
        }

        /// A port of the allocation (`api.PortMapping`): label, host port, container port, host IP.
        package struct PortMapping: Sendable, Hashable, Decodable {
            package var label: String
            package var value: Int
            package var to: Int?
            package var hostIP: String?
            enum CodingKeys: String, CodingKey { case label = "Label", value = "Value", to = "To", hostIP = "HostIP" }
        }

        enum CodingKeys: String, CodingKey { case shared = "Shared" }
    }

    enum CodingKeys: String, CodingKey {
        case id = "ID", name = "Name", jobVersion = "JobVersion", taskGroup = "TaskGroup"
        case desiredStatus = "DesiredStatus", clientStatus = "ClientStatus", clientDescription = "ClientDescription"
        case taskStates = "TaskStates", deploymentStatus = "DeploymentStatus"
        case allocatedResources = "AllocatedResources", createIndex = "CreateIndex", modifyIndex = "ModifyIndex"
    }
}

/// A task's state in an allocation (`api.TaskState`).
package struct NomadTaskState: Sendable, Hashable, Decodable {
    package var state: String
    package var failed: Bool?
    package var restarts: UInt64?
    package var events: [NomadTaskEvent]?

    enum CodingKeys: String, CodingKey { case state = "State", failed = "Failed", restarts = "Restarts", events = "Events" }
}

/// An event of a task (`api.TaskEvent`), such as `Terminated` with `Exit Code: 1`.
package struct NomadTaskEvent: Sendable, Hashable, Decodable {
    package var type: String
    package var time: Int64?
    package var displayMessage: String?
    package var details: [String: String]?

    enum CodingKeys: String, CodingKey { case type = "Type", time = "Time", displayMessage = "DisplayMessage", details = "Details" }
}

/// A deployment (`api.Deployment`) as `GET /v1/job/:id/deployment` answers the latest.
package struct NomadDeployment: Sendable, Hashable, Decodable {
    package var id: String
    package var jobVersion: UInt64?
    package var status: String
    package var statusDescription: String?
    package var taskGroups: [String: GroupState]?

    /// A group's progress in the deployment (`api.DeploymentState`).
    package struct GroupState: Sendable, Hashable, Decodable {
        package var autoRevert: Bool?
        package var desiredTotal: Int?
        package var placedAllocs: Int?
        package var healthyAllocs: Int?
        package var unhealthyAllocs: Int?

        enum CodingKeys: String, CodingKey {
            case autoRevert = "AutoRevert", desiredTotal = "DesiredTotal", placedAllocs = "PlacedAllocs"
            case healthyAllocs = "HealthyAllocs", unhealthyAllocs = "UnhealthyAllocs"
        }
    }

    enum CodingKeys: String, CodingKey {
        case id = "ID", jobVersion = "JobVersion", status = "Status", statusDescription = "StatusDescription"
        case taskGroups = "TaskGroups"
    }
}

/// A Nomad Variable (`api.Variable`): the tenant's secret values, only ever in memory.
package struct NomadVariable: Sendable, Hashable, Codable {
    package var namespace: String?
    package var path: String
    package var items: [String: String]
    package var modifyIndex: UInt64?

    enum CodingKeys: String, CodingKey { case namespace = "Namespace", path = "Path", items = "Items", modifyIndex = "ModifyIndex" }

    package init(namespace: String?, path: String, items: [String: String], modifyIndex: UInt64? = nil) {
        self.namespace = namespace
        self.path = path
        self.items = items
        self.modifyIndex = modifyIndex
    }
}

extension NomadVariable: CustomStringConvertible, CustomReflectable {
    /// The path and the item names, never a value.
    package var description: String {
        "NomadVariable(\(self.path), items: \(self.items.keys.sorted().joined(separator: ", ")))"
    }

    package var customMirror: Mirror {
        Mirror(self, children: ["path": self.path, "itemNames": self.items.keys.sorted()], displayStyle: .struct)
    }
}

/// What `GET /v1/agent/self` answers that landlord reads: the agent's region and version.
package struct NomadAgentSelf: Sendable, Hashable, Decodable {
    package var config: Config?

    package struct Config: Sendable, Hashable, Decodable {
        package var region: String?
        package var datacenter: String?
        package var version: Version?

        /// `{"Version": "1.9.3", ...}` in current agents; a bare string is read too.
        package struct Version: Sendable, Hashable, Decodable {
            package var version: String?
            enum CodingKeys: String, CodingKey { case version = "Version" }

            package init(from decoder: any Decoder) throws {
                if let text = try? decoder.singleValueContainer().decode(String.self) {
                    self.version = text
                } else {
                    self.version = try decoder.container(keyedBy: CodingKeys.self).decodeIfPresent(String.self, forKey: .version)
                }
            }
        }

        enum CodingKeys: String, CodingKey { case region = "Region", datacenter = "Datacenter", version = "Version" }

        package init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            self.region = try? container.decodeIfPresent(String.self, forKey: .region)
            self.datacenter = try? container.decodeIfPresent(String.self, forKey: .datacenter)
            self.version = try? container.decodeIfPresent(Version.self, forKey: .version)
        }
    }

    enum CodingKeys: String, CodingKey { case config }
}

/// What `GET /v1/acl/token/self` answers that landlord reads (never the secret).
package struct NomadTokenSelf: Sendable, Hashable, Decodable {
    package var accessorID: String?
    package var name: String?
    package var type: String?
    package var policies: [String]?

    enum CodingKeys: String, CodingKey { case accessorID = "AccessorID", name = "Name", type = "Type", policies = "Policies" }
}
