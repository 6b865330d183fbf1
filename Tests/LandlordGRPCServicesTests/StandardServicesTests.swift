import LandlordGRPCServices
import LandlordProtobuf
import LandlordRPC
import LandlordTestingProto
import Synchronization
import Testing

/// Runs one call through the router the way a transport does.
private func call(
    _ router: RPCRouter,
    _ path: String,
    requests: [[UInt8]],
    onMessage: @escaping @Sendable ([UInt8]) -> Void = { _ in }
) async throws -> RPCOutcome {
    let handler = try #require(router.handler(forPath: path))
    return await RPCExecutor.execute(
        handler,
        requests: RPCRequestStream(requests),
        responses: RPCWriter { onMessage($0) },
        context: ServerContext(descriptor: handler.descriptor)
    )
}

private final class Messages: Sendable {
    let all = Mutex<[[UInt8]]>([])
    func append(_ bytes: [UInt8]) { all.withLock { $0.append(bytes) } }
    var values: [[UInt8]] { all.withLock { $0 } }
}

@Suite("Health service")
struct HealthServiceTests {
    @Test("Check answers the status the owner set, NOT_FOUND for unknown services")
    func check() async throws {
        let health = HealthService(statuses: ["": .serving, "svc": .notServing])
        var router = RPCRouter()
        router.register([health])
        let messages = Messages()
        let ok = try await call(router, "/grpc.health.v1.Health/Check", requests: [HealthCheckRequest(service: "svc").serializedBytes()], onMessage: messages.append)
        #expect(ok.status == .ok)
        #expect(try HealthCheckResponse(serializedBytes: messages.values[0]).status == .notServing)
        let unknown = try await call(router, "/grpc.health.v1.Health/Check", requests: [HealthCheckRequest(service: "nope").serializedBytes()])
        #expect(unknown.status.code == .notFound)
    }

    @Test("Watch sends the current status, then each change; unknown services are SERVICE_UNKNOWN until set")
    func watch() async throws {
        let health = HealthService(statuses: ["": .serving])
        var router = RPCRouter()
        router.register([health])
        let messages = Messages()
        let task = Task {
            try await call(router, "/grpc.health.v1.Health/Watch", requests: [HealthCheckRequest(service: "later").serializedBytes()], onMessage: messages.append)
        }
        try await waitUntil { messages.values.count == 1 }
        health.setStatus(.serving, forService: "later")
        try await waitUntil { messages.values.count == 2 }
        health.setStatus(.serving, forService: "later")  // no change: nothing sent
        health.setStatusOfAllServices(.notServing)
        try await waitUntil { messages.values.count == 3 }
        let statuses = try messages.values.map { try HealthCheckResponse(serializedBytes: $0).status }
        #expect(statuses == [.serviceUnknown, .serving, .notServing])
        #expect(health.watcherCount == 1)
        task.cancel()
        _ = try await task.value
        try await waitUntil { health.watcherCount == 0 }
    }

    @Test("drain turns every service NOT_SERVING, tells watchers, then ends their watches")
    func drain() async throws {
        let health = HealthService(statuses: ["": .serving])
        var router = RPCRouter()
        router.register([health])
        let messages = Messages()
        let watch = Task {
            try await call(router, "/grpc.health.v1.Health/Watch", requests: [HealthCheckRequest().serializedBytes()], onMessage: messages.append)
        }
        try await waitUntil { messages.values.count == 1 }
        health.drain()
        let outcome = try await watch.value
        #expect(outcome.status == .ok)
        let statuses = try messages.values.map { try HealthCheckResponse(serializedBytes: $0).status }
        #expect(statuses == [.serving, .notServing])
        #expect(health.status(forService: "") == .notServing)
    }

    private func waitUntil(_ condition: @Sendable () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(5)
        while !condition() {
            guard ContinuousClock.now < deadline else {
                Issue.record("condition not met in time")
                return
            }
            try await Task.sleep(for: .milliseconds(5))
        }
    }
}

@Suite("Reflection service")
struct ReflectionServiceTests {
    private let service = ReflectionService(
        index: LandlordTestingDescriptorSet.index,
        serviceNames: ["landlord.testing.v1.TestService", "grpc.health.v1.Health"] + ReflectionService.serviceNames
    )

    @Test("list_services lists the owner's services, sorted")
    func listServices() {
        let response = service.answer(ServerReflectionRequest(messageRequest: .listServices("")))
        guard case .listServicesResponse(let names) = response.messageResponse else {
            Issue.record("expected a list")
            return
        }
        #expect(names == names.sorted())
        #expect(names.contains("landlord.testing.v1.TestService"))
        #expect(names.contains("grpc.reflection.v1alpha.ServerReflection"))
    }

    @Test("file_containing_symbol answers the file first, then its dependencies, and echoes the request")
    func symbol() throws {
        let request = ServerReflectionRequest(host: "h", messageRequest: .fileContainingSymbol("landlord.testing.v1.EchoRequest"))
        let response = service.answer(request)
        #expect(response.originalRequest == request)
        #expect(response.validHost == "h")
        guard case .fileDescriptorResponse(let files) = response.messageResponse else {
            Issue.record("expected files")
            return
        }
        let expected = try #require(LandlordTestingDescriptorSet.index.file(named: "landlord/testing/v1/test_service.proto"))
        #expect(files.first == expected.serializedBytes)
    }

    @Test("unknown files and symbols are NOT_FOUND error responses", arguments: [
        ServerReflectionRequest.MessageRequest.fileByFilename("nope.proto"),
        .fileContainingSymbol("no.Such"),
        .fileContainingExtension(containingType: "landlord.testing.v1.EchoRequest", number: 99),
        .allExtensionNumbersOfType("no.Such"),
    ])
    func notFound(request: ServerReflectionRequest.MessageRequest) {
        let response = service.answer(ServerReflectionRequest(messageRequest: request))
        guard case .errorResponse(let code, _) = response.messageResponse else {
            Issue.record("expected an error")
            return
        }
        #expect(code == 5)
    }

    @Test("both API versions are served over bidi streams")
    func versions() async throws {
        var router = RPCRouter()
        router.register([service])
        for version in ReflectionAPIVersion.allCases {
            let messages = Messages()
            let requests = [
                ServerReflectionRequest(messageRequest: .listServices("")),
                ServerReflectionRequest(messageRequest: .fileByFilename("grpc/health/v1/health.proto")),
            ].map { $0.serializedBytes(version: version) }
            let outcome = try await call(router, version.methodPath, requests: requests, onMessage: messages.append)
            #expect(outcome.status == .ok)
            #expect(messages.values.count == 2)
            let second = try ServerReflectionResponse(serializedBytes: messages.values[1], version: version)
            guard case .fileDescriptorResponse(let files) = second.messageResponse else {
                Issue.record("expected files")
                return
            }
            #expect(files.count >= 1)
        }
    }
}
