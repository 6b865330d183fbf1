import Foundation
import LandlordCompute
import LandlordNomadProvider
import Testing

@Suite("Nomad status from deployments and allocations")
struct NomadStatusReportTests {
    static func decode<Value: Decodable>(_ type: Value.Type, _ json: String) throws -> Value {
        try JSONDecoder().decode(Value.self, from: Data(json.utf8))
    }

    static let job = #"{"ID":"landlord-acme","Namespace":"default","Status":"running","Version":1,"JobModifyIndex":40,"Meta":{"landlord_tenant_id":"acme"},"TaskGroups":[{"Name":"tenant","Count":2,"Tasks":[{"Name":"web"},{"Name":"sidecar"}]}]}"#

    static func allocation(
        version: Int = 1, client: String = "running", web: String = #"{"State":"running","Restarts":0}"#,
        healthy: String = "true", desired: String = "run"
    ) -> String {
        #"{"ID":"a-\#(UUID().uuidString)","JobVersion":\#(version),"TaskGroup":"tenant","DesiredStatus":"\#(desired)","ClientStatus":"\#(client)","DeploymentStatus":{"Healthy":\#(healthy)},"TaskStates":{"web":\#(web),"sidecar":{"State":"running","Restarts":0}},"AllocatedResources":{"Shared":{"Ports":[{"Label":"web_80","Value":23001,"To":80,"HostIP":"10.0.0.5"}]}}}"#
    }

    static func report(deployment: String?, allocations: [String], job: String = Self.job) throws -> ComputeStatus {
        NomadStatusReport(
            tenantID: "acme", providerType: "nomad", job: try decode(NomadJobInfo.self, job),
            deployment: try deployment.map { try decode(NomadDeployment.self, $0) },
            allocations: try decode([NomadAllocation].self, "[" + allocations.joined(separator: ",") + "]")
        ).status(now: Date(timeIntervalSince1970: 0))
    }

    @Test("a successful deployment with every allocation running and healthy is running and healthy")
    func running() throws {
        let status = try Self.report(
            deployment: #"{"ID":"d1","JobVersion":1,"Status":"successful","StatusDescription":"Deployment completed successfully"}"#,
            allocations: [Self.allocation(), Self.allocation(), Self.allocation(version: 0, client: "complete", desired: "stop")])
        #expect(status.state == .running && status.health == .healthy)
        #expect(status.containers.map(\.name) == ["web", "sidecar"])
        #expect(status.containers.allSatisfy { $0.ready && $0.state == .running })
        #expect(status.metadata["allocations_running"] == "2" && status.metadata["allocations_desired"] == "2")
        #expect(status.metadata["endpoints"] == "web_80=10.0.0.5:23001,web_80=10.0.0.5:23001")
    }

