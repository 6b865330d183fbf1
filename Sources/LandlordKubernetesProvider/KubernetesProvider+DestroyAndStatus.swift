internal import Foundation
internal import LandlordCompute
internal import LandlordProviderKit
internal import Logging

extension KubernetesProvider {
    // MARK: - Destroy

    func destroyLocked(tenantID: String) async throws {
        let namespace = self.namespace(of: tenantID)
        do {
            try await self.ensureCache()
            guard let existing = try await self.api.get(Namespace.self, namespace: nil, name: namespace) else {
                self.logger.debug("tenant to destroy has no namespace", metadata: ["tenant_id": "\(tenantID)"])
                _ = try await self.waitUntilGone(namespace: namespace)
                return
            }
            guard Self.isTenantNamespace(existing, tenantID: tenantID) else {
                throw ComputeError(
                    kind: .providerFailed,
                    message:
                        "kubernetes provider: namespace \(namespace) is not landlord's namespace of tenant \(SpecValidator.quoted(tenantID)) (its labels say otherwise); it is left alone"
                )
            }
            if existing.metadata.deletionTimestamp == nil {
                do {
                    try await self.api.delete(.namespaces, namespace: nil, name: namespace)
                } catch let error as KubernetesAPIError where error.reason == .conflict {
                    // Deleted meanwhile: the namespace is already terminating.
                }
            }
            guard try await self.waitUntilGone(namespace: namespace) else {
                self.logger.info(
                    "the tenant's namespace is still terminating; its deletion goes on",
                    metadata: ["tenant_id": "\(tenantID)", "namespace": "\(namespace)"])
                return
            }
        } catch {
            throw Self.mapError(error, kind: .providerFailed, tenantID: tenantID, doing: "destroy")
        }
        self.logger.debug("destroyed tenant", metadata: ["tenant_id": "\(tenantID)"])
    }

    // MARK: - Status

    /// The tenant's status from the watch cache: no request reaches the API server.
    func statusOfTenant(_ tenantID: String) async throws -> ComputeStatus {
        try await self.ensureCache()
        let namespace = self.namespace(of: tenantID)
        guard let tenant = self.cache.tenant(namespace: namespace, tenantID: tenantID) else {
            throw ComputeError(kind: .tenantNotFound, message: "tenant \(SpecValidator.quoted(tenantID)) does not exist")
        }
        let stored = tenant.storedSpec?.spec
        let report = TenantStatusReport(
            tenantID: tenantID, providerType: self.name, containerNames: stored?.containers.map(\.name) ?? [],
            namespace: tenant.namespace, deployment: tenant.deployment, pods: tenant.pods)
        var status = report.status(observedAt: Date())
        if let service = tenant.service, let stored {
            let endpoints = ServiceEndpoints.endpoints(of: service, ports: stored.containers.flatMap(\.ports))
            if !endpoints.isEmpty {
                status.metadata["endpoints"] = endpoints.map { "\($0.address):\($0.port)" }.joined(separator: ",")
            }
        }
        return status
    }
}
