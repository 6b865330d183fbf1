import Foundation
internal import LandlordProviderKit
import Logging

extension LandlordConfiguration {
    /// The configuration the layers give (flag > environment > configuration file > default),
    /// checked; provider options are resolved for every provider of `catalog`.
    ///
    /// - Throws: ``ConfigurationError`` naming the option and its bad value (never a secret's).
    package static func resolve(
        _ layers: ConfigurationLayers,
        catalog: ProviderCatalog = .standard
    ) throws(ConfigurationError) -> LandlordConfiguration {
        var configuration = LandlordConfiguration.defaults
        configuration.configurationFile = layers.file?.path
        if let listen = layers.explicitValue(CoreOptions.listen) {
            (configuration.listenHost, configuration.listenPort) = try LandlordConfiguration.parseListenAddress(listen)
        }
        if let providers = layers.explicitValue(CoreOptions.providers) {
            configuration.providers = providers.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty }
        }
        if let provider = layers.explicitValue(CoreOptions.defaultProvider) { configuration.defaultProvider = provider }
        if let level = layers.explicitValue(CoreOptions.logLevel) {
            guard let parsed = Logger.Level(rawValue: level.lowercased()) else {
                throw ConfigurationError("log level \"\(level)\" is not one of trace, debug, info, notice, warning, error, critical")
            }
            configuration.logLevel = parsed
        }
        if let format = layers.explicitValue(CoreOptions.logFormat) {
            guard let parsed = LandlordConfiguration.LogFormat(rawValue: format.lowercased()) else {
                throw ConfigurationError("log format \"\(format)\" is not text or json")
            }
            configuration.logFormat = parsed
        }
        if let size = layers.explicitValue(CoreOptions.maxReceiveMessageSize) {
            guard let bytes = Int(size), bytes > 0 else {
                throw ConfigurationError("max receive message size \"\(size)\" is not a positive number of bytes")
            }
            configuration.maxReceiveMessageSize = bytes
        }
        if let streams = layers.explicitValue(CoreOptions.maxConcurrentStreams) {
            guard let count = Int(streams), count > 0 else {
                throw ConfigurationError("max concurrent streams \"\(streams)\" is not a positive number")
            }
            configuration.maxConcurrentStreams = count
        }
        if let timeout = layers.explicitValue(CoreOptions.drainTimeout) {
            guard let seconds = Double(timeout), seconds >= 0, seconds.isFinite else {
                throw ConfigurationError("drain timeout \"\(timeout)\" is not a number of seconds")
            }
            configuration.drainTimeout = .milliseconds(Int64(seconds * 1000))
        }
        if let threads = layers.explicitValue(CoreOptions.eventLoopThreads) {
            guard let count = Int(threads), count > 0 else {
                throw ConfigurationError("event-loop threads \"\(threads)\" is not a positive number")
            }
            configuration.eventLoopThreads = count
        }
        if let address = layers.explicitValue(CoreOptions.metricsListen) {
            do {
                (configuration.metricsListenHost, configuration.metricsListenPort) =
                    try LandlordConfiguration.parseListenAddress(address)
            } catch {
                throw ConfigurationError("metrics listen address \"\(address)\" is not HOST:PORT")
            }
        }
        configuration.tlsCertificate = layers.explicitValue(CoreOptions.tlsCert)
        configuration.tlsKey = layers.explicitValue(CoreOptions.tlsKey)
        configuration.tlsClientCA = layers.explicitValue(CoreOptions.tlsClientCA)
        configuration.authPolicy = layers.explicitValue(CoreOptions.authPolicy)
        if let address = layers.explicitValue(CoreOptions.healthListen) {
            do {
                (configuration.healthListenHost, configuration.healthListenPort) =
                    try LandlordConfiguration.parseListenAddress(address)
            } catch {
                throw ConfigurationError("health listen address \"\(address)\" is not HOST:PORT")
            }
        }
        if let interval = layers.explicitValue(CoreOptions.reloadInterval) {
            guard let seconds = Double(interval), seconds > 0, seconds.isFinite else {
                throw ConfigurationError("reload interval \"\(interval)\" is not a positive number of seconds")
            }
            configuration.reloadInterval = .milliseconds(Int64(seconds * 1000))
        }
        configuration.providerOptions = layers.resolveAll(catalog.options)
        try configuration.validate(availableProviders: catalog.names)
        return configuration
    }
}