    @Test("a running deployment is starting and says how far it is")
    func starting() throws {
        let status = try Self.report(
            deployment: #"{"ID":"d2345678-x","JobVersion":1,"Status":"running","TaskGroups":{"tenant":{"AutoRevert":true,"DesiredTotal":2,"PlacedAllocs":2,"HealthyAllocs":1,"UnhealthyAllocs":0}}}"#,
            allocations: [Self.allocation(), Self.allocation(client: "pending", web: #"{"State":"pending","Restarts":0}"#, healthy: "null")])
        #expect(status.state == .starting && status.health == .unknown)
        #expect(status.metadata["message"] == "deployment d2345678 running: 1 of 2 allocations healthy, 2 placed")
        #expect(status.metadata["deployment_auto_revert"] == "true" && status.metadata["deployment_unhealthy"] == "0")
        #expect(status.containers[0].state == .starting)
    }

    @Test("a failed deployment and a task that exhausted its restarts are failed, with why and the restarts")
    func failed() throws {
        let web = #"{"State":"dead","Failed":true,"Restarts":2,"Events":[{"Type":"Terminated","Time":10,"DisplayMessage":"Exit Code: 1"},{"Type":"Not Restarting","Time":20,"DisplayMessage":"Exceeded allowed attempts 2 in interval 30m0s and mode is \"fail\""}]}"#
        let status = try Self.report(
            deployment: #"{"ID":"d3","JobVersion":1,"Status":"failed","StatusDescription":"Failed due to unhealthy allocations"}"#,
            allocations: [Self.allocation(client: "failed", web: web, healthy: "false"), Self.allocation()])
        #expect(status.state == .failed && status.health == .unhealthy)
        #expect(status.containers[0].state == .failed && status.containers[0].restartCount == 2)
        #expect(status.containers[0].message.hasPrefix("Not Restarting: Exceeded allowed attempts 2"))
        let message = try #require(status.metadata["message"])
        #expect(message.contains("Failed due to unhealthy allocations") && message.contains("task web (restarts: 2)"))
    }

    @Test("a task restarting after a crash is failed before the deployment gives up")
    func crashLoop() throws {
        let web = #"{"State":"pending","Restarts":1,"Events":[{"Type":"Terminated","Time":10,"DisplayMessage":"Exit Code: 137"},{"Type":"Restarting","Time":11,"DisplayMessage":"Task restarting in 15s"}]}"#
        let status = try Self.report(
            deployment: #"{"ID":"d4","JobVersion":1,"Status":"running"}"#,
            allocations: [Self.allocation(client: "pending", web: web, healthy: "null")])
        #expect(status.state == .failed)
        #expect(status.containers[0].message == "Restarting: Task restarting in 15s, Terminated: Exit Code: 137")
    }

    @Test("right after a register, before the new version is placed, the old version's allocations do not make it running")
    func registeredNotPlaced() throws {
        let status = try Self.report(
            deployment: #"{"ID":"d0","JobVersion":0,"Status":"successful"}"#,
            allocations: [Self.allocation(version: 0), Self.allocation(version: 0)])
        #expect(status.state == .starting)
        #expect(status.metadata["message"] == "job version 1 is being scheduled; allocations of an older version run")
    }

    @Test("a stopped job is stopping while allocations run, then stopped")
    func stopped() throws {
        let stopped = Self.job.replacingOccurrences(of: #""Status":"running""#, with: #""Status":"dead","Stop":true"#)
        #expect(try Self.report(deployment: nil, allocations: [Self.allocation()], job: stopped).state == .stopping)
        #expect(try Self.report(deployment: nil, allocations: [], job: stopped).state == .stopped)
    }

    @Test("no deployment and no allocation yet is starting")
    func nothingPlaced() throws {
        let status = try Self.report(deployment: nil, allocations: [])
        #expect(status.state == .starting && status.metadata["message"] == "no allocation placed yet")
        #expect(status.containers.allSatisfy { $0.state == .starting && $0.message == "not placed yet" })
    }
}

@Suite("Nomad plan diffs as change lines")
struct PlanChangesTests {
    @Test("edited fields with old and new values; Env, Meta and templates without values; added and deleted tasks")
    func describe() throws {
        let diff = try JSONDecoder().decode(
            NomadJobDiff.self,
            from: Data(
                #"""
                {"Type":"Edited","Fields":[{"Type":"Edited","Name":"Priority","Old":"50","New":"70"},
                 {"Type":"Edited","Name":"Meta[owner]","Old":"a","New":"b"}],
                 "TaskGroups":[{"Type":"Edited","Name":"tenant","Fields":[{"Type":"Edited","Name":"Count","Old":"1","New":"3"}],
                  "Tasks":[{"Type":"Edited","Name":"web","Fields":[{"Type":"Edited","Name":"Config.image","Old":"nginx:9","New":"nginx:1.25"},
                    {"Type":"Edited","Name":"Env[TOKEN]","Old":"old-value","New":"new-value"},
                    {"Type":"None","Name":"Driver","Old":"docker","New":"docker"}],
                    "Objects":[{"Type":"Edited","Name":"Template","Fields":[{"Type":"Edited","Name":"EmbeddedTmpl","Old":"x","New":"y"}]}]},
                   {"Type":"Added","Name":"sidecar"}]}]}
                """#.utf8))
        #expect(
            PlanChanges.describe(diff) == [
                "nomad: job.Priority: 50 -> 70",
                "nomad: job.Meta[owner]: changed",
                "nomad: task_groups[tenant].Count: 1 -> 3",
                "nomad: task_groups[tenant].tasks[web].Config.image: nginx:9 -> nginx:1.25",
                "nomad: task_groups[tenant].tasks[web].Env[TOKEN]: changed",
                "nomad: task_groups[tenant].tasks[web].Template.EmbeddedTmpl: changed",
                "nomad: task_groups[tenant].tasks[sidecar]: added",
            ])
    }
}
