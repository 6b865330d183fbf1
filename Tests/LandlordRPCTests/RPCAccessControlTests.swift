import LandlordRPC
import Synchronization
import Testing

private final class Counter: Sendable {
    let value = Atomic<Int>(0)
    func add() { value.add(1, ordering: .relaxed) }
    var count: Int { value.load(ordering: .relaxed) }
}

private final class NamedCaller: RPCCaller {
    let name: String
    init(_ name: String) { self.name = name }
}

/// Admits calls that send `x-caller`, refusing the others; counts how often it was asked.
private final class HeaderGate: RPCCallGate {
    let admissions = Atomic<Int>(0)
    func admit(_ context: ServerContext) throws(RPCError) -> any RPCCaller {
        admissions.add(1, ordering: .relaxed)
        guard let name = context.requestMetadata.firstString(for: "x-caller") else {
            throw RPCError(code: .unauthenticated, message: "no x-caller")
        }
        return NamedCaller(name)
    }
}

/// Guards every method but those of `open.Service`; counts how often it was asked for a gate.
private final class TestAccessControl: RPCAccessControl {
    let gate = HeaderGate()
    let gatesMade = Atomic<Int>(0)
    func gate(for descriptor: MethodDescriptor) -> (any RPCCallGate)? {
        gatesMade.add(1, ordering: .relaxed)
        return descriptor.service == "open.Service" ? nil : gate
    }
}

private let guarded = MethodDescriptor(service: "test.Echo", method: "Who")
private let open = MethodDescriptor(service: "open.Service", method: "Who")

private func register(_ descriptor: MethodDescriptor, on router: inout RPCRouter, ran: Counter) {
    router.registerUnary(descriptor, decode: { _ in () }, encode: { Array($0.utf8) }) { _, context in
        ran.add()
        return context.caller?.name ?? "nobody"
    }
}

private func call(_ router: RPCRouter, _ descriptor: MethodDescriptor, caller: String?) async throws -> (RPCOutcome, String?) {
    let handler = try #require(router.handler(forPath: descriptor.path))
    var metadata = Metadata()
    if let caller { metadata.add("x-caller", caller) }
    let response = Mutex<String?>(nil)
    let outcome = await RPCExecutor.execute(
        handler,
        requests: RPCRequestStream([[]]),
        responses: RPCWriter { bytes in response.withLock { $0 = String(decoding: bytes, as: UTF8.self) } },
        context: ServerContext(descriptor: descriptor, requestMetadata: metadata)
    )
    return (outcome, response.withLock { $0 })
}

@Suite("Access control in the call layer")
struct RPCAccessControlTests {
    @Test("the gate runs before the handler: a refusal is the status and the handler never runs")
    func refusal() async throws {
        let ran = Counter()
        var router = RPCRouter()
        router.guardAccess(with: TestAccessControl())
        register(guarded, on: &router, ran: ran)
        let (outcome, response) = try await call(router, guarded, caller: nil)
        #expect(outcome.status == Status(code: .unauthenticated, message: "no x-caller"))
        #expect(response == nil)
        #expect(ran.count == 0)
    }

    @Test("an admitted call's handler sees the caller")
    func admitted() async throws {
        let ran = Counter()
        var router = RPCRouter()
        router.guardAccess(with: TestAccessControl())
        register(guarded, on: &router, ran: ran)
        let (outcome, response) = try await call(router, guarded, caller: "portal")
        #expect(outcome.status == .ok)
        #expect(response == "portal")
    }

    @Test("gates are made once per method at registration, before or after guardAccess, not per call")
    func gatesPerMethod() async throws {
        let ran = Counter()
        let access = TestAccessControl()
        var router = RPCRouter()
        register(guarded, on: &router, ran: ran)
        router.guardAccess(with: access)
        register(open, on: &router, ran: ran)
        #expect(access.gatesMade.load(ordering: .relaxed) == 2)
        for _ in 0..<3 { _ = try await call(router, guarded, caller: "a") }
        #expect(access.gatesMade.load(ordering: .relaxed) == 2)
        #expect(access.gate.admissions.load(ordering: .relaxed) == 3)
    }

    @Test("a method without a gate, or a router without access control, runs every call with no caller")
    func ungated() async throws {
        let ran = Counter()
        var router = RPCRouter()
        register(guarded, on: &router, ran: ran)
        #expect(try await call(router, guarded, caller: nil).1 == "nobody")
        router.guardAccess(with: TestAccessControl())
        register(open, on: &router, ran: ran)
        #expect(try await call(router, open, caller: nil).1 == "nobody")
        #expect(router.handler(forPath: open.path)?.gate == nil)
    }
}
