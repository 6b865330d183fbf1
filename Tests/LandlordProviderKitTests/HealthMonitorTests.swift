import LandlordCompute
import LandlordProviderKit
import Testing

@Suite("Health monitor")
struct HealthMonitorTests {
    @Test("thresholds: consecutive successes make healthy, consecutive failures unhealthy")
    func thresholds() {
        let check = HealthCheckConfig(type: "tcp", port: 80, healthyThreshold: 2, unhealthyThreshold: 3)
        var result = HealthMonitor.Result(containerID: "c1")
        #expect(result.verdict == .unknown)
        result.record(.success, check: check)
        #expect(result.verdict == .unknown)
        result.record(.success, check: check)
        #expect(result.verdict == .healthy)
        result.record(.failure("refused"), check: check)
        result.record(.failure("refused"), check: check)
        #expect(result.verdict == .healthy)
        #expect(result.lastFailure == "refused")
        result.record(.success, check: check)  // the failure streak starts over
        result.record(.failure("refused"), check: check)
        result.record(.failure("refused"), check: check)
        #expect(result.verdict == .healthy)
        result.record(.failure("refused"), check: check)
        #expect(result.verdict == .unhealthy)
        result.record(.success, check: check)
        #expect(result.verdict == .unhealthy)
        #expect(result.lastFailure.isEmpty)
        result.record(.success, check: check)
        #expect(result.verdict == .healthy)
        result.record(.containerGone, check: check)
        #expect(result.lastFailure == "the container no longer exists")
        #expect(result.probes == 11)
    }

    @Test("the monitor probes at once, keeps verdicts of unchanged containers and stops")
    func monitor() async throws {
        let monitor = HealthMonitor(probe: { target, _ in
            target.containerID == "gone" ? .containerGone : .success
        })
        let check = HealthCheckConfig(type: "exec", command: ["true"], intervalSeconds: 5, timeoutSeconds: 1)
        let web = HealthMonitor.Target(container: "web", containerID: "id1", check: check)
        monitor.start(tenantID: "acme", targets: [web])
        try await Self.eventually { monitor.results(tenantID: "acme")["web"]?.verdict == .healthy }

        // The same target again keeps the verdict; another container id starts over.
        monitor.ensureStarted(tenantID: "acme", targets: [web])
        #expect(monitor.results(tenantID: "acme")["web"]?.verdict == .healthy)
        let recreated = HealthMonitor.Target(container: "web", containerID: "id2", check: check)
        monitor.start(tenantID: "acme", targets: [recreated])
        #expect(monitor.results(tenantID: "acme")["web"]?.containerID == "id2")

        monitor.stop(tenantID: "acme")
        #expect(monitor.results(tenantID: "acme").isEmpty)

        // Checks of containers that are gone end on their own.
        monitor.start(
            tenantID: "ghost", targets: [HealthMonitor.Target(container: "x", containerID: "gone", check: check)])
        try await Self.eventually { monitor.tenantIDs.isEmpty }
        monitor.stopAll()
    }

    static func eventually(_ condition: () -> Bool) async throws {
        for _ in 0..<100 where !condition() {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(condition())
    }
}
