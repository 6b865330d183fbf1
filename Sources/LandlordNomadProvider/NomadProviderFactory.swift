internal import LandlordCompute
package import LandlordProviderKit

/// The catalog entry of the `nomad` provider: its options and how they become a provider.
///
/// | option | environment | default |
/// |---|---|---|
/// | `--nomad-address URL` | `NOMAD_ADDR` | `http://127.0.0.1:4646` |
/// | (environment only) | `NOMAD_TOKEN` | none |
/// | `--nomad-namespace NS` | `NOMAD_NAMESPACE` | `default` |
/// | `--nomad-region R` | `NOMAD_REGION` | the agent's |
/// | `--nomad-datacenters A,B` | `LANDLORD_NOMAD_DATACENTERS` | `*` |
/// | (environment only) | `NOMAD_CACERT`, `NOMAD_CLIENT_CERT`, `NOMAD_CLIENT_KEY`, `NOMAD_TLS_SERVER_NAME` | none |
/// | (environment only) | `NOMAD_SKIP_VERIFY` | refused when true: the certificate is always verified |
/// | `--nomad-cpu-mhz-per-core N` | `LANDLORD_NOMAD_CPU_MHZ_PER_CORE` | `1000` |
/// | `--nomad-secrets-dir PATH` | `LANDLORD_NOMAD_SECRETS_DIR` | none (file secrets disabled) |
package struct NomadProviderFactory: ComputeProviderFactory {
    package let name = NomadProvider.defaultName
    package let summary = "tenants as service jobs on a Nomad cluster (docker driver)"
    package let options: [ConfigOption] = [
        ConfigOption(
            name: "nomad-address", environment: ["NOMAD_ADDR"], valueName: "URL", defaultValue: NomadProvider.defaultAddress,
            help: "Nomad HTTP API address (http:// or https://)."),
        ConfigOption(
            name: "nomad-token", environment: ["NOMAD_TOKEN"], valueName: "TOKEN", unsetMeaning: "no token (ACLs disabled)",
            help: "Nomad ACL token, sent as X-Nomad-Token.", isSecret: true, hasFlag: false),
        ConfigOption(
            name: "nomad-namespace", environment: ["NOMAD_NAMESPACE"], valueName: "NS", defaultValue: "default",
            help: "Nomad namespace of tenant jobs and their variables."),
        ConfigOption(
            name: "nomad-region", environment: ["NOMAD_REGION"], valueName: "R", unsetMeaning: "the agent's region",
            help: "Nomad region of tenant jobs."),
        ConfigOption(
            name: "nomad-datacenters", environment: ["LANDLORD_NOMAD_DATACENTERS"], valueName: "A,B", kind: .list,
            defaultValue: "*", help: "Datacenters of tenant jobs when provider_config.datacenters names none."),
        ConfigOption(
            name: "nomad-cacert", environment: ["NOMAD_CACERT"], valueName: "PATH", unsetMeaning: "the system's trust roots",
            help: "CA bundle the Nomad server's certificate must chain to.", hasFlag: false),
        ConfigOption(
            name: "nomad-client-cert", environment: ["NOMAD_CLIENT_CERT"], valueName: "PATH",
            unsetMeaning: "no client certificate", help: "Client certificate for Nomad's mutual TLS.", hasFlag: false),
        ConfigOption(
            name: "nomad-client-key", environment: ["NOMAD_CLIENT_KEY"], valueName: "PATH",
            unsetMeaning: "no client certificate", help: "Private key of the client certificate.", hasFlag: false),
        ConfigOption(
            name: "nomad-tls-server-name", environment: ["NOMAD_TLS_SERVER_NAME"], valueName: "NAME",
            unsetMeaning: "the address's host", help: "Name the Nomad server's certificate is verified against.",
            hasFlag: false),
        ConfigOption(
            name: "nomad-skip-verify", environment: ["NOMAD_SKIP_VERIFY"], valueName: "BOOL", kind: .boolean,
            defaultValue: "false",
            help: "Refused when true: landlord always verifies the Nomad server's certificate (set NOMAD_CACERT).",
            hasFlag: false),
        ConfigOption(
            name: "nomad-cpu-mhz-per-core", environment: ["LANDLORD_NOMAD_CPU_MHZ_PER_CORE"], valueName: "N",
            kind: .integer, defaultValue: "1000",
            help: "Nomad CPU MHz per 1000 millicores of a spec (a task's CPU = millicores x N / 1000)."),
        ConfigOption(
            name: "nomad-secrets-dir", environment: ["LANDLORD_NOMAD_SECRETS_DIR"], valueName: "PATH",
            unsetMeaning: "file secrets disabled", help: "Directory the nomad provider reads `file` secrets from."),
    ]

    package init() {}

    /// The provider's configuration from its resolved options; nothing reaches Nomad yet.
    ///
    /// - Throws: ``ConfigOptionError`` naming the option whose value cannot be used.
    package func makeConfiguration(_ context: ProviderContext) throws(ConfigOptionError) -> NomadProvider.Configuration {
        let options = context.options
        var configuration = NomadProvider.Configuration.defaults
        configuration.address = options.string("nomad-address") ?? NomadProvider.defaultAddress
        configuration.token = options.string("nomad-token")
        configuration.namespace = options.string("nomad-namespace") ?? "default"
        configuration.region = options.string("nomad-region")
        configuration.datacenters = options.list("nomad-datacenters") ?? ["*"]
        if configuration.datacenters.isEmpty { configuration.datacenters = ["*"] }
        configuration.caCertificate = options.string("nomad-cacert")
        configuration.clientCertificate = options.string("nomad-client-cert")
        configuration.clientKey = options.string("nomad-client-key")
        configuration.tlsServerName = options.string("nomad-tls-server-name")
        configuration.mhzPerCore = try options.integer("nomad-cpu-mhz-per-core", in: 1...100_000) ?? 1000
        configuration.secretsDirectory = options.string("nomad-secrets-dir")
        if try options.boolean("nomad-skip-verify") == true {
            throw options.error(
                "nomad-skip-verify",
                "is not supported: landlord always verifies the Nomad server's certificate; set NOMAD_CACERT to its CA")
        }
        if let token = configuration.token, token.contains(where: { $0.isNewline || $0 == "\0" }) {
            throw options.error("nomad-token", "must be one line")
        }
        do {
            _ = try configuration.clientSettings()
        } catch {
            throw options.error("nomad-address", "is not usable: \(error.message)")
        }
        return configuration
    }

    /// The provider of the resolved options (nothing reaches Nomad until its start-up check,
    /// ``NomadProvider/checkEngine()``).
    ///
    /// - Throws: ``ConfigOptionError`` naming the option whose value cannot be used.
    package func makeProvider(_ context: ProviderContext) throws(ConfigOptionError) -> any ManagedComputeProvider {
        let configuration = try self.makeConfiguration(context)
        let environment = context.environment
        do {
            return try NomadProvider(configuration: configuration, environment: { environment[$0] }, logger: context.logger)
        } catch {
            let option = configuration.clientKey != nil || configuration.clientCertificate != nil
                ? "nomad-client-cert" : "nomad-cacert"
            throw context.options.error(option, "is not usable: \(error.message)")
        }
    }
}
