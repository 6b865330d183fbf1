package import Foundation
package import LandlordCompute

/// A tenant's status from what Nomad says about its job: the latest deployment and the
/// allocations (pure, no I/O).
///
/// | Nomad | state | health |
/// |---|---|---|
/// | job stopped (`Stop`) | `stopping` while allocations run, else `stopped` | unknown |
/// | deployment `failed`, or a task dead with `Failed`, or a task restarting after it crashed | `failed`, the deployment's `StatusDescription` and the task's last events in the message | unhealthy |
/// | deployment `running`/`pending`/`paused`, or allocations not all running | `starting` | from the allocations' deployment health |
/// | every desired allocation `running` (and the deployment, if any, `successful`) | `running` | healthy when every allocation is healthy in its deployment |
///
/// One ``ContainerStatus`` per task of the job: its state in the current allocations, the sum of
/// their `Restarts`, and a message from its latest significant events (`Terminated` with the exit
/// code, `Driver Failure`, `Not Restarting`, ...).
package struct NomadStatusReport: Sendable {
    package var tenantID: String
    package var providerType: String
    package var job: NomadJobInfo
    package var deployment: NomadDeployment?
    package var allocations: [NomadAllocation]

    package init(
        tenantID: String, providerType: String, job: NomadJobInfo, deployment: NomadDeployment?,
        allocations: [NomadAllocation]
    ) {
        self.tenantID = tenantID
        self.providerType = providerType
        self.job = job
        self.deployment = deployment
        self.allocations = allocations
    }

    /// Task event types whose message says why a task is not running.
    static let significantEvents: Set<String> = [
        "Terminated", "Driver Failure", "Not Restarting", "Setup Failure", "Failed Validation",
        "Failed Artifact Download", "Sibling Task Failed", "Killed", "Restarting",
    ]

    /// The allocations of the job's current version that are meant to run.
    var current: [NomadAllocation] {
        let running = self.allocations.filter { $0.desiredStatus == "run" }
        guard let version = self.job.version else { return running }
        let ofVersion = running.filter { $0.jobVersion == version }
        return ofVersion.isEmpty ? running : ofVersion
    }

    /// The task names of the job (the containers).
    var taskNames: [String] {
        (self.job.taskGroups ?? []).flatMap { ($0.tasks ?? []).map(\.name) }
    }

    var desiredCount: Int {
        (self.job.taskGroups ?? []).map { $0.count ?? 1 }.reduce(0, +)
    }

    /// The deployment of the job's current version, if the latest is that one.
    var currentDeployment: NomadDeployment? {
        guard let deployment = self.deployment else { return nil }
        if let version = self.job.version, let deployed = deployment.jobVersion, deployed != version {
            // A newer job version without a deployment yet, or one an auto-revert replaced.
            return deployment.status == "failed" ? deployment : nil
        }
        return deployment
    }

    /// The status at `now`.
    package func status(now: Date = Date()) -> ComputeStatus {
        let current = self.current
        let containers = self.taskNames.map { self.containerStatus($0, in: current) }
        var metadata: [String: String] = ["job_id": self.job.id]
        if let namespace = self.job.namespace { metadata["namespace"] = namespace }
        if let version = self.job.version { metadata["job_version"] = String(version) }
        metadata["allocations_running"] = String(current.filter { $0.clientStatus == "running" }.count)
        metadata["allocations_desired"] = String(self.desiredCount)
        if let deployment = self.currentDeployment {
            metadata["deployment_id"] = deployment.id
            metadata["deployment_status"] = deployment.status
            let groups = (deployment.taskGroups ?? [:]).values
            if !groups.isEmpty {
                metadata["deployment_auto_revert"] = String(groups.allSatisfy { $0.autoRevert == true })
                metadata["deployment_unhealthy"] = String(groups.map { $0.unhealthyAllocs ?? 0 }.reduce(0, +))
            }
        }
        let endpoints = Self.endpoints(current)
        if !endpoints.isEmpty { metadata["endpoints"] = endpoints.joined(separator: ",") }

        let (state, health, message) = self.verdict(current: current, containers: containers)
        if !message.isEmpty { metadata["message"] = message }
        return ComputeStatus(
            tenantID: self.tenantID, providerType: self.providerType, state: state, containers: containers,
            health: health, lastUpdated: now, metadata: metadata)
    }

    private func verdict(
        current: [NomadAllocation], containers: [ContainerStatus]
    ) -> (ComputeState, HealthStatus, String) {
        if self.job.stop == true {
            let active = self.allocations.contains { ["pending", "running"].contains($0.clientStatus) }
            return (active ? .stopping : .stopped, .unknown, "job \(self.job.id) is stopped")
        }
        let deployment = self.currentDeployment
        let failedContainers = containers.filter { $0.state == .failed }
        if deployment?.status == "failed" || !failedContainers.isEmpty {
            var reasons: [String] = []
            if let deployment, deployment.status == "failed" {
                reasons.append("deployment \(deployment.id.prefix(8)) failed: \(deployment.statusDescription ?? "")")
            }
            for container in failedContainers {
                reasons.append("task \(container.name) (restarts: \(container.restartCount)): \(container.message)")
            }
            return (.failed, .unhealthy, reasons.joined(separator: "; "))
        }
        let running = current.filter { $0.clientStatus == "running" }
        let allRunning = !current.isEmpty && running.count >= self.desiredCount
            && containers.allSatisfy { $0.state == .running }
        let healthFlags = current.map { $0.deploymentStatus?.healthy }
        let health: HealthStatus =
            healthFlags.contains(false) ? .unhealthy
            : (!healthFlags.isEmpty && healthFlags.allSatisfy { $0 == true } && allRunning) ? .healthy
            : (deployment == nil && allRunning) ? .healthy : .unknown
        if let deployment, ["running", "pending", "initializing", "paused", "blocked"].contains(deployment.status) {
            let groups = (deployment.taskGroups ?? [:]).values
            let healthy = groups.map { $0.healthyAllocs ?? 0 }.reduce(0, +)
            let desired = groups.map { $0.desiredTotal ?? 0 }.reduce(0, +)
            let placed = groups.map { $0.placedAllocs ?? 0 }.reduce(0, +)
            return (
                .starting, health,
                "deployment \(deployment.id.prefix(8)) \(deployment.status): \(healthy) of \(desired) allocations healthy, \(placed) placed"
            )
        }
        if let version = self.job.version, !self.allocations.contains(where: { $0.jobVersion == version }),
            self.allocations.contains(where: { $0.desiredStatus == "run" })
        {
            // Registered, not yet placed: the allocations running are of an older version.
            return (.starting, health, "job version \(version) is being scheduled; allocations of an older version run")
        }
        if allRunning {
            return (.running, health, "")
        }
        if current.isEmpty {
            return (.starting, .unknown, "no allocation placed yet")
        }
        let pending = current.filter { $0.clientStatus == "pending" }.count
        return (.starting, health, "\(running.count) of \(self.desiredCount) allocations running, \(pending) pending")
    }

    func containerStatus(_ name: String, in allocations: [NomadAllocation]) -> ContainerStatus {
        let states = allocations.compactMap { $0.taskStates?[name] }
        guard !states.isEmpty else {
            return ContainerStatus(name: name, state: .starting, ready: false, message: "not placed yet")
        }
        let restarts = states.map { Int($0.restarts ?? 0) }.reduce(0, +)
        let message = Self.lastSignificantMessage(states)
        let failed = states.contains { $0.failed == true }
        let crashLooping = states.contains { state in
            state.state != "running" && (state.restarts ?? 0) > 0
                && state.events?.last.map { ["Restarting", "Terminated"].contains($0.type) } == true
        }
        let allRunning = states.allSatisfy { $0.state == "running" }
        let ready = allRunning && allocations.allSatisfy { $0.deploymentStatus?.healthy != false }
        let state: ContainerState =
            failed || crashLooping ? .failed
            : allRunning ? .running
            : states.contains { $0.state == "pending" } ? .starting
            : .stopped
        return ContainerStatus(name: name, state: state, ready: ready && state == .running, restartCount: restarts, message: state == .running ? "" : message)
    }

    /// The display messages of the newest significant events of `states`, newest first.
    static func lastSignificantMessage(_ states: [NomadTaskState]) -> String {
        let events = states.flatMap { $0.events ?? [] }.filter { Self.significantEvents.contains($0.type) }
            .sorted { ($0.time ?? 0) > ($1.time ?? 0) }
        var parts: [String] = []
        for event in events.prefix(3) {
            let text = "\(event.type): \(event.displayMessage ?? "")"
            if !parts.contains(text) { parts.append(text) }
        }
        return parts.joined(separator: ", ")
    }

    /// `label=ip:port` of every allocation port (host IP and host port), sorted.
    static func endpoints(_ allocations: [NomadAllocation]) -> [String] {
        allocations.filter { $0.clientStatus == "running" }.flatMap { allocation in
            (allocation.allocatedResources?.shared?.ports ?? []).map { "\($0.label)=\($0.hostIP ?? ""):\($0.value)" }
        }.sorted()
    }
}
