import LandlordRPC
import Synchronization
import Testing

/// Collects what a handler writes.
private final class Collected: Sendable {
    let messages = Mutex<[[UInt8]]>([])
    var writer: RPCWriter<[UInt8]> { RPCWriter { bytes in self.messages.withLock { $0.append(bytes) } } }
    var all: [[UInt8]] { messages.withLock { $0 } }
}

private let echo = MethodDescriptor(service: "test.Echo", method: "Echo")

private func utf8(_ s: String) -> [UInt8] { Array(s.utf8) }

private struct DecodeFailure: Error {}

private func unaryRouter(
    _ handler: @escaping @Sendable (String, ServerContext) async throws -> String
) -> RPCRouter {
    var router = RPCRouter()
    router.registerUnary(
        echo,
        decode: { bytes in
            guard bytes != utf8("garbage") else { throw DecodeFailure() }
            return String(decoding: bytes, as: UTF8.self)
        },
        encode: { utf8($0) },
        handler: handler
    )
    return router
}

private func call(
    _ router: RPCRouter,
    path: String = echo.path,
    requests: [[UInt8]],
    deadline: ContinuousClock.Instant? = nil
) async throws -> (RPCOutcome, [[UInt8]]) {
    let handler = try #require(router.handler(forPath: path))
    let collected = Collected()
    let context = ServerContext(descriptor: handler.descriptor, deadline: deadline)
    let outcome = await RPCExecutor.execute(
        handler,
        requests: RPCRequestStream(requests),
        responses: collected.writer,
        context: context
    )
    return (outcome, collected.all)
}

@Suite("RPCExecutor")
struct RPCExecutorTests {
    @Test("a unary call answers with one message and OK")
    func unaryOK() async throws {
        let (outcome, messages) = try await call(unaryRouter { request, _ in request.uppercased() }, requests: [utf8("hi")])
        #expect(outcome.status == .ok)
        #expect(messages == [utf8("HI")])
    }

    @Test("an unparsable request is INTERNAL and the handler never runs")
    func unparsable() async throws {
        let ran = Mutex(false)
        let router = unaryRouter { request, _ in
            ran.withLock { $0 = true }
            return request
        }
        let (outcome, messages) = try await call(router, requests: [utf8("garbage")])
        #expect(outcome.status.code == .internal)
        #expect(messages.isEmpty)
        #expect(ran.withLock { $0 } == false)
    }

    @Test("a unary call with no request or two requests is INTERNAL", arguments: [0, 2])
    func wrongRequestCount(count: Int) async throws {
        let requests = Array(repeating: utf8("x"), count: count)
        let (outcome, _) = try await call(unaryRouter { r, _ in r }, requests: requests)
        #expect(outcome.status.code == .internal)
    }

    @Test("an RPCError's code, message and metadata become the status and trailers")
    func rpcError() async throws {
        let router = unaryRouter { _, _ in
            throw RPCError(code: .notFound, message: "no such thing", metadata: ["x-detail-bin": .binary([1, 2])])
        }
        let (outcome, _) = try await call(router, requests: [utf8("a")])
        #expect(outcome.status == Status(code: .notFound, message: "no such thing"))
        #expect(outcome.trailers.firstBinary(for: "x-detail-bin") == [1, 2])
    }

    @Test("an RPCErrorConvertible error is converted")
    func convertible() async throws {
        struct DomainError: RPCErrorConvertible {
            var rpcError: RPCError { RPCError(code: .alreadyExists, message: "taken") }
        }
        let (outcome, _) = try await call(unaryRouter { _, _ in throw DomainError() }, requests: [utf8("a")])
        #expect(outcome.status == Status(code: .alreadyExists, message: "taken"))
    }

    @Test("any other error is UNKNOWN")
    func unknownError() async throws {
        struct Oops: Error {}
        let (outcome, _) = try await call(unaryRouter { _, _ in throw Oops() }, requests: [utf8("a")])
        #expect(outcome.status.code == .unknown)
    }

    @Test("trailers the handler adds are sent with the status")
    func handlerTrailers() async throws {
        let router = unaryRouter { request, context in
            context.response.addTrailer("x-count", .string("7"))
            return request
        }
        let (outcome, _) = try await call(router, requests: [utf8("a")])
        #expect(outcome.trailers.firstString(for: "x-count") == "7")
    }

    @Test("a passed deadline cancels the handler and ends with DEADLINE_EXCEEDED")
    func deadline() async throws {
        let cancelled = Mutex(false)
        let router = unaryRouter { request, _ in
            do {
                try await Task.sleep(for: .seconds(30))
            } catch {
                cancelled.withLock { $0 = true }
                throw error
            }
            return request
        }
        let start = ContinuousClock.now
        let (outcome, messages) = try await call(router, requests: [utf8("a")], deadline: .now + .milliseconds(50))
        #expect(outcome.status.code == .deadlineExceeded)
        #expect(messages.isEmpty)
        #expect(cancelled.withLock { $0 })
        #expect(ContinuousClock.now - start < .seconds(10))
    }

    @Test("a deadline that passed before the call started never runs the handler")
    func expiredOnArrival() async throws {
        let ran = Mutex(false)
        let router = unaryRouter { request, _ in
            ran.withLock { $0 = true }
            return request
        }
        let (outcome, _) = try await call(router, requests: [utf8("a")], deadline: .now - .milliseconds(1))
        #expect(outcome.status.code == .deadlineExceeded)
        #expect(ran.withLock { $0 } == false)
    }

