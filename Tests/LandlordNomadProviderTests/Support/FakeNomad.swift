import Foundation
import LandlordProviderKitTesting
import LandlordCompute
import LandlordNomadProvider
import Logging
import Synchronization

/// The fake Nomad agent of `Tests/fakes/nomad` (Python: the HTTP API with ACLs, blocking queries,
/// EnforceIndex, variables and a simulated scheduler) in a process of its own, and providers
/// connected to it.
///
/// The fake runs under a shell that kills it once the test process is gone.
final class FakeNomad: Sendable {
    struct StartFailure: Error, CustomStringConvertible {
        var description: String
    }

    static let token = "fake-nomad-token-never-logged"

    let directory: URL
    private let url = Mutex("")
    private let process: Mutex<Process?>

    /// The fake every test of the process shares, started on first use.
    static let shared = SharedFake()

    actor SharedFake {
        private var starting: Task<FakeNomad, any Error>?
        func get() async throws -> FakeNomad {
            if let starting { return try await starting.value }
            let task = Task { try await FakeNomad.start() }
            self.starting = task
            return try await task.value
        }
    }

    private static let script: String = {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("fakes/nomad/fake_nomad.py").path
    }()

    private static let python = ProcessInfo.processInfo.environment["PYTHON"] ?? "python3"

    var address: String { self.url.withLock { $0 } }

    /// Starts a fake of its own; `arguments` are more flags.
    static func start(arguments: [String] = []) async throws -> FakeNomad {
        let fake = try FakeNomad(launching: arguments)
        let ready = fake.directory.appendingPathComponent("ready.json").path
        let deadline = Date().addingTimeInterval(60)
        while !FileManager.default.fileExists(atPath: ready) {
            guard Date() < deadline, fake.isRunning else {
                let log = (try? String(contentsOf: fake.directory.appendingPathComponent("fake.log"), encoding: .utf8)) ?? ""
                throw StartFailure(description: "the fake Nomad did not start: \(log.suffix(2000))")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        struct Ready: Decodable { var url: String }
        let info = try JSONDecoder().decode(Ready.self, from: Data(contentsOf: URL(fileURLWithPath: ready)))
        fake.url.withLock { $0 = info.url }
        return fake
    }

    private var isRunning: Bool { self.process.withLock { $0?.isRunning ?? false } }

    private init(launching arguments: [String]) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fake-nomad-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        self.directory = directory
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = [
            "-c",
            #"owner=$1; shift; "$@" & child=$!; trap 'kill -9 $child' TERM; while kill -0 $owner 2>/dev/null && kill -0 $child 2>/dev/null; do sleep 1; done; kill -9 $child 2>/dev/null; wait $child"#,
            "fake", String(ProcessInfo.processInfo.processIdentifier), Self.python, Self.script, "--port", "0",
            "--token", Self.token, "--ready-file", directory.appendingPathComponent("ready.json").path,
            "--alloc-start-seconds", "0.1", "--healthy-seconds", "0.1", "--crash-interval-seconds", "0.1",
        ] + arguments
        process.standardInput = FileHandle.nullDevice
        let logPath = directory.appendingPathComponent("fake.log").path
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = FileHandle(forWritingAtPath: logPath)
        process.standardOutput = log
        process.standardError = log
        try process.run()
        self.process = Mutex(process)
    }

    func stop() async {
        await offPool {
            self.process.withLock { process in
                process?.terminate()
                process?.waitUntilExit()
            }
            try? FileManager.default.removeItem(at: self.directory)
        }
    }

    /// Writes a test CA, a server and a client certificate into a new directory (`--make-certs`).
    static func makeCertificates() async throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fake-nomad-certs-\(UUID().uuidString)")
        try await offPool {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [Self.python, Self.script, "--make-certs", directory.path]
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else { throw StartFailure(description: "--make-certs failed") }
        }
        return directory
    }

    /// A provider on the fake.
    func provider(
        environment: [String: String] = [:],
        logger: Logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
        namespace: String = "default",
        token: String? = FakeNomad.token,
        tls: URL? = nil,
        clientCertificate: Bool = true
    ) throws -> NomadProvider {
        var configuration = NomadProvider.Configuration(
            address: self.address, token: token, namespace: namespace, requestTimeout: .seconds(15))
        configuration.caCertificate = tls?.appendingPathComponent("ca.pem").path
        if tls != nil, clientCertificate {
            configuration.clientCertificate = tls?.appendingPathComponent("client.pem").path
            configuration.clientKey = tls?.appendingPathComponent("client.key").path
        }
        configuration.blockingWait = .seconds(20)
        return try NomadProvider(configuration: configuration, environment: { environment[$0] }, logger: logger)
    }

    /// The fake's request counters (`/_fake/stats`).
    struct Stats: Decodable {
        var requests: [String: Int]
        var total: Int
    }

    func stats() async throws -> Stats {
        try JSONDecoder().decode(Stats.self, from: try await self.curl("GET", "/_fake/stats"))
    }

    func resetStats() async throws {
        _ = try await self.curl("POST", "/_fake/reset")
    }

    /// Makes a task crash-loop from now on.
    func crash(job: String, task: String) async throws {
        _ = try await self.curl("POST", "/_fake/crash", body: #"{"Job":"\#(job)","Task":"\#(task)"}"#)
    }

    /// A Nomad API answer as JSON (with the token); nil for a 404.
    func get(_ path: String) async throws -> Any? {
        let data = try await self.curl("GET", path, token: true, failOn404: true)
        if data.isEmpty { return nil }
        return try JSONSerialization.jsonObject(with: data)
    }

    /// The raw answer of a Nomad API call with the token.
    func raw(_ method: String, _ path: String, body: String? = nil) async throws -> String {
        String(decoding: try await self.curl(method, path, body: body, token: true), as: UTF8.self)
    }

    private func curl(
        _ method: String, _ path: String, body: String? = nil, token: Bool = false, failOn404: Bool = false
    ) async throws -> Data {
        let url = self.address + path
        return try await offPool {
            let curl = Process()
            curl.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            var arguments = ["curl", "-sS", "-X", method, "-w", "\n%{http_code}"]
            if token { arguments += ["-H", "X-Nomad-Token: \(FakeNomad.token)"] }
            if let body { arguments += ["--data-binary", body] }
            curl.arguments = arguments + [url]
            let output = Pipe()
            curl.standardOutput = output
            try curl.run()
            var data = output.fileHandleForReading.readDataToEndOfFile()
            curl.waitUntilExit()
            guard let newline = data.lastIndex(of: UInt8(ascii: "\n")) else { return data }
            let status = String(decoding: data[(newline + 1)...], as: UTF8.self)
            data = data[..<newline]
            if failOn404, status == "404" { return Data() }
            return Data(data)
        }
    }
}
