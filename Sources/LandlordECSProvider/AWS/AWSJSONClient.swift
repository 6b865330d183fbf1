package import Foundation
package import LandlordProviderKit
internal import NIOCore
internal import NIOHTTP1

/// A client of one AWS JSON 1.1 API (`POST /`, `X-Amz-Target: <prefix>.<Operation>`,
/// `Content-Type: application/x-amz-json-1.1`) over the kit's ``EngineClient``, whose retry policy
/// retries throttling for every call and 5xx for idempotent ones, and whose signer signs each
/// attempt with SigV4 (``AWSRequestSigner``).
package struct AWSJSONClient: Sendable {
    /// The engine client (endpoint, deadlines, retries, signing).
    package let engine: EngineClient
    /// The `X-Amz-Target` prefix, e.g. `AmazonEC2ContainerServiceV20141113`.
    package let targetPrefix: String

    /// A client calling `engine` with target prefix `targetPrefix`.
    package init(engine: EngineClient, targetPrefix: String) {
        self.engine = engine
        self.targetPrefix = targetPrefix
    }

    /// The retry policy of AWS calls: throttling answers (`ThrottlingException` and its kin in a
    /// 400, or 429) retried for every call, 500/502/503/504 for idempotent ones, full jitter
    /// between `baseDelay` and `maxDelay`.
    package static func retryPolicy(
        maxAttempts: Int = 5, baseDelay: Duration = .milliseconds(200), maxDelay: Duration = .seconds(5),
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    ) -> RetryPolicy {
        RetryPolicy(
            maxAttempts: maxAttempts, baseDelay: baseDelay, maxDelay: maxDelay, retryableStatuses: [500, 502, 503, 504],
            isThrottled: { status, body in AWSServiceError.isThrottled(status: status, body: Array(body.readableBytesView)) },
            sleep: sleep)
    }

    /// The `Content-Type` of the protocol.
    package static let contentType = "application/x-amz-json-1.1"

    /// Calls `operation` with `input`.
    ///
    /// - Parameters:
    ///   - operation: The operation, e.g. `DescribeServices`.
    ///   - input: The request document.
    ///   - idempotent: Whether the call may be repeated after AWS may have acted on it (reads, and
    ///     writes with a `clientToken`); 5xx answers are retried only then.
    /// - Throws: ``AWSServiceError`` for an error answer, ``EngineClientError`` for transport
    ///   failures or an unreadable answer; `CancellationError`.
    package func call<Output: Decodable>(
        _ operation: String, _ input: some Encodable, idempotent: Bool, as output: Output.Type = Output.self
    ) async throws -> Output {
        var request = EngineRequest(.POST, "/", idempotent: idempotent, operation: operation)
        request.body = ByteBuffer(bytes: try EngineRequest.jsonEncoder.encode(input))
        request.headers.replaceOrAdd(name: "Content-Type", value: Self.contentType)
        request.headers.replaceOrAdd(name: "X-Amz-Target", value: "\(self.targetPrefix).\(operation)")
        let response = try await self.engine.execute(request)
        guard (200..<300).contains(response.status) else {
            throw AWSServiceError.from(response, operation: operation)
        }
        return try response.decode(Output.self)
    }
}

/// The SigV4 signer of an ``EngineClient``'s requests: sets `Host`, `X-Amz-Date`,
/// `X-Amz-Security-Token` (temporary credentials) and `Authorization`, signing `host`,
/// `content-type` and every `x-amz-*` header and the body's hash; credentials come from the chain
/// at each attempt, so refreshed ones are used.
package struct AWSRequestSigner: Sendable {
    /// The scope's region and service.
    package var signer: SigV4Signer
    /// The endpoint requests go to (for `Host` and the path prefix).
    package var endpoint: EngineEndpoint
    /// Answers the current credentials.
    package var credentials: @Sendable () async throws -> AWSCredentials
    /// The signing clock.
    package var now: @Sendable () -> Date

    package init(
        signer: SigV4Signer, endpoint: EngineEndpoint, credentials: @escaping @Sendable () async throws -> AWSCredentials,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.signer = signer
        self.endpoint = endpoint
        self.credentials = credentials
        self.now = now
    }

    /// The `Host` header of the endpoint (the port only when not the scheme's default).
    package var hostHeader: String {
        switch self.endpoint {
        case .url(let scheme, let host, let port, _):
            let name = host.contains(":") ? "[\(host)]" : host
            return port == scheme.defaultPort ? name : "\(name):\(port)"
        case .unixSocket(_, let hostHeader, _):
            return hostHeader
        }
    }

    /// Signs `request` in place.
    package func sign(_ request: inout EngineRequest) async throws {
        let credentials = try await self.credentials()
        let date = self.now()
        request.headers.replaceOrAdd(name: "Host", value: self.hostHeader)
        request.headers.replaceOrAdd(name: "X-Amz-Date", value: SigV4Signer.amzDate(date))
        if let token = credentials.sessionToken {
            request.headers.replaceOrAdd(name: "X-Amz-Security-Token", value: token)
        } else {
            request.headers.remove(name: "X-Amz-Security-Token")
        }
        request.headers.remove(name: "Authorization")
        let payloadHash = SigV4Signer.hexSHA256(request.body.map { Array($0.readableBytesView) } ?? [])
        let signed = request.headers.filter { header in
            let name = header.name.lowercased()
            return name == "host" || name == "content-type" || name.hasPrefix("x-amz-")
        }.map { (name: $0.name, value: $0.value) }
        let signature = self.signer.sign(
            method: request.method.rawValue, path: self.endpoint.pathPrefix + request.path, query: request.query,
            headers: signed, payloadHash: payloadHash, credentials: credentials, date: date)
        request.headers.replaceOrAdd(name: "Authorization", value: signature.authorization)
    }
}
