internal import Foundation
internal import LandlordCompute
package import LandlordProviderKit

/// The catalog entry of the `docker` provider: its options and how they become a ``DockerProvider``.
///
/// | option | environment | default |
/// |---|---|---|
/// | `--docker-host URL` | `DOCKER_HOST` | `unix:///var/run/docker.sock` |
/// | `--docker-secrets-dir PATH` | `LANDLORD_DOCKER_SECRETS_DIR` | none (file secrets disabled) |
/// | `--docker-host-ip IP` | `LANDLORD_DOCKER_HOST_IP` | `127.0.0.1` |
/// | `--docker-advertised-address HOST` | `LANDLORD_DOCKER_ADVERTISED_ADDRESS` | none |
package struct DockerProviderFactory: ComputeProviderFactory {
    package let name = DockerProvider.defaultName
    package let summary = "tenants as containers on a Docker Engine API (Docker, podman)"
    package let options: [ConfigOption] = [
        ConfigOption(
            name: "docker-host", environment: ["DOCKER_HOST"], valueName: "URL",
            defaultValue: DockerProvider.EngineHost.defaultHost.description,
            help: "Docker Engine API address for the docker provider: unix:///PATH or tcp://HOST:PORT."
        ),
        ConfigOption(
            name: "docker-secrets-dir", environment: ["LANDLORD_DOCKER_SECRETS_DIR"], valueName: "PATH",
            unsetMeaning: "file secrets disabled",
            help: "Directory the docker provider reads `file` secrets from."
        ),
        ConfigOption(
            name: "docker-host-ip", environment: ["LANDLORD_DOCKER_HOST_IP"], valueName: "IP",
            defaultValue: DockerProvider.Configuration.defaults.hostIP,
            help: "Host address published ports bind to unless a spec's provider_config.host_ip says otherwise."
        ),
        ConfigOption(
            name: "docker-advertised-address", environment: ["LANDLORD_DOCKER_ADVERTISED_ADDRESS"],
            valueName: "HOST", unsetMeaning: "the TCP engine's host, or 127.0.0.1",
            help: "Address endpoints report for ports bound to all interfaces."
        ),
    ]

    package init() {}

    package func makeProvider(_ context: ProviderContext) throws(ConfigOptionError) -> any ManagedComputeProvider {
        var configuration: DockerProvider.Configuration
        do {
            configuration = try DockerProvider.Configuration(dockerHost: context.options.string("docker-host") ?? "")
        } catch {
            throw context.options.error("docker-host", "is not usable: \(error.message)")
        }
        configuration.secretsDirectory = context.options.string("docker-secrets-dir")
        if let hostIP = context.options.string("docker-host-ip") { configuration.hostIP = hostIP }
        configuration.advertisedAddress = context.options.string("docker-advertised-address")
        let environment = context.environment
        return DockerProvider(configuration: configuration, environment: { environment[$0] }, logger: context.logger)
    }
}

extension DockerProvider: ManagedComputeProvider {
    /// Checks the engine (``checkConnection()``) and describes it.
    package func checkEngine() async throws -> String {
        do {
            return try await self.checkConnection().description
        } catch let error as ComputeError {
            throw ProviderStartupFailure(message: error.message)
        }
    }
}
