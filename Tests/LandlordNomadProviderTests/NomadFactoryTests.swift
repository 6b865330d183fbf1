import LandlordCompute
import LandlordNomadProvider
import LandlordProviderKit
import Logging
import Testing

@Suite("Nomad provider factory and options")
struct NomadFactoryTests {
    let factory = NomadProviderFactory()

    func context(_ pairs: [(String, String)]) -> ProviderContext {
        let byName = Dictionary(uniqueKeysWithValues: self.factory.options.map { ($0.name, $0) })
        let values = ConfigOptionValues(
            pairs.map { name, value in
                ResolvedOption(option: byName[name]!, value: value, source: .environment(byName[name]!.environment[0]))
            })
        return ProviderContext(options: values, environment: [:], logger: Logger(label: "test"))
    }

    @Test("the contract's options: flags, NOMAD_* environment, defaults; the token and TLS files are environment only")
    func options() {
        let byName = Dictionary(uniqueKeysWithValues: self.factory.options.map { ($0.name, $0) })
        #expect(self.factory.name == "nomad")
        #expect(byName["nomad-address"]?.environment == ["NOMAD_ADDR"])
        #expect(byName["nomad-address"]?.defaultValue == "http://127.0.0.1:4646")
        #expect(byName["nomad-token"]?.environment == ["NOMAD_TOKEN"])
        #expect(byName["nomad-token"]?.hasFlag == false && byName["nomad-token"]?.isSecret == true)
        #expect(byName["nomad-namespace"]?.environment == ["NOMAD_NAMESPACE"])
        #expect(byName["nomad-namespace"]?.defaultValue == "default")
        #expect(byName["nomad-region"]?.environment == ["NOMAD_REGION"])
        #expect(byName["nomad-datacenters"]?.environment == ["LANDLORD_NOMAD_DATACENTERS"])
        #expect(byName["nomad-datacenters"]?.defaultValue == "*")
        for (name, variable) in [
            ("nomad-cacert", "NOMAD_CACERT"), ("nomad-client-cert", "NOMAD_CLIENT_CERT"),
            ("nomad-client-key", "NOMAD_CLIENT_KEY"), ("nomad-skip-verify", "NOMAD_SKIP_VERIFY"),
        ] {
            #expect(byName[name]?.environment == [variable])
            #expect(byName[name]?.hasFlag == false)
        }
    }

    @Test("resolved values become the configuration")
    func configuration() throws {
        let configuration = try self.factory.makeConfiguration(
            self.context([
                ("nomad-address", "https://nomad.internal:4646"), ("nomad-token", "t0ken"), ("nomad-namespace", "tenants"),
                ("nomad-region", "eu"), ("nomad-datacenters", "dc1, dc2"), ("nomad-cacert", "/etc/ca.pem"),
                ("nomad-cpu-mhz-per-core", "2400"),
            ]))
        #expect(configuration.address == "https://nomad.internal:4646" && configuration.token == "t0ken")
        #expect(configuration.namespace == "tenants" && configuration.region == "eu")
        #expect(configuration.datacenters == ["dc1", "dc2"] && configuration.caCertificate == "/etc/ca.pem")
        #expect(configuration.mhzPerCore == 2400)
        let defaults = try self.factory.makeConfiguration(self.context([]))
        #expect(defaults.address == "http://127.0.0.1:4646" && defaults.token == nil && defaults.datacenters == ["*"])
    }

    @Test("skip-verify, a bad address, a bad CPU factor and a multi-line token are refused without the token")
    func refused() {
        for (pairs, expected) in [
            ([("nomad-skip-verify", "true")], "NOMAD_SKIP_VERIFY"),
            ([("nomad-address", "unix:///var/run/nomad.sock")], "nomad-address"),
            ([("nomad-cpu-mhz-per-core", "0")], "nomad-cpu-mhz-per-core"),
            ([("nomad-token", "line1\nline2")], "nomad-token"),
        ] {
            do {
                _ = try self.factory.makeConfiguration(self.context(pairs))
                Issue.record("\(pairs) was accepted")
            } catch {
                #expect(error.message.contains(expected), "\(error.message)")
                #expect(!error.message.contains("line1"))
            }
        }
    }

    @Test("a CA file that does not exist fails making the provider, naming the option")
    func missingCA() {
        let context = self.context([("nomad-address", "https://127.0.0.1:4646"), ("nomad-cacert", "/nonexistent/ca.pem")])
        do {
            _ = try self.factory.makeProvider(context)
            Issue.record("accepted")
        } catch {
            #expect(error.message.contains("--nomad-cacert") && error.message.contains("no such file"), "\(error.message)")
        }
    }
}
