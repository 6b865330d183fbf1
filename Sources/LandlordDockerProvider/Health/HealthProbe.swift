internal import AsyncHTTPClient
internal import LandlordCompute
internal import LandlordProviderKit
internal import NIOCore
internal import NIOHTTP1
internal import NIOPosix

/// One probe of a container's health check, as the spec describes it:
///
/// - `http`: `GET http://<address>:<port><http_path>` answered with a status from 200 to 399
///   (redirects are not followed);
/// - `tcp`: a TCP connection to `<address>:<port>` is accepted;
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
                    ? await self.http(address: address, port: port, path: check.httpPath, timeout: timeout)
                    : await Self.tcp(address: address, port: port, timeout: timeout)
            default:
                return .failure("unknown check type \(SpecValidator.quoted(check.type.rawValue))")
            }
        } catch is CancellationError {
            return .failure("cancelled")
        } catch {
            return .failure("\(error)")
        }
    }

    private func http(address: String, port: Int, path: String, timeout: Duration) async -> HealthMonitor.Outcome {
        let host = address.contains(":") ? "[\(address)]" : address
        let url = "http://\(host):\(port)\(path.isEmpty ? "/" : path)"
        do {
            var request = HTTPClientRequest(url: url)
            request.method = .GET
            let response = try await self.http.execute(request, timeout: .nanoseconds(Int64(timeout.nanoseconds)))
            for try await _ in response.body {}
            let status = Int(response.status.code)
            return (200..<400).contains(status) ? .success : .failure("GET \(url) answered \(status)")
        } catch {
            return .failure("GET \(url) failed: \(error)")
        }
    }

    private static func tcp(address: String, port: Int, timeout: Duration) async -> HealthMonitor.Outcome {
        do {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.nanoseconds(Int64(timeout.nanoseconds)))
                .connect(host: address, port: port)
                .get()
            try? await channel.close()
            return .success
        } catch {
            return .failure("tcp connect to \(address):\(port) failed: \(error)")
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
