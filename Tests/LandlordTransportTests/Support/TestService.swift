import LandlordRPC
import NIOPosix
import Synchronization

/// What the test handlers did, shared between their tasks and the test.
final class CallProbe: Sendable {
    private struct State {
        var started = 0
        var cancelled = 0
        var completed = 0
        var writes = 0
        var requestMetadata: [Metadata] = []
        var gateOpen = false
        var drains = 0
    }

    private let state = Mutex(State())

    /// Handlers that began running.
    var started: Int { state.withLock { $0.started } }
    /// Handlers that saw their task cancelled.
    var cancelled: Int { state.withLock { $0.cancelled } }
    /// Handlers that returned normally.
    var completed: Int { state.withLock { $0.completed } }
    /// Response writes of streaming handlers that returned.
    var writes: Int { state.withLock { $0.writes } }
    /// Times the server called its `onDrain` callback.
    var drains: Int { state.withLock { $0.drains } }
    /// The custom metadata each `Metadata` call received.
    var requestMetadata: [Metadata] { state.withLock { $0.requestMetadata } }

    func didStart() { state.withLock { $0.started += 1 } }
    func didObserveCancellation() { state.withLock { $0.cancelled += 1 } }
    func didComplete() { state.withLock { $0.completed += 1 } }
    func didWrite() { state.withLock { $0.writes += 1 } }
    func record(_ metadata: Metadata) { state.withLock { $0.requestMetadata.append(metadata) } }
    func didDrain() { state.withLock { $0.drains += 1 } }

    /// Lets every handler waiting in ``waitForGate()`` go on.
    func openGate() { state.withLock { $0.gateOpen = true } }

    /// Suspends until ``openGate()``; throws `CancellationError` if the task is cancelled first.
    func waitForGate() async throws {
        while !state.withLock({ $0.gateOpen }) {
            try await Task.sleep(for: .milliseconds(5))
        }
    }
}

/// The methods the test server serves, all under `/landlord.test.Probe/`.
///
/// Messages are raw bytes (no protobuf): each method documents its own request
/// and response layout.
enum TestMethod {
    static let service = "landlord.test.Probe"

    /// Unary: answers with the request message.
    static let echo = "/\(service)/Echo"
    /// Unary: runs until cancelled (never answers), and records the cancellation.
    static let hang = "/\(service)/Hang"
    /// Unary: waits for the probe's gate, then answers "done".
    static let gated = "/\(service)/Gated"
    /// Server streaming: request `[count: UInt32][size: UInt32]` (big-endian);
    /// writes `count` messages of `size` bytes as fast as `write` returns.
    static let stream = "/\(service)/Stream"
    /// Client streaming: waits for the gate, then reads every message; answers
    /// the total byte count as a big-endian UInt64.
    static let collect = "/\(service)/Collect"
    /// Unary: records the request metadata, adds response headers and trailers
    /// (see ``TestMetadata``), answers with the request message.
    static let metadata = "/\(service)/Metadata"
    /// Unary: fails with FAILED_PRECONDITION and a `grpc-status-details-bin` trailer.
    static let fail = "/\(service)/Fail"
    /// Unary: request `[size: UInt32]`; answers with `size` bytes.
    static let big = "/\(service)/Big"
    /// Bidirectional: answers every request message with itself, until the client half-closes.
    static let echoStream = "/\(service)/EchoStream"
    /// Unary: runs until cancelled, then takes 300 ms to clean up (cancellation
    /// or not) before it counts as completed and returns.
    static let slowCleanup = "/\(service)/SlowCleanup"
    /// Unary: answers `[on a loop at start, on a loop after a hop to the global executor,
    /// the request was taken without waiting]` (1 or 0 each).
    static let whereItRuns = "/\(service)/WhereItRuns"

