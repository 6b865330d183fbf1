package import LandlordCompute
internal import LandlordProviderKit

#if canImport(Glibc)
    internal import Glibc
#elseif canImport(Musl)
    internal import Musl
#elseif canImport(Darwin)
    internal import Darwin
#endif

/// The `provider_config` of a spec for the docker provider: a JSON object whose keys are all optional.
///
/// | key | type | meaning |
/// |---|---|---|
/// | `network_mode` | string | `tenant` (default): the tenant's own bridge network `landlord-<tenant_id>`; `bridge`: the engine's default bridge network; `host`: the host's network (ports are not published, they are the container's own); `none`: no network (no ports, no http/tcp checks) |
/// | `host_ip` | string | the IPv4 or IPv6 address published ports bind to (default: the provider's ``DockerProvider/Configuration/hostIP``, or `0.0.0.0` when `networking.public_ip` is true) |
/// | `restart_policy` | string | `no`, `always`, `unless-stopped`, `on-failure` or `on-failure:N` (default: the provider's ``DockerProvider/Configuration/restartPolicy``) |
///
/// Any other key, a value of another type and an unknown value are violations of
/// `provider_config.<key>`; a document that is not an object is a violation of `provider_config`.
/// Descriptions never quote the configuration's values.
package struct DockerSpecConfig: Sendable, Hashable, Encodable {
    /// How the tenant's containers are networked.
    package enum NetworkMode: String, Sendable, Hashable, CaseIterable, Encodable {
        case tenant
        case bridge
        case host
        case none
    }

    /// `network_mode`; `nil` means ``NetworkMode/tenant``.
    package var networkMode: NetworkMode?
    /// `host_ip`.
    package var hostIP: String?
    /// `restart_policy`.
    package var restartPolicy: DockerProvider.RestartPolicy?

    /// The accepted keys.
    package static let keys = ["network_mode", "host_ip", "restart_policy"]

    /// Creates a configuration; `nil` fields take their defaults.
    package init(
        networkMode: NetworkMode? = nil,
        hostIP: String? = nil,
        restartPolicy: DockerProvider.RestartPolicy? = nil
    ) {
        self.networkMode = networkMode
        self.hostIP = hostIP
        self.restartPolicy = restartPolicy
    }

    /// Whether no key is set.
    package var isEmpty: Bool {
        self.networkMode == nil && self.hostIP == nil && self.restartPolicy == nil
    }

    /// The network mode in effect.
    package var effectiveNetworkMode: NetworkMode { self.networkMode ?? .tenant }

    /// Decodes `raw`; an absent or empty document is the empty configuration. Returns every
    /// violation, with the fields that could be read.
    package static func decode(_ raw: RawJSON?) -> (config: Self, violations: [FieldViolation]) {
        let (object, documentViolation) = ProviderConfigDocument.object(raw, provider: "docker")
        if let documentViolation { return (Self(), [documentViolation]) }
        var config = Self()
        var violations: [FieldViolation] = []
        for key in object.keys.sorted() {
            let field = "provider_config.\(ProviderConfigDocument.shortened(key))"
            let entry = object[key] ?? .null
            switch key {
            case "network_mode":
                guard case .string(let text) = entry else {
                    violations.append(Self.typeViolation(field, "network_mode", entry))
                    continue
                }
                if let mode = NetworkMode(rawValue: text) {
                    config.networkMode = mode
                } else {
                    violations.append(
                        FieldViolation(
                            field: field,
                            description: "network_mode must be one of "
                                + NetworkMode.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
                        )
                    )
                }
            case "host_ip":
                guard case .string(let text) = entry else {
                    violations.append(Self.typeViolation(field, "host_ip", entry))
                    continue
                }
                if Self.isIPAddress(text) {
                    config.hostIP = text
                } else {
                    violations.append(
                        FieldViolation(field: field, description: "host_ip must be an IPv4 or IPv6 address")
                    )
                }
            case "restart_policy":
                guard case .string(let text) = entry else {
                    violations.append(Self.typeViolation(field, "restart_policy", entry))
                    continue
                }
                if let policy = DockerProvider.RestartPolicy(parsing: text) {
                    config.restartPolicy = policy
                } else {
                    violations.append(
                        FieldViolation(
                            field: field,
                            description:
                                "restart_policy must be \"no\", \"always\", \"unless-stopped\", \"on-failure\" or \"on-failure:N\" with N >= 0"
                        )
                    )
                }
            default:
                violations.append(
                    FieldViolation(
                        field: field,
                        description: "unknown key; the docker provider accepts "
                            + Self.keys.map { "\"\($0)\"" }.joined(separator: ", ")
                    )
                )
            }
        }
        return (config, violations)
    }

    /// Whether `text` is an IPv4 or IPv6 address literal.
    package static func isIPAddress(_ text: String) -> Bool {
        var buffer = (UInt64(0), UInt64(0))
        return withUnsafeMutableBytes(of: &buffer) { bytes in
            inet_pton(AF_INET, text, bytes.baseAddress) == 1 || inet_pton(AF_INET6, text, bytes.baseAddress) == 1
        }
    }

    private enum CodingKeys: String, CodingKey {
        case networkMode = "network_mode"
        case hostIP = "host_ip"
        case restartPolicy = "restart_policy"
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(self.networkMode, forKey: .networkMode)
        try container.encodeIfPresent(self.hostIP, forKey: .hostIP)
        try container.encodeIfPresent(self.restartPolicy?.description, forKey: .restartPolicy)
    }

    private static func typeViolation(_ field: String, _ key: String, _ value: JSONValue) -> FieldViolation {
        FieldViolation(field: field, description: "\(key) must be a string (it is \(ProviderConfigDocument.typeName(value)))")
    }
}
