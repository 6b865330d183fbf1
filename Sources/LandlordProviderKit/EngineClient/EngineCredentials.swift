internal import NIOHTTP1

/// How requests prove who sends them: nothing, a bearer token, a token in a header of the
/// engine's choice, and optionally a signer that sees the finished request last (AWS SigV4).
///
/// Tokens come from a provider called on every request attempt, so a rotated token is picked up.
/// They never appear in ``description``, in errors or in logs.
package struct EngineCredentials: Sendable, CustomStringConvertible {
    /// Answers the current token; called on every attempt.
    package typealias TokenProvider = @Sendable () throws -> String
    /// Changes a request just before it is sent, on every attempt, after every other header is set.
    package typealias Signer = @Sendable (inout EngineRequest) async throws -> Void

    private enum Token: Sendable {
        case none
        case bearer(TokenProvider)
        case header(name: String, TokenProvider)
    }

    private var token: Token
    /// The signer run last before each attempt; `nil`: none.
    package var signer: Signer?

    private init(_ token: Token, signer: Signer? = nil) {
        self.token = token
        self.signer = signer
    }

    /// No credentials.
    package static let none = EngineCredentials(.none)

    /// `Authorization: Bearer <token>` with the token `provider` answers.
    package static func bearer(_ provider: @escaping TokenProvider) -> Self {
        Self(.bearer(provider))
    }

    /// `Authorization: Bearer <token>` with a fixed token.
    package static func bearer(token: String) -> Self {
        Self(.bearer({ token }))
    }

    /// `Authorization: Bearer <token>` with the token in a file that may be rotated (``TokenFile``).
    package static func bearerTokenFile(_ path: String, cacheFor interval: Duration = .seconds(60)) -> Self {
        let file = TokenFile(path: path, cacheFor: interval)
        return Self(.bearer({ try file.token() }))
    }

    /// `<name>: <token>` (e.g. `X-Nomad-Token`) with the token `provider` answers.
    package static func header(_ name: String, _ provider: @escaping TokenProvider) -> Self {
        Self(.header(name: name, provider))
    }

    /// `<name>: <token>` with a fixed token.
    package static func header(_ name: String, token: String) -> Self {
        Self(.header(name: name, { token }))
    }

    /// Only a signer (e.g. AWS SigV4), no token.
    package static func signed(by signer: @escaping Signer) -> Self {
        Self(.none, signer: signer)
    }

    /// These credentials with `signer` run last before each attempt.
    package func signed(by signer: @escaping Signer) -> Self {
        Self(self.token, signer: signer)
    }

    /// The kind of credentials, never a token: `none`, `bearer token`, `token in header X`,
    /// with `, signed` when a signer runs.
    package var description: String {
        let token =
            switch self.token {
            case .none: "none"
            case .bearer: "bearer token"
            case .header(let name, _): "token in header \(name)"
            }
        return self.signer == nil ? token : token + ", signed"
    }

    /// Sets the token header and runs the signer.
    ///
    /// - Throws: what the token provider or the signer throws.
    package func apply(to request: inout EngineRequest) async throws {
        switch self.token {
        case .none:
            break
        case .bearer(let provider):
            request.headers.replaceOrAdd(name: "Authorization", value: "Bearer \(try provider())")
        case .header(let name, let provider):
            request.headers.replaceOrAdd(name: name, value: try provider())
        }
        if let signer = self.signer {
            try await signer(&request)
        }
    }
}

