internal import Foundation

/// An error answer of the API server: its `kind: Status` body (`code`, `reason`, `message`,
/// `details.causes`), or the HTTP status when the body is not a Status.
///
/// The message is the API server's (cut to 300 characters); nothing of the request (its body, a
/// Secret's data, headers) is ever part of it. ``redacting(_:)`` removes given values from it
/// anyway, for messages about Secrets.
package struct KubernetesAPIError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The Status `reason`, an open set of strings (`metav1.StatusReason`).
    package struct Reason: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        package var rawValue: String
        package init(rawValue: String) { self.rawValue = rawValue }

        package static let notFound = Self(rawValue: "NotFound")
        package static let alreadyExists = Self(rawValue: "AlreadyExists")
        package static let conflict = Self(rawValue: "Conflict")
        package static let invalid = Self(rawValue: "Invalid")
        package static let gone = Self(rawValue: "Gone")
        package static let expired = Self(rawValue: "Expired")
        package static let forbidden = Self(rawValue: "Forbidden")
        package static let unauthorized = Self(rawValue: "Unauthorized")
        package static let badRequest = Self(rawValue: "BadRequest")
        package static let unsupportedMediaType = Self(rawValue: "UnsupportedMediaType")
        package static let tooManyRequests = Self(rawValue: "TooManyRequests")
        package static let timeout = Self(rawValue: "Timeout")
        package static let serviceUnavailable = Self(rawValue: "ServiceUnavailable")
        package static let internalError = Self(rawValue: "InternalError")
        /// No Status body, or one without a reason.
        package static let unknown = Self(rawValue: "")

        /// The reason the API server would give for an HTTP status (when the body has none).
        package static func forStatus(_ code: Int) -> Self {
            switch code {
            case 400: .badRequest
            case 401: .unauthorized
            case 403: .forbidden
            case 404: .notFound
            case 409: .conflict
            case 410: .gone
            case 415: .unsupportedMediaType
            case 422: .invalid
            case 429: .tooManyRequests
            case 503: .serviceUnavailable
            case 504: .timeout
            case 500: .internalError
            default: .unknown
            }
        }

        package var description: String { self.rawValue.isEmpty ? "Unknown" : self.rawValue }
    }

    /// One cause of an `Invalid` (or other) Status: `details.causes[i]`.
    package struct Cause: Sendable, Hashable, Codable {
        /// `FieldValueInvalid`, `FieldValueRequired`, ...
        package var reason: String?
        package var message: String?
        /// The field path, e.g. `spec.template.spec.containers[0].name`.
        package var field: String?

        package init(reason: String? = nil, message: String? = nil, field: String? = nil) {
            self.reason = reason
            self.message = message
            self.field = field
        }
    }

    /// The HTTP status (the Status `code` when it has one).
    package var code: Int
    /// The Status reason.
    package var reason: Reason
    /// The API server's message.
    package var message: String
    /// `details.causes`.
    package var causes: [Cause]
    /// What the call did, e.g. `apply deployments.apps landlord-acme/tenant`.
    package var operation: String

    /// Creates an error; `message` is cut to 300 characters.
    package init(code: Int, reason: Reason, message: String, causes: [Cause] = [], operation: String) {
        self.code = code
        self.reason = reason
        self.message = Self.cut(message)
        self.causes = causes.map {
            Cause(reason: $0.reason, message: $0.message.map(Self.cut), field: $0.field)
        }
        self.operation = operation
    }

    private static func cut(_ text: String) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.count > 300 ? String(trimmed.prefix(300)) + "..." : trimmed
    }

    private struct StatusBody: Decodable {
        struct Details: Decodable {
            var causes: [Cause]?
        }

        var kind: String?
        var code: Int?
        var reason: String?
        var message: String?
        var details: Details?
    }

    /// The error of an answer with status `status` and `body`: the Status it holds, or one made of
    /// the HTTP status (and the start of a non-JSON body, which a proxy may have sent).
    package static func decode(status: Int, body: some Collection<UInt8>, operation: String) -> KubernetesAPIError {
        let data = Data(body)
        if let decoded = try? JSONDecoder().decode(StatusBody.self, from: data), decoded.kind == "Status" {
            let code = decoded.code.flatMap { $0 == 0 ? nil : $0 } ?? status
            let reason = decoded.reason.flatMap { $0.isEmpty ? nil : Reason(rawValue: $0) } ?? .forStatus(code)
            return KubernetesAPIError(
                code: code, reason: reason, message: decoded.message ?? "HTTP \(code)",
                causes: decoded.details?.causes ?? [], operation: operation)
        }
        let text = String(decoding: data.prefix(300), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let printable = !text.isEmpty && text.unicodeScalars.allSatisfy { $0.value >= 0x20 || $0 == "\n" || $0 == "\t" }
        return KubernetesAPIError(
            code: status, reason: .forStatus(status),
            message: printable ? "HTTP \(status): \(text)" : "HTTP \(status)", operation: operation)
    }

    /// The error with every occurrence of `values` (e.g. a Secret's values) in its message and
    /// causes replaced by `<redacted>`.
    package func redacting(_ values: some Sequence<String>) -> KubernetesAPIError {
        var copy = self
        for value in values where !value.isEmpty {
            copy.message = copy.message.replacingOccurrences(of: value, with: "<redacted>")
            copy.causes = copy.causes.map {
                Cause(
                    reason: $0.reason, message: $0.message?.replacingOccurrences(of: value, with: "<redacted>"),
                    field: $0.field)
            }
        }
        return copy
    }

    /// `operation: message (Reason, HTTP code)`, and for causes `; field: message`.
    package var description: String {
        var text = "\(self.operation): \(self.message) (\(self.reason), HTTP \(self.code))"
        for cause in self.causes {
            text += "; \(cause.field ?? "?"): \(cause.message ?? cause.reason ?? "invalid")"
        }
        return text
    }
}
