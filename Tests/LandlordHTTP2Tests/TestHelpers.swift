import LandlordHTTP2
import LandlordHTTP2TestSupport
import NIOCore
import Testing

/// Builds a client/server pair and completes the connection preface + SETTINGS exchange.
func makeConnectedPipe(
    server configuration: HTTP2ServerSession.Configuration = .defaults,
    client clientConfiguration: HTTP2TestClient.Configuration = .defaults
) throws -> HTTP2InMemoryPipe {
    let pipe = HTTP2InMemoryPipe(
        client: try HTTP2TestClient(configuration: clientConfiguration),
        server: try HTTP2ServerSession(configuration: configuration)
    )
    let events = try pipe.run()
    #expect(events == [.settingsReceived])
    return pipe
}

extension Array where Element == HTTP2Event {
    /// The `.requestHeaders` events.
    var requestHeaders: [(streamID: Int32, headers: [HTTP2HeaderField], endStream: Bool)] {
        self.compactMap {
            if case .requestHeaders(let id, let headers, let end) = $0 { return (id, headers, end) }
            return nil
        }
    }

    /// The payload of every `.requestData` of a stream, concatenated.
    func requestBody(streamID: Int32) -> ByteBuffer {
        var body = ByteBuffer()
        for case .requestData(let id, var bytes) in self where id == streamID {
            body.writeBuffer(&bytes)
        }
        return body
    }

    /// The sizes of the `.requestData` chunks of a stream.
    func requestDataSizes(streamID: Int32) -> [Int] {
        self.compactMap {
            if case .requestData(let id, let bytes) = $0, id == streamID { return bytes.readableBytes }
            return nil
        }
    }

    /// The `.streamClosed` events as (stream id, code).
    var closedStreams: [Int32: HTTP2ErrorCode] {
        var result: [Int32: HTTP2ErrorCode] = [:]
        for case .streamClosed(let id, let code) in self {
            #expect(result[id] == nil, "stream \(id) closed twice")
            result[id] = code
        }
        return result
    }
}

/// A `ByteBuffer` of `count` bytes with a recognisable pattern.
func patternBuffer(count: Int, seed: Int = 0) -> ByteBuffer {
    let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
        for index in 0..<count {
            buffer[index] = UInt8(truncatingIfNeeded: index &* 31 &+ seed)
        }
        initialized = count
    }
    return ByteBuffer(bytes: bytes)
}

let okStatus = [HTTP2HeaderField(name: ":status", value: "200")]
let grpcOK = [HTTP2HeaderField(name: "grpc-status", value: "0")]

/// Expects `body` to throw an ``HTTP2Error`` with `code`.
func expectHTTP2Error(
    _ code: HTTP2Error.Code,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () throws -> Void
) {
    let error = #expect(throws: HTTP2Error.self, sourceLocation: sourceLocation) { try body() }
    #expect(error?.code == code, sourceLocation: sourceLocation)
}
