import ArgumentParser
import Foundation
import LandlordApp
import LandlordMetrics
import Metrics
import LandlordProviderKit
import Logging
import NIOCore

/// `landlord`: the landlord compute service, a gRPC server.
///
/// Every option can also be set by an environment variable; a flag wins
/// over its variable, which wins over the default.
struct LandlordCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "landlord",
        abstract: "The landlord compute service: provisions, updates, destroys and watches tenants' compute over gRPC.",
        discussion: """
            Every option can also be set by its environment variable or a key of the --config file \
            (the option's long name without --): a flag wins over its variable, which wins over the file, \
            which wins over the default. \
            Health (grpc.health.v1) reports SERVING once the server listens and NOT_SERVING while it drains. \
            SIGTERM or SIGINT drains: GOAWAY, in-flight calls finish (up to --drain-timeout), exit 0. \
            An invalid configuration prints one line on stderr and exits with status 2; a provider that \
            cannot start (its engine unreachable) prints one line and exits with status 1.

            """ + ProviderCatalog.standard.helpText
    )

    @Option(help: ArgumentHelp(CoreOptions.config.helpLine))
    var config: String?

    @Option(help: ArgumentHelp(CoreOptions.listen.helpLine))
    var listen: String?

    @Option(help: ArgumentHelp(CoreOptions.providers.helpLine))
    var providers: String?

    @Option(help: ArgumentHelp(CoreOptions.defaultProvider.helpLine))
    var defaultProvider: String?

    @Option(help: ArgumentHelp(CoreOptions.logLevel.helpLine))
    var logLevel: String?

    @Option(help: ArgumentHelp(CoreOptions.logFormat.helpLine))
    var logFormat: String?

    @Option(help: ArgumentHelp(CoreOptions.maxReceiveMessageSize.helpLine))
    var maxReceiveMessageSize: String?

    @Option(help: ArgumentHelp(CoreOptions.maxConcurrentStreams.helpLine))
    var maxConcurrentStreams: String?

    @Option(help: ArgumentHelp(CoreOptions.drainTimeout.helpLine))
    var drainTimeout: String?

    @Option(help: ArgumentHelp(CoreOptions.eventLoopThreads.helpLine))
    var eventLoopThreads: String?

    @Option(help: ArgumentHelp(CoreOptions.metricsListen.helpLine))
    var metricsListen: String?

    @Option(help: ArgumentHelp(CoreOptions.tlsCert.helpLine))
    var tlsCert: String?

    @Option(help: ArgumentHelp(CoreOptions.tlsKey.helpLine))
    var tlsKey: String?

    @Option(help: ArgumentHelp(CoreOptions.tlsClientCA.helpLine))
    var tlsClientCa: String?

    @Option(help: ArgumentHelp(CoreOptions.authPolicy.helpLine))
    var authPolicy: String?

    @Option(help: ArgumentHelp(CoreOptions.healthListen.helpLine))
    var healthListen: String?

    @Option(help: ArgumentHelp(CoreOptions.reloadInterval.helpLine))
    var reloadInterval: String?

    /// The providers' options (listed in the discussion from the catalog), parsed by the catalog.
    @Argument(parsing: .allUnrecognized, help: .hidden)
    var providerArguments: [String] = []

    /// The configuration the flags, then the environment, then the configuration file, then the
    /// defaults give.
    func resolvedConfiguration(
        environment: [String: String],
        catalog: ProviderCatalog = .standard
    ) throws(ConfigurationError) -> LandlordConfiguration {
        var flags = try ConfigurationLayers.parseFlags(providerArguments, options: catalog.options)
        let core: [(ConfigOption, String?)] = [
            (CoreOptions.listen, listen), (CoreOptions.providers, providers),
            (CoreOptions.defaultProvider, defaultProvider), (CoreOptions.logLevel, logLevel),
            (CoreOptions.logFormat, logFormat), (CoreOptions.maxReceiveMessageSize, maxReceiveMessageSize),
            (CoreOptions.maxConcurrentStreams, maxConcurrentStreams), (CoreOptions.drainTimeout, drainTimeout),
            (CoreOptions.eventLoopThreads, eventLoopThreads), (CoreOptions.metricsListen, metricsListen),
            (CoreOptions.tlsCert, tlsCert), (CoreOptions.tlsKey, tlsKey), (CoreOptions.tlsClientCA, tlsClientCa),
            (CoreOptions.authPolicy, authPolicy), (CoreOptions.healthListen, healthListen),
            (CoreOptions.reloadInterval, reloadInterval),
        ]
        for case (let option, let value?) in core { flags[option.name] = value }
        var layers = ConfigurationLayers(flags: flags, environment: environment)
        if let path = config ?? environment["LANDLORD_CONFIG"].flatMap({ $0.isEmpty ? nil : $0 }) {
            layers.file = try ConfigurationFile.load(path: path, options: CoreOptions.fileOptions + catalog.options)
        }
        return try LandlordConfiguration.resolve(layers, catalog: catalog)
    }
}

