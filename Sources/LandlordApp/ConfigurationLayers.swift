package import LandlordProviderKit

/// The layers an option's value comes from, strongest first: flag, environment, configuration
/// file, default.
package struct ConfigurationLayers: Sendable {
    /// Values given as flags, by option name.
    package var flags: [String: String]
    /// landlord's environment; an empty variable counts as unset.
    package var environment: [String: String]
    /// The configuration file, if one is given.
    package var file: ConfigurationFile?

    package init(flags: [String: String] = [:], environment: [String: String] = [:], file: ConfigurationFile? = nil) {
        self.flags = flags
        self.environment = environment
        self.file = file
    }

    /// The option's value and where it came from; nil when no layer sets it and it has no default.
    package func resolve(_ option: ConfigOption) -> ResolvedOption? {
        if let value = self.flags[option.name] {
            return ResolvedOption(option: option, value: value, source: .flag)
        }
        for variable in option.environment {
            if let value = self.environment[variable], !value.isEmpty {
                return ResolvedOption(option: option, value: value, source: .environment(variable))
            }
        }
        if let value = self.file?.values[option.name] {
            return ResolvedOption(option: option, value: value, source: .file)
        }
        return option.defaultValue.map { ResolvedOption(option: option, value: $0, source: .default) }
    }

    /// The value set by a flag, the environment or the file (not the default).
    package func explicitValue(_ option: ConfigOption) -> String? {
        guard let resolved = self.resolve(option), resolved.source != .default else { return nil }
        return resolved.value
    }

    /// Every option's resolved value.
    package func resolveAll(_ options: [ConfigOption]) -> ConfigOptionValues {
        ConfigOptionValues(options.compactMap(self.resolve))
    }

    /// Reads `--name value` and `--name=value` pairs of `options` (those with a flag).
    ///
    /// - Throws: ``ConfigurationError`` for an unknown option, a missing value or a stray argument.
    package static func parseFlags(_ arguments: [String], options: [ConfigOption]) throws(ConfigurationError)
        -> [String: String]
    {
        let byFlag = Dictionary(options.filter(\.hasFlag).map { ($0.flag, $0) }, uniquingKeysWith: { first, _ in first })
        var values: [String: String] = [:]
        var index = arguments.startIndex
        while index < arguments.endIndex {
            let argument = arguments[index]
            index += 1
            guard argument.hasPrefix("--") else {
                throw ConfigurationError("unexpected argument \"\(argument)\"; landlord --help lists the options")
            }
            let (flag, inlineValue): (String, String?) =
                if let equals = argument.firstIndex(of: "=") {
                    (String(argument[..<equals]), String(argument[argument.index(after: equals)...]))
                } else {
                    (argument, nil)
                }
            guard let option = byFlag[flag] else {
                throw ConfigurationError("unknown option \"\(flag)\"; landlord --help lists the options")
            }
            if let inlineValue {
                values[option.name] = inlineValue
            } else {
                guard index < arguments.endIndex else {
                    throw ConfigurationError("option \(flag) needs a value (\(option.valueName))")
                }
                values[option.name] = arguments[index]
                index += 1
            }
        }
        return values
    }
}
