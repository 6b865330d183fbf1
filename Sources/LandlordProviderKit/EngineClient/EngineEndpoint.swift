internal import Foundation

/// Where an engine's HTTP API is: a unix domain socket or an `http`/`https` base URL, each with
/// an optional path prefix every request path is appended to (e.g. `/v1.41` or `/api`).
package enum EngineEndpoint: Sendable, Hashable, CustomStringConvertible {
    /// The URL scheme of a TCP endpoint.
    package enum Scheme: String, Sendable, Hashable {
        /// Plain HTTP.
        case http
        /// HTTP over TLS.
        case https

        /// The port used when an address names none.
        package var defaultPort: Int { self == .http ? 80 : 443 }
    }

    /// HTTP/1.1 over a unix domain socket at an absolute `path`.
    ///
    /// `hostHeader` is the `Host` header sent with every request: a socket has no host name, and
    /// servers written in Go reject HTTP/1.1 requests without one.
    case unixSocket(path: String, hostHeader: String = "localhost", pathPrefix: String = "")
    /// HTTP or HTTPS over TCP; `host` is a name or an IP address (IPv6 without brackets).
    case url(scheme: Scheme, host: String, port: Int, pathPrefix: String = "")

    /// Parses an address: `unix:///path/to/socket`, `http://host[:port][/prefix]`,
    /// `https://host[:port][/prefix]`, or `tcp://host:port` (plain HTTP). IPv6 hosts are bracketed
    /// (`http://[::1]:8080`).
    ///
    /// - Throws: ``EngineConfigurationError`` saying what is wrong with the address.
    package init(parsing address: String) throws(EngineConfigurationError) {
        let address = address.trimmingCharacters(in: .whitespaces)
        func invalid(_ reason: String) -> EngineConfigurationError {
            EngineConfigurationError("engine address \"\(address)\" \(reason)")
        }
        guard let separator = address.range(of: "://") else {
            throw invalid("has no scheme (expected unix:///PATH, http://HOST:PORT, https://HOST:PORT or tcp://HOST:PORT)")
        }
        let scheme = address[..<separator.lowerBound].lowercased()
        let rest = String(address[separator.upperBound...])
        switch scheme {
        case "unix":
            guard rest.hasPrefix("/"), rest.count > 1 else { throw invalid("needs an absolute socket path") }
            self = .unixSocket(path: rest)
        case "http", "https", "tcp":
            let resolved: Scheme = scheme == "https" ? .https : .http
            let authority: Substring
            var prefix = ""
            if let slash = rest.firstIndex(of: "/") {
                authority = rest[..<slash]
                prefix = String(rest[slash...])
                while prefix.hasSuffix("/") { prefix.removeLast() }
            } else {
                authority = rest[...]
            }
            if authority.contains("@") { throw invalid("must not contain user information") }
            if rest.contains("?") || rest.contains("#") { throw invalid("must not contain a query or fragment") }
            let host: String
            var portText: Substring?
            if authority.hasPrefix("[") {
                guard let close = authority.firstIndex(of: "]") else { throw invalid("has an unclosed IPv6 bracket") }
                host = String(authority[authority.index(after: authority.startIndex)..<close])
                let after = authority[authority.index(after: close)...]
                if !after.isEmpty {
                    guard after.hasPrefix(":") else { throw invalid("has text after its IPv6 address") }
                    portText = after.dropFirst()
                }
            } else {
                let parts = authority.split(separator: ":", omittingEmptySubsequences: false)
                guard parts.count <= 2 else { throw invalid("has an IPv6 host that is not in brackets") }
                host = String(parts[0])
                if parts.count == 2 { portText = parts[1] }
            }
            guard !host.isEmpty else { throw invalid("has no host") }
            let port: Int
            if let portText {
                guard let value = Int(portText), (1...65535).contains(value) else {
                    throw invalid("has an invalid port \"\(portText)\"")
                }
                port = value
            } else if scheme == "tcp" {
                throw invalid("needs a port (tcp://HOST:PORT)")
            } else {
                port = resolved.defaultPort
            }
            self = .url(scheme: resolved, host: host, port: port, pathPrefix: prefix)
        default:
            throw invalid("has an unsupported scheme \"\(scheme)\" (expected unix, http, https or tcp)")
        }
    }

    /// Whether requests go over TLS.
    package var usesTLS: Bool {
        if case .url(.https, _, _, _) = self { return true }
        return false
    }

    /// The path prefix every request path is appended to (empty or starting with `/`).
    package var pathPrefix: String {
        switch self {
        case .unixSocket(_, _, let prefix), .url(_, _, _, let prefix):
            prefix.isEmpty || prefix.hasPrefix("/") ? prefix : "/" + prefix
        }
    }

    /// The `Host` header to send with every request, when the URL does not provide one.
    package var hostHeader: String? {
        if case .unixSocket(_, let hostHeader, _) = self { return hostHeader }
        return nil
    }

    /// The base URL async-http-client is given (`http+unix://%2Fpath%2Fsock/prefix`,
    /// `https://[::1]:8443/prefix`), with `host` in place of the endpoint's host name when given.
    package func baseURL(host override: String? = nil) -> String {
        switch self {
        case .unixSocket(let path, _, _):
            // async-http-client takes the socket path as the percent-encoded host of http+unix URLs.
            let encoded = path.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? path
            return "http+unix://\(encoded)\(self.pathPrefix)"
        case .url(let scheme, let host, let port, _):
            let name = override ?? host
            let bracketed = name.contains(":") ? "[\(name)]" : name
            return "\(scheme.rawValue)://\(bracketed):\(port)\(self.pathPrefix)"
        }
    }

    /// The host name requests connect to (`nil` for a unix socket).
    package var host: String? {
        if case .url(_, let host, _, _) = self { return host }
        return nil
    }

    /// The address as it parses back: `unix:///path` (without the path prefix), `https://host:port/prefix`.
    package var description: String {
        switch self {
        case .unixSocket(let path, _, _): "unix://\(path)"
        case .url: self.baseURL()
        }
    }
}
