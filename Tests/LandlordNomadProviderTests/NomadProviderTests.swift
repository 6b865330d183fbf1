import Foundation
import InMemoryLogging
import LandlordCompute
import LandlordComputeTesting
import LandlordNomadProvider
import LandlordProviderKit
import Logging
import Testing

/// The shared conformance suite, on the fake Nomad agent.
@Suite("Nomad provider conformance (fake Nomad)", .serialized)
struct NomadConformanceTests {
    @Test(arguments: ComputeProviderConformance.checks)
    func conformance(_ check: ComputeProviderConformance.Check) async throws {
        let fake = try await FakeNomad.shared.get()
        let provider = try fake.provider()
        do {
            try await check.run(provider, ComputeProviderConformance.Fixture(providerType: "nomad"))
            try await provider.shutdown()
        } catch {
            try? await provider.shutdown()
            throw error
        }
    }
}

/// Provision, update, crash loops, restart, concurrency, destroy and status of the provider on the fake.
@Suite("Nomad provider on the fake Nomad agent", .serialized)
struct NomadProviderTests {
    static let secretValue = "n0mad-secret-only-in-the-variable"
    static let environment = ["LL_NOMAD_TEST_SECRET": secretValue]

    /// A spec of one `web` container on port 80 with an env secret.
    static func spec(_ tenantID: String, image: String = "nginx:1.25") -> TenantComputeSpec {
        var spec = TenantComputeSpec.valid(tenantID: tenantID, providerType: "nomad")
        spec.containers[0].image = image
        spec.containers[0].env = ["MODE": "production"]
        spec.secrets = [SecretReference(name: "db", source: "env", key: "LL_NOMAD_TEST_SECRET", envVar: "DB_PASSWORD")]
        return spec
    }

    func withProvider(
        logger: Logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
        _ body: (NomadProvider, FakeNomad) async throws -> Void
    ) async throws {
        let fake = try await FakeNomad.shared.get()
        let provider = try fake.provider(environment: Self.environment, logger: logger)
        do {
            try await body(provider, fake)
            try await provider.shutdown()
        } catch {
            try? await provider.shutdown()
            throw error
        }
    }

    /// Polls the provider's status until `condition` holds (at most `seconds`).
    func eventually(
        _ provider: NomadProvider, _ tenantID: String, seconds: Double = 15,
        _ condition: (ComputeStatus) -> Bool
    ) async throws -> ComputeStatus {
        let deadline = Date().addingTimeInterval(seconds)
        var status = try await provider.status(tenantID: tenantID)
        while !condition(status) {
            guard Date() < deadline else {
                Issue.record("status never matched: \(status)")
                return status
            }
            try await Task.sleep(for: .milliseconds(50))
            status = try await provider.status(tenantID: tenantID)
        }
        return status
    }

    @Test("provision registers the job with meta, the secret only in the variable; running and healthy")
    func provisionRunsAndKeepsTheSecretInTheVariable() async throws {
        let logs = InMemoryLogHandler()
        var logger = Logger(label: "test", factory: { _ in logs })
        // The most verbose level: async-http-client would log parts of bodies (variables too) at trace.
        logger.logLevel = .trace
        try await withProvider(logger: logger) { provider, fake in
            let tenant = "nomad-provision"
            let result = try await provider.provision(Self.spec(tenant))
            #expect(result.status == .success)
            #expect(result.resourceIDs["job"] == "landlord-\(tenant)")
            #expect(result.resourceIDs["variable"] == "nomad/jobs/landlord-\(tenant)")

            let job = try #require(try await fake.get("/v1/job/landlord-\(tenant)") as? [String: Any])
            let meta = try #require(job["Meta"] as? [String: String])
            #expect(meta["landlord_tenant_id"] == tenant)
            let jobText = try await fake.raw("GET", "/v1/job/landlord-\(tenant)")
            #expect(!jobText.contains(Self.secretValue))
            #expect(jobText.contains("nomadVar \\\"nomad/jobs/landlord-\(tenant)\\\""))
            let variable = try #require(try await fake.get("/v1/var/nomad/jobs/landlord-\(tenant)") as? [String: Any])
            #expect((variable["Items"] as? [String: String]) == ["db": Self.secretValue])

            let status = try await eventually(provider, tenant) { $0.state == .running && $0.health == .healthy }
            #expect(status.containers.map(\.name) == ["web"])
            #expect(status.containers[0].ready && status.containers[0].restartCount == 0)
            #expect(status.metadata["deployment_status"] == "successful")
            #expect(status.metadata["endpoints"]?.hasPrefix("web_80=10.0.0.10:") == true)

            try await provider.destroy(tenantID: tenant)
            #expect(try await fake.get("/v1/job/landlord-\(tenant)") == nil)
            #expect(try await fake.get("/v1/var/nomad/jobs/landlord-\(tenant)") == nil)
        }
        let lines = logs.entries.map { "\($0)" }
        #expect(!lines.isEmpty)
        #expect(!lines.contains { $0.contains(Self.secretValue) || $0.contains(FakeNomad.token) })
        #expect(lines.contains { $0.contains("ahc-connection-id") }, "the HTTP client's debug lines are kept")
        #expect(!lines.contains { $0.contains("ahc-http-part") || $0.contains("HTTP response part received") })
    }

