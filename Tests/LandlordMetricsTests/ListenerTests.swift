@testable import LandlordMetrics
import Logging
import NIOCore
import NIOEmbedded
import NIOPosix
import Testing

@Suite("The metrics listener: GET /metrics, 404, 405, bounded requests")
struct ListenerTests {
    /// A connection of the listener, in memory: bytes in, the answer's bytes out.
    private final class Connection {
        let channel = EmbeddedChannel()

        init(limits: MetricsServer.Limits = .defaults, exposition: @escaping @Sendable () -> [UInt8] = { Array("up 1\n".utf8) }) throws {
            try MetricsServer.configure(channel.pipeline.syncOperations, limits: limits, exposition: exposition)
            try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        }

        /// Sends `request` and returns everything the listener wrote back.
        func send(_ request: String) throws -> String {
            try channel.writeInbound(channel.allocator.buffer(string: request))
            var answer = ""
            while let part = try channel.readOutbound(as: IOData.self) {
                guard case .byteBuffer(let buffer) = part else { continue }
                answer += String(buffer: buffer)
            }
            return answer
        }

        var isOpen: Bool { channel.isActive }
    }

    @Test("GET /metrics answers 200 with the exposition in text format 0.0.4; the connection stays open")
    func metrics() throws {
        let connection = try Connection()
        let answer = try connection.send("GET /metrics HTTP/1.1\r\nhost: x\r\n\r\n")
        #expect(answer.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(answer.lowercased().contains("content-type: text/plain; version=0.0.4; charset=utf-8\r\n"))
        #expect(answer.lowercased().contains("content-length: 5\r\n"))
        #expect(answer.hasSuffix("\r\n\r\nup 1\n"))
        #expect(connection.isOpen)
        // Scraped again on the same connection (as Prometheus does).
        #expect(try connection.send("GET /metrics?x=1 HTTP/1.1\r\nhost: x\r\n\r\n").hasPrefix("HTTP/1.1 200 OK\r\n"))
    }

    @Test("HEAD /metrics answers the headers only")
    func head() throws {
        let answer = try Connection().send("HEAD /metrics HTTP/1.1\r\nhost: x\r\n\r\n")
        #expect(answer.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(answer.hasSuffix("\r\n\r\n"))
    }

    @Test("other paths get 404", arguments: ["/", "/metricsx", "/metrics/", "/healthz"])
    func notFound(path: String) throws {
        let connection = try Connection()
        let answer = try connection.send("GET \(path) HTTP/1.1\r\nhost: x\r\n\r\n")
        #expect(answer.hasPrefix("HTTP/1.1 404 Not Found\r\n"))
        #expect(!connection.isOpen)
    }

    @Test("other methods get 405 with Allow", arguments: ["POST", "PUT", "DELETE", "OPTIONS"])
    func methodNotAllowed(method: String) throws {
        let answer = try Connection().send("\(method) /metrics HTTP/1.1\r\nhost: x\r\ncontent-length: 0\r\n\r\n")
        #expect(answer.hasPrefix("HTTP/1.1 405 Method Not Allowed\r\n"))
        #expect(answer.lowercased().contains("allow: get, head\r\n"))
    }

    @Test("a request over the size limit gets 431, later bytes are dropped; the exposition is never built")
    func oversized() throws {
        let connection = try Connection(
            limits: .init(maxRequestBytes: 1024, maxConnections: 4, idleTimeout: .seconds(60)),
            exposition: { Issue.record("a rejected request must not be answered"); return [] }
        )
        let huge = String(repeating: "a", count: 2000)
        let answer = try connection.send("GET /metrics HTTP/1.1\r\nhost: x\r\nx-big: \(huge)\r\n\r\n")
        #expect(answer.hasPrefix("HTTP/1.1 431 Request Header Fields Too Large\r\n"))
        // Half-closed: what the client still sends is dropped, never parsed or answered.
        #expect(try connection.send("GET /metrics HTTP/1.1\r\nhost: x\r\n\r\n") == "")
    }

    @Test("the limit is per request: many small requests on one connection are fine")
    func limitPerRequest() throws {
        let connection = try Connection(limits: .init(maxRequestBytes: 256, maxConnections: 4, idleTimeout: .seconds(60)))
        for _ in 0..<20 {
            #expect(try connection.send("GET /metrics HTTP/1.1\r\nhost: x\r\n\r\n").hasPrefix("HTTP/1.1 200 OK\r\n"))
        }
    }

    @Test("a request that is not HTTP gets 400 and the connection closes")
    func garbage() throws {
        let connection = try Connection()
        let answer = try connection.send("\u{1}\u{2}nonsense\r\n\r\n")
        #expect(answer.hasPrefix("HTTP/1.1 400 Bad Request\r\n"))
        #expect(!connection.isOpen)
    }

    @Test("live: binds port 0, answers a real socket, stops on cancellation")
    func live() async throws {
        let server = MetricsServer(host: "127.0.0.1", port: 0, logger: Logger(label: "test")) { Array("up 1\n".utf8) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            let address = try await server.listeningAddress
            let answer = try await Self.exchange(address, "GET /metrics HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
            #expect(answer.hasPrefix("HTTP/1.1 200 OK\r\n"))
            #expect(answer.hasSuffix("up 1\n"))
            group.cancelAll()
            try await group.waitForAll()
        }
    }

    /// Writes `request` on a new TCP connection and reads until the server closes it.
    private static func exchange(_ address: SocketAddress, _ request: String) async throws -> String {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(to: address) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(string: request))
            var answer = ""
            for try await buffer in inbound { answer += String(buffer: buffer) }
            return answer
        }
    }
}
