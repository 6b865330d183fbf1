import Foundation
import LandlordCompute
import LandlordECSProvider
import LandlordProviderKitTesting
import NIOHTTP1
import Synchronization
import Testing

/// What two landlords on one tenant get where moto cannot show it (moto replaces a service on a
/// second create and has no client tokens): a scripted ECS on `LocalHTTPServer` answering as AWS
/// does.
@Suite("ECS provider: concurrent landlords (scripted ECS)")
struct ECSProviderConcurrencyTests {
    static let environment = ["AWS_ACCESS_KEY_ID": "AKIDTEST", "AWS_SECRET_ACCESS_KEY": "secret", "HOME": "/nonexistent"]

    /// The calls the provider made: operation and body.
    final class Journal: Sendable {
        let calls = Mutex<[(String, String)]>([])
        func record(_ request: LocalHTTPServer.Request) -> String {
            let operation = request.headers.first(name: "X-Amz-Target")?.split(separator: ".").last.map(String.init) ?? ""
            self.calls.withLock { $0.append((operation, request.bodyText)) }
            return operation
        }
        func count(_ operation: String) -> Int { self.calls.withLock { $0.filter { $0.0 == operation }.count } }
        func bodies(_ operation: String) -> [String] { self.calls.withLock { $0.filter { $0.0 == operation }.map(\.1) } }
    }

    static func provider(_ server: LocalHTTPServer) throws -> ECSProvider {
        try ECSProvider(
            configuration: ECSProvider.Configuration(
                region: "us-east-1", cluster: "default", endpoint: server.url(), subnets: ["subnet-1"]),
            environment: Self.environment)
    }

    static func arn(_ tenant: String, _ revision: Int) -> String {
        "arn:aws:ecs:us-east-1:123456789012:task-definition/landlord-\(tenant):\(revision)"
    }

    static func serviceJSON(_ tenant: String, revision: Int, launchType: String = "FARGATE") -> String {
        #"{"services": [{"serviceArn": "arn:aws:ecs:us-east-1:123456789012:service/default/landlord-\#(tenant)", "serviceName": "landlord-\#(tenant)", "status": "ACTIVE", "desiredCount": 1, "runningCount": 1, "launchType": "\#(launchType)", "taskDefinition": "\#(Self.arn(tenant, revision))", "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-1"], "assignPublicIp": "DISABLED"}}, "tags": [{"key": "landlord.dev/tenant-id", "value": "\#(tenant)"}], "createdAt": 1733560000.0}], "failures": []}"#
    }

    static func taskDefinitionJSON(_ spec: TenantComputeSpec, arn: String) throws -> String {
        let plan = try ECSTenantPlan.make(
            spec, configuration: ECSProvider.Configuration(region: "us-east-1", cluster: "default", subnets: ["subnet-1"])
        ).get()
        let containers = String(decoding: try JSONEncoder().encode(plan.taskDefinition.containerDefinitions), as: UTF8.self)
        return #"{"taskDefinition": {"taskDefinitionArn": "\#(arn)", "family": "landlord-\#(spec.tenantID)", "status": "ACTIVE", "containerDefinitions": \#(containers)}}"#
    }

