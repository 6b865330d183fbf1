import LandlordHTTP2
import LandlordHTTP2TestSupport
import LandlordTransport
import NIOCore
import Testing

@Suite("Output buffer bound", .timeLimit(.minutes(1)))
struct OutputBufferTests {
    @Test("a client that sends many requests but never reads: the server stops reading instead of buffering")
    func clientThatNeverReads() async throws {
        let requests = 1500
        let responseSize = 64 * 1024
        try await withTestServer({
            $0.writeBufferHighWatermark = 64 * 1024
            $0.writeBufferLowWatermark = 32 * 1024
            $0.http2.maxConcurrentStreams = UInt32(requests)
            $0.maxConcurrentCalls = requests
        }) { server in
            // Flow control does not hold the server back: the windows are as large as HTTP/2 allows.
            let connection = try await server.connect(client: nil, receiveBufferSize: 4096)
            try await connection.rawHandshake(settings: [.initialWindowSize(UInt32(Int32.max))])
            connection.send(HTTP2RawFrames.windowUpdate(streamID: 0, increment: UInt32(Int32.max) - 65_535))
            connection.recordsFrames = false
            await connection.setReading(false)

            // Requests in small batches, so the server reads them as they come
            // (and would start a handler for each if it kept reading).
            var streamID: Int32 = 1
            for _ in 0..<(requests / 10) {
                var batch = ByteBuffer()
                for _ in 0..<10 {
                    var headers = rawRequestHeaders(streamID: streamID, path: TestMethod.big, endStream: false)
                    var data = HTTP2RawFrames.data(
                        streamID: streamID,
                        payload: TestConnection.frame(TestMethod.bigRequest(size: responseSize)),
                        endStream: true
                    )
                    batch.writeBuffer(&headers)
                    batch.writeBuffer(&data)
                    streamID += 2
                }
                connection.send(batch)
                try await Task.sleep(for: .milliseconds(2))
            }
            // Wait until the server has stopped starting handlers (a server that
            // kept reading would go on to all of them).
            var started = server.probe.started
            var stableSince = ContinuousClock.now
            try await eventually("the server stops starting handlers") {
                let now = server.probe.started
                if now != started {
                    started = now
                    stableSince = .now
                }
                return ContinuousClock.now - stableSince > .milliseconds(500)
            }
            #expect(started < requests / 3, "handlers started while the client does not read: \(started) of \(requests)")

            // Once the client reads, the server reads again.
            await connection.setReading(true)
            try await connection.wait(for: "more handlers start once the client reads") { _ in
                server.probe.started > started + 50
            }
        }
    }
}
