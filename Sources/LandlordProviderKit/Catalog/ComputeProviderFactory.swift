package import LandlordCompute
package import Logging

/// What a provider module ships so that the executable can offer it: its name, its options, and
/// how to build it from their resolved values.
///
/// Adding a provider to landlord is one factory in the executable's catalog (and the module's
/// Package.swift target); `landlord --help` lists every factory's options, the configuration
/// layers resolve them, and the application checks the built provider's engine before serving
/// and shuts it down after.
///
/// ```swift
/// struct MockProviderFactory: ComputeProviderFactory {
///     let name = "mock"
///     let summary = "tenants kept in memory (tests, demos)"
///     let options: [ConfigOption] = []
///     func makeProvider(_ context: ProviderContext) throws(ConfigOptionError) -> any ManagedComputeProvider {
///         MockProvider(logger: context.logger)
///     }
/// }
/// ```
package protocol ComputeProviderFactory: Sendable {
    /// The provider's name in `--providers` and in `provider_type`; lowercase letters and digits.
    var name: String { get }
    /// One line saying what the provider runs tenants on, for `--help`.
    var summary: String { get }
    /// The provider's options; their names start with the provider's name (`docker-host`).
    var options: [ConfigOption] { get }
    /// Builds the provider from its resolved options; nothing reaches the engine yet.
    ///
    /// - Throws: ``ConfigOptionError`` naming an option whose value cannot be used.
    func makeProvider(_ context: ProviderContext) throws(ConfigOptionError) -> any ManagedComputeProvider
}

/// What a factory gets to build its provider with.
package struct ProviderContext: Sendable {
    /// The values of the factory's options.
    package var options: ConfigOptionValues
    /// landlord's environment (for `env` secrets and engine conventions such as `KUBERNETES_SERVICE_HOST`).
    package var environment: [String: String]
    /// The logger operations log to.
    package var logger: Logger

    package init(options: ConfigOptionValues, environment: [String: String], logger: Logger) {
        self.options = options
        self.environment = environment
        self.logger = logger
    }
}

/// A provider with a life around its operations: an engine to check before the server listens and
/// connections to close when it stops. Providers without an engine keep the defaults (nothing to
/// check, nothing to close).
package protocol ManagedComputeProvider: ComputeProvider {
    /// Checks that the engine is reachable, accepts the credentials and speaks the API version the
    /// provider needs; answers a one-line description of the engine for the start-up log.
    ///
    /// - Throws: ``ProviderStartupFailure`` whose message names the provider, the address and what
    ///   to set.
    func checkEngine() async throws -> String
    /// Stops the provider's background work and closes its connections; called once, when the
    /// server has stopped.
    func shutdown() async throws
}

extension ManagedComputeProvider {
    /// Nothing to check: answers `in process`.
    package func checkEngine() async throws -> String { "in process" }
    /// Nothing to close.
    package func shutdown() async throws {}
}

/// A provider that cannot work, found at start-up: one line for the operator, such as
/// `docker provider: cannot reach the Docker engine at unix:///var/run/docker.sock (set DOCKER_HOST
/// or --docker-host): connection refused`.
package struct ProviderStartupFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// The whole line, starting with `<name> provider:`.
    package var message: String

    /// A failure of provider `provider` reaching `address`; `hint` says what to set.
    package init(provider: String, address: String, hint: String, reason: String) {
        self.message = "\(provider) provider: cannot reach \(address) (\(hint)): \(reason)"
    }

    /// A failure in the provider's own words (which start with `<name> provider:`).
    package init(message: String) {
        self.message = message
    }

    package var description: String { self.message }
}
