import LandlordCompute
package import LandlordGRPCServices
import LandlordHTTP2
package import LandlordMetrics
import LandlordProviderKit
import LandlordProtobuf
import LandlordRPC
package import LandlordService
package import LandlordTransport
package import Logging
package import NIOCore
import ServiceLifecycle
import UnixSignals
import Foundation

/// The landlord server, wired: provider registry, manager, compute service,
/// health and reflection, on the gRPC server; with `metricsListenHost` set, the metrics
/// listener and the metrics every part records.
///
/// ```swift
/// let app = try LandlordApplication(configuration: .defaults, logger: logger)
/// try await app.run()   // until SIGTERM/SIGINT
/// ```
package struct LandlordApplication: Sendable {
    package let configuration: LandlordConfiguration
    package let server: GRPCServer
    package let health: HealthService
    /// The metrics listener; nil when the configuration names no metrics address.
    package let metricsServer: MetricsServer?
    /// What the metrics listener serves; nil without one.
    package let metrics: MetricsRegistry?
    /// The cleartext listener serving only grpc.health.v1 (for probes when TLS is on); nil without one.
    package let healthServer: GRPCServer?
    /// The server's TLS credentials; nil: h2c.
    package let tls: TLSCredentials?
    /// The access control of every call; nil without a policy.
    package let access: AccessController?
    private let logger: Logger
    /// The registered providers, in registration order: checked before serving, shut down after.
    private let providers: [any ManagedComputeProvider]

    /// The services health reports on: the whole server and the compute service.
    private static let healthServices = ["", ComputeService.serviceName]

    /// Builds everything; nothing listens until ``run()``.
    ///
    /// - Parameters:
    ///   - metrics: the registry the metrics go to when `configuration.metricsListenHost` is set
    ///     (the executable passes the one it bootstrapped as the swift-metrics backend); nil makes
    ///     one. Ignored without a metrics address: then nothing is recorded.
    /// - Throws: ``ConfigurationError`` for an invalid configuration.
    package init(
        configuration: LandlordConfiguration,
        catalog: ProviderCatalog = .standard,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        metrics: MetricsRegistry? = nil,
        logger: Logger
    ) throws {
        try configuration.validate(availableProviders: catalog.names)
        self.configuration = configuration
        self.logger = logger
        let metrics = configuration.metricsListenHost == nil ? nil : (metrics ?? MetricsRegistry())
        self.metrics = metrics

        // The files first: a bad one is one line on stderr, before anything else logs.
        if let certificate = configuration.tlsCertificate, let key = configuration.tlsKey {
            do {
                self.tls = try TLSCredentials(
                    files: .init(certificate: certificate, key: key, clientCA: configuration.tlsClientCA)
                )
            } catch {
                throw ConfigurationError("TLS: \(error.message)")
            }
        } else {
            self.tls = nil
        }
        if let path = configuration.authPolicy {
            do {
                self.access = try AccessController(path: path, logger: logger)
            } catch {
                throw ConfigurationError("auth policy \(path): \(error.message)")
            }
        } else {
            self.access = nil
        }

        let registry = ProviderRegistry(logger: logger)
        var providers: [any ManagedComputeProvider] = []
        for name in configuration.providers {
            guard let factory = catalog.factory(named: name) else {
                throw ConfigurationError("unknown provider \"\(name)\"")
            }
            let context = ProviderContext(
                options: configuration.providerOptions, environment: environment, logger: logger
            )
            let provider: any ManagedComputeProvider
            do {
                provider = try factory.makeProvider(context)
            } catch {
                throw ConfigurationError(error.message)
            }
            try registry.register(provider)
            providers.append(provider)
        }
        self.providers = providers
        let manager = ComputeManager(
            registry: registry, defaultProvider: configuration.defaultProvider, logger: logger,
            metricsFactory: metrics?.metricsFactory
        )
        let watchHub = StatusWatchHub(logger: logger, metricsFactory: metrics?.metricsFactory) { tenantID, providerType in
            try await manager.tenantStatus(tenantID: tenantID, providerType: providerType)
        }
        let health = HealthService(statuses: Dictionary(uniqueKeysWithValues: Self.healthServices.map { ($0, .notServing) }))
        self.health = health

        var router = RPCRouter()
        if let access { router.guardAccess(with: access) }
        router.register([ComputeService(manager: manager, watchHub: watchHub, access: access), health])
        router.register([
            ReflectionService(
                index: LandlordDescriptorSet.index,
                serviceNames: router.serviceNames + ReflectionService.serviceNames
            )
        ])

        var serverConfiguration = GRPCServer.Configuration.defaults
        serverConfiguration.host = configuration.listenHost
        serverConfiguration.port = configuration.listenPort
        serverConfiguration.maxReceiveMessageSize = configuration.maxReceiveMessageSize
        serverConfiguration.http2.maxConcurrentStreams = UInt32(configuration.maxConcurrentStreams)
        serverConfiguration.drainTimeout = configuration.drainTimeout
        self.server = GRPCServer(
            router: router, configuration: serverConfiguration, logger: logger, metrics: metrics?.rpc, tls: tls
        ) {
            health.drain()
            Task { await watchHub.shutDown() }
        }
        if let host = configuration.healthListenHost {
            var healthRouter = RPCRouter()
            healthRouter.register([health])
            var healthConfiguration = serverConfiguration
            healthConfiguration.host = host
            healthConfiguration.port = configuration.healthListenPort
            var healthLogger = logger
            healthLogger[metadataKey: "listener"] = "health"
            self.healthServer = GRPCServer(router: healthRouter, configuration: healthConfiguration, logger: healthLogger)
        } else {
            self.healthServer = nil
        }
        if let metrics, let host = configuration.metricsListenHost {
            self.metricsServer = MetricsServer(
                host: host, port: configuration.metricsListenPort, registry: metrics, logger: logger
            )
        } else {
            self.metricsServer = nil
        }
    }

    /// Checks that every registered provider can reach its engine.
    ///
    /// - Throws: ``ProviderStartupError`` naming the provider and the cause.
    package func checkProviders() async throws {
        for provider in self.providers {
            do {
                let engine = try await provider.checkEngine()
                logger.info("\(provider.name) provider ready", metadata: ["provider": "\(provider.name)", "engine": "\(engine)"])
            } catch let error as ProviderStartupFailure {
                throw ProviderStartupError(message: error.message)
            } catch {
                throw ProviderStartupError(message: "\(provider.name) provider: \(error)")
            }
        }
    }

    /// The address the server listens on, once it does.
    package var listeningAddress: SocketAddress {
        get async throws { try await server.listeningAddress }
    }

    /// The addresses the application serves on, once both are bound.
    package struct ListeningAddresses: Sendable {
        /// The gRPC port.
        package var grpc: SocketAddress
        /// The metrics listener; nil without one.
        package var metrics: SocketAddress?
        /// The health listener; nil without one.
        package var health: SocketAddress? = nil
    }

    /// Serves until SIGTERM or SIGINT (graceful drain, then return) or
    /// cancellation. Health turns SERVING once the server listens.
    ///
    /// - Parameter onListening: called once with the bound gRPC address.
    package func run(onListening: @escaping @Sendable (SocketAddress) -> Void = { _ in }) async throws {
        try await run(onReady: { onListening($0.grpc) })
    }

    /// Serves as ``run(onListening:)`` does; `onReady` gets the gRPC and the metrics address.
    package func run(onReady: @escaping @Sendable (ListeningAddresses) -> Void) async throws {
        try await checkProviders()
        // Started first, so the group stops it last: providers close once the server has drained.
        // The metrics listener stops after the server too: a drain can be watched to its end.
        let providerService = ProviderShutdownService(providers: providers, logger: logger)
        var services: [any Service] = [providerService]
        if let metricsServer { services.append(metricsServer) }
        // The health listener stops after the server: probes see NOT_SERVING during the drain.
        if let healthServer { services.append(healthServer) }
        var reloads: [@Sendable () -> Void] = []
        if let tls { reloads.append { [logger] in tls.reloadIfChanged(logger: logger) } }
        if let access { reloads.append { access.reloadIfChanged() } }
        services.append(FileReloadService(interval: configuration.reloadInterval, reloads: reloads))
        services.append(server)
        if access == nil, !Self.isLoopback(configuration.listenHost) {
            logger.warning(
                "no auth policy: every caller that reaches the port may call every method, DestroyTenant included",
                metadata: ["address": "\(configuration.listenHost):\(configuration.listenPort)"]
            )
        }
        let group = ServiceGroup(
            configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        )
        try await withThrowingDiscardingTaskGroup { tasks in
            tasks.addTask { try await group.run() }
            let metricsAddress = try await metricsServer?.listeningAddress
            let healthAddress = try await healthServer?.listeningAddress
            let address = try await server.listeningAddress
            health.setStatusOfAllServices(.serving)
            onReady(ListeningAddresses(grpc: address, metrics: metricsAddress, health: healthAddress))
        }
    }
}

extension LandlordApplication {
    /// Whether `host` is a loopback address (only this machine can connect).
    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}

/// A registered provider cannot work (e.g. its engine is unreachable); the
/// message is one sentence for the operator.
package struct ProviderStartupError: Error, CustomStringConvertible {
    package var message: String
    package var description: String { message }
}
