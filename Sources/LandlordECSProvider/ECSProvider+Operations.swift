internal import Crypto
internal import Foundation
internal import LandlordCompute
internal import LandlordProviderKit
internal import Logging

extension ECSProvider {
    // MARK: - Provision

    func provisionLocked(_ plan: ECSTenantPlan) async throws -> ProvisionResult {
        let tenantID = plan.tenantID
        let serviceName = ECSNaming.service(tenantID)
        do {
            if let existing = try await self.api.describeService(serviceName) {
                if existing.state == .draining {
                    throw ComputeError(
                        kind: .provisionFailed,
                        message: "ecs provider: the previous service of tenant \(SpecValidator.quoted(tenantID)) is still draining after a destroy; retry when its tasks have stopped")
                }
                return try await self.existingProvision(existing, plan: plan)
            }
            let definition = try await self.api.registerTaskDefinition(plan.taskDefinition)
            self.logger.info(
                "registered task definition",
                metadata: ["tenant_id": "\(tenantID)", "task_definition": "\(definition.taskDefinitionArn)"])
            let service: ECSService
            do {
                service = try await self.api.createService(self.createInput(plan, taskDefinition: definition.taskDefinitionArn))
            } catch {
                // Undo: the revision serves nothing now.
                try? await self.api.deregisterTaskDefinition(definition.taskDefinitionArn)
                if let error = error as? AWSServiceError, Self.isNotIdempotent(error) {
                    throw ComputeError(
                        kind: .alreadyExists,
                        message: "ecs provider: another landlord created tenant \(SpecValidator.quoted(tenantID)) at the same time; provision again to get its result (or ALREADY_EXISTS when its spec differs)")
                }
                throw error
            }
            self.logger.info("created service", metadata: ["tenant_id": "\(tenantID)", "service": "\(serviceName)"])
            return self.provisionResult(plan, service: service, taskDefinition: definition.taskDefinitionArn)
        } catch {
            throw Self.mapError(error, kind: .provisionFailed, tenantID: tenantID, doing: "provision")
        }
    }

    /// The answer of a provision for a tenant whose service exists: the same result for the same
    /// spec, alreadyExists otherwise.
    private func existingProvision(_ service: ECSService, plan: ECSTenantPlan) async throws -> ProvisionResult {
        let tenantID = plan.tenantID
        guard Self.tag(ECSNaming.tenantTag, of: service) == tenantID else {
            throw ComputeError(
                kind: .alreadyExists,
                message: "ecs provider: a service \(ECSNaming.service(tenantID)) that landlord did not create exists in the cluster")
        }
        let taskDefinition = service.taskDefinition ?? ""
        let definition = try await self.api.describeTaskDefinition(taskDefinition)
        let sameTask = ECSTenantPlan.taskDefinitionHash(of: definition) == plan.taskDefinitionHash
            && ECSTenantPlan.storedTaskPart(of: definition, tenantID: tenantID) == plan.storedTaskPart
        guard sameTask, plan.service.changes(from: service).isEmpty, plan.service.launchTypeChange(from: service) == nil else {
            throw ComputeError(
                kind: .alreadyExists,
                message: "ecs provider: tenant \(SpecValidator.quoted(tenantID)) already exists with a different spec (use update)")
        }
        return self.provisionResult(plan, service: service, taskDefinition: definition.taskDefinitionArn)
    }

    /// The result of a provision: the same for every call on the same service (its ARN and
    /// creation time); the rollout is what ``status(tenantID:)`` reports.
    private func provisionResult(_ plan: ECSTenantPlan, service: ECSService, taskDefinition: String) -> ProvisionResult {
        ProvisionResult(
            tenantID: plan.tenantID, providerType: self.name, status: .success,
            resourceIDs: [
                "cluster": service.clusterArn ?? self.configuration.cluster,
                "service": service.serviceArn ?? ECSNaming.service(plan.tenantID),
                "task_definition_family": ECSNaming.family(plan.tenantID),
            ],
            message: "service \(ECSNaming.service(plan.tenantID)) created; GetTenantStatus reports its rollout",
            provisionedAt: service.createdAt.map { Date(timeIntervalSince1970: $0.secondsSince1970) } ?? Date(timeIntervalSince1970: 0))
    }

