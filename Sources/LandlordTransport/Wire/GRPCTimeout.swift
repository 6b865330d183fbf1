/// The `grpc-timeout` request header: at most eight ASCII digits followed by
/// a unit, `H` (hours), `M` (minutes), `S` (seconds), `m` (milliseconds),
/// `u` (microseconds) or `n` (nanoseconds).
enum GRPCTimeout {
    /// The duration a header value names, or `nil` when the value is malformed.
    static func parse(_ value: String) -> Duration? {
        let utf8 = value.utf8
        guard let unit = utf8.last, (2...9).contains(utf8.count) else { return nil }
        var amount: Int64 = 0
        for byte in utf8.dropLast() {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
            amount = amount * 10 + Int64(byte - UInt8(ascii: "0"))
        }
        switch unit {
        case UInt8(ascii: "H"): return .seconds(amount * 3600)
        case UInt8(ascii: "M"): return .seconds(amount * 60)
        case UInt8(ascii: "S"): return .seconds(amount)
        case UInt8(ascii: "m"): return .milliseconds(amount)
        case UInt8(ascii: "u"): return .microseconds(amount)
        case UInt8(ascii: "n"): return .nanoseconds(amount)
        default: return nil
        }
    }
}
