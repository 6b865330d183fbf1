internal import AsyncHTTPClient
internal import LandlordCompute
internal import LandlordProviderKit

/// One probe of a container's health check, as the spec describes it:
///
/// - `http` and `tcp`: ``NetworkProbe`` against the address below;
/// - `exec`: the command, run in the container through the exec API, exits with 0.
///
/// `<address>:<port>` is where the check's container port is published on the host (the bound
/// host IP, or the advertised address when bound to all interfaces), else the container's address
/// on its network, or the host itself with network mode `host`. A container that is not running
/// fails every check.
struct HealthProbe: Sendable {
    var engine: DockerEngine
    var http: HTTPClient
    var configuration: DockerProvider.Configuration

    func run(_ target: HealthMonitor.Target, timeout: Duration) async -> HealthMonitor.Outcome {
        let check = target.check
        do {
            guard let container = try await self.engine.inspectContainer(target.containerID) else {
                return .containerGone
            }
            guard container.State.Status == "running" else {
                return .failure("the container is \(container.State.Status)")
            }
            switch check.type {
            case "exec":
                let code = try await self.engine.exec(in: target.containerID, command: check.command, timeout: timeout)
                return code == 0 ? .success : .failure("exec check exited with code \(code)")
            case "http", "tcp":
                guard
                    let (address, port) = Self.address(
                        of: container, port: check.port, configuration: self.configuration)
                else {
                    return .failure("port \(check.port)/tcp is not published and the container has no network address")
                }
                return check.type == "http"
                    ? await NetworkProbe.http(
                        address: address, port: port, path: check.httpPath, timeout: timeout, client: self.http)
                    : await NetworkProbe.tcp(address: address, port: port, timeout: timeout)
            default:
                return .failure("unknown check type \(SpecValidator.quoted(check.type.rawValue))")
            }
        } catch is CancellationError {
            return .failure("cancelled")
        } catch {
            return .failure("\(error)")
        }
    }

    /// Where a container's TCP `port` can be reached from landlord's host.
    static func address(
        of container: DockerAPI.ContainerInspect,
        port: Int,
        configuration: DockerProvider.Configuration
    ) -> (String, Int)? {
        if let bindings = container.NetworkSettings?.Ports?["\(port)/tcp"] ?? nil,
            let binding = bindings.first, let hostPort = Int(binding.HostPort)
        {
            return (Self.reachableAddress(binding.HostIp, configuration: configuration), hostPort)
        }
        if container.HostConfig?.NetworkMode == "host" {
            return (Self.reachableAddress("", configuration: configuration), port)
        }
        let addresses = (container.NetworkSettings?.Networks ?? [:]).sorted { $0.key < $1.key }
            .compactMap { $0.value.IPAddress }.filter { !$0.isEmpty }
        return addresses.first.map { ($0, port) }
    }

    /// The address to reach a port bound to `hostIP`: the IP itself, or for all interfaces
    /// (`0.0.0.0`, `::`, empty) the advertised address, the TCP engine's host, or `127.0.0.1`.
    static func reachableAddress(_ hostIP: String, configuration: DockerProvider.Configuration) -> String {
        guard hostIP.isEmpty || hostIP == "0.0.0.0" || hostIP == "::" else { return hostIP }
        if let advertised = configuration.advertisedAddress { return advertised }
        if case .tcp(let host, _) = configuration.host { return host }
        return "127.0.0.1"
    }
}
