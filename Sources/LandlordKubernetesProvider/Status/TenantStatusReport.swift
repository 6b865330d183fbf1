internal import Foundation
internal import LandlordCompute

/// A tenant's ``ComputeStatus`` from what the cluster reports: its namespace, its Deployment and
/// the Deployment's pods.
///
/// - state: `stopping` while the namespace terminates; `failed` when the rollout exceeded its
///   progress deadline or a container cannot run (``failingReasons``: crash loop, image pull,
///   bad configuration, OOM kill), with a message naming the container and the cause;
///   `stopped` with zero desired replicas; `running` when the rollout is complete (the
///   `kubectl rollout status` rules of ``RolloutStatus``); `starting` otherwise.
/// - containers: one per spec container, in spec order: running when every pod runs it, the
///   sum of its restart counts over the pods, ready when every pod reports it ready.
/// - health: `healthy` when running and every container is ready (readiness probes), `unhealthy`
///   when failed or a running container is not ready, `unknown` while starting.
struct TenantStatusReport: Sendable {
    /// `waiting.reason`s that mean a container cannot run (the kubelet keeps retrying them, but
    /// the rollout cannot finish without a change of spec or image).
    static let failingReasons: Set<String> = [
        "CrashLoopBackOff", "ImagePullBackOff", "ErrImagePull", "InvalidImageName", "CreateContainerConfigError",
        "CreateContainerError", "RunContainerError", "ErrImageNeverPull",
    ]

    var tenantID: String
    var providerType: String
    /// The spec's container names, in order.
    var containerNames: [String]
    var namespace: ObservedNamespace?
    var deployment: ObservedDeployment?
    var pods: [ObservedPod]

    /// The status; `observedAt` is its `last_updated`.
    func status(observedAt: Date) -> ComputeStatus {
        let containers = self.containerNames.map(self.containerStatus)
        var metadata: [String: String] = [:]
        if let name = self.namespace?.metadata.name { metadata["namespace"] = name }
        let (state, message) = self.state(containers)
        if !message.isEmpty { metadata["message"] = message }
        if let status = self.deployment?.status {
            metadata["replicas_available"] = String(status.availableReplicas ?? 0)
            metadata["replicas_desired"] = String(self.deployment?.spec?.replicas ?? 1)
        }
        let health: HealthStatus
        switch state {
        case .failed: health = .unhealthy
        case .running: health = containers.allSatisfy(\.ready) ? .healthy : .unhealthy
        default: health = .unknown
        }
        return ComputeStatus(
            tenantID: self.tenantID, providerType: self.providerType, state: state, containers: containers,
            health: health, lastUpdated: observedAt, metadata: metadata)
    }

    /// The first spec container that cannot run in one of the pods (crash loop, image pull,
    /// bad configuration), if any.
    var failingContainer: ContainerStatus? {
        self.containerNames.lazy.map(self.containerStatus).first { $0.state == .failed }
    }

    private func state(_ containers: [ContainerStatus]) -> (ComputeState, String) {
        if self.namespace?.status?.phase == "Terminating" || self.namespace?.metadata.deletionTimestamp != nil {
            return (.stopping, "the tenant's namespace is being deleted")
        }
        guard let deployment = self.deployment else {
            return (.starting, "waiting for the tenant's Deployment")
        }
        if let failure = containers.first(where: { $0.state == .failed }) {
            return (.failed, "container \(failure.name): \(failure.message)")
        }
        switch RolloutStatus(deployment) {
        case .deadlineExceeded(let message):
            return (.failed, "rollout failed: \(message)")
        case .waitingForController:
            return (.starting, "waiting for the Deployment controller to observe the latest spec")
        case .progressing(let message):
            return (.starting, "rollout in progress: \(message)")
        case .complete:
            if (deployment.spec?.replicas ?? 1) == 0 { return (.stopped, "scaled to zero replicas") }
            return (.running, "")
        }
    }

    private func containerStatus(_ name: String) -> ContainerStatus {
        let statuses = self.pods.compactMap { $0.status?.containerStatuses?.first { $0.name == name } }
        let restarts = statuses.reduce(0) { $0 + ($1.restartCount ?? 0) }
        guard !statuses.isEmpty else {
            return ContainerStatus(name: name, state: .starting, ready: false, message: "no pod runs it yet")
        }
        if let failing = statuses.first(where: { Self.failingReasons.contains($0.state?.waiting?.reason ?? "") }) {
            let waiting = failing.state?.waiting
            var message = waiting?.reason ?? ""
            if let last = failing.lastState?.terminated {
                let why = last.reason.map { "\($0), " } ?? ""
                message += " (last exit: \(why)code \(last.exitCode ?? -1))"
            }
            if let detail = waiting?.message, !detail.isEmpty { message += ": \(detail.prefix(300))" }
            return ContainerStatus(name: name, state: .failed, ready: false, restartCount: restarts, message: message)
        }
        let ready = statuses.allSatisfy { $0.ready == true }
        if statuses.allSatisfy({ $0.state?.running != nil }) {
            var message = ""
            if let oom = statuses.first(where: { $0.lastState?.terminated?.reason == "OOMKilled" }) {
                message = "restarted after OOMKilled (restarts: \(oom.restartCount ?? 0))"
            }
            return ContainerStatus(name: name, state: .running, ready: ready, restartCount: restarts, message: message)
        }
        let waiting = statuses.compactMap { $0.state?.waiting?.reason }.first ?? "ContainerCreating"
        return ContainerStatus(name: name, state: .starting, ready: false, restartCount: restarts, message: waiting)
    }
}