    @Test("update answers the real changes and registers; the same spec again is no_changes and writes nothing")
    func updateAndNoChanges() async throws {
        try await withProvider { provider, fake in
            let tenant = "nomad-update"
            _ = try await provider.provision(Self.spec(tenant))
            let update = try await provider.update(tenantID: tenant, spec: Self.spec(tenant, image: "nginx:1.27"))
            #expect(update.status == .inProgress)
            #expect(update.changes == ["containers[web].image: nginx:1.25 -> nginx:1.27"])
            let job = try #require(try await fake.get("/v1/job/landlord-\(tenant)") as? [String: Any])
            #expect(job["Version"] as? Int == 1)

            let again = try await provider.update(tenantID: tenant, spec: Self.spec(tenant, image: "nginx:1.27"))
            #expect(again.status == .noChanges && again.changes.isEmpty)
            let after = try #require(try await fake.get("/v1/job/landlord-\(tenant)") as? [String: Any])
            #expect(after["Version"] as? Int == 1)
            #expect(after["JobModifyIndex"] as? Int == job["JobModifyIndex"] as? Int, "no_changes registered the job")

            let status = try await eventually(provider, tenant) { $0.state == .running && $0.metadata["job_version"] == "1" }
            #expect(status.health == .healthy)
            try await provider.destroy(tenantID: tenant)
        }
    }

    @Test("two containers, several ports (tcp and udp of one, a static host port), a tcp check, a file secret: accepted and running")
    func richSpec() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nomad-secrets-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try "tls-key-content".write(to: directory.appendingPathComponent("tls.key"), atomically: true, encoding: .utf8)
        let fake = try await FakeNomad.shared.get()
        var configuration = NomadProvider.Configuration(address: fake.address, token: FakeNomad.token, requestTimeout: .seconds(15))
        configuration.secretsDirectory = directory.path
        let provider = try NomadProvider(configuration: configuration)
        let tenant = "nomad-rich"
        var spec = TenantComputeSpec.valid(tenantID: tenant, providerType: "nomad")
        spec.containers[0].ports += [
            PortMapping(containerPort: 53, protocol: .tcp, name: "dns"), PortMapping(containerPort: 53, protocol: .udp, name: "dns-udp"),
        ]
        spec.containers.append(
            ContainerSpec(
                name: "cache", image: "redis:7", args: ["--save", ""],
                ports: [PortMapping(containerPort: 6379, hostPort: 16379, protocol: .tcp)], healthCheck: .tcp(port: 6379),
                resources: ResourceRequirements(cpu: 128, memory: 128)))
        spec.secrets = [SecretReference(name: "tls_key", source: "file", key: "tls.key")]
        spec.providerConfig = RawJSON(#"{"count":2,"datacenters":["dc1"],"priority":60}"#)
        do {
            _ = try await provider.provision(spec)
            let status = try await eventually(provider, tenant) { $0.state == .running && $0.health == .healthy }
            #expect(status.containers.map(\.name) == ["web", "cache"])
            #expect(status.metadata["allocations_running"] == "2")
            #expect(status.metadata["endpoints"]?.contains("cache_6379=10.0.0.10:16379") == true)
            let job = try #require(try await fake.get("/v1/job/landlord-\(tenant)") as? [String: Any])
            let group = try #require((job["TaskGroups"] as? [[String: Any]])?.first)
            let services = try #require(group["Services"] as? [[String: Any]])
            #expect(services.map { $0["PortLabel"] as? String } == ["web_80", "web_53", "cache_6379"])
            let variable = try #require(try await fake.get("/v1/var/nomad/jobs/landlord-\(tenant)") as? [String: Any])
            #expect((variable["Items"] as? [String: String]) == ["tls_key": "tls-key-content"])
            try await provider.destroy(tenantID: tenant)
        } catch {
            Issue.record(error)
            try? await provider.destroy(tenantID: tenant)
        }
        try await provider.shutdown()
        try? FileManager.default.removeItem(at: directory)
    }

