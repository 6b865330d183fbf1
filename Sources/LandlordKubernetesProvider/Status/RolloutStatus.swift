/// Where a Deployment's rollout is, by the rules of `kubectl rollout status`.
enum RolloutStatus: Sendable, Hashable {
    /// The controller has not yet seen the latest spec (`observedGeneration < generation`).
    case waitingForController
    /// New replicas are being created or becoming available; the message says how far.
    case progressing(String)
    /// Every desired replica runs the latest spec and is available.
    case complete
    /// `Progressing` is `False` with reason `ProgressDeadlineExceeded`.
    case deadlineExceeded(String)

    /// The status of `deployment`.
    init(_ deployment: ObservedDeployment) {
        let status = deployment.status
        guard let generation = deployment.metadata.generation,
            let observed = status?.observedGeneration, observed >= generation
        else {
            self = .waitingForController
            return
        }
        let progressing = status?.conditions?.first { $0.type == "Progressing" }
        if progressing?.reason == "ProgressDeadlineExceeded" {
            self = .deadlineExceeded(progressing?.message ?? "the rollout exceeded its progress deadline")
            return
        }
        let desired = deployment.spec?.replicas ?? 1
        let updated = status?.updatedReplicas ?? 0
        let replicas = status?.replicas ?? 0
        let available = status?.availableReplicas ?? 0
        if updated < desired {
            self = .progressing("\(updated) of \(desired) new replicas have been updated")
        } else if replicas > updated {
            self = .progressing("\(replicas - updated) old replicas are pending termination")
        } else if available < updated {
            self = .progressing("\(available) of \(updated) updated replicas are available")
        } else {
            self = .complete
        }
    }
}
