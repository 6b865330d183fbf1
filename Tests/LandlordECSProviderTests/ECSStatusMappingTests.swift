import Foundation
import LandlordCompute
import LandlordECSProvider
import Testing

/// The status mapping on recorded DescribeServices/DescribeTasks answers (Recorded/README.md):
/// the states moto cannot produce.
@Suite("ECS status mapping (recorded answers)")
struct ECSStatusMappingTests {
    struct Services: Decodable { var services: [ECSService] }
    struct Tasks: Decodable { var tasks: [ECSTask] }

    static func load<T: Decodable>(_ name: String, as type: T.Type) throws -> T {
        let url = try #require(Bundle.module.url(forResource: "Recorded/\(name)", withExtension: "json"))
        return try JSONDecoder().decode(T.self, from: Data(contentsOf: url))
    }

    static func status(
        services: String, tasks: String?, containers: [String] = ["web"], healthChecked: Set<String> = ["web"],
        latest: String? = nil
    ) throws -> ComputeStatus {
        let service = try #require(try Self.load(services, as: Services.self).services.first)
        let tasks = try tasks.map { try Self.load($0, as: Tasks.self).tasks } ?? []
        return ECSStatusMapping.status(
            tenantID: "acme", service: service, tasks: tasks,
            expectation: ECSStatusMapping.Expectation(containers: containers, healthChecked: healthChecked, ports: ["web": [80]]),
            latestRevision: latest, now: Date(timeIntervalSince1970: 1_733_570_700))
    }

    @Test("a completed rollout with every task healthy is running and healthy, with the tasks' endpoints")
    func running() throws {
        let status = try Self.status(
            services: "services-running", tasks: "tasks-running",
            latest: "arn:aws:ecs:us-east-1:123456789012:task-definition/landlord-acme:3")
        #expect(status.state == .running)
        #expect(status.health == .healthy)
        #expect(status.containers == [ContainerStatus(name: "web", state: .running, ready: true, restartCount: 0)])
        #expect(status.metadata["endpoints"] == "10.0.1.17:80,10.0.2.33:80")
        #expect(status.metadata["rollout_state"] == "COMPLETED")
        #expect(status.metadata["running_count"] == "2")
        #expect(status.providerType == "ecs")
    }

    @Test("an image that cannot be pulled fails the tenant with the pull error")
    func imagePull() throws {
        let status = try Self.status(services: "services-image-pull", tasks: "tasks-image-pull")
        #expect(status.state == .failed)
        #expect(status.metadata["message"]?.hasPrefix("image pull failed: CannotPullContainerError") == true)
        #expect(status.metadata["failed_tasks"] == "2")
        #expect(status.health == .unknown)
        #expect(status.containers.first?.state == .failed)
        #expect(status.containers.first?.restartCount == 2)
    }

    @Test("a rollout the circuit breaker failed is failed, with the essential container's exit codes")
    func rolloutFailed() throws {
        let status = try Self.status(
            services: "services-rollout-failed", tasks: "tasks-essential-exited", containers: ["web", "sidecar"],
            healthChecked: [])
        #expect(status.state == .failed)
        let message = try #require(status.metadata["message"])
        #expect(message.contains("deployment failed: ECS deployment circuit breaker: tasks failed to start."))
        #expect(message.contains("Essential container in task exited (web: exit code 1; sidecar: exit code 137)"))
        #expect(status.containers.map(\.name) == ["web", "sidecar"])
        #expect(status.containers.allSatisfy { $0.state == .failed && $0.restartCount == 2 })
        #expect(status.containers.first?.message == "exit code 1")
    }

    @Test("a service the circuit breaker rolled back to an older revision says so")
    func rolledBack() throws {
        let status = try Self.status(
            services: "services-rolled-back", tasks: "tasks-running",
            latest: "arn:aws:ecs:us-east-1:123456789012:task-definition/landlord-acme:4")
        #expect(status.state == .failed)
        let message = try #require(status.metadata["message"])
        #expect(message.contains("revision 4 failed to deploy"))
        #expect(message.contains("rolled the service back to revision 3"))
        #expect(message.contains("Rolling back to deployment ecs-svc/3333"))
    }

    @Test("a task failing its health checks makes the tenant unhealthy and counts the replaced task")
    func unhealthy() throws {
        let status = try Self.status(
            services: "services-rolled-back", tasks: "tasks-unhealthy",
            latest: "arn:aws:ecs:us-east-1:123456789012:task-definition/landlord-acme:3")
        #expect(status.state == .running)
        #expect(status.health == .unhealthy)
        let web = try #require(status.containers.first)
        #expect(web.state == .running)
        #expect(!web.ready)
        #expect(web.restartCount == 1)
        #expect(web.message == "failing its health check")
    }

    @Test("a service scaled to zero is stopped; a rollout in progress is starting")
    func stoppedAndStarting() throws {
        var service = try #require(try Self.load("services-running", as: Services.self).services.first)
        service.desiredCount = 0
        service.runningCount = 0
        service.deployments?[0].desiredCount = 0
        service.deployments?[0].runningCount = 0
        let stopped = ECSStatusMapping.status(
            tenantID: "acme", service: service, tasks: [], expectation: .init(containers: ["web"]), latestRevision: nil,
            now: Date())
        #expect(stopped.state == .stopped)
        service.deployments?[0].desiredCount = 2
        service.deployments?[0].rolloutState = "IN_PROGRESS"
        let starting = ECSStatusMapping.status(
            tenantID: "acme", service: service, tasks: [], expectation: .init(containers: ["web"]), latestRevision: nil,
            now: Date())
        #expect(starting.state == .starting)
        #expect(starting.containers == [ContainerStatus(name: "web", state: .starting, ready: false, message: "no task yet")])
    }
}
