import Foundation
import LandlordKubernetesProvider
import Testing

/// The official-schema check: every object the mapping produces for a few rich specs is written
/// as a JSON file and validated by `kubernetes-validate --strict` against Kubernetes 1.30's
/// OpenAPI schema (`make pip-deps` installs it). Skipped only when the command is missing.
@Suite("Kubernetes provider: objects validate against the official schema")
struct KubernetesSchemaTests {
    static let version = "1.30.0"

    /// The absolute path of `kubernetes-validate` on PATH, or nil.
    static var validator: String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/kubernetes-validate"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    @Test("kubernetes-validate --strict accepts every object", .enabled(if: Self.validator != nil))
    func strictValidation() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var files: [String] = []
        for (name, spec) in [("rich", Specs.rich), ("minimal", Specs.minimal), ("nodeport", Specs.nodePort)] {
            for object in Specs.objects(spec).inApplyOrder {
                let file = directory.path("\(name)-\(object.kind.lowercased()).json")
                try KubernetesAPI.body(of: object).write(to: URL(fileURLWithPath: file))
                files.append(file)
            }
        }
        #expect(files.count == 7 + 5 + 7)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(Self.validator))
        process.arguments = ["--strict", "--kubernetes-version", Self.version, "--quiet"] + files
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "kubernetes-validate: \(text)")
    }

    @Test("the check fails for an object the schema rejects", .enabled(if: Self.validator != nil))
    func rejectsUnknownFields() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = try directory.write(
            "bad.json", #"{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"x"},"spec":{"bogus":true}}"#)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(Self.validator))
        process.arguments = ["--strict", "--kubernetes-version", Self.version, "--quiet", file]
        process.standardOutput = Pipe()
        process.standardError = Pipe()
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus != 0)
    }
}
