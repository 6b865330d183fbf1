package import Foundation
package import LandlordProviderKit
internal import NIOCore
internal import NIOHTTP1

/// The API server's REST calls the provider makes, typed, over the kit's ``EngineClient``.
///
/// - Writes are server-side apply: `PATCH <object>?fieldManager=landlord&force=true` with
///   `Content-Type: application/apply-patch+yaml` and a JSON body (JSON is YAML); an apply is
///   idempotent, so it is retried like a PUT.
/// - Deletes propagate in the foreground (`propagationPolicy: Foreground`); a missing object is
///   not an error.
/// - Error answers become ``KubernetesAPIError`` (the `kind: Status` reason, message and causes);
///   transport failures stay ``EngineClientError``s.
package struct KubernetesAPI: Sendable {
    /// The field manager of every apply.
    package static let fieldManager = "landlord"
    /// The content type of a server-side apply.
    package static let applyContentType = "application/apply-patch+yaml"

    /// The client calls go through.
    package let client: EngineClient

    package init(client: EngineClient) {
        self.client = client
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    /// `object` as the JSON landlord sends (sorted keys).
    package static func body(of object: some KubernetesObject) throws -> Data {
        try Self.encoder.encode(object)
    }

    /// What a call on `resource`'s object does, for errors: `apply deployments.apps landlord-acme/tenant`.
    private static func operation(_ verb: String, _ resource: KubernetesResource, namespace: String?, name: String?)
        -> String
    {
        let target = [namespace, name].compactMap { $0 }.joined(separator: "/")
        return target.isEmpty ? "\(verb) \(resource)" : "\(verb) \(resource) \(target)"
    }

    private func send(_ request: EngineRequest, ok: Set<Int> = [200, 201]) async throws -> EngineResponse {
        let response = try await self.client.execute(request)
        guard ok.contains(response.status) else {
            throw KubernetesAPIError.decode(
                status: response.status, body: response.body.readableBytesView, operation: request.operation)
        }
        return response
    }

    // MARK: - Objects

    /// Applies `object` (server-side apply as field manager `landlord`, forcing conflicts) and
    /// answers the object as the API server stored it.
    ///
    /// - Throws: ``KubernetesAPIError`` (e.g. `Invalid` with causes, `Conflict`), ``EngineClientError``.
    package func apply<Object: KubernetesObject>(_ object: Object) async throws -> Object {
        let resource = Object.resource
        let name = object.metadata.name ?? ""
        let namespace = resource.namespaced ? object.metadata.namespace : nil
        var request = EngineRequest(
            .PATCH, resource.objectPath(namespace: namespace, name: name),
            query: [("fieldManager", Self.fieldManager), ("force", "true")],
            idempotent: true,
            operation: Self.operation("apply", resource, namespace: namespace, name: name)
        )
        request.body = ByteBuffer(bytes: try Self.body(of: object))
        request.headers.replaceOrAdd(name: "Content-Type", value: Self.applyContentType)
        request.headers.replaceOrAdd(name: "Accept", value: "application/json")
        do {
            return try await self.send(request).decode(Object.self)
        } catch let error as KubernetesAPIError where Object.resource == .secrets {
            // The API server does not echo data values; make sure nothing of them leaves anyway.
            throw error.redacting(Self.secretValues(of: object))
        }
    }

    private static func secretValues(of object: some KubernetesObject) -> [String] {
        guard let secret = object as? Secret else { return [] }
        return secret.data.values.flatMap { encoded in
            [encoded] + (Data(base64Encoded: encoded).map { [String(decoding: $0, as: UTF8.self)] } ?? [])
        }
    }

    /// Creates `object` (`POST` to its collection, field manager `landlord`) and answers it as
    /// stored; unlike an apply, this fails when the object exists, which makes it the one writer
    /// of a new tenant when two landlords race.
    ///
    /// - Throws: ``KubernetesAPIError`` (`AlreadyExists` when it exists), ``EngineClientError``.
    package func create<Object: KubernetesObject>(_ object: Object) async throws -> Object {
        let resource = Object.resource
        let namespace = resource.namespaced ? object.metadata.namespace : nil
        var request = EngineRequest(
            .POST, resource.collectionPath(namespace: namespace),
            query: [("fieldManager", Self.fieldManager)],
            operation: Self.operation("create", resource, namespace: namespace, name: object.metadata.name))
        request.body = ByteBuffer(bytes: try Self.body(of: object))
        request.headers.replaceOrAdd(name: "Content-Type", value: "application/json")
        request.headers.replaceOrAdd(name: "Accept", value: "application/json")
        do {
            return try await self.send(request).decode(Object.self)
        } catch let error as KubernetesAPIError where Object.resource == .secrets {
            throw error.redacting(Self.secretValues(of: object))
        }
    }

    /// The object `name` (in `namespace` for a namespaced kind), or nil when there is none.
    ///
    /// - Throws: ``KubernetesAPIError`` other than NotFound, ``EngineClientError``.
    package func get<Object: KubernetesObject>(_ type: Object.Type, namespace: String?, name: String) async throws
        -> Object?
    {
        let resource = Object.resource
        let namespace = resource.namespaced ? namespace : nil
        let request = EngineRequest(
            .GET, resource.objectPath(namespace: namespace, name: name),
            headers: ["Accept": "application/json"],
            operation: Self.operation("get", resource, namespace: namespace, name: name))
        do {
            return try await self.send(request).decode(Object.self)
        } catch let error as KubernetesAPIError where error.reason == .notFound {
            return nil
        }
    }

    /// Deletes object `name` of `resource` with foreground propagation; answers false when it did
    /// not exist (deleting is idempotent).
    ///
    /// - Throws: ``KubernetesAPIError`` other than NotFound, ``EngineClientError``.
    @discardableResult
    package func delete(_ resource: KubernetesResource, namespace: String?, name: String) async throws -> Bool {
        let namespace = resource.namespaced ? namespace : nil
        var request = EngineRequest(
            .DELETE, resource.objectPath(namespace: namespace, name: name),
            headers: ["Accept": "application/json"],
            operation: Self.operation("delete", resource, namespace: namespace, name: name))
        request.body = ByteBuffer(
            string: #"{"apiVersion":"v1","kind":"DeleteOptions","propagationPolicy":"Foreground"}"#)
        request.headers.replaceOrAdd(name: "Content-Type", value: "application/json")
        do {
            _ = try await self.send(request, ok: [200, 202])
            return true
        } catch let error as KubernetesAPIError where error.reason == .notFound {
            return false
        }
    }

    /// A LIST answer: the items and the list's `resourceVersion` (where a watch resumes).
    package struct List<Object: KubernetesObject>: Decodable, Sendable {
        package struct Metadata: Decodable, Sendable {
            package var resourceVersion: String?
            package var `continue`: String?
        }

        package var metadata: Metadata
        package var items: [Object]
    }

    /// The objects of `type` in `namespace` (every namespace when nil) matching `labelSelector`
    /// (e.g. ``KubernetesNaming/managedSelector``).
    ///
    /// - Throws: ``KubernetesAPIError``, ``EngineClientError``.
    package func list<Object: KubernetesObject>(
        _ type: Object.Type,
        namespace: String? = nil,
        labelSelector: String
    ) async throws -> List<Object> {
        let resource = Object.resource
        let request = EngineRequest(
            .GET, resource.collectionPath(namespace: namespace),
            query: [("labelSelector", labelSelector)],
            headers: ["Accept": "application/json"],
            operation: Self.operation("list", resource, namespace: namespace, name: nil))
        return try await self.send(request).decode(List<Object>.self)
    }

    // MARK: - Cluster checks

    /// `/version`: the API server's version.
    package struct Version: Decodable, Sendable, Hashable {
        package var major: String
        package var minor: String
        package var gitVersion: String

        /// The minor version as a number (`"30+"` is 30), nil when unreadable.
        package var minorNumber: Int? { Int(self.minor.prefix { $0.isNumber }) }
        /// The major version as a number.
        package var majorNumber: Int? { Int(self.major.prefix { $0.isNumber }) }
    }

    /// The API server's version (`GET /version`).
    package func version() async throws -> Version {
        let request = EngineRequest(.GET, "/version", headers: ["Accept": "application/json"], operation: "get version")
        return try await self.send(request).decode(Version.self)
    }

    /// One permission: a verb on a resource, in every namespace.
    package struct Permission: Sendable, Hashable, CustomStringConvertible {
        package var verb: String
        package var group: String
        package var resource: String

        package init(_ verb: String, _ resource: KubernetesResource) {
            self.verb = verb
            self.group = resource.group
            self.resource = resource.plural
        }

        /// `patch deployments.apps`.
        package var description: String {
            "\(self.verb) \(self.group.isEmpty ? self.resource : "\(self.resource).\(self.group)")"
        }
    }

    /// Whether the credentials may do `permission` in every namespace (a SelfSubjectAccessReview).
    package func isAllowed(_ permission: Permission) async throws -> Bool {
        struct Review: Codable {
            struct Spec: Codable {
                struct Attributes: Codable {
                    var verb: String
                    var group: String
                    var resource: String
                }
                var resourceAttributes: Attributes
            }
            struct Status: Codable {
                var allowed: Bool
            }
            var apiVersion = "authorization.k8s.io/v1"
            var kind = "SelfSubjectAccessReview"
            var spec: Spec
            var status: Status?
        }
        var request = EngineRequest(
            .POST, "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
            idempotent: true,  // creates nothing
            operation: "review access to \(permission)")
        try request.json(
            Review(
                spec: .init(
                    resourceAttributes: .init(
                        verb: permission.verb, group: permission.group, resource: permission.resource)
                )),
            encoder: Self.encoder)
        let review = try await self.send(request).decode(Review.self)
        return review.status?.allowed ?? false
    }

    /// What the provider does on the cluster, for the start-up check (and deploy/'s ClusterRole).
    package static let requiredPermissions: [Permission] = {
        var permissions: [Permission] = []
        for verb in ["get", "list", "watch", "patch", "delete"] {
            permissions.append(Permission(verb, .namespaces))
            permissions.append(Permission(verb, .deployments))
            permissions.append(Permission(verb, .services))
        }
        for resource in [KubernetesResource.secrets, .resourceQuotas, .limitRanges, .networkPolicies] {
            permissions.append(Permission("patch", resource))
            permissions.append(Permission("delete", resource))
        }
        // A new tenant's namespace is created (not applied): the one landlord whose create
        // succeeds provisions it.
        permissions.append(Permission("create", .namespaces))
        permissions.append(Permission("list", .pods))
        permissions.append(Permission("watch", .pods))
        return permissions
    }()

    /// The oldest API server the provider works with: 1.25 (NetworkPolicy, server-side apply and
    /// the `kubernetes.io/metadata.name` namespace label are all GA there).
    package static let minimumVersion = (major: 1, minor: 25)

    /// The start-up check: the API server answers `/version` with 1.25 or newer, and the
    /// credentials hold every permission in ``requiredPermissions``; answers
    /// `Kubernetes v1.30.2 at https://...`.
    ///
    /// - Throws: ``ProviderStartupFailure``: one line naming the provider, the address and what
    ///   to set or grant.
    package func checkCluster(provider: String = KubernetesProvider.defaultName) async throws -> String {
        let address = self.client.endpoint.description
        let hint = "set --kubernetes-kubeconfig or KUBECONFIG and --kubernetes-context, or run in a cluster"
        let version: Version
        do {
            version = try await self.version()
        } catch let error as KubernetesAPIError {
            let reason =
                switch error.reason {
                case .unauthorized: "the API server refused the credentials (401 Unauthorized)"
                case .forbidden: "the credentials may not read /version (403 Forbidden)"
                default: "\(error.message) (HTTP \(error.code))"
                }
            throw ProviderStartupFailure(provider: provider, address: address, hint: hint, reason: reason)
        } catch let error as EngineClientError {
            throw ProviderStartupFailure(provider: provider, address: address, hint: hint, reason: error.message)
        }
        guard let major = version.majorNumber, let minor = version.minorNumber,
            (major, minor) >= Self.minimumVersion
        else {
            throw ProviderStartupFailure(
                message:
                    "\(provider) provider: the API server at \(address) is Kubernetes \(version.gitVersion); landlord needs \(Self.minimumVersion.major).\(Self.minimumVersion.minor) or newer"
            )
        }
        var denied: [Permission] = []
        for permission in Self.requiredPermissions {
            do {
                if try await !self.isAllowed(permission) { denied.append(permission) }
            } catch let error as KubernetesAPIError {
                throw ProviderStartupFailure(
                    provider: provider, address: address, hint: hint,
                    reason: "cannot review its permissions: \(error.message) (HTTP \(error.code))")
            } catch let error as EngineClientError {
                throw ProviderStartupFailure(provider: provider, address: address, hint: hint, reason: error.message)
            }
        }
        guard denied.isEmpty else {
            throw ProviderStartupFailure(
                message:
                    "\(provider) provider: the credentials for \(address) may not \(denied.map(\.description).joined(separator: ", ")) in every namespace (grant the ClusterRole in deploy/kubernetes)"
            )
        }
        return "Kubernetes \(version.gitVersion) at \(address)"
    }
}
