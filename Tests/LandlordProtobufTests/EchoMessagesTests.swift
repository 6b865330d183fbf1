import LandlordProtobuf
import LandlordTestingProto
import Testing

@Suite("landlord.testing.v1 messages")
struct EchoMessagesTests {
    @Test("EchoRequest round trip")
    func requestRoundTrip() throws {
        let requests = [
            EchoRequest(),
            EchoRequest(message: "hello"),
            EchoRequest(
                message: "everything ✓",
                payload: Array(0...255) + [0, 0, 0],
                responseCount: 3,
                responseSize: 1 << 20,
                delayMilliseconds: 25,
                failCode: 8,
                failMessage: "too big: 100%",
                echoMetadata: true,
                waitForCancellation: true,
                responseHeaders: ["x-header": "1", "x-other": ""],
                responseTrailers: ["x-trailer": "a b"],
                failAfter: 2
            ),
            EchoRequest(failCode: -1, failAfter: Int32.max),
        ]
        for request in requests {
            #expect(try EchoRequest(serializedBytes: request.serializedBytes()) == request)
        }
        #expect(EchoRequest().serializedBytes() == [])
        #expect(EchoRequest(message: "a").serializedBytes() == [0x0a, 0x01, 0x61])
        #expect(EchoRequest(responseCount: 2).serializedBytes() == [0x18, 0x02])
    }

    @Test("EchoResponse round trip")
    func responseRoundTrip() throws {
        let responses = [
            EchoResponse(),
            EchoResponse(
                message: "m",
                payload: [UInt8](repeating: 0xab, count: 4 << 20),
                index: 7,
                metadata: ["a": "1", "b-bin": "AAEC", "": ""],
                requestCount: 9
            ),
        ]
        for response in responses {
            #expect(try EchoResponse(serializedBytes: response.serializedBytes()) == response)
        }
        #expect(EchoResponse(index: 1).serializedBytes() == [0x18, 0x01])
    }

    @Test("map entries are written sorted by key")
    func deterministicMaps() {
        let metadata = Dictionary(uniqueKeysWithValues: (0..<50).map { ("key-\($0)", "value-\($0)") })
        let bytes = EchoResponse(metadata: metadata).serializedBytes()
        #expect(EchoResponse(metadata: metadata).serializedBytes() == bytes)
        let sorted = metadata.sorted { $0.key < $1.key }
        let expected = sorted.flatMap { entry -> [UInt8] in
            let key = [0x0a] + varint(entry.key.utf8.count) + Array(entry.key.utf8)
            let value = [0x12] + varint(entry.value.utf8.count) + Array(entry.value.utf8)
            return [0x22] + varint(key.count + value.count) + key + value
        }
        #expect(bytes == expected)
    }

    @Test("malformed bytes throw")
    func malformed() {
        #expect(throws: ProtobufDecodingError.self) { try EchoRequest(serializedBytes: [0x12, 0x04, 0x00]) }
        #expect(throws: ProtobufDecodingError.self) { try EchoResponse(serializedBytes: [0x22, 0x01, 0x0a]) }
    }
}
