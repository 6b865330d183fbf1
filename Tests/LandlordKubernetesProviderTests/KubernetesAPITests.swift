import Foundation
import LandlordKubernetesProvider
import LandlordProviderKit
import LandlordProviderKitTesting
import NIOHTTP1
import Testing

@Suite("Kubernetes provider: API calls over HTTPS")
struct KubernetesAPITests {
    static let token = "test-bearer-token-0123456789"

    /// Runs `body` with an HTTPS server (the test CA) answering through `handler`, and an API
    /// client configured from a kubeconfig that trusts the CA by `certificate-authority-data`.
    private func withAPI(
        _ handler: @escaping LocalHTTPServer.Handler,
        _ body: (KubernetesAPI, LocalHTTPServer) async throws -> Void
    ) async throws {
        let ca = try TestCertificateAuthority()
        defer { ca.remove() }
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try await LocalHTTPServer.with(tls: try ca.serverTLS(), handler: handler) { server in
            let caData = try Data(contentsOf: URL(fileURLWithPath: ca.caCertificatePath)).base64EncodedString()
            let path = try directory.write(
                "kubeconfig",
                """
                apiVersion: v1
                kind: Config
                current-context: test
                clusters:
                - name: local
                  cluster:
                    server: https://127.0.0.1:\(server.port)
                    certificate-authority-data: \(caData)
                users:
                - name: landlord
                  user:
                    token: \(Self.token)
                contexts:
                - name: test
                  context: {cluster: local, user: landlord}
                """)
            let connection = try KubernetesConnection.fromKubeconfig(path: path, context: nil)
            let client = try EngineClient(
                endpoint: connection.endpoint,
                configuration: connection.clientConfiguration(
                    base: .init(requestTimeout: .seconds(10), retryPolicy: .never)))
            do {
                try await body(KubernetesAPI(client: client), server)
                try await client.shutdown()
            } catch {
                try? await client.shutdown()
                throw error
            }
        }
    }

    private static func status(_ code: Int, _ reason: String, _ message: String, causes: String = "")
        -> LocalHTTPServer.Reply
    {
        .json(
            code,
            #"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"\#(message)","reason":"\#(reason)","details":{"name":"tenant","kind":"deployments"\#(causes)},"code":\#(code)}"#
        )
    }

