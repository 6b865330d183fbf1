package import Foundation
package import LandlordCompute

/// A tenant's status from what ECS says: the service (`DescribeServices`: the PRIMARY deployment's
/// `rolloutState`, running/desired/pending counts, failed tasks) and its tasks (`ListTasks` +
/// `DescribeTasks`: last status, health status, stopped reason, per-container exit codes and reasons).
///
/// | ECS says | state | message |
/// |---|---|---|
/// | the PRIMARY deployment's rolloutState is `FAILED` | `failed` | the rollout state reason, and why its last task stopped |
/// | the service runs an older revision than the family's newest (the circuit breaker rolled back) | `failed` | which revision failed and which one runs |
/// | desired count 0 | `stopped` | |
/// | a rollout in progress, or fewer running than desired | `starting` (`failed` when the newest stopped task could not pull its image) | the newest stopped task's reason |
/// | running equals desired, one deployment | `running` | |
///
/// Health: `unhealthy` when a running task is UNHEALTHY, `healthy` when tasks run and every one is
/// HEALTHY (or no container has a health check), otherwise `unknown`.
package enum ECSStatusMapping {
    /// What the status needs of the spec: container names and which have health checks.
    package struct Expectation: Sendable, Hashable {
        package var containers: [String]
        package var healthChecked: Set<String>
        package var ports: [String: [Int]]

        package init(containers: [String], healthChecked: Set<String> = [], ports: [String: [Int]] = [:]) {
            self.containers = containers
            self.healthChecked = healthChecked
            self.ports = ports
        }

        /// The expectation of a (stored) spec.
        package init(_ spec: TenantComputeSpec) {
            self.containers = spec.containers.map(\.name)
            self.healthChecked = Set(spec.containers.filter { $0.healthCheck != nil }.map(\.name))
            self.ports = Dictionary(spec.containers.map { ($0.name, $0.ports.map(\.containerPort)) }, uniquingKeysWith: { a, _ in a })
        }
    }

    /// The status of a tenant.
    ///
    /// - Parameters:
    ///   - tenantID: The tenant.
    ///   - service: The service as `DescribeServices` answers it.
    ///   - tasks: Its tasks (running and recently stopped).
    ///   - expectation: The spec's containers.
    ///   - latestRevision: The ARN of the family's newest ACTIVE revision, when known.
    ///   - now: The status time.
    package static func status(
        tenantID: String, service: ECSService, tasks: [ECSTask], expectation: Expectation, latestRevision: String?,
        now: Date
    ) -> ComputeStatus {
        let deployments = service.deployments ?? []
        let primary = deployments.first { $0.deploymentStatus == .primary }
        let desired = primary?.desiredCount ?? service.desiredCount ?? 0
        let running = primary?.runningCount ?? service.runningCount ?? 0
        let pending = primary?.pendingCount ?? service.pendingCount ?? 0
        let primaryDefinition = primary?.taskDefinition ?? service.taskDefinition
        let current = tasks.filter { primaryDefinition == nil || $0.taskDefinitionArn == primaryDefinition }
        let live = current.filter { $0.last != .stopped }
        let stopped = current.filter { $0.last == .stopped }
            .sorted { ($0.stoppedAt?.secondsSince1970 ?? 0) > ($1.stoppedAt?.secondsSince1970 ?? 0) }
        let stopReason = stopped.first.map(Self.stopDescription)

        var metadata: [String: String] = [
            "service": service.serviceName ?? "",
            "desired_count": "\(desired)", "running_count": "\(running)", "pending_count": "\(pending)",
        ]
        if let definition = primaryDefinition { metadata["task_definition"] = definition }
        if let state = primary?.rolloutState { metadata["rollout_state"] = state }
        if let failed = primary?.failedTasks, failed > 0 { metadata["failed_tasks"] = "\(failed)" }
        let endpoints = Self.endpoints(live, expectation)
        if !endpoints.isEmpty { metadata["endpoints"] = endpoints.joined(separator: ",") }

        var state: ComputeState
        var message = ""
        // A rollback: the service is set to an older revision than the family's newest, and no
        // deployment runs the newest (the circuit breaker replaced it). The service's own
        // taskDefinition is what it is set to run; compare revisions, not ARN spellings.
        let serviceRevision = (service.taskDefinition ?? primaryDefinition).flatMap(ECSNaming.revision(ofTaskDefinitionARN:))
        let latestNumber = latestRevision.flatMap(ECSNaming.revision(ofTaskDefinitionARN:))
        let rolledBack: Bool = {
            guard let serviceRevision, let latestNumber, latestNumber > serviceRevision else { return false }
            return !deployments.contains { $0.taskDefinition.flatMap(ECSNaming.revision(ofTaskDefinitionARN:)) == latestNumber }
        }()
        if primary?.rollout == .failed {
            state = .failed
            message = "deployment failed: " + (primary?.rolloutStateReason ?? "the circuit breaker stopped it")
            if let stopReason { message += "; last stopped task: \(stopReason)" }
        } else if rolledBack, let latestNumber, let serviceRevision {
            state = .failed
            message =
                "revision \(latestNumber) failed to deploy; the deployment circuit breaker rolled the service back to revision \(serviceRevision)"
            if let reason = Self.lastRollbackEvent(service) { message += ": \(reason)" }
        } else if service.state == .draining {
            state = .stopping
            message = "the service is being deleted"
        } else if desired == 0 {
            state = running > 0 ? .stopping : .stopped
        } else if primary?.rollout == .inProgress || running < desired || deployments.count > 1 {
            state = .starting
            if let first = stopped.first, Self.isImagePullFailure(first) {
                state = .failed
                message = "image pull failed: \(first.stoppedReason ?? "CannotPullContainerError")"
            } else if let stopReason {
                message = "\(running) of \(desired) tasks running; last stopped task: \(stopReason)"
            } else {
                message = "\(running) of \(desired) tasks running, \(pending) pending"
            }
        } else {
            state = .running
        }

        let containers = expectation.containers.map { name in
            Self.containerStatus(name, live: live, stopped: stopped, healthChecked: expectation.healthChecked.contains(name))
        }
        let health: HealthStatus
        let runningTasks = live.filter { $0.last == .running }
        if runningTasks.contains(where: { $0.health == .unhealthy }) {
            health = .unhealthy
        } else if !runningTasks.isEmpty
            && (expectation.healthChecked.isEmpty || runningTasks.allSatisfy { $0.health == .healthy })
        {
            health = .healthy
        } else {
            health = .unknown
        }
        return ComputeStatus(
            tenantID: tenantID, providerType: ECSProvider.defaultName, state: state, containers: containers,
            health: health, lastUpdated: now, metadata: metadata.merging(message.isEmpty ? [:] : ["message": message], uniquingKeysWith: { $1 }))
    }

    /// Why a task stopped: its stopped reason and its containers' exit codes and reasons.
    static func stopDescription(_ task: ECSTask) -> String {
        var text = task.stoppedReason ?? task.stopCode ?? "stopped"
        let details = (task.containers ?? []).compactMap { container -> String? in
            guard let name = container.name else { return nil }
            var parts: [String] = []
            if let code = container.exitCode { parts.append("exit code \(code)") }
            if let reason = container.reason, !reason.isEmpty { parts.append(reason) }
            return parts.isEmpty ? nil : "\(name): \(parts.joined(separator: ", "))"
        }
        if !details.isEmpty { text += " (\(details.joined(separator: "; ")))" }
        return text
    }

    static func isImagePullFailure(_ task: ECSTask) -> Bool {
        let texts = [task.stoppedReason ?? ""] + (task.containers ?? []).map { $0.reason ?? "" }
        return texts.contains { $0.contains("CannotPullContainer") || $0.contains("pull image") }
    }

    private static func lastRollbackEvent(_ service: ECSService) -> String? {
        service.events?.first { event in
            let text = (event.message ?? "").lowercased()
            return text.contains("rolling back") || text.contains("circuit breaker")
        }?.message
    }

    private static func containerStatus(_ name: String, live: [ECSTask], stopped: [ECSTask], healthChecked: Bool) -> ContainerStatus {
        // Restarts: ECS replaces a task whose essential container exits; count the stopped tasks of
        // the current deployment in which this container exited.
        let restarts = stopped.filter { task in
            (task.containers ?? []).contains { $0.name == name && ($0.exitCode != nil || $0.last == .stopped) }
        }.count
        let container = live.lazy.compactMap { task in task.containers?.first { $0.name == name } }.first
        guard let container else {
            if let last = stopped.first, let dead = last.containers?.first(where: { $0.name == name }) {
                let reason = [dead.exitCode.map { "exit code \($0)" }, dead.reason].compactMap { $0 }.filter { !$0.isEmpty }
                    .joined(separator: ", ")
                return ContainerStatus(name: name, state: .failed, ready: false, restartCount: restarts, message: reason.isEmpty ? (last.stoppedReason ?? "") : reason)
            }
            return ContainerStatus(name: name, state: .starting, ready: false, restartCount: restarts, message: "no task yet")
        }
        let state: ContainerState =
            switch container.last {
            case .running: .running
            case .stopped: .stopped
            case .pending, .provisioning, .activating: .starting
            case .deactivating, .stopping, .deprovisioning: .stopping
            case nil: .unknown
            }
        let ready = state == .running && (!healthChecked || container.health == .healthy)
        var message = container.reason ?? ""
        if healthChecked, state == .running, container.health == .unhealthy { message = "failing its health check" }
        return ContainerStatus(name: name, state: state, ready: ready, restartCount: restarts, message: message)
    }

    /// `ip:port` of every running task's ENI address and the spec's container ports.
    private static func endpoints(_ tasks: [ECSTask], _ expectation: Expectation) -> [String] {
        var result: [String] = []
        for task in tasks where task.last == .running {
            let address =
                task.attachments?.first { $0.type == "ElasticNetworkInterface" }?.details?
                .first { $0.name == "privateIPv4Address" }?.value
                ?? task.containers?.first?.networkInterfaces?.first?.privateIpv4Address
            guard let address else { continue }
            for name in expectation.containers {
                for port in expectation.ports[name] ?? [] { result.append("\(address):\(port)") }
            }
        }
        return result
    }
}
