package import LandlordRPC

/// A gRPC request's HEADERS, checked and parsed.
package struct GRPCRequestHead: Sendable, Hashable {
    /// The `:path`, e.g. `/grpc.health.v1.Health/Check`.
    package var path: String
    /// The method the path names.
    package var descriptor: MethodDescriptor
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
    /// Headers that are not custom metadata and never reach a handler.
    private static let reservedHeaders: Set<String> = [
        "content-type", "te", "grpc-timeout", "grpc-encoding", "grpc-accept-encoding", "content-length",
        "host", "connection", "grpc-message-type",
    ]

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
            if name.utf8.first == UInt8(ascii: ":") {
                switch name {
                case ":method": method = value
                case ":path": path = value
                default: break
                }
                continue
            }
            switch name {
            case "content-type": contentType = value
            case "grpc-encoding": encoding = value
            case "grpc-timeout": timeoutValue = value
            default:
                if reservedHeaders.contains(name) || name.hasPrefix("grpc-") { continue }
                if name.hasSuffix("-bin") {
                    guard let bytes = Base64.decode(value) else {
                        return .failure(.grpc(Status(code: .internal, message: "malformed binary metadata \"\(name)\"")))
                    }
                    metadata.add(name, .binary(bytes))
                } else {
                    metadata.add(name, .string(value))
                }
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
        guard let path, let descriptor = methodDescriptor(path: path) else {
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
        return .success(GRPCRequestHead(path: path, descriptor: descriptor, timeout: timeout, metadata: metadata))
    }

    /// `application/grpc` or `application/grpc+proto`, optionally with parameters.
    static func isGRPCContentType(_ value: String) -> Bool {
        let base = value.split(separator: ";", maxSplits: 1).first.map { $0.trimmingSpaces() } ?? ""
        return base == "application/grpc" || base == "application/grpc+proto"
    }

    /// `/service/method` with both parts non-empty.
    static func methodDescriptor(path: String) -> MethodDescriptor? {
        guard path.utf8.first == UInt8(ascii: "/") else { return nil }
        let parts = path.utf8.dropFirst().split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty,
            let service = String(parts[0]), let method = String(parts[1])
        else { return nil }
        return MethodDescriptor(service: service, method: method)
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
