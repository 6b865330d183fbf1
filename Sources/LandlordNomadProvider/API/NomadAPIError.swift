internal import Foundation
package import LandlordProviderKit

/// A Nomad API call that did not succeed, classified for the provider's error mapping.
///
/// The message is Nomad's own text, made one line (a validation failure's multierror list joined
/// with `; `), except for calls about variables, whose answers may carry secret values: their
/// message never holds the answer's body.
package struct NomadAPIError: Error, Sendable, Hashable, CustomStringConvertible {
    /// How the call failed.
    package enum Reason: Sendable, Hashable {
        /// 404: the job (or variable) does not exist.
        case notFound
        /// 403: the token is missing, unknown or lacks a capability.
        case permissionDenied
        /// A register's `EnforceIndex` check failed: another writer changed the job first.
        case enforceIndexConflict
        /// 409 on a variable's check-and-set: another writer changed it first.
        case variableConflict
        /// 400 or 500 with Nomad's reason: an invalid job, a bad request, a server failure.
        case rejected(status: Int)
    }

    /// The prefix of Nomad's EnforceIndex errors (`structs.RegisterEnforceIndexErrPrefix`).
    package static let enforceIndexPrefix = "Enforcing job modify index"

    /// Why the call failed.
    package var reason: Reason
    /// What the call did, e.g. `register job landlord-acme`.
    package var operation: String
    /// Nomad's message, one line (never a variable's content).
    package var message: String

    package init(reason: Reason, operation: String, message: String) {
        self.reason = reason
        self.operation = operation
        self.message = message
    }

    /// The error of a non-2xx answer; `redactBody` keeps the body out of the message.
    package static func from(_ response: EngineResponse, operation: String, redactBody: Bool = false) -> Self {
        let text = redactBody ? "HTTP \(response.status)" : Self.oneLine(response.errorMessage)
        switch response.status {
        case 404: return Self(reason: .notFound, operation: operation, message: text)
        case 403: return Self(reason: .permissionDenied, operation: operation, message: text)
        case 409: return Self(reason: .variableConflict, operation: operation, message: "HTTP 409 (check-and-set conflict)")
        default:
            if !redactBody, text.hasPrefix(Self.enforceIndexPrefix) {
                return Self(reason: .enforceIndexConflict, operation: operation, message: text)
            }
            return Self(reason: .rejected(status: response.status), operation: operation, message: text)
        }
    }

    /// Nomad's multi-line error text (go-multierror's `N errors occurred:\n\t* ...`) as one line.
    package static func oneLine(_ text: String) -> String {
        let lines = text.split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .map { $0.hasPrefix("* ") ? String($0.dropFirst(2)) : $0 }
            .filter { !$0.isEmpty && !($0.hasSuffix("occurred:") && $0.first?.isNumber == true) }
        return lines.joined(separator: "; ")
    }

    package var description: String { "\(self.operation): \(self.message)" }
}
