import Foundation
import InMemoryLogging
import LandlordCompute
import LandlordComputeTesting
import Logging
import Testing

@testable import LandlordDockerProvider

// End-to-end tests on a real engine (podman here, see dev/podman/up.sh). Every test uses tenant
// ids of its own and destroys them, whatever happens.

@Suite("Docker provider on a real engine")
struct DockerEngineEndToEndTests {
    @Test("httpd with an http check: reachable through its endpoint, running and healthy")
    func httpTenant() async throws {
        let tenantID = TestEngine.tenantID("http")
        try await TestEngine.withProvider(cleaningUp: [tenantID]) { provider in
            let spec = TenantComputeSpec.docker(
                tenantID, [.httpd(check: HealthCheckConfig.http(path: "/", port: 8080).fast())])
            let result = try await provider.provision(spec)
            #expect(result.status == .success)
            #expect(result.providerType == "docker")
            #expect(result.resourceIDs.keys.sorted() == ["container/web", "network"])
            let endpoint = try #require(result.endpoints.first)
            #expect(endpoint.type == "http")
            #expect(endpoint.address == "127.0.0.1")
            #expect(endpoint.port > 0)
            #expect(endpoint.url == "http://127.0.0.1:\(endpoint.port)")

            // busybox httpd needs a moment to listen.
            var answer = (0, "")
            for _ in 0..<20 {
                if let reply = try? await TestEngine.get(endpoint.url + "/", with: provider), reply.0 == 200 {
                    answer = reply
                    break
                }
                try await Task.sleep(for: .milliseconds(250))
            }
            #expect(answer.0 == 200)
            #expect(answer.1.contains("landlord test image"))

            let status = try await TestEngine.waitForStatus(provider, tenantID: tenantID) {
                $0.state == .running && $0.health == .healthy
            }
            #expect(status.containers.map(\.name) == ["web"])
            #expect(status.containers.first?.ready == true)
            #expect(status.containers.first?.state == "running")
            #expect(status.metadata["network"] == "landlord-\(tenantID)")

            // The engine holds what the issue names.
            let objects = try await TestEngine.objects(of: tenantID, on: provider)
            #expect(objects.containers == ["landlord-\(tenantID)-web"])
            #expect(objects.networks == ["landlord-\(tenantID)"])
        }
    }

    @Test("tcp and exec checks; a failing exec check makes the tenant unhealthy")
    func tcpAndExecChecks() async throws {
        let healthy = TestEngine.tenantID("checks")
        let unhealthy = TestEngine.tenantID("checks-bad")
        try await TestEngine.withProvider(cleaningUp: [healthy, unhealthy]) { provider in
            let listener = ContainerSpec(
                name: "listener",
                image: "\(TestEngine.image):1",
                command: ["nc", "-ll", "-p", "9000", "-e", "/bin/true"],
                ports: [PortMapping(containerPort: 9000)],
                healthCheck: HealthCheckConfig.tcp(port: 9000).fast()
            )
            let worker = ContainerSpec.shell(
                "worker", "touch /tmp/ready; exec sleep 3600",
                check: HealthCheckConfig.exec(["sh", "-c", "test -f /tmp/ready"]).fast()
            )
            _ = try await provider.provision(.docker(healthy, [listener, worker]))
            let status = try await TestEngine.waitForStatus(provider, tenantID: healthy) {
                $0.health == .healthy
            }
            #expect(status.state == .running)
            #expect(status.containers.map(\.name) == ["listener", "worker"])
            #expect(status.containers.allSatisfy { $0.ready })

            let failing = ContainerSpec.shell(
                "worker", "exec sleep 3600",
                check: HealthCheckConfig.exec(["sh", "-c", "exit 3"]).fast(unhealthyThreshold: 1)
            )
            _ = try await provider.provision(.docker(unhealthy, [failing]))
            let bad = try await TestEngine.waitForStatus(provider, tenantID: unhealthy) { $0.health == .unhealthy }
            #expect(bad.state == .running)
            #expect(bad.containers.first?.ready == false)
            #expect(bad.containers.first?.message.contains("exited with code 3") == true)
        }
    }

