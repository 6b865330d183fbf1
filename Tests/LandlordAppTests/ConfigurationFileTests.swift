import ArgumentParser
import Foundation
import LandlordApp
import LandlordCompute
import LandlordProviderKit
import Logging
import Testing

@testable import landlord

/// A provider that only a test's catalog knows: proves a catalog entry is all a provider needs.
private struct FakeProviderFactory: ComputeProviderFactory {
    let name = "fake"
    let summary = "a provider of the tests"
    let options: [ConfigOption] = [
        ConfigOption(name: "fake-endpoint", environment: ["FAKE_ENDPOINT"], defaultValue: "http://default", help: "Endpoint."),
        ConfigOption(name: "fake-token", environment: ["FAKE_TOKEN"], help: "Token.", isSecret: true, hasFlag: false),
        ConfigOption(name: "fake-retries", environment: ["FAKE_RETRIES"], kind: .integer, help: "Retries."),
    ]

    func makeProvider(_ context: ProviderContext) throws(ConfigOptionError) -> any ManagedComputeProvider {
        _ = try context.options.integer("fake-retries", in: 0...10)
        guard context.options.string("fake-token") != nil else {
            throw context.options.error("fake-token", "must be set")
        }
        return FakeProvider()
    }
}

private struct FakeProvider: ManagedComputeProvider {
    let name = "fake"
    func provision(_ spec: TenantComputeSpec) async throws -> ProvisionResult {
        throw ComputeError(kind: .provisionFailed, message: "fake")
    }
    func update(tenantID: String, spec: TenantComputeSpec) async throws -> UpdateResult {
        throw ComputeError(kind: .updateFailed, message: "fake")
    }
    func destroy(tenantID: String) async throws {}
    func status(tenantID: String) async throws -> ComputeStatus {
        throw ComputeError(kind: .tenantNotFound, message: "fake")
    }
    func validate(_ spec: TenantComputeSpec) async throws {}
    func checkEngine() async throws -> String {
        throw ProviderStartupFailure(provider: "fake", address: "http://default", hint: "set --fake-endpoint", reason: "refused")
    }
}

@Suite("landlord configuration file, layers and catalog")
struct ConfigurationFileTests {
    private static let catalog = ProviderCatalog([FakeProviderFactory(), MockProviderFactoryForTests.factory])

    private func write(_ text: String, suffix: String = ".yaml") throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("landlord-\(UUID())\(suffix)").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    private func resolve(
        _ arguments: [String], environment: [String: String] = [:], catalog: ProviderCatalog = Self.catalog
    ) throws -> LandlordConfiguration {
        try LandlordCommand.parse(arguments).resolvedConfiguration(environment: environment, catalog: catalog)
    }

    @Test("flag > environment > file > default, for core and provider options")
    func precedence() throws {
        let path = try write("""
            listen: 127.0.0.1:7000
            providers: [mock, fake]
            drain-timeout: 5
            fake-endpoint: http://file
            fake-retries: 4
            fake-token: from-file
            """)
        let fromFile = try resolve(["--config", path])
        #expect(fromFile.listenPort == 7000)
        #expect(fromFile.providers == ["mock", "fake"])
        #expect(fromFile.drainTimeout == .seconds(5))
        #expect(fromFile.providerOptions.resolved["fake-endpoint"]?.source == .file)
        #expect(fromFile.providerOptions["fake-retries"] == "4")
        #expect(fromFile.configurationFile == path)

        let fromEnvironment = try resolve(
            [], environment: ["LANDLORD_CONFIG": path, "LANDLORD_LISTEN_ADDRESS": "127.0.0.1:7001", "FAKE_ENDPOINT": "http://env"]
        )
        #expect(fromEnvironment.listenPort == 7001)
        #expect(fromEnvironment.providerOptions["fake-endpoint"] == "http://env")
        #expect(fromEnvironment.providerOptions.resolved["fake-endpoint"]?.source == .environment("FAKE_ENDPOINT"))

        let fromFlags = try resolve(
            ["--config", path, "--listen", "127.0.0.1:7002", "--fake-endpoint=http://flag"],
            environment: ["LANDLORD_LISTEN_ADDRESS": "127.0.0.1:7001", "FAKE_ENDPOINT": "http://env"]
        )
        #expect(fromFlags.listenPort == 7002)
        #expect(fromFlags.providerOptions["fake-endpoint"] == "http://flag")

        let defaults = try resolve([])
        #expect(defaults.providerOptions.resolved["fake-endpoint"]?.source == .default)
        #expect(defaults.providerOptions["fake-token"] == nil)
    }

