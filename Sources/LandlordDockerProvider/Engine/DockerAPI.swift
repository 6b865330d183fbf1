// The Docker Engine API objects the provider sends and reads (API v1.41, which podman's
// Docker-compatible service also speaks). Property names are the API's JSON field names, so that
// the types read like the API reference (https://docs.docker.com/engine/api/v1.41/); only the
// fields the provider uses are declared.

// swift-format-ignore-file: AlwaysUseLowerCamelCase

/// Namespace of the Docker Engine API's request and response bodies.
enum DockerAPI {
    // MARK: - Containers

    /// `POST /containers/create` body.
    struct ContainerCreate: Encodable, Sendable, Hashable {
        var Image: String
        var Entrypoint: [String]?
        var Cmd: [String]?
        var Env: [String]
        var Labels: [String: String]
        var Hostname: String?
        var Domainname: String?
        var ExposedPorts: [String: EmptyObject]
        var HostConfig: HostConfig
        var NetworkingConfig: NetworkingConfig?
    }

    /// `{}`: the value of `ExposedPorts` entries.
    struct EmptyObject: Codable, Sendable, Hashable {}

    struct HostConfig: Codable, Sendable, Hashable {
        var NetworkMode: String
        var PortBindings: [String: [PortBinding]]
        var NanoCpus: Int64
        var Memory: Int64
        var RestartPolicy: RestartPolicy
    }

    struct PortBinding: Codable, Sendable, Hashable {
        var HostIp: String
        var HostPort: String
    }

    struct RestartPolicy: Codable, Sendable, Hashable {
        var Name: String
        var MaximumRetryCount: Int
    }

    struct NetworkingConfig: Encodable, Sendable, Hashable {
        var EndpointsConfig: [String: EndpointSettings]
    }

    struct EndpointSettings: Encodable, Sendable, Hashable {
        var Aliases: [String]
    }

    /// `GET /containers/json` entries.
    struct ContainerSummary: Decodable, Sendable {
        var Id: String
        var Names: [String]?
        var Labels: [String: String]?
        var State: String?
    }

    /// `GET /containers/{id}/json`.
    struct ContainerInspect: Decodable, Sendable {
        var Id: String
        var Name: String
        var RestartCount: Int?
        var State: ContainerState
        var Config: ContainerConfig
        var NetworkSettings: NetworkSettings?
        var HostConfig: InspectHostConfig?

        /// The name without the leading `/` the engine reports.
        var name: String {
            self.Name.hasPrefix("/") ? String(self.Name.dropFirst()) : self.Name
        }
    }

    struct ContainerState: Decodable, Sendable {
        var Status: String
        var Running: Bool?
        var Restarting: Bool?
        var OOMKilled: Bool?
        var Dead: Bool?
        var ExitCode: Int?
        var Error: String?
    }

    struct ContainerConfig: Decodable, Sendable {
        var Image: String?
        var Labels: [String: String]?
    }

    struct InspectHostConfig: Decodable, Sendable {
        var NetworkMode: String?
    }

    struct NetworkSettings: Decodable, Sendable {
        /// `"8080/tcp": [{"HostIp": "127.0.0.1", "HostPort": "43735"}]`; `null` for unpublished ports.
        var Ports: [String: [PortBinding]?]?
        var Networks: [String: NetworkEndpoint]?
    }

    struct NetworkEndpoint: Decodable, Sendable {
        var IPAddress: String?
    }

    // MARK: - Networks

    /// `POST /networks/create` body.
    struct NetworkCreate: Encodable, Sendable {
        var Name: String
        var Driver: String
        var CheckDuplicate: Bool
        var Labels: [String: String]
    }

    /// `GET /networks` entries.
    struct NetworkSummary: Decodable, Sendable {
        var Id: String
        var Name: String
        var Labels: [String: String]?
    }

    // MARK: - Exec

    /// `POST /containers/{id}/exec` body.
    struct ExecCreate: Encodable, Sendable {
        var Cmd: [String]
        var AttachStdout: Bool
        var AttachStderr: Bool
    }

    /// `POST /exec/{id}/start` body.
    struct ExecStart: Encodable, Sendable {
        var Detach: Bool
        var Tty: Bool
    }

    /// `GET /exec/{id}/json`.
    struct ExecInspect: Decodable, Sendable {
        var Running: Bool?
        var ExitCode: Int?
    }

    // MARK: - Images and system

    /// `GET /images/{name}/json` (only whether it answers matters).
    struct ImageInspect: Decodable, Sendable {
        var Id: String
    }

    /// One line of the `POST /images/create` progress stream.
    struct PullProgress: Decodable, Sendable {
        var error: String?
        var status: String?
    }

    /// `GET /version`.
    struct Version: Decodable, Sendable {
        var Version: String?
        var ApiVersion: String?
        var Components: [Component]?

        struct Component: Decodable, Sendable {
            var Name: String
        }
    }

    /// The body of `Id` answers (`POST /containers/create`, `POST /networks/create`, `POST .../exec`).
    struct IDResponse: Decodable, Sendable {
        var Id: String
    }

    /// The body of an error answer.
    struct ErrorResponse: Decodable, Sendable {
        var message: String
    }
}
