internal import Foundation
internal import LandlordCompute
internal import LandlordProviderKit
internal import Logging

/// What one provision or update writes: the spec, its decoded provider_config, its objects and
/// the hash that the Namespace and the Deployment carry.
struct TenantPlan: Sendable {
    var spec: TenantComputeSpec
    var config: KubernetesSpecConfig
    var objects: TenantObjects
    /// The stored spec (``StoredSpec``) as the Deployment's annotation holds it, decoded.
    var stored: TenantComputeSpec
    var hash: String

    var tenantID: String { self.spec.tenantID }
    var namespace: String { self.objects.namespace.metadata.name ?? "" }
}

/// What the API server answered for the objects one operation applied.
struct AppliedObjects: Sendable {
    /// The resource versions the cache must have seen before the operation answers.
    var versions: [(ClusterCache.Kind, String)] = []
    /// The objects' identifiers: `namespace`, `deployment`, ... → `namespace/name` (uid).
    var resourceIDs: [String: String] = [:]
    /// The namespace's `creationTimestamp`.
    var createdAt: Date?
    /// The applied Deployment's `metadata.generation`.
    var deploymentGeneration: Int?

    mutating func record(_ object: any KubernetesObject) {
        let resource = type(of: object).resource
        let meta = object.metadata
        let path = [meta.namespace, meta.name].compactMap { $0 }.joined(separator: "/")
        self.resourceIDs[resource.kind.lowercased()] = meta.uid.map { "\(path) (uid \($0))" } ?? path
        let kind: ClusterCache.Kind? =
            switch resource {
            case .namespaces: .namespaces
            case .deployments: .deployments
            case .services: .services
            default: nil
            }
        if let kind, let version = meta.resourceVersion { self.versions.append((kind, version)) }
        if resource == .namespaces, let created = meta.creationTimestamp {
            self.createdAt = try? Date(created, strategy: .iso8601)
        }
        if resource == .deployments { self.deploymentGeneration = meta.generation }
    }
}

extension KubernetesProvider {
    // MARK: - Planning

    /// The plan of `spec`: its rules checked, its secrets resolved, its objects mapped.
    ///
    /// - Throws: ``ComputeError`` `invalidSpec` for broken rules; `failure` when a secret cannot be
    ///   resolved (the message names the secret, never its key or value).
    func plan(_ spec: TenantComputeSpec, failure: ComputeError.Kind) throws -> TenantPlan {
        let violations = self.ruleViolations(spec)
        guard violations.isEmpty else { throw ComputeError.invalidSpec(violations) }
        let config = KubernetesSpecConfig.decode(spec.providerConfig).config
        let values: [String: String]
        do {
            values = try KubernetesMapping.secretValues(of: spec, resolver: self.secretResolver)
        } catch {
            throw ComputeError(kind: failure, message: "kubernetes provider: \(error.description)")
        }
        let objects = KubernetesMapping.objects(
            for: spec, config: config, namespacePrefix: self.configuration.namespacePrefix, secretValues: values)
        let storedJSON = KubernetesMapping.storedSpec(spec, config: config)
        let stored =
            (try? JSONDecoder().decode(TenantComputeSpec.self, from: Data(storedJSON.utf8)))
            ?? StoredSpec.sanitized(spec, providerConfig: config.isEmpty ? nil : config)
        return TenantPlan(
            spec: spec, config: config, objects: objects, stored: stored,
            hash: objects.namespace.metadata.annotations?[KubernetesNaming.specHashAnnotation] ?? "")
    }

    // MARK: - Writing

    /// Applies `objects` one after the other (each shielded from cancellation, which is checked
    /// in between) and records what the API server answered.
    func apply(_ objects: [any KubernetesObject], into applied: inout AppliedObjects) async throws {
        let api = self.api
        for object in objects {
            try Task.checkCancellation()
            let stored: any KubernetesObject = try await shielded { try await api.apply(object) }
            applied.record(stored)
        }
    }

    /// Waits until the cache has seen every version in `applied` (read-your-writes for the status
    /// that follows); logs and goes on when it takes longer than the request timeout.
    func waitForCache(_ applied: AppliedObjects, tenantID: String) async throws {
        let cache = self.cache
        let versions = applied.versions
        let seen = try await cache.wait(timeout: self.configuration.requestTimeout) {
            versions.allSatisfy { cache.hasSeen($0.0, $0.1) }
        }
        if !seen {
            self.logger.info(
                "the watch cache has not seen the tenant's writes yet; status may lag behind",
                metadata: ["tenant_id": "\(tenantID)"])
        }
    }

    /// Whether `namespace` is tenant `tenantID`'s (landlord's labels).
    static func isTenantNamespace(_ namespace: Namespace, tenantID: String) -> Bool {
        let labels = namespace.metadata.labels ?? [:]
        return labels[KubernetesNaming.managedByLabel] == KubernetesNaming.managedByValue
            && labels[KubernetesNaming.tenantIDLabel] == tenantID
    }

