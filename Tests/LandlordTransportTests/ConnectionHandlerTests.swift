import LandlordHTTP2
import LandlordHTTP2TestSupport
import LandlordRPC
import NIOCore
import NIOEmbedded
import Testing

@testable import LandlordTransport

/// The connection handler on an `EmbeddedChannel`, for orderings a real socket
/// cannot produce on demand.
@Suite("Connection handler orderings")
struct ConnectionHandlerTests {
    @Test("a drain requested before the connection is active still drains it once it starts")
    func drainBeforeActive() throws {
        let channel = EmbeddedChannel()
        let handler = GRPCConnectionHandler(
            router: TestMethod.router(probe: CallProbe()),
            configuration: .defaults,
            callLimiter: CallLimiter(limit: 10),
            logger: testLogger
        )
        try channel.pipeline.syncOperations.addHandler(handler)
        // A graceful shutdown reaches a connection the server just accepted,
        // before its channel became active.
        channel.pipeline.triggerUserOutboundEvent(GracefulDrainEvent(), promise: nil)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()

        var output = ByteBuffer()
        while var bytes = try channel.readOutbound(as: ByteBuffer.self) { output.writeBuffer(&bytes) }
        let goAways = HTTP2RawFrames.parse(output).compactMap(\.goAway)
        #expect(goAways.first?.lastStreamID == Int32.max, "the shutdown notice goes out with the server's SETTINGS")
        _ = try? channel.finish()
    }
}
