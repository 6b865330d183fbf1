package import Foundation
package import LandlordCompute
internal import LandlordProviderKit

/// A tenant spec as a Nomad service job: pure, no I/O.
///
/// | spec | Nomad |
/// |---|---|
/// | `tenant_id` | job `ID`/`Name` `landlord-<tenant_id>`, `Meta.landlord_tenant_id` |
/// | the spec | `Meta.landlord_spec` (stored form: env values and secret keys as fingerprints) |
/// | `containers[i]` | a task `<name>`, driver `docker`, in the one group `tenant` |
/// | `containers[i].image`, `.command`, `.args` | `Config.image`, `Config.entrypoint`, `Config.args` |
/// | `containers[i].env` | the task's `Env` |
/// | `containers[i].resources` (else an even share of `resources`) | `Resources.CPU` = millicores x MHz-per-core / 1000 (or `Cores`), `Resources.MemoryMB` |
/// | `containers[i].ports[j]` | a group network port `<container>_<port>`: `To` = container port, `ReservedPorts` with `Value` = `host_port` when set, else `DynamicPorts`; the task's `Config.ports` |
/// | the ports of a container | Nomad-native services `landlord-<tenant_id>-<container>` (one per port, tagged `port=<name>`) |
/// | `containers[i].health_check` (`http`, `tcp`) | a check on the service of its port: `Interval`, `Timeout`, `Path`; `CheckRestart.Limit` = `unhealthy_threshold` |
/// | health checks | the update block: `HealthCheck` `checks` (else `task_states`), `MinHealthyTime` = max(10 s, healthy_threshold x interval), `HealthyDeadline` 5 min, `ProgressDeadline` 10 min, `AutoRevert` |
/// | `resources.storage` | the group's `EphemeralDisk.SizeMB` |
/// | `secrets` | a Nomad Variable `nomad/jobs/landlord-<tenant_id>` (item = secret name) and a `template` per task rendering `env_var`s into an env file (`Envvars`) and the others into `secrets/<name>` |
/// | `provider_config` | ``NomadSpecConfig`` |
///
/// Restart policy: 2 attempts in 30 min, 15 s apart, then `fail` (the allocation fails and is
/// rescheduled). Reschedule policy: unlimited, exponential from 30 s to 1 h.
package enum NomadJobMapping {
    /// The settings of the provider a mapping needs.
    package struct Settings: Sendable, Hashable {
        package var namespace: String
        package var region: String?
        package var datacenters: [String]
        package var mhzPerCore: Int

        package init(namespace: String, region: String?, datacenters: [String], mhzPerCore: Int) {
            self.namespace = namespace
            self.region = region
            self.datacenters = datacenters
            self.mhzPerCore = mhzPerCore
        }
    }

    private static let second: Int64 = 1_000_000_000

    /// The job of `spec`; `provisionedAt` is kept in its meta.
    package static func job(
        _ spec: TenantComputeSpec, config: NomadSpecConfig, settings: Settings, provisionedAt: Date
    ) -> NomadJob {
        let jobID = NomadNaming.jobID(spec.tenantID)
        let resources = Self.containerResources(spec)
        var reserved: [NomadPort] = []
        var dynamic: [NomadPort] = []
        var services: [NomadService] = []
        var tasks: [NomadTask] = []
        var anyCheck = false
        var minHealthy = 10 * Self.second
        for (container, amounts) in zip(spec.containers, resources) {
            var labels: [String] = []
            for port in container.ports {
                let label = NomadNaming.portLabel(container: container.name, port: port.containerPort)
                guard !labels.contains(label) else { continue }  // tcp and udp of one port share a label
                labels.append(label)
                if port.hostPort > 0 {
                    reserved.append(NomadPort(label: label, value: port.hostPort, to: port.containerPort))
                } else {
                    dynamic.append(NomadPort(label: label, value: nil, to: port.containerPort))
                }
            }
            let serviceName = NomadNaming.serviceName(tenantID: spec.tenantID, container: container.name)
            var seen: Set<String> = []
            for port in container.ports {
                let label = NomadNaming.portLabel(container: container.name, port: port.containerPort)
                guard seen.insert(label).inserted else { continue }
                var checks: [NomadServiceCheck]?
                if let check = container.healthCheck?.resolved(), check.port == port.containerPort,
                    check.type == .http || check.type == .tcp
                {
                    anyCheck = true
                    minHealthy = max(minHealthy, Int64(check.healthyThreshold * check.intervalSeconds) * Self.second)
                    checks = [
                        NomadServiceCheck(
                            name: "\(container.name)-health", type: check.type == .http ? "http" : "tcp",
                            path: check.type == .http ? check.httpPath : nil, portLabel: nil,
                            interval: Int64(check.intervalSeconds) * Self.second,
                            timeout: Int64(check.timeoutSeconds) * Self.second,
                            checkRestart: NomadCheckRestart(
                                limit: check.unhealthyThreshold, grace: Int64(check.intervalSeconds) * Self.second))
                    ]
                }
                let portName = port.name.isEmpty ? String(port.containerPort) : port.name
                services.append(
                    NomadService(
                        name: serviceName, provider: "nomad", portLabel: label,
                        tags: ["landlord", "tenant=\(spec.tenantID)", "container=\(container.name)", "port=\(portName)"],
                        checks: checks))
            }
            let cores = config.cpuCores == true
            tasks.append(
                NomadTask(
                    name: container.name, driver: "docker",
                    config: NomadDockerConfig(
                        image: container.image, entrypoint: container.command.isEmpty ? nil : container.command,
                        args: container.args.isEmpty ? nil : container.args, ports: labels.isEmpty ? nil : labels),
                    env: container.env.isEmpty ? nil : container.env,
                    resources: NomadResources(
                        cpu: cores ? nil : max(1, amounts.cpu * settings.mhzPerCore / 1000),
                        cores: cores ? max(1, (amounts.cpu + 999) / 1000) : nil, memoryMB: max(10, amounts.memory)),
                    templates: Self.secretTemplates(spec), meta: nil))
        }
        let update = NomadUpdateStrategy(
            maxParallel: 1, healthCheck: anyCheck ? "checks" : "task_states",
            minHealthyTime: min(minHealthy, 240 * Self.second), healthyDeadline: 300 * Self.second,
            progressDeadline: 600 * Self.second, autoRevert: config.autoRevert ?? true)
        let group = NomadTaskGroup(
            name: NomadNaming.groupName, count: config.count ?? 1,
            networks: reserved.isEmpty && dynamic.isEmpty
                ? nil
                : [NomadNetwork(mode: nil, reservedPorts: reserved.isEmpty ? nil : reserved, dynamicPorts: dynamic.isEmpty ? nil : dynamic)],
            services: services.isEmpty ? nil : services, tasks: tasks, update: update,
            restartPolicy: NomadRestartPolicy(attempts: 2, interval: 1800 * Self.second, delay: 15 * Self.second, mode: "fail"),
            reschedulePolicy: NomadReschedulePolicy(
                attempts: 0, interval: 0, delay: 30 * Self.second, delayFunction: "exponential",
                maxDelay: 3600 * Self.second, unlimited: true),
            constraints: nil,
            ephemeralDisk: spec.resources.storage > 0 ? NomadEphemeralDisk(sizeMB: spec.resources.storage) : nil)
        return NomadJob(
            id: jobID, name: jobID, namespace: settings.namespace, region: settings.region, priority: config.priority,
            datacenters: config.datacenters ?? settings.datacenters, nodePool: config.nodePool,
            constraints: config.constraints.map { $0.map { NomadConstraint(lTarget: $0.attribute, rTarget: $0.value, operand: $0.operator) } },
            taskGroups: [group],
            meta: [
                NomadNaming.tenantIDMetaKey: spec.tenantID,
                NomadNaming.managedByMetaKey: "landlord",
                NomadNaming.specMetaKey: Self.storedSpec(spec, config: config),
                NomadNaming.provisionedAtMetaKey: String(Int64(provisionedAt.timeIntervalSince1970)),
            ])
    }

    /// The stored form of `spec` kept in `Meta.landlord_spec`.
    package static func storedSpec(_ spec: TenantComputeSpec, config: NomadSpecConfig) -> String {
        StoredSpec.canonicalString(StoredSpec.sanitized(spec, providerConfig: config.isEmpty ? nil : config))
    }

    /// The templates that hand the tenant's secrets to a task: the values stay in the Nomad
    /// Variable and are rendered by the Nomad client inside the allocation, never in the job.
    package static func secretTemplates(_ spec: TenantComputeSpec) -> [NomadTemplate]? {
        guard !spec.secrets.isEmpty else { return nil }
        let path = NomadNaming.variablePath(spec.tenantID)
        var templates: [NomadTemplate] = []
        let environment = spec.secrets.filter { !$0.envVar.isEmpty }
        if !environment.isEmpty {
            let lines = environment.map { "\($0.envVar)={{ .\($0.name) }}" }.joined(separator: "\n")
            templates.append(
                NomadTemplate(
                    embeddedTmpl: "{{ with nomadVar \"\(path)\" }}\n\(lines)\n{{ end }}\n",
                    destPath: NomadNaming.secretsEnvFile, envvars: true, changeMode: "restart"))
        }
        for secret in spec.secrets where secret.envVar.isEmpty {
            templates.append(
                NomadTemplate(
                    embeddedTmpl: "{{ with nomadVar \"\(path)\" }}{{ .\(secret.name) }}{{ end }}",
                    destPath: "secrets/\(secret.name)", envvars: false, changeMode: "restart"))
        }
        return templates
    }

    /// A container's resources: millicores and MB.
    package struct Amounts: Sendable, Hashable {
        package var cpu: Int
        package var memory: Int
    }

    /// Every container's resources: its own, or an even share of what the tenant's resources
    /// leave after the containers that name their own.
    package static func containerResources(_ spec: TenantComputeSpec) -> [Amounts] {
        let explicit = spec.containers.compactMap(\.resources)
        let others = spec.containers.count - explicit.count
        func share(_ total: Int, _ used: Int) -> Int { others == 0 ? 0 : max(total - used, 0) / others }
        let cpu = share(spec.resources.cpu, explicit.map(\.cpu).reduce(0, +))
        let memory = share(spec.resources.memory, explicit.map(\.memory).reduce(0, +))
        return spec.containers.map { container in
            guard let own = container.resources else { return Amounts(cpu: cpu, memory: memory) }
            return Amounts(cpu: own.cpu, memory: own.memory)
        }
    }
}