    @Test("update of env and image tag recreates only the changed container")
    func update() async throws {
        let tenantID = TestEngine.tenantID("update")
        try await TestEngine.withProvider(cleaningUp: [tenantID]) { provider in
            var web = ContainerSpec.httpd()
            web.env = ["MODE": "blue"]
            let worker = ContainerSpec.shell("worker", "exec sleep 3600")
            let spec = TenantComputeSpec.docker(tenantID, [web, worker])
            let provisioned = try await provider.provision(spec)

            var changed = spec
            changed.containers[0].image = "\(TestEngine.image):2"
            changed.containers[0].env["MODE"] = "green"
            let result = try await provider.update(tenantID: tenantID, spec: changed)
            #expect(result.status == .success)
            #expect(
                result.changes == [
                    "containers[web].image: \(TestEngine.image):1 -> \(TestEngine.image):2",
                    "containers[web].env[MODE]: changed",
                ]
            )
            #expect(!result.changes.joined().contains("green"))

            let updated = try await provider.provision(changed)  // idempotent: answers the current state
            #expect(updated.resourceIDs["container/worker"] == provisioned.resourceIDs["container/worker"])
            #expect(updated.resourceIDs["container/web"] != provisioned.resourceIDs["container/web"])
            #expect(updated.resourceIDs["network"] == provisioned.resourceIDs["network"])
            #expect(updated.provisionedAt == provisioned.provisionedAt)

            let objects = try await TestEngine.objects(of: tenantID, on: provider)
            #expect(objects.containers == ["landlord-\(tenantID)-web", "landlord-\(tenantID)-worker"])
            let web2 = try #require(
                try await provider.engine.inspectContainer(updated.resourceIDs["container/web"] ?? ""))
            #expect(web2.Config.Image?.hasSuffix("landlord-busybox:2") == true)
            _ = try await TestEngine.waitForStatus(provider, tenantID: tenantID) { $0.state == .running }

            let again = try await provider.update(tenantID: tenantID, spec: changed)
            #expect(again.status == .noChanges)
            #expect(again.changes.isEmpty)

