package import Foundation
package import LandlordRPC

/// The callers of the server and what each may do: the `--auth-policy` file of
/// `access-and-metrics-contract.md`, parsed and checked.
///
/// ```json
/// {
///   "callers": [
///     {"name": "ops",     "token_sha256": "<64 hex>", "role": "admin"},
///     {"name": "portal",  "token_sha256": "<64 hex>", "role": "operator", "tenants": ["acme-*", "globex"]},
///     {"name": "billing", "client_certificate": {"uri_san": "spiffe://corp.example/billing"}, "role": "viewer"}
///   ],
///   "reflection": "authenticated"
/// }
/// ```
///
/// A class: the controller hands the current policy to each call with one retain.
package final class AccessPolicy: Sendable {
    /// Who may use server reflection.
    package enum ReflectionAccess: String, Sendable, CaseIterable {
        /// Any caller the policy knows (the default).
        case authenticated
        /// Everyone, credentials or not.
        case open
    }

    /// How a caller proves who it is.
    package enum Credential: Sendable, Hashable {
        /// A bearer token whose SHA-256 is this digest.
        case token(TokenDigest)
        /// A client certificate (mutual TLS) with this name.
        case clientCertificate(CertificateName)
    }

    /// The one name of a client certificate a caller entry matches, compared exactly.
    package enum CertificateName: Sendable, Hashable, CustomStringConvertible {
        case uriSAN(String)
        case dnsSAN(String)
        case commonName(String)

        /// Whether `identity` carries this name.
        package func matches(_ identity: PeerCertificateIdentity) -> Bool {
            switch self {
            case .uriSAN(let name): identity.uriSANs.contains(name)
            case .dnsSAN(let name): identity.dnsSANs.contains(name)
            case .commonName(let name): identity.commonName == name
            }
        }

        package var description: String {
            switch self {
            case .uriSAN(let name): "uri_san \(name)"
            case .dnsSAN(let name): "dns_san \(name)"
            case .commonName(let name): "common_name \(name)"
            }
        }
    }

    /// One caller entry; the identity a call of that caller carries (``ServerContext/caller``).
    package final class Caller: RPCCaller, CustomStringConvertible {
        package let name: String
        package let role: CallerRole
        package let credential: Credential?
        /// The tenants the caller may act on; `nil` means every tenant.
        package let tenants: [TenantPattern]?

        package init(name: String, role: CallerRole, credential: Credential?, tenants: [TenantPattern]?) {
            self.name = name
            self.role = role
            self.credential = credential
            self.tenants = tenants
        }

        /// Whether the caller may act on `tenantID`.
        package func permits(tenant tenantID: String) -> Bool {
            guard let tenants else { return true }
            return tenants.contains { $0.matches(tenantID) }
        }

        /// The name only: never the credential.
        package var description: String { name }

        /// The caller of a call nobody had to authenticate (open reflection).
        package static let anonymous = Caller(name: "anonymous", role: .viewer, credential: nil, tenants: [])
    }

    /// Every caller, in file order.
    package let callers: [Caller]
    /// The callers recognised by a token, with their digests: what a token is matched against.
    package let tokenCallers: [(digest: TokenDigest, caller: Caller)]
    /// The callers recognised by a client certificate.
    package let certificateCallers: [(name: CertificateName, caller: Caller)]
    package let reflection: ReflectionAccess

    package init(callers: [Caller], reflection: ReflectionAccess = .authenticated) {
        self.callers = callers
        self.reflection = reflection
        var tokenCallers: [(digest: TokenDigest, caller: Caller)] = []
        var certificateCallers: [(name: CertificateName, caller: Caller)] = []
        for caller in callers {
            switch caller.credential {
            case .token(let digest): tokenCallers.append((digest, caller))
            case .clientCertificate(let name): certificateCallers.append((name, caller))
            case nil: break
            }
        }
        self.tokenCallers = tokenCallers
        self.certificateCallers = certificateCallers
    }

    /// Parses and checks a policy file's contents.
    ///
    /// - Throws: ``AccessPolicyError`` naming the first problem (the entry and the key); never a
    ///   token or a hash.
    package convenience init(json data: Data) throws(AccessPolicyError) {
        let root: Any
        do {
            root = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw AccessPolicyError("it is not JSON")
        }
        guard let object = root as? [String: Any] else { throw AccessPolicyError("it is not a JSON object") }
        for key in object.keys where key != "callers" && key != "reflection" {
            throw AccessPolicyError("unknown key \"\(key)\" (expected callers, reflection)")
        }
        var reflection = ReflectionAccess.authenticated
        if let value = object["reflection"] {
            guard let text = value as? String, let parsed = ReflectionAccess(rawValue: text) else {
                throw AccessPolicyError("\"reflection\" must be \"authenticated\" or \"open\"")
            }
            reflection = parsed
        }
        guard let entries = object["callers"] as? [Any] else {
            throw AccessPolicyError("\"callers\" is missing or not a list")
        }
        var callers: [Caller] = []
        var names: Set<String> = []
        var credentials: Set<Credential> = []
        for (index, entry) in entries.enumerated() {
            let caller = try Self.caller(entry, index: index)
            guard names.insert(caller.name).inserted else {
                throw AccessPolicyError("callers[\(index)]: the name \"\(caller.name)\" is used twice")
            }
            if let credential = caller.credential, !credentials.insert(credential).inserted {
                throw AccessPolicyError("callers[\(index)] (\"\(caller.name)\"): another caller has the same credential")
            }
            callers.append(caller)
        }
        self.init(callers: callers, reflection: reflection)
    }

    private static let callerKeys: Set<String> = ["name", "token_sha256", "client_certificate", "role", "tenants"]

    private static func caller(_ entry: Any, index: Int) throws(AccessPolicyError) -> Caller {
        guard let object = entry as? [String: Any] else { throw AccessPolicyError("callers[\(index)] is not an object") }
        guard let name = object["name"] as? String, !name.isEmpty else {
            throw AccessPolicyError("callers[\(index)]: \"name\" is missing or empty")
        }
        let at = "callers[\(index)] (\"\(name)\")"
        for key in object.keys where !callerKeys.contains(key) {
            throw AccessPolicyError("\(at): unknown key \"\(key)\"")
        }
        guard let roleName = object["role"] as? String else { throw AccessPolicyError("\(at): \"role\" is missing") }
        guard let role = CallerRole(rawValue: roleName) else {
            throw AccessPolicyError("\(at): role \"\(roleName)\" is not viewer, operator or admin")
        }
        let credential: Credential
        switch (object["token_sha256"], object["client_certificate"]) {
        case (nil, nil):
            throw AccessPolicyError("\(at): needs one of \"token_sha256\" and \"client_certificate\"")
        case (.some, .some):
            throw AccessPolicyError("\(at): has both \"token_sha256\" and \"client_certificate\"; a caller has exactly one")
        case (let hash?, nil):
            guard let hex = hash as? String, let digest = TokenDigest(hex: hex) else {
                throw AccessPolicyError("\(at): \"token_sha256\" is not 64 lowercase hexadecimal digits")
            }
            credential = .token(digest)
        case (nil, let certificate?):
            guard let fields = certificate as? [String: Any], fields.count == 1, let (key, value) = fields.first,
                let text = value as? String, !text.isEmpty
            else {
                throw AccessPolicyError("\(at): \"client_certificate\" must name exactly one of uri_san, dns_san, common_name")
            }
            switch key {
            case "uri_san": credential = .clientCertificate(.uriSAN(text))
            case "dns_san": credential = .clientCertificate(.dnsSAN(text))
            case "common_name": credential = .clientCertificate(.commonName(text))
            default:
                throw AccessPolicyError("\(at): \"client_certificate\" key \"\(key)\" is not uri_san, dns_san or common_name")
            }
        }
        var tenants: [TenantPattern]? = nil
        if let value = object["tenants"] {
            guard let patterns = value as? [String], patterns.allSatisfy({ !$0.isEmpty }) else {
                throw AccessPolicyError("\(at): \"tenants\" must be a list of non-empty patterns")
            }
            tenants = patterns.map(TenantPattern.init)
        }
        return Caller(name: name, role: role, credential: credential, tenants: tenants)
    }
}

/// An access policy that cannot be used; the message says what is wrong, never a token or hash.
package struct AccessPolicyError: Error, Equatable, CustomStringConvertible {
    package var message: String
    package init(_ message: String) { self.message = message }
    package var description: String { message }
}
