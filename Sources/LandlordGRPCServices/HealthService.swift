package import LandlordProtobuf
package import LandlordRPC
import Synchronization

/// `grpc.health.v1.Health`: Check and Watch, with a status per service that
/// the server's owner sets (grpc/grpc `doc/health-checking.md`).
///
/// The empty service name stands for the whole server. Check of a service
/// with no status is `NOT_FOUND`; Watch of one answers `SERVICE_UNKNOWN` and
/// keeps watching. A watcher that reads slowly gets the latest status, never
/// a backlog.
package final class HealthService: RPCService {
    /// A service's serving status.
    package typealias ServingStatus = HealthCheckResponse.ServingStatus

    /// The fully qualified name of the health service.
    package static let serviceName = "grpc.health.v1.Health"

    private struct State {
        var statuses: [String: ServingStatus]
        var watchers: [String: [Int: AsyncStream<ServingStatus>.Continuation]] = [:]
        var nextWatcherID = 0
        var isDraining = false
    }

    private let state: Mutex<State>

    /// Creates the service with initial statuses, e.g. `["": .notServing]`.
    package init(statuses: [String: ServingStatus] = ["": .serving]) {
        self.state = Mutex(State(statuses: statuses))
    }

    /// Sets the status of one service and tells its watchers.
    package func setStatus(_ status: ServingStatus, forService service: String) {
        let watchers = state.withLock { state in
            state.statuses[service] = status
            return Array((state.watchers[service] ?? [:]).values)
        }
        for watcher in watchers { watcher.yield(status) }
    }

    /// Sets the status of every service that has one (e.g. NOT_SERVING on drain).
    package func setStatusOfAllServices(_ status: ServingStatus) {
        let services = state.withLock { Array($0.statuses.keys) }
        for service in services { setStatus(status, forService: service) }
    }

    /// Sets every service NOT_SERVING, tells the watchers, then ends their
    /// watches: a draining server does not wait for them.
    package func drain() {
        setStatusOfAllServices(.notServing)
        let watchers = state.withLock { state in
            state.isDraining = true
            return state.watchers.values.flatMap(\.values)
        }
        for watcher in watchers { watcher.finish() }
    }

    /// The status of a service, `nil` when it has none.
    package func status(forService service: String) -> ServingStatus? {
        state.withLock { $0.statuses[service] }
    }

    package func registerMethods(with router: inout RPCRouter) {
        router.registerUnary(
            MethodDescriptor(service: Self.serviceName, method: "Check"),
            decode: { try HealthCheckRequest(serializedBytes: $0) },
            encode: { $0.serializedBytes() }
        ) { request, _ in
            guard let status = self.status(forService: request.service) else {
                throw RPCError(code: .notFound, message: "unknown service \"\(request.service)\"")
            }
            return HealthCheckResponse(status: status)
        }
        router.registerServerStreaming(
            MethodDescriptor(service: Self.serviceName, method: "Watch"),
            decode: { try HealthCheckRequest(serializedBytes: $0) },
            encode: { $0.serializedBytes() }
        ) { request, writer, _ in
            var lastSent: ServingStatus?
            for await status in self.watch(request.service) where status != lastSent {
                try await writer.write(HealthCheckResponse(status: status))
                lastSent = status
            }
        }
    }

    /// The service's status now, then every change, until the task is cancelled.
    private func watch(_ service: String) -> AsyncStream<ServingStatus> {
        let (stream, continuation) = AsyncStream.makeStream(of: ServingStatus.self, bufferingPolicy: .bufferingNewest(1))
        let id = state.withLock { state in
            let id = state.nextWatcherID
            state.nextWatcherID += 1
            state.watchers[service, default: [:]][id] = continuation
            continuation.yield(state.statuses[service] ?? .serviceUnknown)
            if state.isDraining { continuation.finish() }
            return id
        }
        continuation.onTermination = { _ in
            self.state.withLock { state in
                state.watchers[service]?[id] = nil
                if state.watchers[service]?.isEmpty == true { state.watchers[service] = nil }
            }
        }
        return stream
    }

    /// Watchers connected now (for tests and metrics).
    package var watcherCount: Int { state.withLock { $0.watchers.values.reduce(0) { $0 + $1.count } } }
}
