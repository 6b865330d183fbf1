internal import Foundation
package import LandlordProviderKit

/// A connection setting that cannot be used: a kubeconfig that cannot be read or names what
/// landlord does not support, an in-cluster service account that is not mounted.
///
/// The message names the file, the context, the field; never a token's, key's or certificate's
/// content.
package struct KubernetesConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong.
    package var message: String

    package init(_ message: String) {
        self.message = message
    }

    package var description: String { self.message }
}

/// Where the cluster's API server is and how landlord proves who it is: the result of reading a
/// kubeconfig or the in-cluster service account.
///
/// ```swift
/// let connection = try KubernetesConnection.resolve(
///     kubeconfig: "/etc/landlord/kubeconfig", context: nil, environment: ProcessInfo.processInfo.environment)
/// let client = try EngineClient(endpoint: connection.endpoint, configuration: connection.clientConfiguration())
/// ```
///
/// Only HTTPS with the cluster's certificate verified: an `http://` server and
/// `insecure-skip-tls-verify: true` are refused. Credentials: a bearer token (inline `token`, or
/// `tokenFile` re-read as it rotates), a client certificate and key (files or `-data`), or both.
/// Credential plugins (`exec`, `auth-provider`) and basic auth are refused with an error saying so.
package struct KubernetesConnection: Sendable, CustomStringConvertible {
    /// The API server.
    package var endpoint: EngineEndpoint
    /// Trust roots (the cluster's CA), client certificate, server name.
    package var tls: EngineTLSConfiguration
    /// The bearer token, if any.
    package var credentials: EngineCredentials
    /// The context's namespace (informative: tenants live in their own namespaces).
    package var contextNamespace: String?
    /// Where the settings came from: `kubeconfig /path (context NAME)` or `in-cluster service account`.
    package var source: String

    /// The service account directory of a pod.
    package static let serviceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount"

    /// `https://host:port (source; trust roots: ...; credentials: ...)`, never key material.
    package var description: String {
        "\(self.endpoint) (\(self.source); \(self.tls); credentials: \(self.credentials))"
    }

    /// An engine client configuration with this connection's TLS and credentials over `base`.
    package func clientConfiguration(base: EngineClient.Configuration = .defaults) -> EngineClient.Configuration {
        var configuration = base
        configuration.tls = self.tls
        configuration.credentials = self.credentials
        return configuration
    }

    /// The connection of the first kubeconfig of `kubeconfig` (a `KUBECONFIG`-style colon list), or,
    /// with none, the in-cluster configuration when `KUBERNETES_SERVICE_HOST` is set.
    ///
    /// - Throws: ``KubernetesConfigurationError`` when there is neither, or what
    ///   ``fromKubeconfig(path:context:)`` or ``inCluster(environment:directory:)`` throws.
    package static func resolve(
        kubeconfig: String?,
        context: String?,
        environment: [String: String],
        serviceAccountDirectory: String = Self.serviceAccountDirectory
    ) throws(KubernetesConfigurationError) -> KubernetesConnection {
        if let path = kubeconfig.flatMap(Self.firstPath) {
            return try Self.fromKubeconfig(path: path, context: context)
        }
        if let host = environment["KUBERNETES_SERVICE_HOST"], !host.isEmpty {
            if context != nil {
                throw KubernetesConfigurationError(
                    "--kubernetes-context needs a kubeconfig (set --kubernetes-kubeconfig or KUBECONFIG)")
            }
            return try Self.inCluster(environment: environment, directory: serviceAccountDirectory)
        }
        throw KubernetesConfigurationError(
            "no cluster configured: set --kubernetes-kubeconfig or KUBECONFIG, or run landlord in a cluster (KUBERNETES_SERVICE_HOST)"
        )
    }

    /// The first non-empty path of a `KUBECONFIG`-style colon-separated list.
    package static func firstPath(_ list: String) -> String? {
        list.split(separator: ":").map { $0.trimmingCharacters(in: .whitespaces) }.first { !$0.isEmpty }
    }

    // MARK: - In cluster

    /// The in-cluster configuration: `https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT`,
    /// the service account's `token` (re-read as the kubelet rotates it) and `ca.crt` in `directory`.
    ///
    /// - Throws: ``KubernetesConfigurationError`` when the variables or the files are missing.
    package static func inCluster(
        environment: [String: String],
        directory: String = Self.serviceAccountDirectory
    ) throws(KubernetesConfigurationError) -> KubernetesConnection {
        guard let host = environment["KUBERNETES_SERVICE_HOST"], !host.isEmpty else {
            throw KubernetesConfigurationError("in-cluster configuration needs KUBERNETES_SERVICE_HOST")
        }
        let portText = environment["KUBERNETES_SERVICE_PORT"].flatMap { $0.isEmpty ? nil : $0 } ?? "443"
        guard let port = Int(portText), (1...65535).contains(port) else {
            throw KubernetesConfigurationError("KUBERNETES_SERVICE_PORT \"\(portText)\" is not a port")
        }
        let token = Self.join(directory, "token")
        let ca = Self.join(directory, "ca.crt")
        for file in [token, ca] where !FileManager.default.isReadableFile(atPath: file) {
            throw KubernetesConfigurationError(
                "in-cluster configuration: \(file) is missing or unreadable (is a service account token mounted?)")
        }
        // A bare IPv6 address stays bare: EngineEndpoint brackets it in URLs.
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        return KubernetesConnection(
            endpoint: .url(scheme: .https, host: bare, port: port),
            tls: EngineTLSConfiguration(trustRoots: .file(ca)),
            credentials: .bearerTokenFile(token),
            contextNamespace: Self.readNamespace(Self.join(directory, "namespace")),
            source: "in-cluster service account"
        )
    }

    private static func readNamespace(_ path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }

    // MARK: - Kubeconfig

    /// The connection of `context` (default: the file's `current-context`) in the kubeconfig at
    /// `path`; relative file paths in it are relative to the file's directory, as kubectl reads them.
    ///
    /// - Throws: ``KubernetesConfigurationError`` naming the file, the context and the field.
    package static func fromKubeconfig(path: String, context: String?) throws(KubernetesConfigurationError)
        -> KubernetesConnection
    {
        guard let data = FileManager.default.contents(atPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "cannot be read" : "does not exist"
            throw KubernetesConfigurationError("the kubeconfig \(path) \(reason)")
        }
        let config = try Kubeconfig.parse(String(decoding: data, as: UTF8.self), path: path)
        return try Self.connection(of: config, path: path, context: context)
    }

    static func connection(of config: Kubeconfig, path: String, context requested: String?)
        throws(KubernetesConfigurationError)
        -> KubernetesConnection
    {
        func fail(_ problem: String) -> KubernetesConfigurationError {
            KubernetesConfigurationError("the kubeconfig \(path): \(problem)")
        }
        guard let contextName = requested ?? config.currentContext.flatMap({ $0.isEmpty ? nil : $0 }) else {
            throw fail("it has no current-context; set --kubernetes-context or LANDLORD_KUBERNETES_CONTEXT")
        }
        guard let entry = config.contexts.first(where: { $0.name == contextName }) else {
            let known = config.contexts.map { "\"\($0.name)\"" }.joined(separator: ", ")
            throw fail("it has no context \"\(contextName)\"" + (known.isEmpty ? "" : " (it has \(known))"))
        }
        let context = entry.value ?? Kubeconfig.Context()
        guard let clusterName = context.cluster, !clusterName.isEmpty else {
            throw fail("context \"\(contextName)\" names no cluster")
        }
        guard let cluster = config.clusters.first(where: { $0.name == clusterName })?.value else {
            throw fail("context \"\(contextName)\" names cluster \"\(clusterName)\", which it does not have")
        }
        let where_ = "cluster \"\(clusterName)\""
        guard let server = cluster.server, !server.isEmpty else { throw fail("\(where_) has no server") }
        let endpoint: EngineEndpoint
        do {
            endpoint = try EngineEndpoint(parsing: server)
        } catch {
            throw fail("\(where_) has an unusable server: \(error.message)")
        }
        guard endpoint.usesTLS else {
            throw fail("\(where_): the server must be https:// (landlord speaks to the API server over TLS only)")
        }
        if cluster.insecureSkipTLSVerify == true {
            throw fail(
                "\(where_) sets insecure-skip-tls-verify, which landlord does not support: it always verifies the API server's certificate; set certificate-authority or certificate-authority-data"
            )
        }
        if cluster.proxyURL != nil {
            throw fail("\(where_) sets proxy-url, which landlord does not support")
        }
        let directory = (path as NSString).deletingLastPathComponent
        func file(_ value: String) -> String {
            value.hasPrefix("/") || directory.isEmpty ? value : Self.join(directory, value)
        }
        func pem(data: String?, file name: String?, field: String, owner: String) throws(KubernetesConfigurationError)
            -> EngineTLSConfiguration.PEM?
        {
            if let data, !data.isEmpty {
                let compact = data.filter { !$0.isWhitespace }
                guard let bytes = Data(base64Encoded: compact), !bytes.isEmpty else {
                    throw fail("\(owner): \(field)-data is not base64")
                }
                return .bytes(Array(bytes))
            }
            if let name, !name.isEmpty { return .file(file(name)) }
            return nil
        }
        var tls = EngineTLSConfiguration()
        tls.trustRoots = try pem(
            data: cluster.certificateAuthorityData, file: cluster.certificateAuthority, field: "certificate-authority",
            owner: where_)
        if let name = cluster.tlsServerName, !name.isEmpty { tls.serverName = name }

        var credentials = EngineCredentials.none
        if let userName = context.user, !userName.isEmpty {
            guard let user = config.users.first(where: { $0.name == userName })?.value else {
                throw fail("context \"\(contextName)\" names user \"\(userName)\", which it does not have")
            }
            let who = "user \"\(userName)\""
            if user.exec != nil {
                throw fail(
                    "\(who) uses an exec credential plugin, which landlord does not support; give it a token, tokenFile or client certificate (e.g. a service account token)"
                )
            }
            if user.authProvider != nil {
                throw fail(
                    "\(who) uses an auth-provider, which landlord does not support; give it a token, tokenFile or client certificate"
                )
            }
            if user.username != nil || user.password != nil {
                throw fail("\(who) uses basic authentication (username/password), which landlord does not support")
            }
            tls.certificateChain = try pem(
                data: user.clientCertificateData, file: user.clientCertificate, field: "client-certificate", owner: who)
            tls.privateKey = try pem(data: user.clientKeyData, file: user.clientKey, field: "client-key", owner: who)
            if (tls.certificateChain == nil) != (tls.privateKey == nil) {
                throw fail(
                    tls.certificateChain == nil
                        ? "\(who) has a client-key without a client-certificate"
                        : "\(who) has a client-certificate without a client-key")
            }
            if let token = user.token, !token.isEmpty {
                credentials = .bearer(token: token)
            } else if let tokenFile = user.tokenFile, !tokenFile.isEmpty {
                let resolved = file(tokenFile)
                guard FileManager.default.isReadableFile(atPath: resolved) else {
                    throw fail("\(who): the tokenFile \(resolved) is missing or unreadable")
                }
                credentials = .bearerTokenFile(resolved)
            }
        }
        let namespace = context.namespace.flatMap { $0.isEmpty ? nil : $0 }
        return KubernetesConnection(
            endpoint: endpoint, tls: tls, credentials: credentials, contextNamespace: namespace,
            source: "kubeconfig \(path) (context \(contextName))")
    }

    private static func join(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }
}
