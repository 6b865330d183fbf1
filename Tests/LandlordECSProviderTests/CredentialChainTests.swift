import AsyncHTTPClient
import Foundation
import LandlordECSProvider
import LandlordProviderKitTesting
import NIOHTTP1
import Synchronization
import Testing

@Suite("AWS credential chain")
struct CredentialChainTests {
    static let http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)

    /// A directory of its own, removed when the test ends.
    func withDirectory<R>(_ body: (URL) async throws -> R) async throws -> R {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ecs-creds-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: url) }
        return try await body(url)
    }

    func chain(_ environment: [String: String], now: @escaping @Sendable () -> Date = { Date() }) -> AWSCredentialChain {
        AWSCredentialChain(
            environment: ["HOME": "/nonexistent", "AWS_EC2_METADATA_DISABLED": "true"].merging(environment) { $1 },
            region: "us-east-1", http: Self.http, now: now)
    }

    @Test("environment variables come first, with a session token")
    func environment() async throws {
        try await self.withDirectory { directory in
            let file = directory.appendingPathComponent("credentials")
            try "[default]\naws_access_key_id = FILEKEY\naws_secret_access_key = filesecret\n".write(to: file, atomically: true, encoding: .utf8)
            let chain = self.chain([
                "AWS_ACCESS_KEY_ID": "ENVKEY", "AWS_SECRET_ACCESS_KEY": "envsecret", "AWS_SESSION_TOKEN": "envtoken",
                "AWS_SHARED_CREDENTIALS_FILE": file.path,
            ])
            let credentials = try await chain.credentials()
            #expect(credentials.accessKeyID == "ENVKEY")
            #expect(credentials.secretAccessKey == "envsecret")
            #expect(credentials.sessionToken == "envtoken")
            #expect(credentials.source == "environment")
        }
    }

    @Test("shared files: AWS_PROFILE picks the section; the credentials file wins over the config file")
    func sharedFiles() async throws {
        try await self.withDirectory { directory in
            let credentials = directory.appendingPathComponent("credentials")
            let config = directory.appendingPathComponent("config")
            try """
                # comment
                [default]
                aws_access_key_id = DEFAULTKEY
                aws_secret_access_key = defaultsecret

                [dev]
                aws_access_key_id=DEVKEY
                aws_secret_access_key=devsecret
                aws_session_token=devtoken
                """.write(to: credentials, atomically: true, encoding: .utf8)
            try """
                [default]
                region = eu-west-1
                [profile cfg]
                aws_access_key_id = CFGKEY
                aws_secret_access_key = cfgsecret
                [profile dev]
                aws_access_key_id = SHADOWED
                [sso-session corp]
                aws_access_key_id = NOTAPROFILE
                """.write(to: config, atomically: true, encoding: .utf8)
            let files = ["AWS_SHARED_CREDENTIALS_FILE": credentials.path, "AWS_CONFIG_FILE": config.path]
            let byDefault = try await self.chain(files).credentials()
            #expect(byDefault.accessKeyID == "DEFAULTKEY")
            #expect(byDefault.source == "profile default")
            let dev = try await self.chain(files.merging(["AWS_PROFILE": "dev"]) { $1 }).credentials()
            #expect(dev.accessKeyID == "DEVKEY")
            #expect(dev.sessionToken == "devtoken")
            let cfg = try await self.chain(files.merging(["AWS_PROFILE": "cfg"]) { $1 }).credentials()
            #expect(cfg.accessKeyID == "CFGKEY")
            await #expect(throws: AWSCredentialChain.Failure.self) {
                _ = try await self.chain(files.merging(["AWS_PROFILE": "corp"]) { $1 }).credentials()
            }
        }
    }

    @Test("container credentials endpoint: full URI with the authorization token")
    func container() async throws {
        let expiration = "2099-01-01T00:00:00Z"
        try await LocalHTTPServer.with(handler: { request, _ in
            guard request.uri == "/creds", request.headers.first(name: "Authorization") == "Basic c2VjcmV0" else {
                return .json(403, "{}")
            }
            return .json(
                200,
                #"{"AccessKeyId":"ASIACONTAINER","SecretAccessKey":"containersecret","Token":"containertoken","Expiration":"\#(expiration)"}"#)
        }) { server in
            let chain = self.chain([
                "AWS_CONTAINER_CREDENTIALS_FULL_URI": server.url() + "/creds",
                "AWS_CONTAINER_AUTHORIZATION_TOKEN": "Basic c2VjcmV0",
            ])
            let credentials = try await chain.credentials()
            #expect(credentials.accessKeyID == "ASIACONTAINER")
            #expect(credentials.sessionToken == "containertoken")
            #expect(credentials.expiration == ISO8601DateFormatter().date(from: expiration))
            #expect(credentials.source == "container credentials endpoint")
        }
    }

    @Test("web identity: AssumeRoleWithWebIdentity against a local STS stand-in, the token file re-read")
    func webIdentity() async throws {
        try await self.withDirectory { directory in
            let token = directory.appendingPathComponent("token")
            try "first-token\n".write(to: token, atomically: true, encoding: .utf8)
            let seen = Mutex<[String]>([])
            try await LocalHTTPServer.with(handler: { request, _ in
                let body = request.bodyText
                seen.withLock { $0.append(body) }
                guard request.method == .POST, body.contains("Action=AssumeRoleWithWebIdentity"),
                    body.contains("RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Flandlord")
                else {
                    return .respond(status: 400, body: "<ErrorResponse><Error><Code>InvalidParameterValue</Code><Message>bad</Message></Error></ErrorResponse>")
                }
                let expires = ISO8601DateFormatter().string(from: Date().addingTimeInterval(60))
                return .respond(
                    status: 200, headers: [("Content-Type", "text/xml")],
                    body: """
                        <AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
                          <AssumeRoleWithWebIdentityResult>
                            <Credentials>
                              <AccessKeyId>ASIAWEB</AccessKeyId>
                              <SecretAccessKey>web/secret&amp;more</SecretAccessKey>
                              <SessionToken>webtoken</SessionToken>
                              <Expiration>\(expires)</Expiration>
                            </Credentials>
                          </AssumeRoleWithWebIdentityResult>
                        </AssumeRoleWithWebIdentityResponse>
                        """)
            }) { server in
                let chain = self.chain([
                    "AWS_WEB_IDENTITY_TOKEN_FILE": token.path, "AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/landlord",
                    "AWS_ENDPOINT_URL_STS": server.url(), "AWS_ROLE_SESSION_NAME": "test-session",
                ])
                let first = try await chain.credentials()
                #expect(first.accessKeyID == "ASIAWEB")
                #expect(first.secretAccessKey == "web/secret&more")
                #expect(first.sessionToken == "webtoken")
                #expect(seen.withLock { $0 }.first?.contains("WebIdentityToken=first-token") == true)
                #expect(seen.withLock { $0 }.first?.contains("RoleSessionName=test-session") == true)
                // They expire within the refresh window: the next call assumes the role again,
                // with the rotated token.
                try "second-token".write(to: token, atomically: true, encoding: .utf8)
                _ = try await chain.credentials()
                #expect(seen.withLock { $0 }.count == 2)
                #expect(seen.withLock { $0 }.last?.contains("WebIdentityToken=second-token") == true)
            }
        }
    }

    @Test("web identity: STS's error is one sentence without the token")
    func webIdentityError() async throws {
        try await self.withDirectory { directory in
            let token = directory.appendingPathComponent("token")
            try "secret-token".write(to: token, atomically: true, encoding: .utf8)
            try await LocalHTTPServer.with(handler: { _, _ in
                .respond(status: 403, body: "<ErrorResponse><Error><Code>AccessDenied</Code><Message>Not authorized</Message></Error></ErrorResponse>")
            }) { server in
                let chain = self.chain([
                    "AWS_WEB_IDENTITY_TOKEN_FILE": token.path, "AWS_ROLE_ARN": "arn:aws:iam::1:role/x",
                    "AWS_ENDPOINT_URL": server.url(),
                ])
                do {
                    _ = try await chain.credentials()
                    Issue.record("no error")
                } catch let error as AWSCredentialChain.Failure {
                    #expect(error.message.contains("AccessDenied"))
                    #expect(!error.message.contains("secret-token"))
                }
            }
        }
    }

    @Test("temporary credentials are cached until the refresh window, then fetched again")
    func expiryRefresh() async throws {
        let clock = Mutex(Date(timeIntervalSince1970: 4_000_000_000))
        let fetches = Mutex(0)
        try await LocalHTTPServer.with(handler: { _, _ in
            let number = fetches.withLock {
                $0 += 1
                return $0
            }
            let expiration = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: 4_000_000_000 + Double(number) * 600))
            return .json(200, #"{"AccessKeyId":"ASIA\#(number)","SecretAccessKey":"s","Token":"t","Expiration":"\#(expiration)"}"#)
        }) { server in
            let chain = self.chain(["AWS_CONTAINER_CREDENTIALS_FULL_URI": server.url() + "/"], now: { clock.withLock { $0 } })
            let first = try await chain.credentials()
            #expect(first.accessKeyID == "ASIA1")  // expires at +600 s
            clock.withLock { $0 = $0.addingTimeInterval(200) }  // 400 s left: more than the 300 s window
            let cached = try await chain.credentials()
            #expect(cached.accessKeyID == "ASIA1")
            #expect(fetches.withLock { $0 } == 1)
            clock.withLock { $0 = $0.addingTimeInterval(150) }  // 250 s left: refresh
            let refreshed = try await chain.credentials()
            #expect(refreshed.accessKeyID == "ASIA2")
            #expect(fetches.withLock { $0 } == 2)
        }
    }

    @Test("IMDSv2: a session token, the instance role, its credentials")
    func instanceMetadata() async throws {
        try await LocalHTTPServer.with(handler: { request, _ in
            switch (request.method, request.uri) {
            case (.PUT, "/latest/api/token"):
                guard request.headers.first(name: "X-aws-ec2-metadata-token-ttl-seconds") != nil else { return .json(400, "") }
                return .respond(status: 200, body: "imds-session")
            case (.GET, "/latest/meta-data/iam/security-credentials/"):
                guard request.headers.first(name: "X-aws-ec2-metadata-token") == "imds-session" else { return .respond(status: 401) }
                return .respond(status: 200, body: "landlord-role\n")
            case (.GET, "/latest/meta-data/iam/security-credentials/landlord-role"):
                guard request.headers.first(name: "X-aws-ec2-metadata-token") == "imds-session" else { return .respond(status: 401) }
                return .json(200, #"{"Code":"Success","AccessKeyId":"ASIAIMDS","SecretAccessKey":"imds","Token":"it","Expiration":"2099-01-01T00:00:00Z"}"#)
            default:
                return .respond(status: 404)
            }
        }) { server in
            let chain = self.chain(["AWS_EC2_METADATA_DISABLED": "false", "AWS_EC2_METADATA_SERVICE_ENDPOINT": server.url()])
            let credentials = try await chain.credentials()
            #expect(credentials.accessKeyID == "ASIAIMDS")
            #expect(credentials.source == "instance role landlord-role")
        }
    }

    @Test("nothing configured: one sentence saying what to set")
    func nothing() async throws {
        let chain = self.chain([:])
        #expect(chain.configuredSource() == nil)
        await #expect(throws: AWSCredentialChain.Failure.self) { _ = try await chain.credentials() }
    }
}
