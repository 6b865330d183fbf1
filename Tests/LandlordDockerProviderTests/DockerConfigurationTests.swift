import LandlordCompute
import LandlordDockerProvider
import Testing

@Suite("Docker provider: configuration")
struct DockerConfigurationTests {
    @Test(
        "DOCKER_HOST addresses parse",
        arguments: [
            ("", DockerProvider.EngineHost.unix(path: "/var/run/docker.sock")),
            ("unix:///run/podman/podman.sock", .unix(path: "/run/podman/podman.sock")),
            ("  unix:///tmp/x.sock\n", .unix(path: "/tmp/x.sock")),
            ("tcp://10.0.0.5:2376", .tcp(host: "10.0.0.5", port: 2376)),
            ("tcp://docker.internal", .tcp(host: "docker.internal", port: 2375)),
            ("http://localhost:8080/", .tcp(host: "localhost", port: 8080)),
            ("tcp://[::1]:2375", .tcp(host: "::1", port: 2375)),
        ]
    )
    func parses(_ address: String, _ expected: DockerProvider.EngineHost) throws {
        #expect(try DockerProvider.EngineHost(parsing: address) == expected)
        #expect(try DockerProvider.Configuration(dockerHost: address).host == expected)
    }

    @Test(
        "bad DOCKER_HOST addresses are rejected with a message naming them",
        arguments: [
            "unix://relative.sock", "tcp://:2375", "tcp://host:0", "tcp://host:99999", "tcp://host:2375/path",
            "https://host:2376", "ssh://user@host", "npipe:////./pipe/docker_engine", "/var/run/docker.sock",
            "tcp://[::1",
        ]
    )
    func rejects(_ address: String) {
        #expect {
            try DockerProvider.EngineHost(parsing: address)
        } throws: { error in
            "\(error)".contains("docker host \"\(address)\"")
        }
    }

    @Test("the environment's DOCKER_HOST picks the engine")
    func environment() throws {
        #expect(try DockerProvider.Configuration.fromEnvironment([:]).host == .defaultHost)
        #expect(try DockerProvider.Configuration.fromEnvironment(["DOCKER_HOST": ""]).host == .defaultHost)
        #expect(
            try DockerProvider.Configuration.fromEnvironment(["DOCKER_HOST": "tcp://engine:2375"]).host
                == .tcp(host: "engine", port: 2375)
        )
        #expect(throws: DockerProvider.ConfigurationError.self) {
            try DockerProvider.Configuration.fromEnvironment(["DOCKER_HOST": "ftp://x"])
        }
    }

    @Test("defaults")
    func defaults() {
        let defaults = DockerProvider.Configuration.defaults
        #expect(defaults.host.description == "unix:///var/run/docker.sock")
        #expect(defaults.apiVersion == "v1.41")
        #expect(defaults.hostIP == "127.0.0.1")
        #expect(defaults.restartPolicy == .onFailure(maximumRetryCount: 3))
        #expect(defaults.secretsDirectory == nil)
        #expect(defaults.stopTimeout == .seconds(10))
        #expect(DockerProvider.EngineHost.tcp(host: "::1", port: 2375).description == "tcp://[::1]:2375")
    }

    @Test(
        "restart policies parse in --restart syntax",
        arguments: [
            ("no", DockerProvider.RestartPolicy.no), ("always", .always), ("unless-stopped", .unlessStopped),
            ("on-failure", .onFailure(maximumRetryCount: 0)), ("on-failure:5", .onFailure(maximumRetryCount: 5)),
        ]
    )
    func restartPolicies(_ text: String, _ expected: DockerProvider.RestartPolicy) {
        #expect(DockerProvider.RestartPolicy(parsing: text) == expected)
        #expect(expected.description == text)
    }

    @Test(
        "bad restart policies do not parse",
        arguments: ["", "sometimes", "on-failure:", "on-failure:-1", "on-failure:x"])
    func badRestartPolicies(_ text: String) {
        #expect(DockerProvider.RestartPolicy(parsing: text) == nil)
    }
}

/// One provider_config document and the exact violations it must produce.
struct ProviderConfigCase: Sendable, CustomTestStringConvertible {
    var json: String
    var fields: [String]
    var config: DockerSpecConfig

    init(_ json: String, _ fields: [String], _ config: DockerSpecConfig = DockerSpecConfig()) {
        self.json = json
        self.fields = fields
        self.config = config
    }

    var testDescription: String { self.json }
}

@Suite("Docker provider: provider_config")
struct DockerSpecConfigTests {
    static let cases: [ProviderConfigCase] = [
        ProviderConfigCase("{}", []),
        ProviderConfigCase(
            #"{"network_mode":"host","host_ip":"0.0.0.0","restart_policy":"always"}"#, [],
            DockerSpecConfig(networkMode: .host, hostIP: "0.0.0.0", restartPolicy: .always)
        ),
        ProviderConfigCase(#"{"host_ip":"::1"}"#, [], DockerSpecConfig(hostIP: "::1")),
        ProviderConfigCase(
            #"{"restart_policy":"on-failure:2"}"#, [], DockerSpecConfig(restartPolicy: .onFailure(maximumRetryCount: 2))
        ),
        ProviderConfigCase(#"{"host_ip":42}"#, ["provider_config.host_ip"]),
        ProviderConfigCase(#"{"host_ip":"localhost"}"#, ["provider_config.host_ip"]),
        ProviderConfigCase(#"{"host_ip":"10.0.0.300"}"#, ["provider_config.host_ip"]),
        ProviderConfigCase(#"{"network_mode":"overlay"}"#, ["provider_config.network_mode"]),
        ProviderConfigCase(#"{"network_mode":true}"#, ["provider_config.network_mode"]),
        ProviderConfigCase(#"{"restart_policy":{"name":"always"}}"#, ["provider_config.restart_policy"]),
        ProviderConfigCase(#"{"restart_policy":"never"}"#, ["provider_config.restart_policy"]),
        ProviderConfigCase(#"{"replicas":3}"#, ["provider_config.replicas"]),
        ProviderConfigCase(
            #"{"zeta":1,"host_ip":[],"alpha":null}"#,
            ["provider_config.alpha", "provider_config.host_ip", "provider_config.zeta"]
        ),
        ProviderConfigCase(#"[1,2]"#, ["provider_config"]),
        ProviderConfigCase(#""text""#, ["provider_config"]),
        ProviderConfigCase(#"{"#, ["provider_config"]),
    ]

    @Test("documents decode with exact field paths", arguments: Self.cases)
    func decode(_ testCase: ProviderConfigCase) {
        let (config, violations) = DockerSpecConfig.decode(RawJSON(testCase.json))
        #expect(violations.map(\.field) == testCase.fields)
        if testCase.fields.isEmpty {
            #expect(config == testCase.config)
        }
    }

    @Test("descriptions never quote configuration values")
    func noValues() {
        let (_, violations) = DockerSpecConfig.decode(
            RawJSON(#"{"host_ip":"s3cret-host","network_mode":"s3cret-mode","restart_policy":"s3cret"}"#)
        )
        #expect(violations.count == 3)
        #expect(violations.allSatisfy { !$0.description.contains("s3cret") })
    }

    @Test("an absent or empty document is the empty configuration")
    func absent() {
        #expect(DockerSpecConfig.decode(nil).config.isEmpty)
        #expect(DockerSpecConfig.decode(RawJSON("")).violations.isEmpty)
        #expect(DockerSpecConfig.decode(nil).config.effectiveNetworkMode == .tenant)
    }
}