    /// The router serving every method, recording into `probe`.
    static func router(probe: CallProbe) -> RPCRouter {
        var router = RPCRouter()
        func add(_ path: String, _ kind: RPCKind, _ body: @escaping RPCHandler.Body) {
            let method = String(path.split(separator: "/").last!)
            router.register(
                RPCHandler(descriptor: MethodDescriptor(service: service, method: method), kind: kind, body: body))
        }
        add(echo, .unary) { requests, responses, _ in
            probe.didStart()
            var iterator = requests.makeAsyncIterator()
            let message = try await iterator.next() ?? []
            try await responses.write(message)
            probe.didComplete()
        }
        add(hang, .unary) { _, _, _ in
            probe.didStart()
            do {
                while true { try await Task.sleep(for: .seconds(60)) }
            } catch is CancellationError {
                probe.didObserveCancellation()
                throw CancellationError()
            }
        }
        add(gated, .unary) { _, responses, _ in
            probe.didStart()
            do {
                try await probe.waitForGate()
            } catch is CancellationError {
                probe.didObserveCancellation()
                throw CancellationError()
            }
            try await responses.write(Array("done".utf8))
            probe.didComplete()
        }
        add(stream, .serverStreaming) { requests, responses, _ in
            probe.didStart()
            var iterator = requests.makeAsyncIterator()
            let request = try await iterator.next() ?? []
            let count = request.count >= 4 ? Int(readUInt32(request, at: 0)) : 0
            let size = request.count >= 8 ? Int(readUInt32(request, at: 4)) : 0
            do {
                for index in 0..<count {
                    try await responses.write([UInt8](repeating: UInt8(truncatingIfNeeded: index), count: size))
                    probe.didWrite()
                }
            } catch is CancellationError {
                probe.didObserveCancellation()
                throw CancellationError()
            }
            probe.didComplete()
        }
        add(echoStream, .bidirectionalStreaming) { requests, responses, _ in
            probe.didStart()
            do {
                for try await message in requests { try await responses.write(message) }
            } catch is CancellationError {
                probe.didObserveCancellation()
                throw CancellationError()
            }
            probe.didComplete()
        }
        add(slowCleanup, .unary) { _, _, _ in
            probe.didStart()
            do {
                while true { try await Task.sleep(for: .seconds(60)) }
            } catch {
                probe.didObserveCancellation()
                // Cleanup that cancellation does not cut short.
                await Task.detached { try? await Task.sleep(for: .milliseconds(300)) }.value
                probe.didComplete()
                throw error
            }
        }
        add(collect, .clientStreaming) { requests, responses, _ in
            probe.didStart()
            try await probe.waitForGate()
            var total: UInt64 = 0
            for try await message in requests { total += UInt64(message.count) }
            try await responses.write(withUnsafeBytes(of: total.bigEndian, Array.init))
            probe.didComplete()
        }
        add(metadata, .unary) { requests, responses, context in
            probe.didStart()
            probe.record(context.requestMetadata)
            context.response.addHeader(TestMetadata.headerName, .string(TestMetadata.headerValue))
            context.response.addHeader(TestMetadata.binaryHeaderName, .binary(TestMetadata.binaryHeaderValue))
            context.response.addTrailer(TestMetadata.trailerName, .string(TestMetadata.trailerValue))
            context.response.addTrailer("grpc-status-details-bin", .binary(TestMetadata.statusDetails))
            var iterator = requests.makeAsyncIterator()
            try await responses.write(try await iterator.next() ?? [])
            probe.didComplete()
        }
        add(fail, .unary) { _, _, _ in
            probe.didStart()
            var trailers = Metadata()
            trailers.add("grpc-status-details-bin", binary: TestMetadata.statusDetails)
            throw RPCError(code: .failedPrecondition, message: "the precondition failed: 100%", metadata: trailers)
        }
        add(whereItRuns, .unary) { requests, responses, _ in
            let atStart = MultiThreadedEventLoopGroup.currentEventLoop != nil
            let takenAtOnce = requests.takeOnlyMessageIfComplete() != nil
            await Task.detached { await Task.yield() }.value
            let afterHop = MultiThreadedEventLoopGroup.currentEventLoop != nil
            try await responses.write([atStart, afterHop, takenAtOnce].map { $0 ? 1 : 0 })
        }
        add(big, .unary) { requests, responses, _ in
            probe.didStart()
            var iterator = requests.makeAsyncIterator()
            let request = try await iterator.next() ?? []
            let size = request.count >= 4 ? Int(readUInt32(request, at: 0)) : 0
            try await responses.write([UInt8](repeating: 0xAB, count: size))
            probe.didComplete()
        }
        return router
    }

    /// The request of ``stream``.
    static func streamRequest(count: Int, size: Int) -> [UInt8] {
        bigEndian(UInt32(count)) + bigEndian(UInt32(size))
    }

    /// The request of ``big``.
    static func bigRequest(size: Int) -> [UInt8] { bigEndian(UInt32(size)) }

    private static func readUInt32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        bytes[offset..<offset + 4].reduce(0) { $0 << 8 | UInt32($1) }
    }

    private static func bigEndian(_ value: UInt32) -> [UInt8] {
        withUnsafeBytes(of: value.bigEndian, Array.init)
    }
}

/// The response metadata the `Metadata` and `Fail` methods add.
enum TestMetadata {
    static let headerName = "x-response-header"
    static let headerValue = "header value"
    static let binaryHeaderName = "x-response-bin"
    /// Every byte value once: base64 of it exercises the whole alphabet.
    static let binaryHeaderValue = [UInt8](0...255)
    static let trailerName = "x-response-trailer"
    static let trailerValue = "trailer value"
    /// Bytes standing in for a serialized google.rpc.Status (length 1 mod 3: unpadded base64 differs from padded).
    static let statusDetails: [UInt8] = [0x08, 0x09, 0x12, 0x05, 0x00, 0xFF, 0xFE, 0x80, 0x7F, 0x0A]
}
