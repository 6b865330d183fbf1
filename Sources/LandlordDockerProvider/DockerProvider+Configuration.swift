extension DockerProvider {
    /// Where and how the provider reaches its Docker engine, and the defaults it applies to specs.
    ///
    /// ```swift
    /// var configuration = try DockerProvider.Configuration(dockerHost: "unix:///run/podman/podman.sock")
    /// configuration.secretsDirectory = "/etc/landlord/secrets"
    /// let provider = DockerProvider(configuration: configuration, logger: logger)
    /// try await provider.checkConnection()
    /// ```
    package struct Configuration: Sendable, Hashable {
        /// The engine's API endpoint (`DOCKER_HOST` syntax); `unix:///var/run/docker.sock` by default.
        package var host: EngineHost
        /// The API version prefix of every request, `v1.41` by default (the oldest version the
        /// provider needs; podman's compatible service answers it).
        package var apiVersion: String
        /// The host address published ports bind to unless a spec's `provider_config.host_ip` says
        /// otherwise; `127.0.0.1` by default, so tenants are reachable from this machine only.
        package var hostIP: String
        /// The address endpoints report when ports bind to all interfaces (`0.0.0.0`, `::`);
        /// `nil` (the default) reports the engine's host name for a TCP engine, `127.0.0.1` for a
        /// unix socket.
        package var advertisedAddress: String?
        /// The restart policy of containers whose spec's `provider_config` names none;
        /// `on-failure:3` by default.
        package var restartPolicy: RestartPolicy
        /// The directory `file` secrets are read from (a secret's `key` is a file name in it);
        /// `nil` (the default) rejects `file` secrets.
        package var secretsDirectory: String?
        /// How long a container may take to stop before it is killed (destroy, update);
        /// 10 seconds by default.
        package var stopTimeout: Duration
        /// The deadline of every engine call but image pulls and exec checks; 30 seconds by default.
        package var requestTimeout: Duration
        /// The deadline of an image pull; 10 minutes by default.
        package var pullTimeout: Duration

        /// Creates a configuration; every argument has the default ``defaults`` documents.
        package init(
            host: EngineHost = .defaultHost,
            apiVersion: String = "v1.41",
            hostIP: String = "127.0.0.1",
            advertisedAddress: String? = nil,
            restartPolicy: RestartPolicy = .onFailure(maximumRetryCount: 3),
            secretsDirectory: String? = nil,
            stopTimeout: Duration = .seconds(10),
            requestTimeout: Duration = .seconds(30),
            pullTimeout: Duration = .seconds(600)
        ) {
            self.host = host
            self.apiVersion = apiVersion
            self.hostIP = hostIP
            self.advertisedAddress = advertisedAddress
            self.restartPolicy = restartPolicy
            self.secretsDirectory = secretsDirectory
            self.stopTimeout = stopTimeout
            self.requestTimeout = requestTimeout
            self.pullTimeout = pullTimeout
        }

        /// The defaults: engine `unix:///var/run/docker.sock`, API `v1.41`, host IP `127.0.0.1`,
        /// restart policy `on-failure:3`, no secrets directory, stop timeout 10 s, request timeout
        /// 30 s, pull timeout 10 min.
        package static var defaults: Self { Self() }

        /// The defaults with the engine at `dockerHost`, a `DOCKER_HOST`-style address
        /// (`unix:///path/to/socket`, `tcp://host:port`, `http://host:port`); an empty string means
        /// the default socket.
        ///
        /// - Throws: ``ConfigurationError`` when the address cannot be parsed.
        package init(dockerHost: String) throws(ConfigurationError) {
            self.init(host: try EngineHost(parsing: dockerHost))
        }

        /// The defaults with the engine named by `environment["DOCKER_HOST"]`, when set and non-empty.
        package static func fromEnvironment(_ environment: [String: String]) throws(ConfigurationError) -> Self {
            try Self(dockerHost: environment["DOCKER_HOST"] ?? "")
        }
    }

    /// A Docker engine API endpoint.
    package enum EngineHost: Sendable, Hashable, CustomStringConvertible {
        /// A unix domain socket at an absolute path.
        case unix(path: String)
        /// Plain HTTP over TCP (TLS is not supported).
        case tcp(host: String, port: Int)

        /// `unix:///var/run/docker.sock`, Docker's default.
        package static let defaultHost = EngineHost.unix(path: "/var/run/docker.sock")

        /// Parses a `DOCKER_HOST`-style address: `unix:///path`, `tcp://host:port` (port 2375 when
        /// omitted) or `http://host:port`; an empty string is ``defaultHost``.
        package init(parsing address: String) throws(ConfigurationError) {
            let address = address.trimmingWhitespace()
            if address.isEmpty {
                self = .defaultHost
            } else if address.hasPrefix("unix://") {
                let path = String(address.dropFirst("unix://".count))
                guard path.hasPrefix("/") else {
                    throw ConfigurationError("docker host \"\(address)\": a unix socket path must be absolute")
                }
                self = .unix(path: path)
            } else if address.hasPrefix("tcp://") || address.hasPrefix("http://") {
                let rest = address.drop(while: { $0 != ":" }).dropFirst("://".count)
                let authority = rest.prefix(while: { $0 != "/" })
                guard rest.count == authority.count || rest.dropFirst(authority.count) == "/" else {
                    throw ConfigurationError("docker host \"\(address)\": a path is not supported")
                }
                let (host, port) = try Self.split(authority: authority, address: address)
                self = .tcp(host: host, port: port)
            } else if address.hasPrefix("https://") || address.hasPrefix("ssh://") || address.hasPrefix("npipe://") {
                throw ConfigurationError(
                    "docker host \"\(address)\": only unix:// and plain tcp:// (http://) engines are supported"
                )
            } else {
                throw ConfigurationError(
                    "docker host \"\(address)\" is not unix:///path/to/socket or tcp://host:port"
                )
            }
        }

        private static func split(authority: Substring, address: String) throws(ConfigurationError) -> (String, Int) {
            var host = authority
            var portText: Substring = ""
            if authority.hasPrefix("[") {  // [::1]:2375
                guard let close = authority.firstIndex(of: "]") else {
                    throw ConfigurationError("docker host \"\(address)\": unterminated IPv6 address")
                }
                host = authority[authority.index(after: authority.startIndex)..<close]
                let rest = authority[authority.index(after: close)...]
                if rest.hasPrefix(":") { portText = rest.dropFirst() }
            } else if let colon = authority.lastIndex(of: ":") {
                host = authority[..<colon]
                portText = authority[authority.index(after: colon)...]
            }
            guard !host.isEmpty else {
                throw ConfigurationError("docker host \"\(address)\": the host is missing")
            }
            guard portText.isEmpty || Int(portText).map({ (1...65535).contains($0) }) == true else {
                throw ConfigurationError("docker host \"\(address)\": the port must be between 1 and 65535")
            }
            return (String(host), Int(portText) ?? 2375)
        }

        /// `unix:///var/run/docker.sock` or `tcp://host:port`.
        package var description: String {
            switch self {
            case .unix(let path): "unix://\(path)"
            case .tcp(let host, let port): host.contains(":") ? "tcp://[\(host)]:\(port)" : "tcp://\(host):\(port)"
            }
        }
    }

    /// A container restart policy, as Docker's `--restart` flag writes it.
    package enum RestartPolicy: Sendable, Hashable, CustomStringConvertible {
        /// Never restart (`no`).
        case no
        /// Always restart (`always`).
        case always
        /// Restart unless stopped through the API (`unless-stopped`).
        case unlessStopped
        /// Restart after a non-zero exit, at most `maximumRetryCount` times (0: without limit)
        /// (`on-failure`, `on-failure:N`).
        case onFailure(maximumRetryCount: Int)

        /// Parses `no`, `always`, `unless-stopped`, `on-failure` or `on-failure:N` (N >= 0).
        package init?(parsing text: String) {
            switch text {
            case "no": self = .no
            case "always": self = .always
            case "unless-stopped": self = .unlessStopped
            case "on-failure": self = .onFailure(maximumRetryCount: 0)
            default:
                guard text.hasPrefix("on-failure:"), let count = Int(text.dropFirst("on-failure:".count)), count >= 0
                else { return nil }
                self = .onFailure(maximumRetryCount: count)
            }
        }

        /// The policy in `--restart` syntax, e.g. `on-failure:3`.
        package var description: String {
            switch self {
            case .no: "no"
            case .always: "always"
            case .unlessStopped: "unless-stopped"
            case .onFailure(let count): count == 0 ? "on-failure" : "on-failure:\(count)"
            }
        }

        var api: DockerAPI.RestartPolicy {
            switch self {
            case .no: DockerAPI.RestartPolicy(Name: "no", MaximumRetryCount: 0)
            case .always: DockerAPI.RestartPolicy(Name: "always", MaximumRetryCount: 0)
            case .unlessStopped: DockerAPI.RestartPolicy(Name: "unless-stopped", MaximumRetryCount: 0)
            case .onFailure(let count): DockerAPI.RestartPolicy(Name: "on-failure", MaximumRetryCount: count)
            }
        }
    }

    /// A configuration value that cannot be used, e.g. an unparsable `DOCKER_HOST`.
    package struct ConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
        /// What is wrong, naming the offending value.
        package var message: String

        package init(_ message: String) {
            self.message = message
        }

        package var description: String { self.message }
    }
}

extension String {
    func trimmingWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        return String(self.drop(while: isSpace).reversed().drop(while: isSpace).reversed())
    }
}
