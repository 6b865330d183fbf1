internal import LandlordProviderKit

extension KubernetesProvider {
    /// Where the provider finds its cluster and how it names tenants.
    ///
    /// ```swift
    /// var configuration = KubernetesProvider.Configuration.defaults
    /// configuration.kubeconfig = "/etc/landlord/kubeconfig"
    /// let connection = try configuration.connection(environment: ProcessInfo.processInfo.environment)
    /// ```
    package struct Configuration: Sendable, Hashable {
        /// A kubeconfig file (or a `KUBECONFIG`-style list, of which the first file is read);
        /// `nil` (the default): the in-cluster configuration when `KUBERNETES_SERVICE_HOST` is set.
        package var kubeconfig: String?
        /// The kubeconfig's context; `nil` (the default): its `current-context`.
        package var context: String?
        /// Tenant namespaces are this prefix followed by the tenant id; `landlord-` by default.
        package var namespacePrefix: String
        /// The directory `file` secrets are read from; `nil` (the default) rejects `file` secrets.
        package var secretsDirectory: String?
        /// The service account directory of the in-cluster configuration;
        /// `/var/run/secrets/kubernetes.io/serviceaccount` by default.
        package var serviceAccountDirectory: String
        /// The deadline of an API call, retries included; 30 seconds by default.
        package var requestTimeout: Duration
        /// How long an operation waits for the watch cache's first lists; 30 seconds by default.
        package var cacheSyncTimeout: Duration
        /// How long an update with `rollback_on_failure` waits for the rollout's verdict before it
        /// answers `in_progress` (and rolls nothing back); 10 minutes by default, beyond the
        /// Deployment's 600 s progress deadline.
        package var rolloutTimeout: Duration
        /// How long destroy waits for the namespace to be gone before it answers anyway (the
        /// deletion goes on; status says `stopping` meanwhile); 2 minutes by default.
        package var deletionTimeout: Duration
        /// How long one watch request stays open before the informer resumes it; 5 minutes.
        package var watchTimeout: Duration

        /// Creates a configuration; every argument has the default ``defaults`` documents.
        package init(
            kubeconfig: String? = nil,
            context: String? = nil,
            namespacePrefix: String = KubernetesNaming.defaultNamespacePrefix,
            secretsDirectory: String? = nil,
            serviceAccountDirectory: String = KubernetesConnection.serviceAccountDirectory,
            requestTimeout: Duration = .seconds(30),
            cacheSyncTimeout: Duration = .seconds(30),
            rolloutTimeout: Duration = .seconds(600),
            deletionTimeout: Duration = .seconds(120),
            watchTimeout: Duration = .seconds(300)
        ) {
            self.kubeconfig = kubeconfig
            self.context = context
            self.namespacePrefix = namespacePrefix
            self.secretsDirectory = secretsDirectory
            self.serviceAccountDirectory = serviceAccountDirectory
            self.requestTimeout = requestTimeout
            self.cacheSyncTimeout = cacheSyncTimeout
            self.rolloutTimeout = rolloutTimeout
            self.deletionTimeout = deletionTimeout
            self.watchTimeout = watchTimeout
        }

        /// No kubeconfig (in-cluster), its current context, prefix `landlord-`, no secrets
        /// directory, the pod's service account directory, 30 s per call, 30 s for the cache's
        /// first lists, 10 min for a rollout's verdict, 2 min for a namespace's deletion, watches
        /// resumed every 5 min.
        package static var defaults: Self { Self() }

        /// Why `prefix` cannot start tenant namespaces, or nil: it must be empty or lowercase
        /// letters, digits and `-` starting with a letter or digit, at most 62 characters.
        package static func namespacePrefixProblem(_ prefix: String) -> String? {
            if prefix.isEmpty { return nil }
            guard prefix.utf8.count <= 62 else { return "is longer than 62 characters" }
            guard KubernetesNames.isDNS1123Label(prefix + "a") else {
                return "must be lowercase letters, digits and '-', starting with a letter or digit"
            }
            return nil
        }

        /// The connection settings: the kubeconfig's, or the in-cluster ones.
        ///
        /// - Throws: ``KubernetesConfigurationError``.
        package func connection(environment: [String: String]) throws(KubernetesConfigurationError)
            -> KubernetesConnection
        {
            try KubernetesConnection.resolve(
                kubeconfig: self.kubeconfig, context: self.context, environment: environment,
                serviceAccountDirectory: self.serviceAccountDirectory)
        }
    }
}
