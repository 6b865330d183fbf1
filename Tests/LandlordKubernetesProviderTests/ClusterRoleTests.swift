import Foundation
import LandlordKubernetesProvider
import Testing
import Yams

/// deploy/kubernetes/rbac.yaml grants exactly what the provider checks at start-up and uses.
@Suite("deploy/kubernetes ClusterRole")
struct ClusterRoleTests {
    struct Rule: Decodable {
        var apiGroups: [String]
        var resources: [String]
        var verbs: [String]
    }

    struct Document: Decodable {
        var kind: String
        var rules: [Rule]?
    }

    static let manifest = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("deploy/kubernetes/rbac.yaml")

    @Test("the ClusterRole's rules are exactly KubernetesAPI.requiredPermissions")
    func clusterRoleMatchesRequiredPermissions() throws {
        let text = try String(contentsOf: Self.manifest, encoding: .utf8)
        var roles: [Document] = []
        for document in try Yams.load_all(yaml: text) {
            let data = try JSONSerialization.data(withJSONObject: document as Any)
            let decoded = try JSONDecoder().decode(Document.self, from: data)
            if decoded.kind == "ClusterRole" { roles.append(decoded) }
        }
        #expect(roles.count == 1)
        struct Grant: Hashable { var verb, group, resource: String }
        var granted: [Grant] = []
        for rule in roles.first?.rules ?? [] {
            for group in rule.apiGroups {
                for resource in rule.resources {
                    for verb in rule.verbs { granted.append(Grant(verb: verb, group: group, resource: resource)) }
                }
            }
        }
        let required = KubernetesAPI.requiredPermissions.map {
            Grant(verb: $0.verb, group: $0.group, resource: $0.resource)
        }
        #expect(Set(granted) == Set(required))
        #expect(granted.count == Set(granted).count, "a permission is granted twice")
        #expect(!granted.contains { $0.verb == "*" || $0.resource == "*" })
    }
}
