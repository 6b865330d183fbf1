import LandlordCompute
import LandlordProviderKit
import Testing

@testable import LandlordDockerProvider

@Suite("Docker provider: health verdicts and states")
struct DockerHealthAndStateTests {
    static func eventually(_ condition: () -> Bool) async throws {
        for _ in 0..<100 where !condition() {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(condition())
    }

    @Test(
        "container states",
        arguments: [
            (DockerAPI.ContainerState(Status: "running"), "running"),
            (DockerAPI.ContainerState(Status: "created"), "starting"),
            (DockerAPI.ContainerState(Status: "restarting"), "starting"),
            (DockerAPI.ContainerState(Status: "removing"), "stopping"),
            (DockerAPI.ContainerState(Status: "paused"), "stopped"),
            (DockerAPI.ContainerState(Status: "exited", ExitCode: 0), "stopped"),
            (DockerAPI.ContainerState(Status: "exited", ExitCode: 3), "failed"),
            (DockerAPI.ContainerState(Status: "exited", OOMKilled: true, ExitCode: 0), "failed"),
            (DockerAPI.ContainerState(Status: "dead"), "failed"),
            (DockerAPI.ContainerState(Status: "weird"), "unknown"),
        ] as [(DockerAPI.ContainerState, ContainerState)]
    )
    func containerStates(_ state: DockerAPI.ContainerState, _ expected: ContainerState) {
        #expect(DockerProvider.containerState(state) == expected)
    }

    @Test("tenant state and health aggregate the containers'")
    func aggregates() {
        #expect(DockerProvider.tenantState([]) == .unknown)
        #expect(DockerProvider.tenantState(["running", "running"]) == .running)
        #expect(DockerProvider.tenantState(["running", "failed"]) == .failed)
        #expect(DockerProvider.tenantState(["running", "starting"]) == .starting)
        #expect(DockerProvider.tenantState(["stopped", "stopped"]) == .stopped)
        #expect(DockerProvider.tenantState(["stopping", "running"]) == .stopping)
        #expect(DockerProvider.health([]) == .unknown)
        #expect(DockerProvider.health([.healthy, .healthy]) == .healthy)
        #expect(DockerProvider.health([.healthy, .unknown]) == .unknown)
        #expect(DockerProvider.health([.unknown, .unhealthy]) == .unhealthy)
    }
}
