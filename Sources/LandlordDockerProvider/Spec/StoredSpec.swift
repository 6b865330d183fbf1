internal import Foundation
package import LandlordCompute

/// FNV-1a 64-bit hashing, the provider's stable hash for spec labels.
///
/// FNV-1a (http://www.isthe.com/chongo/tech/comp/fnv/) is tiny, has no dependency and gives the
/// same value on every platform and run (unlike `Hasher`, which is seeded per process). It is not
/// cryptographic: it detects changes, it does not hide content.
package enum SpecHash {
    private static let offsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325
    private static let prime: UInt64 = 0x0000_0100_0000_01b3

    /// The FNV-1a 64 hash of `bytes`.
    package static func fnv1a64(_ bytes: some Sequence<UInt8>) -> UInt64 {
        var hash = Self.offsetBasis
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* Self.prime
        }
        return hash
    }

    /// The hash as 16 lowercase hex digits.
    package static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let hex = String(Self.fnv1a64(bytes), radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// `fnv1a64:<hex>`: what labels keep in place of an environment value or a secret key.
    package static func fingerprint(_ value: String) -> String {
        "fnv1a64:" + Self.hex(value.utf8)
    }
}

/// What the engine's labels remember of a spec, so that a restarted landlord (or another
/// provider instance) can tell what a tenant runs without any state of its own.
///
/// The stored form of a spec is the spec with
/// - every environment value replaced by its fingerprint (``SpecHash/fingerprint(_:)``),
/// - every secret's `key` replaced by its fingerprint (secret values are never read for it),
/// - `provider_config` replaced by its decoded, canonical form (absent when it sets nothing),
///
/// encoded as canonical JSON (sorted keys, no insignificant whitespace). Each container carries its
/// own part (``DockerLabels/spec``) and the tenant-wide part (``DockerLabels/tenantSpec``), and the
/// hash of both (``DockerLabels/specHash``): a change of the container or of anything tenant-wide
/// changes the hash, so update recreates exactly the containers whose hash changed.
package enum StoredSpec {
    /// The stored form of `spec` (see the type's documentation); `config` is its decoded provider_config.
    package static func sanitized(_ spec: TenantComputeSpec, config: DockerSpecConfig) -> TenantComputeSpec {
        var stored = spec
        stored.containers = spec.containers.map(Self.sanitized)
        stored.secrets = spec.secrets.map { secret in
            var secret = secret
            secret.key = SpecHash.fingerprint(secret.key)
            return secret
        }
        stored.providerConfig = config.isEmpty ? nil : RawJSON(Self.canonicalJSON(config))
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

    /// The ``DockerLabels/specHash`` of a stored container in a stored tenant-wide part.
    package static func hash(container: ContainerSpec, tenantPart: TenantComputeSpec) -> String {
        SpecHash.hex(Self.canonicalJSON(HashedDocument(container: container, tenant: tenantPart)))
    }

    /// `value` as canonical JSON: sorted keys, no whitespace, `/` unescaped.
    static func canonicalJSON(_ value: some Encodable) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // The spec types encode plain strings, integers and booleans only: this cannot fail.
        return (try? encoder.encode(value)) ?? Data()
    }

    /// `value` as a canonical JSON string (a label value).
    package static func canonicalString(_ value: some Encodable) -> String {
        String(decoding: Self.canonicalJSON(value), as: UTF8.self)
    }

    /// Rebuilds a stored spec from the labels of a tenant's containers: the tenant-wide part of the
    /// first container (by name) and every container's own part, sorted by name. `nil` when a
    /// label is missing or unreadable.
    static func reconstruct(tenantID: String, providerType: String, labels: [[String: String]]) -> TenantComputeSpec? {
        let sorted = labels.sorted { ($0[DockerLabels.container] ?? "") < ($1[DockerLabels.container] ?? "") }
        guard let first = sorted.first, let tenantJSON = first[DockerLabels.tenantSpec],
            var spec = try? JSONDecoder().decode(TenantComputeSpec.self, from: Data(tenantJSON.utf8))
        else { return nil }
        var containers: [ContainerSpec] = []
        for containerLabels in sorted {
            guard let json = containerLabels[DockerLabels.spec],
                let container = try? JSONDecoder().decode(ContainerSpec.self, from: Data(json.utf8))
            else { return nil }
            containers.append(container)
        }
        spec.tenantID = tenantID
        spec.providerType = providerType
        spec.containers = containers
        return spec
    }

    private struct HashedDocument: Encodable {
        var container: ContainerSpec
        var tenant: TenantComputeSpec
    }
}
