// Codable models of the Kubernetes objects the provider writes and reads: only the fields it uses,
// named exactly as the API names them (core/v1, apps/v1, networking.k8s.io/v1), so that the
// synthesized coding is the wire form. Optional fields that are nil are left out of the JSON, as
// server-side apply needs (a field sent is a field landlord owns).

/// An object kind of the Kubernetes API and where its REST collection is.
package struct KubernetesResource: Sendable, Hashable, CustomStringConvertible {
    /// The API group; empty for the core group.
    package var group: String
    /// The group's version, e.g. `v1`.
    package var version: String
    /// The collection's name in paths, e.g. `deployments`.
    package var plural: String
    /// The object kind, e.g. `Deployment`.
    package var kind: String
    /// Whether objects live in a namespace.
    package var namespaced: Bool

    /// Creates a resource description.
    package init(group: String, version: String, plural: String, kind: String, namespaced: Bool) {
        self.group = group
        self.version = version
        self.plural = plural
        self.kind = kind
        self.namespaced = namespaced
    }

    /// `v1` or `apps/v1`: the objects' `apiVersion`.
    package var apiVersion: String { self.group.isEmpty ? self.version : "\(self.group)/\(self.version)" }

    /// `deployments.apps`, `services`: the name RBAC rules and messages use.
    package var qualifiedName: String { self.group.isEmpty ? self.plural : "\(self.plural).\(self.group)" }

    /// The collection's path, `/api/v1/namespaces/<ns>/services` (or across namespaces when
    /// `namespace` is nil), `/apis/apps/v1/namespaces/<ns>/deployments`, `/api/v1/namespaces`.
    package func collectionPath(namespace: String?) -> String {
        let root = self.group.isEmpty ? "/api/\(self.version)" : "/apis/\(self.group)/\(self.version)"
        guard self.namespaced, let namespace else { return "\(root)/\(self.plural)" }
        return "\(root)/namespaces/\(EngineRequestPath.segment(namespace))/\(self.plural)"
    }

    /// One object's path.
    package func objectPath(namespace: String?, name: String) -> String {
        self.collectionPath(namespace: namespace) + "/" + EngineRequestPath.segment(name)
    }

    package var description: String { self.qualifiedName }

    /// `v1` Namespace.
    package static let namespaces = Self(
        group: "", version: "v1", plural: "namespaces", kind: "Namespace", namespaced: false)
    /// `v1` Service.
    package static let services = Self(group: "", version: "v1", plural: "services", kind: "Service", namespaced: true)
    /// `v1` Secret.
    package static let secrets = Self(group: "", version: "v1", plural: "secrets", kind: "Secret", namespaced: true)
    /// `v1` ResourceQuota.
    package static let resourceQuotas = Self(
        group: "", version: "v1", plural: "resourcequotas", kind: "ResourceQuota", namespaced: true)
    /// `v1` LimitRange.
    package static let limitRanges = Self(
        group: "", version: "v1", plural: "limitranges", kind: "LimitRange", namespaced: true)
    /// `v1` Pod (read only: status).
    package static let pods = Self(group: "", version: "v1", plural: "pods", kind: "Pod", namespaced: true)
    /// `apps/v1` Deployment.
    package static let deployments = Self(
        group: "apps", version: "v1", plural: "deployments", kind: "Deployment", namespaced: true)
    /// `networking.k8s.io/v1` NetworkPolicy.
    package static let networkPolicies = Self(
        group: "networking.k8s.io", version: "v1", plural: "networkpolicies", kind: "NetworkPolicy", namespaced: true)
}

/// Percent-encoding of one path segment (object and namespace names are DNS labels, so this only
/// matters for names that fail validation anyway).
enum EngineRequestPath {
    static func segment(_ text: String) -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")
        var encoded = ""
        for byte in text.utf8 {
            let character = Character(Unicode.Scalar(byte))
            if byte < 0x80, allowed.contains(character) {
                encoded.append(character)
            } else {
                encoded += "%" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
            }
        }
        return encoded
    }
}

/// An object of the Kubernetes API: its resource, `apiVersion`, `kind` and `metadata`.
package protocol KubernetesObject: Codable, Sendable {
    /// The resource the object belongs to.
    static var resource: KubernetesResource { get }
    /// `v1`, `apps/v1`, ...
    var apiVersion: String { get }
    /// `Deployment`, ...
    var kind: String { get }
    /// Name, namespace, labels, annotations.
    var metadata: ObjectMeta { get set }
}

