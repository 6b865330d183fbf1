import Foundation
import LandlordKubernetesProvider
import LandlordProviderKit
import Logging
import NIOHTTP1
import Testing

@Suite("Kubernetes provider: kubeconfig and in-cluster configuration")
struct KubernetesConnectionTests {
    static let token = "eyJhbGciOiJSUzI1NiJ9.very-secret-token-value"
    static let keyPEM =
        "-----BEGIN PRIVATE KEY-----\nTUlJRXZRSUJBREFOQmdrcWhraUc5dzBCQVFFRkFBU0NCS2N3Z2dTakFnRUFBb0lCQVFD\n-----END PRIVATE KEY-----\n"
    static let certificatePEM = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUexample\n-----END CERTIFICATE-----\n"

    static func base64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }

    /// A kubeconfig with two contexts: `prod` (CA file relative to the kubeconfig, inline token,
    /// namespace) and `dev` (-data fields, client certificate).
    static func kubeconfig(
        server: String = "https://k8s.example.com:6443", extraCluster: String = "", extraUser: String = ""
    )
        -> String
    {
        """
        apiVersion: v1
        kind: Config
        current-context: prod
        clusters:
        - name: prod-cluster
          cluster:
            server: \(server)
            certificate-authority: certs/ca.crt
        \(extraCluster)
        - name: dev-cluster
          cluster:
            server: https://[fd00::1]:8443/k8s/clusters/c-1
            certificate-authority-data: \(Self.base64(Self.certificatePEM))
            tls-server-name: api.dev.internal
        users:
        - name: prod-user
          user:
            token: \(Self.token)
        \(extraUser)
        - name: dev-user
          user:
            client-certificate-data: \(Self.base64(Self.certificatePEM))
            client-key-data: \(Self.base64(Self.keyPEM))
        contexts:
        - name: prod
          context:
            cluster: prod-cluster
            user: prod-user
            namespace: landlord-system
        - name: dev
          context:
            cluster: dev-cluster
            user: dev-user
        """
    }

    private func withKubeconfig<Result>(_ text: String, _ body: (String, TemporaryDirectory) throws -> Result) throws
        -> Result
    {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("certs/ca.crt", Self.certificatePEM)
        let path = try directory.write("config", text)
        return try body(path, directory)
    }

    /// The message of the configuration error `body` throws.
    private func failure(_ body: () throws -> KubernetesConnection) -> String {
        do {
            _ = try body()
            Issue.record("expected a configuration error")
            return ""
        } catch let error as KubernetesConfigurationError {
            #expect(!error.message.contains(Self.token))
            #expect(!error.message.contains("TUlJRXZR"))
            #expect(!error.message.contains(Self.base64(Self.keyPEM)))
            return error.message
        } catch {
            Issue.record("unexpected error \(error)")
            return ""
        }
    }

    @Test("current-context: server, CA file relative to the kubeconfig, inline token, namespace")
    func currentContext() throws {
        try self.withKubeconfig(Self.kubeconfig()) { path, directory in
            let connection = try KubernetesConnection.fromKubeconfig(path: path, context: nil)
            #expect(connection.endpoint == .url(scheme: .https, host: "k8s.example.com", port: 6443))
            #expect(connection.tls.trustRoots == .file(directory.path("certs/ca.crt")))
            #expect(connection.tls.certificateChain == nil)
            #expect(connection.credentials.description == "bearer token")
            #expect(connection.contextNamespace == "landlord-system")
            #expect(connection.source == "kubeconfig \(path) (context prod)")
            #expect(!connection.description.contains(Self.token))
            let configuration = connection.clientConfiguration()
            #expect(configuration.tls == connection.tls)
        }
    }

    @Test("the token is sent as a bearer token")
    func tokenHeader() async throws {
        let connection = try self.withKubeconfig(Self.kubeconfig()) { path, _ in
            try KubernetesConnection.fromKubeconfig(path: path, context: nil)
        }
        var request = EngineRequest(.GET, "/version", operation: "get version")
        try await connection.credentials.apply(to: &request)
        #expect(request.headers["Authorization"] == ["Bearer \(Self.token)"])
    }

    @Test("--kubernetes-context picks another context: -data fields decoded, IPv6 server with a path, tls-server-name")
    func otherContextWithDataFields() throws {
        try self.withKubeconfig(Self.kubeconfig()) { path, _ in
            let connection = try KubernetesConnection.fromKubeconfig(path: path, context: "dev")
            #expect(
                connection.endpoint
                    == .url(scheme: .https, host: "fd00::1", port: 8443, pathPrefix: "/k8s/clusters/c-1"))
            #expect(connection.tls.trustRoots == .bytes(Array(Self.certificatePEM.utf8)))
            #expect(connection.tls.certificateChain == .bytes(Array(Self.certificatePEM.utf8)))
            #expect(connection.tls.privateKey == .bytes(Array(Self.keyPEM.utf8)))
            #expect(connection.tls.serverName == "api.dev.internal")
            #expect(connection.credentials.description == "none")
            #expect(connection.contextNamespace == nil)
            #expect(!connection.description.contains("PRIVATE KEY"))
        }
    }

    @Test("tokenFile (relative to the kubeconfig) is read through the kit's rotating token file")
    func tokenFile() async throws {
        let text = Self.kubeconfig().replacingOccurrences(of: "token: \(Self.token)", with: "tokenFile: secrets/token")
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("certs/ca.crt", Self.certificatePEM)
        try directory.write("secrets/token", "file-token-1\n")
        let path = try directory.write("config", text)
        let connection = try KubernetesConnection.fromKubeconfig(path: path, context: nil)
        var request = EngineRequest(.GET, "/version", operation: "get version")
        try await connection.credentials.apply(to: &request)
        #expect(request.headers["Authorization"] == ["Bearer file-token-1"])
        try FileManager.default.removeItem(atPath: directory.path("secrets/token"))
        #expect(
            self.failure { try KubernetesConnection.fromKubeconfig(path: path, context: nil) }.contains("tokenFile"))
    }

    /// A kubeconfig that is refused, named for the test report (the text would flood it).
    struct RefusedCase: Sendable, CustomTestStringConvertible {
        var name: String
        var text: String
        var context: String
        var expected: String

        init(_ name: String, _ text: String, _ context: String, _ expected: String) {
            self.name = name
            self.text = text
            self.context = context
            self.expected = expected
        }

        var testDescription: String { self.name }
    }

    static func replacing(_ target: String, with replacement: String) -> String {
        Self.kubeconfig().replacingOccurrences(of: target, with: replacement)
    }

    static let refusedCases: [RefusedCase] = [
        RefusedCase("http server", Self.kubeconfig(server: "http://k8s.example.com:8080"), "prod", "must be https://"),
        RefusedCase("server without scheme", Self.kubeconfig(server: "k8s.example.com"), "prod", "unusable server"),
        RefusedCase(
            "insecure-skip-tls-verify",
            Self.replacing("certificate-authority: certs/ca.crt", with: "insecure-skip-tls-verify: true"), "prod",
            "insecure-skip-tls-verify"),
        RefusedCase(
            "exec plugin",
            Self.replacing(
                "    token: \(Self.token)", with: "    exec:\n      command: aws\n      args: [eks, get-token]"),
            "prod", "exec credential plugin"),
        RefusedCase(
            "auth-provider", Self.replacing("    token: \(Self.token)", with: "    auth-provider:\n      name: gcp"),
            "prod", "auth-provider"),
        RefusedCase(
            "basic auth",
            Self.replacing("    token: \(Self.token)", with: "    username: admin\n    password: \(Self.token)"),
            "prod",
            "basic authentication"),
        RefusedCase(
            "certificate without key", Self.replacing("    client-key-data: \(Self.base64(Self.keyPEM))", with: ""),
            "dev", "client-certificate without a client-key"),
        RefusedCase(
            "key data not base64",
            Self.replacing(
                "client-key-data: \(Self.base64(Self.keyPEM))", with: "client-key-data: '!!not base64 \(Self.token)'"),
            "dev", "client-key-data is not base64"),
        RefusedCase("unknown context", Self.kubeconfig(), "staging", #"no context "staging" (it has "prod", "dev")"#),
        RefusedCase("no current-context", Self.replacing("current-context: prod", with: ""), "", "no current-context"),
        RefusedCase(
            "missing cluster", Self.replacing("cluster: prod-cluster", with: "cluster: gone"), "prod",
            #"cluster "gone""#),
        RefusedCase("missing user", Self.replacing("user: prod-user", with: "user: nobody"), "prod", #"user "nobody""#),
        RefusedCase("not a kubeconfig", "clusters: {a: 1}\n", "", "is not a valid kubeconfig"),
        RefusedCase("not YAML", "clusters: [\n  - : : \(Self.token)", "", "is not"),
    ]

    @Test("refused settings name the file, the context and the field, never a credential", arguments: Self.refusedCases)
    func refused(_ refused: RefusedCase) throws {
        try self.withKubeconfig(refused.text) { path, _ in
            let message = self.failure {
                try KubernetesConnection.fromKubeconfig(
                    path: path, context: refused.context.isEmpty ? nil : refused.context)
            }
            #expect(message.contains(refused.expected), "\(message)")
            #expect(message.contains(path))
        }
    }

    @Test("a missing kubeconfig, a KUBECONFIG list, and no configuration at all")
    func resolution() throws {
        #expect(
            self.failure { try KubernetesConnection.fromKubeconfig(path: "/nonexistent/kubeconfig", context: nil) }
                == "the kubeconfig /nonexistent/kubeconfig does not exist")
        #expect(KubernetesConnection.firstPath(":/a/config:/b/config") == "/a/config")
        try self.withKubeconfig(Self.kubeconfig()) { path, _ in
            let connection = try KubernetesConnection.resolve(
                kubeconfig: "\(path):/other/config", context: "dev",
                environment: ["KUBERNETES_SERVICE_HOST": "10.0.0.1"])
            #expect(connection.tls.serverName == "api.dev.internal")
        }
        #expect(
            self.failure { try KubernetesConnection.resolve(kubeconfig: nil, context: nil, environment: [:]) }
                .contains("set --kubernetes-kubeconfig or KUBECONFIG"))
    }

    @Test("in-cluster: the service host and port, the mounted token (re-read as it rotates) and ca.crt")
    func inCluster() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("token", "sa-token-1\n")
        try directory.write("ca.crt", Self.certificatePEM)
        try directory.write("namespace", "landlord-system\n")
        let environment = ["KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443"]
        let connection = try KubernetesConnection.resolve(
            kubeconfig: nil, context: nil, environment: environment, serviceAccountDirectory: directory.path)
        #expect(connection.endpoint == .url(scheme: .https, host: "10.96.0.1", port: 443))
        #expect(connection.tls.trustRoots == .file(directory.path("ca.crt")))
        #expect(connection.contextNamespace == "landlord-system")
        #expect(connection.source == "in-cluster service account")
        var request = EngineRequest(.GET, "/version", operation: "get version")
        try await connection.credentials.apply(to: &request)
        #expect(request.headers["Authorization"] == ["Bearer sa-token-1"])

        let ipv6 = try KubernetesConnection.inCluster(
            environment: ["KUBERNETES_SERVICE_HOST": "fd00::1", "KUBERNETES_SERVICE_PORT": "6443"],
            directory: directory.path)
        #expect(ipv6.endpoint.description == "https://[fd00::1]:6443")
        #expect(
            self.failure {
                try KubernetesConnection.inCluster(
                    environment: ["KUBERNETES_SERVICE_HOST": "h", "KUBERNETES_SERVICE_PORT": "x"],
                    directory: directory.path)
            }.contains("KUBERNETES_SERVICE_PORT"))
        try FileManager.default.removeItem(atPath: directory.path("token"))
        #expect(
            self.failure { try KubernetesConnection.inCluster(environment: environment, directory: directory.path) }
                .contains("\(directory.path)/token is missing"))
    }

    @Test("the factory declares the contract's options and resolves them")
    func factory() throws {
        let factory = KubernetesProviderFactory()
        #expect(factory.name == "kubernetes")
        let byName = Dictionary(uniqueKeysWithValues: factory.options.map { ($0.name, $0) })
        #expect(byName["kubernetes-kubeconfig"]?.environment == ["KUBECONFIG"])
        #expect(byName["kubernetes-context"]?.environment == ["LANDLORD_KUBERNETES_CONTEXT"])
        #expect(byName["kubernetes-namespace-prefix"]?.environment == ["LANDLORD_KUBERNETES_NAMESPACE_PREFIX"])
        #expect(byName["kubernetes-namespace-prefix"]?.defaultValue == "landlord-")
        #expect(byName["kubernetes-secrets-dir"]?.environment == ["LANDLORD_KUBERNETES_SECRETS_DIR"])

        try self.withKubeconfig(Self.kubeconfig()) { path, _ in
            func values(_ pairs: [(String, String)]) -> ConfigOptionValues {
                ConfigOptionValues(
                    pairs.map { name, value in
                        ResolvedOption(option: byName[name]!, value: value, source: .flag)
                    })
            }
            let context = ProviderContext(
                options: values([
                    ("kubernetes-kubeconfig", path), ("kubernetes-context", "dev"),
                    ("kubernetes-namespace-prefix", "t-"),
                ]),
                environment: [:], logger: .init(label: "test"))
            let (configuration, connection) = try factory.makeConfiguration(context)
            #expect(configuration.namespacePrefix == "t-")
            #expect(configuration.context == "dev")
            #expect(connection.tls.serverName == "api.dev.internal")
            #expect(throws: ConfigOptionError.self) { try factory.makeProvider(context) }

            let badPrefix = ProviderContext(
                options: values([("kubernetes-kubeconfig", path), ("kubernetes-namespace-prefix", "Tenants_")]),
                environment: [:], logger: .init(label: "test"))
            #expect(throws: ConfigOptionError.self) { try factory.makeConfiguration(badPrefix) }
            let badContext = ProviderContext(
                options: values([("kubernetes-kubeconfig", path), ("kubernetes-context", "nope")]),
                environment: [:], logger: .init(label: "test"))
            do {
                _ = try factory.makeConfiguration(badContext)
                Issue.record("expected an error")
            } catch let error as ConfigOptionError {
                #expect(error.message.hasPrefix("--kubernetes-context \"nope\" (from flag) is not usable"))
            }
        }
    }
}
