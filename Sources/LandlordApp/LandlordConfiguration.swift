package import LandlordProviderKit
package import Logging

/// Everything the `landlord` server can be configured with; ``defaults``
/// documents each value. The executable fills it from flags and environment
/// variables (`landlord --help` lists them).
package struct LandlordConfiguration: Sendable, Equatable {
    /// How log lines are written.
    package enum LogFormat: String, Sendable, CaseIterable {
        /// One human-readable line per event.
        case text
        /// One JSON object per line, for log collectors.
        case json
    }

    /// Address to listen on (`0.0.0.0` for every interface).
    package var listenHost: String
    /// TCP port; 0 picks a free one (the log says which).
    package var listenPort: Int
    /// The providers to register, by name (`mock`).
    package var providers: [String]
    /// The provider used when a request names none; must be registered.
    package var defaultProvider: String
    package var logLevel: Logger.Level
    package var logFormat: LogFormat
    /// The largest request message accepted, in bytes.
    package var maxReceiveMessageSize: Int
    /// SETTINGS_MAX_CONCURRENT_STREAMS advertised to each connection.
    package var maxConcurrentStreams: Int
    /// How long in-flight calls may run after SIGTERM/SIGINT before they are cancelled.
    package var drainTimeout: Duration
    /// The providers' option values (every provider of the catalog, registered or not), as the
    /// flags, environment, configuration file and defaults set them.
    package var providerOptions: ConfigOptionValues = ConfigOptionValues()
    /// The configuration file the values were read from, if any.
    package var configurationFile: String? = nil
    /// Event-loop threads serving connections (and running their calls); nil means one per CPU
    /// the process may use: the fewer of NIO's `System.coreCount` (cgroup quota and cpuset) and
    /// ``CPUAffinity/allowedCPUCount`` (the affinity mask, e.g. `taskset`).
    package var eventLoopThreads: Int? = nil
    /// Where the metrics listener serves `GET /metrics`; nil: no listener, no metrics recorded.
    package var metricsListenHost: String? = nil
    /// The metrics listener's TCP port; 0 picks a free one (the log says which).
    package var metricsListenPort: Int = 0
    /// The server's PEM certificate chain; with ``tlsKey``, the gRPC port speaks TLS only.
    package var tlsCertificate: String? = nil
    /// The PEM private key of ``tlsCertificate``.
    package var tlsKey: String? = nil
    /// The PEM CA bundle client certificates must chain to (mutual TLS); needs ``tlsCertificate``.
    package var tlsClientCA: String? = nil
    /// The access policy file; nil: every caller may call every method.
    package var authPolicy: String? = nil
    /// Where a cleartext listener serves only grpc.health.v1; nil: none.
    package var healthListenHost: String? = nil
    /// The health listener's TCP port; 0 picks a free one.
    package var healthListenPort: Int = 0
    /// How often the TLS files and the access policy are checked for changes.
    package var reloadInterval: Duration = .seconds(5)

    /// - `listenHost` "0.0.0.0", `listenPort` 50051
    /// - `providers` ["mock"], `defaultProvider` "mock"
    /// - `logLevel` info, `logFormat` text
    /// - `maxReceiveMessageSize` 4 MiB, `maxConcurrentStreams` 100
    /// - `drainTimeout` 30 s
    /// - `providerOptions` empty (each provider's defaults), `configurationFile` nil
    /// - `eventLoopThreads` nil (one per CPU the process may run on)
    /// - `metricsListenHost` nil (no metrics listener)
    /// - `tlsCertificate`, `tlsKey`, `tlsClientCA` nil (h2c), `authPolicy` nil (no access control)
    /// - `healthListenHost` nil (no health listener), `reloadInterval` 5 s
    package static var defaults: LandlordConfiguration {
        LandlordConfiguration(
            listenHost: "0.0.0.0",
            listenPort: 50051,
            providers: ["mock"],
            defaultProvider: "mock",
            logLevel: .info,
            logFormat: .text,
            maxReceiveMessageSize: 4 * 1024 * 1024,
            maxConcurrentStreams: 100,
            drainTimeout: .seconds(30)
        )
    }

    package init(
        listenHost: String,
        listenPort: Int,
        providers: [String],
        defaultProvider: String,
        logLevel: Logger.Level,
        logFormat: LogFormat,
        maxReceiveMessageSize: Int,
        maxConcurrentStreams: Int,
        drainTimeout: Duration
    ) {
        self.listenHost = listenHost
        self.listenPort = listenPort
        self.providers = providers
        self.defaultProvider = defaultProvider
        self.logLevel = logLevel
        self.logFormat = logFormat
        self.maxReceiveMessageSize = maxReceiveMessageSize
        self.maxConcurrentStreams = maxConcurrentStreams
        self.drainTimeout = drainTimeout
    }

    /// Checks the values together; the error says what is wrong in one sentence.
    ///
    /// - Parameter availableProviders: The providers this build can register (the catalog's names).
    package func validate(availableProviders: [String]) throws(ConfigurationError) {
        guard (0...65535).contains(listenPort) else {
            throw ConfigurationError("listen port \(listenPort) is outside 0-65535")
        }
        guard !providers.isEmpty else { throw ConfigurationError("no provider to register") }
        for provider in providers where !availableProviders.contains(provider) {
            throw ConfigurationError(
                "unknown provider \"\(provider)\"; available: \(availableProviders.joined(separator: ", "))"
            )
        }
        guard providers.contains(defaultProvider) else {
            throw ConfigurationError(
                "default provider \"\(defaultProvider)\" is not registered; registered: \(providers.joined(separator: ", "))"
            )
        }
        guard maxReceiveMessageSize > 0 else { throw ConfigurationError("max receive message size must be positive") }
        guard (1...Int(Int32.max)).contains(maxConcurrentStreams) else {
            throw ConfigurationError("max concurrent streams must be at least 1")
        }
        guard drainTimeout >= .zero else { throw ConfigurationError("drain timeout must not be negative") }
        if (tlsCertificate == nil) != (tlsKey == nil) {
            throw ConfigurationError("--tls-cert and --tls-key go together: set both or neither")
        }
        if tlsClientCA != nil, tlsCertificate == nil {
            throw ConfigurationError("--tls-client-ca needs --tls-cert and --tls-key")
        }
        guard reloadInterval > .zero else { throw ConfigurationError("reload interval must be positive") }
        if let eventLoopThreads, !(1...1024).contains(eventLoopThreads) {
            throw ConfigurationError("event-loop threads must be between 1 and 1024")
        }
    }

    /// Parses `HOST:PORT` (`[v6]:PORT` for IPv6).
    package static func parseListenAddress(_ address: String) throws(ConfigurationError) -> (host: String, port: Int) {
        let invalid = ConfigurationError("listen address \"\(address)\" is not HOST:PORT")
        guard let colon = address.lastIndex(of: ":") else { throw invalid }
        var host = String(address[..<colon])
        guard let port = Int(address[address.index(after: colon)...]), (0...65535).contains(port) else { throw invalid }
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw invalid }
        return (host, port)
    }
}

/// A configuration value that cannot be used; the message is one sentence for the operator.
package struct ConfigurationError: Error, Equatable, CustomStringConvertible {
    package var message: String
    package init(_ message: String) { self.message = message }
    package var description: String { message }
}
