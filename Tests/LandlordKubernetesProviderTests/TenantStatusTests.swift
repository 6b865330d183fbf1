import Foundation
import LandlordCompute
import Testing

@testable import LandlordKubernetesProvider

@Suite("Kubernetes status: rollout rules and container states")
struct TenantStatusTests {
    static func decode<T: Decodable>(_ type: T.Type, _ json: String) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(json.utf8))
    }

    static func deployment(
        generation: Int = 2, observed: Int = 2, desired: Int = 2, replicas: Int = 2, updated: Int = 2,
        available: Int = 2, progressing: String = "NewReplicaSetAvailable"
    ) throws -> ObservedDeployment {
        try Self.decode(
            ObservedDeployment.self,
            """
            {"metadata":{"name":"tenant","namespace":"landlord-acme","generation":\(generation)},
             "spec":{"replicas":\(desired)},
             "status":{"observedGeneration":\(observed),"replicas":\(replicas),"updatedReplicas":\(updated),
                       "availableReplicas":\(available),"readyReplicas":\(available),
                       "conditions":[{"type":"Available","status":"True"},
                                     {"type":"Progressing","status":"\(progressing == "ProgressDeadlineExceeded" ? "False" : "True")","reason":"\(progressing)","message":"ReplicaSet \\"tenant-5d8\\" has timed out progressing."}]}}
            """)
    }

    static func pod(_ containers: String) throws -> ObservedPod {
        try Self.decode(
            ObservedPod.self,
            #"{"metadata":{"name":"tenant-5d8-x","namespace":"landlord-acme"},"status":{"phase":"Running","containerStatuses":["#
                + containers + "]}}")
    }

    static let runningWeb = #"{"name":"web","ready":true,"restartCount":1,"state":{"running":{"startedAt":"2026-12-07T00:00:00Z"}}}"#
    static let runningSidecar = #"{"name":"sidecar","ready":true,"restartCount":0,"state":{"running":{}}}"#

    @Test(
        "kubectl rollout status rules",
        arguments: [
            ((3, 2, 2, 2, 2, 2, "NewReplicaSetAvailable"), "waiting"),
            ((2, 2, 3, 3, 2, 2, "ReplicaSetUpdated"), "2 of 3 new replicas have been updated"),
            ((2, 2, 2, 3, 2, 2, "ReplicaSetUpdated"), "1 old replicas are pending termination"),
            ((2, 2, 2, 2, 2, 1, "ReplicaSetUpdated"), "1 of 2 updated replicas are available"),
            ((2, 2, 2, 2, 2, 2, "NewReplicaSetAvailable"), "complete"),
            ((2, 2, 2, 2, 1, 1, "ProgressDeadlineExceeded"), "deadline"),
        ] as [((Int, Int, Int, Int, Int, Int, String), String)])
    func rollout(_ input: (Int, Int, Int, Int, Int, Int, String), _ expected: String) throws {
        let deployment = try Self.deployment(
            generation: input.0, observed: input.1, desired: input.2, replicas: input.3, updated: input.4,
            available: input.5, progressing: input.6)
        switch RolloutStatus(deployment) {
        case .waitingForController: #expect(expected == "waiting")
        case .progressing(let message): #expect(message == expected)
        case .complete: #expect(expected == "complete")
        case .deadlineExceeded(let message):
            #expect(expected == "deadline")
            #expect(message.contains("timed out progressing"))
        }
    }

    func report(_ deployment: ObservedDeployment?, pods: [ObservedPod], terminating: Bool = false) throws
        -> ComputeStatus
    {
        let namespace = try Self.decode(
            ObservedNamespace.self,
            #"{"metadata":{"name":"landlord-acme"},"status":{"phase":""# + (terminating ? "Terminating" : "Active")
                + #""}}"#)
        return TenantStatusReport(
            tenantID: "acme", providerType: "kubernetes", containerNames: ["web", "sidecar"], namespace: namespace,
            deployment: deployment, pods: pods
        ).status(observedAt: Date(timeIntervalSince1970: 0))
    }

    @Test("a complete rollout with ready containers is running and healthy, restarts summed over pods")
    func running() throws {
        let pods = try [1, 2].map { _ in try Self.pod(Self.runningWeb + "," + Self.runningSidecar) }
        let status = try report(try Self.deployment(), pods: pods)
        #expect(status.state == .running)
        #expect(status.health == .healthy)
        #expect(status.containers.map(\.name) == ["web", "sidecar"])
        #expect(status.containers[0].restartCount == 2)
        #expect(status.containers.allSatisfy { $0.state == .running && $0.ready })
        #expect(status.metadata["namespace"] == "landlord-acme")
    }

    @Test("a crash-looping container fails the tenant with its reason and last exit, before the deadline")
    func crashLoop() throws {
        let crashing = #"{"name":"web","ready":false,"restartCount":4,"state":{"waiting":{"reason":"CrashLoopBackOff","message":"back-off 40s restarting failed container=web"}},"lastState":{"terminated":{"exitCode":1,"reason":"Error"}}}"#
        let status = try report(
            try Self.deployment(available: 1, progressing: "ReplicaSetUpdated"),
            pods: [try Self.pod(crashing + "," + Self.runningSidecar)])
        #expect(status.state == .failed)
        #expect(status.health == .unhealthy)
        #expect(status.containers[0].state == .failed)
        #expect(status.containers[0].restartCount == 4)
        #expect(status.containers[0].message.hasPrefix("CrashLoopBackOff (last exit: Error, code 1)"))
        #expect(status.metadata["message"]?.hasPrefix("container web: CrashLoopBackOff") == true)
    }

    @Test("image pull failures and OOM kills name their cause")
    func imagePullAndOOM() throws {
        let pulling = #"{"name":"web","ready":false,"restartCount":0,"state":{"waiting":{"reason":"ImagePullBackOff","message":"Back-off pulling image \"does-not-exist:1\""}}}"#
        let failed = try report(try Self.deployment(available: 0), pods: [try Self.pod(pulling + "," + Self.runningSidecar)])
        #expect(failed.state == .failed)
        #expect(failed.containers[0].message.contains("ImagePullBackOff"))
        #expect(failed.containers[0].message.contains("does-not-exist:1"))

        let oomOnce = #"{"name":"web","ready":true,"restartCount":1,"state":{"running":{}},"lastState":{"terminated":{"exitCode":137,"reason":"OOMKilled"}}}"#
        let running = try report(try Self.deployment(), pods: [try Self.pod(oomOnce + "," + Self.runningSidecar)])
        #expect(running.state == .running)
        #expect(running.containers[0].message == "restarted after OOMKilled (restarts: 1)")
    }

    @Test("progress deadline exceeded fails; a progressing rollout starts; no deployment yet starts")
    func rolloutStates() throws {
        let deadline = try report(try Self.deployment(available: 1, progressing: "ProgressDeadlineExceeded"), pods: [])
        #expect(deadline.state == .failed)
        #expect(deadline.metadata["message"]?.hasPrefix("rollout failed:") == true)
        let creating = #"{"name":"web","ready":false,"restartCount":0,"state":{"waiting":{"reason":"ContainerCreating"}}}"#
        let progressing = try report(
            try Self.deployment(available: 0, progressing: "ReplicaSetUpdated"), pods: [try Self.pod(creating)])
        #expect(progressing.state == .starting)
        #expect(progressing.health == .unknown)
        #expect(progressing.containers[0].message == "ContainerCreating")
        #expect(progressing.containers[1].message == "no pod runs it yet")
        #expect(try report(nil, pods: []).state == .starting)
    }

    @Test("a terminating namespace is stopping; zero replicas is stopped; an unready container is unhealthy")
    func stoppingStoppedUnhealthy() throws {
        #expect(try report(try Self.deployment(), pods: [], terminating: true).state == .stopping)
        let zero = try report(try Self.deployment(desired: 0, replicas: 0, updated: 0, available: 0), pods: [])
        #expect(zero.state == .stopped)
        let unready = #"{"name":"web","ready":false,"restartCount":0,"state":{"running":{}}}"#
        let status = try report(try Self.deployment(), pods: [try Self.pod(unready + "," + Self.runningSidecar)])
        #expect(status.state == .running)
        #expect(status.health == .unhealthy)
    }
}

