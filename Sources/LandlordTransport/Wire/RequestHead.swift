package import LandlordRPC

/// A gRPC request's HEADERS, checked and parsed.
package struct GRPCRequestHead: Sendable, Hashable {
    /// The `:path`, e.g. `/grpc.health.v1.Health/Check`: `/service/method`, both non-empty.
    package var path: String
    /// The `grpc-timeout`, if the client sent one.
    package var timeout: Duration?
    /// The custom metadata (reserved and pseudo headers removed, `-bin` decoded).
    package var metadata: Metadata
}

/// How a transport answers a request it will not hand to a handler.
package enum RequestRejection: Error, Sendable {
    /// A plain HTTP answer (no gRPC status): 405 for a non-POST, 415 for a
    /// content type that is not gRPC.
    case http(status: Int, message: String)
    /// A gRPC Trailers-Only answer with this status and extra headers.
    case grpc(Status, headers: [(String, String)] = [])
}

extension GRPCRequestHead {
    /// What a request header name is to the parser. Reserved headers (`content-type`, `te`,
    /// `grpc-timeout`, `grpc-encoding`, `grpc-accept-encoding`, `content-length`, `host`,
    /// `connection`, `grpc-message-type` and every other `grpc-` name) are not custom metadata
    /// and never reach a handler.
    private enum HeaderName {
        case method
        case path
        case otherPseudo
        case contentType
        case encoding
        case timeout
        case reserved
        case custom
        case customBinary
    }

    /// Classifies `name` on its UTF-8 bytes (no hashing, no `String` comparisons).
    private static func classify(_ name: String) -> HeaderName {
        if let kind = name.utf8.withContiguousStorageIfAvailable({ classify(bytes: $0) }) {
            return kind
        }
        return Array(name.utf8).withUnsafeBufferPointer { classify(bytes: $0) }
    }

    private static func classify(bytes name: UnsafeBufferPointer<UInt8>) -> HeaderName {
        guard let first = name.first else { return .custom }
        if first == UInt8(ascii: ":") {
            if name.equals(":path") { return .path }
            if name.equals(":method") { return .method }
            return .otherPseudo
        }
        if name.hasPrefix("grpc-") {
            if name.equals("grpc-timeout") { return .timeout }
            if name.equals("grpc-encoding") { return .encoding }
            return .reserved
        }
        switch name.count {
        case 2: if name.equals("te") { return .reserved }
        case 4: if name.equals("host") { return .reserved }
        case 10: if name.equals("connection") { return .reserved }
        case 12: if name.equals("content-type") { return .contentType }
        case 14: if name.equals("content-length") { return .reserved }
        default: break
        }
        return name.hasSuffix("-bin") ? .customBinary : .custom
    }

    /// Checks request headers as grpc/grpc `doc/PROTOCOL-HTTP2.md` describes them.
    ///
    /// - Parameter headers: name-value pairs in the order received; names are lower-case.
    package static func parse(
        _ headers: some Sequence<(name: String, value: String)>
    ) -> Result<GRPCRequestHead, RequestRejection> {
        var method: String?
        var path: String?
        var contentType: String?
        var encoding: String?
        var timeoutValue: String?
        var metadata = Metadata()
        for (name, value) in headers {
            switch classify(name) {
            case .method: method = value
            case .path: path = value
            case .otherPseudo, .reserved: continue
            case .contentType: contentType = value
            case .encoding: encoding = value
            case .timeout: timeoutValue = value
            case .customBinary:
                guard let bytes = Base64.decode(value) else {
                    return .failure(.grpc(Status(code: .internal, message: "malformed binary metadata \"\(name)\"")))
                }
                metadata.add(name, .binary(bytes))
            case .custom:
                metadata.add(name, .string(value))
            }
        }
        guard method == "POST" else {
            return .failure(.http(status: 405, message: "gRPC requires the POST method"))
        }
        guard let contentType, isGRPCContentType(contentType) else {
            return .failure(
                .http(status: 415, message: "unsupported content-type \"\(contentType ?? "")\": expected application/grpc")
            )
        }
        guard let path, Self.methodPathParts(path) != nil else {
            return .failure(.grpc(Status(code: .unimplemented, message: "malformed method path \"\(path ?? "")\"")))
        }
        if let encoding, encoding != "identity" {
            return .failure(
                .grpc(
                    Status(code: .unimplemented, message: "message encoding \"\(encoding)\" is not supported"),
                    headers: [("grpc-accept-encoding", "identity")]
                )
            )
        }
        var timeout: Duration?
        if let timeoutValue {
            guard let parsed = GRPCTimeout.parse(timeoutValue) else {
                return .failure(.grpc(Status(code: .internal, message: "malformed grpc-timeout \"\(timeoutValue)\"")))
            }
            timeout = parsed
        }
        return .success(GRPCRequestHead(path: path, timeout: timeout, metadata: metadata))
    }