    /// Waits (on the cache) until a terminating namespace is gone; answers whether it is.
    func waitUntilGone(namespace: String) async throws -> Bool {
        let cache = self.cache
        return try await cache.wait(timeout: self.configuration.deletionTimeout, interval: .milliseconds(50)) {
            cache.namespaces.object(ObjectKey(namespace: "", name: namespace)) == nil
        }
    }

    // MARK: - Provision

    func provisionLocked(_ plan: TenantPlan) async throws -> ProvisionResult {
        let tenantID = plan.tenantID
        let namespace = plan.namespace
        var existing: Namespace?
        do {
            try await self.ensureCache()
            existing = try await self.api.get(Namespace.self, namespace: nil, name: namespace)
            if let found = existing, found.metadata.deletionTimestamp != nil,
                Self.isTenantNamespace(found, tenantID: tenantID)
            {
                // A destroy is still under way: provision once it is done.
                guard try await self.waitUntilGone(namespace: namespace) else {
                    throw ComputeError(
                        kind: .provisionFailed,
                        message:
                            "kubernetes provider: tenant \(SpecValidator.quoted(tenantID)) is still being deleted (namespace \(namespace) is terminating); retry later"
                    )
                }
                existing = try await self.api.get(Namespace.self, namespace: nil, name: namespace)
            }
        } catch {
            throw Self.mapError(error, kind: .provisionFailed, tenantID: tenantID, doing: "look up")
        }

        var applied = AppliedObjects()
        if let existing {
            guard Self.isTenantNamespace(existing, tenantID: tenantID) else {
                throw ComputeError(
                    kind: .alreadyExists,
                    message:
                        "kubernetes provider: namespace \(namespace) exists and is not landlord's namespace of tenant \(SpecValidator.quoted(tenantID))"
                )
            }
            guard existing.metadata.annotations?[KubernetesNaming.specHashAnnotation] == plan.hash else {
                throw ComputeError(
                    kind: .alreadyExists,
                    message:
                        "tenant \(SpecValidator.quoted(tenantID)) is already provisioned with a different spec; use update")
            }
            // The same spec: applying it again changes nothing, or finishes an interrupted provision.
            do {
                try await self.apply(plan.objects.inApplyOrder, into: &applied)
            } catch {
                throw Self.mapError(error, kind: .provisionFailed, tenantID: tenantID, doing: "provision")
            }
        } else {
            self.logger.debug("provisioning tenant", metadata: ["tenant_id": "\(tenantID)"])
            let api = self.api
            do {
                let created = try await shielded { try await api.create(plan.objects.namespace) }
                applied.record(created)
            } catch let error as KubernetesAPIError where error.reason == .alreadyExists {
                throw ComputeError(
                    kind: .alreadyExists,
                    message:
                        "tenant \(SpecValidator.quoted(tenantID)) was created concurrently (namespace \(namespace) appeared during this provision, by another landlord)"
                )
            } catch {
                throw Self.mapError(error, kind: .provisionFailed, tenantID: tenantID, doing: "provision")
            }
            do {
                try await self.apply(Array(plan.objects.inApplyOrder.dropFirst()), into: &applied)
            } catch {
                // Undo: the namespace takes everything applied into it along.
                let undone = (try? await shielded { try await api.delete(.namespaces, namespace: nil, name: namespace) })
                if undone == nil {
                    self.logger.info(
                        "could not delete the namespace of a failed provision; destroy removes it",
                        metadata: ["tenant_id": "\(tenantID)"])
                }
                if Task.isCancelled || error is CancellationError { throw CancellationError() }
                throw Self.mapError(error, kind: .provisionFailed, tenantID: tenantID, doing: "provision")
            }
        }
        try await self.waitForCache(applied, tenantID: tenantID)
        self.logger.debug("provisioned tenant", metadata: ["tenant_id": "\(tenantID)"])
        return self.provisionResult(plan, applied: applied)
    }

    /// The result: the objects' ids, the endpoints the Service has (a LoadBalancer's only once
    /// the cloud assigned its address), the namespace's creation time.
    func provisionResult(_ plan: TenantPlan, applied: AppliedObjects) -> ProvisionResult {
        var endpoints: [Endpoint] = []
        if let service = self.cache.services.object(
            ObjectKey(namespace: plan.namespace, name: KubernetesNaming.workloadName))
        {
            endpoints = ServiceEndpoints.endpoints(of: service, ports: plan.spec.containers.flatMap(\.ports))
        }
        return ProvisionResult(
            tenantID: plan.tenantID,
            providerType: self.name,
            status: .success,
            resourceIDs: applied.resourceIDs,
            endpoints: endpoints,
            message:
                "namespace \(plan.namespace) with \(plan.spec.containers.count) container(s) in a Deployment of \(plan.config.effectiveReplicas) replica(s) on \(self.client.endpoint)",
            provisionedAt: applied.createdAt ?? Date()
        )
    }
}
