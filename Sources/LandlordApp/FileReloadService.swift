import Logging
import ServiceLifecycle

/// Re-reads what the server loads from files (the TLS certificate and key, the access policy)
/// every `interval`, until the service group shuts down.
///
/// Polling, not file events: a Kubernetes secret or a cert-manager rotation swaps a symlink of a
/// mounted directory, which inotify on the file itself does not see; comparing the contents at a
/// fixed interval sees every kind of update.
struct FileReloadService: Service {
    let interval: Duration
    /// Each re-reads its files and swaps in what changed (logging what it did).
    let reloads: [@Sendable () -> Void]

    func run() async throws {
        guard !reloads.isEmpty else {
            try? await gracefulShutdown()
            return
        }
        while !Task.isCancelledOrShuttingDown {
            try? await Task.sleep(for: interval)
            if Task.isCancelledOrShuttingDown { break }
            for reload in reloads { reload() }
        }
    }
}

extension Task where Success == Never, Failure == Never {
    /// Whether the current task is cancelled or its service group is shutting down.
    fileprivate static var isCancelledOrShuttingDown: Bool { Task.isCancelled || Task.isShuttingDownGracefully }
}
