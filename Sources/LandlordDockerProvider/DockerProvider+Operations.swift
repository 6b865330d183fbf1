internal import Foundation
internal import LandlordCompute
internal import LandlordProviderKit
internal import Logging
internal import Synchronization

// Provision, update, destroy and status on the engine. Every mutating engine call runs shielded
// (``shielded(_:)``) so that a cancelled caller never leaves a half-done call behind;
// cancellation is checked between steps, and what was done is undone (UndoLog) before
// CancellationError is thrown.

/// What the engine holds of a tenant.
struct TenantOnEngine: Sendable {
    /// The tenant's containers (by their spec name), without the ones kept aside by an update.
    var containers: [String: DockerAPI.ContainerInspect] = [:]
    /// Containers an interrupted update kept aside (`.previous`), by spec name.
    var previous: [String: DockerAPI.ContainerInspect] = [:]
    /// The tenant's networks.
    var networks: [DockerAPI.NetworkSummary] = []

    var exists: Bool { !self.containers.isEmpty || !self.previous.isEmpty || !self.networks.isEmpty }

    /// When the tenant was first provisioned (the earliest label), if any container says.
    var provisionedAt: Int64? {
        (self.containers.values.map(\.self) + self.previous.values.map(\.self))
            .compactMap { $0.Config.Labels?[DockerLabels.provisionedAt].flatMap { Int64($0) } }.min()
    }
}

extension DockerProvider {
    // MARK: - Discovery

    /// Everything the engine holds with the tenant's labels.
    func discover(tenantID: String) async throws -> TenantOnEngine {
        let filters = DockerLabels.filters(tenantID: tenantID)
        async let summariesRequest = self.engine.listContainers(labels: filters)
        async let networksRequest = self.engine.listNetworks(labels: filters)
        let (summaries, networks) = try await (summariesRequest, networksRequest)
        let engine = self.engine
        let inspected = try await withThrowingTaskGroup(of: DockerAPI.ContainerInspect?.self) { group in
            for summary in summaries {
                group.addTask { try await engine.inspectContainer(summary.Id) }
            }
            var all: [DockerAPI.ContainerInspect] = []
            for try await container in group {
                if let container { all.append(container) }
            }
            return all
        }
        var tenant = TenantOnEngine(networks: networks)
        for container in inspected {
            guard let name = container.Config.Labels?[DockerLabels.container] else { continue }
            if container.name.hasSuffix(DockerNaming.previousSuffix) {
                tenant.previous[name] = container
            } else {
                tenant.containers[name] = container
            }
        }
        return tenant
    }

    /// Finishes what an interrupted update left behind: a container kept aside whose replacement
    /// exists is removed; one without a replacement is renamed back and started again.
    func recoverInterruptedUpdate(_ tenant: TenantOnEngine, tenantID: String) async throws -> TenantOnEngine {
        guard !tenant.previous.isEmpty else { return tenant }
        var tenant = tenant
        let engine = self.engine
        for (name, container) in tenant.previous.sorted(by: { $0.key < $1.key }) {
            if tenant.containers[name] != nil {
                _ = try await shielded { try await engine.removeContainer(container.Id, name: container.name) }
            } else {
                let original = String(container.name.dropLast(DockerNaming.previousSuffix.count))
                try await shielded {
                    try await engine.renameContainer(container.Id, from: container.name, to: original)
                    try await engine.startContainer(container.Id, name: original)
                }
                if let restored = try await engine.inspectContainer(container.Id) {
                    tenant.containers[name] = restored
                }
            }
            self.logger.info(
                "recovered a container an interrupted update left aside",
                metadata: ["tenant_id": "\(tenantID)", "container": "\(name)"]
            )
        }
        tenant.previous = [:]
        return tenant
    }

    /// Whether the tenant's containers are exactly the plan's, with the plan's spec hashes.
    static func matches(_ tenant: TenantOnEngine, _ plan: TenantPlan) -> Bool {
        guard Set(tenant.containers.keys) == Set(plan.containers.map(\.spec.name)) else { return false }
        return plan.containers.allSatisfy {
            tenant.containers[$0.spec.name]?.Config.Labels?[DockerLabels.specHash] == $0.hash
        }
    }

