internal import Crypto
package import Foundation

/// AWS Signature Version 4 (header signing), written on swift-crypto: the canonical request, the
/// string to sign, the derived signing key and the `Authorization` header.
///
/// The algorithm is the one of the IAM User Guide ("Create a signed AWS API request") and is
/// checked against AWS's published signing test suite (`get-vanilla`, `post-x-www-form-urlencoded`,
/// ..., see `SigV4SignerTests`).
///
/// ```swift
/// let signer = SigV4Signer(region: "us-east-1", service: "ecs")
/// let signature = signer.sign(
///     method: "POST", path: "/", headers: [("Host", "ecs.us-east-1.amazonaws.com"), ...],
///     payload: body, credentials: credentials, date: Date())
/// request.headers.add(name: "Authorization", value: signature.authorization)
/// ```
///
/// > Important: the secret access key only enters the key derivation; it is never part of a
/// > ``Signature`` or its description.
package struct SigV4Signer: Sendable, Hashable {
    /// The region of the credential scope, e.g. `us-east-1`.
    package var region: String
    /// The service of the credential scope, e.g. `ecs` or `sts`.
    package var service: String

    /// The algorithm name in the string to sign and the `Authorization` header.
    package static let algorithm = "AWS4-HMAC-SHA256"

    /// A signer for `service` in `region`.
    package init(region: String, service: String) {
        self.region = region
        self.service = service
    }

    /// The result of signing: the header values to send and the intermediate texts (for tests
    /// and debugging; none of them holds a secret).
    package struct Signature: Sendable, Hashable {
        /// `YYYYMMDD'T'HHMMSS'Z'`, to send as `X-Amz-Date`.
        package var amzDate: String
        /// `date/region/service/aws4_request`.
        package var credentialScope: String
        /// The signed header names, lowercase, sorted, `;`-joined.
        package var signedHeaders: String
        /// The canonical request.
        package var canonicalRequest: String
        /// The string to sign.
        package var stringToSign: String
        /// The signature, 64 lowercase hex digits.
        package var signature: String
        /// The `Authorization` header value.
        package var authorization: String
    }

    /// Signs a request.
    ///
    /// - Parameters:
    ///   - method: The HTTP method, e.g. `POST`.
    ///   - path: The request path, not percent-encoded (each segment is encoded once, RFC 3986).
    ///   - query: The query parameters, not percent-encoded, in any order.
    ///   - headers: The headers to sign, `Host` and `X-Amz-Date` included (any case; repeated names
    ///     are joined with commas in their order).
    ///   - payloadHash: The hex SHA-256 of the body (``hexSHA256(_:)``).
    ///   - credentials: The access key id and secret (a session token must already be among the
    ///     headers as `X-Amz-Security-Token`).
    ///   - date: The signing time; must equal the `X-Amz-Date` header's.
    package func sign(
        method: String,
        path: String,
        query: [(name: String, value: String)] = [],
        headers: [(name: String, value: String)],
        payloadHash: String,
        credentials: AWSCredentials,
        date: Date
    ) -> Signature {
        let amzDate = Self.amzDate(date)
        let day = String(amzDate.prefix(8))
        let scope = "\(day)/\(self.region)/\(self.service)/aws4_request"

        var merged: [(name: String, value: String)] = []
        for (name, value) in headers.map({ ($0.name.lowercased(), Self.canonicalHeaderValue($0.value)) })
            .enumerated().sorted(by: { ($0.element.0, $0.offset) < ($1.element.0, $1.offset) }).map(\.element)
        {
            if let last = merged.last, last.name == name {
                merged[merged.count - 1].value += "," + value
            } else {
                merged.append((name, value))
            }
        }
        let signedHeaders = merged.map(\.name).joined(separator: ";")
        let canonicalHeaders = merged.map { "\($0.name):\($0.value)\n" }.joined()
        let canonicalRequest = [
            method.uppercased(),
            Self.canonicalPath(path),
            Self.canonicalQuery(query),
            canonicalHeaders,
            signedHeaders,
            payloadHash,
        ].joined(separator: "\n")
        let stringToSign = [
            Self.algorithm, amzDate, scope, Self.hexSHA256(Array(canonicalRequest.utf8)),
        ].joined(separator: "\n")
        let key = Self.signingKey(secret: credentials.secretAccessKey, day: day, region: self.region, service: self.service)
        let signature = Self.hex(HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: key))
        let authorization =
            "\(Self.algorithm) Credential=\(credentials.accessKeyID)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)"
        return Signature(
            amzDate: amzDate, credentialScope: scope, signedHeaders: signedHeaders, canonicalRequest: canonicalRequest,
            stringToSign: stringToSign, signature: signature, authorization: authorization)
    }

    // MARK: - Pieces

    /// `kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, day), region), service), "aws4_request")`.
    static func signingKey(secret: String, day: String, region: String, service: String) -> SymmetricKey {
        func mac(_ key: SymmetricKey, _ text: String) -> SymmetricKey {
            SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Array(text.utf8), using: key)))
        }
        let secretKey = SymmetricKey(data: Data(("AWS4" + secret).utf8))
        return mac(mac(mac(mac(secretKey, day), region), service), "aws4_request")
    }

    /// The hex SHA-256 of `bytes` (the payload hash of the canonical request).
    package static func hexSHA256(_ bytes: some Sequence<UInt8>) -> String {
        Self.hex(SHA256.hash(data: Array(bytes)))
    }

    /// The hex SHA-256 of the empty body.
    package static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    /// `bytes` as lowercase hex digits (signatures, payload hashes, client tokens).
    package static func hex(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { byte in
            let text = String(byte, radix: 16)
            return byte < 16 ? "0" + text : text
        }.joined()
    }

    /// `YYYYMMDD'T'HHMMSS'Z'` of `date` in UTC.
    package static func amzDate(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ value: Int?) -> String {
            let value = value ?? 0
            return value < 10 ? "0\(value)" : "\(value)"
        }
        return "\(parts.year ?? 1970)\(two(parts.month))\(two(parts.day))T\(two(parts.hour))\(two(parts.minute))\(two(parts.second))Z"
    }

    /// A header value as the canonical request has it: trimmed, inner runs of spaces collapsed.
    static func canonicalHeaderValue(_ value: String) -> String {
        value.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
    }

    /// The path with each segment percent-encoded once (an empty path is `/`).
    static func canonicalPath(_ path: String) -> String {
        guard !path.isEmpty else { return "/" }
        return path.split(separator: "/", omittingEmptySubsequences: false).map { Self.uriEncode(String($0)) }
            .joined(separator: "/")
    }

    /// `name=value&...`, names and values percent-encoded, sorted by name then value.
    static func canonicalQuery(_ query: [(name: String, value: String)]) -> String {
        let encoded: [(String, String)] = query.map { (Self.uriEncode($0.name), Self.uriEncode($0.value)) }
        let sorted = encoded.sorted { (left: (String, String), right: (String, String)) -> Bool in
            left.0 == right.0 ? left.1 < right.1 : left.0 < right.0
        }
        return sorted.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }

    private static let unreserved: Set<UInt8> = Set(
        Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~".utf8))

    /// RFC 3986 encoding as SigV4 wants it: everything but `A-Z a-z 0-9 - . _ ~` as `%XX`
    /// (uppercase hex) of the UTF-8 bytes.
    package static func uriEncode(_ text: String) -> String {
        var result = ""
        for byte in text.utf8 {
            if Self.unreserved.contains(byte) {
                result.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                let hex = String(byte, radix: 16, uppercase: true)
                result += "%" + (byte < 16 ? "0" + hex : hex)
            }
        }
        return result
    }
}
