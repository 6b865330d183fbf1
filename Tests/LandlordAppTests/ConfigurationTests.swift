import Foundation
import ArgumentParser
import LandlordApp
import LandlordProviderKit
import Logging
import Testing

@testable import landlord

@Suite("landlord configuration: flags, environment, defaults")
struct ConfigurationTests {
    private func resolve(_ arguments: [String], environment: [String: String] = [:]) throws -> LandlordConfiguration {
        try LandlordCommand.parse(arguments).resolvedConfiguration(environment: environment)
    }

    @Test("no flags and no environment give the documented defaults")
    func defaults() throws {
        var configuration = try resolve([])
        #expect(configuration.providerOptions["docker-host"] == "unix:///var/run/docker.sock")
        configuration.providerOptions = ConfigOptionValues()
        #expect(configuration == .defaults)
        #expect(configuration.listenHost == "0.0.0.0")
        #expect(configuration.listenPort == 50051)
        #expect(configuration.defaultProvider == "mock")
    }

    @Test("every option is read from its environment variable")
    func environment() throws {
        let configuration = try resolve(
            [],
            environment: [
                "LANDLORD_LISTEN_ADDRESS": "127.0.0.1:0",
                "COMPUTE_DEFAULT_PROVIDER": "mock",
                "LANDLORD_PROVIDERS": "mock",
                "LANDLORD_LOG_LEVEL": "DEBUG",
                "LANDLORD_LOG_FORMAT": "json",
                "LANDLORD_MAX_RECEIVE_MESSAGE_SIZE": "1024",
                "LANDLORD_MAX_CONCURRENT_STREAMS": "7",
                "LANDLORD_DRAIN_TIMEOUT": "2.5",
                "LANDLORD_EVENT_LOOP_THREADS": "3",
                "LANDLORD_METRICS_LISTEN_ADDRESS": "127.0.0.1:9464",
            ]
        )
        #expect(configuration.metricsListenHost == "127.0.0.1")
        #expect(configuration.metricsListenPort == 9464)
        #expect(configuration.listenHost == "127.0.0.1")
        #expect(configuration.listenPort == 0)
        #expect(configuration.logLevel == .debug)
        #expect(configuration.logFormat == .json)
        #expect(configuration.maxReceiveMessageSize == 1024)
        #expect(configuration.maxConcurrentStreams == 7)
        #expect(configuration.drainTimeout == .milliseconds(2500))
        #expect(configuration.eventLoopThreads == 3)
    }

    @Test("--metrics-listen: unset means no listener; HOST:PORT and [v6]:PORT parse; anything else is one sentence")
    func metricsListen() throws {
        #expect(try resolve([]).metricsListenHost == nil)
        let v4 = try resolve(["--metrics-listen", "0.0.0.0:9090"])
        #expect(v4.metricsListenHost == "0.0.0.0" && v4.metricsListenPort == 9090)
        let v6 = try resolve(["--metrics-listen=[::1]:0"], environment: ["LANDLORD_METRICS_LISTEN_ADDRESS": "127.0.0.1:1"])
        #expect(v6.metricsListenHost == "::1" && v6.metricsListenPort == 0)
        #expect(throws: ConfigurationError("metrics listen address \"9090\" is not HOST:PORT")) {
            try resolve(["--metrics-listen", "9090"])
        }
    }

    @Test("a flag wins over its environment variable")
    func flagWins() throws {
        let configuration = try resolve(
            ["--listen", "[::1]:6000", "--log-format", "text"],
            environment: ["LANDLORD_LISTEN_ADDRESS": "127.0.0.1:1", "LANDLORD_LOG_FORMAT": "json"]
        )
        #expect(configuration.listenHost == "::1")
        #expect(configuration.listenPort == 6000)
        #expect(configuration.logFormat == .text)
    }

    @Test(
        "invalid values are one clear configuration error",
        arguments: [
            (["--listen", "nope"], "is not HOST:PORT"),
            (["--listen", "1.2.3.4:70000"], "is not HOST:PORT"),
            (["--default-provider", "ecs"], "default provider \"ecs\" is not registered"),
            (["--providers", "mock,nosuchprovider"], "unknown provider \"nosuchprovider\""),
            (["--log-level", "loud"], "log level \"loud\""),
            (["--log-format", "xml"], "log format \"xml\""),
            (["--max-receive-message-size=-1"], "max receive message size"),
            (["--max-concurrent-streams", "zero"], "max concurrent streams"),
            (["--drain-timeout", "soon"], "drain timeout"),
            (["--event-loop-threads", "0"], "event-loop threads"),
            (["--event-loop-threads", "5000"], "event-loop threads must be between 1 and 1024"),
        ]
    )
    func invalid(arguments: [String], expected: String) throws {
        do {
            _ = try resolve(arguments)
            Issue.record("expected a configuration error for \(arguments)")
        } catch let error as ConfigurationError {
            #expect(error.message.contains(expected), "\(error.message)")
            #expect(!error.message.contains("\n"))
        }
    }

    @Test("an invalid environment value is an error too")
    func invalidEnvironment() {
        #expect(throws: ConfigurationError.self) {
            try resolve([], environment: ["COMPUTE_DEFAULT_PROVIDER": "nomad"])
        }
    }
}

@Suite("CPU affinity")
struct CPUAffinityTests {
    @Test("kernel CPU lists are counted", arguments: [
        ("0", 1), ("0-1", 2), ("0-3,8,10-11", 7), ("5", 1), (" 2-3\n", 2),
    ])
    func cpuLists(list: String, count: Int) {
        #expect(CPUAffinity.cpuCount(ofList: Substring(list.trimmingCharacters(in: .newlines))) == count)
    }

    @Test("malformed lists are not counted", arguments: ["", "x", "3-1", "1-2-3", "1,,x"])
    func malformed(list: String) {
        #expect(CPUAffinity.cpuCount(ofList: Substring(list)) == nil)
    }

    @Test("this process may run on at least one and at most the online CPUs")
    func allowed() {
        let count = CPUAffinity.allowedCPUCount
        #expect(count >= 1)
        #expect(count <= ProcessInfo.processInfo.processorCount)
    }
}

@Suite("JSON log lines")
struct JSONLogHandlerTests {
    @Test("strings are escaped as RFC 8259 asks", arguments: [
        ("plain", "\"plain\""), ("quote \" and \\", "\"quote \\\" and \\\\\""), ("line\nbreak\ttab", "\"line\\nbreak\\ttab\""),
        ("\u{01}", "\"\\u0001\""), ("ünï", "\"ünï\""),
    ])
    func escaping(value: String, expected: String) {
        var line = ""
        JSONLogHandler.appendString(value, to: &line)
        #expect(line == expected)
    }
}
