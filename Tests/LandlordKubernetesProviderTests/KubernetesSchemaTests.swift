import Foundation
import LandlordKubernetesProvider
import LandlordProviderKitTesting
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
    func strictValidation() async throws {
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
        let (status, text) = try await Self.validate(files)
        #expect(status == 0, "kubernetes-validate: \(text)")
    }

    @Test("the check fails for an object the schema rejects", .enabled(if: Self.validator != nil))
    func rejectsUnknownFields() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = try directory.write(
            "bad.json", #"{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"x"},"spec":{"bogus":true}}"#)
        let (status, _) = try await Self.validate([file])
        #expect(status != 0)
    }

    /// Runs `kubernetes-validate --strict` on `files` off the cooperative pool (it takes seconds to
    /// load the schema): its exit status and output.
    static func validate(_ files: [String]) async throws -> (Int32, String) {
        let validator = try #require(Self.validator)
        return try await offPool {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: validator)
            process.arguments = ["--strict", "--kubernetes-version", Self.version, "--quiet"] + files
            let output = Pipe()
            process.standardOutput = output
            process.standardError = output
            try process.run()
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            return (process.terminationStatus, text)
        }
    }
}

/// Rules the API server enforces beyond the OpenAPI schema, checked on the mapping's objects.
@Suite("Kubernetes provider: objects obey the API server's own rules")
struct KubernetesServerRuleTests {
    @Test("selector, names, probes, ports, env and secret references", arguments: ["rich", "minimal", "nodeport"])
    func rules(name: String) throws {
        let spec = ["rich": Specs.rich, "minimal": Specs.minimal, "nodeport": Specs.nodePort][name]!
        let objects = Specs.objects(spec)
        #expect(KubernetesNames.isDNS1123Label(objects.namespace.metadata.name ?? ""))
        for object in objects.inApplyOrder {
            #expect(KubernetesNames.isDNS1123Subdomain(object.metadata.name ?? ""))
            for (key, value) in object.metadata.labels ?? [:] {
                #expect(KubernetesNames.isLabelKey(key) && KubernetesNames.isLabelValue(value), "\(key)")
            }
            let annotations = (object.metadata.annotations ?? [:]).map { $0.key.utf8.count + $0.value.utf8.count }
            #expect(annotations.reduce(0, +) < 256 << 10)
        }
        let deployment = objects.deployment.spec
        // The selector selects the template's pods, and a rollout can make progress.
        for (key, value) in deployment.selector.matchLabels ?? [:] {
            #expect(deployment.template.metadata.labels?[key] == value)
        }
        #expect(deployment.strategy.map { $0.rollingUpdate!.maxSurge + $0.rollingUpdate!.maxUnavailable > 0 } == true)
        let containers = deployment.template.spec.containers
        #expect(Set(containers.map(\.name)).count == containers.count)
        var portNames: Set<String> = []
        for container in containers {
            #expect(KubernetesNames.isDNS1123Label(container.name))
            #expect(container.livenessProbe.map { $0.successThreshold == 1 } ?? true)
            for probe in [container.readinessProbe, container.livenessProbe].compactMap({ $0 }) {
                #expect([probe.httpGet != nil, probe.tcpSocket != nil, probe.exec != nil].filter { $0 }.count == 1)
                #expect(probe.timeoutSeconds >= 1 && probe.periodSeconds >= 1 && probe.failureThreshold >= 1)
            }
            for port in container.ports ?? [] {
                let name = try #require(port.name)
                #expect(KubernetesNames.isPortName(name))
                #expect(portNames.insert(name).inserted)
            }
            for variable in container.env ?? [] {
                #expect(KubernetesNames.isEnvironmentVariableName(variable.name))
                #expect((variable.value == nil) != (variable.valueFrom == nil))
                if let reference = variable.valueFrom?.secretKeyRef {
                    #expect(reference.name == objects.secret?.metadata.name)
                    #expect(objects.secret?.data[reference.key] != nil)
                }
            }
            #expect(container.resources?.limits == container.resources?.requests)
        }
        if let service = objects.service {
            #expect(service.spec.selector == deployment.selector.matchLabels)
            let keys = service.spec.ports.map { "\($0.port)/\($0.protocol)" }
            #expect(Set(keys).count == keys.count)
            #expect(Set(service.spec.ports.map(\.name)).count == service.spec.ports.count)
            let targets = Set(containers.flatMap { $0.ports ?? [] }.map(\.containerPort))
            #expect(service.spec.ports.allSatisfy { targets.contains($0.targetPort) })
        }
        for key in objects.secret?.data.keys.sorted() ?? [] { #expect(KubernetesNames.isSecretKey(key)) }
    }
}
