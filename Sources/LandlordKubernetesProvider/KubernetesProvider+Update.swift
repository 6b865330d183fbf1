internal import Foundation
internal import LandlordCompute
internal import LandlordProviderKit
internal import Logging

/// How a rollout ended, as the update that waits for it sees it.
enum RolloutVerdict: Sendable, Equatable {
    /// Every desired replica runs the new template and is available.
    case complete
    /// A new pod cannot run, or the progress deadline passed; the message says why.
    case failed(String)
    /// Neither within the wait.
    case undecided
}

extension KubernetesProvider {
    // MARK: - Update

    func updateLocked(_ plan: TenantPlan) async throws -> UpdateResult {
        let tenantID = plan.tenantID
        let namespace = plan.namespace
        let current: Namespace
        let previous: Deployment?
        do {
            try await self.ensureCache()
            guard let found = try await self.api.get(Namespace.self, namespace: nil, name: namespace),
                Self.isTenantNamespace(found, tenantID: tenantID)
            else {
                throw ComputeError(
                    kind: .tenantNotFound, message: "tenant \(SpecValidator.quoted(tenantID)) does not exist")
            }
            guard found.metadata.deletionTimestamp == nil else {
                throw ComputeError(
                    kind: .updateFailed,
                    message: "kubernetes provider: tenant \(SpecValidator.quoted(tenantID)) is being deleted")
            }
            current = found
            previous = try await self.api.get(
                Deployment.self, namespace: namespace, name: KubernetesNaming.workloadName)
        } catch {
            throw Self.mapError(error, kind: .updateFailed, tenantID: tenantID, doing: "look up")
        }

        let previousAnnotation = previous?.metadata.annotations.flatMap(TenantSpecAnnotation.init)
        if current.metadata.annotations?[KubernetesNaming.specHashAnnotation] == plan.hash,
            previousAnnotation?.hash == plan.hash
        {
            return UpdateResult(
                tenantID: tenantID, providerType: self.name, status: .noChanges,
                message: "the tenant already runs this spec", updatedAt: Date())
        }
        var changes =
            previousAnnotation.map {
                SpecChangeDescriptions.tenantChanges(from: $0.spec, to: plan.stored, order: .significant)
            } ?? []
        if changes.isEmpty { changes = ["spec: changed"] }

        // Pods that exist before the apply belong to the old revision: the verdict of the rollout
        // reads only the new ones.
        let oldPods = Set(self.cache.pods.objects(inNamespace: namespace).compactMap(\.metadata.name))
        var applied = AppliedObjects()
        do {
            try await self.applyUpdate(plan, namespaceVersion: current.metadata.resourceVersion, into: &applied)
        } catch {
            throw Self.mapError(error, kind: .updateFailed, tenantID: tenantID, doing: "update")
        }
        try await self.waitForCache(applied, tenantID: tenantID)
        self.logger.debug("updated tenant", metadata: ["tenant_id": "\(tenantID)", "change_count": "\(changes.count)"])

        guard plan.config.rollbackOnFailure == true, let generation = applied.deploymentGeneration else {
            let complete = self.rolloutVerdict(plan, generation: applied.deploymentGeneration, excluding: oldPods)
            return UpdateResult(
                tenantID: tenantID, providerType: self.name, status: complete == .complete ? .success : .inProgress,
                changes: changes,
                message: complete == .complete
                    ? "applied; the Deployment is rolled out" : "applied; the Deployment is rolling out",
                updatedAt: Date())
        }

        let verdict = try await self.waitForRollout(plan, generation: generation, excluding: oldPods)
        switch verdict {
        case .complete:
            return UpdateResult(
                tenantID: tenantID, providerType: self.name, status: .success, changes: changes,
                message: "applied and rolled out", updatedAt: Date())
        case .undecided:
            return UpdateResult(
                tenantID: tenantID, providerType: self.name, status: .inProgress, changes: changes,
                message:
                    "applied; the rollout has not finished within \(self.configuration.rolloutTimeout), so nothing was rolled back",
                updatedAt: Date())
        case .failed(let reason):
            guard let previous else {
                throw ComputeError(
                    kind: .updateFailed,
                    message:
                        "kubernetes provider: the rollout of tenant \(SpecValidator.quoted(tenantID)) failed (\(reason)); there is no previous revision to roll back to"
                )
            }
            do {
                try await self.rollBack(to: previous, namespace: current, tenantID: tenantID)
            } catch {
                throw ComputeError(
                    kind: .updateFailed,
                    message:
                        "kubernetes provider: the rollout of tenant \(SpecValidator.quoted(tenantID)) failed (\(reason)), and rolling back failed too: \(error)"
                )
            }
            self.logger.info(
                "rollout failed; rolled back to the previous revision",
                metadata: ["tenant_id": "\(tenantID)", "reason": "\(reason)"])
            throw ComputeError(
                kind: .updateFailed,
                message:
                    "kubernetes provider: the rollout of tenant \(SpecValidator.quoted(tenantID)) failed (\(reason)); rolled back to the previous revision"
            )
        }
    }