    private func createInput(_ plan: ECSTenantPlan, taskDefinition: String) -> ECSAPI.CreateServiceInput {
        // The token identifies this tenant and spec: a retried or concurrent create of the same spec
        // is the same request to ECS; a different spec is not idempotent and fails.
        let digest = SHA256.hash(data: Array((plan.tenantID + "\n" + plan.taskDefinitionHash + "\n" + "\(plan.service)").utf8))
        let token = SigV4Signer.hex(digest.prefix(16))
        return ECSAPI.CreateServiceInput(
            cluster: self.configuration.cluster, serviceName: ECSNaming.service(plan.tenantID),
            taskDefinition: ECSNaming.family(plan.tenantID) + ":" + (ECSNaming.revision(ofTaskDefinitionARN: taskDefinition).map(String.init) ?? ""),
            desiredCount: plan.service.desiredCount, launchType: plan.service.launchType?.rawValue,
            capacityProviderStrategy: plan.service.capacityProviderStrategy, platformVersion: plan.service.platformVersion,
            networkConfiguration: plan.service.networkConfiguration,
            deploymentConfiguration: .rollingWithRollback, propagateTags: "SERVICE", enableECSManagedTags: true,
            tags: plan.tags, clientToken: token)
    }

    /// `Creation of service was not idempotent`: another create of the same name with other parameters.
    static func isNotIdempotent(_ error: AWSServiceError) -> Bool {
        (error.type == .invalidParameter || error.type == .clientException)
            && error.message.lowercased().contains("idempotent")
    }

    static func tag(_ key: String, of service: ECSService) -> String? {
        service.tags?.first { $0.key == key }?.value
    }

    // MARK: - Update

    func updateLocked(_ plan: ECSTenantPlan) async throws -> UpdateResult {
        let tenantID = plan.tenantID
        let serviceName = ECSNaming.service(tenantID)
        do {
            guard let service = try await self.api.describeService(serviceName), service.state == .active,
                Self.tag(ECSNaming.tenantTag, of: service) == tenantID
            else {
                throw ComputeError(kind: .tenantNotFound, message: "ecs provider: tenant \(SpecValidator.quoted(tenantID)) not found")
            }
            if let change = plan.service.launchTypeChange(from: service) {
                throw ComputeError(
                    kind: .updateFailed,
                    message: "ecs provider: ECS cannot change a service's launch type (\(change)); destroy and provision the tenant again")
            }
            let currentARN = service.taskDefinition ?? ""
            let current = try await self.api.describeTaskDefinition(currentARN)
            let oldPart = ECSTenantPlan.storedTaskPart(of: current, tenantID: tenantID)
            let taskChanged = ECSTenantPlan.taskDefinitionHash(of: current) != plan.taskDefinitionHash || oldPart != plan.storedTaskPart
            var changes: [String] = []
            if taskChanged {
                if let oldPart {
                    changes += SpecChangeDescriptions.tenantChanges(from: oldPart, to: plan.storedTaskPart)
                }
                if changes.isEmpty { changes.append("task definition: changed") }
            }
            changes += plan.service.changes(from: service)
            guard !changes.isEmpty else {
                return UpdateResult(
                    tenantID: tenantID, providerType: self.name, status: .noChanges,
                    message: "the service already runs this spec (\(current.taskDefinitionArn))", updatedAt: Date())
            }
            var newARN: String?
            if taskChanged {
                newARN = try await self.api.registerTaskDefinition(plan.taskDefinition).taskDefinitionArn
            }
            do {
                // A compare-and-swap on the revision: another landlord's update since our read wins.
                guard let again = try await self.api.describeService(serviceName), again.taskDefinition == currentARN else {
                    throw ComputeError(
                        kind: .alreadyExists,
                        message: "ecs provider: tenant \(SpecValidator.quoted(tenantID)) was updated concurrently by another landlord; read its status and retry")
                }
                _ = try await self.api.updateService(
                    ECSAPI.UpdateServiceInput(
                        cluster: self.configuration.cluster, service: serviceName, taskDefinition: newARN,
                        desiredCount: plan.service.desiredCount, capacityProviderStrategy: plan.service.capacityProviderStrategy,
                        platformVersion: plan.service.platformVersion, networkConfiguration: plan.service.networkConfiguration,
                        deploymentConfiguration: .rollingWithRollback))
            } catch {
                if let newARN { try? await self.api.deregisterTaskDefinition(newARN) }
                throw error
            }
            self.logger.info(
                "updated service", metadata: ["tenant_id": "\(tenantID)", "task_definition": "\(newARN ?? currentARN)"])
            let deployment =
                newARN.map { "revision \(ECSNaming.revision(ofTaskDefinitionARN: $0) ?? 0) is deploying; the circuit breaker rolls it back if its tasks fail" }
                ?? "the service settings changed"
            return UpdateResult(
                tenantID: tenantID, providerType: self.name, status: newARN == nil ? .success : .inProgress, changes: changes,
                message: deployment, updatedAt: Date())
        } catch {
            throw Self.mapError(error, kind: .updateFailed, tenantID: tenantID, doing: "update")
        }
    }

