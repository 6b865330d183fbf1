import Foundation
import LandlordProviderKit
import LandlordProviderKitTesting
import Synchronization

/// Records the retry policy's sleeps instead of sleeping.
final class SleepRecorder: Sendable {
    private let recorded = Mutex<[Duration]>([])

    var sleeps: [Duration] { self.recorded.withLock { $0 } }

    func sleep(_ duration: Duration) async throws {
        self.recorded.withLock { $0.append(duration) }
        try Task.checkCancellation()
    }

    /// `attempts` attempts, base delay 100 ms, max delay 5 s, a jitter of one half, no real sleeps.
    func policy(attempts: Int = 4) -> RetryPolicy {
        RetryPolicy(
            maxAttempts: attempts, baseDelay: .milliseconds(100), maxDelay: .seconds(5),
            sleep: { try await self.sleep($0) }, random: { 0.5 }
        )
    }
}

/// A counter shared with `@Sendable` closures.
final class Counter: Sendable {
    private let value = Mutex(0)

    /// Adds one and answers the new value.
    func next() -> Int { self.value.withLock { $0 += 1; return $0 } }
    var current: Int { self.value.withLock { $0 } }
}

/// A temporary directory removed by `remove()`.
struct TemporaryDirectory {
    let url: URL

    init() throws {
        // Short: a unix socket path must fit in 104 bytes.
        self.url = URL(fileURLWithPath: "/tmp").appendingPathComponent("ll-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: self.url, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { self.url.appendingPathComponent(name).path }

    func write(_ name: String, _ text: String) throws -> String {
        let path = self.path(name)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    func remove() { try? FileManager.default.removeItem(at: self.url) }
}

extension EngineClient {
    /// A client of `server` (plain HTTP) with `configure` applied to a fast test configuration.
    static func of(
        _ server: LocalHTTPServer,
        prefix: String = "",
        sleeps: SleepRecorder = SleepRecorder(),
        configure: (inout EngineClient.Configuration) -> Void = { _ in }
    ) throws -> EngineClient {
        var configuration = EngineClient.Configuration(requestTimeout: .seconds(30), retryPolicy: sleeps.policy())
        configure(&configuration)
        return try EngineClient(
            endpoint: .url(scheme: .http, host: "127.0.0.1", port: server.port, pathPrefix: prefix),
            configuration: configuration
        )
    }

    /// Runs `body` and shuts the client down.
    func using<Result>(_ body: (EngineClient) async throws -> Result) async throws -> Result {
        do {
            let result = try await body(self)
            try await self.shutdown()
            return result
        } catch {
            try? await self.shutdown()
            throw error
        }
    }
}
