// Timestamps in JSON are RFC 3339 strings, as Go's `time.Time` writes them, whatever date
// strategy the encoder was configured with.

internal import Foundation

enum RFC3339 {
    private static let withFraction = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)
    private static let withoutFraction = Date.ISO8601FormatStyle(includingFractionalSeconds: false, timeZone: .gmt)

    /// `2024-05-01T12:00:00.250Z`: UTC, millisecond precision.
    static func string(from date: Date) -> String {
        Self.withFraction.format(date)
    }

    /// Parses an RFC 3339 timestamp with or without fractional seconds.
    static func date(from string: String) -> Date? {
        if let date = try? Self.withFraction.parse(string) { return date }
        return try? Self.withoutFraction.parse(string)
    }

    static func decode<Key: CodingKey>(from container: KeyedDecodingContainer<Key>, forKey key: Key) throws -> Date {
        let string = try container.decode(String.self, forKey: key)
        guard let date = Self.date(from: string) else {
            throw DecodingError.dataCorruptedError(
                forKey: key,
                in: container,
                debugDescription: "expected an RFC 3339 timestamp, got \"\(string)\""
            )
        }
        return date
    }
}
