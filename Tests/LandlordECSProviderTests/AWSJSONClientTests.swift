import AsyncHTTPClient
import Foundation
import LandlordECSProvider
import LandlordProviderKit
import LandlordProviderKitTesting
import NIOCore
import NIOHTTP1
import Synchronization
import Testing

@Suite("AWS JSON 1.1 client")
struct AWSJSONClientTests {
    static let http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
    static let credentials = AWSCredentials(accessKeyID: "AKIDTEST", secretAccessKey: "test/secret", sessionToken: "session-token")

    struct Input: Encodable { var cluster: String }
    struct Output: Decodable { var ok: Bool }

    func client(_ server: LocalHTTPServer) throws -> AWSJSONClient {
        let endpoint = try EngineEndpoint(parsing: server.url())
        let signer = AWSRequestSigner(
            signer: SigV4Signer(region: "us-east-1", service: "ecs"), endpoint: endpoint,
            credentials: { Self.credentials })
        let retry = AWSJSONClient.retryPolicy(maxAttempts: 3, baseDelay: .milliseconds(1), maxDelay: .milliseconds(1), sleep: { _ in })
        let engine = EngineClient(
            endpoint: endpoint,
            configuration: EngineClient.Configuration(
                retryPolicy: retry, credentials: .signed(by: { request in try await signer.sign(&request) })),
            httpClient: Self.http)
        return AWSJSONClient(engine: engine, targetPrefix: ECSAPI.targetPrefix)
    }

    @Test("a call is a signed POST / with the target and content type; the signature covers what was sent")
    func signedRequest() async throws {
        try await LocalHTTPServer.with(handler: { _, _ in .json(200, #"{"ok": true}"#) }) { server in
            let output: Output = try await self.client(server).call("DescribeClusters", Input(cluster: "c"), idempotent: true)
            #expect(output.ok)
            let request = try #require(server.requests.first)
            #expect(request.method == .POST)
            #expect(request.uri == "/")
            #expect(request.headers.first(name: "X-Amz-Target") == "AmazonEC2ContainerServiceV20141113.DescribeClusters")
            #expect(request.headers.first(name: "Content-Type") == "application/x-amz-json-1.1")
            #expect(request.headers.first(name: "X-Amz-Security-Token") == "session-token")
            #expect(request.bodyText == #"{"cluster":"c"}"#)
            let authorization = try #require(request.headers.first(name: "Authorization"))
            #expect(authorization.hasPrefix("AWS4-HMAC-SHA256 Credential=AKIDTEST/"))
            #expect(authorization.contains("/us-east-1/ecs/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target, Signature="))
            #expect(!authorization.contains("test/secret"))
            // Sign the received request again: the server would compute the same signature.
            let date = try #require(request.headers.first(name: "X-Amz-Date"))
            let signed = request.headers.filter { ["host", "content-type"].contains($0.name.lowercased()) || $0.name.lowercased().hasPrefix("x-amz-") }
                .map { (name: $0.name, value: $0.value) }
            let again = SigV4Signer(region: "us-east-1", service: "ecs").sign(
                method: "POST", path: "/", headers: signed, payloadHash: SigV4Signer.hexSHA256(request.body),
                credentials: Self.credentials, date: try #require(Self.parse(date)))
            #expect(again.authorization == authorization)
        }
    }

    static func parse(_ amzDate: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter.date(from: amzDate)
    }

    @Test("ThrottlingException is retried, also for a call that is not idempotent")
    func throttling() async throws {
        try await LocalHTTPServer.with(handler: { _, number in
            number == 1
                ? .json(400, #"{"__type": "ThrottlingException", "message": "Rate exceeded"}"#)
                : .json(200, #"{"ok": true}"#)
        }) { server in
            let output: Output = try await self.client(server).call("RegisterTaskDefinition", Input(cluster: "c"), idempotent: false)
            #expect(output.ok)
            #expect(server.requests.count == 2)
        }
    }

    @Test("5xx is retried for idempotent calls only")
    func serverErrors() async throws {
        try await LocalHTTPServer.with(handler: { _, number in
            number == 1 ? .json(500, #"{"__type": "ServerException", "message": "oops"}"#) : .json(200, #"{"ok": true}"#)
        }) { server in
            let _: Output = try await self.client(server).call("DescribeServices", Input(cluster: "c"), idempotent: true)
            #expect(server.requests.count == 2)
        }
        try await LocalHTTPServer.with(handler: { _, _ in .json(500, #"{"__type": "ServerException", "message": "oops"}"#) }) { server in
            await #expect(throws: AWSServiceError.self) {
                let _: Output = try await self.client(server).call("RegisterTaskDefinition", Input(cluster: "c"), idempotent: false)
            }
            #expect(server.requests.count == 1)
        }
    }

    @Test("errors: __type without its namespace, the x-amzn-ErrorType header, query-style XML")
    func errorMapping() async throws {
        let replies: [LocalHTTPServer.Reply] = [
            .json(400, #"{"__type": "com.amazonaws.ecs#ServiceNotFoundException", "message": "Service not found."}"#),
            .json(400, #"{"message": "Creation of service was not idempotent."}"#, headers: [("x-amzn-ErrorType", "InvalidParameterException:http://internal.amazon.com/")]),
            .respond(status: 403, body: "<ErrorResponse><Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match</Message></Error></ErrorResponse>"),
        ]
        try await LocalHTTPServer.with(handler: { _, number in replies[min(number, replies.count) - 1] }) { server in
            let client = try self.client(server)
            var errors: [AWSServiceError] = []
            for _ in replies {
                do {
                    let _: Output = try await client.call("CreateService", Input(cluster: "c"), idempotent: false)
                } catch let error as AWSServiceError {
                    errors.append(error)
                }
            }
            #expect(errors.map(\.type) == [.serviceNotFound, .invalidParameter, .signatureDoesNotMatch])
            #expect(errors[0].message == "Service not found.")
            #expect(errors[2].isCredentialFailure)
            #expect(!errors[0].isCredentialFailure)
            #expect("\(errors[1])" == "CreateService: InvalidParameterException: Creation of service was not idempotent.")
        }
    }
}
