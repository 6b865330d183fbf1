// `google.protobuf.Timestamp` <-> `Date`.

internal import CLandlordProto  // protobuf-c.h is attributed to CLandlordProto too: import both
internal import CProtobufC
internal import Foundation
internal import LandlordProtobuf

/// Conversion between `Date` and `google.protobuf.Timestamp` (seconds and nanoseconds since the Unix
/// epoch, nanoseconds always in `0..<1_000_000_000`, also before 1970: -1.25 s is `-2 s + 750_000_000 ns`).
///
/// The arithmetic runs relative to the reference date of `Date` (2001-01-01), whose distance to the
/// Unix epoch is a whole number of seconds, so that a `Date` survives encode + decode exactly whenever
/// its own precision is coarser than a nanosecond (any date more than ~100 days from 2001-01-01);
/// closer dates are rounded to the nearest nanosecond, the precision of the wire.
///
/// - Encoding clamps to the range a Timestamp may hold (0001-01-01T00:00:00Z through
///   9999-12-31T23:59:59.999999999Z), which other implementations check: `Date.distantFuture`
///   (4001-01-01) is within it, `Date.distantPast` (0000-12-30) becomes 0001-01-01. A NaN date
///   encodes as the Unix epoch; ±infinity as the ends of the range. Never traps.
/// - Decoding clamps `seconds` to the same range and adds `nanos` as sent (even when a non-conforming
///   sender did not normalize them). An absent Timestamp reads as the Unix epoch, as proto3's zero
///   value does.
enum Timestamp {
    /// Seconds from the Unix epoch to the reference date of `Date`, 2001-01-01T00:00:00Z.
    static let unixToReferenceDate: Int64 = 978_307_200
    /// 0001-01-01T00:00:00Z, the smallest valid Timestamp.
    static let minSeconds: Int64 = -62_135_596_800
    /// 9999-12-31T23:59:59Z, the largest valid Timestamp (with 999,999,999 ns).
    static let maxSeconds: Int64 = 253_402_300_799

    static let cType = ProtobufCMessageType(google__protobuf__timestamp__init)

    /// The wire form of `date`.
    static func components(of date: Date) -> (seconds: Int64, nanos: Int32) {
        let interval = date.timeIntervalSinceReferenceDate
        if interval.isNaN { return (0, 0) }
        let whole = interval.rounded(.down)
        if whole < Double(minSeconds - unixToReferenceDate) { return (minSeconds, 0) }
        if whole > Double(maxSeconds - unixToReferenceDate) { return (maxSeconds, 999_999_999) }
        // `interval - whole` is exact; the product rounds to the nearest nanosecond.
        var seconds = Int64(whole) + unixToReferenceDate
        var nanos = Int32(((interval - whole) * 1e9).rounded())
        if nanos >= 1_000_000_000 {
            seconds += 1
            nanos -= 1_000_000_000
        }
        if seconds > maxSeconds { return (maxSeconds, 999_999_999) }
        return (seconds, nanos)
    }

    /// The date of a wire Timestamp.
    static func date(seconds: Int64, nanos: Int32) -> Date {
        let seconds = min(max(seconds, minSeconds), maxSeconds)
        return Date(timeIntervalSinceReferenceDate: Double(seconds - unixToReferenceDate) + Double(nanos) / 1e9)
    }

    /// A `google.protobuf.Timestamp` field (NULL when absent: the Unix epoch).
    static func date(_ timestamp: UnsafePointer<Google__Protobuf__Timestamp>?) -> Date {
        ProtobufC.message(timestamp) { date(seconds: $0.seconds, nanos: $0.nanos) }
            ?? Date(timeIntervalSince1970: 0)
    }
}

extension ProtobufCArena {
    /// A `google.protobuf.Timestamp` field holding `date` (always written, even for the epoch).
    func timestamp(_ date: Date) -> UnsafeMutablePointer<Google__Protobuf__Timestamp> {
        message(Timestamp.cType) { timestamp in
            (timestamp.seconds, timestamp.nanos) = Timestamp.components(of: date)
        }
    }

    /// A message field: a new message of `type` that `fill` fills in.
    func message<Message>(
        _ type: ProtobufCMessageType<Message>,
        _ fill: (inout Message) -> Void
    ) -> UnsafeMutablePointer<Message> {
        let message = self.message(type)
        fill(&message.pointee)
        return message
    }
}
