package import Foundation
package import LandlordCompute

/// What a provider keeps of a spec on the engine itself (Docker labels, Kubernetes annotations,
/// ECS tags, Nomad meta), so that a restarted landlord (or another instance) can tell what a
/// tenant runs without any state of its own, and what an update changes.
///
/// The stored form of a spec is the spec with
/// - every environment value replaced by its fingerprint (``SpecHash/fingerprint(_:)``),
/// - every secret's `key` replaced by its fingerprint (secret values are never read for it),
/// - `provider_config` replaced by the provider's decoded, canonical form (absent when it sets
///   nothing),
///
/// encoded as canonical JSON (sorted keys, no insignificant whitespace). A provider stores each
/// container's own part, the tenant-wide part (``tenantPart(of:)``) and the hash of both
/// (``hash(container:tenantPart:)``): a change of the container or of anything tenant-wide changes
/// the hash, so an update touches exactly the containers whose hash changed.
package enum StoredSpec {
    /// The stored form of `spec` (see the type's documentation); `providerConfig` is its decoded
    /// provider_config, `nil` when it sets nothing.
    package static func sanitized(_ spec: TenantComputeSpec, providerConfig: (some Encodable)?) -> TenantComputeSpec {
        var stored = spec
        stored.containers = spec.containers.map(Self.sanitized)
        stored.secrets = spec.secrets.map { secret in
            var secret = secret
            secret.key = SpecHash.fingerprint(secret.key)
            return secret
        }
        stored.providerConfig = providerConfig.map { RawJSON(Self.canonicalJSON($0)) }
        return stored
    }

    /// A container's stored form: environment values replaced by fingerprints.
    package static func sanitized(_ container: ContainerSpec) -> ContainerSpec {
        var container = container
        container.env = container.env.mapValues(SpecHash.fingerprint)
        return container
    }

    /// The tenant-wide part of a stored spec: the spec without its containers.
    package static func tenantPart(of stored: TenantComputeSpec) -> TenantComputeSpec {
        var tenant = stored
        tenant.containers = []
        return tenant
    }

    /// The hash of a stored container in a stored tenant-wide part.
    package static func hash(container: ContainerSpec, tenantPart: TenantComputeSpec) -> String {
        SpecHash.hex(Self.canonicalJSON(HashedDocument(container: container, tenant: tenantPart)))
    }

    /// `value` as canonical JSON: sorted keys, no whitespace, `/` unescaped.
    package static func canonicalJSON(_ value: some Encodable) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // The spec types encode plain strings, integers and booleans only: this cannot fail.
        return (try? encoder.encode(value)) ?? Data()
    }

    /// `value` as a canonical JSON string (a label value).
    package static func canonicalString(_ value: some Encodable) -> String {
        String(decoding: Self.canonicalJSON(value), as: UTF8.self)
    }

    /// Rebuilds a stored spec from its stored parts: the tenant-wide part and every container's
    /// own part, in the order given. `nil` when a part is unreadable.
    package static func reassemble(
        tenantID: String,
        providerType: String,
        tenantPart: String,
        containers: [String]
    ) -> TenantComputeSpec? {
        guard var spec = try? JSONDecoder().decode(TenantComputeSpec.self, from: Data(tenantPart.utf8)) else {
            return nil
        }
        var decoded: [ContainerSpec] = []
        for json in containers {
            guard let container = try? JSONDecoder().decode(ContainerSpec.self, from: Data(json.utf8)) else {
                return nil
            }
            decoded.append(container)
        }
        spec.tenantID = tenantID
        spec.providerType = providerType
        spec.containers = decoded
        return spec
    }

    private struct HashedDocument: Encodable {
        var container: ContainerSpec
        var tenant: TenantComputeSpec
    }
}
