package import LandlordCompute
internal import Synchronization

/// Runs the health checks of every tenant's containers, for engines that do not run a spec's
/// checks themselves (a Docker engine runs image healthchecks only, podman without systemd none).
///
/// One task per tenant, with one child per checked container: it probes at once, then every
/// `interval_seconds`; a probe that takes longer than `timeout_seconds` fails. A container becomes
/// ``Verdict/healthy`` after `healthy_threshold` consecutive successes and ``Verdict/unhealthy``
/// after `unhealthy_threshold` consecutive failures; until either happens it is ``Verdict/unknown``.
///
/// Verdicts belong to a container id: a recreated container starts over at ``Verdict/unknown``,
/// an unchanged one keeps its verdict when the tenant's checks are restarted (update).
package final class HealthMonitor: Sendable {
    /// One checked container.
    package struct Target: Sendable, Hashable {
        /// The container's name in the spec.
        package var container: String
        /// The engine's id of the container (never reused for another one).
        package var containerID: String
        package var check: HealthCheckConfig

        package init(container: String, containerID: String, check: HealthCheckConfig) {
            self.container = container
            self.containerID = containerID
            self.check = check
        }
    }

    /// A container's health.
    package enum Verdict: String, Sendable, Hashable {
        case unknown
        case healthy
        case unhealthy
    }

    /// The outcome of one probe; a failure says why, without secrets or command output.
    package enum Outcome: Sendable, Hashable {
        case success
        case failure(String)
        /// The container no longer exists: its checks end (container ids are never reused).
        case containerGone
    }

    /// The health of one container.
    package struct Result: Sendable, Hashable {
        package var containerID: String
        package var verdict: Verdict = .unknown
        package var consecutiveSuccesses = 0
        package var consecutiveFailures = 0
        /// How many probes ran.
        package var probes = 0
        /// Why the last probe failed; empty after a success.
        package var lastFailure = ""

        /// A container not probed yet.
        package init(containerID: String) {
            self.containerID = containerID
        }

        package mutating func record(_ outcome: Outcome, check: HealthCheckConfig) {
            self.probes += 1
            switch outcome {
            case .success:
                self.consecutiveSuccesses += 1
                self.consecutiveFailures = 0
                self.lastFailure = ""
                if self.consecutiveSuccesses >= check.effectiveHealthyThreshold { self.verdict = .healthy }
            case .failure, .containerGone:
                let reason = if case .failure(let reason) = outcome { reason } else { "the container no longer exists" }
                self.consecutiveFailures += 1
                self.consecutiveSuccesses = 0
                self.lastFailure = reason
                if self.consecutiveFailures >= check.effectiveUnhealthyThreshold { self.verdict = .unhealthy }
            }
        }
    }

    /// Runs one probe of a target within its timeout.
    package typealias Probe = @Sendable (_ target: Target, _ timeout: Duration) async -> Outcome

    private struct Tenant {
        var generation: Int
        var targets: Set<Target>
        var task: Task<Void, Never>
        var results: [String: Result]
    }

    private struct State {
        var tenants: [String: Tenant] = [:]
        var nextGeneration = 0
    }

    private let state = Mutex(State())
    private let probe: Probe

    package init(probe: @escaping Probe) {
        self.probe = probe
    }

    /// Checks `targets` from now on, replacing the tenant's previous checks; verdicts of
    /// containers that stay (same name, id and check) are kept. No targets stops the checks.
    package func start(tenantID: String, targets: [Target]) {
        self.state.withLock { state in
            let previous = state.tenants.removeValue(forKey: tenantID)
            previous?.task.cancel()
            guard !targets.isEmpty else { return }
            state.nextGeneration += 1
            let generation = state.nextGeneration
            var results: [String: Result] = [:]
            for target in targets {
                if let kept = previous?.results[target.container], previous?.targets.contains(target) == true {
                    results[target.container] = kept
                } else {
                    results[target.container] = Result(containerID: target.containerID)
                }
            }
            let task = Task { [probe] in
                await withTaskGroup(of: Void.self) { group in
                    for target in targets {
                        group.addTask {
                            await self.run(target, tenantID: tenantID, generation: generation, probe: probe)
                        }
                    }
                }
                // Every checked container is gone (e.g. a status raced a destroy): forget the tenant.
                self.state.withLock { state in
                    if state.tenants[tenantID]?.generation == generation { state.tenants[tenantID] = nil }
                }
            }
            state.tenants[tenantID] = Tenant(
                generation: generation, targets: Set(targets), task: task, results: results
            )
        }
    }

    /// Starts checking `targets` unless the tenant's checks already run on exactly those (status
    /// of a tenant a previous landlord provisioned).
    package func ensureStarted(tenantID: String, targets: [Target]) {
        let current = self.state.withLock { $0.tenants[tenantID]?.targets }
        if current != Set(targets) {
            self.start(tenantID: tenantID, targets: targets)
        }
    }

    /// Stops the tenant's checks and forgets its verdicts.
    package func stop(tenantID: String) {
        let task = self.state.withLock { $0.tenants.removeValue(forKey: tenantID)?.task }
        task?.cancel()
    }

    /// Stops every check.
    package func stopAll() {
        let tasks = self.state.withLock { state in
            defer { state.tenants.removeAll() }
            return state.tenants.values.map(\.task)
        }
        for task in tasks { task.cancel() }
    }

    /// The tenant's verdicts by container name; empty when its checks do not run.
    package func results(tenantID: String) -> [String: Result] {
        self.state.withLock { $0.tenants[tenantID]?.results ?? [:] }
    }

    /// The tenants whose checks run.
    package var tenantIDs: [String] {
        self.state.withLock { $0.tenants.keys.sorted() }
    }

    private func run(_ target: Target, tenantID: String, generation: Int, probe: @escaping Probe) async {
        let timeout = Duration.seconds(target.check.effectiveTimeoutSeconds)
        let interval = Duration.seconds(target.check.effectiveIntervalSeconds)
        while !Task.isCancelled {
            let outcome = await Self.withTimeout(timeout) { await probe(target, timeout) }
            guard !Task.isCancelled else { return }
            self.state.withLock { state in
                guard state.tenants[tenantID]?.generation == generation else { return }
                state.tenants[tenantID]?.results[target.container, default: Result(containerID: target.containerID)]
                    .record(outcome, check: target.check)
            }
            if outcome == .containerGone { return }
            try? await Task.sleep(for: interval)
        }
    }

    /// Runs `probe`, failing it when it does not answer within `timeout` (the probe is cancelled).
    private static func withTimeout(_ timeout: Duration, _ probe: @escaping @Sendable () async -> Outcome) async
        -> Outcome
    {
        await withTaskGroup(of: Outcome?.self) { group in
            group.addTask { await probe() }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? .failure("no answer within \(timeout.components.seconds) s")
        }
    }
}
