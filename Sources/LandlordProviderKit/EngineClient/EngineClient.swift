package import AsyncHTTPClient
internal import Foundation
package import Logging
package import NIOCore
internal import NIOHTTP1
internal import NIOPosix
internal import NIOSSL

/// A JSON-over-HTTP client of one engine's API (a container engine, a cluster or cloud API):
/// endpoint, deadlines, retries, TLS, credentials; it knows no particular engine.
///
/// ``execute(_:)`` answers any status (callers map statuses to their own errors);
/// ``execute(_:expecting:)`` throws ``EngineClientError`` for an unexpected one. Failures are
/// ``EngineClientError``s; a cancelled task gets `CancellationError`.
package final class EngineClient: Sendable {
    /// Where the engine is.
    package let endpoint: EngineEndpoint
    /// How calls are made.
    package let configuration: Configuration
    /// The HTTP client calls go through (created by the client, or given to it).
    package let http: HTTPClient

    private let ownsHTTPClient: Bool
    private let baseURL: String
    private let logger: Logger

    /// A client with an HTTP client of its own, configured from `configuration` (TLS, connect
    /// timeout, connection limits); call ``shutdown()`` when done.
    ///
    /// - Throws: ``EngineConfigurationError`` when the TLS files cannot be read or parsed.
    package init(
        endpoint: EngineEndpoint,
        configuration: Configuration = .defaults,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "landlord.engine-client", factory: { _ in SwiftLogNoOpLogHandler() })
    ) throws(EngineConfigurationError) {
        var http = HTTPClient.Configuration(redirectConfiguration: .disallow)
        http.timeout = .init(connect: .nanoseconds(configuration.connectTimeout.nanoseconds))
        http.connectionPool.idleTimeout = .nanoseconds(configuration.idleTimeout.nanoseconds)
        http.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = max(1, configuration.maximumConnections)
        // The retry policy decides about failed connections; the pool must not retry them until
        // the connect timeout.
        http.connectionPool.retryConnectionEstablishment = false
        var baseURL = endpoint.baseURL()
        if endpoint.usesTLS {
            let tls = configuration.tls ?? .systemDefault
            http.tlsConfiguration = try tls.makeTLSConfiguration()
            if let serverName = tls.serverName, let host = endpoint.host, serverName != host {
                // Connect to the endpoint's host, verify (and send SNI for) the server name.
                http.dnsOverride = [serverName: host]
                baseURL = endpoint.baseURL(host: serverName)
            }
        }
        self.endpoint = endpoint
        self.configuration = configuration
        self.http = HTTPClient(eventLoopGroup: eventLoopGroup, configuration: http, backgroundActivityLogger: logger)
        self.ownsHTTPClient = true
        self.baseURL = baseURL
        self.logger = logger
    }

    /// A client on an existing HTTP client, which the caller shuts down; the configuration's TLS
    /// settings, connect timeout and connection limits are the HTTP client's business then.
    package init(
        endpoint: EngineEndpoint,
        configuration: Configuration = .defaults,
        httpClient: HTTPClient,
        logger: Logger = Logger(label: "landlord.engine-client", factory: { _ in SwiftLogNoOpLogHandler() })
    ) {
        self.endpoint = endpoint
        self.configuration = configuration
        self.http = httpClient
        self.ownsHTTPClient = false
        self.baseURL = endpoint.baseURL()
        self.logger = logger
    }

    deinit {
        // An orderly owner calls shutdown(); otherwise release the connections now (shutting
        // down twice only reports an error to the callback).
        if self.ownsHTTPClient { self.http.shutdown { _ in } }
    }

    /// Closes the client's connections (nothing when the HTTP client was given to it). Call it
    /// once, when the client is no longer used.
    package func shutdown() async throws {
        if self.ownsHTTPClient { try await self.http.shutdown() }
    }

    // MARK: - Calls

    /// Sends `request`, retrying as the ``RetryPolicy`` says, and answers the last answer
    /// whatever its status.
    ///
    /// - Throws: ``EngineClientError`` (unreachable, timed out, TLS, invalid response,
    ///   credentials); `CancellationError` when the task is cancelled.
    package func execute(_ request: EngineRequest) async throws -> EngineResponse {
        try await self.run(request, streaming: false, { _ in })
    }

    /// Sends `request` like ``execute(_:)`` and throws for a status outside `statuses`.
    ///
    /// - Throws: ``EngineClientError`` of kind ``EngineClientError/Kind/status(_:)`` with the
    ///   engine's message, or what ``execute(_:)`` throws.
    package func execute(_ request: EngineRequest, expecting statuses: Set<Int>) async throws -> EngineResponse {
        let response = try await self.execute(request)
        guard statuses.contains(response.status) else {
            throw EngineClientError(
                .status(response.status), operation: request.operation, message: response.errorMessage)
        }
        return response
    }

    /// Sends `request` like ``execute(_:)``, but hands the body of a 2xx answer to `consume`
    /// chunk by chunk as it arrives (no size limit; the answer's ``EngineResponse/body`` is then
    /// empty). Other answers are read whole and answered as by ``execute(_:)``. A call is not
    /// retried once its body is streaming.
    ///
    /// - Throws: what ``execute(_:)`` throws, and what `consume` throws.
    package func execute(
        _ request: EngineRequest,
        streamingBody consume: (ByteBuffer) async throws -> Void
    ) async throws -> EngineResponse {
        try await self.run(request, streaming: true, consume)
    }

    // MARK: - Attempts

    /// How a failed attempt may be retried.
    private enum Retry {
        /// Never: the deadline passed, TLS failed, the answer was unusable.
        case never
        /// Only for idempotent requests: the engine may have acted.
        case ifIdempotent
        /// For every request: nothing reached the engine.
        case always
    }

    private enum Outcome {
        case answered(EngineResponse)
        case streaming(HTTPClientResponse)
    }

    private func run(
        _ request: EngineRequest,
        streaming: Bool,
        _ consume: (ByteBuffer) async throws -> Void
    ) async throws -> EngineResponse {
        let policy = self.configuration.retryPolicy
        let timeout = request.timeout ?? self.configuration.requestTimeout
        // NIODeadline must not overflow: a call longer than a year has no deadline worth keeping.
        let deadline = NIODeadline.now() + .nanoseconds(min(max(timeout.nanoseconds, 0), 365 * 86_400 * 1_000_000_000))
        let idempotent = request.isIdempotent
        var attempt = 0
        while true {
            attempt += 1
            if Task.isCancelled { throw CancellationError() }
            let prepared = try await self.prepare(request)
            let last: Result<EngineResponse, EngineClientError>
            let delay: Duration
            do {
                switch try await self.attempt(prepared, deadline: deadline, streaming: streaming, request) {
                case .streaming(let response):
                    try await self.stream(response, to: consume, request)
                    return EngineResponse(
                        status: Int(response.status.code), headers: response.headers, operation: request.operation)
                case .answered(let answer):
                    guard attempt < policy.maxAttempts,
                        policy.shouldRetry(status: answer.status, body: answer.body, idempotent: idempotent)
                    else { return answer }
                    last = .success(answer)
                    delay = policy.delay(after: attempt, retryAfter: RetryPolicy.retryAfter(answer.headers))
                }
            } catch let failure as AttemptFailure {
                let retryable =
                    switch failure.retry {
                    case .never: false
                    case .ifIdempotent: idempotent
                    case .always: true
                    }
                guard attempt < policy.maxAttempts, retryable else {
                    throw self.final(failure.error, attempts: attempt)
                }
                last = .failure(failure.error)
                delay = policy.delay(after: attempt)
            }
            if NIODeadline.now() + .nanoseconds(delay.nanoseconds) >= deadline {
                // The next attempt would start after the deadline: the last outcome stands.
                switch last {
                case .success(let answer): return answer
                case .failure(let error): throw self.final(error, attempts: attempt)
                }
            }
            self.logger.debug(
                "engine call retried",
                metadata: [
                    "operation": "\(request.operation)", "attempt": "\(attempt + 1)",
                    "reason": "\(Self.reason(last))", "delay_ms": "\(delay.nanoseconds / 1_000_000)",
                ]
            )
            do {
                try await policy.sleep(delay)
            } catch {
                throw CancellationError()
            }
        }
    }

    private struct AttemptFailure: Error {
        var error: EngineClientError
        var retry: Retry
    }

    /// One attempt: the answer read whole, or a 2xx answer whose body is to be streamed.
    private func attempt(
        _ prepared: HTTPClientRequest,
        deadline: NIODeadline,
        streaming: Bool,
        _ request: EngineRequest
    ) async throws -> Outcome {
        let response: HTTPClientResponse
        do {
            response = try await self.http.execute(prepared, deadline: deadline, logger: self.logger)
        } catch {
            throw try self.classify(error, request)
        }
        let status = Int(response.status.code)
        if streaming, (200..<300).contains(status) { return .streaming(response) }
        let body: ByteBuffer
        do {
            body = try await response.body.collect(upTo: self.configuration.maximumResponseBodySize)
        } catch is NIOTooManyBytesError {
            throw AttemptFailure(
                error: EngineClientError(
                    .invalidResponse, operation: request.operation,
                    message:
                        "the answer (HTTP \(status)) is larger than \(self.configuration.maximumResponseBodySize) bytes"
                ),
                retry: .never
            )
        } catch {
            throw try self.classify(error, request)
        }
        return .answered(
            EngineResponse(status: status, headers: response.headers, body: body, operation: request.operation))
    }

    private func stream(
        _ response: HTTPClientResponse,
        to consume: (ByteBuffer) async throws -> Void,
        _ request: EngineRequest
    ) async throws {
        var iterator = response.body.makeAsyncIterator()
        while true {
            let chunk: ByteBuffer?
            do {
                chunk = try await iterator.next()
            } catch {
                throw self.final(try self.classify(error, request).error, attempts: nil)
            }
            guard let chunk else { return }
            try await consume(chunk)
        }
    }

    /// The request as async-http-client sends it, with `Host`, `User-Agent` and credentials.
    private func prepare(_ request: EngineRequest) async throws -> HTTPClientRequest {
        var request = request
        if let host = self.endpoint.hostHeader { request.headers.replaceOrAdd(name: "Host", value: host) }
        if !request.headers.contains(name: "User-Agent") {
            request.headers.add(name: "User-Agent", value: self.configuration.userAgent)
        }
        do {
            try await self.configuration.credentials.apply(to: &request)
        } catch {
            if error is CancellationError || Task.isCancelled { throw CancellationError() }
            let reason = (error as? EngineConfigurationError)?.message ?? "\(error)"
            throw EngineClientError(
                .credentials, operation: request.operation, message: "cannot authenticate: \(reason)")
        }
        var prepared = HTTPClientRequest(url: self.baseURL + request.pathAndQuery)
        prepared.method = request.method
        prepared.headers = request.headers
        if let body = request.body { prepared.body = .bytes(body) }
        return prepared
    }

    /// What a transport error means for the call; `CancellationError` when the task is cancelled.
    private func classify(_ error: any Error, _ request: EngineRequest) throws(CancellationError) -> AttemptFailure {
        if error is CancellationError || Task.isCancelled { throw CancellationError() }
        let operation = request.operation
        func failure(_ kind: EngineClientError.Kind, _ message: String, _ retry: Retry) -> AttemptFailure {
            AttemptFailure(error: EngineClientError(kind, operation: operation, message: message), retry: retry)
        }
        let unreachable = "cannot reach the engine at \(self.endpoint)"
        if let error = error as? EngineClientError { return AttemptFailure(error: error, retry: .never) }
        if let error = error as? HTTPClientError {
            switch error {
            case .cancelled:
                throw CancellationError()
            case .deadlineExceeded, .readTimeout, .writeTimeout:
                let timeout = request.timeout ?? self.configuration.requestTimeout
                return failure(.timedOut, "no answer from the engine at \(self.endpoint) within \(timeout)", .never)
            case .connectTimeout, .getConnectionFromPoolTimeout, .tlsHandshakeTimeout:
                return failure(.unreachable, "\(unreachable): connect timed out", .always)
            case .remoteConnectionClosed:
                return failure(.unreachable, "\(unreachable): the connection was closed", .ifIdempotent)
            case .invalidURL, .emptyHost, .emptyScheme, .missingSocketPath, .alreadyShutdown,
                .traceRequestWithBody, .bodyLengthMismatch:
                return failure(.invalidRequest, "cannot send the request: \(error)", .never)
            default:
                if "\(error)".contains("invalidHeaderField") || "\(error)".contains("unsupportedScheme") {
                    return failure(.invalidRequest, "cannot send the request: \(error)", .never)
                }
                return failure(.unreachable, "\(unreachable): \(error)", .ifIdempotent)
            }
        }
        if error is NIOSSLError || error is BoringSSLError || error is NIOSSLExtraError {
            return failure(.tls, "TLS with the engine at \(self.endpoint) failed: \(error)", .never)
        }
        if let error = error as? NIOConnectionError {
            let reasons =
                error.connectionErrors.map { "\($0.error)" }
                + [error.dnsAError, error.dnsAAAAError].compactMap { $0.map { "\($0)" } }
            return failure(.unreachable, "\(unreachable): \(reasons.first ?? "\(error)")", .always)
        }
        if let error = error as? IOError {
            let notSent: Set<CInt> = [ECONNREFUSED, ENOENT, EHOSTUNREACH, ENETUNREACH, EADDRNOTAVAIL, EACCES, ENOTSOCK]
            let retry: Retry = notSent.contains(error.errnoCode) ? .always : .ifIdempotent
            return failure(.unreachable, "\(unreachable): \(error)", retry)
        }
        if let error = error as? ChannelError, case .connectTimeout = error {
            return failure(.unreachable, "\(unreachable): connect timed out", .always)
        }
        return failure(.unreachable, "\(unreachable): \(error)", .ifIdempotent)
    }

    /// `error` as thrown after the last attempt (transport failures say how many attempts).
    private func final(_ error: EngineClientError, attempts: Int?) -> EngineClientError {
        guard error.kind == .unreachable, let attempts, attempts > 1 else { return error }
        return EngineClientError(
            error.kind, operation: error.operation, message: error.message + " (\(attempts) attempts)")
    }

    private static func reason(_ outcome: Result<EngineResponse, EngineClientError>) -> String {
        switch outcome {
        case .success(let answer): "HTTP \(answer.status)"
        case .failure(let error): "\(error.kind)"
        }
    }
}
