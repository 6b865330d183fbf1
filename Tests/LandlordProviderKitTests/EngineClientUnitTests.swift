import LandlordProviderKit
import NIOCore
import NIOHTTP1
import Testing

@Suite("Engine client: endpoints, requests, policies")
struct EngineClientUnitTests {
    @Test(
        "addresses parse",
        arguments: [
            ("unix:///var/run/docker.sock", EngineEndpoint.unixSocket(path: "/var/run/docker.sock")),
            ("http://10.0.0.1:4646", .url(scheme: .http, host: "10.0.0.1", port: 4646)),
            ("http://nomad.local", .url(scheme: .http, host: "nomad.local", port: 80)),
            ("https://k8s.example:6443/", .url(scheme: .https, host: "k8s.example", port: 6443)),
            ("https://ecs.eu-west-1.amazonaws.com", .url(scheme: .https, host: "ecs.eu-west-1.amazonaws.com", port: 443)),
            ("https://h:8443/api/v1", .url(scheme: .https, host: "h", port: 8443, pathPrefix: "/api/v1")),
            ("tcp://127.0.0.1:2375", .url(scheme: .http, host: "127.0.0.1", port: 2375)),
            ("TCP://[::1]:2375", .url(scheme: .http, host: "::1", port: 2375)),
            ("https://[fd00::1]", .url(scheme: .https, host: "fd00::1", port: 443)),
        ]
    )
    func parses(_ address: String, _ expected: EngineEndpoint) throws {
        #expect(try EngineEndpoint(parsing: address) == expected)
    }

    @Test(
        "bad addresses are refused with a reason",
        arguments: [
            ("localhost:2375", "has no scheme"),
            ("unix://relative.sock", "needs an absolute socket path"),
            ("tcp://host", "needs a port"),
            ("http://::1:80", "IPv6 host that is not in brackets"),
            ("http://[::1:80", "unclosed IPv6 bracket"),
            ("http://host:99999", "invalid port \"99999\""),
            ("http://host:abc", "invalid port \"abc\""),
            ("http://:80", "has no host"),
            ("http://user:pw@host", "must not contain user information"),
            ("ftp://host", "unsupported scheme \"ftp\""),
        ]
    )
    func refuses(_ address: String, _ reason: String) {
        let error = #expect(throws: EngineConfigurationError.self) { try EngineEndpoint(parsing: address) }
        #expect(error?.message.hasPrefix("engine address \"\(address)\" ") == true)
        #expect(error?.message.contains(reason) == true, "\(error?.message ?? "")")
    }

