@testable import LandlordMetrics
import Testing

@Suite("The lock-free handling-time histogram")
struct HistogramTests {
    @Test("an observation counts in the first bucket whose bound it does not exceed (le), cumulatively")
    func buckets() {
        let histogram = AtomicHistogram(upperBounds: [0.001, 0.01, 0.1])
        histogram.record(.microseconds(500))  // <= 1 ms
        histogram.record(.milliseconds(1))  // exactly on a bound: le
        histogram.record(.milliseconds(5))  // <= 10 ms
        histogram.record(.seconds(2))  // +Inf only
        let snapshot = histogram.snapshot()
        #expect(snapshot.cumulativeCounts == [2, 3, 3, 4])
        #expect(snapshot.count == 4)
        #expect(abs(snapshot.sumSeconds - 2.0065) < 1e-9)
    }

    @Test("a negative duration counts as zero")
    func negative() {
        let histogram = AtomicHistogram(upperBounds: [0.001])
        histogram.record(.zero - .milliseconds(1))
        #expect(histogram.snapshot() == .init(cumulativeCounts: [1, 1], sumSeconds: 0))
    }

    @Test("concurrent observations all count")
    func concurrent() async {
        let histogram = AtomicHistogram(upperBounds: GRPCMetricNames.handlingBuckets)
        await withTaskGroup(of: Void.self) { group in
            for task in 0..<8 {
                group.addTask {
                    for index in 0..<1000 { histogram.record(.microseconds(task * 1000 + index)) }
                }
            }
        }
        #expect(histogram.snapshot().count == 8000)
    }

    @Test("the gRPC buckets ascend from 100 µs to 5 minutes; the compute buckets from 1 ms to 5 minutes")
    func defaultBuckets() {
        let grpc = GRPCMetricNames.handlingBuckets
        #expect(grpc.first == 0.0001 && grpc.last == 300)
        #expect(zip(grpc, grpc.dropFirst()).allSatisfy { $0 < $1 })
        let compute = MetricsRegistry.computeDurationBuckets
        #expect(compute.first == .milliseconds(1) && compute.last == .seconds(300))
        #expect(zip(compute, compute.dropFirst()).allSatisfy { $0 < $1 })
    }
}
