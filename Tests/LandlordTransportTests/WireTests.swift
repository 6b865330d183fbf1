import LandlordRPC
import NIOCore
import Testing

@testable import LandlordTransport

@Suite("grpc-timeout")
struct GRPCTimeoutTests {
    @Test(
        "every unit parses",
        arguments: [
            ("1H", Duration.seconds(3600)), ("2M", .seconds(120)), ("30S", .seconds(30)),
            ("250m", .milliseconds(250)), ("7u", .microseconds(7)), ("99999999n", .nanoseconds(99_999_999)),
            ("0S", .zero),
        ]
    )
    func units(value: String, expected: Duration) {
        #expect(GRPCTimeout.parse(value) == expected)
    }

    @Test("malformed values are rejected", arguments: ["", "S", "10", "10s", "123456789S", "-1S", "1.5S", " 1S"])
    func malformed(value: String) {
        #expect(GRPCTimeout.parse(value) == nil)
    }
}

@Suite("percent-encoding of grpc-message")
struct PercentEncodingTests {
    @Test(
        "encodes bytes outside printable ASCII and %",
        arguments: [
            ("plain text", "plain text"), ("100%", "100%25"), ("line\nbreak", "line%0Abreak"),
            ("café", "caf%C3%A9"), ("tab\t", "tab%09"),
        ]
    )
    func encode(message: String, wire: String) {
        #expect(PercentEncoding.encode(message) == wire)
        #expect(PercentEncoding.decode(wire) == message)
    }

    @Test("malformed escapes are kept")
    func malformed() {
        #expect(PercentEncoding.decode("50%zz") == "50%zz")
        #expect(PercentEncoding.decode("%4") == "%4")
    }
}

@Suite("base64 of -bin metadata")
struct Base64Tests {
    @Test("round trips every length, unpadded out, padded or unpadded in", arguments: 0..<8)
    func roundTrip(length: Int) {
        let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 250) }
        let text = Base64.encode(bytes)
        #expect(!text.contains("="))
        #expect(Base64.decode(text) == bytes)
        let padded = text + String(repeating: "=", count: (4 - text.count % 4) % 4)
        #expect(Base64.decode(padded) == bytes)
    }

    @Test("known vectors and garbage")
    func vectors() {
        #expect(Base64.encode(Array("hello".utf8)) == "aGVsbG8")
        #expect(Base64.decode("aGVsbG8=") == Array("hello".utf8))
        #expect(Base64.decode("a") == nil)
        #expect(Base64.decode("ab$d") == nil)
    }
}

@Suite("message deframer")
struct MessageDeframerTests {
    private func framed(_ messages: [[UInt8]]) -> [UInt8] {
        var buffer = ByteBuffer()
        for message in messages { MessageFramer.frame(message, into: &buffer) }
        return Array(buffer.readableBytesView)
    }

    @Test("messages split at every possible chunk size come out whole and in order", arguments: [1, 2, 3, 5, 7, 64, 1000])
    func arbitrarySplits(chunkSize: Int) throws {
        let messages: [[UInt8]] = [[], [1], Array(repeating: 9, count: 300), [1, 2, 3, 4, 5, 6]]
        let wire = framed(messages)
        var deframer = MessageDeframer(maxMessageSize: 1024)
        var received: [[UInt8]] = []
        var offset = 0
        while offset < wire.count {
            let end = min(offset + chunkSize, wire.count)
            deframer.append(ByteBuffer(bytes: wire[offset..<end]))
            while let message = try deframer.nextMessage() { received.append(message) }
            offset = end
        }
        #expect(received == messages)
        #expect(deframer.bufferedBytes == 0)
    }

    @Test("an oversized length is refused from the prefix alone, before the body arrives")
    func oversized() {
        var deframer = MessageDeframer(maxMessageSize: 16)
        deframer.append(ByteBuffer(bytes: [0, 0, 0, 0, 17]))
        #expect(throws: RPCError.self) { try deframer.nextMessage() }
        do {
            _ = try deframer.nextMessage()
        } catch {
            #expect(error.code == .resourceExhausted)
        }
    }