    /// `application/grpc` or `application/grpc+proto`, optionally with parameters.
    static func isGRPCContentType(_ value: String) -> Bool {
        // The usual values exactly, on bytes; anything else the general way below.
        // (String equality of two ASCII strings is a length check and a memcmp.)
        if value == "application/grpc" || value == "application/grpc+proto" {
            return true
        }
        let base = value.split(separator: ";", maxSplits: 1).first.map { $0.trimmingSpaces() } ?? ""
        return base == "application/grpc" || base == "application/grpc+proto"
    }

    /// The method the path names (a registered handler's descriptor is the same, without the parsing).
    package var descriptor: MethodDescriptor {
        let (service, method) = Self.methodPathParts(path)!
        return MethodDescriptor(service: String(path.utf8[service])!, method: String(path.utf8[method])!)
    }

    /// `/service/method` with both parts non-empty: the byte ranges of the two parts.
    static func methodPathParts(_ path: String) -> (service: Range<String.Index>, method: Range<String.Index>)? {
        let utf8 = path.utf8
        let offsets = utf8.withContiguousStorageIfAvailable(methodPathOffsets) ?? methodPathOffsets(Array(utf8))
        guard let (slash, end) = offsets else { return nil }
        let start = utf8.startIndex
        let service = utf8.index(after: start)..<utf8.index(start, offsetBy: slash)
        return (service, utf8.index(after: service.upperBound)..<utf8.index(start, offsetBy: end))
    }

    /// `/service/method`: the offsets of the second "/" and of the end, when both parts are non-empty.
    private static func methodPathOffsets(_ bytes: some Collection<UInt8>) -> (slash: Int, end: Int)? {
        let slash = UInt8(ascii: "/")
        guard bytes.first == slash else { return nil }
        var second: Int?
        var offset = 0
        for byte in bytes.dropFirst() {
            offset += 1
            guard byte == slash else { continue }
            // Exactly one more "/", with something on both sides.
            guard second == nil, offset > 1 else { return nil }
            second = offset
        }
        guard let second, second < offset else { return nil }
        return (second, offset + 1)
    }
}

extension Substring {
    fileprivate func trimmingSpaces() -> Substring {
        var s = self
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return s
    }
}

extension UnsafeBufferPointer<UInt8> {
    /// Whether these bytes are exactly `literal`'s UTF-8.
    @inline(__always)
    fileprivate func equals(_ literal: StaticString) -> Bool {
        self.count == literal.utf8CodeUnitCount && self.hasPrefix(literal)
    }

    /// Whether these bytes start with `literal`'s UTF-8.
    @inline(__always)
    fileprivate func hasPrefix(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard self.count >= count else { return false }
        let start = literal.utf8Start
        for i in 0..<count where self[i] != start[i] { return false }
        return true
    }

    /// Whether these bytes end with `literal`'s UTF-8.
    @inline(__always)
    fileprivate func hasSuffix(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard self.count >= count else { return false }
        let start = literal.utf8Start
        let offset = self.count - count
        for i in 0..<count where self[offset + i] != start[i] { return false }
        return true
    }
}