/// `metadata` of an object (`ObjectMeta`): what landlord sets and what it reads back.
package struct ObjectMeta: Codable, Sendable, Hashable {
    package var name: String?
    package var namespace: String?
    package var labels: [String: String]?
    package var annotations: [String: String]?
    /// Read back only; never sent.
    package var resourceVersion: String?
    /// Read back only; never sent.
    package var generation: Int?
    /// Read back only; never sent.
    package var uid: String?
    /// Read back only; never sent (RFC 3339, e.g. `2026-12-07T09:20:06Z`).
    package var creationTimestamp: String?
    /// Read back only; never sent: set once the object is being deleted.
    package var deletionTimestamp: String?

    package init(
        name: String? = nil, namespace: String? = nil, labels: [String: String]? = nil,
        annotations: [String: String]? = nil
    ) {
        self.name = name
        self.namespace = namespace
        self.labels = labels
        self.annotations = annotations
    }
}

/// `v1` Namespace.
package struct Namespace: KubernetesObject, Hashable {
    package static let resource = KubernetesResource.namespaces
    package var apiVersion = "v1"
    package var kind = "Namespace"
    package var metadata: ObjectMeta

    package init(metadata: ObjectMeta) { self.metadata = metadata }
}

/// A label selector (`matchLabels`, `matchExpressions`); empty: every object.
package struct LabelSelector: Codable, Sendable, Hashable {
    package struct Requirement: Codable, Sendable, Hashable {
        package var key: String
        package var `operator`: String
        package var values: [String]?

        package init(key: String, operator: String, values: [String]? = nil) {
            self.key = key
            self.operator = `operator`
            self.values = values
        }
    }

    package var matchLabels: [String: String]?
    package var matchExpressions: [Requirement]?

    package init(matchLabels: [String: String]? = nil, matchExpressions: [Requirement]? = nil) {
        self.matchLabels = matchLabels
        self.matchExpressions = matchExpressions
    }
}

/// `apps/v1` Deployment.
package struct Deployment: KubernetesObject, Hashable {
    package static let resource = KubernetesResource.deployments
    package var apiVersion = "apps/v1"
    package var kind = "Deployment"
    package var metadata: ObjectMeta
    package var spec: Spec

    package init(metadata: ObjectMeta, spec: Spec) {
        self.metadata = metadata
        self.spec = spec
    }

    package struct Spec: Codable, Sendable, Hashable {
        package var replicas: Int
        package var selector: LabelSelector
        package var template: PodTemplate
        package var strategy: Strategy?
        package var revisionHistoryLimit: Int?
        package var progressDeadlineSeconds: Int?
    }

    package struct Strategy: Codable, Sendable, Hashable {
        package struct RollingUpdate: Codable, Sendable, Hashable {
            package var maxSurge: Int
            package var maxUnavailable: Int
        }

        package var type: String
        package var rollingUpdate: RollingUpdate?
    }
}

/// A pod template: labels, annotations and the pod's spec.
package struct PodTemplate: Codable, Sendable, Hashable {
    package var metadata: ObjectMeta
    package var spec: PodSpec
}

/// The fields of a `PodSpec` the provider sets.
package struct PodSpec: Codable, Sendable, Hashable {
    package var containers: [Container]
    package var serviceAccountName: String?
    package var automountServiceAccountToken: Bool?
    package var enableServiceLinks: Bool?
    package var nodeSelector: [String: String]?
    package var tolerations: [Toleration]?
    package var imagePullSecrets: [LocalObjectReference]?
    package var hostname: String?
}

/// A reference to an object of the same namespace by name.
package struct LocalObjectReference: Codable, Sendable, Hashable {
    package var name: String
}

/// A pod toleration.
package struct Toleration: Codable, Sendable, Hashable {
    package var key: String?
    package var `operator`: String?
    package var value: String?
    package var effect: String?
    package var tolerationSeconds: Int?
}

/// The fields of a `Container` the provider sets.
package struct Container: Codable, Sendable, Hashable {
    package var name: String
    package var image: String
    package var command: [String]?
    package var args: [String]?
    package var env: [EnvVar]?
    package var ports: [ContainerPort]?
    package var resources: Resources?
    package var readinessProbe: Probe?
    package var livenessProbe: Probe?

    package struct EnvVar: Codable, Sendable, Hashable {
        package var name: String
        package var value: String?
        package var valueFrom: Source?

        package struct Source: Codable, Sendable, Hashable {
            package var secretKeyRef: SecretKeySelector
        }

        package struct SecretKeySelector: Codable, Sendable, Hashable {
            package var name: String
            package var key: String
        }
    }

    package struct ContainerPort: Codable, Sendable, Hashable {
        package var name: String?
        package var containerPort: Int
        package var `protocol`: String
    }

    /// Quantities by resource name (`cpu`, `memory`, `ephemeral-storage`).
    package struct Resources: Codable, Sendable, Hashable {
        package var limits: [String: String]?
        package var requests: [String: String]?
    }
}

