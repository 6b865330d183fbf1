internal import Foundation
internal import LandlordCompute
internal import LandlordProviderKit
internal import Logging

extension NomadProvider {
    /// What an operation writes for a spec, computed before anything is sent.
    struct TenantPlan: Sendable, CustomStringConvertible, CustomReflectable {
        var spec: TenantComputeSpec
        var config: NomadSpecConfig
        /// The stored spec kept in `Meta.landlord_spec`.
        var storedSpec: String
        /// The secret values by secret name (the variable's items); empty without secrets.
        var secretItems: [String: String]

        var tenantID: String { self.spec.tenantID }

        /// The tenant and the secret names, never a value.
        var description: String {
            "TenantPlan(\(self.tenantID), secrets: \(self.secretItems.keys.sorted().joined(separator: ", ")))"
        }
        var jobID: String { NomadNaming.jobID(self.spec.tenantID) }
        var variablePath: String { NomadNaming.variablePath(self.spec.tenantID) }

        var customMirror: Mirror { Mirror(self, children: ["tenantID": self.tenantID], displayStyle: .struct) }
    }

    /// Validates `spec` with the provider's rules and resolves its secret values.
    ///
    /// - Throws: ``ComputeError/Kind/invalidSpec`` with every violation.
    func plan(_ spec: TenantComputeSpec) throws(ComputeError) -> TenantPlan {
        var violations = SpecValidator.violations(of: spec)
        if let violation = SpecValidator.providerTypeViolation(of: spec, provider: self.name) { violations.append(violation) }
        violations += NomadValidation.violations(of: spec, secretsDirectory: self.configuration.secretsDirectory)
        guard violations.isEmpty else { throw ComputeError.invalidSpec(violations) }
        var items: [String: String] = [:]
        for (index, secret) in spec.secrets.enumerated() {
            do {
                let value = try self.secretResolver.value(of: secret)
                if !secret.envVar.isEmpty, value.contains(where: \.isNewline) {
                    violations.append(
                        FieldViolation(
                            field: "secrets[\(index)]",
                            description: "its value spans several lines, which an environment variable cannot hold"))
                }
                items[secret.name] = value
            } catch {
                violations.append(FieldViolation(field: "secrets[\(index)]", description: error.reason))
            }
        }
        guard violations.isEmpty else { throw ComputeError.invalidSpec(violations) }
        let config = NomadSpecConfig.decode(spec.providerConfig).config
        return TenantPlan(
            spec: spec, config: config, storedSpec: NomadJobMapping.storedSpec(spec, config: config), secretItems: items)
    }

    func job(for plan: TenantPlan, provisionedAt: Date) -> NomadJob {
        NomadJobMapping.job(plan.spec, config: plan.config, settings: self.settings, provisionedAt: provisionedAt)
    }

    static func provisionedAt(of job: NomadJobInfo) -> Date? {
        job.meta?[NomadNaming.provisionedAtMetaKey].flatMap(Int64.init).map { Date(timeIntervalSince1970: Double($0)) }
    }

    static func isTenantJob(_ job: NomadJobInfo, tenantID: String) -> Bool {
        job.meta?[NomadNaming.tenantIDMetaKey] == tenantID
    }

    func provisionResult(_ plan: TenantPlan, provisionedAt: Date) -> ProvisionResult {
        var ids = ["job": plan.jobID, "namespace": self.configuration.namespace]
        if !plan.secretItems.isEmpty { ids["variable"] = plan.variablePath }
        return ProvisionResult(
            tenantID: plan.tenantID, providerType: self.name, status: .success, resourceIDs: ids,
            message:
                "job \(plan.jobID) registered in namespace \(self.configuration.namespace); its deployment and allocations are in the tenant's status (endpoints in metadata.endpoints)",
            provisionedAt: provisionedAt)
    }

    // MARK: - Provision

