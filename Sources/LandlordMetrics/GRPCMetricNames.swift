package import LandlordRPC

/// The names of the gRPC server metrics and their label values, as go-grpc-middleware's Prometheus
/// provider spells them, so dashboards and alerts written for grpc-go servers work unchanged
/// (`shared/design/access-and-metrics-contract.md`, section Metrics).
package enum GRPCMetricNames {
    package static let started = "grpc_server_started_total"
    package static let handled = "grpc_server_handled_total"
    package static let messagesReceived = "grpc_server_msg_received_total"
    package static let messagesSent = "grpc_server_msg_sent_total"
    package static let handlingSeconds = "grpc_server_handling_seconds"

    /// `grpc_type`, `grpc_service`, `grpc_method`: the labels of every gRPC server metric.
    package static let typeLabel = "grpc_type"
    package static let serviceLabel = "grpc_service"
    package static let methodLabel = "grpc_method"
    /// `grpc_code`: the extra label of ``handled``.
    package static let codeLabel = "grpc_code"

    /// The `grpc_type` value of a method kind: `unary`, `client_stream`, `server_stream`, `bidi_stream`.
    package static func typeName(_ kind: RPCKind) -> String {
        switch kind {
        case .unary: "unary"
        case .clientStreaming: "client_stream"
        case .serverStreaming: "server_stream"
        case .bidirectionalStreaming: "bidi_stream"
        }
    }

    /// The `grpc_code` values, indexed by the code's number: Go's `codes.Code.String()` names.
    package static let codeNames = [
        "OK", "Canceled", "Unknown", "InvalidArgument", "DeadlineExceeded", "NotFound", "AlreadyExists",
        "PermissionDenied", "ResourceExhausted", "FailedPrecondition", "Aborted", "OutOfRange",
        "Unimplemented", "Internal", "Unavailable", "DataLoss", "Unauthenticated",
    ]

    /// The `grpc_code` value of a status code, e.g. `NotFound`.
    package static func codeName(_ code: StatusCode) -> String { codeNames[code.rawValue] }

    /// The upper bounds of ``handlingSeconds``, in seconds: from 100 µs (a Health/Check takes tens
    /// of microseconds) to 5 minutes (a WatchTenantStatus stream is handled as long as it is open).
    package static let handlingBuckets: [Double] = [
        0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300,
    ]
}
