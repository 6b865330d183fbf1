/// Bytes from a hex string (whitespace ignored), for known encodings in tests.
func hexBytes(_ hex: String) -> [UInt8] {
    let digits = hex.filter { !$0.isWhitespace }.map { UInt8(String($0), radix: 16)! }
    return stride(from: 0, to: digits.count, by: 2).map { digits[$0] << 4 | digits[$0 + 1] }
}

/// A varint, for building wire bytes by hand.
func varint(_ value: Int) -> [UInt8] {
    var value = UInt64(value)
    var bytes: [UInt8] = []
    repeat {
        bytes.append(UInt8(value & 0x7f) | (value > 0x7f ? 0x80 : 0))
        value >>= 7
    } while value > 0
    return bytes
}

/// A serialized FileDescriptorSet holding the given serialized FileDescriptorProtos.
func fileDescriptorSet(_ files: [[UInt8]]) -> [UInt8] {
    files.flatMap { [0x0a] + varint($0.count) + $0 }
}
