internal import LandlordCompute
package import LandlordProviderKit

/// The catalog entry of the `kubernetes` provider: its options and how they become a provider.
///
/// | option | environment | default |
/// |---|---|---|
/// | `--kubernetes-kubeconfig PATH` | `KUBECONFIG` (the first file of a list) | none (in-cluster when `KUBERNETES_SERVICE_HOST` is set) |
/// | `--kubernetes-context NAME` | `LANDLORD_KUBERNETES_CONTEXT` | the file's `current-context` |
/// | `--kubernetes-namespace-prefix P` | `LANDLORD_KUBERNETES_NAMESPACE_PREFIX` | `landlord-` |
/// | `--kubernetes-secrets-dir PATH` | `LANDLORD_KUBERNETES_SECRETS_DIR` | none (file secrets disabled) |
///
package struct KubernetesProviderFactory: ComputeProviderFactory {
    package let name = KubernetesProvider.defaultName
    package let summary = "tenants as namespaces and Deployments on a Kubernetes cluster"
    package let options: [ConfigOption] = [
        ConfigOption(
            name: "kubernetes-kubeconfig", environment: ["KUBECONFIG"], valueName: "PATH",
            unsetMeaning: "in-cluster configuration when KUBERNETES_SERVICE_HOST is set",
            help: "Kubeconfig file of the kubernetes provider (of a KUBECONFIG list, the first file)."
        ),
        ConfigOption(
            name: "kubernetes-context", environment: ["LANDLORD_KUBERNETES_CONTEXT"], valueName: "NAME",
            unsetMeaning: "the kubeconfig's current-context",
            help: "Kubeconfig context the kubernetes provider uses."
        ),
        ConfigOption(
            name: "kubernetes-namespace-prefix", environment: ["LANDLORD_KUBERNETES_NAMESPACE_PREFIX"],
            valueName: "P", defaultValue: KubernetesNaming.defaultNamespacePrefix,
            help: "Prefix of tenant namespaces: a tenant's namespace is P followed by its tenant_id."
        ),
        ConfigOption(
            name: "kubernetes-secrets-dir", environment: ["LANDLORD_KUBERNETES_SECRETS_DIR"], valueName: "PATH",
            unsetMeaning: "file secrets disabled",
            help: "Directory the kubernetes provider reads `file` secrets from."
        ),
    ]

    package init() {}

    /// The provider's configuration and connection settings from its resolved options; nothing
    /// reaches the cluster yet.
    ///
    /// - Throws: ``ConfigOptionError`` naming the option whose value cannot be used.
    package func makeConfiguration(
        _ context: ProviderContext
    ) throws(ConfigOptionError) -> (configuration: KubernetesProvider.Configuration, connection: KubernetesConnection) {
        var configuration = KubernetesProvider.Configuration.defaults
        configuration.kubeconfig = context.options.string("kubernetes-kubeconfig")
        configuration.context = context.options.string("kubernetes-context")
        configuration.namespacePrefix =
            context.options.resolved["kubernetes-namespace-prefix"]?.value ?? KubernetesNaming.defaultNamespacePrefix
        configuration.secretsDirectory = context.options.string("kubernetes-secrets-dir")
        if let problem = KubernetesProvider.Configuration.namespacePrefixProblem(configuration.namespacePrefix) {
            throw context.options.error("kubernetes-namespace-prefix", problem)
        }
        do {
            let connection = try configuration.connection(environment: context.environment)
            return (configuration, connection)
        } catch {
            let option =
                configuration.kubeconfig != nil
                ? (error.message.contains("context") && configuration.context != nil
                    ? "kubernetes-context" : "kubernetes-kubeconfig")
                : "kubernetes-kubeconfig"
            throw context.options.error(option, "is not usable: \(error.message)")
        }
    }

    /// The provider of the resolved options (nothing reaches the cluster until its start-up
    /// check, ``KubernetesProvider/checkEngine()``).
    ///
    /// - Throws: ``ConfigOptionError`` naming the option whose value cannot be used.
    package func makeProvider(_ context: ProviderContext) throws(ConfigOptionError) -> any ManagedComputeProvider {
        let (configuration, connection) = try self.makeConfiguration(context)
        let environment = context.environment
        do {
            return try KubernetesProvider(
                configuration: configuration, connection: connection, environment: { environment[$0] },
                logger: context.logger)
        } catch {
            throw context.options.error("kubernetes-kubeconfig", "is not usable: \(error.message)")
        }
    }
}
