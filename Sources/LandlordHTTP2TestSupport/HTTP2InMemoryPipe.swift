package import LandlordHTTP2
import NIOCore

/// Connects an ``HTTP2TestClient`` and an ``HTTP2ServerSession`` in memory and
/// shuttles bytes between them until both are quiet.
///
/// ```swift
/// let pipe = HTTP2InMemoryPipe(client: try HTTP2TestClient(), server: try HTTP2ServerSession(configuration: .defaults))
/// let id = try pipe.client.sendRequest(headers: HTTP2TestClient.grpcRequestHeaders(), endStream: true)
/// let events = try pipe.run()   // the server's events
/// ```
package struct HTTP2InMemoryPipe {
    /// Thrown when the two sides are still talking after `maxSteps` round trips.
    package struct StepLimitExceeded: Error, CustomStringConvertible {
        package var steps: Int
        package var description: String { "HTTP2InMemoryPipe: still busy after \(self.steps) steps" }
    }

    package let client: HTTP2TestClient
    package let server: HTTP2ServerSession

    package init(client: HTTP2TestClient, server: HTTP2ServerSession) {
        self.client = client
        self.server = server
    }

    /// Moves the client's pending bytes to the server.
    ///
    /// - Parameter chunkSize: Feed the server at most this many bytes per
    ///   `receive` call (to exercise arbitrary read boundaries).
    /// - Returns: The server's events.
    package func deliverClientToServer(chunkSize: Int = .max) throws -> [HTTP2Event] {
        var bytes = try self.client.produceOutput()
        var events: [HTTP2Event] = []
        while bytes.readableBytes > 0 {
            let chunk = bytes.readSlice(length: min(chunkSize, bytes.readableBytes))!
            events += try self.server.receive(chunk)
        }
        return events
    }

    /// Moves the server's pending bytes to the client.
    ///
    /// - Returns: The server's events caused by sending, and the number of bytes moved.
    package func deliverServerToClient() throws -> (events: [HTTP2Event], bytes: Int) {
        var buffer = ByteBuffer()
        let events = try self.server.produceOutput(into: &buffer)
        let count = buffer.readableBytes
        try self.client.receive(buffer)
        return (events, count)
    }

    /// Shuttles bytes both ways until neither side has anything to send.
    ///
    /// - Parameters:
    ///   - maxSteps: The most round trips before throwing ``StepLimitExceeded``.
    ///   - consumingInbound: Call ``HTTP2ServerSession/consumeInbound(streamID:count:)``
    ///     for every ``HTTP2Event/requestData(streamID:bytes:)`` at once (an
    ///     application that reads everything).
    ///   - chunkSize: The largest piece of client bytes fed to the server at once.
    /// - Returns: Every server event, in order.
    @discardableResult
    package func run(maxSteps: Int = 10_000, consumingInbound: Bool = false, chunkSize: Int = .max) throws
        -> [HTTP2Event]
    {
        var events: [HTTP2Event] = []
        for _ in 0..<maxSteps {
            let fromClient = try self.deliverClientToServer(chunkSize: chunkSize)
            if consumingInbound {
                for case .requestData(let streamID, let bytes) in fromClient {
                    self.server.consumeInbound(streamID: streamID, count: bytes.readableBytes)
                }
            }
            events += fromClient
            let (fromServer, moved) = try self.deliverServerToClient()
            events += fromServer
            if fromClient.isEmpty, moved == 0, !self.client.wantsWrite, !self.server.hasPendingOutput {
                return events
            }
        }
        throw StepLimitExceeded(steps: maxSteps)
    }
}
