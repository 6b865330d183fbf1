import LandlordHTTP2
import LandlordHTTP2TestSupport
import NIOCore
import Testing

@Suite("Smoke")
struct SmokeTests {
    @Test func roundTrip() throws {
        let pipe = HTTP2InMemoryPipe(client: try HTTP2TestClient(), server: try HTTP2ServerSession(configuration: .defaults))
        let id = try pipe.client.sendRequest(headers: HTTP2TestClient.grpcRequestHeaders(), endStream: true)
        let events = try pipe.run()
        print(events)
        try pipe.server.sendResponseHeaders(streamID: id, headers: [.init(name: ":status", value: "200")], endStream: false)
        try pipe.server.sendData(streamID: id, ByteBuffer(string: "hello"))
        try pipe.server.sendTrailers(streamID: id, headers: [.init(name: "grpc-status", value: "0")])
        let events2 = try pipe.run()
        print(events2)
        print(pipe.client.responses[id]!)
    }
}
