package import LandlordProviderKit

/// landlord's own options (the providers declare theirs in the ``ProviderCatalog``): one
/// declaration each, read by the flags, the environment and the configuration file alike.
package enum CoreOptions {
    /// `--config PATH` / `LANDLORD_CONFIG`: the configuration file (not a key inside it).
    package static let config = ConfigOption(
        name: "config", environment: ["LANDLORD_CONFIG"], valueName: "PATH",
        unsetMeaning: "flags, environment and defaults only",
        help: "Configuration file (YAML, or JSON when it ends in .json) whose keys are the long option names."
    )
    package static let listen = ConfigOption(
        name: "listen", environment: ["LANDLORD_LISTEN_ADDRESS"], valueName: "HOST:PORT",
        defaultValue: "0.0.0.0:50051", help: "Address to listen on, HOST:PORT; port 0 picks a free one."
    )
    package static let providers = ConfigOption(
        name: "providers", environment: ["LANDLORD_PROVIDERS"], valueName: "NAMES", kind: .list,
        defaultValue: "mock", help: "Providers to register, comma-separated."
    )
    package static let defaultProvider = ConfigOption(
        name: "default-provider", environment: ["COMPUTE_DEFAULT_PROVIDER"], valueName: "NAME",
        defaultValue: "mock", help: "Provider used when a request names none; must be registered."
    )
    package static let logLevel = ConfigOption(
        name: "log-level", environment: ["LANDLORD_LOG_LEVEL"], valueName: "LEVEL", defaultValue: "info",
        help: "Log level: trace, debug, info, notice, warning, error, critical."
    )
    package static let logFormat = ConfigOption(
        name: "log-format", environment: ["LANDLORD_LOG_FORMAT"], valueName: "FORMAT", defaultValue: "text",
        help: "Log format: text or json."
    )
    package static let maxReceiveMessageSize = ConfigOption(
        name: "max-receive-message-size", environment: ["LANDLORD_MAX_RECEIVE_MESSAGE_SIZE"], valueName: "BYTES",
        kind: .integer, defaultValue: "4194304", help: "Largest request message accepted, in bytes."
    )
    package static let maxConcurrentStreams = ConfigOption(
        name: "max-concurrent-streams", environment: ["LANDLORD_MAX_CONCURRENT_STREAMS"], valueName: "COUNT",
        kind: .integer, defaultValue: "100", help: "HTTP/2 streams a client may open at once per connection."
    )
    package static let drainTimeout = ConfigOption(
        name: "drain-timeout", environment: ["LANDLORD_DRAIN_TIMEOUT"], valueName: "SECONDS", kind: .seconds,
        defaultValue: "30", help: "Seconds in-flight calls may run after SIGTERM/SIGINT."
    )
    package static let eventLoopThreads = ConfigOption(
        name: "event-loop-threads", environment: ["LANDLORD_EVENT_LOOP_THREADS"], valueName: "COUNT",
        kind: .integer,
        unsetMeaning: "one per CPU the process may use: its affinity, cpuset or CPU quota",
        help: "Event-loop threads serving connections."
    )

    package static let metricsListen = ConfigOption(
        name: "metrics-listen", environment: ["LANDLORD_METRICS_LISTEN_ADDRESS"], valueName: "HOST:PORT",
        unsetMeaning: "no metrics listener",
        help: "Address to serve Prometheus metrics on (GET /metrics, HTTP/1.1), HOST:PORT; port 0 picks a free one."
    )

    package static let tlsCert = ConfigOption(
        name: "tls-cert", environment: ["LANDLORD_TLS_CERT"], valueName: "PATH",
        unsetMeaning: "no TLS: the port speaks h2c",
        help: "PEM certificate chain (leaf first) of the server; with --tls-key, the port speaks TLS only (ALPN h2). Re-read when it changes."
    )
    package static let tlsKey = ConfigOption(
        name: "tls-key", environment: ["LANDLORD_TLS_KEY"], valueName: "PATH",
        unsetMeaning: "no TLS", help: "PEM private key of the --tls-cert certificate. Re-read when it changes."
    )
    package static let tlsClientCA = ConfigOption(
        name: "tls-client-ca", environment: ["LANDLORD_TLS_CLIENT_CA"], valueName: "PATH",
        unsetMeaning: "no client certificate asked for",
        help: "PEM CA bundle; every client must present a certificate that chains to it (mutual TLS). Needs --tls-cert."
    )
    package static let authPolicy = ConfigOption(
        name: "auth-policy", environment: ["LANDLORD_AUTH_POLICY"], valueName: "PATH",
        unsetMeaning: "every caller may call every method",
        help: "JSON file naming the callers (bearer-token hashes, client-certificate names), their roles and tenants. Re-read when it changes."
    )
    package static let healthListen = ConfigOption(
        name: "health-listen", environment: ["LANDLORD_HEALTH_LISTEN_ADDRESS"], valueName: "HOST:PORT",
        unsetMeaning: "no separate health listener",
        help: "Address of a cleartext (h2c) listener serving only grpc.health.v1, for probes that cannot speak TLS (Kubernetes gRPC probes), HOST:PORT."
    )
    package static let reloadInterval = ConfigOption(
        name: "reload-interval", environment: ["LANDLORD_RELOAD_INTERVAL"], valueName: "SECONDS", kind: .seconds,
        defaultValue: "5", help: "How often the TLS files and the auth policy are checked for changes."
    )

    /// The options a configuration file may set (all but ``config``).
    package static let fileOptions: [ConfigOption] = [
        listen, providers, defaultProvider, logLevel, logFormat, maxReceiveMessageSize, maxConcurrentStreams,
        drainTimeout, eventLoopThreads, metricsListen, tlsCert, tlsKey, tlsClientCA, authPolicy, healthListen,
        reloadInterval,
    ]
}

extension ConfigOption {
    /// The option's whole help line: `Address to listen on. [env: X] (default: Y)`.
    package var helpLine: String { "\(self.help) \(self.helpAnnotation)" }
}
