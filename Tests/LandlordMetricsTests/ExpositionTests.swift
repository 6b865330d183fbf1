@testable import LandlordMetrics
import LandlordRPC
import Metrics
import Testing

@Suite("What a scrape returns")
struct ExpositionTests {
    private func text(_ registry: MetricsRegistry) -> String { String(decoding: registry.exposition(), as: UTF8.self) }

    private func lines(_ text: String, _ prefix: String) -> [Substring] {
        text.split(separator: "\n").filter { $0.hasPrefix(prefix) }
    }

    @Test("an instrumented router's method gets every counter, all 17 codes and the histogram, at zero")
    func registration() {
        let registry = MetricsRegistry()
        var router = RPCRouter()
        router.instrument(with: registry.rpc)
        router.register(RPCHandler(descriptor: MethodDescriptor(service: "pkg.Svc", method: "Get"), kind: .serverStreaming) { _, _, _ in })
        let text = text(registry)
        let labels = #"grpc_type="server_stream",grpc_service="pkg.Svc",grpc_method="Get""#
        #expect(text.contains("grpc_server_started_total{\(labels)} 0\n"))
        #expect(text.contains("grpc_server_msg_received_total{\(labels)} 0\n"))
        #expect(text.contains("grpc_server_msg_sent_total{\(labels)} 0\n"))
        #expect(lines(text, "grpc_server_handled_total{\(labels)").count == 17)
        #expect(text.contains("grpc_server_handled_total{\(labels),grpc_code=\"Unimplemented\"} 0\n"))
        #expect(lines(text, "grpc_server_handling_seconds_bucket{\(labels)").count == GRPCMetricNames.handlingBuckets.count + 1)
        #expect(text.contains("# TYPE grpc_server_handling_seconds histogram\n"))
        #expect(text.contains("# TYPE grpc_server_handled_total counter\n"))
        // The unknown method's series exist from the start too.
        #expect(text.contains(#"grpc_server_started_total{grpc_type="unary",grpc_service="unknown",grpc_method="unknown"} 0"#))
    }

    @Test("the handles count what the runtime reports")
    func counting() throws {
        let registry = MetricsRegistry()
        var router = RPCRouter()
        router.register(RPCHandler(descriptor: MethodDescriptor(service: "pkg.Svc", method: "Get"), kind: .unary) { _, _, _ in })
        router.instrument(with: registry.rpc)
        let handles = try #require(router.handler(forPath: "/pkg.Svc/Get")?.metrics)
        for _ in 0..<3 {
            handles.callStarted()
            handles.messageReceived()
            handles.messageSent()
        }
        handles.callHandled(code: .ok, duration: .microseconds(50))
        handles.callHandled(code: .ok, duration: .milliseconds(3))
        handles.callHandled(code: .notFound, duration: .milliseconds(20))
        registry.rpc.connectionOpened()
        let text = text(registry)
        let labels = #"grpc_type="unary",grpc_service="pkg.Svc",grpc_method="Get""#
        #expect(text.contains("grpc_server_started_total{\(labels)} 3\n"))
        #expect(text.contains("grpc_server_msg_received_total{\(labels)} 3\n"))
        #expect(text.contains("grpc_server_msg_sent_total{\(labels)} 3\n"))
        #expect(text.contains("grpc_server_handled_total{\(labels),grpc_code=\"OK\"} 2\n"))
        #expect(text.contains("grpc_server_handled_total{\(labels),grpc_code=\"NotFound\"} 1\n"))
        #expect(text.contains("grpc_server_handling_seconds_bucket{\(labels),le=\"0.0001\"} 1\n"))
        #expect(text.contains("grpc_server_handling_seconds_bucket{\(labels),le=\"0.005\"} 2\n"))
        #expect(text.contains("grpc_server_handling_seconds_bucket{\(labels),le=\"0.025\"} 3\n"))
        #expect(text.contains("grpc_server_handling_seconds_bucket{\(labels),le=\"+Inf\"} 3\n"))
        #expect(text.contains("grpc_server_handling_seconds_count{\(labels)} 3\n"))
        #expect(text.contains("grpc_server_handling_seconds_sum{\(labels)} 0.02305\n"))
        #expect(text.contains("landlord_connections 1.0\n"))
    }

    @Test("swift-metrics handles made with the registry's factory are scraped; the compute timer is a histogram in seconds")
    func swiftMetricsBackend() {
        let registry = MetricsRegistry()
        let dimensions = [("operation", "provision"), ("provider", "mock"), ("outcome", "success")]
        Counter(label: "landlord_compute_operations_total", dimensions: dimensions, factory: registry.metricsFactory).increment()
        Timer(label: MetricsRegistry.computeDurationName, dimensions: dimensions, factory: registry.metricsFactory)
            .record(duration: .milliseconds(70))
        let text = text(registry)
        #expect(text.contains(#"landlord_compute_operations_total{operation="provision",provider="mock",outcome="success"} 1"#))
        #expect(text.contains("# TYPE landlord_compute_operation_duration_seconds histogram\n"))
        #expect(text.contains(#"landlord_compute_operation_duration_seconds_bucket{operation="provision",provider="mock",outcome="success",le="0.05"} 0"#))
        #expect(text.contains(#"landlord_compute_operation_duration_seconds_bucket{operation="provision",provider="mock",outcome="success",le="0.1"} 1"#))
        #expect(lines(text, "landlord_compute_operation_duration_seconds_bucket").count == MetricsRegistry.computeDurationBuckets.count + 1)
    }

    @Test("process metrics come from /proc, each once with its type")
    func processMetrics() throws {
        let text = text(MetricsRegistry())
        for (name, type) in [
            ("process_cpu_seconds_total", "counter"), ("process_resident_memory_bytes", "gauge"),
            ("process_open_fds", "gauge"), ("process_start_time_seconds", "gauge"),
        ] {
            #expect(text.contains("# TYPE \(name) \(type)\n"))
            #expect(lines(text, "\(name) ").count == 1)
        }
        let sample = try #require(ProcessMetrics().sample())
        #expect(sample.residentMemoryBytes > 1_000_000)
        #expect(sample.openFileDescriptors >= 3)
        #expect(sample.cpuSeconds > 0)
        #expect(sample.startTimeSeconds > 1_700_000_000)
    }

    @Test("/proc/PID/stat is read from after the command name, whatever it holds")
    func statParsing() throws {
        let stat =
            "1234 (my (odd) name) S 1 1234 1234 0 -1 4194560 500 0 0 0 250 75 0 0 20 0 8 0 98765 104857600 2560 "
            + "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n"
        let fields = try #require(ProcessMetrics.statFields(stat))
        #expect(fields == .init(userTicks: 250, systemTicks: 75, startTicks: 98765, virtualBytes: 104_857_600, residentPages: 2560))
        #expect(ProcessMetrics.bootTime("cpu  1 2 3\nbtime 1765000000\nprocesses 5\n") == 1_765_000_000)
    }
}
