import LandlordHTTP2
import LandlordHTTP2TestSupport
import LandlordTransport
import NIOCore
import Testing

extension LiveServerTests {
    @Suite("Output buffer bound", .timeLimit(.minutes(1)))
    struct OutputBufferTests {
        @Test("a client that sends many requests but never reads: the server stops reading instead of buffering")
        func clientThatNeverReads() async throws {
            let responseSize = 64 * 1024
            let firstRequests = 300
            let laterRequests = 1200
            try await withTestServer({
                $0.writeBufferHighWatermark = 64 * 1024
                $0.writeBufferLowWatermark = 32 * 1024
                // Neither the stream limit nor flow control holds the server back: only its output buffer.
                $0.http2.maxConcurrentStreams = UInt32(firstRequests + laterRequests)
                $0.maxConcurrentCalls = firstRequests + laterRequests
            }) { server in
                let connection = try await server.connect(client: nil, receiveBufferSize: 4096)
                try await connection.rawHandshake(settings: [.initialWindowSize(UInt32(Int32.max))])
                connection.send(HTTP2RawFrames.windowUpdate(streamID: 0, increment: UInt32(Int32.max) - 65_535))
                connection.recordsFrames = false
                await connection.setReading(false)

                var nextStreamID: Int32 = 1
                func sendRequests(_ count: Int) async throws {
                    for _ in 0..<(count / 10) {
                        var batch = ByteBuffer()
                        for _ in 0..<10 {
                            var headers = rawRequestHeaders(
                                streamID: nextStreamID, path: TestMethod.big, endStream: false)
                            var data = HTTP2RawFrames.data(
                                streamID: nextStreamID,
                                payload: TestConnection.frame(TestMethod.bigRequest(size: responseSize)),
                                endStream: true
                            )
                            batch.writeBuffer(&headers)
                            batch.writeBuffer(&data)
                            nextStreamID += 2
                        }
                        connection.send(batch)
                        try await Task.sleep(for: .milliseconds(1))
                    }
                }

                // 300 answers of 64 KiB (19 MiB) are far more than the socket buffers
                // hold: once the server has answered what it read of them, its output
                // is blocked for good.
                try await sendRequests(firstRequests)
                let blocked = try await stableCount("the server stops starting handlers") { server.probe.started }
                #expect(blocked > 0)

                // Requests sent now are not read: no handler starts for them.
                try await sendRequests(laterRequests)
                let later = try await stableCount("the server does not start more handlers") { server.probe.started }
                #expect(
                    later - blocked < 50,
                    "handlers started for \(laterRequests) requests sent while blocked: \(later - blocked)")

                // Once the client reads, the server reads again.
                await connection.setReading(true)
                try await connection.wait(for: "more handlers start once the client reads") { _ in
                    server.probe.started > later + 50
                }
            }
        }
    }
}

/// Waits until `count` has not changed for a second, and returns it.
private func stableCount(_ description: String, _ count: () -> Int) async throws -> Int {
    var value = count()
    var stableSince = ContinuousClock.now
    try await eventually(description, timeout: .seconds(30)) {
        let now = count()
        if now != value {
            value = now
            stableSince = .now
        }
        return ContinuousClock.now - stableSince > .seconds(1)
    }
    return value
}