    func provisionLocked(_ plan: TenantPlan) async throws -> ProvisionResult {
        let tenantID = plan.tenantID
        let existing: NomadJobInfo?
        do {
            existing = try await self.api.job(plan.jobID).value
        } catch {
            throw Self.mapError(error, kind: .provisionFailed, tenantID: tenantID, doing: "look up")
        }
        if let existing {
            return try await self.provisionExisting(existing, plan: plan)
        }
        self.logger.debug("provisioning tenant", metadata: ["tenant_id": "\(tenantID)", "job_id": "\(plan.jobID)"])
        // Whole seconds: what the job's meta keeps, so that a later provision answers the same date.
        let provisionedAt = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        var wroteVariable = false
        do {
            if !plan.secretItems.isEmpty {
                wroteVariable = try await self.writeSecrets(plan)
            }
            _ = try await self.api.register(self.job(for: plan, provisionedAt: provisionedAt), enforcing: 0)
        } catch let error as NomadAPIError where error.reason == .variableConflict {
            // Another landlord wrote the tenant's variable since this one read it: it provisions the tenant.
            throw ComputeError(
                kind: .alreadyExists,
                message: "nomad provider: tenant \(SpecValidator.quoted(tenantID)) is being provisioned concurrently (by another landlord); retry to get its result")
        } catch let error as NomadAPIError where error.reason == .enforceIndexConflict {
            // Another landlord registered the job since the look-up.
            await self.cache.invalidate(jobID: plan.jobID)
            if let winner = try? await self.api.job(plan.jobID).value {
                return try await self.provisionExisting(winner, plan: plan)
            }
            throw ComputeError(
                kind: .alreadyExists,
                message: "nomad provider: tenant \(SpecValidator.quoted(tenantID)) was created concurrently (job \(plan.jobID), by another landlord)")
        } catch {
            if wroteVariable { try? await self.api.deleteVariable(plan.variablePath) }
            throw Self.mapError(error, kind: .provisionFailed, tenantID: tenantID, doing: "provision")
        }
        await self.cache.invalidate(jobID: plan.jobID)
        self.logger.info("tenant provisioned", metadata: ["tenant_id": "\(tenantID)", "job_id": "\(plan.jobID)"])
        return self.provisionResult(plan, provisionedAt: provisionedAt)
    }

    /// A provision of a tenant whose job exists: the same spec answers the same result.
    private func provisionExisting(_ existing: NomadJobInfo, plan: TenantPlan) async throws -> ProvisionResult {
        guard Self.isTenantJob(existing, tenantID: plan.tenantID) else {
            throw ComputeError(
                kind: .alreadyExists,
                message: "nomad provider: job \(plan.jobID) exists and is not landlord's job of tenant \(SpecValidator.quoted(plan.tenantID))")
        }
        guard existing.meta?[NomadNaming.specMetaKey] == plan.storedSpec, existing.stop != true else {
            throw ComputeError(
                kind: .alreadyExists,
                message: "tenant \(SpecValidator.quoted(plan.tenantID)) is already provisioned with a different spec; use update")
        }
        return self.provisionResult(plan, provisionedAt: Self.provisionedAt(of: existing) ?? Date(timeIntervalSince1970: 0))
    }

    /// Writes the secret values into the tenant's variable when they differ from what it holds
    /// (check-and-set on its index); answers whether it created the variable.
    @discardableResult
    func writeSecrets(_ plan: TenantPlan) async throws -> Bool {
        let current = try await self.api.variable(plan.variablePath)
        if current?.items == plan.secretItems { return false }
        try await self.api.putVariable(plan.variablePath, items: plan.secretItems, modifyIndex: current?.modifyIndex ?? 0)
        return current == nil
    }

    // MARK: - Update