            // Removing a container and adding another one.
            var reshaped = changed
            reshaped.containers[1] = .shell("cron", "exec sleep 3600")
            let reshape = try await provider.update(tenantID: tenantID, spec: reshaped)
            #expect(reshape.changes == ["containers[cron]: added", "containers[worker]: removed"])
            let after = try await TestEngine.objects(of: tenantID, on: provider)
            #expect(after.containers == ["landlord-\(tenantID)-cron", "landlord-\(tenantID)-web"])
        }
    }

    @Test("network modes: the engine's bridge, the host's network, back to the tenant network")
    func networkModes() async throws {
        let tenantID = TestEngine.tenantID("netmode")
        try await TestEngine.withProvider(cleaningUp: [tenantID]) { provider in
            let port = Int.random(in: 20000...29999)
            func reachable(_ result: ProvisionResult) async throws -> Bool {
                let url = try #require(result.endpoints.first?.url)
                for _ in 0..<20 {
                    if let reply = try? await TestEngine.get(url + "/", with: provider), reply.0 == 200 { return true }
                    try await Task.sleep(for: .milliseconds(250))
                }
                return false
            }
            var spec = TenantComputeSpec.docker(
                tenantID, [.httpd(port: port)], providerConfig: #"{"network_mode":"bridge"}"#
            )
            let bridged = try await provider.provision(spec)
            #expect(bridged.resourceIDs["network"] == nil)
            #expect(try await TestEngine.objects(of: tenantID, on: provider).networks.isEmpty)
            #expect(try await reachable(bridged))

            spec.providerConfig = RawJSON(#"{"network_mode":"host"}"#)
            #expect(try await provider.update(tenantID: tenantID, spec: spec).changes == ["provider_config: changed"])
            let hosted = try await provider.provision(spec)
            #expect(hosted.endpoints.first?.port == port)
            #expect(try await reachable(hosted))

            spec.providerConfig = nil
            _ = try await provider.update(tenantID: tenantID, spec: spec)
            let tenant = try await provider.provision(spec)
            #expect(try await TestEngine.objects(of: tenantID, on: provider).networks == ["landlord-\(tenantID)"])
            #expect(tenant.resourceIDs["network"] != nil)
            #expect(try await reachable(tenant))
        }
    }

    @Test("a failing command reports failed with its restart count")
    func failingCommand() async throws {
        let tenantID = TestEngine.tenantID("crash")
        try await TestEngine.withProvider(cleaningUp: [tenantID]) { provider in
            let spec = TenantComputeSpec.docker(
                tenantID, [.shell("job", "echo starting; exit 3")],
                providerConfig: #"{"restart_policy":"on-failure:2"}"#
            )
            let result = try await provider.provision(spec)
            #expect(result.status == .success)
            let status = try await TestEngine.waitForStatus(provider, tenantID: tenantID) {
                $0.state == .failed && $0.containers.first?.restartCount == 2
            }
            let job = try #require(status.containers.first)
            #expect(job.state == "failed")
            #expect(job.ready == false)
            #expect(job.message.contains("exited with code 3"))
            #expect(job.message.contains("restarted 2 time(s)"))
            #expect(status.health == .unhealthy)
        }
    }

    @Test("a provision that fails on a bad image rolls back everything it created")
    func provisionRollback() async throws {
        let tenantID = TestEngine.tenantID("rollback")
        try await TestEngine.withProvider(cleaningUp: [tenantID]) { provider in
            let spec = TenantComputeSpec.docker(
                tenantID, [.httpd(), .shell("broken", "true", tag: "no-such-tag")]
            )
            await #expect {
                _ = try await provider.provision(spec)
            } throws: { error in
                guard let error = error as? ComputeError else { return false }
                return error.kind == .provisionFailed && error.message.contains("no-such-tag")
            }
            let objects = try await TestEngine.objects(of: tenantID, on: provider)
            #expect(objects.containers.isEmpty)
            #expect(objects.networks.isEmpty)
            await #expect {
                _ = try await provider.status(tenantID: tenantID)
            } throws: { ($0 as? ComputeError)?.kind == .tenantNotFound }

            // validate tells before anything is tried.
            await #expect {
                try await provider.validate(spec)
            } throws: { error in
                (error as? ComputeError)?.violations.map(\.field) == ["containers[1].image"]
            }
            try await provider.validate(.docker(tenantID, [.httpd()]))
        }
    }

    @Test("an update whose new container fails to start rolls back to the old one")
    func updateRollback() async throws {
        let tenantID = TestEngine.tenantID("uprollback")
        try await TestEngine.withProvider(cleaningUp: [tenantID]) { provider in
            let spec = TenantComputeSpec.docker(tenantID, [.httpd(), .shell("worker", "exec sleep 3600")])
            let before = try await provider.provision(spec)

            var broken = spec
            broken.containers[0].command = ["/no/such/binary"]
            broken.containers[1].image = "\(TestEngine.image):2"
            await #expect {
                _ = try await provider.update(tenantID: tenantID, spec: broken)
            } throws: { ($0 as? ComputeError)?.kind == .updateFailed }

            let after = try await provider.provision(spec)  // the old spec is still the tenant's
            #expect(after.resourceIDs == before.resourceIDs)
            let objects = try await TestEngine.objects(of: tenantID, on: provider)
            #expect(objects.containers == ["landlord-\(tenantID)-web", "landlord-\(tenantID)-worker"])
            let status = try await TestEngine.waitForStatus(provider, tenantID: tenantID) { $0.state == .running }
            #expect(status.containers.allSatisfy { $0.state == "running" })
            let same = try await provider.update(tenantID: tenantID, spec: spec)
            #expect(same.status == .noChanges)
        }
    }

    @Test("destroy removes containers and network, and is idempotent")
    func destroy() async throws {
        let tenantID = TestEngine.tenantID("destroy")
        try await TestEngine.withProvider(cleaningUp: [tenantID]) { provider in
            _ = try await provider.provision(.docker(tenantID, [.httpd(), .shell("worker", "exec sleep 3600")]))
            #expect(try await TestEngine.objects(of: tenantID, on: provider).containers.count == 2)
            try await provider.destroy(tenantID: tenantID)
            let objects = try await TestEngine.objects(of: tenantID, on: provider)
            #expect(objects.containers.isEmpty)
            #expect(objects.networks.isEmpty)
            try await provider.destroy(tenantID: tenantID)
            await #expect {
                _ = try await provider.status(tenantID: tenantID)
            } throws: { ($0 as? ComputeError)?.kind == .tenantNotFound }
        }
    }

    @Test("a cancelled destroy still removes everything")
    func cancelledDestroy() async throws {
        let tenantID = TestEngine.tenantID("canceldestroy")
        try await TestEngine.withProvider(cleaningUp: [tenantID]) { provider in
            _ = try await provider.provision(.docker(tenantID, [.shell("worker", "exec sleep 3600")]))
            let task = Task { try await provider.destroy(tenantID: tenantID) }
            task.cancel()
            try await task.value
            let objects = try await TestEngine.objects(of: tenantID, on: provider)
            #expect(objects.containers.isEmpty && objects.networks.isEmpty)
        }
    }

    @Test("a provision cancelled half-way removes what it created and throws CancellationError")
    func cancelledProvision() async throws {
        let tenantID = TestEngine.tenantID("cancelprov")
        try await TestEngine.withProvider(cleaningUp: [tenantID]) { provider in
            let spec = TenantComputeSpec.docker(
                tenantID,
                // Enough containers that the provision is still creating them when the cancel lands,
                // even when a loaded engine answers the test's polling slowly (6 was seen to finish first).
                (0..<24).map { ContainerSpec.shell("c\($0)", "exec sleep 3600") }
            )
            let task = Task { try await provider.provision(spec) }
            // Cancel as soon as the first container exists: the network and it must go again.
            let deadline = ContinuousClock.now + .seconds(30)
            while try await TestEngine.objects(of: tenantID, on: provider).containers.isEmpty {
                try #require(ContinuousClock.now < deadline, "the provision never created a container")
                try await Task.sleep(for: .milliseconds(20))
            }
            task.cancel()
            await #expect(throws: CancellationError.self) { _ = try await task.value }
            let objects = try await TestEngine.objects(of: tenantID, on: provider)
            #expect(objects.containers.isEmpty)
            #expect(objects.networks.isEmpty)
        }
    }

    @Test("a new provider instance (a landlord restart) finds, updates and destroys the tenant")
    func restart() async throws {
        let tenantID = TestEngine.tenantID("restart")
        let spec = TenantComputeSpec.docker(
            tenantID, [.httpd(check: HealthCheckConfig.http(path: "/", port: 8080).fast())]
        )
        let first = try await TestEngine.provider()
        let provisioned: ProvisionResult
        do {
            provisioned = try await first.provision(spec)
            try await first.shutdown()
        } catch {
            try? await first.destroy(tenantID: tenantID)
            try? await first.shutdown()
            throw error
        }

        try await TestEngine.withProvider(cleaningUp: [tenantID]) { second in
            let status = try await TestEngine.waitForStatus(second, tenantID: tenantID) { $0.health == .healthy }
            #expect(status.state == .running)
            #expect(try await second.provision(spec) == provisioned)
            #expect(try await second.update(tenantID: tenantID, spec: spec).status == .noChanges)

            var changed = spec
            changed.containers[0].image = "\(TestEngine.image):2"
            let result = try await second.update(tenantID: tenantID, spec: changed)
            #expect(result.changes == ["containers[web].image: \(TestEngine.image):1 -> \(TestEngine.image):2"])

            try await second.destroy(tenantID: tenantID)
            let objects = try await TestEngine.objects(of: tenantID, on: second)
            #expect(objects.containers.isEmpty && objects.networks.isEmpty)
        }
    }

    @Test("ten tenants provision concurrently")
    func concurrentTenants() async throws {
        let tenantIDs = (0..<10).map { TestEngine.tenantID("many\($0)") }
        try await TestEngine.withProvider(cleaningUp: tenantIDs) { provider in
            let results = try await withThrowingTaskGroup(of: ProvisionResult.self) { group in
                for tenantID in tenantIDs {
                    group.addTask { try await provider.provision(.docker(tenantID, [.httpd()])) }
                }
                return try await group.reduce(into: [ProvisionResult]()) { $0.append($1) }
            }
            #expect(Set(results.map(\.tenantID)) == Set(tenantIDs))
            #expect(Set(results.compactMap { $0.endpoints.first?.port }).count == 10)
            for tenantID in tenantIDs {
                let status = try await provider.status(tenantID: tenantID)
                #expect(status.containers.count == 1)
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for tenantID in tenantIDs {
                    group.addTask { try await provider.destroy(tenantID: tenantID) }
                }
                try await group.waitForAll()
            }
            for tenantID in tenantIDs {
                let objects = try await TestEngine.objects(of: tenantID, on: provider)
                #expect(objects.containers.isEmpty && objects.networks.isEmpty)
            }
        }
    }

    @Test("secrets reach the container as environment variables and nowhere else")
    func secrets() async throws {
        let tenantID = TestEngine.tenantID("secrets")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("landlord-secrets-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data("file-s3cret-value\n".utf8).write(to: directory.appendingPathComponent("db-password"))

        var handler = InMemoryLogHandler()
        handler.logLevel = .trace
        let logger = Logger(label: "test", factory: { [handler] _ in handler })
        let environment: @Sendable (String) -> String? = { $0 == "LANDLORD_TEST_TOKEN" ? "env-s3cret-value" : nil }
        try await TestEngine.withProvider(
            cleaningUp: [tenantID],
            secretsDirectory: directory.path,
            environment: environment,
            logger: logger
        ) { provider in
            var spec = TenantComputeSpec.docker(
                tenantID,
                [
                    .shell(
                        "app", "exec sleep 3600",
                        check: HealthCheckConfig.exec([
                            "sh", "-c", #"test "$TOKEN" = "$EXPECTED_TOKEN" && test "$DB_PASSWORD" = "$EXPECTED_DB""#,
                        ]).fast()
                    )
                ]
            )
            // The expected values travel as ordinary env values, which labels keep only as fingerprints.
            spec.containers[0].env = ["EXPECTED_TOKEN": "env-s3cret-value", "EXPECTED_DB": "file-s3cret-value"]
            spec.secrets = [
                SecretReference(name: "token", source: "env", key: "LANDLORD_TEST_TOKEN", envVar: "TOKEN"),
                SecretReference(name: "db", source: "file", key: "db-password", envVar: "DB_PASSWORD"),
            ]
            try await provider.validate(spec)
            let result = try await provider.provision(spec)
            let status = try await TestEngine.waitForStatus(provider, tenantID: tenantID) { $0.health == .healthy }
            #expect(status.containers.first?.ready == true)

            let container = try #require(
                try await provider.engine.inspectContainer(result.resourceIDs["container/app"] ?? ""))
            let labels = (container.Config.Labels ?? [:]).values.joined(separator: " ")
            #expect(!labels.contains("s3cret"))
            #expect(!labels.contains("LANDLORD_TEST_TOKEN"))

            var missing = spec
            missing.secrets[0].key = "LANDLORD_TEST_UNSET"
            await #expect {
                try await provider.validate(missing)
            } throws: { error in
                (error as? ComputeError)?.violations.map(\.field) == ["secrets[0].key"]
            }
        }
        let logged = handler.entries.map { "\($0.message) \($0.metadata)" }.joined(separator: "\n")
        #expect(!logged.contains("s3cret"))
        #expect(handler.entries.allSatisfy { $0.metadata["provider"] == "docker" })
    }

    @Test("provision of an existing tenant with another spec is alreadyExists; update of an unknown one tenantNotFound")
    func conflicts() async throws {
        let tenantID = TestEngine.tenantID("conflict")
        try await TestEngine.withProvider(cleaningUp: [tenantID]) { provider in
            let spec = TenantComputeSpec.docker(tenantID, [.shell("worker", "exec sleep 3600")])
            let first = try await provider.provision(spec)
            #expect(try await provider.provision(spec) == first)
            var other = spec
            other.containers[0].env = ["A": "1"]
            await #expect {
                _ = try await provider.provision(other)
            } throws: { ($0 as? ComputeError)?.kind == .alreadyExists }
            let unknown = TestEngine.tenantID("unknown")
            await #expect {
                _ = try await provider.update(tenantID: unknown, spec: .docker(unknown, [.httpd()]))
            } throws: { ($0 as? ComputeError)?.kind == .tenantNotFound }
        }
    }
}