    @Test("a message exactly at the limit is accepted")
    func atLimit() throws {
        var deframer = MessageDeframer(maxMessageSize: 16)
        deframer.append(ByteBuffer(bytes: framed([Array(repeating: 1, count: 16)])))
        #expect(try deframer.nextMessage()?.count == 16)
    }

    @Test("a compressed message is INTERNAL")
    func compressed() {
        var deframer = MessageDeframer(maxMessageSize: 16)
        deframer.append(ByteBuffer(bytes: [1, 0, 0, 0, 1, 42]))
        #expect(throws: RPCError(code: .internal, message: "compressed message received, but no message encoding was negotiated")) {
            try deframer.nextMessage()
        }
    }

    @Test("the framer writes flag 0 and a big-endian length")
    func framer() {
        #expect(framed([[7, 8]]) == [0, 0, 0, 0, 2, 7, 8])
    }
}

@Suite("request head")
struct RequestHeadTests {
    private func head(_ extra: [(String, String)] = [], method: String = "POST", contentType: String? = "application/grpc", path: String = "/pkg.Svc/Do")
        -> Result<GRPCRequestHead, RequestRejection>
    {
        var headers: [(name: String, value: String)] = [(":method", method), (":scheme", "http"), (":path", path), (":authority", "x")]
        if let contentType { headers.append(("content-type", contentType)) }
        headers.append(("te", "trailers"))
        for (n, v) in extra { headers.append((n, v)) }
        return GRPCRequestHead.parse(headers)
    }

    @Test("a good request parses with its method, timeout and metadata")
    func good() throws {
        let parsed = try head([("grpc-timeout", "5S"), ("x-user", "ana"), ("trace-bin", "AAEC"), ("grpc-accept-encoding", "gzip")]).get()
        #expect(parsed.descriptor == MethodDescriptor(service: "pkg.Svc", method: "Do"))
        #expect(parsed.timeout == .seconds(5))
        #expect(parsed.metadata.firstString(for: "x-user") == "ana")
        #expect(parsed.metadata.firstBinary(for: "trace-bin") == [0, 1, 2])
        #expect(parsed.metadata.values(for: "te").isEmpty)
        #expect(parsed.metadata.values(for: "grpc-accept-encoding").isEmpty)
    }

    @Test("application/grpc+proto and parameters are accepted")
    func contentTypes() {
        #expect((try? head(contentType: "application/grpc+proto").get()) != nil)
        #expect((try? head(contentType: "application/grpc; charset=utf-8").get()) != nil)
    }

    @Test("non-POST is HTTP 405")
    func notPost() {
        guard case .failure(.http(405, _)) = head(method: "GET") else { Issue.record("expected 405"); return }
    }

    @Test("other content types are HTTP 415", arguments: [nil, "application/json", "application/grpc+json", "text/plain"])
    func badContentType(contentType: String?) {
        guard case .failure(.http(415, _)) = head(contentType: contentType) else { Issue.record("expected 415"); return }
    }

    @Test("malformed paths are UNIMPLEMENTED", arguments: ["/", "//", "//Do", "/pkg.Svc", "/pkg.Svc/", "pkg.Svc/Do", "/a/b/c", "/a//"])
    func badPath(path: String) {
        guard case .failure(.grpc(let status, _)) = head(path: path) else { Issue.record("expected grpc"); return }
        #expect(status.code == .unimplemented)
    }

    @Test("an unsupported grpc-encoding is UNIMPLEMENTED with grpc-accept-encoding")
    func encoding() {
        guard case .failure(.grpc(let status, let headers)) = head([("grpc-encoding", "gzip")]) else {
            Issue.record("expected grpc rejection")
            return
        }
        #expect(status.code == .unimplemented)
        #expect(headers.contains { $0 == ("grpc-accept-encoding", "identity") })
        #expect((try? head([("grpc-encoding", "identity")]).get()) != nil)
    }

    @Test("malformed grpc-timeout and -bin values are INTERNAL")
    func malformed() {
        for extra in [[("grpc-timeout", "soon")], [("x-bin", "!!!")]] {
            guard case .failure(.grpc(let status, _)) = head(extra) else { Issue.record("expected grpc rejection"); continue }
            #expect(status.code == .internal)
        }
    }
}
