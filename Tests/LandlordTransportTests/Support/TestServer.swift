import Foundation
import LandlordHTTP2TestSupport
import LandlordRPC
import LandlordTransport
import Logging
import NIOCore
import Synchronization
import Testing

/// A ``GRPCServer`` running the test service on 127.0.0.1, port 0.
struct TestServer: Sendable {
    let server: GRPCServer
    let address: SocketAddress
    let probe: CallProbe
    fileprivate let sockets: SocketRegistry
    fileprivate let runState: RunState

    /// Opens a connection; by default an nghttp2 client that has already sent its preface.
    ///
    /// - Parameters:
    ///   - client: the client session's configuration; `nil` for a raw socket
    ///     (the test writes every byte itself).
    ///   - reading: whether the socket reads what the server sends.
    ///   - receiveBufferSize: `SO_RCVBUF` of the socket (small values make a
    ///     client that does not read fill up quickly).
    ///   - sendPreface: whether the client's preface leaves at once; `false`
    ///     keeps it for the first ``TestConnection/flush()``, together with
    ///     whatever the test queues first.
    func connect(
        client: HTTP2TestClientConfiguration? = .defaults,
        reading: Bool = true,
        receiveBufferSize: Int? = nil,
        sendPreface: Bool = true
    ) async throws -> TestConnection {
        let connection = try await TestConnection.connect(
            to: address,
            client: client,
            reading: reading,
            receiveBufferSize: receiveBufferSize,
            sendPreface: sendPreface
        )
        sockets.add(connection.channel)
        return connection
    }

    /// Whether ``GRPCServer/run()`` has returned.
    var hasStopped: Bool { runState.stopped }
}

/// The test client's configuration type, under a shorter name.
typealias HTTP2TestClientConfiguration = HTTP2TestClient.Configuration

/// Runs `body` against a fresh server, then shuts the server down.
///
/// The configuration starts from ``GRPCServer/Configuration/defaults`` with a
/// one-second drain timeout; `configure` changes what a test needs. Sockets the
/// test opened are closed before the graceful shutdown, so it is quick.
func withTestServer(
    _ configure: (inout GRPCServer.Configuration) -> Void = { _ in },
    metrics: (any RPCServerMetrics)? = nil,
    _ body: (TestServer) async throws -> Void
) async throws {
    var configuration = GRPCServer.Configuration.defaults
    configuration.drainTimeout = .seconds(1)
    configure(&configuration)
    let probe = CallProbe()
    let server = GRPCServer(
        router: TestMethod.router(probe: probe),
        configuration: configuration,
        logger: testLogger,
        metrics: metrics,
        onDrain: { probe.didDrain() }
    )
    let runState = RunState()
    let sockets = SocketRegistry()
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask {
            defer { runState.markStopped() }
            try await server.run()
        }
        do {
            let address = try await server.listeningAddress
            try await body(
                TestServer(server: server, address: address, probe: probe, sockets: sockets, runState: runState)
            )
        } catch {
            sockets.closeAll()
            group.cancelAll()
            throw error
        }
        sockets.closeAll()
        server.beginGracefulShutdown()
        do {
            try await eventually("the server stops after the test", timeout: .seconds(20)) { runState.stopped }
        } catch {
            group.cancelAll()
            throw error
        }
        try await group.waitForAll()
    }
}

/// Polls `condition` until it holds; throws ``WaitTimeout`` after `timeout`
/// (a generous bound against hangs, never a performance claim).
func eventually(
    _ description: String,
    timeout: Duration = .seconds(10),
    _ condition: () throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    while try !condition() {
        guard ContinuousClock.now < deadline else { throw WaitTimeout(description: description) }
        try await Task.sleep(for: .milliseconds(5))
    }
}

/// A condition a test waited for did not come true in time.
struct WaitTimeout: Error, CustomStringConvertible {
    var description: String
}

/// The logger the servers under test use: silent, unless `LANDLORD_TEST_LOG`
/// names a level (e.g. `LANDLORD_TEST_LOG=debug swift test …`).
let testLogger: Logger = {
    if let name = ProcessInfo.processInfo.environment["LANDLORD_TEST_LOG"], let level = Logger.Level(rawValue: name) {
        var logger = Logger(
            label: "landlord.transport.tests", factory: { label in StreamLogHandler.standardError(label: label) })
        logger.logLevel = level
        return logger
    }
    return Logger(label: "landlord.transport.tests", factory: { _ in SwiftLogNoOpLogHandler() })
}()

/// Whether the server's `run()` returned.
private final class RunState: Sendable {
    private let state = Atomic<Bool>(false)
    var stopped: Bool { state.load(ordering: .acquiring) }
    func markStopped() { state.store(true, ordering: .releasing) }
}

/// The sockets a test opened, closed when it ends.
private final class SocketRegistry: Sendable {
    private let channels = Mutex<[any Channel]>([])
    func add(_ channel: any Channel) { channels.withLock { $0.append(channel) } }
    func closeAll() {
        for channel in channels.withLock({ $0 }) { channel.close(promise: nil) }
    }
}
