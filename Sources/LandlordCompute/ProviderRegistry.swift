package import Logging
internal import Synchronization

/// The set of available compute providers, by name (seed 004 `Registry`).
///
/// Thread-safe: register and look up from any task. Providers are registered at start-up by the
/// executable and looked up by the ``ComputeManager`` on every call.
///
/// ```swift
/// let registry = ProviderRegistry(logger: logger)
/// try registry.register(MockProvider(logger: logger))
/// let provider = try registry.provider(named: "mock")
/// ```
package final class ProviderRegistry: Sendable {
    private let providers: Mutex<[String: any ComputeProvider]>
    private let logger: Logger

    /// Creates an empty registry that logs registrations to `logger`.
    package init(logger: Logger) {
        self.providers = Mutex([:])
        var logger = logger
        logger[metadataKey: "component"] = "compute-registry"
        self.logger = logger
    }

    /// Adds `provider` under its ``ComputeProvider/name``.
    ///
    /// - Throws: ``ComputeError`` of kind ``ComputeError/Kind/invalidProviderName`` when the name is
    ///   not a non-empty lowercase alphanumeric identifier (`^[a-z0-9]+$`), or
    ///   ``ComputeError/Kind/providerConflict`` when a provider of that name is already registered.
    package func register(_ provider: any ComputeProvider) throws {
        let name = provider.name
        guard Self.isValidName(name) else {
            throw ComputeError(
                kind: .invalidProviderName,
                message:
                    "invalid provider name \"\(name)\": a provider name must be non-empty lowercase letters and digits"
            )
        }
        try self.providers.withLock { providers in
            guard providers[name] == nil else {
                throw ComputeError(kind: .providerConflict, message: "provider \"\(name)\" is already registered")
            }
            providers[name] = provider
        }
        self.logger.info("registered compute provider", metadata: ["provider": "\(name)"])
    }

    /// The provider registered under `name`.
    ///
    /// - Throws: ``ComputeError`` of kind ``ComputeError/Kind/providerNotFound`` whose message names
    ///   the registered providers: `unknown provider "ecs"; registered providers: mock`.
    package func provider(named name: String) throws -> any ComputeProvider {
        // The sorted names are only needed (and only computed) for the error.
        let (provider, names): ((any ComputeProvider)?, [String]) = self.providers.withLock { providers in
            if let provider = providers[name] { return (provider, []) }
            return (nil, providers.keys.sorted())
        }
        guard let provider else {
            throw Self.providerNotFound(name, registered: names)
        }
        return provider
    }

    /// Whether a provider is registered under `name` (seed `Has`).
    package func contains(_ name: String) -> Bool {
        self.providers.withLock { $0[name] != nil }
    }

    /// The names of the registered providers, sorted (seed `List`; a copy).
    package var names: [String] {
        self.providers.withLock { $0.keys.sorted() }
    }

    /// Whether `name` is a valid provider name: non-empty lowercase letters and digits.
    package static func isValidName(_ name: String) -> Bool {
        !name.isEmpty
            && name.utf8.allSatisfy { byte in
                (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                    || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
            }
    }

    /// The ``ComputeError/Kind/providerNotFound`` error for `name`, naming the `registered` providers.
    package static func providerNotFound(_ name: String, registered: [String]) -> ComputeError {
        let known = registered.isEmpty ? "(none)" : registered.joined(separator: ", ")
        return ComputeError(
            kind: .providerNotFound,
            message: "unknown provider \"\(name)\"; registered providers: \(known)"
        )
    }
}