    @Test("base URLs: percent-encoded socket path, bracketed IPv6, prefix")
    func baseURLs() {
        #expect(
            EngineEndpoint.unixSocket(path: "/tmp/p d/x.sock", pathPrefix: "v1.41").baseURL()
                == "http+unix://%2Ftmp%2Fp%20d%2Fx%2Esock/v1.41")
        #expect(EngineEndpoint.url(scheme: .https, host: "::1", port: 6443, pathPrefix: "/api").baseURL() == "https://[::1]:6443/api")
        #expect(EngineEndpoint.url(scheme: .http, host: "::1", port: 80).description == "http://[::1]:80")
        #expect(EngineEndpoint.unixSocket(path: "/a.sock", pathPrefix: "/v1").description == "unix:///a.sock")
        #expect(EngineEndpoint.unixSocket(path: "/a.sock").hostHeader == "localhost")
        #expect(EngineEndpoint.url(scheme: .https, host: "h", port: 1).usesTLS)
    }

    @Test("percent-encoding keeps only unreserved characters")
    func percentEncoding() {
        #expect(EngineRequest.percentEncoded("aZ09-._~") == "aZ09-._~")
        #expect(EngineRequest.percentEncoded("a b/c?d=e&f+g:h@é") == "a%20b%2Fc%3Fd%3De%26f%2Bg%3Ah%40%C3%A9")
        let request = EngineRequest(.GET, "/x", query: [("k y", "v&w"), ("empty", "")], operation: "x")
        #expect(request.pathAndQuery == "/x?k%20y=v%26w&empty=")
        var secret = EngineRequest(.POST, "/login", headers: ["Authorization": "Bearer hidden"], operation: "log in")
        try? secret.json(["password": "hidden"])
        #expect(secret.description == "POST /login (log in)")
    }

    @Test("idempotency follows the method unless the request says otherwise")
    func idempotency() {
        for method: HTTPMethod in [.GET, .HEAD, .PUT, .DELETE, .OPTIONS] {
            #expect(EngineRequest(method, "/", operation: "x").isIdempotent)
        }
        #expect(!EngineRequest(.POST, "/", operation: "x").isIdempotent)
        #expect(!EngineRequest(.PATCH, "/", operation: "x").isIdempotent)
        #expect(EngineRequest(.POST, "/", idempotent: true, operation: "x").isIdempotent)
        #expect(!EngineRequest(.PUT, "/", idempotent: false, operation: "x").isIdempotent)
    }

    @Test("delays: exponential full jitter, capped; Retry-After capped")
    func delays() {
        let top = RetryPolicy(maxAttempts: 10, baseDelay: .milliseconds(100), maxDelay: .seconds(5), random: { 1 })
        #expect((1...8).map { top.delay(after: $0) } == [100, 200, 400, 800, 1600, 3200, 5000, 5000].map { .milliseconds($0) })
        #expect(top.delay(after: 1000) == .seconds(5))
        let bottom = RetryPolicy(maxAttempts: 10, baseDelay: .milliseconds(100), maxDelay: .seconds(5), random: { 0 })
        #expect(bottom.delay(after: 3) == .zero)
        #expect(top.delay(after: 1, retryAfter: .seconds(3)) == .seconds(3))
        #expect(top.delay(after: 1, retryAfter: .seconds(30)) == .seconds(5))
        #expect(RetryPolicy.retryAfter(["Retry-After": " 7 "]) == .seconds(7))
        #expect(RetryPolicy.retryAfter(["Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"]) == nil)
        #expect(RetryPolicy.retryAfter([:]) == nil)
        #expect(RetryPolicy.defaults.maxAttempts == 4)
    }

    @Test("which answers are retried")
    func retriedAnswers() {
        let policy = RetryPolicy.defaults
        for status in [502, 503, 504] {
            #expect(policy.shouldRetry(status: status, body: ByteBuffer(), idempotent: true))
            #expect(!policy.shouldRetry(status: status, body: ByteBuffer(), idempotent: false))
        }
        #expect(policy.shouldRetry(status: 429, body: ByteBuffer(), idempotent: false))
        for status in [200, 400, 404, 409, 500] {
            #expect(!policy.shouldRetry(status: status, body: ByteBuffer(), idempotent: true))
        }
    }

    @Test("the engine's message: JSON message, else the body, else the status")
    func errorMessages() {
        func message(_ body: String) -> String {
            EngineResponse(status: 500, body: ByteBuffer(string: body), operation: "x").errorMessage
        }
        #expect(message(#"{"message":"no such container"}"#) == "no such container")
        #expect(message(#"{"Message":"Rate exceeded"}"#) == "Rate exceeded")
        #expect(message(#"{"error":{"message":"quota"}}"#) == "quota")
        #expect(message("  plain text\n") == "plain text")
        #expect(message("") == "HTTP 500")
        let error = EngineClientError(.status(500), operation: "op", message: String(repeating: "é", count: 400))
        #expect(error.message.count == 303)
        #expect(error.status == 500)
    }

    @Test("credentials describe themselves without their tokens")
    func credentialDescriptions() {
        #expect(EngineCredentials.none.description == "none")
        #expect(EngineCredentials.bearer(token: "abc").description == "bearer token")
        #expect(EngineCredentials.header("X-Nomad-Token", token: "abc").description == "token in header X-Nomad-Token")
        #expect(EngineCredentials.bearer(token: "abc").signed { _ in }.description == "bearer token, signed")
    }

    @Test("Duration.nanoseconds saturates")
    func nanoseconds() {
        #expect(Duration.milliseconds(1500).nanoseconds == 1_500_000_000)
        #expect(Duration.seconds(Int64.max).nanoseconds == .max)
        #expect(Duration.seconds(Int64.min).nanoseconds == .min)
        #expect(Duration.seconds(-2).nanoseconds == -2_000_000_000)
    }
}
