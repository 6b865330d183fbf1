package import AsyncHTTPClient
package import Foundation
internal import LandlordProviderKit
internal import NIOCore
internal import NIOHTTP1

/// The AWS default credential chain, in the SDKs' order, with temporary credentials cached and
/// refreshed before they expire:
///
/// 1. **environment**: `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` (and `AWS_SESSION_TOKEN`);
/// 2. **web identity**: `AWS_WEB_IDENTITY_TOKEN_FILE` + `AWS_ROLE_ARN` (`AWS_ROLE_SESSION_NAME`),
///    exchanged with STS `AssumeRoleWithWebIdentity` (endpoint `AWS_ENDPOINT_URL_STS`, then
///    `AWS_ENDPOINT_URL`, then `https://sts.<region>.amazonaws.com`); the token file is re-read at
///    every refresh, so a rotated token is used;
/// 3. **shared files**: the profile `AWS_PROFILE` (default `default`) of `AWS_SHARED_CREDENTIALS_FILE`
///    and `AWS_CONFIG_FILE` with static keys;
/// 4. **container credentials**: `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` (below
///    `http://169.254.170.2`) or `AWS_CONTAINER_CREDENTIALS_FULL_URI`, with
///    `AWS_CONTAINER_AUTHORIZATION_TOKEN(_FILE)` as `Authorization`;
/// 5. **EC2 instance metadata (IMDSv2)**: a session token from `PUT /latest/api/token`, then the
///    instance role's credentials (`AWS_EC2_METADATA_SERVICE_ENDPOINT` overrides the address,
///    `AWS_EC2_METADATA_DISABLED=true` skips it).
///
/// The first source that is configured answers; its failure is the chain's failure (as in the
/// SDKs, a configured source that fails does not fall through to the next one). Credentials with
/// an expiration are refreshed when less than ``refreshWindow`` is left.
package actor AWSCredentialChain {
    /// One place credentials can come from.
    package enum Source: String, Sendable, Hashable, CaseIterable {
        case environment
        case webIdentity = "web identity"
        case sharedFiles = "shared credentials/config files"
        case container = "container credentials endpoint"
        case instanceMetadata = "EC2 instance metadata (IMDSv2)"
    }

    /// Why no credentials could be found or fetched; never holds a secret.
    package struct Failure: Error, Sendable, Hashable, CustomStringConvertible {
        /// What went wrong.
        package var message: String
        package var description: String { self.message }
    }

    /// How long before their expiration temporary credentials are replaced: 5 minutes.
    package static let refreshWindow: Duration = .seconds(300)

    private let environment: [String: String]
    private let region: String
    private let http: HTTPClient
    private let now: @Sendable () -> Date
    private let window: Duration
    private var cached: AWSCredentials?
    /// The fetch in progress, shared by every caller that needs fresh credentials meanwhile.
    private var refreshing: Task<AWSCredentials, any Error>?

    /// A chain reading `environment` (landlord's) and fetching with `http`.
    ///
    /// - Parameters:
    ///   - environment: The process environment.
    ///   - region: The region (for the STS endpoint).
    ///   - http: The HTTP client remote sources are fetched with.
    ///   - refreshWindow: How long before expiry credentials are refreshed.
    ///   - now: The clock (tests move it).
    package init(
        environment: [String: String],
        region: String,
        http: HTTPClient,
        refreshWindow: Duration = AWSCredentialChain.refreshWindow,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.environment = environment
        self.region = region
        self.http = http
        self.window = refreshWindow
        self.now = now
    }

    /// The current credentials: the cached ones while they are not about to expire, else freshly
    /// resolved.
    ///
    /// - Throws: ``Failure`` naming the source and what to set.
    package func credentials() async throws -> AWSCredentials {
        if let cached = self.cached, !cached.expires(within: self.window, of: self.now()) { return cached }
        if let refreshing = self.refreshing { return try await refreshing.value }
        let task = Task { try await self.resolve() }
        self.refreshing = task
        defer { self.refreshing = nil }
        let fresh = try await task.value
        self.cached = fresh
        return fresh
    }

    /// The first configured source, or nil when none is.
    package nonisolated func configuredSource() -> Source? {
        let env = self.environment
        func set(_ name: String) -> Bool { !(env[name] ?? "").isEmpty }
        if set("AWS_ACCESS_KEY_ID") && set("AWS_SECRET_ACCESS_KEY") { return .environment }
        if set("AWS_WEB_IDENTITY_TOKEN_FILE") && set("AWS_ROLE_ARN") { return .webIdentity }
        let profile = SharedConfigFiles(environment: env).profile(self.profileName)
        if let profile, profile["aws_access_key_id"] != nil { return .sharedFiles }
        if set("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") || set("AWS_CONTAINER_CREDENTIALS_FULL_URI") { return .container }
        if (env["AWS_EC2_METADATA_DISABLED"] ?? "").lowercased() != "true" { return .instanceMetadata }
        return nil
    }

    private nonisolated var profileName: String {
        let name = self.environment["AWS_PROFILE"] ?? ""
        return name.isEmpty ? "default" : name
    }

    private func resolve() async throws -> AWSCredentials {
        guard let source = self.configuredSource() else {
            throw Failure(
                message:
                    "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN, AWS_PROFILE with a credentials file, or run with a container or instance role"
            )
        }
        switch source {
        case .environment:
            return AWSCredentials(
                accessKeyID: self.environment["AWS_ACCESS_KEY_ID"]!,
                secretAccessKey: self.environment["AWS_SECRET_ACCESS_KEY"]!,
                sessionToken: self.environment["AWS_SESSION_TOKEN"].flatMap { $0.isEmpty ? nil : $0 },
                source: source.rawValue)
        case .sharedFiles:
            let profile = SharedConfigFiles(environment: self.environment).profile(self.profileName) ?? [:]
            guard let secret = profile["aws_secret_access_key"], let id = profile["aws_access_key_id"] else {
                throw Failure(message: "AWS profile \"\(self.profileName)\" has aws_access_key_id but no aws_secret_access_key")
            }
            return AWSCredentials(
                accessKeyID: id, secretAccessKey: secret, sessionToken: profile["aws_session_token"],
                source: "profile \(self.profileName)")
        case .webIdentity:
            return try await self.webIdentity()
        case .container:
            return try await self.container()
        case .instanceMetadata:
            do {
                return try await self.instanceMetadata()
            } catch let failure as Failure {
                throw Failure(
                    message:
                        "no AWS credentials in the environment, a web identity, a profile or a container endpoint, and \(failure.message) (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or run with a role)")
            }
        }
    }

    // MARK: - Web identity

    private func webIdentity() async throws -> AWSCredentials {
        let tokenPath = self.environment["AWS_WEB_IDENTITY_TOKEN_FILE"]!
        let roleARN = self.environment["AWS_ROLE_ARN"]!
        guard let token = try? String(contentsOfFile: tokenPath, encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines), !token.isEmpty
        else {
            throw Failure(message: "cannot read the web identity token file \(tokenPath) (AWS_WEB_IDENTITY_TOKEN_FILE)")
        }
        let session = self.environment["AWS_ROLE_SESSION_NAME"].flatMap { $0.isEmpty ? nil : $0 } ?? "landlord"
        let endpoint =
            AWSEndpoints.override(service: "STS", environment: self.environment)
            ?? "https://sts.\(self.region).amazonaws.com"
        let form: [(String, String)] = [
            ("Action", "AssumeRoleWithWebIdentity"), ("Version", "2011-06-15"), ("RoleArn", roleARN),
            ("RoleSessionName", session), ("WebIdentityToken", token),
        ]
        let body = form.map { "\(SigV4Signer.uriEncode($0.0))=\(SigV4Signer.uriEncode($0.1))" }.joined(separator: "&")
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded; charset=utf-8")
        headers.add(name: "Accept", value: "application/xml")
        let response = try await self.fetch(
            endpoint, path: "/", method: .POST, headers: headers, body: body, operation: "STS AssumeRoleWithWebIdentity")
        guard response.status == 200 else {
            let code = STSResponse.element("Code", in: response.text) ?? "HTTP \(response.status)"
            let message = STSResponse.element("Message", in: response.text) ?? ""
            throw Failure(
                message: "STS AssumeRoleWithWebIdentity for role \(roleARN) at \(endpoint) failed: \(code) \(message)"
                    .trimmingCharacters(in: .whitespaces))
        }
        guard let id = STSResponse.element("AccessKeyId", in: response.text),
            let secret = STSResponse.element("SecretAccessKey", in: response.text)
        else { throw Failure(message: "STS AssumeRoleWithWebIdentity at \(endpoint) answered no credentials") }
        return AWSCredentials(
            accessKeyID: id, secretAccessKey: secret, sessionToken: STSResponse.element("SessionToken", in: response.text),
            expiration: STSResponse.element("Expiration", in: response.text).flatMap(Self.parseDate),
            source: "web identity (\(roleARN))")
    }

    // MARK: - Container credentials

    private func container() async throws -> AWSCredentials {
        let url: String
        if let relative = self.environment["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"], !relative.isEmpty {
            url = "http://169.254.170.2" + relative
        } else {
            url = self.environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"]!
        }
        guard let split = Self.splitURL(url) else {
            throw Failure(message: "the container credentials address \(url) is not an http(s) URL")
        }
        var headers = HTTPHeaders()
        if let token = self.environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"], !token.isEmpty {
            headers.add(name: "Authorization", value: token)
        } else if let file = self.environment["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"], !file.isEmpty {
            guard let token = try? String(contentsOfFile: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            else { throw Failure(message: "cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE \(file)") }
            headers.add(name: "Authorization", value: token)
        }
        let response = try await self.fetch(
            split.base, path: split.path, method: .GET, headers: headers, body: nil,
            operation: "fetch container credentials")
        guard response.status == 200 else {
            throw Failure(message: "the container credentials endpoint \(split.base) answered HTTP \(response.status)")
        }
        return try Self.decodeJSONCredentials(response, source: Source.container.rawValue, from: split.base)
    }

    // MARK: - IMDSv2

    private func instanceMetadata() async throws -> AWSCredentials {
        let base = self.environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"].flatMap { $0.isEmpty ? nil : $0 }
            ?? "http://169.254.169.254"
        var tokenHeaders = HTTPHeaders()
        tokenHeaders.add(name: "X-aws-ec2-metadata-token-ttl-seconds", value: "21600")
        let token = try await self.fetch(
            base, path: "/latest/api/token", method: .PUT, headers: tokenHeaders, body: nil,
            operation: "IMDSv2 token", timeout: .seconds(2))
        guard token.status == 200 else {
            throw Failure(message: "the EC2 instance metadata service at \(base) answered HTTP \(token.status) for a token")
        }
        var headers = HTTPHeaders()
        headers.add(name: "X-aws-ec2-metadata-token", value: token.text.trimmingCharacters(in: .whitespacesAndNewlines))
        let list = try await self.fetch(
            base, path: "/latest/meta-data/iam/security-credentials/", method: .GET, headers: headers, body: nil,
            operation: "IMDSv2 role", timeout: .seconds(2))
        guard list.status == 200,
            let role = list.text.split(whereSeparator: \.isNewline).first.map(String.init), !role.isEmpty
        else {
            throw Failure(message: "the EC2 instance at \(base) has no instance role (HTTP \(list.status))")
        }
        let credentials = try await self.fetch(
            base, path: "/latest/meta-data/iam/security-credentials/" + role, method: .GET, headers: headers,
            body: nil, operation: "IMDSv2 credentials", timeout: .seconds(2))
        guard credentials.status == 200 else {
            throw Failure(message: "the EC2 instance metadata service at \(base) answered HTTP \(credentials.status) for role \(role)")
        }
        return try Self.decodeJSONCredentials(credentials, source: "instance role \(role)", from: base)
    }

    // MARK: - Helpers

    private func fetch(
        _ base: String, path: String, method: HTTPMethod, headers: HTTPHeaders, body: String?, operation: String,
        timeout: Duration = .seconds(10)
    ) async throws -> EngineResponse {
        let endpoint: EngineEndpoint
        do {
            endpoint = try EngineEndpoint(parsing: base)
        } catch {
            throw Failure(message: "\(operation): \(error.message)")
        }
        let client = EngineClient(
            endpoint: endpoint,
            configuration: EngineClient.Configuration(
                requestTimeout: timeout, connectTimeout: .seconds(2),
                retryPolicy: RetryPolicy(maxAttempts: 2, baseDelay: .milliseconds(100), maxDelay: .seconds(1))),
            httpClient: self.http)
        var request = EngineRequest(method, path, headers: headers, operation: operation)
        request.idempotent = true
        if let body { request.body = ByteBuffer(string: body) }
        do {
            return try await client.execute(request)
        } catch let error as EngineClientError {
            throw Failure(message: "\(operation) at \(base) failed: \(error.message)")
        }
    }

    /// `http://host:port` and the path of a URL.
    private static func splitURL(_ url: String) -> (base: String, path: String)? {
        guard let scheme = url.range(of: "://") else { return nil }
        let rest = url[scheme.upperBound...]
        guard let slash = rest.firstIndex(of: "/") else { return (url, "/") }
        return (String(url[..<slash]), String(url[slash...]))
    }

    private struct JSONCredentials: Decodable {
        var AccessKeyId: String
        var SecretAccessKey: String
        var Token: String?
        var Expiration: String?
    }

    private static func decodeJSONCredentials(
        _ response: EngineResponse, source: String, from base: String
    ) throws -> AWSCredentials {
        guard let decoded = try? JSONDecoder().decode(JSONCredentials.self, from: Data(response.body.readableBytesView))
        else { throw Failure(message: "\(source) at \(base) answered no credentials") }
        return AWSCredentials(
            accessKeyID: decoded.AccessKeyId, secretAccessKey: decoded.SecretAccessKey, sessionToken: decoded.Token,
            expiration: decoded.Expiration.flatMap(Self.parseDate), source: source)
    }

    /// An ISO 8601 time (`2026-12-07T12:00:00Z`, fractions allowed).
    static func parseDate(_ text: String) -> Date? {
        let plain = ISO8601DateFormatter()
        if let date = plain.date(from: text) { return date }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return fractional.date(from: text)
    }
}

/// The few elements landlord reads from an STS XML answer.
enum STSResponse {
    /// The text of the first `<name>...</name>` element, XML entities decoded.
    static func element(_ name: String, in xml: String) -> String? {
        guard let open = xml.range(of: "<\(name)>"),
            let close = xml.range(of: "</\(name)>", range: open.upperBound..<xml.endIndex)
        else { return nil }
        return String(xml[open.upperBound..<close.lowerBound])
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&apos;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
    }
}
