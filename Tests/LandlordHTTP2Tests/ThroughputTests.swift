import LandlordHTTP2
import LandlordHTTP2TestSupport
import NIOCore
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A rough throughput probe, off by default: `LANDLORD_HTTP2_BENCH=1 swift test -c release --filter Throughput`.
/// It times only the server session's work (receive, submits, produceOutput) for
/// unary gRPC-shaped calls, 100 concurrent streams per round.
@Suite("Throughput probe", .enabled(if: getenv("LANDLORD_HTTP2_BENCH").map { String(cString: $0) } == "1"))
struct ThroughputTests {
    @Test("unary calls per second through the server session")
    func unaryCalls() throws {
        let pipe = try makeConnectedPipe()
        let request = HTTP2TestClient.grpcRequestHeaders(path: "/landlord.compute.v1.Compute/GetWorkload")
        let message = patternBuffer(count: 100)
        let responseHeaders = okStatus + [HTTP2HeaderField(name: "content-type", value: "application/grpc")]
        let trailers = grpcOK
        let rounds = 500
        let perRound = 100
        var serverTime: Duration = .zero
        let clock = ContinuousClock()
        var calls = 0
        for _ in 0..<rounds {
            for _ in 0..<perRound {
                let id = try pipe.client.sendRequest(headers: request, endStream: false)
                try pipe.client.sendData(streamID: id, message, endStream: true)
            }
            let input = try pipe.client.produceOutput()
            var output = ByteBuffer()
            var closed = 0
            serverTime += try clock.measure {
                let events = try pipe.server.receive(input)
                for event in events {
                    switch event {
                    case .requestData(let id, let bytes):
                        pipe.server.consumeInbound(streamID: id, count: bytes.readableBytes)
                    case .requestEnded(let id):
                        try pipe.server.sendResponseHeaders(streamID: id, headers: responseHeaders, endStream: false)
                        try pipe.server.sendData(streamID: id, message)
                        try pipe.server.sendTrailers(streamID: id, headers: trailers)
                    default:
                        break
                    }
                }
                for case .streamClosed in try pipe.server.produceOutput(into: &output) {
                    closed += 1
                }
            }
            try pipe.client.receive(output)
            // WINDOW_UPDATEs and SETTINGS ACKs from the client.
            let back = try pipe.client.produceOutput()
            var more = ByteBuffer()
            serverTime += try clock.measure {
                _ = try pipe.server.receive(back)
                _ = try pipe.server.produceOutput(into: &more)
            }
            try pipe.client.receive(more)
            calls += closed
        }
        #expect(calls == rounds * perRound)
        let seconds = Double(serverTime.components.seconds) + Double(serverTime.components.attoseconds) / 1e18
        print(
            "HTTP2ServerSession: \(calls) unary calls in \(seconds) s of server time = \(Int(Double(calls) / seconds)) calls/s"
        )
    }
}