    /// Applies an update: the Namespace first, with the `resourceVersion` read before (only one of
    /// two concurrent updates gets past it), then the other objects; then deletes the Secret and
    /// the Service when the new spec has none.
    private func applyUpdate(
        _ plan: TenantPlan,
        namespaceVersion: String?,
        into applied: inout AppliedObjects
    ) async throws {
        var namespaceObject = plan.objects.namespace
        namespaceObject.metadata.resourceVersion = namespaceVersion
        do {
            try await self.apply([namespaceObject], into: &applied)
        } catch let error as KubernetesAPIError where error.reason == .conflict {
            throw ComputeError(
                kind: .alreadyExists,
                message:
                    "tenant \(SpecValidator.quoted(plan.tenantID)) was changed by another writer while this update ran (409 Conflict on namespace \(plan.namespace)); read its status and retry"
            )
        }
        try await self.apply(Array(plan.objects.inApplyOrder.dropFirst()), into: &applied)
        let api = self.api
        let namespace = plan.namespace
        if plan.objects.secret == nil {
            _ = try await shielded {
                try await api.delete(.secrets, namespace: namespace, name: KubernetesNaming.secretName)
            }
        }
        if plan.objects.service == nil {
            _ = try await shielded {
                try await api.delete(.services, namespace: namespace, name: KubernetesNaming.workloadName)
            }
        }
    }

    // MARK: - Rollout verdict and rollback

    /// The rollout's verdict from the cache now: failed when a pod not in `excluding` cannot run
    /// a container or the progress deadline passed; complete when the controller has seen
    /// `generation` and the rollout is done (``RolloutStatus``).
    func rolloutVerdict(_ plan: TenantPlan, generation: Int?, excluding oldPods: Set<String>) -> RolloutVerdict {
        guard
            let deployment = self.cache.deployments.object(
                ObjectKey(namespace: plan.namespace, name: KubernetesNaming.workloadName))
        else { return .undecided }
        let newPods = self.cache.pods.objects(inNamespace: plan.namespace).filter {
            !oldPods.contains($0.metadata.name ?? "")
        }
        let report = TenantStatusReport(
            tenantID: plan.tenantID, providerType: self.name, containerNames: plan.spec.containers.map(\.name),
            namespace: nil, deployment: deployment, pods: newPods)
        if let failing = report.failingContainer { return .failed("container \(failing.name): \(failing.message)") }
        if let generation, let observed = deployment.status?.observedGeneration, observed < Int64(generation) {
            return .undecided
        }
        switch RolloutStatus(deployment) {
        case .deadlineExceeded(let message): return .failed(message)
        case .complete: return .complete
        case .progressing, .waitingForController: return .undecided
        }
    }

    /// Waits (on the cache) for the verdict of the rollout of `generation`, at most
    /// ``Configuration/rolloutTimeout``.
    private func waitForRollout(
        _ plan: TenantPlan,
        generation: Int,
        excluding oldPods: Set<String>
    ) async throws -> RolloutVerdict {
        var verdict = RolloutVerdict.undecided
        _ = try await self.cache.wait(timeout: self.configuration.rolloutTimeout, interval: .milliseconds(100)) {
            verdict = self.rolloutVerdict(plan, generation: generation, excluding: oldPods)
            return verdict != .undecided
        }
        return verdict
    }

    /// Rolls the tenant back: re-applies the previous Deployment (its template, replicas and
    /// landlord's annotations, so the controller returns to the previous ReplicaSet, as
    /// `kubectl rollout undo` does) and the Namespace's previous spec hash.
    private func rollBack(to previous: Deployment, namespace: Namespace, tenantID: String) async throws {
        var deployment = Deployment(
            metadata: ObjectMeta(
                name: previous.metadata.name, namespace: previous.metadata.namespace,
                labels: previous.metadata.labels,
                annotations: previous.metadata.annotations?.filter {
                    $0.key.hasPrefix(KubernetesNaming.reservedLabelPrefix)
                }),
            spec: previous.spec)
        deployment.spec.template.metadata = ObjectMeta(
            labels: previous.spec.template.metadata.labels, annotations: previous.spec.template.metadata.annotations)
        let restoredNamespace = Namespace(
            metadata: ObjectMeta(
                name: namespace.metadata.name, labels: namespace.metadata.labels,
                annotations: namespace.metadata.annotations?.filter {
                    $0.key.hasPrefix(KubernetesNaming.reservedLabelPrefix)
                }))
        var applied = AppliedObjects()
        try await self.apply([deployment, restoredNamespace], into: &applied)
        try await self.waitForCache(applied, tenantID: tenantID)
    }
}
