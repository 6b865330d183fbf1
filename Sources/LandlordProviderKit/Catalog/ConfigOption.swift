/// One setting of landlord or of a provider: how an operator sets it (flag, environment variables, the
/// configuration file's key), what it means and what it is when unset.
///
/// ```swift
/// ConfigOption(
///     name: "docker-host", environment: ["DOCKER_HOST"], valueName: "URL",
///     defaultValue: "unix:///var/run/docker.sock",
///     help: "Docker Engine API address: unix:///PATH or tcp://HOST:PORT."
/// )
/// ```
///
/// The name is the long flag without its dashes (`--docker-host`) and the configuration file's
/// key (`docker-host: ...`). A value set by a flag wins over one from the environment (the first
/// set, non-empty variable of ``environment``), which wins over the configuration file, which wins
/// over ``defaultValue``.
package struct ConfigOption: Sendable, Hashable {
    /// What kind of value an option takes; the configuration file is checked against it.
    package enum ValueKind: String, Sendable, Hashable {
        /// Any text.
        case string
        /// A whole number.
        case integer
        /// A number of seconds (fractions allowed).
        case seconds
        /// `true` or `false`.
        case boolean
        /// A comma-separated list on a flag or in a variable; a list (or such a string) in the file.
        case list
    }

    /// The long flag without `--`, also the configuration file's key; lowercase words joined by `-`.
    package var name: String
    /// The environment variables read for the option, first set wins; empty when there is none.
    package var environment: [String]
    /// The placeholder of the value in `--help`, e.g. `URL` or `PATH`.
    package var valueName: String
    /// The value's kind.
    package var kind: ValueKind
    /// The value when nothing sets it, as text; nil when the option is unset by default.
    package var defaultValue: String?
    /// What an unset option means when ``defaultValue`` is nil, for `--help`, e.g. `file secrets disabled`.
    package var unsetMeaning: String?
    /// One line of help: what the option sets.
    package var help: String
    /// Whether the value is a secret (a token, a key): never printed by `--help`, in errors or in logs.
    package var isSecret: Bool
    /// Whether the option has a flag; secrets that only an environment variable (or the file) should
    /// carry, such as `NOMAD_TOKEN`, have none.
    package var hasFlag: Bool

    /// Creates an option declaration.
    package init(
        name: String,
        environment: [String] = [],
        valueName: String = "VALUE",
        kind: ValueKind = .string,
        defaultValue: String? = nil,
        unsetMeaning: String? = nil,
        help: String,
        isSecret: Bool = false,
        hasFlag: Bool = true
    ) {
        self.name = name
        self.environment = environment
        self.valueName = valueName
        self.kind = kind
        self.defaultValue = defaultValue
        self.unsetMeaning = unsetMeaning
        self.help = help
        self.isSecret = isSecret
        self.hasFlag = hasFlag
    }

    /// `--name`, the option's flag.
    package var flag: String { "--" + self.name }

    /// How an operator sets the option, for messages: `--docker-host or DOCKER_HOST`.
    package var howToSet: String {
        var ways: [String] = []
        if self.hasFlag { ways.append(self.flag) }
        ways += self.environment
        if ways.isEmpty { ways.append("\"\(self.name)\" in the configuration file") }
        return ways.joined(separator: " or ")
    }

    /// The help text's annotation: `[env: DOCKER_HOST] (default: unix:///var/run/docker.sock)`.
    package var helpAnnotation: String {
        var parts: [String] = []
        if !self.environment.isEmpty { parts.append("[env: \(self.environment.joined(separator: ", "))]") }
        if self.isSecret {
            parts.append("(secret: never printed)")
        } else if let defaultValue = self.defaultValue {
            parts.append("(default: \(defaultValue))")
        } else {
            parts.append("(default: none" + (self.unsetMeaning.map { "; \($0)" } ?? "") + ")")
        }
        return parts.joined(separator: " ")
    }
}