    @Test("a handler finishing before its deadline is OK")
    func beatsDeadline() async throws {
        let (outcome, _) = try await call(
            unaryRouter { r, _ in r },
            requests: [utf8("a")],
            deadline: .now + .seconds(30)
        )
        #expect(outcome.status == .ok)
    }

    @Test("cancelling the calling task cancels the handler: CANCELLED")
    func cancellation() async throws {
        let router = unaryRouter { request, _ in
            try await Task.sleep(for: .seconds(30))
            return request
        }
        let task = Task { try await call(router, requests: [utf8("a")]) }
        try await Task.sleep(for: .milliseconds(20))
        task.cancel()
        let (outcome, _) = try await task.value
        #expect(outcome.status.code == .cancelled)
    }

    @Test("streaming kinds see every request and write every response")
    func streaming() async throws {
        var router = RPCRouter()
        let bidi = MethodDescriptor(service: "test.Echo", method: "Bidi")
        let client = MethodDescriptor(service: "test.Echo", method: "Client")
        let server = MethodDescriptor(service: "test.Echo", method: "Server")
        let decode: MessageDecoder<String> = { String(decoding: $0, as: UTF8.self) }
        let encode: MessageEncoder<String> = { utf8($0) }
        router.registerBidirectionalStreaming(bidi, decode: decode, encode: encode) { requests, writer, _ in
            for try await request in requests { try await writer.write(request + "!") }
        }
        router.registerClientStreaming(client, decode: decode, encode: encode) { requests, _ in
            var all: [String] = []
            for try await request in requests { all.append(request) }
            return all.joined(separator: ",")
        }
        router.registerServerStreaming(server, decode: decode, encode: encode) { request, writer, _ in
            try await writer.write(contentsOf: request.map { String($0) })
        }
        #expect(router.handler(forPath: bidi.path)?.kind == .bidirectionalStreaming)
        #expect(router.serviceNames == ["test.Echo"])

        let (bidiOutcome, bidiMessages) = try await call(router, path: bidi.path, requests: [utf8("a"), utf8("b")])
        #expect(bidiOutcome.status == .ok)
        #expect(bidiMessages == [utf8("a!"), utf8("b!")])
        let (_, clientMessages) = try await call(router, path: client.path, requests: [utf8("a"), utf8("b")])
        #expect(clientMessages == [utf8("a,b")])
        let (_, serverMessages) = try await call(router, path: server.path, requests: [utf8("xyz")])
        #expect(serverMessages == [utf8("x"), utf8("y"), utf8("z")])
    }

    @Test("unknown paths have no handler")
    func unknownPath() {
        #expect(unaryRouter { r, _ in r }.handler(forPath: "/test.Echo/Nope") == nil)
    }
}

@Suite("Metadata and response metadata")
struct MetadataTests {
    @Test("keys are lower-cased, values kept in order, lookups by key")
    func basics() {
        var metadata: Metadata = ["X-Trace": .string("a")]
        metadata.add("x-trace", "b")
        metadata.add("payload-bin", binary: [0, 255])
        #expect(metadata.values(for: "X-TRACE") == [.string("a"), .string("b")])
        #expect(metadata.firstString(for: "x-trace") == "a")
        #expect(metadata.firstBinary(for: "payload-bin") == [0, 255])
        metadata.removeAll("x-trace")
        #expect(metadata.count == 1)
    }

    @Test("headers are handed out once and ignored after the first message")
    func headersOnce() {
        let response = ResponseMetadata()
        response.addHeader("a", .string("1"))
        #expect(response.takeHeaders()?.firstString(for: "a") == "1")
        response.addHeader("b", .string("2"))
        #expect(response.takeHeaders() == nil)
    }

    @Test("status codes have their wire numbers and names")
    func codes() {
        #expect(StatusCode.resourceExhausted.rawValue == 8)
        #expect(StatusCode(rawValue: 12) == .unimplemented)
        #expect(StatusCode(rawValue: 17) == nil)
        #expect(StatusCode.deadlineExceeded.description == "DEADLINE_EXCEEDED")
    }
}

@Suite("Request streams")
struct RequestStreamTests {
    @Test("the only message of a complete stream is taken without waiting, and the stream then ends")
    func takeOnlyMessage() async throws {
        let stream = RPCRequestStream<[UInt8]>([[1, 2]])
        #expect(stream.takeOnlyMessageIfComplete() == [1, 2])
        var iterator = stream.makeAsyncIterator()
        #expect(try await iterator.next() == nil)
    }

    @Test("with more than one message nothing is taken: iterating reads them all", arguments: [0, 2, 3])
    func noOnlyMessage(count: Int) async throws {
        let messages = (0..<count).map { [UInt8($0)] }
        let stream = RPCRequestStream<[UInt8]>(messages)
        #expect(stream.takeOnlyMessageIfComplete() == nil)
        var read: [[UInt8]] = []
        for try await message in stream { read.append(message) }
        #expect(read == messages)
    }

    @Test("a stream without the synchronous reader answers nil and keeps its message")
    func withoutSynchronousReader() async throws {
        let stream = RPCRequestStream<[UInt8]>(next: { [9] })
        #expect(stream.takeOnlyMessageIfComplete() == nil)
        var iterator = stream.makeAsyncIterator()
        #expect(try await iterator.next() == [9])
    }
}
