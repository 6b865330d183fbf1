import LandlordMetrics
import LandlordRPC
import Testing

/// The names the contract binds (`shared/design/access-and-metrics-contract.md`, Metrics).
@Suite("Metric names, labels and code names of the contract")
struct ContractTests {
    @Test("the gRPC metric names and labels are go-grpc-middleware's")
    func names() {
        #expect(GRPCMetricNames.started == "grpc_server_started_total")
        #expect(GRPCMetricNames.handled == "grpc_server_handled_total")
        #expect(GRPCMetricNames.messagesReceived == "grpc_server_msg_received_total")
        #expect(GRPCMetricNames.messagesSent == "grpc_server_msg_sent_total")
        #expect(GRPCMetricNames.handlingSeconds == "grpc_server_handling_seconds")
        #expect(
            [GRPCMetricNames.typeLabel, GRPCMetricNames.serviceLabel, GRPCMetricNames.methodLabel, GRPCMetricNames.codeLabel]
                == ["grpc_type", "grpc_service", "grpc_method", "grpc_code"])
        #expect(MetricsRegistry.computeDurationName == "landlord_compute_operation_duration_seconds")
    }

    @Test(
        "grpc_type names each call kind",
        arguments: [
            (RPCKind.unary, "unary"), (.clientStreaming, "client_stream"), (.serverStreaming, "server_stream"),
            (.bidirectionalStreaming, "bidi_stream"),
        ])
    func typeNames(kind: RPCKind, name: String) {
        #expect(GRPCMetricNames.typeName(kind) == name)
    }

    @Test(
        "grpc_code is Go's name of each status code",
        arguments: [
            (0, "OK"), (1, "Canceled"), (2, "Unknown"), (3, "InvalidArgument"), (4, "DeadlineExceeded"),
            (5, "NotFound"), (6, "AlreadyExists"), (7, "PermissionDenied"), (8, "ResourceExhausted"),
            (9, "FailedPrecondition"), (10, "Aborted"), (11, "OutOfRange"), (12, "Unimplemented"),
            (13, "Internal"), (14, "Unavailable"), (15, "DataLoss"), (16, "Unauthenticated"),
        ])
    func codeNames(code: Int, name: String) throws {
        #expect(GRPCMetricNames.codeName(try #require(StatusCode(rawValue: code))) == name)
    }

    @Test("unserved methods count under service and method unknown")
    func unknownMethod() {
        #expect(MethodDescriptor.unknown == MethodDescriptor(service: "unknown", method: "unknown"))
    }
}
