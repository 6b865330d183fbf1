package import LandlordProviderKit

extension NomadProvider {
    /// Where the provider finds Nomad, how it authenticates and how it maps tenants.
    ///
    /// ```swift
    /// var configuration = NomadProvider.Configuration.defaults
    /// configuration.address = "https://nomad.internal:4646"
    /// configuration.caCertificate = "/etc/landlord/nomad-ca.pem"
    /// ```
    package struct Configuration: Sendable, Hashable {
        /// The HTTP API (`NOMAD_ADDR`); `http://127.0.0.1:4646` by default.
        package var address: String
        /// The ACL token sent as `X-Nomad-Token` (`NOMAD_TOKEN`); `nil`: none (ACLs disabled).
        package var token: String?
        /// The namespace of tenant jobs and variables (`NOMAD_NAMESPACE`); `default`.
        package var namespace: String
        /// The region (`NOMAD_REGION`); `nil`: the agent's.
        package var region: String?
        /// Datacenters of tenant jobs when `provider_config.datacenters` names none; `["*"]`.
        package var datacenters: [String]
        /// The CA bundle the server's certificate must chain to (`NOMAD_CACERT`); `nil`: the system's.
        package var caCertificate: String?
        /// The client certificate (`NOMAD_CLIENT_CERT`), with ``clientKey`` (`NOMAD_CLIENT_KEY`).
        package var clientCertificate: String?
        package var clientKey: String?
        /// The name the server's certificate is verified against (`NOMAD_TLS_SERVER_NAME`).
        package var tlsServerName: String?
        /// MHz of Nomad `CPU` per 1000 millicores of the spec; 1000 by default (1 millicore = 1 MHz).
        package var mhzPerCore: Int
        /// The directory `file` secrets are read from; `nil` rejects `file` secrets.
        package var secretsDirectory: String?
        /// The deadline of one API call, retries included; 30 s.
        package var requestTimeout: Duration
        /// How long a status watch's blocking query waits for a change before it asks again; 5 min.
        package var blockingWait: Duration
        /// How long a tenant's status is kept fresh by blocking queries after its last status
        /// call (a WatchTenantStatus polls it every second or so); 30 s.
        package var watchIdleTimeout: Duration

        /// Creates a configuration; every argument has the default ``defaults`` documents.
        package init(
            address: String = NomadProvider.defaultAddress,
            token: String? = nil,
            namespace: String = "default",
            region: String? = nil,
            datacenters: [String] = ["*"],
            caCertificate: String? = nil,
            clientCertificate: String? = nil,
            clientKey: String? = nil,
            tlsServerName: String? = nil,
            mhzPerCore: Int = 1000,
            secretsDirectory: String? = nil,
            requestTimeout: Duration = .seconds(30),
            blockingWait: Duration = .seconds(300),
            watchIdleTimeout: Duration = .seconds(30)
        ) {
            self.address = address
            self.token = token
            self.namespace = namespace
            self.region = region
            self.datacenters = datacenters
            self.caCertificate = caCertificate
            self.clientCertificate = clientCertificate
            self.clientKey = clientKey
            self.tlsServerName = tlsServerName
            self.mhzPerCore = mhzPerCore
            self.secretsDirectory = secretsDirectory
            self.requestTimeout = requestTimeout
            self.blockingWait = blockingWait
            self.watchIdleTimeout = watchIdleTimeout
        }

        /// `http://127.0.0.1:4646`, no token, namespace `default`, the agent's region, datacenters
        /// `*`, the system's trust roots, 1000 MHz per core, no secrets directory, 30 s per call,
        /// blocking queries of 5 min, watches kept 30 s after the last status call.
        package static var defaults: Self { Self() }

        /// The endpoint and the engine client's settings (TLS and the `X-Nomad-Token` header).
        ///
        /// - Throws: ``EngineConfigurationError`` for an address that is not a URL.
        package func clientSettings() throws(EngineConfigurationError) -> (EngineEndpoint, EngineClient.Configuration) {
            let endpoint = try EngineEndpoint(parsing: self.address)
            if case .unixSocket = endpoint {
                throw EngineConfigurationError("must be an http:// or https:// URL")
            }
            var client = EngineClient.Configuration(requestTimeout: self.requestTimeout)
            if endpoint.usesTLS {
                client.tls = EngineTLSConfiguration(
                    trustRoots: self.caCertificate.map { .file($0) },
                    certificateChain: self.clientCertificate.map { .file($0) },
                    privateKey: self.clientKey.map { .file($0) },
                    serverName: self.tlsServerName)
            }
            if let token = self.token {
                client.credentials = .header("X-Nomad-Token", token: token)
            }
            return (endpoint, client)
        }
    }
}
