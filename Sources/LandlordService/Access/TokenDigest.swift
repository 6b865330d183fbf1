package import Crypto

/// The SHA-256 of a bearer token, as the access policy holds it (`token_sha256`), and the
/// constant-time comparison a presented token is matched with.
package struct TokenDigest: Sendable, Hashable {
    /// The 32 bytes of the digest.
    package let bytes: [UInt8]

    /// Parses 64 hexadecimal digits, lowercase as the contract asks; `nil` for anything else.
    package init?(hex: String) {
        let utf8 = Array(hex.utf8)
        guard utf8.count == 64 else { return nil }
        var bytes = [UInt8]()
        bytes.reserveCapacity(32)
        for index in stride(from: 0, to: 64, by: 2) {
            guard let high = Self.nibble(utf8[index]), let low = Self.nibble(utf8[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        self.bytes = bytes
    }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        default: nil
        }
    }

    /// Whether `token` hashes to this digest; the comparison takes the same time wherever the
    /// digests differ (``constantTimeEquals(_:_:)``).
    package func matches(tokenDigest digest: SHA256.Digest) -> Bool {
        digest.withUnsafeBytes { Self.constantTimeEquals(UnsafeRawBufferPointer($0), bytes) }
    }

    /// The SHA-256 of a token's UTF-8 bytes, computed without copying them when they are contiguous.
    package static func digest(of token: Substring) -> SHA256.Digest {
        if let digest = token.utf8.withContiguousStorageIfAvailable({ SHA256.hash(data: UnsafeRawBufferPointer($0)) }) {
            return digest
        }
        return SHA256.hash(data: Array(token.utf8))
    }

    /// Compares two byte strings in time that depends only on their lengths: every byte is
    /// looked at, and no branch depends on a byte's value.
    package static func constantTimeEquals(_ lhs: UnsafeRawBufferPointer, _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for index in 0..<lhs.count { difference |= lhs[index] ^ rhs[index] }
        return difference == 0
    }
}
