import InMemoryLogging
import LandlordCompute
import LandlordComputeTesting
import Logging
import MetricsTestKit
import Testing

@Suite("Compute manager logging and metrics")
struct ComputeManagerObservabilityTests {
    let spy = SpyProvider(name: "spy")

    func harness() throws -> ManagerHarness {
        try ManagerHarness([self.spy], defaultProvider: "spy")
    }

    private func entries(_ harness: ManagerHarness, _ message: String) -> [InMemoryLogHandler.Entry] {
        harness.logs.entries.filter { $0.message.description == message }
    }

    private func expectContext(_ entry: InMemoryLogHandler.Entry, tenant: String, provider: String, operation: String) {
        #expect(entry.metadata["tenant_id"] == "\(tenant)")
        #expect(entry.metadata["provider"] == "\(provider)")
        #expect(entry.metadata["operation"] == "\(operation)")
    }

    // MARK: Logs

    @Test("a provision logs start, completion and an audit line, each with tenant and provider")
    func provisionLogs() async throws {
        let harness = try self.harness()
        _ = try await harness.manager.provisionTenant(.valid(providerType: "spy"))

        let start = try #require(self.entries(harness, "provisioning tenant").first)
        #expect(start.level == .debug)
        self.expectContext(start, tenant: "acme", provider: "spy", operation: "provision")

        let completion = try #require(self.entries(harness, "provisioned tenant").first)
        #expect(completion.level == .info)
        self.expectContext(completion, tenant: "acme", provider: "spy", operation: "provision")
        #expect(completion.metadata["status"] == "success")
        #expect(completion.metadata["outcome"] == "success")
        #expect(completion.metadata["duration_ms"] != nil)

        let audit = try #require(self.entries(harness, "audit: provision tenant").first)
        #expect(audit.level == .notice)
        self.expectContext(audit, tenant: "acme", provider: "spy", operation: "provision")
        #expect(audit.metadata["audit"] == "true")
        #expect(audit.metadata["outcome"] == "success")
        #expect(self.entries(harness, "provisioning tenant failed").isEmpty)
    }

    @Test("a provider failure logs an error line and an audit line with the outcome")
    func failureLogs() async throws {
        let harness = try self.harness()
        self.spy.fail(.provision, with: ComputeError(kind: .provisionFailed, message: "no capacity"))
        _ = try? await harness.manager.provisionTenant(.valid(providerType: "spy"))

        let failure = try #require(self.entries(harness, "provisioning tenant failed").first)
        #expect(failure.level == .error)
        self.expectContext(failure, tenant: "acme", provider: "spy", operation: "provision")
        #expect(failure.metadata["error_kind"] == "provisionFailed")
        #expect(failure.metadata["error"] == "no capacity")
        #expect(failure.metadata["outcome"] == "provision_failed")

        let audit = try #require(self.entries(harness, "audit: provision tenant").first)
        #expect(audit.metadata["outcome"] == "provision_failed")
        #expect(self.entries(harness, "provisioned tenant").isEmpty)
    }

    @Test("a caller error is logged at info, and still audited")
    func callerErrorLogs() async throws {
        let harness = try self.harness()
        var spec = TenantComputeSpec.valid(providerType: "spy")
        spec.resources.cpu = 1
        _ = try? await harness.manager.provisionTenant(spec)
        let failure = try #require(self.entries(harness, "provisioning tenant failed").first)
        #expect(failure.level == .info)
        #expect(failure.metadata["error_kind"] == "invalidSpec")
        #expect(
            try #require(self.entries(harness, "audit: provision tenant").first).metadata["outcome"] == "invalid_spec")
    }

