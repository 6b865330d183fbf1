/// FNV-1a 64-bit hashing, the providers' stable hash for what they store of a spec on the engine.
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
