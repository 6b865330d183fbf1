internal import Foundation
internal import LandlordCompute

/// What the provider keeps of a tenant's spec on the cluster, read back from an object's
/// annotations: the stored spec (``KubernetesNaming/specAnnotation``, environment values and
/// secret keys as fingerprints) and its hash (``KubernetesNaming/specHashAnnotation``).
///
/// The cluster is the only store: a restarted landlord (or a second replica) learns from these
/// what a tenant runs, which containers its status reports and what an update changes.
struct TenantSpecAnnotation: Sendable, Hashable {
    /// The stored spec.
    var spec: TenantComputeSpec
    /// Its hash, as the annotation says.
    var hash: String

    /// The annotation of `annotations`, nil when absent or unreadable.
    init?(_ annotations: [String: String]) {
        guard let json = annotations[KubernetesNaming.specAnnotation],
            let spec = try? JSONDecoder().decode(TenantComputeSpec.self, from: Data(json.utf8))
        else { return nil }
        self.spec = spec
        self.hash = annotations[KubernetesNaming.specHashAnnotation] ?? ""
    }
}