@Suite("Kubernetes endpoints from the Service")
struct ServiceEndpointsTests {
    static let ports = [
        PortMapping(containerPort: 8080, protocol: "tcp", name: "http"),
        PortMapping(containerPort: 9000, protocol: "udp"),
    ]

    @Test("ClusterIP: the cluster DNS name, ports matched by name or number")
    func clusterIP() throws {
        let service = try TenantStatusTests.decode(
            ObservedService.self,
            #"{"metadata":{"name":"tenant","namespace":"landlord-acme"},"spec":{"type":"ClusterIP","clusterIP":"10.0.0.7","ports":[{"name":"http","port":80},{"name":"port-9000","port":9000,"protocol":"UDP"}]}}"#)
        let endpoints = ServiceEndpoints.endpoints(of: service, ports: Self.ports)
        #expect(
            endpoints == [
                Endpoint(type: .http, address: "tenant.landlord-acme.svc", port: 80, url: "http://tenant.landlord-acme.svc:80"),
                Endpoint(type: .udp, address: "tenant.landlord-acme.svc", port: 9000),
            ])
    }

    @Test("LoadBalancer: nothing until the ingress is assigned, then its IP or hostname")
    func loadBalancer() throws {
        let pending = try TenantStatusTests.decode(
            ObservedService.self,
            #"{"metadata":{"name":"tenant","namespace":"landlord-acme"},"spec":{"type":"LoadBalancer","ports":[{"name":"http","port":8080}]},"status":{"loadBalancer":{}}}"#)
        #expect(ServiceEndpoints.endpoints(of: pending, ports: Self.ports).isEmpty)
        let assigned = try TenantStatusTests.decode(
            ObservedService.self,
            #"{"metadata":{"name":"tenant","namespace":"landlord-acme"},"spec":{"type":"LoadBalancer","ports":[{"name":"http","port":8080}]},"status":{"loadBalancer":{"ingress":[{"hostname":"a1.elb.example.com"}]}}}"#)
        #expect(
            ServiceEndpoints.endpoints(of: assigned, ports: Self.ports) == [
                Endpoint(type: .http, address: "a1.elb.example.com", port: 8080, url: "http://a1.elb.example.com:8080")
            ])
    }
}
