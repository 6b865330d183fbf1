import ArgumentParser
import Foundation
import LandlordGRPCServices
import LandlordProtobuf
import NIOCore
import UnixSignals
import LandlordRPC
import LandlordTestingProto
import LandlordTransport
import Logging
import ServiceLifecycle

/// The server the interop tests (Tests/interop) talk to: the RPC runtime with
/// the test service, health and reflection. It prints `LISTENING host:port`
/// once it serves, and drains on SIGTERM/SIGINT.
@main
struct InteropServer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "landlord-interop-server",
        abstract: "Serves the landlord test service for interop tests."
    )

    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on; 0 picks a free one.") var port = 0
    @Option(help: "Largest request message accepted, in bytes.") var maxReceiveMessageSize = 4 * 1024 * 1024
    @Option(help: "Seconds in-flight calls may run after SIGTERM.") var drainTimeout: Double = 5
    @Option(help: "Seconds without a call before an idle connection is closed.") var idleTimeout: Double = 600

    func run() async throws {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardOutput(label: label)
            handler.logLevel = .info
            return handler
        }
        let logger = Logger(label: "landlord.interop")
        let report: @Sendable (String) -> Void = { line in
            FileHandle.standardOutput.write(Data((line + "\n").utf8))
        }

        let health = HealthService(statuses: ["": .notServing, TestService.name: .notServing])
        var router = RPCRouter()
        router.register([TestService(report: report), health])
        router.register([
            ReflectionService(
                index: LandlordTestingDescriptorSet.index,
                serviceNames: router.serviceNames + ReflectionService.serviceNames
            )
        ])

        var configuration = GRPCServer.Configuration.defaults
        configuration.host = host
        configuration.port = port
        configuration.maxReceiveMessageSize = maxReceiveMessageSize
        configuration.drainTimeout = .milliseconds(Int(drainTimeout * 1000))
        configuration.idleTimeout = .milliseconds(Int(idleTimeout * 1000))
        let server = GRPCServer(router: router, configuration: configuration, logger: logger) {
            health.setStatusOfAllServices(.notServing)
        }
        let group = ServiceGroup(
            configuration: .init(services: [server], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        )
        try await withThrowingDiscardingTaskGroup { tasks in
            tasks.addTask { try await group.run() }
            let address = try await server.listeningAddress
            health.setStatusOfAllServices(.serving)
            report("LISTENING \(host):\(address.port ?? port)")
        }
    }
}
