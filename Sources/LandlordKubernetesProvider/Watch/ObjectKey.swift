/// Where an object lives: its namespace (empty for cluster-scoped kinds) and name.
struct ObjectKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    var namespace: String
    var name: String

    static func < (lhs: ObjectKey, rhs: ObjectKey) -> Bool {
        (lhs.namespace, lhs.name) < (rhs.namespace, rhs.name)
    }

    var description: String { self.namespace.isEmpty ? self.name : "\(self.namespace)/\(self.name)" }
}

/// The part of every object's `metadata` a watch needs: identity and version.
struct ObjectHeader: Sendable, Hashable, Decodable {
    struct Metadata: Sendable, Hashable, Decodable {
        var name: String?
        var namespace: String?
        var resourceVersion: String?
    }

    var metadata: Metadata?

    var key: ObjectKey? {
        guard let name = self.metadata?.name else { return nil }
        return ObjectKey(namespace: self.metadata?.namespace ?? "", name: name)
    }
}