@Suite("Docker provider: conformance on a real engine")
struct DockerConformanceTests {
    /// The conformance specs on busybox: httpd with an http check, changed to the `:2` image and
    /// twice the CPU.
    static let fixture = ComputeProviderConformance.Fixture(
        makeSpec: { tenantID in
            // Tenant ids are shared by every run of the checks: make them this run's.
            .docker(tenantID, [.httpd(check: HealthCheckConfig.http(path: "/", port: 8080).fast())])
        },
        changeSpec: { spec in
            var spec = spec
            spec.containers[0].image = "\(TestEngine.image):2"
            spec.resources.cpu *= 2
            return spec
        }
    )

    @Test(arguments: ComputeProviderConformance.checks)
    func conformance(_ check: ComputeProviderConformance.Check) async throws {
        let provider = try await TestEngine.provider()
        do {
            try await check.run(provider, Self.fixture)
        } catch {
            try? await Self.cleanUp(provider)
            try? await provider.shutdown()
            throw error
        }
        try await provider.shutdown()
    }

    /// Destroys what a failed check may have left (its tenants are named `conformance-...`).
    static func cleanUp(_ provider: DockerProvider) async throws {
        let containers = try await provider.engine.listContainers(labels: ["landlord.provider=docker"])
        let tenants = Set(
            containers.compactMap { $0.Labels?["landlord.tenant_id"] }.filter { $0.hasPrefix("conformance-") })
        for tenant in tenants { try await provider.destroy(tenantID: tenant) }
    }
}
