internal import Foundation

/// Where a resolved option's value came from.
package enum OptionSource: Sendable, Hashable, CustomStringConvertible {
    /// Its flag on the command line.
    case flag
    /// An environment variable, by name.
    case environment(String)
    /// The configuration file.
    case file
    /// The option's declared default.
    case `default`

    package var description: String {
        switch self {
        case .flag: "flag"
        case .environment(let variable): variable
        case .file: "configuration file"
        case .default: "default"
        }
    }
}

/// A resolved option value and where it came from.
package struct ResolvedOption: Sendable, Hashable {
    /// The option as its provider declared it.
    package var option: ConfigOption
    /// The value as text (lists comma-joined).
    package var value: String
    /// Which layer set it.
    package var source: OptionSource

    package init(option: ConfigOption, value: String, source: OptionSource) {
        self.option = option
        self.value = value
        self.source = source
    }

    /// `name=value (source)`, with a secret's value replaced by `<redacted>`.
    package var redactedDescription: String {
        "\(self.option.name)=\(self.option.isSecret ? "<redacted>" : self.value) (\(self.source))"
    }
}

/// The values of a provider's options after flags, environment, file and defaults were layered;
/// typed accessors turn them into what the provider needs, with errors that name the option (and
/// never a secret's value).
///
/// ```swift
/// let host = try values.string("docker-host") ?? "unix:///var/run/docker.sock"
/// let retries = try values.integer("kubernetes-retries", in: 0...10) ?? 3
/// ```
package struct ConfigOptionValues: Sendable, Hashable {
    /// The options that have a value, by name.
    package private(set) var resolved: [String: ResolvedOption]

    /// Values already resolved, by option name.
    package init(_ resolved: [ResolvedOption] = []) {
        self.resolved = Dictionary(resolved.map { ($0.option.name, $0) }, uniquingKeysWith: { $1 })
    }

    /// The option's value as text; nil when nothing set it and it has no default.
    package subscript(name: String) -> String? {
        self.resolved[name]?.value
    }

    /// Every value, sorted by name, secrets redacted: for a start-up log line.
    package var redactedDescription: String {
        self.resolved.values.sorted { $0.option.name < $1.option.name }.map(\.redactedDescription)
            .joined(separator: ", ")
    }

    /// The option's text, nil when unset; empty text counts as unset.
    package func string(_ name: String) -> String? {
        guard let value = self.resolved[name]?.value, !value.isEmpty else { return nil }
        return value
    }

    /// The option's whole number within `range`, nil when unset.
    package func integer(_ name: String, in range: ClosedRange<Int> = Int.min...Int.max) throws(ConfigOptionError)
        -> Int?
    {
        guard let text = self.string(name) else { return nil }
        guard let number = Int(text), range.contains(number) else {
            throw self.error(name, "must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }

    /// The option's number of seconds (fractions allowed, not negative), nil when unset.
    package func seconds(_ name: String) throws(ConfigOptionError) -> Duration? {
        guard let text = self.string(name) else { return nil }
        guard let seconds = Double(text), seconds.isFinite, seconds >= 0, seconds < 1e9 else {
            throw self.error(name, "must be a number of seconds")
        }
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }

    /// The option's boolean (`true`/`false`, `1`/`0`, `yes`/`no`), nil when unset.
    package func boolean(_ name: String) throws(ConfigOptionError) -> Bool? {
        guard let text = self.string(name) else { return nil }
        switch text.lowercased() {
        case "true", "1", "yes": return true
        case "false", "0", "no": return false
        default: throw self.error(name, "must be true or false")
        }
    }

    /// The option's comma-separated items, trimmed, empty items dropped; nil when unset.
    package func list(_ name: String) -> [String]? {
        guard let text = self.string(name) else { return nil }
        return text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// An error about the option's value: names the option and its source, and shows the value
    /// only when it is not a secret.
    package func error(_ name: String, _ problem: String) -> ConfigOptionError {
        guard let resolved = self.resolved[name] else { return ConfigOptionError("\(name) \(problem)") }
        let shown = resolved.option.isSecret ? "" : " \"\(resolved.value)\""
        return ConfigOptionError("\(resolved.option.flag)\(shown) (from \(resolved.source)) \(problem)")
    }
}

/// A provider option whose value cannot be used; one sentence for the operator, without secret values.
package struct ConfigOptionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong.
    package var message: String

    package init(_ message: String) {
        self.message = message
    }

    package var description: String { self.message }
}
