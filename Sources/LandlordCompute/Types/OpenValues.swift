// String fields with a fixed set of values, as open value types.
//
// Each type is a `RawRepresentable` string with one static member per documented value, so code
// names `.http` or `.udp` instead of repeating string literals. The set is open: any string is a
// value (decoding never fails, an unknown string is kept as it is and written back unchanged),
// so a spec with `"protocol": "sctp"` still decodes and is reported by ``SpecValidator`` with the
// same violation as before. JSON and proto carry the raw string, exactly as when the fields were
// plain strings.

/// A string with documented values (static members, listed by ``known``) that keeps any other
/// string it is given.
package protocol OpenStringValue: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible,
    ExpressibleByStringLiteral
where RawValue == String {
    /// The documented values, in the order documentation lists them.
    static var known: [Self] { get }
    init(rawValue: String)
}

extension OpenStringValue {
    /// Whether this is one of the documented values (``known``).
    package var isKnown: Bool { Self.known.contains(self) }

    /// The raw string, so that interpolation and change lists show `tcp`, not a type name.
    package var description: String { self.rawValue }

    package init(stringLiteral value: String) {
        self.init(rawValue: value)
    }

    package init(from decoder: any Decoder) throws {
        self.init(rawValue: try decoder.singleValueContainer().decode(String.self))
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(self.rawValue)
    }

    /// `"a", "b" or "c"`: the documented values quoted, for violation descriptions.
    package static var knownList: String {
        let quoted = Self.known.map { "\"\($0.rawValue)\"" }
        guard let last = quoted.last else { return "" }
        return quoted.count == 1 ? last : quoted.dropLast().joined(separator: ", ") + " or " + last
    }
}

/// The kind of a health check (``HealthCheckConfig/type``): `http`, `tcp` or `exec`.
package struct HealthCheckType: OpenStringValue {
    package let rawValue: String
    package init(rawValue: String) { self.rawValue = rawValue }

    /// An HTTP GET of ``HealthCheckConfig/httpPath`` on ``HealthCheckConfig/port``; 2xx and 3xx are healthy.
    package static let http: Self = "http"
    /// A TCP connection to ``HealthCheckConfig/port``.
    package static let tcp: Self = "tcp"
    /// ``HealthCheckConfig/command`` run inside the container; exit code 0 is healthy.
    package static let exec: Self = "exec"

    package static let known: [Self] = [.http, .tcp, .exec]

    /// Whether checks of this type probe a network port (`http` and `tcp`).
    package var probesPort: Bool { self == .http || self == .tcp }
}

/// The transport protocol of a port (``PortMapping/protocol``): `tcp` or `udp`.
package struct PortProtocol: OpenStringValue {
    package let rawValue: String
    package init(rawValue: String) { self.rawValue = rawValue }

    package static let tcp: Self = "tcp"
    package static let udp: Self = "udp"

    package static let known: [Self] = [.tcp, .udp]
}

/// The state of a single container (``ContainerStatus/state``): the values of ``ComputeState``.
package struct ContainerState: OpenStringValue {
    package let rawValue: String
    package init(rawValue: String) { self.rawValue = rawValue }

    package static let running: Self = "running"
    package static let stopped: Self = "stopped"
    package static let starting: Self = "starting"
    package static let stopping: Self = "stopping"
    package static let failed: Self = "failed"
    /// The provider cannot tell the state (a documented value, not an unknown string).
    package static let unknown: Self = "unknown"

    package static let known: [Self] = [.running, .stopped, .starting, .stopping, .failed, .unknown]

    /// The container state that has the name of a tenant state.
    package init(_ state: ComputeState) {
        self.init(rawValue: state.rawValue)
    }
}

/// How a tenant is reached (``Endpoint/type``): `http`, `https`, `tcp`, `udp` or `grpc`.
package struct EndpointType: OpenStringValue {
    package let rawValue: String
    package init(rawValue: String) { self.rawValue = rawValue }

    package static let http: Self = "http"
    package static let https: Self = "https"
    package static let tcp: Self = "tcp"
    package static let udp: Self = "udp"
    package static let grpc: Self = "grpc"

    package static let known: [Self] = [.http, .https, .tcp, .udp, .grpc]

    /// The endpoint type of a published port, the rule every provider follows: a port named
    /// `http`, `https` or `grpc` (any case) has that type, any other port its protocol (`tcp`, `udp`).
    package init(of port: PortMapping) {
        switch port.name.lowercased() {
        case "http": self = .http
        case "https": self = .https
        case "grpc": self = .grpc
        default: self.init(rawValue: port.protocol.rawValue)
        }
    }

    /// Whether endpoints of this type carry a URL (`http`, `https`).
    package var hasURL: Bool { self == .http || self == .https }
}

extension Endpoint {
    /// The endpoint of `port`, published at `address:number`: its type by ``EndpointType/init(of:)``
    /// and, for `http` and `https`, the URL `type://address:number` (an IPv6 address in brackets).
    /// Every provider builds its endpoints with this.
    package init(publishing port: PortMapping, address: String, port number: Int) {
        let type = EndpointType(of: port)
        var url = ""
        if type.hasURL {
            let host = address.contains(":") ? "[\(address)]" : address
            url = "\(type.rawValue)://\(host):\(number)"
        }
        self.init(type: type, address: address, port: number, url: url)
    }
}
