import LandlordDockerProvider
import LandlordECSProvider
import LandlordKubernetesProvider
import LandlordMockProvider
import LandlordNomadProvider
package import LandlordProviderKit

/// The providers this build of landlord can register, by name.
///
/// The only place the composition root names concrete providers: adding one is an entry in
/// ``standard`` (and its module's target in Package.swift). Everything else (flags, environment,
/// the configuration file, `--help`, the start-up engine check, shutdown) comes from the factories.
package struct ProviderCatalog: Sendable {
    /// The factories, sorted by name.
    package let factories: [any ComputeProviderFactory]

    /// The providers landlord ships.
    package static let standard = ProviderCatalog([
        DockerProviderFactory(),
        ECSProviderFactory(),
        KubernetesProviderFactory(),
        MockProviderFactory(),
        NomadProviderFactory(),
    ])

    /// A catalog of `factories` (tests add fakes this way).
    package init(_ factories: [any ComputeProviderFactory]) {
        self.factories = factories.sorted { $0.name < $1.name }
    }

    /// The providers' names, sorted.
    package var names: [String] { self.factories.map(\.name) }

    /// The factory of provider `name`, if the catalog has it.
    package func factory(named name: String) -> (any ComputeProviderFactory)? {
        self.factories.first { $0.name == name }
    }

    /// Every provider's options, in catalog order.
    package var options: [ConfigOption] { self.factories.flatMap(\.options) }

    /// The providers' part of `--help`: each provider with its summary and options.
    package var helpText: String {
        var text = "PROVIDERS AND THEIR OPTIONS (registered with --providers; set by flag, environment or --config file):\n"
        for factory in self.factories {
            text += "\n  \(factory.name): \(factory.summary)\n"
            if factory.options.isEmpty { text += "    (no options)\n" }
            for option in factory.options {
                let head = option.hasFlag ? "\(option.flag) <\(option.valueName.lowercased())>" : "(environment only)"
                text += "    \(head)\n        \(option.help) \(option.helpAnnotation)\n"
            }
        }
        return text
    }
}
