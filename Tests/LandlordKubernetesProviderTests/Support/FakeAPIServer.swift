import Foundation
import LandlordProviderKitTesting
import LandlordCompute
import LandlordKubernetesProvider
import LandlordProviderKit
import Logging
import Synchronization

/// The fake API server of `Tests/fakes/kubernetes` (Python: HTTPS with a test CA, a bearer token,
/// server-side apply, watches, schema validation, a simulated controller) in a process of its
/// own, and providers connected to it through the kubeconfig it writes.
///
/// The fake runs under a shell that kills it once the test process is gone, so that it ends
/// with the test process however that ends.
final class FakeAPIServer: Sendable {
    /// Why the fake did not start.
    struct StartFailure: Error, CustomStringConvertible {
        var description: String
    }

    let directory: TemporaryDirectory
    /// The kubeconfig for the fake (certificate-authority-data and a token).
    let kubeconfig: String
    /// `https://127.0.0.1:<port>`, once started.
    private let url = Mutex("")
    private let process: Mutex<Process?>

    /// The fake every test of the process shares, started on first use (tests give their
    /// tenants distinct ids).
    static let shared = SharedFake()

    /// Starts the shared fake once (the first caller starts it, the others wait for it).
    actor SharedFake {
        private var starting: Task<FakeAPIServer, any Error>?
        func get() async throws -> FakeAPIServer {
            if let starting { return try await starting.value }
            let task = Task { try await FakeAPIServer.start() }
            self.starting = task
            return try await task.value
        }
    }

    private static let script: String = {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("fakes/kubernetes/fake_apiserver.py").path
    }()

    private static let python = ProcessInfo.processInfo.environment["PYTHON"] ?? "python3"

    /// Starts a fake of its own (for tests that count its requests); `arguments` are more flags.
    /// Waits without blocking a thread of the cooperative pool (only 2 on a 2-core machine).
    static func start(arguments: [String] = []) async throws -> FakeAPIServer {
        let fake = try await offPool { try FakeAPIServer(launching: arguments) }
        let deadline = Date().addingTimeInterval(60)
        while !FileManager.default.fileExists(atPath: fake.readyFile) {
            guard Date() < deadline, fake.isRunning else {
                let output = (try? String(contentsOfFile: fake.directory.path("fake.log"), encoding: .utf8)) ?? ""
                throw StartFailure(description: "the fake API server did not start: \(output.suffix(2000))")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        struct Ready: Decodable { var url: String }
        let info = try JSONDecoder().decode(Ready.self, from: Data(contentsOf: URL(fileURLWithPath: fake.readyFile)))
        fake.url.withLock { $0 = info.url }
        return fake
    }

    private var readyFile: String { self.directory.path("ready.json") }
    private var isRunning: Bool { self.process.withLock { $0?.isRunning ?? false } }

    private init(launching arguments: [String]) throws {
        let directory = try TemporaryDirectory()
        self.directory = directory
        let ca = Process()
        ca.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        ca.arguments = [Self.python, Self.script, "--make-ca", directory.path]
        ca.standardOutput = FileHandle.nullDevice
        try ca.run()
        ca.waitUntilExit()
        guard ca.terminationStatus == 0 else { throw StartFailure(description: "--make-ca failed") }

        let ready = directory.path("ready.json")
        let kubeconfig = directory.path("kubeconfig")
        let fakeArguments =
            [
                Self.script, "--port", "0", "--cert", directory.path("server.pem"), "--key",
                directory.path("server.key"), "--token", "fake-token", "--ready-file", ready, "--kubeconfig-out",
                kubeconfig, "--ca", directory.path("ca.pem"), "--pod-start-seconds", "0.1", "--pod-ready-seconds",
                "0.1", "--crash-interval-seconds", "0.2", "--namespace-termination-seconds", "0.1",
                "--progress-deadline-scale", "0.005", "--bookmark-interval-seconds", "0.5",
            ] + arguments
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        // The fake ends with this test process (however that ends), or on SIGTERM to the shell.
        process.arguments = [
            "-c",
            #"owner=$1; shift; "$@" & child=$!; trap 'kill -9 $child' TERM; while kill -0 $owner 2>/dev/null && kill -0 $child 2>/dev/null; do sleep 1; done; kill -9 $child 2>/dev/null; wait $child"#,
            "fake", String(ProcessInfo.processInfo.processIdentifier), Self.python,
        ] + fakeArguments
        process.standardInput = FileHandle.nullDevice
        let log = FileHandle(forWritingAtPath: directory.path("fake.log")) ?? {
            _ = FileManager.default.createFile(atPath: directory.path("fake.log"), contents: nil)
            return FileHandle(forWritingAtPath: directory.path("fake.log"))!
        }()
        process.standardOutput = log
        process.standardError = log
        try process.run()
        self.process = Mutex(process)

        self.kubeconfig = kubeconfig
    }

    /// Stops the fake and removes its files.
    func stop() async {
        await offPool { self.stopNow() }
    }

    private func stopNow() {
        self.process.withLock { process in
            process?.terminate()
            process?.waitUntilExit()
        }
        self.directory.remove()
    }

    /// A provider on the fake.
    func provider(
        prefix: String = "landlord-",
        environment: [String: String] = [:],
        logger: Logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
        rolloutTimeout: Duration = .seconds(30)
    ) throws -> KubernetesProvider {
        var configuration = KubernetesProvider.Configuration(
            kubeconfig: self.kubeconfig, namespacePrefix: prefix, requestTimeout: .seconds(15),
            cacheSyncTimeout: .seconds(15), rolloutTimeout: rolloutTimeout, deletionTimeout: .seconds(30))
        configuration.watchTimeout = .seconds(60)
        let connection = try configuration.connection(environment: [:])
        return try KubernetesProvider(
            configuration: configuration, connection: connection, environment: { environment[$0] }, logger: logger)
    }

    /// The fake's request counters (`/_fake/stats`): requests by `verb resource`, and the total.
    struct Stats: Decodable {
        var requests: [String: Int]
        var total: Int
    }

    /// Calls one of the fake's hooks (`/_fake/stats`, `/_fake/reset`).
    func hook(_ method: String, _ path: String) async throws -> Data {
        try await offPool { try self.hookNow(method, path) }
    }

    private func hookNow(_ method: String, _ path: String) throws -> Data {
        let curl = Process()
        curl.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        curl.arguments = ["curl", "-sS", "--cacert", self.directory.path("ca.pem"), "-X", method, self.url.withLock { $0 } + path]
        let output = Pipe()
        curl.standardOutput = output
        try curl.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        curl.waitUntilExit()
        return data
    }

    func stats() async throws -> Stats {
        try JSONDecoder().decode(Stats.self, from: try await self.hook("GET", "/_fake/stats"))
    }

    func resetStats() async throws {
        _ = try await self.hook("POST", "/_fake/reset")
    }

    /// An object of the fake as JSON (`GET` with the token), nil when it answers 404.
    func object(_ path: String) async throws -> [String: Any]? {
        let data = try await offPool { try self.objectData(path) }
        let json = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        if json?["kind"] as? String == "Status", json?["code"] as? Int == 404 { return nil }
        return json
    }

    private func objectData(_ path: String) throws -> Data {
        let curl = Process()
        curl.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        curl.arguments = [
            "curl", "-sS", "--cacert", self.directory.path("ca.pem"), "-H", "Authorization: Bearer fake-token",
            self.url.withLock { $0 } + path,
        ]
        let output = Pipe()
        curl.standardOutput = output
        try curl.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        curl.waitUntilExit()
        return data
    }
}