    // MARK: - Provision

    func provisionLocked(_ spec: TenantComputeSpec, plan: TenantPlan) async throws -> ProvisionResult {
        let tenantID = spec.tenantID
        var tenant: TenantOnEngine
        do {
            tenant = try await self.discover(tenantID: tenantID)
            tenant = try await self.recoverInterruptedUpdate(tenant, tenantID: tenantID)
        } catch {
            throw Self.mapError(error, kind: .provisionFailed, tenantID: tenantID, doing: "look up")
        }
        if !tenant.containers.isEmpty {
            guard Self.matches(tenant, plan) else {
                throw ComputeError(
                    kind: .alreadyExists,
                    message:
                        "tenant \(SpecValidator.quoted(tenantID)) is already provisioned with a different spec; use update"
                )
            }
            self.logger.debug("tenant already provisioned with this spec", metadata: ["tenant_id": "\(tenantID)"])
            self.startHealthChecks(tenantID: tenantID, plan: plan, containers: tenant.containers)
            return self.provisionResult(plan: plan, tenant: tenant)
        }

        self.logger.debug("provisioning tenant", metadata: ["tenant_id": "\(tenantID)"])
        let undo = UndoLog()
        let engine = self.engine
        let provisionedAt = Self.milliseconds(Date())
        do {
            try Task.checkCancellation()
            let secrets = try self.resolveSecrets(spec.secrets)
            try await self.ensureImages(plan.containers.map(\.spec.image), tenantID: tenantID)
            try Task.checkCancellation()
            if plan.usesTenantNetwork {
                let networkName = plan.networkName
                if let network = tenant.networks.first(where: { $0.Name == networkName }) {
                    // Left by an interrupted provision: reuse it, and remove it if this one fails too.
                    undo.add("remove network \(networkName)") {
                        try await engine.removeNetwork(network.Id, name: networkName)
                    }
                } else {
                    let id = try await shielded {
                        try await engine.createNetwork(name: networkName, labels: Self.networkLabels(tenantID))
                    }
                    undo.add("remove network \(networkName)") { try await engine.removeNetwork(id, name: networkName) }
                    tenant.networks.append(DockerAPI.NetworkSummary(Id: id, Name: networkName, Labels: nil))
                }
            }
            for container in plan.containers {
                try Task.checkCancellation()
                let id = try await self.createAndStart(
                    container, secrets: secrets, provisionedAt: provisionedAt, undo: undo
                )
                guard let inspected = try await engine.inspectContainer(id) else {
                    throw DockerEngineError(
                        .notFound, operation: "inspect container \(container.engineName)",
                        message: "the container disappeared right after it started"
                    )
                }
                tenant.containers[container.spec.name] = inspected
            }
        } catch {
            let failures = (try? await shielded { await undo.run() }) ?? []
            self.logFailedUndo(failures, tenantID: tenantID, operation: "provision")
            if Task.isCancelled || error is CancellationError {
                self.logger.debug("provision cancelled and rolled back", metadata: ["tenant_id": "\(tenantID)"])
                throw CancellationError()
            }
            self.logger.debug("provision failed and rolled back", metadata: ["tenant_id": "\(tenantID)"])
            throw Self.mapError(error, kind: .provisionFailed, tenantID: tenantID, doing: "provision")
        }
        self.logger.debug("provisioned tenant", metadata: ["tenant_id": "\(tenantID)"])
        self.startHealthChecks(tenantID: tenantID, plan: plan, containers: tenant.containers)
        return self.provisionResult(plan: plan, tenant: tenant)
    }

