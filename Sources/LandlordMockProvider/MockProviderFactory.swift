package import LandlordProviderKit

/// The catalog entry of the `mock` provider: tenants kept in memory, with optional injected latency.
///
/// | option | environment | default | meaning |
/// |---|---|---|---|
/// | `--mock-delay SECONDS` | `LANDLORD_MOCK_DELAY` | 0 | latency injected before every operation (benchmarks, demos) |
package struct MockProviderFactory: ComputeProviderFactory {
    package let name = MockProvider.defaultName
    package let summary = "tenants kept in memory, with the test controls of docs/compute-providers.md"
    package let options: [ConfigOption] = [
        ConfigOption(
            name: "mock-delay", environment: ["LANDLORD_MOCK_DELAY"], valueName: "SECONDS", kind: .seconds,
            defaultValue: "0", help: "Latency the mock provider injects before every operation."
        )
    ]

    package init() {}

    package func makeProvider(_ context: ProviderContext) throws(ConfigOptionError) -> any ManagedComputeProvider {
        let delay = try context.options.seconds("mock-delay") ?? .zero
        let configuration = MockProvider.Configuration(
            provisionDelay: delay, updateDelay: delay, destroyDelay: delay, statusDelay: delay, validateDelay: delay
        )
        return MockProvider(configuration: configuration, logger: context.logger)
    }
}

extension MockProvider: ManagedComputeProvider {}