@main
enum LandlordMain {
    static func main() async {
        let command: LandlordCommand
        let configuration: LandlordConfiguration
        do {
            command = try LandlordCommand.parse()
            configuration = try command.resolvedConfiguration(environment: ProcessInfo.processInfo.environment)
        } catch let error as ConfigurationError {
            fail("invalid configuration: \(error.message)")
        } catch {
            if LandlordCommand.exitCode(for: error) == .success { LandlordCommand.exit(withError: error) }
            fail(LandlordCommand.message(for: error))
        }

        // Before anything uses NIO's shared event loops (set once, by the process).
        NIOSingletons.groupLoopCountSuggestion =
            configuration.eventLoopThreads ?? min(System.coreCount, CPUAffinity.allowedCPUCount)

        let level = configuration.logLevel
        let format = configuration.logFormat
        LoggingSystem.bootstrap { label in
            switch format {
            case .text:
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            case .json:
                var handler = JSONLogHandler(label: label)
                handler.logLevel = level
                return handler
            }
        }
        let logger = Logger(label: "landlord")
        // With a metrics address, swift-prometheus is the swift-metrics backend of the process:
        // whatever records through swift-metrics is scraped with the rest.
        let metrics = configuration.metricsListenHost.map { _ in MetricsRegistry() }
        if let metrics { MetricsSystem.bootstrap(metrics.factory) }
        do {
            let application = try LandlordApplication(configuration: configuration, metrics: metrics, logger: logger)
            try await application.run(onReady: { addresses in
                var metadata: Logger.Metadata = [
                    "address": "\(configuration.listenHost):\(addresses.grpc.port ?? configuration.listenPort)",
                    "providers": "\(configuration.providers.joined(separator: ","))",
                    "default_provider": "\(configuration.defaultProvider)",
                ]
                if let host = configuration.metricsListenHost, let address = addresses.metrics {
                    metadata["metrics"] = "\(host):\(address.port ?? configuration.metricsListenPort)"
                }
                if let host = configuration.healthListenHost, let address = addresses.health {
                    metadata["health"] = "\(host):\(address.port ?? configuration.healthListenPort)"
                }
                let tls = configuration.tlsCertificate == nil ? "off" : configuration.tlsClientCA == nil ? "on" : "mutual"
                metadata["tls"] = .string(tls)
                logger.notice("landlord serving", metadata: metadata)
            })
        } catch let error as ConfigurationError {
            fail("invalid configuration: \(error.message)")
        } catch let error as ProviderStartupError {
            fail(error.message, status: 1)
        } catch {
            logger.critical("landlord stopped on an error", metadata: ["error": "\(error)"])
            exit(1)
        }
    }

    /// One clear line on stderr; exit status 2 for invalid configuration, 1 for a start-up failure.
    private static func fail(_ message: String, status: Int32 = 2) -> Never {
        FileHandle.standardError.write(Data("landlord: \(message)\n".utf8))
        exit(status)
    }
}
