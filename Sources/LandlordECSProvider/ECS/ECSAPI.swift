internal import Foundation

/// The Amazon ECS operations landlord uses, typed, over an ``AWSJSONClient``
/// (`X-Amz-Target: AmazonEC2ContainerServiceV20141113.<Operation>`).
///
/// Reads and writes with a `clientToken` are sent as idempotent (5xx retried); every call is
/// retried on throttling.
package struct ECSAPI: Sendable {
    /// The `X-Amz-Target` prefix of ECS.
    package static let targetPrefix = "AmazonEC2ContainerServiceV20141113"

    package let client: AWSJSONClient
    /// The cluster (name or ARN) every service call names.
    package let cluster: String

    package init(client: AWSJSONClient, cluster: String) {
        self.client = client
        self.cluster = cluster
    }

    // MARK: - Clusters

    private struct DescribeClustersInput: Encodable { var clusters: [String] }
    private struct DescribeClustersOutput: Decodable {
        var clusters: [ECSCluster]?
        var failures: [ECSFailure]?
    }

    /// The configured cluster, nil when ECS says it is missing (or not ACTIVE).
    package func describeCluster() async throws -> ECSCluster? {
        let output: DescribeClustersOutput = try await self.client.call(
            "DescribeClusters", DescribeClustersInput(clusters: [self.cluster]), idempotent: true)
        return output.clusters?.first { ($0.status ?? "ACTIVE") == "ACTIVE" }
    }

    // MARK: - Task definitions

    private struct TaskDefinitionOutput: Decodable {
        var taskDefinition: ECSTaskDefinition
        var tags: [ECSTag]?
    }

    /// Registers a revision of `input.family`.
    package func registerTaskDefinition(_ input: ECSRegisterTaskDefinitionInput) async throws -> ECSTaskDefinition {
        let output: TaskDefinitionOutput = try await self.client.call("RegisterTaskDefinition", input, idempotent: false)
        return output.taskDefinition
    }

    private struct DescribeTaskDefinitionInput: Encodable {
        var taskDefinition: String
        var include: [String]?
    }

    /// The revision `arnOrFamilyRevision` (an ARN, `family:revision`, or a family for its latest ACTIVE).
    package func describeTaskDefinition(_ arnOrFamilyRevision: String) async throws -> ECSTaskDefinition {
        let output: TaskDefinitionOutput = try await self.client.call(
            "DescribeTaskDefinition", DescribeTaskDefinitionInput(taskDefinition: arnOrFamilyRevision), idempotent: true)
        return output.taskDefinition
    }

    private struct ListTaskDefinitionsInput: Encodable {
        var familyPrefix: String
        var status: String
        var sort: String
        var nextToken: String?
    }
    private struct ListTaskDefinitionsOutput: Decodable {
        var taskDefinitionArns: [String]?
        var nextToken: String?
    }

    /// Every ACTIVE revision ARN of exactly `family`, newest first.
    package func activeRevisions(of family: String) async throws -> [String] {
        var arns: [String] = []
        var token: String?
        repeat {
            let output: ListTaskDefinitionsOutput = try await self.client.call(
                "ListTaskDefinitions",
                ListTaskDefinitionsInput(familyPrefix: family, status: "ACTIVE", sort: "DESC", nextToken: token),
                idempotent: true)
            arns += output.taskDefinitionArns ?? []
            token = output.nextToken
        } while token != nil
        // familyPrefix is a prefix for some implementations: keep exactly `family:<revision>`.
        return arns.filter { ECSNaming.family(ofTaskDefinitionARN: $0) == family }
            .sorted { (ECSNaming.revision(ofTaskDefinitionARN: $0) ?? 0) > (ECSNaming.revision(ofTaskDefinitionARN: $1) ?? 0) }
    }

    private struct DeregisterInput: Encodable { var taskDefinition: String }

    /// Deregisters a revision (it becomes INACTIVE; running tasks keep running).
    package func deregisterTaskDefinition(_ arn: String) async throws {
        let _: TaskDefinitionOutput = try await self.client.call(
            "DeregisterTaskDefinition", DeregisterInput(taskDefinition: arn), idempotent: true)
    }

    // MARK: - Services

    /// `CreateService`'s request.
    package struct CreateServiceInput: Encodable, Sendable, Hashable {
        package var cluster: String
        package var serviceName: String
        package var taskDefinition: String
        package var desiredCount: Int
        package var launchType: String?
        package var capacityProviderStrategy: [ECSCapacityProviderStrategyItem]?
        package var platformVersion: String?
        package var networkConfiguration: ECSNetworkConfiguration?
        package var deploymentConfiguration: ECSDeploymentConfiguration
        package var propagateTags: String
        package var enableECSManagedTags: Bool
        package var tags: [ECSTag]
        /// Makes a repeated create with the same parameters succeed (up to 36 characters).
        package var clientToken: String
    }

    private struct ServiceOutput: Decodable { var service: ECSService }

    /// Creates a service.
    package func createService(_ input: CreateServiceInput) async throws -> ECSService {
        let output: ServiceOutput = try await self.client.call("CreateService", input, idempotent: true)
        return output.service
    }

    /// `UpdateService`'s request: nil members are left as they are.
    package struct UpdateServiceInput: Encodable, Sendable, Hashable {
        package var cluster: String
        package var service: String
        package var taskDefinition: String?
        package var desiredCount: Int?
        package var capacityProviderStrategy: [ECSCapacityProviderStrategyItem]?
        package var platformVersion: String?
        package var networkConfiguration: ECSNetworkConfiguration?
        package var deploymentConfiguration: ECSDeploymentConfiguration?
    }

    /// Updates a service (a new deployment when the task definition or network changes).
    package func updateService(_ input: UpdateServiceInput) async throws -> ECSService {
        let output: ServiceOutput = try await self.client.call("UpdateService", input, idempotent: true)
        return output.service
    }

    private struct DeleteServiceInput: Encodable {
        var cluster: String
        var service: String
        var force: Bool
    }

    /// Deletes a service (it becomes DRAINING, then INACTIVE).
    package func deleteService(_ name: String) async throws {
        let _: ServiceOutput = try await self.client.call(
            "DeleteService", DeleteServiceInput(cluster: self.cluster, service: name, force: true), idempotent: true)
    }

    private struct DescribeServicesInput: Encodable {
        var cluster: String
        var services: [String]
        var include: [String]
    }
    private struct DescribeServicesOutput: Decodable {
        var services: [ECSService]?
        var failures: [ECSFailure]?
    }

    /// The service `name` with its tags, nil when it is missing or INACTIVE.
    package func describeService(_ name: String) async throws -> ECSService? {
        let output: DescribeServicesOutput = try await self.client.call(
            "DescribeServices", DescribeServicesInput(cluster: self.cluster, services: [name], include: ["TAGS"]),
            idempotent: true)
        return output.services?.first { $0.state != .inactive }
    }

    // MARK: - Tasks

    private struct ListTasksInput: Encodable {
        var cluster: String
        var serviceName: String
        var desiredStatus: String
        var nextToken: String?
    }
    private struct ListTasksOutput: Decodable {
        var taskArns: [String]?
        var nextToken: String?
    }
    private struct DescribeTasksInput: Encodable {
        var cluster: String
        var tasks: [String]
    }
    private struct DescribeTasksOutput: Decodable {
        var tasks: [ECSTask]?
    }

    /// The service's tasks whose desired status is `RUNNING` and those recently `STOPPED` (ECS keeps
    /// stopped tasks for about an hour), described.
    package func tasks(ofService name: String) async throws -> [ECSTask] {
        var arns: [String] = []
        for desired in [ECSTaskStatus.running.rawValue, ECSTaskStatus.stopped.rawValue] {
            var token: String?
            repeat {
                let output: ListTasksOutput = try await self.client.call(
                    "ListTasks",
                    ListTasksInput(cluster: self.cluster, serviceName: name, desiredStatus: desired, nextToken: token),
                    idempotent: true)
                arns += output.taskArns ?? []
                token = output.nextToken
            } while token != nil && arns.count < 200
        }
        var tasks: [ECSTask] = []
        var start = 0
        while start < arns.count {
            let batch = Array(arns[start..<min(start + 100, arns.count)])
            let output: DescribeTasksOutput = try await self.client.call(
                "DescribeTasks", DescribeTasksInput(cluster: self.cluster, tasks: batch), idempotent: true)
            tasks += output.tasks ?? []
            start += 100
        }
        return tasks
    }
}