    @Test("two landlords creating one tenant: the loser gets ALREADY_EXISTS and its revision is deregistered")
    func provisionRace() async throws {
        let journal = Journal()
        let tenant = "race"
        try await LocalHTTPServer.with(handler: { request, _ in
            switch journal.record(request) {
            case "DescribeServices":
                return .json(200, #"{"services": [], "failures": [{"arn": "x", "reason": "MISSING"}]}"#)
            case "RegisterTaskDefinition":
                return .json(200, #"{"taskDefinition": {"taskDefinitionArn": "\#(Self.arn(tenant, 7))"}}"#)
            case "CreateService":
                return .json(400, #"{"__type": "InvalidParameterException", "message": "Creation of service was not idempotent."}"#)
            case "DeregisterTaskDefinition":
                return .json(200, #"{"taskDefinition": {"taskDefinitionArn": "\#(Self.arn(tenant, 7))"}}"#)
            default:
                return .json(400, #"{"__type": "UnknownOperationException"}"#)
            }
        }) { server in
            let provider = try Self.provider(server)
            defer { Task { try? await provider.shutdown() } }
            do {
                _ = try await provider.provision(TenantComputeSpec.ecs(tenant))
                Issue.record("the losing provision succeeded")
            } catch let error as ComputeError {
                #expect(error.kind == .alreadyExists)
                #expect(error.message.contains("another landlord"))
            }
            #expect(journal.bodies("DeregisterTaskDefinition") == [#"{"taskDefinition":"\#(Self.arn(tenant, 7))"}"#])
            let create = try #require(journal.bodies("CreateService").first)
            #expect(create.contains(#""clientToken":""#))
            #expect(create.contains(#""deploymentCircuitBreaker":{"enable":true,"rollback":true}"#))
        }
    }

    @Test("the same spec twice gives the same client token (a retried or concurrent create is idempotent)")
    func clientToken() async throws {
        let journal = Journal()
        try await LocalHTTPServer.with(handler: { request, _ in
            switch journal.record(request) {
            case "DescribeServices": return .json(200, #"{"services": []}"#)
            case "RegisterTaskDefinition": return .json(200, #"{"taskDefinition": {"taskDefinitionArn": "\#(Self.arn("token", 1))"}}"#)
            case "CreateService": return .json(200, #"{"service": {"serviceName": "landlord-token", "status": "ACTIVE", "createdAt": 1.0}}"#)
            default: return .json(200, "{}")
            }
        }) { server in
            let provider = try Self.provider(server)
            defer { Task { try? await provider.shutdown() } }
            _ = try await provider.provision(TenantComputeSpec.ecs("token"))
            _ = try await provider.provision(TenantComputeSpec.ecs("token"))
            var other = TenantComputeSpec.ecs("token")
            other.containers[0].image = "nginx:1.27"
            _ = try await provider.provision(other)
            func token(_ body: String) -> String? {
                body.range(of: #""clientToken":"[0-9a-f]+""#, options: .regularExpression).map { String(body[$0]) }
            }
            let tokens = journal.bodies("CreateService").compactMap(token)
            #expect(tokens.count == 3)
            #expect(tokens[0] == tokens[1])
            #expect(tokens[0] != tokens[2])
        }
    }

    @Test("an update that another landlord overtook fails with ALREADY_EXISTS and registers nothing lasting")
    func updateRace() async throws {
        let journal = Journal()
        let tenant = "overtaken"
        let old = TenantComputeSpec.ecs(tenant)
        let oldDefinition = try Self.taskDefinitionJSON(old, arn: Self.arn(tenant, 1))
        try await LocalHTTPServer.with(handler: { request, _ in
            switch journal.record(request) {
            case "DescribeServices":
                // The first read sees revision 1; by the check before UpdateService another
                // landlord has deployed revision 2.
                return .json(200, Self.serviceJSON(tenant, revision: journal.count("DescribeServices") == 1 ? 1 : 2))
            case "DescribeTaskDefinition":
                return .json(200, oldDefinition)
            case "RegisterTaskDefinition":
                return .json(200, #"{"taskDefinition": {"taskDefinitionArn": "\#(Self.arn(tenant, 3))"}}"#)
            case "DeregisterTaskDefinition":
                return .json(200, #"{"taskDefinition": {"taskDefinitionArn": "\#(Self.arn(tenant, 3))"}}"#)
            default:
                return .json(400, #"{"__type": "UnexpectedCall"}"#)
            }
        }) { server in
            let provider = try Self.provider(server)
            defer { Task { try? await provider.shutdown() } }
            var new = old
            new.containers[0].image = "nginx:1.27"
            do {
                _ = try await provider.update(tenantID: tenant, spec: new)
                Issue.record("the overtaken update succeeded")
            } catch let error as ComputeError {
                #expect(error.kind == .alreadyExists)
                #expect(error.message.contains("updated concurrently"))
            }
            #expect(journal.count("UpdateService") == 0)
            #expect(journal.bodies("DeregisterTaskDefinition") == [#"{"taskDefinition":"\#(Self.arn(tenant, 3))"}"#])
        }
    }

    @Test("a launch type change is refused: ECS cannot change it on a service")
    func launchTypeChange() async throws {
        let tenant = "launch"
        try await LocalHTTPServer.with(handler: { request, _ in
            let target = request.headers.first(name: "X-Amz-Target") ?? ""
            return target.hasSuffix("DescribeServices")
                ? .json(200, Self.serviceJSON(tenant, revision: 1, launchType: "EC2")) : .json(400, #"{"__type": "UnexpectedCall"}"#)
        }) { server in
            let provider = try Self.provider(server)
            defer { Task { try? await provider.shutdown() } }
            do {
                _ = try await provider.update(tenantID: tenant, spec: TenantComputeSpec.ecs(tenant))
                Issue.record("no error")
            } catch let error as ComputeError {
                #expect(error.kind == .updateFailed)
                #expect(error.message.contains("provider_config.launch_type: EC2 -> FARGATE"))
            }
        }
    }
}