    @Test("a JSON file is read as JSON")
    func json() throws {
        let path = try write(#"{"listen": "127.0.0.1:7003", "providers": "mock,fake", "fake-token": "t"}"#, suffix: ".json")
        let configuration = try resolve(["--config", path])
        #expect(configuration.listenPort == 7003)
        #expect(configuration.providers == ["mock", "fake"])
    }

    @Test(
        "file errors are one line naming the file and key, never a value",
        arguments: [
            ("fake-token: s3cr3t-value\nno-such-key: 1\n", "unknown key \"no-such-key\""),
            ("fake-token: s3cr3t-value\nmax-concurrent-streams: many\n", "key \"max-concurrent-streams\" must be a whole number (it is a string)"),
            ("fake-token: s3cr3t-value\nproviders: {a: 1}\n", "key \"providers\" must be a list"),
            ("fake-token: s3cr3t-value\n--listen: x\n", "write keys without the leading --"),
            ("fake-token: [s3cr3t-value\n", "is not a YAML mapping"),
            ("- s3cr3t-value\n", "is not a YAML mapping"),
        ]
    )
    func fileErrors(content: String, expected: String) throws {
        let path = try write(content)
        do {
            _ = try resolve(["--config", path])
            Issue.record("expected an error for \(content)")
        } catch let error as ConfigurationError {
            #expect(error.message.contains(expected), "\(error.message)")
            #expect(error.message.contains(path))
            #expect(!error.message.contains("s3cr3t"))
            #expect(!error.message.contains("\n"))
        }
    }

    @Test("a missing file is an error")
    func missingFile() {
        #expect(throws: ConfigurationError("config file /nonexistent/landlord.yaml does not exist or is not readable")) {
            try resolve(["--config", "/nonexistent/landlord.yaml"])
        }
    }

    @Test("provider flags: unknown ones and environment-only secrets are rejected")
    func providerFlags() {
        #expect(throws: ConfigurationError.self) { try resolve(["--fake-nope", "1"]) }
        #expect(throws: ConfigurationError.self) { try resolve(["--fake-token", "s3cr3t"]) }
        #expect(throws: ConfigurationError.self) { try resolve(["--fake-endpoint"]) }
    }

    @Test("a fake provider needs only its catalog entry: built from its options, checked at start-up")
    func fakeProvider() async throws {
        let configuration = try resolve(
            ["--providers", "mock,fake", "--listen", "127.0.0.1:0"], environment: ["FAKE_TOKEN": "s3cr3t"]
        )
        #expect(configuration.providerOptions.redactedDescription.contains("fake-token=<redacted>"))
        #expect(!configuration.providerOptions.redactedDescription.contains("s3cr3t"))
        let application = try LandlordApplication(
            configuration: configuration, catalog: Self.catalog, environment: [:], logger: Logger(label: "test")
        )
        await #expect(throws: ProviderStartupError.self) { try await application.checkProviders() }

        // A bad option value is a configuration error that names the option, not a secret.
        var bad = configuration
        bad.providerOptions = ConfigurationLayers(environment: ["FAKE_RETRIES": "99", "FAKE_TOKEN": "s3cr3t"]).resolveAll(FakeProviderFactory().options)
        let error = #expect(throws: ConfigurationError.self) {
            try LandlordApplication(configuration: bad, catalog: Self.catalog, environment: [:], logger: Logger(label: "test"))
        }
        #expect(error?.message == "--fake-retries \"99\" (from FAKE_RETRIES) must be a whole number from 0 to 10")
    }

    @Test("--help lists every provider's options from the catalog, secrets without values")
    func help() {
        let help = ProviderCatalog.standard.helpText
        #expect(help.contains("--docker-host <url>"))
        #expect(help.contains("[env: DOCKER_HOST]"))
        #expect(help.contains("--mock-delay"))
        let fake = Self.catalog.helpText
        #expect(fake.contains("(environment only)"))
        #expect(fake.contains("(secret: never printed)"))
    }
}

/// The standard mock entry, taken from the standard catalog so the test names no provider module.
private enum MockProviderFactoryForTests {
    static let factory = ProviderCatalog.standard.factory(named: "mock")!
}
