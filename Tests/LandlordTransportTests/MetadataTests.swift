import Foundation
import LandlordHTTP2
import LandlordHTTP2TestSupport
import LandlordRPC
import LandlordTransport
import Testing

extension LiveServerTests {
    @Suite("Methods and metadata on the wire", .timeLimit(.minutes(1)))
    struct MetadataTests {
        @Test(
            "an unknown method gets UNIMPLEMENTED as Trailers-Only",
            arguments: ["/landlord.test.Probe/Nope", "/no.such.Service/Echo"]
        )
        func unknownMethod(path: String) async throws {
            try await withTestServer { server in
                let connection = try await server.connect()
                let id = try connection.startCall(path, [[1]])
                try await connection.finish(id)
                let response = try #require(connection.response(id))
                #expect(response.headersFrames == 1, "one HEADERS frame…")
                #expect(response.endStream, "…with END_STREAM")
                #expect(response.dataFrames == 0)
                #expect(response.trailers == nil)
                #expect(response.header(":status") == "200")
                #expect(response.header("content-type") == "application/grpc")
                #expect(response.header("grpc-status") == "12")
                #expect(response.header("grpc-message")?.contains("Nope") == true || path.hasPrefix("/no.such"))
                #expect(server.probe.started == 0)
            }
        }

        @Test("custom and -bin request metadata reach the handler decoded; reserved headers do not")
        func requestMetadata() async throws {
            let binary: [UInt8] = [0x00, 0xFF, 0x10, 0x80, 0x7F]
            let padded = Data(binary).base64EncodedString()
            let unpadded = String(Data([0x01, 0x02, 0x03, 0x04]).base64EncodedString().filter { $0 != "=" })
            try await withTestServer { server in
                let connection = try await server.connect()
                let (status, _) = try await connection.unary(
                    TestMethod.metadata,
                    [1],
                    metadata: [
                        .init(name: "x-custom", value: "first value"),
                        .init(name: "x-custom", value: "second value"),
                        .init(name: "x-trace-bin", value: padded),
                        .init(name: "x-unpadded-bin", value: unpadded),
                        .init(name: "grpc-timeout", value: "10S"),
                        .init(name: "grpc-future-header", value: "reserved"),
                    ]
                )
                #expect(status == "0")
                let metadata = try #require(server.probe.requestMetadata.first)
                #expect(metadata.values(for: "x-custom") == [.string("first value"), .string("second value")])
                #expect(metadata.firstBinary(for: "x-trace-bin") == binary)
                #expect(metadata.firstBinary(for: "x-unpadded-bin") == [0x01, 0x02, 0x03, 0x04])
                #expect(metadata.values(for: "grpc-timeout").isEmpty)
                #expect(metadata.values(for: "grpc-future-header").isEmpty)
                #expect(metadata.values(for: "content-type").isEmpty)
                #expect(metadata.values(for: "te").isEmpty)
                #expect(!metadata.contains { $0.key.hasPrefix(":") })
            }
        }

        @Test("response headers and trailers the handler adds arrive, binary ones base64 as sent")
        func responseMetadata() async throws {
            try await withTestServer { server in
                let connection = try await server.connect()
                let id = try connection.startCall(TestMethod.metadata, [[5]])
                try await connection.finish(id)
                let response = try #require(connection.response(id))
                #expect(connection.status(id) == "0")
                #expect(connection.messages(id) == [[5]])
                #expect(response.header(TestMetadata.headerName) == TestMetadata.headerValue)
                #expect(
                    response.header(TestMetadata.binaryHeaderName) == unpaddedBase64(TestMetadata.binaryHeaderValue))
                #expect(response.trailer(TestMetadata.trailerName) == TestMetadata.trailerValue)
                let details = try #require(response.trailer("grpc-status-details-bin"))
                #expect(details == unpaddedBase64(TestMetadata.statusDetails))
                #expect(decodeBase64(details) == TestMetadata.statusDetails)
                #expect(response.header("grpc-status") == nil, "status only in the trailers")
            }
        }

        @Test("an error with grpc-status-details-bin before any message: Trailers-Only with the details")
        func errorDetails() async throws {
            try await withTestServer { server in
                let connection = try await server.connect()
                let id = try connection.startCall(TestMethod.fail, [[1]])
                try await connection.finish(id)
                let response = try #require(connection.response(id))
                #expect(response.headersFrames == 1)
                #expect(response.dataFrames == 0)
                #expect(response.header("grpc-status") == "9")
                #expect(response.header("grpc-message") == "the precondition failed: 100%25")
                let details = try #require(response.header("grpc-status-details-bin"))
                #expect(decodeBase64(details) == TestMetadata.statusDetails)
            }
        }
    }
}

/// Base64 without padding, as gRPC implementations should emit it.
private func unpaddedBase64(_ bytes: [UInt8]) -> String {
    String(Data(bytes).base64EncodedString().filter { $0 != "=" })
}

/// Decodes padded or unpadded base64.
private func decodeBase64(_ text: String) -> [UInt8]? {
    let padded = text + String(repeating: "=", count: (4 - text.count % 4) % 4)
    return Data(base64Encoded: padded).map(Array.init)
}
