internal import Foundation
internal import LandlordProviderKit
internal import NIOCore
internal import NIOHTTP1

/// An error answer of an AWS JSON 1.1 API: its exception type (`__type`, without the
/// `namespace#` prefix), its message and the HTTP status.
package struct AWSServiceError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The exception types landlord acts on; any other is kept as its name.
    package struct ErrorType: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        package var rawValue: String
        package init(rawValue: String) { self.rawValue = rawValue }

        /// The caller did something wrong (also: the service is not idempotent for a client token).
        package static let clientException = Self(rawValue: "ClientException")
        /// A parameter is invalid (also: "Creation of service was not idempotent").
        package static let invalidParameter = Self(rawValue: "InvalidParameterException")
        /// The service does not exist.
        package static let serviceNotFound = Self(rawValue: "ServiceNotFoundException")
        /// The service exists but is not ACTIVE.
        package static let serviceNotActive = Self(rawValue: "ServiceNotActiveException")
        /// The cluster does not exist.
        package static let clusterNotFound = Self(rawValue: "ClusterNotFoundException")
        /// The caller lacks a permission.
        package static let accessDenied = Self(rawValue: "AccessDeniedException")
        /// The access key id is unknown.
        package static let unrecognizedClient = Self(rawValue: "UnrecognizedClientException")
        /// The signature does not match (wrong secret, clock or canonical request).
        package static let signatureDoesNotMatch = Self(rawValue: "SignatureDoesNotMatch")
        /// The session token is invalid or expired.
        package static let expiredToken = Self(rawValue: "ExpiredTokenException")
        /// A rate limit: retried with backoff.
        package static let throttling = Self(rawValue: "ThrottlingException")
        /// A server-side failure.
        package static let serverException = Self(rawValue: "ServerException")

        /// The types that mean the credentials were not accepted.
        package static let credentialFailures: Set<Self> = [
            .unrecognizedClient, .signatureDoesNotMatch, .expiredToken, Self(rawValue: "InvalidClientTokenId"),
            Self(rawValue: "InvalidSignatureException"), Self(rawValue: "IncompleteSignature"),
            Self(rawValue: "MissingAuthenticationToken"),
        ]
        /// The types AWS answers when it throttles a call.
        package static let throttlingTypes: Set<String> = [
            "ThrottlingException", "Throttling", "ThrottledException", "TooManyRequestsException",
            "RequestLimitExceeded", "RequestThrottled", "RequestThrottledException",
        ]

        package var description: String { self.rawValue }
    }

    /// The exception type.
    package var type: ErrorType
    /// AWS's message (never a request body or a header).
    package var message: String
    /// The HTTP status.
    package var status: Int
    /// The operation, e.g. `CreateService`.
    package var operation: String

    package init(type: ErrorType, message: String, status: Int, operation: String) {
        self.type = type
        self.message = message
        self.status = status
        self.operation = operation
    }

    /// `Operation: Type: message`.
    package var description: String {
        "\(self.operation): \(self.type)" + (self.message.isEmpty ? "" : ": \(self.message)")
    }

    /// Whether the credentials were rejected (unknown key, bad signature, expired token); a
    /// permission the credentials lack is ``isPermissionDenied``.
    package var isCredentialFailure: Bool {
        if Self.ErrorType.credentialFailures.contains(self.type) { return true }
        // moto and some front ends answer a bare 403 for a bad signature.
        return self.status == 403 && !self.isPermissionDenied && self.type.rawValue.hasPrefix("HTTP ")
    }

    /// Whether the credentials are valid but lack a permission.
    package var isPermissionDenied: Bool {
        self.type == .accessDenied || self.type.rawValue == "AccessDenied"
    }

    /// The error of an answer: `__type` (or the `x-amzn-ErrorType` header) without its
    /// `namespace#` prefix and `:http...` suffix, and `message`/`Message`.
    static func from(_ response: EngineResponse, operation: String) -> AWSServiceError {
        let object =
            (try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView))) as? [String: Any] ?? [:]
        var type = (object["__type"] as? String) ?? response.headers.first(name: "x-amzn-ErrorType") ?? ""
        if let hash = type.lastIndex(of: "#") { type = String(type[type.index(after: hash)...]) }
        if let colon = type.firstIndex(of: ":") { type = String(type[..<colon]) }
        if type.isEmpty {
            // Query-protocol style (STS, moto's signature errors): <Code>...</Code>.
            type = STSResponse.element("Code", in: response.text) ?? "HTTP \(response.status)"
        }
        let message =
            (object["message"] as? String) ?? (object["Message"] as? String)
            ?? STSResponse.element("Message", in: response.text) ?? ""
        let short = message.count > 300 ? String(message.prefix(300)) + "..." : message
        return AWSServiceError(type: ErrorType(rawValue: type), message: short, status: response.status, operation: operation)
    }

    /// Whether an answer is AWS throttling the call (retried by the engine client for every method).
    package static func isThrottled(status: Int, body: [UInt8]) -> Bool {
        if status == 429 { return true }
        guard status == 400 || status == 503 else { return false }
        let text = String(decoding: body.prefix(512), as: UTF8.self)
        return ErrorType.throttlingTypes.contains { text.contains("\"\($0)\"") || text.contains("#\($0)\"") || text.contains("<Code>\($0)</Code>") }
    }
}
