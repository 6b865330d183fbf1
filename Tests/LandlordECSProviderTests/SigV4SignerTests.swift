import Foundation
import LandlordECSProvider
import Testing

/// AWS's published Signature Version 4 test suite (credentials `AKIDEXAMPLE`, region `us-east-1`,
/// service `service`, time 2015-08-30T12:36:00Z): the expected signatures are AWS's.
@Suite("SigV4 signer")
struct SigV4SignerTests {
    static let credentials = AWSCredentials(
        accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    static let date = Date(timeIntervalSince1970: 1_440_938_160)
    static let signer = SigV4Signer(region: "us-east-1", service: "service")
    static let base: [(name: String, value: String)] = [("Host", "example.amazonaws.com"), ("X-Amz-Date", "20150830T123600Z")]

    struct Vector: Sendable, CustomStringConvertible {
        var name: String
        var method: String
        var path: String
        var query: [(name: String, value: String)] = []
        var headers: [(name: String, value: String)] = SigV4SignerTests.base
        var body: String = ""
        var signedHeaders: String = "host;x-amz-date"
        var signature: String
        var description: String { self.name }
    }

    static let vectors: [Vector] = [
        Vector(name: "get-vanilla", method: "GET", path: "/", signature: "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        Vector(
            name: "get-vanilla-query-order-key-case", method: "GET", path: "/",
            query: [("Param2", "value2"), ("Param1", "value1")],
            signature: "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"),
        Vector(name: "get-utf8", method: "GET", path: "/ሴ", signature: "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85"),
        Vector(name: "post-vanilla", method: "POST", path: "/", signature: "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"),
        Vector(
            name: "post-x-www-form-urlencoded", method: "POST", path: "/",
            headers: [("Content-Type", "application/x-www-form-urlencoded")] + SigV4SignerTests.base,
            body: "Param1=value1", signedHeaders: "content-type;host;x-amz-date",
            signature: "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"),
        Vector(
            name: "get-vanilla-with-session-token", method: "GET", path: "/",
            headers: SigV4SignerTests.base + [("X-Amz-Security-Token", "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267")],
            signedHeaders: "host;x-amz-date;x-amz-security-token",
            signature: "07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8"),
    ]

    @Test("AWS test suite vector", arguments: SigV4SignerTests.vectors)
    func vector(_ vector: Vector) {
        let signed = Self.signer.sign(
            method: vector.method, path: vector.path, query: vector.query, headers: vector.headers,
            payloadHash: SigV4Signer.hexSHA256(Array(vector.body.utf8)), credentials: Self.credentials, date: Self.date)
        #expect(signed.signedHeaders == vector.signedHeaders)
        #expect(signed.signature == vector.signature)
        #expect(
            signed.authorization
                == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=\(vector.signedHeaders), Signature=\(vector.signature)")
    }

    @Test("post-x-www-form-urlencoded: canonical request and string to sign as published")
    func intermediateTexts() {
        let signed = Self.signer.sign(
            method: "POST", path: "/", headers: [("Content-Type", "application/x-www-form-urlencoded")] + Self.base,
            payloadHash: SigV4Signer.hexSHA256(Array("Param1=value1".utf8)), credentials: Self.credentials, date: Self.date)
        #expect(
            signed.canonicalRequest
                == "POST\n/\n\ncontent-type:application/x-www-form-urlencoded\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\ncontent-type;host;x-amz-date\n9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e")
        #expect(
            signed.stringToSign
                == "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n42a5e5bb34198acb3e84da4f085bb7927f2bc277ca766e6d19c73c2154021281")
    }

    @Test("header values are trimmed and repeated headers joined in order")
    func headerCanonicalisation() {
        let signed = Self.signer.sign(
            method: "GET", path: "/",
            headers: Self.base + [("My-Header1", "  a   b  "), ("my-header1", "c")],
            payloadHash: SigV4Signer.emptyPayloadHash, credentials: Self.credentials, date: Self.date)
        #expect(signed.canonicalRequest.contains("\nmy-header1:a b,c\n"))
        #expect(signed.signedHeaders == "host;my-header1;x-amz-date")
    }

    @Test("the amz date is UTC and the empty payload hash is SHA-256 of nothing")
    func dateAndEmptyHash() {
        #expect(SigV4Signer.amzDate(Self.date) == "20150830T123600Z")
        #expect(SigV4Signer.hexSHA256([]) == SigV4Signer.emptyPayloadHash)
        #expect(SigV4Signer.uriEncode("a b/ሴ~") == "a%20b%2F%E1%88%B4~")
    }

    @Test("a signature never shows the secret")
    func noSecret() {
        let signed = Self.signer.sign(
            method: "GET", path: "/", headers: Self.base, payloadHash: SigV4Signer.emptyPayloadHash,
            credentials: Self.credentials, date: Self.date)
        #expect(!"\(signed)".contains(Self.credentials.secretAccessKey))
        #expect(!"\(Self.credentials)".contains(Self.credentials.secretAccessKey))
    }
}
