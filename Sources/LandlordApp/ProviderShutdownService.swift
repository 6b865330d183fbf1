import LandlordCompute
import LandlordProviderKit
import Logging
import ServiceLifecycle

/// Keeps the registered providers for the server's lifetime and shuts each down, awaited, when
/// the service group stops (after the server, which starts after it).
struct ProviderShutdownService: Service {
    let providers: [any ManagedComputeProvider]
    let logger: Logger

    func run() async throws {
        // Returns when the group shuts down gracefully; throws when it is cancelled instead.
        try? await gracefulShutdown()
        for provider in self.providers {
            do {
                try await provider.shutdown()
            } catch {
                logger.warning(
                    "provider did not shut down cleanly",
                    metadata: ["provider": "\(provider.name)", "error": "\(error)"]
                )
            }
        }
    }
}