    // MARK: - Destroy

    func destroyLocked(tenantID: String) async throws {
        let serviceName = ECSNaming.service(tenantID)
        let family = ECSNaming.family(tenantID)
        do {
            if let service = try await self.api.describeService(serviceName), service.state == .active {
                guard Self.tag(ECSNaming.tenantTag, of: service) == tenantID else {
                    throw ComputeError(
                        kind: .providerFailed,
                        message: "ecs provider: the service \(serviceName) does not carry \(ECSNaming.tenantTag)=\(tenantID); landlord leaves it alone")
                }
                if (service.desiredCount ?? 0) > 0 {
                    _ = try await self.api.updateService(
                        ECSAPI.UpdateServiceInput(cluster: self.configuration.cluster, service: serviceName, desiredCount: 0))
                }
                do {
                    try await self.api.deleteService(serviceName)
                } catch let error as AWSServiceError where error.type == .serviceNotFound || error.type == .serviceNotActive {
                    // Deleted meanwhile (another landlord): the goal is reached.
                }
                self.logger.info("deleted service", metadata: ["tenant_id": "\(tenantID)", "service": "\(serviceName)"])
                try await self.waitUntilDrained(serviceName, tenantID: tenantID)
            }
            for arn in try await self.api.activeRevisions(of: family) {
                do {
                    try await self.api.deregisterTaskDefinition(arn)
                } catch let error as AWSServiceError where error.type == .clientException || error.type == .invalidParameter {
                    // Already INACTIVE (deregistered concurrently).
                }
            }
        } catch {
            throw Self.mapError(error, kind: .providerFailed, tenantID: tenantID, doing: "destroy")
        }
    }

    /// Waits (at most ``Configuration/drainTimeout``) until the deleted service is INACTIVE, so
    /// that a provision right after a destroy can create it again.
    private func waitUntilDrained(_ serviceName: String, tenantID: String) async throws {
        let deadline = ContinuousClock.now + self.configuration.drainTimeout
        while let service = try await self.api.describeService(serviceName), service.state == .draining {
            guard ContinuousClock.now < deadline else {
                self.logger.info(
                    "service still draining; destroy answers now", metadata: ["tenant_id": "\(tenantID)", "service": "\(serviceName)"])
                return
            }
            try await Task.sleep(for: .seconds(2))
        }
    }

    // MARK: - Status

    func statusOfTenant(_ tenantID: String) async throws -> ComputeStatus {
        let serviceName = ECSNaming.service(tenantID)
        do {
            guard let service = try await self.api.describeService(serviceName),
                Self.tag(ECSNaming.tenantTag, of: service) == tenantID, service.state == .active
            else {
                // DRAINING: destroyed, its tasks stopping; the tenant is gone for landlord.
                throw ComputeError(kind: .tenantNotFound, message: "ecs provider: tenant \(SpecValidator.quoted(tenantID)) not found")
            }
            let definition = try await self.api.describeTaskDefinition(service.taskDefinition ?? ECSNaming.family(tenantID))
            let stored = ECSTenantPlan.storedTaskPart(of: definition, tenantID: tenantID)
            let expectation =
                stored.map(ECSStatusMapping.Expectation.init)
                ?? ECSStatusMapping.Expectation(containers: (definition.containerDefinitions ?? []).map(\.name))
            let latest = try await self.api.activeRevisions(of: ECSNaming.family(tenantID)).first
            let tasks = try await self.api.tasks(ofService: serviceName)
            return ECSStatusMapping.status(
                tenantID: tenantID, service: service, tasks: tasks, expectation: expectation, latestRevision: latest, now: Date())
        } catch {
            throw Self.mapError(error, kind: .providerFailed, tenantID: tenantID, doing: "read the status of")
        }
    }
}