/// A readiness or liveness probe.
package struct Probe: Codable, Sendable, Hashable {
    package struct HTTPGet: Codable, Sendable, Hashable {
        package var path: String
        package var port: Int
    }

    package struct TCPSocket: Codable, Sendable, Hashable {
        package var port: Int
    }

    package struct Exec: Codable, Sendable, Hashable {
        package var command: [String]
    }

    package var httpGet: HTTPGet?
    package var tcpSocket: TCPSocket?
    package var exec: Exec?
    package var periodSeconds: Int
    package var timeoutSeconds: Int
    package var successThreshold: Int
    package var failureThreshold: Int
}

/// `v1` Service.
package struct Service: KubernetesObject, Hashable {
    package static let resource = KubernetesResource.services
    package var apiVersion = "v1"
    package var kind = "Service"
    package var metadata: ObjectMeta
    package var spec: Spec

    package init(metadata: ObjectMeta, spec: Spec) {
        self.metadata = metadata
        self.spec = spec
    }

    package struct Spec: Codable, Sendable, Hashable {
        package var type: String
        package var selector: [String: String]
        package var ports: [Port]
    }

    package struct Port: Codable, Sendable, Hashable {
        package var name: String
        package var port: Int
        package var targetPort: Int
        package var `protocol`: String
    }
}

/// `v1` Secret of type `Opaque`, values base64-encoded in `data`.
package struct Secret: KubernetesObject, Hashable {
    package static let resource = KubernetesResource.secrets
    package var apiVersion = "v1"
    package var kind = "Secret"
    package var metadata: ObjectMeta
    package var type = "Opaque"
    /// Values by key, base64.
    package var data: [String: String]

    package init(metadata: ObjectMeta, data: [String: String]) {
        self.metadata = metadata
        self.data = data
    }
}

/// `v1` ResourceQuota.
package struct ResourceQuota: KubernetesObject, Hashable {
    package static let resource = KubernetesResource.resourceQuotas
    package var apiVersion = "v1"
    package var kind = "ResourceQuota"
    package var metadata: ObjectMeta
    package var spec: Spec

    package init(metadata: ObjectMeta, spec: Spec) {
        self.metadata = metadata
        self.spec = spec
    }

    package struct Spec: Codable, Sendable, Hashable {
        /// Quantities by quota name (`limits.cpu`, `pods`, ...).
        package var hard: [String: String]
    }
}

/// `v1` LimitRange.
package struct LimitRange: KubernetesObject, Hashable {
    package static let resource = KubernetesResource.limitRanges
    package var apiVersion = "v1"
    package var kind = "LimitRange"
    package var metadata: ObjectMeta
    package var spec: Spec

    package init(metadata: ObjectMeta, spec: Spec) {
        self.metadata = metadata
        self.spec = spec
    }

    package struct Spec: Codable, Sendable, Hashable {
        package var limits: [Item]
    }

    package struct Item: Codable, Sendable, Hashable {
        package var type: String
        package var max: [String: String]?
        package var `default`: [String: String]?
        package var defaultRequest: [String: String]?
    }
}

/// `networking.k8s.io/v1` NetworkPolicy.
package struct NetworkPolicy: KubernetesObject, Hashable {
    package static let resource = KubernetesResource.networkPolicies
    package var apiVersion = "networking.k8s.io/v1"
    package var kind = "NetworkPolicy"
    package var metadata: ObjectMeta
    package var spec: Spec

    package init(metadata: ObjectMeta, spec: Spec) {
        self.metadata = metadata
        self.spec = spec
    }

    package struct Spec: Codable, Sendable, Hashable {
        package var podSelector: LabelSelector
        package var policyTypes: [String]
        package var ingress: [IngressRule]
    }

    package struct IngressRule: Codable, Sendable, Hashable {
        package var from: [Peer]?
        package var ports: [Port]?
    }

    package struct Peer: Codable, Sendable, Hashable {
        package var podSelector: LabelSelector?
        package var namespaceSelector: LabelSelector?
    }

    package struct Port: Codable, Sendable, Hashable {
        package var `protocol`: String
        package var port: Int
    }
}
