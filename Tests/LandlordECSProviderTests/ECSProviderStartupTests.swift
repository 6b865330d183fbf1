import Foundation
import LandlordECSProvider
import LandlordProviderKit
import LandlordProviderKitTesting
import Testing

/// The start-up check's one-line failures that moto cannot produce (a denied permission, an
/// endpoint that does not answer, no credentials at all).
@Suite("ECS provider start-up check (scripted ECS)")
struct ECSProviderStartupTests {
    static let environment = ["AWS_ACCESS_KEY_ID": "AKIDTEST", "AWS_SECRET_ACCESS_KEY": "secret", "HOME": "/nonexistent"]

    static func check(endpoint: String, environment: [String: String] = Self.environment) async throws -> ProviderStartupFailure? {
        var configuration = ECSProvider.Configuration(region: "us-east-1", cluster: "prod", endpoint: endpoint)
        configuration.requestTimeout = .seconds(5)
        let provider = try ECSProvider(configuration: configuration, environment: environment)
        defer { Task { try? await provider.shutdown() } }
        do {
            _ = try await provider.checkEngine()
            return nil
        } catch let failure as ProviderStartupFailure {
            return failure
        }
    }

    @Test("a denied DescribeClusters names the permission and the policy file")
    func accessDenied() async throws {
        try await LocalHTTPServer.with(handler: { _, _ in
            .json(400, #"{"__type": "AccessDeniedException", "message": "User: arn:aws:iam::1:user/x is not authorized to perform: ecs:DescribeClusters"}"#)
        }) { server in
            let failure = try #require(try await Self.check(endpoint: server.url()))
            #expect(failure.message.hasPrefix("ecs provider: DescribeClusters at \(server.url()) failed (grant ecs:DescribeClusters"))
            #expect(failure.message.contains("deploy/aws/landlord-ecs-policy.json"))
            #expect(!failure.message.contains("\n"))
        }
    }

    @Test("an endpoint that does not answer is one line naming it and what to set")
    func unreachable() async throws {
        // A port nothing listens on: the server is started and stopped again.
        let server = try await LocalHTTPServer.start(handler: { _, _ in .json(200, "{}") })
        let url = server.url()
        await server.shutdown()
        let failure = try #require(try await Self.check(endpoint: url))
        #expect(failure.message.hasPrefix("ecs provider: cannot reach \(url)"))
        #expect(failure.message.contains("--ecs-endpoint"))
    }

    @Test("no credentials anywhere is one line saying what to set")
    func noCredentials() async throws {
        try await LocalHTTPServer.with(handler: { _, _ in .json(200, #"{"clusters": [{"clusterArn": "arn", "status": "ACTIVE"}]}"#) }) { server in
            let failure = try #require(
                try await Self.check(endpoint: server.url(), environment: ["HOME": "/nonexistent", "AWS_EC2_METADATA_DISABLED": "true"]))
            #expect(failure.message.hasPrefix("ecs provider: no AWS credentials"))
            #expect(server.requests.isEmpty)
        }
    }
}
