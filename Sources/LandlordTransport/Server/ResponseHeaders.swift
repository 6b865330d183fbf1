import LandlordHTTP2
import LandlordRPC

/// Builds the HEADERS of gRPC responses.
enum ResponseHeaders {
    private static let status200 = HTTP2HeaderField(name: ":status", value: "200")
    private static let grpcContentType = HTTP2HeaderField(name: "content-type", value: "application/grpc")
    /// The usual headers and trailers, built once (most calls add no metadata of their own).
    private static let plainInitial = [status200, grpcContentType]
    private static let plainOKTrailers = [HTTP2HeaderField(name: "grpc-status", value: "0")]

    /// The response headers sent before the first message.
    static func initial(custom: Metadata?) -> [HTTP2HeaderField] {
        guard let custom, !custom.isEmpty else { return plainInitial }
        var fields = plainInitial
        append(custom, to: &fields)
        return fields
    }

    /// The trailers ending a response that already sent its headers.
    static func trailers(_ outcome: RPCOutcome) -> [HTTP2HeaderField] {
        if outcome.status.code == .ok, outcome.status.message.isEmpty, outcome.trailers.isEmpty {
            return plainOKTrailers
        }
        var fields: [HTTP2HeaderField] = []
        appendStatus(outcome, to: &fields)
        return fields
    }

    /// A Trailers-Only response: one HEADERS frame with the status.
    static func trailersOnly(_ outcome: RPCOutcome, custom: Metadata?, extra: [(String, String)] = []) -> [HTTP2HeaderField] {
        var fields = [status200, grpcContentType]
        for (name, value) in extra { fields.append(HTTP2HeaderField(name: name, value: value)) }
        if let custom { append(custom, to: &fields) }
        appendStatus(outcome, to: &fields)
        return fields
    }

    /// A plain HTTP answer for requests that are not gRPC (405, 415): no
    /// gRPC status, so that clients map the HTTP status themselves.
    static func http(status: Int) -> [HTTP2HeaderField] {
        var fields = [
            HTTP2HeaderField(name: ":status", value: String(status)),
            HTTP2HeaderField(name: "content-type", value: "text/plain; charset=utf-8"),
        ]
        if status == 405 { fields.append(HTTP2HeaderField(name: "allow", value: "POST")) }
        return fields
    }

    private static func appendStatus(_ outcome: RPCOutcome, to fields: inout [HTTP2HeaderField]) {
        fields.append(HTTP2HeaderField(name: "grpc-status", value: String(outcome.status.code.rawValue)))
        if !outcome.status.message.isEmpty {
            fields.append(HTTP2HeaderField(name: "grpc-message", value: PercentEncoding.encode(outcome.status.message)))
        }
        append(outcome.trailers, to: &fields)
    }

    private static func append(_ metadata: Metadata, to fields: inout [HTTP2HeaderField]) {
        for element in metadata {
            switch element.value {
            case .string(let value): fields.append(HTTP2HeaderField(name: element.key, value: value))
            case .binary(let bytes): fields.append(HTTP2HeaderField(name: element.key, value: Base64.encode(bytes)))
            }
        }
    }
}
