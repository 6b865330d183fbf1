package import AsyncHTTPClient
internal import NIOCore
internal import NIOHTTP1
internal import NIOPosix

/// The `http` and `tcp` health checks of a spec, run from landlord's host against an address the
/// provider found for the checked port.
///
/// - `http`: `GET http://<address>:<port><path>` answered with a status from 200 to 399 (redirects
///   are not followed, as Kubernetes' httpGet probe counts a 3xx as success without following it);
/// - `tcp`: a TCP connection to `<address>:<port>` is accepted.
///
/// A failure says what was tried and how it failed, never a response body.
package enum NetworkProbe {
    /// One `http` check: `path` empty means `/`.
    package static func http(
        address: String,
        port: Int,
        path: String,
        timeout: Duration,
        client: HTTPClient
    ) async -> HealthMonitor.Outcome {
        let host = address.contains(":") ? "[\(address)]" : address
        let url = "http://\(host):\(port)\(path.isEmpty ? "/" : path)"
        do {
            var request = HTTPClientRequest(url: url)
            request.method = .GET
            let response = try await client.execute(request, timeout: .nanoseconds(timeout.nanoseconds))
            for try await _ in response.body {}
            let status = Int(response.status.code)
            return (200..<400).contains(status) ? .success : .failure("GET \(url) answered \(status)")
        } catch {
            return .failure("GET \(url) failed: \(error)")
        }
    }

    /// One `tcp` check.
    package static func tcp(address: String, port: Int, timeout: Duration) async -> HealthMonitor.Outcome {
        do {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.nanoseconds(timeout.nanoseconds))
                .connect(host: address, port: port)
                .get()
            try? await channel.close()
            return .success
        } catch {
            return .failure("tcp connect to \(address):\(port) failed: \(error)")
        }
    }
}