    /// Creates and starts one planned container; its removal goes to `undo` first.
    ///
    /// An ephemeral host port can be taken between the moment the engine picks it and the moment
    /// the container binds it (podman picks at create time, and landlord's own outgoing
    /// connections use the same port range): a start that fails with "address already in use"
    /// is retried with a new container, up to three times, when the container has ephemeral ports.
    private func createAndStart(
        _ container: ContainerPlan,
        secrets: [String: String],
        provisionedAt: Int64,
        undo: UndoLog
    ) async throws -> String {
        let engine = self.engine
        let name = container.engineName
        let body = container.createBody(secrets: secrets, provisionedAt: provisionedAt)
        let hasEphemeralPorts = container.spec.ports.contains { $0.hostPort == 0 }
        var attempt = 1
        while true {
            let id: String
            do {
                id = try await shielded { try await engine.createContainer(name: name, body) }
            } catch let error as DockerEngineError where error.kind == .conflict {
                throw DockerEngineError(
                    .conflict,
                    operation: "create container \(name)",
                    message: "the name is taken by a container that is not this tenant's "
                        + "(another tenant whose id and container name join to the same name, or one landlord did not create)"
                )
            }
            undo.add("remove container \(name)") { try await engine.removeContainer(id, name: name) }
            do {
                try await shielded { try await engine.startContainer(id, name: name) }
                return id
            } catch let error as DockerEngineError
                where hasEphemeralPorts && attempt < 3 && error.message.contains("address already in use")
            {
                self.logger.info(
                    "an ephemeral host port was taken before the container bound it; creating it again",
                    metadata: ["tenant_id": "\(container.tenantID)", "container": "\(container.spec.name)"]
                )
                _ = try await shielded { try await engine.removeContainer(id, name: name) }
                attempt += 1
                try Task.checkCancellation()
            }
        }
    }

    private func resolveSecrets(_ secrets: [SecretReference]) throws -> [String: String] {
        do {
            return try self.secretResolver.environmentVariables(for: secrets)
        } catch {
            throw ComputeError(kind: .provisionFailed, message: "docker provider: \(error.description)")
        }
    }

    /// Pulls the images the engine does not have (cancellable: a pull has nothing to undo).
    private func ensureImages(_ images: [String], tenantID: String) async throws {
        var seen: Set<String> = []
        for image in images where seen.insert(image).inserted {
            if try await self.engine.imageExists(image) { continue }
            self.logger.debug("pulling image", metadata: ["tenant_id": "\(tenantID)", "image": "\(image)"])
            try await self.engine.pullImage(image, timeout: self.configuration.pullTimeout)
        }
    }

    private static func networkLabels(_ tenantID: String) -> [String: String] {
        [DockerLabels.tenantID: tenantID, DockerLabels.provider: DockerLabels.providerValue]
    }

    /// The result of a provisioned tenant: its ids, its endpoints in spec order and the time of
    /// its first provision (from the labels, so that a repeated provision answers the same).
    func provisionResult(plan: TenantPlan, tenant: TenantOnEngine) -> ProvisionResult {
        var resourceIDs: [String: String] = [:]
        if plan.usesTenantNetwork, let network = tenant.networks.first(where: { $0.Name == plan.networkName }) {
            resourceIDs["network"] = network.Id
        }
        var endpoints: [Endpoint] = []
        for container in plan.containers {
            guard let inspected = tenant.containers[container.spec.name] else { continue }
            resourceIDs["container/\(container.spec.name)"] = inspected.Id
            endpoints += self.endpoints(
                of: container.spec, inspected: inspected, mode: plan.config.effectiveNetworkMode)
        }
        let milliseconds = tenant.provisionedAt ?? Self.milliseconds(Date())
        return ProvisionResult(
            tenantID: plan.tenantID,
            providerType: self.name,
            status: .success,
            resourceIDs: resourceIDs,
            endpoints: endpoints,
            message: "\(plan.containers.count) container(s) on the Docker engine at \(self.configuration.host)",
            provisionedAt: Date(timeIntervalSince1970: Double(milliseconds) / 1000)
        )
    }