    @Test("update, destroy and status log with their operation; only changes are audited")
    func otherOperationsLogs() async throws {
        let harness = try self.harness()
        _ = try await harness.manager.updateTenant(tenantID: "acme", spec: .valid(providerType: "spy"))
        try await harness.manager.destroyTenant(tenantID: "acme")
        _ = try await harness.manager.tenantStatus(tenantID: "acme")

        let updated = try #require(self.entries(harness, "updated tenant").first)
        self.expectContext(updated, tenant: "acme", provider: "spy", operation: "update")
        #expect(updated.metadata["changes"] == .array(["spy: updated"]))
        self.expectContext(
            try #require(self.entries(harness, "audit: update tenant").first),
            tenant: "acme",
            provider: "spy",
            operation: "update"
        )

        self.expectContext(
            try #require(self.entries(harness, "destroyed tenant").first),
            tenant: "acme",
            provider: "spy",
            operation: "destroy"
        )
        self.expectContext(
            try #require(self.entries(harness, "audit: destroy tenant").first),
            tenant: "acme",
            provider: "spy",
            operation: "destroy"
        )

        let status = try #require(self.entries(harness, "queried tenant status").first)
        self.expectContext(status, tenant: "acme", provider: "spy", operation: "status")
        #expect(status.metadata["state"] == "running")
        #expect(harness.logs.entries.filter { $0.metadata["audit"] != nil }.count == 2)
    }

    @Test("a destroy of an absent tenant is audited as a success")
    func destroyAbsentAudit() async throws {
        let harness = try self.harness()
        self.spy.fail(.destroy, with: ComputeError(kind: .tenantNotFound, message: "gone"))
        try await harness.manager.destroyTenant(tenantID: "ghost")
        let audit = try #require(self.entries(harness, "audit: destroy tenant").first)
        #expect(audit.metadata["outcome"] == "success")
        #expect(audit.metadata["tenant_id"] == "ghost")
        #expect(try #require(self.entries(harness, "destroyed tenant").first).metadata["already_absent"] == "true")
    }

