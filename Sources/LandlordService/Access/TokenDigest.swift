/// The SHA-256 of a bearer token, as the access policy holds it (`token_sha256`), and the
/// constant-time comparison a presented token is matched with.
///
/// Eight words, not an array: hashing a presented token (``digest(of:)``, FIPS 180-4 on the
/// stack) and comparing it allocate nothing, so admitting a call costs no allocation.
package struct TokenDigest: Sendable, Hashable {
    /// The digest as eight big-endian 32-bit words (the hash's own state words).
    package var words: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32)

    package init(words: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32)) {
        self.words = words
    }

    /// Parses 64 hexadecimal digits, lowercase as the contract asks; `nil` for anything else.
    package init?(hex: String) {
        let utf8 = Array(hex.utf8)
        guard utf8.count == 64 else { return nil }
        var parsed = [UInt32](repeating: 0, count: 8)
        for index in 0..<64 {
            guard let nibble = Self.nibble(utf8[index]) else { return nil }
            parsed[index / 8] = parsed[index / 8] << 4 | UInt32(nibble)
        }
        self.words = (parsed[0], parsed[1], parsed[2], parsed[3], parsed[4], parsed[5], parsed[6], parsed[7])
    }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        default: nil
        }
    }

    /// The 32 bytes of the digest, big-endian (as hex digits and other SHA-256 libraries print them).
    package var bytes: [UInt8] {
        let (a, b, c, d, e, f, g, h) = words
        return [a, b, c, d, e, f, g, h].flatMap { word in (0..<4).map { UInt8(truncatingIfNeeded: word >> (24 - 8 * $0)) } }
    }

    /// Whether `other` is the same digest, compared in time that does not depend on where the two
    /// differ: every word is looked at and no branch depends on their values.
    package func constantTimeEquals(_ other: TokenDigest) -> Bool {
        let (a0, a1, a2, a3, a4, a5, a6, a7) = words
        let (b0, b1, b2, b3, b4, b5, b6, b7) = other.words
        let difference = (a0 ^ b0) | (a1 ^ b1) | (a2 ^ b2) | (a3 ^ b3) | (a4 ^ b4) | (a5 ^ b5) | (a6 ^ b6) | (a7 ^ b7)
        return difference == 0
    }

    package static func == (lhs: TokenDigest, rhs: TokenDigest) -> Bool { lhs.constantTimeEquals(rhs) }

    package func hash(into hasher: inout Hasher) {
        let (a, b, c, d, e, f, g, h) = words
        for word in [a, b, c, d, e, f, g, h] { hasher.combine(word) }
    }

    /// The SHA-256 of a token's UTF-8 bytes, without copying them when they are contiguous.
    package static func digest(of token: Substring) -> TokenDigest {
        if let digest = token.utf8.withContiguousStorageIfAvailable({ StackSHA256.hash(UnsafeRawBufferPointer($0)) }) {
            return digest
        }
        return Array(token.utf8).withUnsafeBytes { StackSHA256.hash($0) }
    }
}

/// SHA-256 (FIPS 180-4) with its state and message schedule on the stack.
///
/// Here rather than swift-crypto's `SHA256` because that one allocates a context object per hash,
/// and a token is hashed on every call of a method the policy guards. Checked against
/// swift-crypto's output for every length from 0 to 300 bytes and the FIPS examples
/// (AccessPolicyTests).
package enum StackSHA256 {
    private static let roundConstants: [UInt32] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ]

    @inline(__always)
    private static func rotateRight(_ value: UInt32, _ count: UInt32) -> UInt32 {
        (value >> count) | (value << (32 - count))
    }

    /// The digest of `message`.
    package static func hash(_ message: UnsafeRawBufferPointer) -> TokenDigest {
        var state: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) = (
            0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19
        )
        let count = message.count
        let bitLength = UInt64(count) &* 8
        // The message, a 0x80 byte, zeros, and its length in bits as 8 big-endian bytes: whole blocks.
        let blockCount = (count + 9 + 63) / 64
        let paddedCount = blockCount * 64
        @inline(__always)
        func paddedByte(_ index: Int) -> UInt8 {
            if index < count { return message[index] }
            if index == count { return 0x80 }
            if index >= paddedCount - 8 { return UInt8(truncatingIfNeeded: bitLength >> UInt64((paddedCount - 1 - index) * 8)) }
            return 0
        }
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { schedule in
            roundConstants.withUnsafeBufferPointer { k in
                for block in 0..<blockCount {
                    let base = block * 64
                    for t in 0..<16 {
                        let i = base + 4 * t
                        schedule[t] =
                            UInt32(paddedByte(i)) << 24 | UInt32(paddedByte(i + 1)) << 16
                            | UInt32(paddedByte(i + 2)) << 8 | UInt32(paddedByte(i + 3))
                    }
                    for t in 16..<64 {
                        let w15 = schedule[t - 15]
                        let w2 = schedule[t - 2]
                        let s0 = rotateRight(w15, 7) ^ rotateRight(w15, 18) ^ (w15 >> 3)
                        let s1 = rotateRight(w2, 17) ^ rotateRight(w2, 19) ^ (w2 >> 10)
                        schedule[t] = schedule[t - 16] &+ s0 &+ schedule[t - 7] &+ s1
                    }
                    var (a, b, c, d, e, f, g, h) = state
                    for t in 0..<64 {
                        let s1 = rotateRight(e, 6) ^ rotateRight(e, 11) ^ rotateRight(e, 25)
                        let choice = (e & f) ^ (~e & g)
                        let temp1 = h &+ s1 &+ choice &+ k[t] &+ schedule[t]
                        let s0 = rotateRight(a, 2) ^ rotateRight(a, 13) ^ rotateRight(a, 22)
                        let majority = (a & b) ^ (a & c) ^ (b & c)
                        let temp2 = s0 &+ majority
                        h = g
                        g = f
                        f = e
                        e = d &+ temp1
                        d = c
                        c = b
                        b = a
                        a = temp1 &+ temp2
                    }
                    state = (
                        state.0 &+ a, state.1 &+ b, state.2 &+ c, state.3 &+ d,
                        state.4 &+ e, state.5 &+ f, state.6 &+ g, state.7 &+ h
                    )
                }
            }
            // The schedule held words of the token: wipe it before the stack is reused.
            schedule.update(repeating: 0)
        }
        return TokenDigest(words: state)
    }
}
