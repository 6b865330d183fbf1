internal import Foundation
package import LandlordCompute
package import LandlordProviderKit

/// Every object a tenant becomes, as the provider applies them.
package struct TenantObjects: Sendable, Hashable {
    package var namespace: Namespace
    package var resourceQuota: ResourceQuota
    package var limitRange: LimitRange
    package var networkPolicy: NetworkPolicy
    /// Only when the spec has secrets.
    package var secret: Secret?
    package var deployment: Deployment
    /// Only when a container has ports.
    package var service: Service?

    /// The objects in the order they are applied: the namespace, its guards (quota, limits,
    /// network policy), the Secret the pods read, the Deployment, the Service.
    package var inApplyOrder: [any KubernetesObject] {
        var objects: [any KubernetesObject] = [self.namespace, self.resourceQuota, self.limitRange, self.networkPolicy]
        if let secret = self.secret { objects.append(secret) }
        objects.append(self.deployment)
        if let service = self.service { objects.append(service) }
        return objects
    }
}

/// The spec → objects mapping: pure functions, no I/O. The spec is assumed valid
/// (``KubernetesValidation/violations(of:namespacePrefix:secretsDirectory:)`` is empty).
///
/// | spec | object |
/// |---|---|
/// | `tenant_id` | Namespace `<prefix><tenant_id>`; label `landlord.dev/tenant-id` on every object |
/// | `containers` | one Deployment `tenant` whose pod holds every container (they share localhost, like an ECS task) |
/// | `containers[i].command` / `.args` | `command` / `args` (Kubernetes' meaning: `command` replaces the image's entrypoint) |
/// | `containers[i].env` | `env` values, sorted by name |
/// | `secrets[k]` | a key `<secrets[k].name>` in Secret `tenant-secrets`; every container gets `env_var` from it through `secretKeyRef` |
/// | `containers[i].ports` | `ports` (named: the spec's `name`, else `tcp-<port>`), and a Service `tenant` port each (`port`: `host_port` or `container_port`) |
/// | `containers[i].resources` (else an even share of what the tenant's leaves) | `limits` = `requests`, `cpu` in `m`, `memory` and `ephemeral-storage` in `Mi` |
/// | `containers[i].health_check` | `readinessProbe` and `livenessProbe` (`httpGet`, `tcpSocket`, `exec`; `periodSeconds` = interval, `timeoutSeconds`, `failureThreshold` = unhealthy threshold; readiness `successThreshold` = healthy threshold, liveness 1) |
/// | `resources` | ResourceQuota `tenant` (the pod's resources × (replicas + 1), room for the rolling update's one extra pod; pods = replicas + 1) and LimitRange `tenant` (a container at most the tenant's resources) |
/// | `networking.public_ip` | Service type `LoadBalancer` (unless `provider_config.service_type`) |
/// | `networking.dns.hostname` | the pods' `hostname` |
/// | `labels` | labels of every object (landlord's own keys win) |
/// | (always) | NetworkPolicy `tenant-isolation`: ingress only from pods of the namespace, from `provider_config.ingress_from_namespaces`, and from anywhere to the container ports of a `NodePort`/`LoadBalancer` Service (kubelet probes pass: traffic from a pod's own node is always allowed) |
package enum KubernetesMapping {
    /// The objects of `spec` for a cluster whose tenant namespaces start with `namespacePrefix`;
    /// `secretValues` holds every secret's value by the secret's `name`.
    package static func objects(
        for spec: TenantComputeSpec,
        config: KubernetesSpecConfig,
        namespacePrefix: String,
        secretValues: [String: String]
    ) -> TenantObjects {
        let namespace = KubernetesNaming.namespace(prefix: namespacePrefix, tenantID: spec.tenantID)
        let own = KubernetesNaming.labels(tenantID: spec.tenantID)
        // The spec's labels, then landlord's own (which win).
        let labels = spec.labels.merging(own) { _, landlord in landlord }
        func meta(_ name: String, annotations: [String: String]? = nil) -> ObjectMeta {
            ObjectMeta(name: name, namespace: namespace, labels: labels, annotations: annotations)
        }
        let stored = Self.storedSpec(spec, config: config)
        let hash = SpecHash.hex(stored.utf8)
        let replicas = config.effectiveReplicas
        let containerResources = Self.containerResources(spec)
        let pod = Self.podResources(containerResources)

        let namespaceObject = Namespace(
            metadata: ObjectMeta(
                name: namespace, labels: labels, annotations: [KubernetesNaming.specHashAnnotation: hash])
        )

        // Quota: room for the pods of the rollout (one extra pod: maxSurge 1).
        let pods = replicas + 1
        var hard: [String: String] = [
            "pods": "\(pods)",
            "limits.cpu": Self.cpu(pod.cpu * pods), "requests.cpu": Self.cpu(pod.cpu * pods),
            "limits.memory": Self.mebibytes(pod.memory * pods), "requests.memory": Self.mebibytes(pod.memory * pods),
        ]
        if pod.storage > 0 {
            hard["limits.ephemeral-storage"] = Self.mebibytes(pod.storage * pods)
            hard["requests.ephemeral-storage"] = Self.mebibytes(pod.storage * pods)
        }
        let quota = ResourceQuota(metadata: meta(KubernetesNaming.workloadName), spec: .init(hard: hard))

        var maximum = ["cpu": Self.cpu(spec.resources.cpu), "memory": Self.mebibytes(spec.resources.memory)]
        if spec.resources.storage > 0 { maximum["ephemeral-storage"] = Self.mebibytes(spec.resources.storage) }
        let limitRange = LimitRange(
            metadata: meta(KubernetesNaming.workloadName),
            spec: .init(limits: [.init(type: "Container", max: maximum, default: maximum, defaultRequest: maximum)])
        )

        let serviceType = config.effectiveServiceType(publicIP: spec.networking.publicIP)
        let hasPorts = spec.containers.contains { !$0.ports.isEmpty }
        var ingress: [NetworkPolicy.IngressRule] = [.init(from: [.init(podSelector: LabelSelector())])]
        if let namespaces = config.ingressFromNamespaces, !namespaces.isEmpty {
            ingress.append(
                .init(from: [
                    .init(
                        namespaceSelector: LabelSelector(matchExpressions: [
                            .init(key: "kubernetes.io/metadata.name", operator: "In", values: namespaces.sorted())
                        ]))
                ]))
        }
        if hasPorts, serviceType != .clusterIP {
            let ports = spec.containers.flatMap(\.ports).map {
                NetworkPolicy.Port(protocol: Self.protocolName($0.protocol), port: $0.containerPort)
            }
            ingress.append(.init(ports: ports))
        }
        let networkPolicy = NetworkPolicy(
            metadata: meta(KubernetesNaming.networkPolicyName),
            spec: .init(podSelector: LabelSelector(), policyTypes: ["Ingress"], ingress: ingress)
        )

        var secret: Secret?
        if !spec.secrets.isEmpty {
            var data: [String: String] = [:]
            for reference in spec.secrets {
                data[reference.name] = Data((secretValues[reference.name] ?? "").utf8).base64EncodedString()
            }
            secret = Secret(metadata: meta(KubernetesNaming.secretName), data: data)
        }

        let secretEnvironment = spec.secrets.sorted { $0.envVar < $1.envVar }.map { reference in
            Container.EnvVar(
                name: reference.envVar,
                valueFrom: .init(secretKeyRef: .init(name: KubernetesNaming.secretName, key: reference.name))
            )
        }
        let containers = zip(spec.containers, containerResources).map { container, resources in
            Self.container(container, resources: resources, secretEnvironment: secretEnvironment)
        }
        var podSpec = PodSpec(containers: containers)
        podSpec.enableServiceLinks = false
        if let account = config.serviceAccount {
            podSpec.serviceAccountName = account
        } else {
            // The namespace's default account has no use for the API: no token in the pods.
            podSpec.automountServiceAccountToken = false
        }
        if let selector = config.nodeSelector, !selector.isEmpty { podSpec.nodeSelector = selector }
        if let tolerations = config.tolerations, !tolerations.isEmpty {
            podSpec.tolerations = tolerations.map {
                Toleration(
                    key: $0.key, operator: $0.operator, value: $0.value, effect: $0.effect,
                    tolerationSeconds: $0.tolerationSeconds)
            }
        }
        if let secrets = config.imagePullSecrets, !secrets.isEmpty {
            podSpec.imagePullSecrets = secrets.map { LocalObjectReference(name: $0) }
        }
        if let hostname = spec.networking.dns?.hostname, !hostname.isEmpty { podSpec.hostname = hostname }

        let deployment = Deployment(
            metadata: meta(
                KubernetesNaming.workloadName,
                annotations: [KubernetesNaming.specAnnotation: stored, KubernetesNaming.specHashAnnotation: hash]
            ),
            spec: .init(
                replicas: replicas,
                selector: LabelSelector(matchLabels: own),
                template: PodTemplate(metadata: ObjectMeta(labels: labels), spec: podSpec),
                strategy: .init(type: "RollingUpdate", rollingUpdate: .init(maxSurge: 1, maxUnavailable: 0)),
                revisionHistoryLimit: 10,
                progressDeadlineSeconds: 600
            )
        )

        var service: Service?
        if hasPorts {
            let ports = spec.containers.flatMap(\.ports).map { port in
                Service.Port(
                    name: Self.portName(port), port: port.hostPort != 0 ? port.hostPort : port.containerPort,
                    targetPort: port.containerPort, protocol: Self.protocolName(port.protocol))
            }
            service = Service(
                metadata: meta(KubernetesNaming.workloadName),
                spec: .init(type: serviceType.rawValue, selector: own, ports: ports)
            )
        }

        return TenantObjects(
            namespace: namespaceObject, resourceQuota: quota, limitRange: limitRange, networkPolicy: networkPolicy,
            secret: secret, deployment: deployment, service: service
        )
    }

    /// Every secret's value by its `name`, from `resolver`.
    ///
    /// - Throws: the resolver's failure, which names the secret and never its key or value.
    package static func secretValues(
        of spec: TenantComputeSpec,
        resolver: SecretResolver
    ) throws(SecretResolver.Failure) -> [String: String] {
        var values: [String: String] = [:]
        for reference in spec.secrets {
            values[reference.name] = try resolver.value(of: reference)
        }
        return values
    }

    /// The stored spec kept in the Deployment's annotation: canonical JSON of ``StoredSpec``'s
    /// sanitized form (environment values and secret keys fingerprinted).
    package static func storedSpec(_ spec: TenantComputeSpec, config: KubernetesSpecConfig) -> String {
        StoredSpec.canonicalString(StoredSpec.sanitized(spec, providerConfig: config.isEmpty ? nil : config))
    }

    // MARK: - Containers

    /// A container's resources: millicores, MiB, MiB of ephemeral storage (0: none).
    package struct Amounts: Sendable, Hashable {
        package var cpu: Int
        package var memory: Int
        package var storage: Int
    }

    /// Every container's resources: its own, or an even share of what the tenant's resources leave
    /// after the containers that name their own.
    package static func containerResources(_ spec: TenantComputeSpec) -> [Amounts] {
        let explicit = spec.containers.compactMap(\.resources)
        let others = spec.containers.count - explicit.count
        func share(_ total: Int, _ used: Int) -> Int { others == 0 ? 0 : max(total - used, 0) / others }
        let cpu = share(spec.resources.cpu, explicit.map(\.cpu).reduce(0, +))
        let memory = share(spec.resources.memory, explicit.map(\.memory).reduce(0, +))
        let storage = share(spec.resources.storage, explicit.map(\.storage).reduce(0, +))
        return spec.containers.map { container in
            guard let own = container.resources else { return Amounts(cpu: cpu, memory: memory, storage: storage) }
            return Amounts(cpu: own.cpu, memory: own.memory, storage: own.storage)
        }
    }

    private static func podResources(_ containers: [Amounts]) -> Amounts {
        Amounts(
            cpu: containers.map(\.cpu).reduce(0, +), memory: containers.map(\.memory).reduce(0, +),
            storage: containers.map(\.storage).reduce(0, +))
    }

    private static func container(
        _ spec: ContainerSpec,
        resources: Amounts,
        secretEnvironment: [Container.EnvVar]
    ) -> Container {
        let environment =
            spec.env.keys.sorted().map { Container.EnvVar(name: $0, value: spec.env[$0]) } + secretEnvironment
        var quantities = ["cpu": Self.cpu(resources.cpu), "memory": Self.mebibytes(resources.memory)]
        if resources.storage > 0 { quantities["ephemeral-storage"] = Self.mebibytes(resources.storage) }
        let ports = spec.ports.map {
            Container.ContainerPort(
                name: Self.portName($0), containerPort: $0.containerPort, protocol: Self.protocolName($0.protocol))
        }
        let probes = spec.healthCheck.map(Self.probes)
        return Container(
            name: spec.name,
            image: spec.image,
            command: spec.command.isEmpty ? nil : spec.command,
            args: spec.args.isEmpty ? nil : spec.args,
            env: environment.isEmpty ? nil : environment,
            ports: ports.isEmpty ? nil : ports,
            resources: .init(limits: quantities, requests: quantities),
            readinessProbe: probes?.readiness,
            livenessProbe: probes?.liveness
        )
    }

    /// The readiness and liveness probes of a health check (liveness `successThreshold` is 1, as
    /// the API server requires).
    package static func probes(_ check: HealthCheckConfig) -> (readiness: Probe, liveness: Probe) {
        var readiness = Probe(
            periodSeconds: check.effectiveIntervalSeconds, timeoutSeconds: check.effectiveTimeoutSeconds,
            successThreshold: check.effectiveHealthyThreshold, failureThreshold: check.effectiveUnhealthyThreshold
        )
        switch check.type {
        case .http: readiness.httpGet = .init(path: check.httpPath.isEmpty ? "/" : check.httpPath, port: check.port)
        case .tcp: readiness.tcpSocket = .init(port: check.port)
        default: readiness.exec = .init(command: check.command)
        }
        var liveness = readiness
        liveness.successThreshold = 1
        return (readiness, liveness)
    }

    /// A port's name: the spec's, else `tcp-<port>` / `udp-<port>`.
    package static func portName(_ port: PortMapping) -> String {
        port.name.isEmpty ? "\(port.protocol.rawValue.lowercased())-\(port.containerPort)" : port.name
    }

    /// `TCP` or `UDP`.
    package static func protocolName(_ value: PortProtocol) -> String {
        value.rawValue.uppercased()
    }

    /// Millicores as a quantity: `250m`.
    package static func cpu(_ millicores: Int) -> String { "\(millicores)m" }

    /// Megabytes as a quantity in MiB: `512Mi`.
    package static func mebibytes(_ megabytes: Int) -> String { "\(megabytes)Mi" }
}
