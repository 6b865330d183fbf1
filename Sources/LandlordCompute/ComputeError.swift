/// One way in which a spec is invalid: the path of the offending field and a sentence saying why.
///
/// `field` is a path such as `containers[1].ports[0].container_port` (JSON field names, zero-based
/// indices, map keys in brackets: `labels[team]`). The empty path stands for the spec as a whole.
package struct FieldViolation: Sendable, Hashable, Codable {
    /// The path of the offending field, e.g. `containers[0].image`.
    package var field: String
    /// A human sentence saying what is wrong, e.g. `image "nginx:" is not a valid image reference: ...`.
    package var description: String

    /// Creates a violation of `field`.
    package init(field: String, description: String) {
        self.field = field
        self.description = description
    }
}

/// The error of every compute operation: a ``Kind`` callers switch on, a message for humans and,
/// for ``Kind/invalidSpec``, the field violations.
///
/// Callers test ``kind``, never the message:
///
/// ```swift
/// do {
///     _ = try await manager.provisionTenant(spec)
/// } catch let error as ComputeError where error.kind == .alreadyExists {
///     // the tenant exists with a different spec
/// }
/// ```
///
/// How the service layer maps kinds to gRPC status codes:
///
/// | kind | status |
/// |---|---|
/// | ``Kind/invalidSpec``, ``Kind/providerNotFound`` | `INVALID_ARGUMENT` |
/// | ``Kind/tenantNotFound`` | `NOT_FOUND` |
/// | ``Kind/alreadyExists`` | `ALREADY_EXISTS` |
/// | every other kind (``Kind/provisionFailed``, ``Kind/updateFailed``, ``Kind/providerFailed``, ...) | `INTERNAL` |
///
/// > Important: messages travel to clients and into logs. They must never contain an environment
/// > value, a secret or provider configuration content.
package struct ComputeError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, at the granularity callers act on.
    ///
    /// An extensible set of codes (a struct wrapping a private enum), so that kinds can be added
    /// without breaking callers' `switch`es: match with `==` or `case .x:` plus a `default`.
    package struct Kind: Hashable, Sendable, CustomStringConvertible {
        private enum Wrapped: String, Hashable, Sendable, CaseIterable {
            case providerNotFound
            case providerConflict
            case invalidProviderName
            case invalidSpec
            case provisionFailed
            case updateFailed
            case providerFailed
            case tenantNotFound
            case alreadyExists
        }

        private let wrapped: Wrapped

        private init(_ wrapped: Wrapped) {
            self.wrapped = wrapped
        }

        /// No provider of that name is registered (seed `ErrProviderNotFound`).
        package static let providerNotFound = Self(.providerNotFound)
        /// A provider of that name is already registered (seed `ErrProviderConflict`).
        package static let providerConflict = Self(.providerConflict)
        /// A provider's name is not a non-empty lowercase alphanumeric identifier (`^[a-z0-9]+$`),
        /// so it cannot be registered.
        package static let invalidProviderName = Self(.invalidProviderName)
        /// The spec or an argument breaks a rule; ``ComputeError/violations`` says which (seed `ErrInvalidSpec`).
        package static let invalidSpec = Self(.invalidSpec)
        /// The provider could not provision the tenant (seed `ErrProvisionFailed`).
        package static let provisionFailed = Self(.provisionFailed)
        /// The provider could not update the tenant (seed `ErrUpdateFailed`).
        package static let updateFailed = Self(.updateFailed)
        /// Any other provider failure, e.g. of a destroy or a status query.
        package static let providerFailed = Self(.providerFailed)
        /// The tenant has no compute resources with this provider (seed `ErrTenantNotFound`).
        package static let tenantNotFound = Self(.tenantNotFound)
        /// A provision conflicts with an existing tenant that has a different spec.
        package static let alreadyExists = Self(.alreadyExists)

        /// Every kind, in declaration order.
        package static var allKinds: [Self] { Wrapped.allCases.map(Self.init) }

        /// The kind's name, e.g. `invalidSpec`.
        package var description: String { self.wrapped.rawValue }

        /// The kind's name in snake case, e.g. `invalid_spec`; used as a metric dimension value.
        package var snakeCaseName: String {
            var result = ""
            for character in self.wrapped.rawValue {
                if character.isUppercase {
                    result += "_" + character.lowercased()
                } else {
                    result.append(character)
                }
            }
            return result
        }
    }

    /// What went wrong.
    package var kind: Kind
    /// A human-readable explanation, safe to show to clients.
    package var message: String
    /// The field violations; non-empty for ``Kind/invalidSpec`` errors from validation, empty otherwise.
    package var violations: [FieldViolation]

    /// Creates an error.
    package init(kind: Kind, message: String, violations: [FieldViolation] = []) {
        self.kind = kind
        self.message = message
        self.violations = violations
    }

    /// An ``Kind/invalidSpec`` error carrying `violations`, whose message lists every one of them:
    /// `invalid compute spec: tenant_id: ...; containers[0].image: ...`.
    package static func invalidSpec(_ violations: [FieldViolation]) -> Self {
        let list = violations.map { $0.field.isEmpty ? $0.description : "\($0.field): \($0.description)" }
        return Self(
            kind: .invalidSpec,
            message: "invalid compute spec: " + list.joined(separator: "; "),
            violations: violations
        )
    }

    package var description: String {
        "\(self.kind): \(self.message)"
    }
}
