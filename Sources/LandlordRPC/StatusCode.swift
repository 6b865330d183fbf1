/// A gRPC status code, as listed in grpc/grpc `doc/statuscodes.md`.
///
/// Codes are values of an extensible struct rather than enum cases so that
/// callers can `switch` on the ones they care about without breaking when a
/// code is added.
package struct StatusCode: Hashable, Sendable, CustomStringConvertible {
    /// The numeric value carried in the `grpc-status` trailer.
    package let rawValue: Int

    /// Creates a code from its numeric value; `nil` for values outside 0...16.
    package init?(rawValue: Int) {
        guard (0...16).contains(rawValue) else { return nil }
        self.rawValue = rawValue
    }

    private init(_ rawValue: Int) { self.rawValue = rawValue }

    package static let ok = StatusCode(0)
    package static let cancelled = StatusCode(1)
    package static let unknown = StatusCode(2)
    package static let invalidArgument = StatusCode(3)
    package static let deadlineExceeded = StatusCode(4)
    package static let notFound = StatusCode(5)
    package static let alreadyExists = StatusCode(6)
    package static let permissionDenied = StatusCode(7)
    package static let resourceExhausted = StatusCode(8)
    package static let failedPrecondition = StatusCode(9)
    package static let aborted = StatusCode(10)
    package static let outOfRange = StatusCode(11)
    package static let unimplemented = StatusCode(12)
    package static let `internal` = StatusCode(13)
    package static let unavailable = StatusCode(14)
    package static let dataLoss = StatusCode(15)
    package static let unauthenticated = StatusCode(16)

    private static let names = [
        "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
        "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
        "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
        "UNAUTHENTICATED",
    ]

    /// The canonical upper-case name, e.g. `NOT_FOUND`.
    package var description: String { Self.names[rawValue] }
}

/// The outcome of a call: the code and message sent in `grpc-status` and `grpc-message`.
package struct Status: Hashable, Sendable {
    package var code: StatusCode
    package var message: String

    package init(code: StatusCode, message: String = "") {
        self.code = code
        self.message = message
    }

    package static let ok = Status(code: .ok)
}