    func updateLocked(_ plan: TenantPlan) async throws -> UpdateResult {
        let tenantID = plan.tenantID
        let notFound = ComputeError(
            kind: .tenantNotFound, message: "nomad provider: tenant \(SpecValidator.quoted(tenantID)) has no job \(plan.jobID)")
        let existing: NomadJobInfo
        let planned: NomadPlanResponse
        let job: NomadJob
        let currentSecrets: NomadVariable?
        do {
            guard let found = try await self.api.job(plan.jobID).value, Self.isTenantJob(found, tenantID: tenantID) else {
                throw notFound
            }
            existing = found
            job = self.job(for: plan, provisionedAt: Self.provisionedAt(of: found) ?? Date())
            planned = try await self.api.plan(job)
            currentSecrets = try await self.api.variable(plan.variablePath)
        } catch {
            throw Self.mapError(error, kind: .updateFailed, tenantID: tenantID, doing: "plan the update of")
        }
        let diffType = planned.diff?.type ?? "Edited"
        let secretsChanged = (currentSecrets?.items ?? [:]) != plan.secretItems
        let now = Date()
        if diffType == "None", !secretsChanged, existing.stop != true {
            return UpdateResult(tenantID: tenantID, providerType: self.name, status: .noChanges, updatedAt: now)
        }

        var changes: [String] = []
        if let stored = existing.meta?[NomadNaming.specMetaKey],
            let old = try? JSONDecoder().decode(TenantComputeSpec.self, from: Data(stored.utf8)),
            let new = try? JSONDecoder().decode(TenantComputeSpec.self, from: Data(plan.storedSpec.utf8))
        {
            changes = SpecChangeDescriptions.tenantChanges(from: old, to: new)
        }
        if changes.isEmpty, diffType != "None", let diff = planned.diff {
            changes = PlanChanges.describe(diff)
        }
        if secretsChanged, !changes.contains(where: { $0.hasPrefix("secrets") }) {
            changes.append("secrets: values changed")
        }
        if existing.stop == true { changes.append("job: started again (it was stopped)") }
        if changes.isEmpty { changes = ["nomad: job \(plan.jobID) differs from the spec (\(diffType))"] }

        // The index of this update's variable write, to put the previous values back (check-and-set:
        // never over another writer's values) when the register fails.
        var written: UInt64?
        do {
            if secretsChanged {
                if plan.secretItems.isEmpty {
                    try await self.api.deleteVariable(plan.variablePath)
                } else {
                    written = try await self.api.putVariable(
                        plan.variablePath, items: plan.secretItems, modifyIndex: currentSecrets?.modifyIndex ?? 0)
                }
            }
            _ = try await self.api.register(job, enforcing: planned.jobModifyIndex)
        } catch {
            if secretsChanged, let previous = currentSecrets {
                // The job that reads the variable is unchanged: it keeps its values.
                _ = try? await self.api.putVariable(plan.variablePath, items: previous.items, modifyIndex: written ?? 0)
            }
            await self.cache.invalidate(jobID: plan.jobID)
            if let error = error as? NomadAPIError, error.reason == .enforceIndexConflict || error.reason == .variableConflict {
                throw ComputeError(
                    kind: .alreadyExists,
                    message:
                        "nomad provider: tenant \(SpecValidator.quoted(tenantID)) was changed concurrently (by another landlord) while this update ran; nothing of this update was registered, retry it")
            }
            throw Self.mapError(error, kind: .updateFailed, tenantID: tenantID, doing: "update")
        }
        await self.cache.invalidate(jobID: plan.jobID)
        self.logger.info("tenant updated", metadata: ["tenant_id": "\(tenantID)", "changes": "\(changes.count)"])
        return UpdateResult(
            tenantID: tenantID, providerType: self.name, status: .inProgress, changes: changes,
            message: "job \(plan.jobID) registered; Nomad deploys it (the status follows the deployment)", updatedAt: now)
    }

    // MARK: - Destroy

    func destroyLocked(tenantID: String) async throws {
        let jobID = NomadNaming.jobID(tenantID)
        do {
            if let job = try await self.api.job(jobID).value {
                guard Self.isTenantJob(job, tenantID: tenantID) else {
                    self.logger.info(
                        "not deregistering a job that is not the tenant's", metadata: ["tenant_id": "\(tenantID)", "job_id": "\(jobID)"])
                    return
                }
                try await self.api.deregister(jobID)
            }
            try await self.api.deleteVariable(NomadNaming.variablePath(tenantID))
        } catch {
            throw Self.mapError(error, kind: .providerFailed, tenantID: tenantID, doing: "destroy")
        }
        await self.cache.invalidate(jobID: jobID)
        self.logger.info("tenant destroyed", metadata: ["tenant_id": "\(tenantID)", "job_id": "\(jobID)"])
    }
}