    /// One endpoint per port: type `http`/`https`/`grpc` for ports named so, else the protocol;
    /// the host address and port the engine published it on.
    func endpoints(
        of spec: ContainerSpec,
        inspected: DockerAPI.ContainerInspect,
        mode: DockerSpecConfig.NetworkMode
    ) -> [Endpoint] {
        var endpoints: [Endpoint] = []
        for port in spec.ports {
            let address: String
            let number: Int
            switch mode {
            case .none:
                continue
            case .host:
                address = HealthProbe.reachableAddress("", configuration: self.configuration)
                number = port.containerPort
            case .tenant, .bridge:
                guard let bindings = inspected.NetworkSettings?.Ports?["\(port.containerPort)/\(port.protocol)"] ?? nil,
                    let binding = bindings.first, let hostPort = Int(binding.HostPort)
                else { continue }
                address = HealthProbe.reachableAddress(binding.HostIp, configuration: self.configuration)
                number = hostPort
            }
            endpoints.append(Endpoint(publishing: port, address: address, port: number))
        }
        return endpoints
    }

    static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
    }

    // MARK: - Update

    func updateLocked(_ spec: TenantComputeSpec, plan: TenantPlan) async throws -> UpdateResult {
        let tenantID = spec.tenantID
        var tenant: TenantOnEngine
        do {
            tenant = try await self.discover(tenantID: tenantID)
            guard tenant.exists else {
                throw ComputeError(
                    kind: .tenantNotFound, message: "tenant \(SpecValidator.quoted(tenantID)) does not exist")
            }
            tenant = try await self.recoverInterruptedUpdate(tenant, tenantID: tenantID)
        } catch {
            throw Self.mapError(error, kind: .updateFailed, tenantID: tenantID, doing: "look up")
        }

        if Self.matches(tenant, plan) {
            self.startHealthChecks(tenantID: tenantID, plan: plan, containers: tenant.containers)
            return UpdateResult(
                tenantID: tenantID,
                providerType: self.name,
                status: .noChanges,
                message: "the tenant already runs this spec",
                updatedAt: Date()
            )
        }

        let oldStored = StoredSpec.reconstruct(
            tenantID: tenantID,
            providerType: self.name,
            labels: tenant.containers.values.map { $0.Config.Labels ?? [:] }
        )
        var changes = oldStored.map { SpecChangeDescriptions.tenantChanges(from: $0, to: plan.stored, order: .ignored) } ?? []
        if changes.isEmpty { changes = ["spec: changed"] }

        let toCreate = plan.containers.filter { tenant.containers[$0.spec.name] == nil }
        let toReplace = plan.containers.filter {
            guard let old = tenant.containers[$0.spec.name] else { return false }
            return old.Config.Labels?[DockerLabels.specHash] != $0.hash
        }
        let planned = Set(plan.containers.map(\.spec.name))
        let toRemove = tenant.containers.filter { !planned.contains($0.key) }.map(\.value)
        let replaced = toReplace.compactMap { tenant.containers[$0.spec.name] }
        let provisionedAt = tenant.provisionedAt ?? Self.milliseconds(Date())

        self.logger.debug(
            "updating tenant",
            metadata: [
                "tenant_id": "\(tenantID)", "create": "\(toCreate.map(\.spec.name))",
                "replace": "\(toReplace.map(\.spec.name))",
                "remove": "\(toRemove.compactMap { $0.Config.Labels?[DockerLabels.container] })",
            ]
        )

        let undo = UndoLog()
        let engine = self.engine
        let stopTimeout = self.configuration.stopTimeout
        do {
            try Task.checkCancellation()
            let secrets = try self.resolveSecrets(spec.secrets)
            try await self.ensureImages((toCreate + toReplace).map(\.spec.image), tenantID: tenantID)
            try Task.checkCancellation()
            if plan.usesTenantNetwork && !tenant.networks.contains(where: { $0.Name == plan.networkName }) {
                let networkName = plan.networkName
                let id = try await shielded {
                    try await engine.createNetwork(name: networkName, labels: Self.networkLabels(tenantID))
                }
                undo.add("remove network \(networkName)") { try await engine.removeNetwork(id, name: networkName) }
                tenant.networks.append(DockerAPI.NetworkSummary(Id: id, Name: networkName, Labels: nil))
            }
            // Old containers make way: replaced ones are renamed aside, both are stopped (which
            // frees their host ports). Undo restarts and renames them back.
            for old in replaced {
                let name = old.name
                let aside = DockerNaming.previousName(of: name)
                try await shielded { try await engine.renameContainer(old.Id, from: name, to: aside) }
                undo.add("rename container \(aside) back") {
                    try await engine.renameContainer(old.Id, from: aside, to: name)
                }
            }
            for old in replaced + toRemove {
                try Task.checkCancellation()
                let wasRunning = old.State.Running == true || old.State.Status == "running"
                try await shielded { try await engine.stopContainer(old.Id, name: old.name, timeout: stopTimeout) }
                if wasRunning {
                    undo.add("restart container \(old.name)") {
                        try await engine.startContainer(old.Id, name: old.name)
                    }
                }
            }
            for container in toCreate + toReplace {
                try Task.checkCancellation()
                let id = try await self.createAndStart(
                    container, secrets: secrets, provisionedAt: provisionedAt, undo: undo
                )
                guard let inspected = try await engine.inspectContainer(id) else {
                    throw DockerEngineError(
                        .notFound, operation: "inspect container \(container.engineName)",
                        message: "the container disappeared right after it started"
                    )
                }
                if ["exited", "dead"].contains(inspected.State.Status), (inspected.State.ExitCode ?? 0) != 0 {
                    throw DockerEngineError(
                        .failed(status: 200),
                        operation: "start container \(container.engineName)",
                        message:
                            "the container exited right after it started, with code \(inspected.State.ExitCode ?? -1)"
                    )
                }
                tenant.containers[container.spec.name] = inspected
            }
        } catch {
            let failures = (try? await shielded { await undo.run() }) ?? []
            self.logFailedUndo(failures, tenantID: tenantID, operation: "update")
            if Task.isCancelled || error is CancellationError {
                self.logger.debug("update cancelled and rolled back", metadata: ["tenant_id": "\(tenantID)"])
                throw CancellationError()
            }
            self.logger.debug("update failed and rolled back", metadata: ["tenant_id": "\(tenantID)"])
            throw Self.mapError(error, kind: .updateFailed, tenantID: tenantID, doing: "update")
        }

        // Commit: the old containers go. A failure here leaves only stopped leftovers that the
        // next operation on the tenant (recoverInterruptedUpdate, destroy) removes.
        let networksToRemove = plan.usesTenantNetwork ? [] : tenant.networks
        let leftovers =
            (try? await shielded { () async -> [String] in
                var failures: [String] = []
                for old in replaced + toRemove {
                    do { try await engine.removeContainer(old.Id, name: old.name) } catch {
                        failures.append("\(error)")
                    }
                }
                for network in networksToRemove {
                    do { try await engine.removeNetwork(network.Id, name: network.Name) } catch {
                        failures.append("\(error)")
                    }
                }
                return failures
            }) ?? []
        self.logFailedUndo(leftovers, tenantID: tenantID, operation: "update clean-up")
        for old in toRemove {
            if let name = old.Config.Labels?[DockerLabels.container] { tenant.containers[name] = nil }
        }
        self.startHealthChecks(tenantID: tenantID, plan: plan, containers: tenant.containers)
        self.logger.debug("updated tenant", metadata: ["tenant_id": "\(tenantID)", "change_count": "\(changes.count)"])
        return UpdateResult(
            tenantID: tenantID,
            providerType: self.name,
            status: .success,
            changes: changes,
            message: "recreated \(toReplace.count), created \(toCreate.count), removed \(toRemove.count) container(s)",
            updatedAt: Date()
        )
    }

    // MARK: - Destroy

    func destroyLocked(tenantID: String) async throws {
        self.monitor.stop(tenantID: tenantID)
        let engine = self.engine
        let filters = DockerLabels.filters(tenantID: tenantID)
        let stopTimeout = self.configuration.stopTimeout
        var failures: [String] = []
        do {
            let containers = try await engine.listContainers(labels: filters)
            failures += await withTaskGroup(of: String?.self, returning: [String].self) { group in
                for container in containers {
                    group.addTask {
                        let name =
                            container.Names?.first.map { $0.hasPrefix("/") ? String($0.dropFirst()) : $0 }
                            ?? container.Id
                        do {
                            if container.State == "running" || container.State == "restarting" {
                                try await engine.stopContainer(container.Id, name: name, timeout: stopTimeout)
                            }
                            try await engine.removeContainer(container.Id, name: name)
                            return nil
                        } catch {
                            return "\(error)"
                        }
                    }
                }
                var failures: [String] = []
                for await failure in group { if let failure { failures.append(failure) } }
                return failures
            }
            for network in try await engine.listNetworks(labels: filters) {
                do {
                    try await engine.removeNetwork(network.Id, name: network.Name)
                } catch {
                    failures.append("\(error)")
                }
            }
            if containers.isEmpty {
                self.logger.debug("tenant to destroy has no containers", metadata: ["tenant_id": "\(tenantID)"])
            }
        } catch {
            failures.append("\(error)")
        }
        guard failures.isEmpty else {
            throw ComputeError(
                kind: .providerFailed,
                message: "docker provider: could not destroy tenant \(SpecValidator.quoted(tenantID)): "
                    + failures.joined(separator: "; ")
            )
        }
        self.logger.debug("destroyed tenant", metadata: ["tenant_id": "\(tenantID)"])
    }

    // MARK: - Status

    func statusOfTenant(_ tenantID: String) async throws -> ComputeStatus {
        let tenant: TenantOnEngine
        do {
            tenant = try await self.discover(tenantID: tenantID)
        } catch {
            throw Self.mapError(error, kind: .providerFailed, tenantID: tenantID, doing: "query")
        }
        guard tenant.exists else {
            throw ComputeError(
                kind: .tenantNotFound, message: "tenant \(SpecValidator.quoted(tenantID)) does not exist")
        }
        // During an update (or after an interrupted one) a container may only exist aside.
        var containers = tenant.previous
        containers.merge(tenant.containers) { _, current in current }

        let targets = Self.healthTargets(containers)
        self.monitor.ensureStarted(tenantID: tenantID, targets: targets)
        let results = self.monitor.results(tenantID: tenantID)
        let checked = Dictionary(targets.map { ($0.container, $0) }, uniquingKeysWith: { first, _ in first })

        var statuses: [ContainerStatus] = []
        var states: [ContainerState] = []
        var verdicts: [HealthMonitor.Verdict] = []
        for (name, container) in containers.sorted(by: { $0.key < $1.key }) {
            let state = Self.containerState(container.State)
            states.append(state)
            var ready = state == "running"
            var message = Self.stateMessage(container.State, restarts: container.RestartCount ?? 0)
            if checked[name] != nil {
                let result = results[name].flatMap { $0.containerID == container.Id ? $0 : nil }
                let verdict = result?.verdict ?? .unknown
                verdicts.append(state == "running" ? verdict : .unhealthy)
                ready = ready && verdict == .healthy
                if state == "running", let result, verdict != .healthy {
                    let check = checked[name]?.check.type ?? "health"
                    message =
                        result.lastFailure.isEmpty
                        ? "\(check) check: \(verdict.rawValue) after \(result.probes) probe(s)"
                        : "\(check) check \(verdict.rawValue): \(result.lastFailure)"
                } else if state == "running", result == nil {
                    message = "health check not run yet"
                }
            } else {
                verdicts.append(state == "running" ? .healthy : (state == "failed" ? .unhealthy : .unknown))
            }
            statuses.append(
                ContainerStatus(
                    name: name, state: state, ready: ready, restartCount: container.RestartCount ?? 0, message: message
                )
            )
        }

        let mode = containers.values.first?.HostConfig?.NetworkMode ?? ""
        var metadata: [String: String] = ["engine": "\(self.configuration.host)"]
        if let network = tenant.networks.first { metadata["network"] = network.Name }
        if !mode.isEmpty { metadata["network_mode"] = mode }
        return ComputeStatus(
            tenantID: tenantID,
            providerType: self.name,
            state: Self.tenantState(states),
            containers: statuses,
            health: Self.health(verdicts),
            lastUpdated: Date(),
            metadata: metadata
        )
    }

    /// A container's state for ``ContainerStatus/state``: `running`, `starting` (created,
    /// restarting), `stopping` (removing), `stopped` (paused, or exited with code 0), `failed`
    /// (exited with another code, dead, OOM-killed).
    static func containerState(_ state: DockerAPI.ContainerState) -> ContainerState {
        switch state.Status {
        case "running": return state.OOMKilled == true ? "failed" : "running"
        case "created", "restarting": return "starting"
        case "removing": return "stopping"
        case "paused": return "stopped"
        case "exited": return (state.ExitCode ?? 0) == 0 && state.OOMKilled != true ? "stopped" : "failed"
        case "dead": return "failed"
        default: return "unknown"
        }
    }

    private static func stateMessage(_ state: DockerAPI.ContainerState, restarts: Int) -> String {
        var parts: [String] = []
        switch state.Status {
        case "exited", "dead":
            parts.append("exited with code \(state.ExitCode ?? -1)")
            if state.OOMKilled == true { parts.append("killed for lack of memory") }
            if let error = state.Error, !error.isEmpty { parts.append(error) }
        case "restarting":
            parts.append("restarting")
        default:
            break
        }
        if restarts > 0 { parts.append("restarted \(restarts) time(s)") }
        return parts.joined(separator: ", ")
    }

    /// The tenant's state: `failed` if any container failed, `running` if all run, `starting` if
    /// any starts, `stopping` if any stops, `stopped` if all are stopped, else `unknown` (also for
    /// a tenant with a network and no container, which only an interrupted provision leaves).
    static func tenantState(_ states: [ContainerState]) -> ComputeState {
        guard !states.isEmpty else { return .unknown }
        if states.contains("failed") { return .failed }
        if states.allSatisfy({ $0 == "running" }) { return .running }
        if states.contains("starting") { return .starting }
        if states.contains("stopping") { return .stopping }
        if states.allSatisfy({ $0 == "stopped" }) { return .stopped }
        if states.contains("running") && states.allSatisfy({ $0 == "running" || $0 == "stopped" }) {
            return .running
        }
        return .unknown
    }

    /// `unhealthy` if any container is, `healthy` if all are, else `unknown`.
    static func health(_ verdicts: [HealthMonitor.Verdict]) -> HealthStatus {
        guard !verdicts.isEmpty else { return .unknown }
        if verdicts.contains(.unhealthy) { return .unhealthy }
        if verdicts.allSatisfy({ $0 == .healthy }) { return .healthy }
        return .unknown
    }

    // MARK: - Health checks

    /// The health check targets of containers, from their spec labels.
    static func healthTargets(_ containers: [String: DockerAPI.ContainerInspect]) -> [HealthMonitor.Target] {
        containers.sorted { $0.key < $1.key }.compactMap { name, container in
            guard let json = container.Config.Labels?[DockerLabels.spec],
                let spec = try? JSONDecoder().decode(ContainerSpec.self, from: Data(json.utf8)),
                let check = spec.healthCheck
            else { return nil }
            return HealthMonitor.Target(container: name, containerID: container.Id, check: check)
        }
    }

    func startHealthChecks(tenantID: String, plan: TenantPlan, containers: [String: DockerAPI.ContainerInspect]) {
        var targets: [HealthMonitor.Target] = []
        for container in plan.containers {
            guard let check = container.spec.healthCheck, let inspected = containers[container.spec.name] else {
                continue
            }
            targets.append(
                HealthMonitor.Target(container: container.spec.name, containerID: inspected.Id, check: check))
        }
        self.monitor.ensureStarted(tenantID: tenantID, targets: targets)
    }

    private func logFailedUndo(_ failures: [String], tenantID: String, operation: String) {
        guard !failures.isEmpty else { return }
        self.logger.info(
            "some steps could not be undone; the next operation on the tenant or destroy removes what is left",
            metadata: ["tenant_id": "\(tenantID)", "operation": "\(operation)", "failures": "\(failures)"]
        )
    }
}
