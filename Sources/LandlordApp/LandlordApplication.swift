import LandlordCompute
package import LandlordGRPCServices
import LandlordHTTP2
package import LandlordMetrics
import LandlordProviderKit
import LandlordProtobuf
import LandlordRPC
import LandlordService
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
        router.register([ComputeService(manager: manager, watchHub: watchHub), health])
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
            router: router, configuration: serverConfiguration, logger: logger, metrics: metrics?.rpc
        ) {
            health.drain()
            Task { await watchHub.shutDown() }
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
        services.append(server)
        let group = ServiceGroup(
            configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        )
        try await withThrowingDiscardingTaskGroup { tasks in
            tasks.addTask { try await group.run() }
            let metricsAddress = try await metricsServer?.listeningAddress
            let address = try await server.listeningAddress
            health.setStatusOfAllServices(.serving)
            onReady(ListeningAddresses(grpc: address, metrics: metricsAddress))
        }
    }
}

/// A registered provider cannot work (e.g. its engine is unreachable); the
/// message is one sentence for the operator.
package struct ProviderStartupError: Error, CustomStringConvertible {
    package var message: String
    package var description: String { message }
}
