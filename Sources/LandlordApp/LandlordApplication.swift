import LandlordCompute
import LandlordDockerProvider
package import LandlordGRPCServices
import LandlordHTTP2
import LandlordMockProvider
import LandlordProtobuf
import LandlordRPC
import LandlordService
package import LandlordTransport
package import Logging
package import NIOCore
import ServiceLifecycle
import UnixSignals

/// The landlord server, wired: provider registry, manager, compute service,
/// health and reflection, on the gRPC server.
///
/// ```swift
/// let app = try LandlordApplication(configuration: .defaults, logger: logger)
/// try await app.run()   // until SIGTERM/SIGINT
/// ```
package struct LandlordApplication: Sendable {
    package let configuration: LandlordConfiguration
    package let server: GRPCServer
    package let health: HealthService
    private let logger: Logger
    /// Registered providers that talk to an engine: checked before serving, shut down after.
    private let dockerProvider: DockerProvider?

    /// The services health reports on: the whole server and the compute service.
    private static let healthServices = ["", ComputeService.serviceName]

    /// Builds everything; nothing listens until ``run()``.
    ///
    /// - Throws: ``ConfigurationError`` for an invalid configuration.
    package init(configuration: LandlordConfiguration, logger: Logger) throws {
        try configuration.validate()
        self.configuration = configuration
        self.logger = logger

        let registry = ProviderRegistry(logger: logger)
        var dockerProvider: DockerProvider?
        for name in configuration.providers {
            switch name {
            case "mock":
                try registry.register(MockProvider(logger: logger))
            case "docker":
                var docker: DockerProvider.Configuration
                do {
                    docker = try DockerProvider.Configuration(dockerHost: configuration.dockerHost ?? "")
                } catch {
                    throw ConfigurationError("docker host: \(error)")
                }
                docker.secretsDirectory = configuration.dockerSecretsDirectory
                let provider = DockerProvider(configuration: docker, logger: logger)
                try registry.register(provider)
                dockerProvider = provider
            default:
                throw ConfigurationError("unknown provider \"\(name)\"")
            }
        }
        self.dockerProvider = dockerProvider
        let manager = ComputeManager(registry: registry, defaultProvider: configuration.defaultProvider, logger: logger)
        let watchHub = StatusWatchHub(logger: logger) { tenantID, providerType in
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
        self.server = GRPCServer(router: router, configuration: serverConfiguration, logger: logger) {
            health.drain()
            Task { await watchHub.shutDown() }
        }
    }

    /// Checks that every engine-backed provider can reach its engine.
    ///
    /// - Throws: ``ProviderStartupError`` naming the provider and the cause.
    package func checkProviders() async throws {
        guard let dockerProvider else { return }
        do {
            let engine = try await dockerProvider.checkConnection()
            logger.info("docker provider connected", metadata: ["engine": "\(engine)"])
        } catch let error as ComputeError {
            throw ProviderStartupError(message: error.message)
        } catch {
            throw ProviderStartupError(message: "docker provider: \(error)")
        }
    }

    /// The address the server listens on, once it does.
    package var listeningAddress: SocketAddress {
        get async throws { try await server.listeningAddress }
    }

    /// Serves until SIGTERM or SIGINT (graceful drain, then return) or
    /// cancellation. Health turns SERVING once the server listens.
    ///
    /// - Parameter onListening: called once with the bound address.
    package func run(onListening: @escaping @Sendable (SocketAddress) -> Void = { _ in }) async throws {
        try await checkProviders()
        defer {
            if let dockerProvider { Task { try? await dockerProvider.shutdown() } }
        }
        let group = ServiceGroup(
            configuration: .init(services: [server], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        )
        try await withThrowingDiscardingTaskGroup { tasks in
            tasks.addTask { try await group.run() }
            let address = try await server.listeningAddress
            health.setStatusOfAllServices(.serving)
            onListening(address)
        }
    }
}

/// A registered provider cannot work (e.g. its engine is unreachable); the
/// message is one sentence for the operator.
package struct ProviderStartupError: Error, CustomStringConvertible {
    package var message: String
    package var description: String { message }
}
