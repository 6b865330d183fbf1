import Foundation
import NIOCore
import Testing

@testable import LandlordKubernetesProvider

/// Just enough of a Deployment for the tests.
struct TestDeployment: Decodable, Sendable, Equatable {
    struct Metadata: Decodable, Sendable, Equatable {
        var name: String
        var namespace: String?
        var resourceVersion: String?
    }
    struct Spec: Decodable, Sendable, Equatable {
        var replicas: Int?
    }
    var metadata: Metadata
    var spec: Spec?
}

@Suite("Kubernetes watch: event decoding and line framing")
struct WatchDecodingTests {
    static func line(_ text: String) -> Data { Data(text.utf8) }

    @Test("ADDED, MODIFIED and DELETED carry key, version and object")
    func objectEvents() throws {
        let json = #"{"type":"MODIFIED","object":{"kind":"Deployment","metadata":{"name":"tenant","namespace":"landlord-acme","resourceVersion":"42"},"spec":{"replicas":2}}}"#
        guard case .modified(let key, let version, let object) = try WatchEvent<TestDeployment>.decode(Self.line(json))
        else {
            Issue.record("not a MODIFIED event")
            return
        }
        #expect(key == ObjectKey(namespace: "landlord-acme", name: "tenant"))
        #expect(version == "42")
        #expect(object.spec?.replicas == 2)
        let added = #"{"type":"ADDED","object":{"metadata":{"name":"ns","resourceVersion":"7"}}}"#
        guard case .added(let nsKey, _, _) = try WatchEvent<TestDeployment>.decode(Self.line(added)) else {
            Issue.record("not an ADDED event")
            return
        }
        #expect(nsKey == ObjectKey(namespace: "", name: "ns"))  // cluster-scoped
    }

    @Test("a BOOKMARK carries only a version (its object is partial) and ERROR its Status")
    func bookmarkAndError() throws {
        let bookmark = #"{"type":"BOOKMARK","object":{"kind":"Deployment","apiVersion":"apps/v1","metadata":{"resourceVersion":"99","annotations":{"k8s.io/initial-events-end":"true"}}}}"#
        guard case .bookmark(let version) = try WatchEvent<TestDeployment>.decode(Self.line(bookmark)) else {
            Issue.record("not a bookmark")
            return
        }
        #expect(version == "99")
        let gone = #"{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","status":"Failure","message":"too old resource version: 5 (80)","reason":"Expired","code":410}}"#
        guard case .error(let code, let reason, _) = try WatchEvent<TestDeployment>.decode(Self.line(gone)) else {
            Issue.record("not an error")
            return
        }
        #expect(code == 410 && reason == "Expired")
    }

    @Test(
        "unreadable lines are errors that never quote the line",
        arguments: [
            #"not json {"password":"hunter2"}"#,
            #"{"type":"ADDED","object":{"metadata":{"name":"x"},"data":{"password":"hunter2"}}}"#,  // no version
            #"{"type":"ADDED","object":{"metadata":{"resourceVersion":"1"},"data":{"password":"hunter2"}}}"#,  // no name
            #"{"type":"ADDED","object":{"metadata":{"name":7,"resourceVersion":"1"},"x":"hunter2"}}"#,
            #"{"type":"SURPRISE","object":{"metadata":{"name":"x","resourceVersion":"1"},"x":"hunter2"}}"#,
        ])
    func malformed(_ text: String) {
        #expect {
            _ = try WatchEvent<TestDeployment>.decode(Self.line(text))
        } throws: { error in
            !"\(error)".contains("hunter2")
        }
    }

    @Test("lines are cut at newlines whatever the chunks, CRLF and empty lines tolerated")
    func lineSplitting() throws {
        var splitter = LineSplitter()
        let stream = "{\"a\":1}\n{\"b\":2}\r\n\n{\"c\":3}"
        var lines: [String] = []
        // One byte at a time: the worst chunking there is.
        for byte in stream.utf8 {
            lines += try splitter.append(ByteBuffer(bytes: [byte])).map { String(decoding: $0, as: UTF8.self) }
        }
        #expect(lines == [#"{"a":1}"#, #"{"b":2}"#])
        #expect(splitter.finish().map { String(decoding: $0, as: UTF8.self) } == #"{"c":3}"#)
        #expect(splitter.finish() == nil)
    }

    @Test("a line longer than the limit is an error, not an ever-growing buffer")
    func lineTooLong() {
        var splitter = LineSplitter()
        let chunk = ByteBuffer(repeating: UInt8(ascii: "x"), count: 1 << 20)
        #expect(throws: LineSplitter.LineTooLong.self) {
            for _ in 0...(LineSplitter.maximumLineLength >> 20) { _ = try splitter.append(chunk) }
        }
    }
}