    @Test("no log line or metadata ever holds an env value, a secret or the provider config")
    func noSecretsInLogs() async throws {
        let harness = try self.harness()
        var spec = TenantComputeSpec.valid(providerType: "spy")
        spec.containers[0].env = ["DATABASE_PASSWORD": "hunter2-s3cret", "API_TOKEN": "tok-s3cret-123"]
        spec.secrets = [
            SecretReference(name: "db", source: "vault", key: "prod/db/s3cret-key", envVar: "DB_PASSWORD")
        ]
        spec.providerConfig = RawJSON(#"{"access_key":"AKIA-s3cret","region":"eu-west-1"}"#)

        _ = try await harness.manager.provisionTenant(spec)
        _ = try await harness.manager.updateTenant(tenantID: "acme", spec: spec)
        _ = try await harness.manager.validateTenantSpec(spec)
        self.spy.fail(.provision, with: ComputeError(kind: .provisionFailed, message: "quota exceeded"))
        _ = try? await harness.manager.provisionTenant(spec)
        var invalid = spec
        invalid.containers[0].env[""] = "empty-name-s3cret"
        invalid.secrets[0].source = ""
        let error = try await #require(throws: ComputeError.self) { try await harness.manager.provisionTenant(invalid) }
        #expect(!error.message.contains("s3cret"))
        _ = try await harness.manager.validateTenantSpec(invalid)

        let entries = harness.logs.entries
        #expect(entries.count >= 15)
        for entry in entries {
            let text =
                entry.message.description + " " + entry.metadata.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            #expect(!text.contains("s3cret"), "leaked in: \(text)")
            #expect(!text.contains("hunter2"))
            #expect(!text.contains("eu-west-1"), "provider_config content leaked in: \(text)")
        }
    }

    // MARK: Metrics

    private func dimensions(_ operation: String, _ provider: String, _ outcome: String) -> [(String, String)] {
        [("operation", operation), ("provider", provider), ("outcome", outcome)]
    }

    @Test("every operation records a timer and a counter by operation, provider and outcome")
    func metricsPerOperation() async throws {
        let harness = try self.harness()
        let spec = TenantComputeSpec.valid(providerType: "spy")
        _ = try await harness.manager.provisionTenant(spec)
        _ = try await harness.manager.provisionTenant(spec)
        _ = try await harness.manager.updateTenant(tenantID: "acme", spec: spec)
        _ = try await harness.manager.tenantStatus(tenantID: "acme")
        try await harness.manager.destroyTenant(tenantID: "acme")
        _ = try await harness.manager.validateTenantSpec(spec)

        for (operation, count) in [("provision", 2), ("update", 1), ("status", 1), ("destroy", 1), ("validate", 1)] {
            let dimensions = self.dimensions(operation, "spy", "success")
            let counter = try harness.metrics.expectCounter(ComputeManager.countMetricLabel, dimensions)
            #expect(counter.totalValue == Int64(count), "\(operation)")
            let timer = try harness.metrics.expectTimer(ComputeManager.durationMetricLabel, dimensions)
            #expect(timer.values.count == count, "\(operation)")
            #expect(timer.values.allSatisfy { $0 >= 0 })
        }
    }

    @Test("failures are counted under their error kind")
    func metricsForFailures() async throws {
        let harness = try self.harness()
        self.spy.fail(.update, with: ComputeError(kind: .tenantNotFound, message: "missing"))
        self.spy.fail(.status, with: PlatformError(code: 1))
        var invalid = TenantComputeSpec.valid(providerType: "spy")
        invalid.containers = []

        _ = try? await harness.manager.updateTenant(tenantID: "acme", spec: .valid(providerType: "spy"))
        _ = try? await harness.manager.tenantStatus(tenantID: "acme")
        _ = try? await harness.manager.provisionTenant(invalid)
        _ = try await harness.manager.validateTenantSpec(invalid)

        #expect(
            try harness.metrics.expectCounter(
                ComputeManager.countMetricLabel, self.dimensions("update", "spy", "tenant_not_found")
            ).totalValue == 1)
        #expect(
            try harness.metrics.expectCounter(
                ComputeManager.countMetricLabel, self.dimensions("status", "spy", "error")
            ).totalValue == 1)
        #expect(
            try harness.metrics.expectCounter(
                ComputeManager.countMetricLabel, self.dimensions("provision", "spy", "invalid_spec")
            ).totalValue == 1)
        #expect(
            try harness.metrics.expectCounter(
                ComputeManager.countMetricLabel, self.dimensions("validate", "spy", "invalid_spec")
            ).totalValue == 1)
        #expect(
            try harness.metrics.expectTimer(
                ComputeManager.durationMetricLabel, self.dimensions("update", "spy", "tenant_not_found")
            ).values.count == 1)
    }

    @Test("unregistered provider names are recorded as unknown to bound cardinality")
    func metricsUnknownProvider() async throws {
        let harness = try self.harness()
        _ = try? await harness.manager.provisionTenant(.valid(providerType: "random123"))
        _ = try? await harness.manager.tenantStatus(tenantID: "acme", providerType: "other456")
        #expect(
            try harness.metrics.expectCounter(
                ComputeManager.countMetricLabel, self.dimensions("provision", "unknown", "provider_not_found")
            )
            .totalValue == 1
        )
        #expect(
            try harness.metrics.expectCounter(
                ComputeManager.countMetricLabel, self.dimensions("status", "unknown", "provider_not_found")
            )
            .totalValue == 1
        )
        #expect(
            harness.metrics.counters.allSatisfy { counter in
                !counter.dimensions.contains { $0.1 == "random123" || $0.1 == "other456" }
            })
    }

    @Test("a cancelled operation is recorded as cancelled")
    func metricsCancelled() async throws {
        let harness = try self.harness()
        self.spy.fail(.provision, with: CancellationError())
        _ = try? await harness.manager.provisionTenant(.valid(providerType: "spy"))
        #expect(
            try harness.metrics.expectCounter(
                ComputeManager.countMetricLabel, self.dimensions("provision", "spy", "cancelled")
            ).totalValue == 1)
    }
}
