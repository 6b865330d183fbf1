internal import Foundation
internal import Yams

/// The parts of a kubeconfig file (`kind: Config`) the provider reads. Unknown fields are
/// ignored; `exec`, `auth-provider` and `username`/`password` are only noticed, to refuse them.
struct Kubeconfig: Decodable {
    struct Named<Value: Decodable>: Decodable {
        var name: String
        var value: Value?

        enum CodingKeys: String, CodingKey {
            case name
            case cluster, user, context
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            self.name = try container.decodeIfPresent(String.self, forKey: .name) ?? ""
            // The entry's body is under `cluster`, `user` or `context`, whichever list it is in.
            for key in [CodingKeys.cluster, .user, .context] where container.contains(key) {
                self.value = try container.decodeIfPresent(Value.self, forKey: key)
                return
            }
            self.value = nil
        }
    }

    struct Cluster: Decodable {
        var server: String?
        var certificateAuthority: String?
        var certificateAuthorityData: String?
        var insecureSkipTLSVerify: Bool?
        var tlsServerName: String?
        var proxyURL: String?

        enum CodingKeys: String, CodingKey {
            case server
            case certificateAuthority = "certificate-authority"
            case certificateAuthorityData = "certificate-authority-data"
            case insecureSkipTLSVerify = "insecure-skip-tls-verify"
            case tlsServerName = "tls-server-name"
            case proxyURL = "proxy-url"
        }
    }

    struct User: Decodable {
        var token: String?
        var tokenFile: String?
        var clientCertificate: String?
        var clientCertificateData: String?
        var clientKey: String?
        var clientKeyData: String?
        var exec: Present?
        var authProvider: Present?
        var username: String?
        var password: Present?

        enum CodingKeys: String, CodingKey {
            case token, tokenFile, exec, username, password
            case clientCertificate = "client-certificate"
            case clientCertificateData = "client-certificate-data"
            case clientKey = "client-key"
            case clientKeyData = "client-key-data"
            case authProvider = "auth-provider"
        }
    }

    struct Context: Decodable {
        var cluster: String?
        var user: String?
        var namespace: String?
    }

    /// A field whose content is not read (nor kept: it may hold credentials).
    struct Present: Decodable {
        init(from decoder: any Decoder) throws {}
    }

    var clusters: [Named<Cluster>]
    var users: [Named<User>]
    var contexts: [Named<Context>]
    var currentContext: String?

    enum CodingKeys: String, CodingKey {
        case clusters, users, contexts
        case currentContext = "current-context"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.clusters = try container.decodeIfPresent([Named<Cluster>].self, forKey: .clusters) ?? []
        self.users = try container.decodeIfPresent([Named<User>].self, forKey: .users) ?? []
        self.contexts = try container.decodeIfPresent([Named<Context>].self, forKey: .contexts) ?? []
        self.currentContext = try container.decodeIfPresent(String.self, forKey: .currentContext)
    }

    /// Parses kubeconfig YAML; the error says where the document is malformed, never what it holds.
    static func parse(_ text: String, path: String) throws(KubernetesConfigurationError) -> Kubeconfig {
        do {
            return try YAMLDecoder().decode(Kubeconfig.self, from: text)
        } catch let error as DecodingError {
            throw KubernetesConfigurationError(
                "the kubeconfig \(path) is not a valid kubeconfig: \(Self.describe(error))")
        } catch {
            throw KubernetesConfigurationError("the kubeconfig \(path) is not valid YAML")
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let path = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
            return path.isEmpty ? "the document" : path
        }
        switch error {
        case .typeMismatch(_, let context): return "\(path(context)) has the wrong type"
        case .valueNotFound(_, let context): return "\(path(context)) has no value"
        case .keyNotFound(let key, let context): return "\(path(context)) has no field \"\(key.stringValue)\""
        case .dataCorrupted(let context): return "\(path(context)) cannot be read"
        @unknown default: return "it cannot be read"
        }
    }
}
