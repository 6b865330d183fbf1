package import LandlordRPC
package import Prometheus
import Synchronization

/// The gRPC server metrics of the contract, recorded by the runtime through ``RPCServerMetrics``.
///
/// Counters are swift-prometheus `Counter`s (relaxed atomics) in the shared registry; the handling
/// time is an ``AtomicHistogram`` this type writes out itself, because the registry's histogram
/// locks on every observation. Every handle of a method (its `grpc_server_handled_total` counter for
/// each of the 17 codes included) is made when the method is registered, so a call only increments.
package final class PrometheusRPCMetrics: RPCServerMetrics {
    private let registry: PrometheusCollectorRegistry
    private let connections: Gauge
    /// The histograms by label set, in registration order; touched at registration and scrape only.
    private let histograms = Mutex<[(labels: Labels, histogram: AtomicHistogram)]>([])

    struct Labels: Equatable {
        var type: String
        var service: String
        var method: String
    }

    /// - Parameter registry: where the counters and the connections gauge are registered.
    package init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
        self.connections = registry.makeGauge(
            descriptor: MetricNameDescriptor(
                metricName: "landlord_connections", unitName: "", helpText: "Open client connections of the gRPC port."
            )
        )
    }

    package func methodMetrics(for descriptor: MethodDescriptor, kind: RPCKind) -> any RPCMethodMetrics {
        makeMethodMetrics(Labels(type: GRPCMetricNames.typeName(kind), service: descriptor.service, method: descriptor.method))
    }

    package func unknownMethodMetrics() -> any RPCMethodMetrics {
        // The server answers UNIMPLEMENTED without reading a message: counted as unary.
        makeMethodMetrics(
            Labels(type: GRPCMetricNames.typeName(.unary), service: MethodDescriptor.unknown.service, method: MethodDescriptor.unknown.method)
        )
    }

    package func connectionOpened() { connections.increment() }

    package func connectionClosed() { connections.decrement() }

    private func makeMethodMetrics(_ labels: Labels) -> MethodMetrics {
        let base = [
            (GRPCMetricNames.typeLabel, labels.type), (GRPCMetricNames.serviceLabel, labels.service),
            (GRPCMetricNames.methodLabel, labels.method),
        ]
        func counter(_ name: String, _ help: String, _ labels: [(String, String)]) -> Counter {
            registry.makeCounter(
                descriptor: MetricNameDescriptor(metricName: name, unitName: "", helpText: help), labels: labels
            )
        }
        let histogram = histograms.withLock { histograms in
            if let existing = histograms.first(where: { $0.labels == labels }) { return existing.histogram }
            let histogram = AtomicHistogram(upperBounds: GRPCMetricNames.handlingBuckets)
            histograms.append((labels, histogram))
            return histogram
        }
        return MethodMetrics(
            started: counter(GRPCMetricNames.started, "RPCs started on the server.", base),
            handled: GRPCMetricNames.codeNames.map {
                counter(GRPCMetricNames.handled, "RPCs completed on the server, whatever their status.", base + [(GRPCMetricNames.codeLabel, $0)])
            },
            received: counter(GRPCMetricNames.messagesReceived, "Request messages received by the server.", base),
            sent: counter(GRPCMetricNames.messagesSent, "Response messages sent by the server.", base),
            handling: histogram
        )
    }

    /// Appends `grpc_server_handling_seconds` in the text format (0.0.4).
    package func emitHistograms(into buffer: inout [UInt8]) {
        let histograms = self.histograms.withLock { $0 }
        guard !histograms.isEmpty else { return }
        let name = GRPCMetricNames.handlingSeconds
        var text = "# HELP \(name) Time from the start of an RPC to its status, in seconds.\n# TYPE \(name) histogram\n"
        let bounds = GRPCMetricNames.handlingBuckets.map { "\($0)" } + ["+Inf"]
        for (labels, histogram) in histograms {
            let labelText =
                "\(GRPCMetricNames.typeLabel)=\"\(labels.type)\",\(GRPCMetricNames.serviceLabel)=\"\(escaped(labels.service))\","
                + "\(GRPCMetricNames.methodLabel)=\"\(escaped(labels.method))\""
            let snapshot = histogram.snapshot()
            for (bound, count) in zip(bounds, snapshot.cumulativeCounts) {
                text += "\(name)_bucket{\(labelText),le=\"\(bound)\"} \(count)\n"
            }
            text += "\(name)_sum{\(labelText)} \(snapshot.sumSeconds)\n"
            text += "\(name)_count{\(labelText)} \(snapshot.count)\n"
        }
        buffer.append(contentsOf: text.utf8)
    }

    private func escaped(_ value: String) -> String {
        var result = ""
        for character in value {
            switch character {
            case "\\": result += "\\\\"
            case "\"": result += "\\\""
            case "\n": result += "\\n"
            default: result.append(character)
            }
        }
        return result
    }
}

/// The handles of one method. Immutable after registration: calls only increment atomics.
final class MethodMetrics: RPCMethodMetrics {
    private let started: Counter
    /// One counter per status code, indexed by the code's number.
    private let handled: [Counter]
    private let received: Counter
    private let sent: Counter
    let handling: AtomicHistogram

    init(started: Counter, handled: [Counter], received: Counter, sent: Counter, handling: AtomicHistogram) {
        precondition(handled.count == GRPCMetricNames.codeNames.count)
        self.started = started
        self.handled = handled
        self.received = received
        self.sent = sent
        self.handling = handling
    }

    func callStarted() { started.increment() }
    func messageReceived() { received.increment() }
    func messageSent() { sent.increment() }
    func callHandled(code: StatusCode, duration: Duration) {
        handled[code.rawValue].increment()
        handling.record(duration)
    }
}