    @Test(
        "apply is a server-side apply PATCH: fieldManager=landlord&force=true, apply-patch+yaml, JSON body, bearer token"
    )
    func apply() async throws {
        let objects = Specs.objects(Specs.rich)
        try await self.withAPI({ request, _ in
            .json(200, request.bodyText)  // the API server answers the object as stored
        }) { api, server in
            let applied = try await api.apply(objects.deployment)
            #expect(applied == objects.deployment)
            let request = try #require(server.requests.first)
            #expect(request.method == .PATCH)
            #expect(
                request.uri
                    == "/apis/apps/v1/namespaces/landlord-acme/deployments/tenant?fieldManager=landlord&force=true")
            #expect(request.headers["Content-Type"] == ["application/apply-patch+yaml"])
            #expect(request.headers["Authorization"] == ["Bearer \(Self.token)"])
            let sent = try JSONDecoder().decode(Deployment.self, from: Data(request.body))
            #expect(sent == objects.deployment)
            #expect(!request.bodyText.contains("resourceVersion"))

            _ = try await api.apply(objects.namespace)
            #expect(server.requests.last?.uri == "/api/v1/namespaces/landlord-acme?fieldManager=landlord&force=true")
            _ = try await api.apply(objects.networkPolicy)
            #expect(
                server.requests.last?.uri
                    == "/apis/networking.k8s.io/v1/namespaces/landlord-acme/networkpolicies/tenant-isolation?fieldManager=landlord&force=true"
            )
        }
    }

    @Test("paths of every kind the provider writes")
    func paths() {
        #expect(
            KubernetesResource.services.objectPath(namespace: "ns", name: "tenant")
                == "/api/v1/namespaces/ns/services/tenant")
        #expect(KubernetesResource.secrets.collectionPath(namespace: "ns") == "/api/v1/namespaces/ns/secrets")
        #expect(
            KubernetesResource.resourceQuotas.objectPath(namespace: "ns", name: "q")
                == "/api/v1/namespaces/ns/resourcequotas/q")
        #expect(
            KubernetesResource.limitRanges.objectPath(namespace: "ns", name: "l")
                == "/api/v1/namespaces/ns/limitranges/l")
        #expect(KubernetesResource.deployments.collectionPath(namespace: nil) == "/apis/apps/v1/deployments")
        #expect(
            KubernetesResource.namespaces.objectPath(namespace: "ignored", name: "landlord-a")
                == "/api/v1/namespaces/landlord-a")
        #expect(KubernetesResource.deployments.qualifiedName == "deployments.apps")
    }

    @Test(
        "Status errors keep their reason, message and causes",
        arguments: [
            (404, "NotFound", KubernetesAPIError.Reason.notFound),
            (409, "AlreadyExists", .alreadyExists),
            (409, "Conflict", .conflict),
            (410, "Gone", .gone),
            (403, "Forbidden", .forbidden),
            (401, "Unauthorized", .unauthorized),
            (415, "UnsupportedMediaType", .unsupportedMediaType),
        ])
    func statusErrors(code: Int, reason: String, expected: KubernetesAPIError.Reason) async throws {
        try await self.withAPI({ _, _ in Self.status(code, reason, "the server says \(reason)") }) { api, _ in
            do {
                _ = try await api.apply(Specs.objects(Specs.minimal).deployment)
                Issue.record("expected an error")
            } catch let error as KubernetesAPIError {
                #expect(error.code == code)
                #expect(error.reason == expected)
                #expect(error.message == "the server says \(reason)")
                #expect(error.operation == "apply deployments.apps landlord-7tenant/tenant")
            }
        }
    }

    @Test("422 Invalid with details.causes; the request body is never echoed")
    func invalid() async throws {
        let causes =
            #","causes":[{"reason":"FieldValueInvalid","message":"Invalid value: 2: must be 1","field":"spec.template.spec.containers[0].livenessProbe.successThreshold"}]"#
        try await self.withAPI({ _, _ in
            Self.status(422, "Invalid", "Deployment.apps \\\"tenant\\\" is invalid", causes: causes)
        }) { api, _ in
            do {
                _ = try await api.apply(Specs.objects(Specs.rich).deployment)
                Issue.record("expected an error")
            } catch let error as KubernetesAPIError {
                #expect(error.reason == .invalid)
                #expect(
                    error.causes == [
                        .init(
                            reason: "FieldValueInvalid", message: "Invalid value: 2: must be 1",
                            field: "spec.template.spec.containers[0].livenessProbe.successThreshold")
                    ])
                #expect(error.description.contains("livenessProbe.successThreshold: Invalid value: 2: must be 1"))
                #expect(!error.description.contains("nginx"))
            }
        }
    }

    @Test("a Secret's values never reach an error, even when the server quotes them")
    func secretErrorsAreRedacted() async throws {
        let secret = try #require(Specs.objects(Specs.rich).secret)
        let value = "s3cr3t-db-password-value"
        try await self.withAPI({ _, _ in Self.status(422, "Invalid", "data: Invalid value: \(value)") }) { api, _ in
            do {
                _ = try await api.apply(secret)
                Issue.record("expected an error")
            } catch let error as KubernetesAPIError {
                #expect(!error.description.contains(value))
                #expect(error.message == "data: Invalid value: <redacted>")
            }
        }
    }

    @Test("an answer that is not a Status keeps the HTTP status")
    func notAStatus() {
        let error = KubernetesAPIError.decode(
            status: 502, body: Array("<html>bad gateway</html>".utf8), operation: "get version")
        #expect(error.code == 502)
        #expect(error.reason == .unknown)
        #expect(error.message == "HTTP 502: <html>bad gateway</html>")
        #expect(KubernetesAPIError.decode(status: 404, body: [UInt8](), operation: "x").reason == .notFound)
    }

    @Test("GET answers nil for NotFound; DELETE propagates in the foreground and is idempotent")
    func getAndDelete() async throws {
        try await self.withAPI({ request, number in
            switch (request.method, number) {
            case (.GET, _): Self.status(404, "NotFound", "deployments.apps \\\"tenant\\\" not found")
            case (.DELETE, 2): .json(200, #"{"kind":"Status","status":"Success"}"#)
            default: Self.status(404, "NotFound", "namespaces \\\"landlord-acme\\\" not found")
            }
        }) { api, server in
            let missing = try await api.get(Deployment.self, namespace: "landlord-acme", name: "tenant")
            #expect(missing == nil)
            let deleted = try await api.delete(.namespaces, namespace: nil, name: "landlord-acme")
            #expect(deleted)
            let deletedAgain = try await api.delete(.namespaces, namespace: nil, name: "landlord-acme")
            #expect(!deletedAgain)
            let delete = server.requests[1]
            #expect(delete.uri == "/api/v1/namespaces/landlord-acme")
            #expect(delete.bodyText.contains(#""propagationPolicy":"Foreground""#))
        }
    }

    @Test("LIST across namespaces with a label selector answers items and the resourceVersion")
    func list() async throws {
        let namespace = Specs.objects(Specs.rich).namespace
        let item = String(decoding: try KubernetesAPI.body(of: namespace), as: UTF8.self)
        try await self.withAPI({ _, _ in
            .json(
                200,
                #"{"kind":"NamespaceList","apiVersion":"v1","metadata":{"resourceVersion":"4711"},"items":[\#(item)]}"#)
        }) { api, server in
            let list = try await api.list(Namespace.self, labelSelector: KubernetesNaming.managedSelector)
            #expect(list.metadata.resourceVersion == "4711")
            #expect(list.items.map(\.metadata.name) == ["landlord-acme"])
            #expect(
                server.requests.first?.uri
                    == "/api/v1/namespaces?labelSelector=app.kubernetes.io%2Fmanaged-by%3Dlandlord")
        }
    }

    @Test("start-up check: /version and a SelfSubjectAccessReview per permission")
    func checkCluster() async throws {
        try await self.withAPI({ request, _ in
            if request.uri == "/version" {
                return .json(200, #"{"major":"1","minor":"30+","gitVersion":"v1.30.2-gke.1"}"#)
            }
            return .json(
                201, request.bodyText.replacingOccurrences(of: #""spec""#, with: #""status":{"allowed":true},"spec""#))
        }) { api, server in
            let description = try await api.checkCluster()
            #expect(description == "Kubernetes v1.30.2-gke.1 at https://127.0.0.1:\(server.port)")
            let reviews = server.requests.filter { $0.uri == "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews" }
            #expect(reviews.count == KubernetesAPI.requiredPermissions.count)
            #expect(reviews.allSatisfy { $0.method == .POST })
            #expect(reviews.first?.bodyText.contains(#""kind":"SelfSubjectAccessReview""#) == true)
        }
    }

    @Test("start-up failures are one line naming the provider, the address and what to do")
    func checkClusterFailures() async throws {
        try await self.withAPI({ request, _ in
            if request.uri == "/version" { return .json(200, #"{"major":"1","minor":"30","gitVersion":"v1.30.0"}"#) }
            let allowed = !request.bodyText.contains(#""resource":"secrets""#)
            return .json(
                201,
                #"{"kind":"SelfSubjectAccessReview","apiVersion":"authorization.k8s.io/v1","spec":{"resourceAttributes":{"verb":"x","group":"","resource":"y"}},"status":{"allowed":\#(allowed)}}"#
            )
        }) { api, server in
            do {
                _ = try await api.checkCluster()
                Issue.record("expected a failure")
            } catch let failure as ProviderStartupFailure {
                #expect(
                    failure.message.hasPrefix(
                        "kubernetes provider: the credentials for https://127.0.0.1:\(server.port) may not patch secrets, delete secrets"
                    ))
                #expect(!failure.message.contains("\n"))
            }
        }
        try await self.withAPI({ _, _ in Self.status(401, "Unauthorized", "Unauthorized") }) { api, server in
            do {
                _ = try await api.checkCluster()
                Issue.record("expected a failure")
            } catch let failure as ProviderStartupFailure {
                #expect(
                    failure.message.hasPrefix(
                        "kubernetes provider: cannot reach https://127.0.0.1:\(server.port) (set --kubernetes-kubeconfig"
                    ))
                #expect(failure.message.hasSuffix("the API server refused the credentials (401 Unauthorized)"))
                #expect(!failure.message.contains(Self.token))
            }
        }
        try await self.withAPI({ _, _ in .json(200, #"{"major":"1","minor":"21","gitVersion":"v1.21.0"}"#) }) {
            api, _ in
            await #expect(throws: ProviderStartupFailure.self) { try await api.checkCluster() }
        }
    }

    @Test("an unreachable API server fails the start-up check")
    func unreachable() async throws {
        let client = try EngineClient(
            endpoint: .url(scheme: .https, host: "127.0.0.1", port: 1),
            configuration: .init(requestTimeout: .seconds(5), retryPolicy: .never))
        do {
            _ = try await KubernetesAPI(client: client).checkCluster()
            Issue.record("expected a failure")
        } catch let failure as ProviderStartupFailure {
            #expect(failure.message.hasPrefix("kubernetes provider: cannot reach https://127.0.0.1:1"))
        }
        try await client.shutdown()
    }
}
