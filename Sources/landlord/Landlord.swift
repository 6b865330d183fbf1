import ArgumentParser
import Foundation
import LandlordApp
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
            Health (grpc.health.v1) reports SERVING once the server listens and NOT_SERVING while it drains. \
            SIGTERM or SIGINT drains: GOAWAY, in-flight calls finish (up to --drain-timeout), exit 0. \
            An invalid configuration prints one line on stderr and exits with status 2; a provider that \
            cannot start (the docker provider's engine unreachable) prints one line and exits with status 1.
            """
    )

    @Option(help: "Address to listen on, HOST:PORT; port 0 picks a free one. [env: LANDLORD_LISTEN_ADDRESS] (default: 0.0.0.0:50051)")
    var listen: String?

    @Option(help: "Providers to register, comma-separated. [env: LANDLORD_PROVIDERS] (default: mock)")
    var providers: String?

    @Option(help: "Provider used when a request names none; must be registered. [env: COMPUTE_DEFAULT_PROVIDER] (default: mock)")
    var defaultProvider: String?

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical. [env: LANDLORD_LOG_LEVEL] (default: info)")
    var logLevel: String?

    @Option(help: "Log format: text or json. [env: LANDLORD_LOG_FORMAT] (default: text)")
    var logFormat: String?

    @Option(help: "Largest request message accepted, in bytes. [env: LANDLORD_MAX_RECEIVE_MESSAGE_SIZE] (default: 4194304)")
    var maxReceiveMessageSize: String?

    @Option(help: "HTTP/2 streams a client may open at once per connection. [env: LANDLORD_MAX_CONCURRENT_STREAMS] (default: 100)")
    var maxConcurrentStreams: String?

    @Option(help: "Seconds in-flight calls may run after SIGTERM/SIGINT. [env: LANDLORD_DRAIN_TIMEOUT] (default: 30)")
    var drainTimeout: String?

    @Option(help: "Event-loop threads serving connections. [env: LANDLORD_EVENT_LOOP_THREADS] (default: none; one per CPU the process may use: its affinity, cpuset or CPU quota)")
    var eventLoopThreads: String?

    @Option(help: "Docker Engine API address for the docker provider: unix:///PATH or tcp://HOST:PORT. [env: DOCKER_HOST] (default: unix:///var/run/docker.sock)")
    var dockerHost: String?

    @Option(help: "Directory the docker provider reads `file` secrets from. [env: LANDLORD_DOCKER_SECRETS_DIR] (default: none; file secrets disabled)")
    var dockerSecretsDir: String?

    /// The configuration the flags, then the environment, then the defaults give.
    func resolvedConfiguration(environment: [String: String]) throws(ConfigurationError) -> LandlordConfiguration {
        func value(_ flag: String?, _ variable: String) -> String? {
            if let flag { return flag }
            if let fromEnvironment = environment[variable], !fromEnvironment.isEmpty { return fromEnvironment }
            return nil
        }
        var configuration = LandlordConfiguration.defaults
        if let listen = value(listen, "LANDLORD_LISTEN_ADDRESS") {
            (configuration.listenHost, configuration.listenPort) = try LandlordConfiguration.parseListenAddress(listen)
        }
        if let providers = value(providers, "LANDLORD_PROVIDERS") {
            configuration.providers = providers.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty }
        }
        if let provider = value(defaultProvider, "COMPUTE_DEFAULT_PROVIDER") { configuration.defaultProvider = provider }
        if let level = value(logLevel, "LANDLORD_LOG_LEVEL") {
            guard let parsed = Logger.Level(rawValue: level.lowercased()) else {
                throw ConfigurationError("log level \"\(level)\" is not one of trace, debug, info, notice, warning, error, critical")
            }
            configuration.logLevel = parsed
        }
        if let format = value(logFormat, "LANDLORD_LOG_FORMAT") {
            guard let parsed = LandlordConfiguration.LogFormat(rawValue: format.lowercased()) else {
                throw ConfigurationError("log format \"\(format)\" is not text or json")
            }
            configuration.logFormat = parsed
        }
        if let size = value(maxReceiveMessageSize, "LANDLORD_MAX_RECEIVE_MESSAGE_SIZE") {
            guard let bytes = Int(size), bytes > 0 else {
                throw ConfigurationError("max receive message size \"\(size)\" is not a positive number of bytes")
            }
            configuration.maxReceiveMessageSize = bytes
        }
        if let streams = value(maxConcurrentStreams, "LANDLORD_MAX_CONCURRENT_STREAMS") {
            guard let count = Int(streams), count > 0 else {
                throw ConfigurationError("max concurrent streams \"\(streams)\" is not a positive number")
            }
            configuration.maxConcurrentStreams = count
        }
        if let timeout = value(drainTimeout, "LANDLORD_DRAIN_TIMEOUT") {
            guard let seconds = Double(timeout), seconds >= 0, seconds.isFinite else {
                throw ConfigurationError("drain timeout \"\(timeout)\" is not a number of seconds")
            }
            configuration.drainTimeout = .milliseconds(Int64(seconds * 1000))
        }
        if let threads = value(eventLoopThreads, "LANDLORD_EVENT_LOOP_THREADS") {
            guard let count = Int(threads), count > 0 else {
                throw ConfigurationError("event-loop threads \"\(threads)\" is not a positive number")
            }
            configuration.eventLoopThreads = count
        }
        configuration.dockerHost = value(dockerHost, "DOCKER_HOST")
        configuration.dockerSecretsDirectory = value(dockerSecretsDir, "LANDLORD_DOCKER_SECRETS_DIR")
        try configuration.validate()
        return configuration
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
        do {
            let application = try LandlordApplication(configuration: configuration, logger: logger)
            try await application.run { address in
                logger.notice(
                    "landlord serving",
                    metadata: [
                        "address": "\(configuration.listenHost):\(address.port ?? configuration.listenPort)",
                        "providers": "\(configuration.providers.joined(separator: ","))",
                        "default_provider": "\(configuration.defaultProvider)",
                    ]
                )
            }
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
