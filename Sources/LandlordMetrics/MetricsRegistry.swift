package import CoreMetrics
package import Prometheus

/// Everything landlord exposes on `/metrics`: one swift-prometheus registry (the swift-metrics
/// backend, so the compute manager's and the watch hub's metrics land in it), the gRPC server
/// metrics the runtime records, and the process metrics read at scrape time.
///
/// ```swift
/// let metrics = MetricsRegistry()
/// MetricsSystem.bootstrap(metrics.factory)            // once per process (the executable does it)
/// let server = GRPCServer(router: router, logger: logger, metrics: metrics.rpc)
/// let text = String(decoding: metrics.exposition(), as: UTF8.self)
/// ```
package final class MetricsRegistry: Sendable {
    /// The `Content-Type` of ``exposition()``: the Prometheus text format, version 0.0.4.
    package static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// The name of the compute operations' duration histogram (seconds), as the contract spells it.
    package static let computeDurationName = "landlord_compute_operation_duration_seconds"

    /// The upper bounds of the compute duration histogram, in seconds: a provider call takes from a
    /// millisecond (the mock provider) to minutes (pulling an image).
    package static let computeDurationBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
        .seconds(30), .seconds(60), .seconds(120), .seconds(300),
    ]

    /// The registry the swift-metrics handles and the gRPC counters are registered in.
    package let prometheus: PrometheusCollectorRegistry
    /// The swift-metrics backend writing into ``prometheus``.
    package let factory: PrometheusMetricsFactory
    /// What the RPC runtime records calls and connections through.
    package let rpc: PrometheusRPCMetrics
    private let process = ProcessMetrics()

    package init() {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets[Self.computeDurationName] = Self.computeDurationBuckets
        self.prometheus = registry
        self.factory = factory
        self.rpc = PrometheusRPCMetrics(registry: registry)
    }

    /// The swift-metrics factory to hand to components that take one (``factory``, as the
    /// protocol type).
    package var metricsFactory: any MetricsFactory { factory }

    /// Every metric now, in the text exposition format 0.0.4.
    package func exposition() -> [UInt8] {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(32 * 1024)
        prometheus.emit(into: &buffer)
        rpc.emitHistograms(into: &buffer)
        process.emit(into: &buffer)
        return buffer
    }
}