    @Test("a spec Nomad refuses fails the provision with Nomad's reason, one line, and leaves no variable")
    func refusedByNomad() async throws {
        try await withProvider { provider, fake in
            let tenant = "nomad-refused"
            var spec = Self.spec(tenant)
            // landlord does not compile constraint regular expressions; Nomad does.
            spec.providerConfig = RawJSON(#"{"constraints":[{"attribute":"${node.class}","operator":"regexp","value":"("}]}"#)
            do {
                _ = try await provider.provision(spec)
                Issue.record("Nomad accepted the regular expression")
            } catch let error as ComputeError {
                #expect(error.kind == .provisionFailed, "\(error)")
                #expect(error.message.contains("Regular expression failed to compile"), "\(error.message)")
                #expect(!error.message.contains("\n") && !error.message.contains(Self.secretValue))
            }
            #expect(try await fake.get("/v1/var/nomad/jobs/landlord-\(tenant)") == nil)
            #expect(try await fake.get("/v1/job/landlord-\(tenant)") == nil)
        }
    }

    @Test("a job edited in Nomad behind landlord's back: the same spec is an update with the plan's diff, restoring it")
    func editedOutsideLandlord() async throws {
        try await withProvider { provider, fake in
            let tenant = "nomad-edited"
            _ = try await provider.provision(Self.spec(tenant))
            var job = try #require(try await fake.get("/v1/job/landlord-\(tenant)") as? [String: Any])
            var groups = try #require(job["TaskGroups"] as? [[String: Any]])
            var tasks = try #require(groups[0]["Tasks"] as? [[String: Any]])
            var config = try #require(tasks[0]["Config"] as? [String: Any])
            config["image"] = "nginx:9"
            tasks[0]["Config"] = config
            groups[0]["Tasks"] = tasks
            job["TaskGroups"] = groups
            let body = String(decoding: try JSONSerialization.data(withJSONObject: ["Job": job]), as: UTF8.self)
            _ = try await fake.raw("POST", "/v1/jobs", body: body)

            let update = try await provider.update(tenantID: tenant, spec: Self.spec(tenant))
            #expect(update.status == .inProgress)
            #expect(update.changes == ["nomad: task_groups[tenant].tasks[web].Config.image: nginx:9 -> nginx:1.25"])
            let restored = try #require(try await fake.get("/v1/job/landlord-\(tenant)") as? [String: Any])
            let image = (((restored["TaskGroups"] as? [[String: Any]])?[0]["Tasks"] as? [[String: Any]])?[0]["Config"] as? [String: Any])?["image"]
            #expect(image as? String == "nginx:1.25")
            #expect(try await provider.update(tenantID: tenant, spec: Self.spec(tenant)).status == .noChanges)
            try await provider.destroy(tenantID: tenant)
        }
    }

    @Test("a changed secret value is an update without a job change")
    func secretRotation() async throws {
        let fake = try await FakeNomad.shared.get()
        let tenant = "nomad-rotate"
        let first = try fake.provider(environment: Self.environment)
        _ = try await first.provision(Self.spec(tenant))
        try await first.shutdown()
        let second = try fake.provider(environment: ["LL_NOMAD_TEST_SECRET": "rotated-value"])
        let update = try await second.update(tenantID: tenant, spec: Self.spec(tenant))
        #expect(update.status == .inProgress)
        #expect(update.changes == ["secrets: values changed"])
        let variable = try #require(try await fake.get("/v1/var/nomad/jobs/landlord-\(tenant)") as? [String: Any])
        #expect((variable["Items"] as? [String: String]) == ["db": "rotated-value"])
        try await second.destroy(tenantID: tenant)
        try await second.shutdown()
    }

    @Test("a crash-looping image is failed with the task's events and restarts")
    func crashLoop() async throws {
        try await withProvider { provider, _ in
            let tenant = "nomad-crash"
            _ = try await provider.provision(Self.spec(tenant, image: "example.com/crashloop:1"))
            let status = try await eventually(provider, tenant) {
                $0.state == .failed && $0.metadata["deployment_status"] == "failed" && $0.containers.first?.restartCount == 2
                    && $0.metadata["message"]?.contains("Not Restarting") == true
            }
            #expect(status.health == .unhealthy)
            #expect(status.containers[0].state == .failed)
            #expect(status.containers[0].restartCount == 2)
            #expect(status.containers[0].message.contains("Exit Code: 1"))
            #expect(status.metadata["message"]?.contains("Failed due to unhealthy allocations") == true)
            #expect(status.metadata["message"]?.contains("Not Restarting") == true)
            try await provider.destroy(tenantID: tenant)
        }
    }

    @Test("a failed update is auto-reverted by Nomad: running again on the old spec, which the next update compares with")
    func autoRevert() async throws {
        try await withProvider { provider, fake in
            let tenant = "nomad-revert"
            _ = try await provider.provision(Self.spec(tenant))
            _ = try await eventually(provider, tenant) { $0.state == .running && $0.health == .healthy }
            // The deployment watcher marks a version stable once its deployment succeeded.
            try await Task.sleep(for: .milliseconds(200))
            let update = try await provider.update(tenantID: tenant, spec: Self.spec(tenant, image: "example.com/crashloop:2"))
            #expect(update.changes == ["containers[web].image: nginx:1.25 -> example.com/crashloop:2"])
            let status = try await eventually(provider, tenant) {
                $0.state == .running && $0.metadata["job_version"] == "2" && $0.health == .healthy
            }
            #expect(status.containers[0].restartCount == 0)
            let job = try #require(try await fake.get("/v1/job/landlord-\(tenant)") as? [String: Any])
            let image = ((job["TaskGroups"] as? [[String: Any]])?[0]["Tasks"] as? [[String: Any]])?[0]["Config"] as? [String: Any]
            #expect(image?["image"] as? String == "nginx:1.25")
            let again = try await provider.update(tenantID: tenant, spec: Self.spec(tenant))
            #expect(again.status == .noChanges, "the reverted job is the old spec")
            try await provider.destroy(tenantID: tenant)
        }
    }

    @Test("a task that starts crashing after it ran is reported failed while it restarts")
    func crashAfterRunning() async throws {
        try await withProvider { provider, fake in
            let tenant = "nomad-crash-later"
            _ = try await provider.provision(Self.spec(tenant))
            _ = try await eventually(provider, tenant) { $0.state == .running }
            try await fake.crash(job: "landlord-\(tenant)", task: "web")
            let status = try await eventually(provider, tenant) { $0.state == .failed }
            #expect(status.containers[0].restartCount >= 0)
            #expect(status.containers[0].message.contains("Terminated"))
            try await provider.destroy(tenantID: tenant)
        }
    }

    @Test("a new provider (a restarted landlord) finds the tenant from Nomad")
    func restartFindsTenant() async throws {
        let fake = try await FakeNomad.shared.get()
        let tenant = "nomad-restart"
        let first = try fake.provider(environment: Self.environment)
        let provisioned = try await first.provision(Self.spec(tenant))
        try await first.shutdown()
        let second = try fake.provider(environment: Self.environment)
        let again = try await second.provision(Self.spec(tenant))
        #expect(again == provisioned)
        let update = try await second.update(tenantID: tenant, spec: Self.spec(tenant))
        #expect(update.status == .noChanges)
        let status = try await second.status(tenantID: tenant)
        #expect(status.containers.map(\.name) == ["web"])
        try await second.destroy(tenantID: tenant)
        try await second.shutdown()
    }

    @Test("two landlords provisioning different specs for one tenant: one wins, the other is alreadyExists")
    func concurrentProvision() async throws {
        let fake = try await FakeNomad.shared.get()
        let tenant = "nomad-race"
        let a = try fake.provider(environment: Self.environment)
        let b = try fake.provider(environment: Self.environment)
        async let first = attempt { try await a.provision(Self.spec(tenant)) }
        async let second = attempt { try await b.provision(Self.spec(tenant, image: "nginx:1.27")) }
        let results = await [first, second]
        let failures = results.compactMap { result -> ComputeError? in
            if case .failure(let error) = result { return error as? ComputeError }
            return nil
        }
        #expect(failures.count == 1)
        #expect(failures.first?.kind == .alreadyExists)
        try await a.destroy(tenantID: tenant)
        try await a.shutdown()
        try await b.shutdown()
    }

    @Test("two landlords updating one tenant at once: one wins, the other is alreadyExists and registers nothing")
    func concurrentUpdate() async throws {
        let fake = try await FakeNomad.shared.get()
        let tenant = "nomad-race-update"
        let a = try fake.provider(environment: Self.environment)
        let b = try fake.provider(environment: Self.environment)
        _ = try await a.provision(Self.spec(tenant))
        async let first = attempt { try await a.update(tenantID: tenant, spec: Self.spec(tenant, image: "nginx:1.26")) }
        async let second = attempt { try await b.update(tenantID: tenant, spec: Self.spec(tenant, image: "nginx:1.27")) }
        let results = await [first, second]
        let successes = results.filter { if case .success = $0 { true } else { false } }
        #expect(successes.count >= 1)
        for case .failure(let error) in results {
            #expect((error as? ComputeError)?.kind == .alreadyExists)
        }
        let job = try #require(try await fake.get("/v1/job/landlord-\(tenant)") as? [String: Any])
        #expect((job["Version"] as? Int ?? 0) == successes.count)
        try await a.destroy(tenantID: tenant)
        try await a.shutdown()
        try await b.shutdown()
    }

    @Test("destroy never deregisters a job that is not the tenant's")
    func destroyKeepsForeignJob() async throws {
        try await withProvider { provider, fake in
            let body = #"{"Job":{"ID":"landlord-foreign","Name":"landlord-foreign","Type":"service","Datacenters":["dc1"],"TaskGroups":[{"Name":"g","Count":1,"Tasks":[{"Name":"t","Driver":"docker","Config":{"image":"nginx"},"Resources":{"CPU":100,"MemoryMB":64}}]}]}}"#
            _ = try await fake.raw("POST", "/v1/jobs", body: body)
            try await provider.destroy(tenantID: "foreign")
            #expect(try await fake.get("/v1/job/landlord-foreign") != nil)
            await #expect(throws: ComputeError.self) { _ = try await provider.status(tenantID: "foreign") }
            _ = try await fake.raw("DELETE", "/v1/job/landlord-foreign?purge=true")
        }
    }

    @Test("status is kept current by blocking queries: while nothing changes no request is answered")
    func statusUsesBlockingQueries() async throws {
        // A fake of its own: other suites' requests to the shared one would count.
        let fake = try await FakeNomad.start()
        let provider = try fake.provider(environment: Self.environment)
        do {
            let tenant = "nomad-blocking"
            _ = try await provider.provision(Self.spec(tenant))
            _ = try await eventually(provider, tenant) { $0.state == .running && $0.health == .healthy }
            try await Task.sleep(for: .milliseconds(300))
            try await fake.resetStats()
            for _ in 0..<20 {
                _ = try await provider.status(tenantID: tenant)
                try await Task.sleep(for: .milliseconds(50))
            }
            let stats = try await fake.stats()
            // The three blocking queries wait for a change; a status call adds no request.
            #expect(stats.total <= 1, "\(stats.requests)")
            try await provider.destroy(tenantID: tenant)
            #expect(await provider.watchedTenants == 0, "destroy stops the tenant's queries")
        } catch {
            Issue.record(error)
        }
        try await provider.shutdown()
        await fake.stop()
    }

    @Test("the start-up check reports the agent, and a wrong token is one line naming the address")
    func startupCheck() async throws {
        let fake = try await FakeNomad.shared.get()
        let provider = try fake.provider()
        let description = try await provider.checkEngine()
        #expect(description.contains("Nomad 1.9.3") && description.contains("token landlord"))
        try await provider.shutdown()

        let wrong = try fake.provider(token: "wrong-token-value")
        do {
            _ = try await wrong.checkEngine()
            Issue.record("a wrong token passed the check")
        } catch let failure as ProviderStartupFailure {
            #expect(failure.message.hasPrefix("nomad provider:"))
            #expect(failure.message.contains(fake.address))
            #expect(failure.message.contains("NOMAD_TOKEN"))
            #expect(!failure.message.contains("wrong-token-value"))
            #expect(!failure.message.contains("\n"))
        }
        try await wrong.shutdown()
    }

    @Test("https with NOMAD_CACERT and a client certificate (mutual TLS); without the client certificate the check fails")
    func mutualTLS() async throws {
        let certificates = try await FakeNomad.makeCertificates()
        let fake = try await FakeNomad.start(arguments: [
            "--cert", certificates.appendingPathComponent("server.pem").path,
            "--key", certificates.appendingPathComponent("server.key").path,
            "--client-ca", certificates.appendingPathComponent("ca.pem").path,
        ])
        #expect(fake.address.hasPrefix("https://127.0.0.1:"))
        let provider = try fake.provider(environment: Self.environment, tls: certificates)
        #expect(try await provider.checkEngine().contains("Nomad 1.9.3"))
        _ = try await provider.provision(Self.spec("nomad-tls"))
        _ = try await eventually(provider, "nomad-tls") { $0.state == .running }
        try await provider.destroy(tenantID: "nomad-tls")
        try await provider.shutdown()

        let anonymous = try fake.provider(tls: certificates, clientCertificate: false)
        await #expect(throws: ProviderStartupFailure.self) { _ = try await anonymous.checkEngine() }
        try await anonymous.shutdown()
        let untrusting = try fake.provider(tls: nil)
        await #expect(throws: ProviderStartupFailure.self) { _ = try await untrusting.checkEngine() }
        try await untrusting.shutdown()
        await fake.stop()
        try? FileManager.default.removeItem(at: certificates)
    }

    @Test("an agent older than Nomad 1.6 fails the start-up check, saying what is needed")
    func oldAgent() async throws {
        let fake = try await FakeNomad.start(arguments: ["--nomad-version", "1.5.6"])
        let provider = try fake.provider()
        do {
            _ = try await provider.checkEngine()
            Issue.record("Nomad 1.5.6 passed the check")
        } catch let failure as ProviderStartupFailure {
            #expect(failure.message.contains("runs Nomad 1.5.6; landlord needs 1.6 or newer"), "\(failure.message)")
        }
        try await provider.shutdown()
        await fake.stop()
    }

    @Test("an unreachable agent fails the start-up check with what to set")
    func unreachable() async throws {
        let provider = try NomadProvider(configuration: .init(address: "http://127.0.0.1:1", requestTimeout: .seconds(3)))
        do {
            _ = try await provider.checkEngine()
            Issue.record("the check passed")
        } catch let failure as ProviderStartupFailure {
            #expect(failure.message.hasPrefix("nomad provider: cannot reach the Nomad agent at http://127.0.0.1:1"))
            #expect(failure.message.contains("NOMAD_ADDR"))
        }
        try await provider.shutdown()
    }
}

/// The outcome of `body`, failure included.
func attempt<Value: Sendable>(_ body: () async throws -> Value) async -> Result<Value, any Error> {
    do {
        return .success(try await body())
    } catch {
        return .failure(error)
    }
}
