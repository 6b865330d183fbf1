import Crypto
import Foundation
import InMemoryLogging
import LandlordComputeAPI
import LandlordRPC
import Logging
import Testing

@testable import LandlordService

/// The lowercase hex SHA-256 of a token, as a policy file holds it.
func sha256Hex(_ token: String) -> String {
    SHA256.hash(data: Array(token.utf8)).map { String(format: "%02x", $0) }.joined()
}

/// A policy file's contents.
func policyJSON(_ callers: [[String: Any]], reflection: String? = nil) -> Data {
    var object: [String: Any] = ["callers": callers]
    if let reflection { object["reflection"] = reflection }
    return try! JSONSerialization.data(withJSONObject: object)
}

@Suite("AccessPolicy parsing")
struct AccessPolicyParsingTests {
    @Test("the contract's example parses: tokens, a certificate, roles, tenants, reflection")
    func example() throws {
        let policy = try AccessPolicy(json: policyJSON([
            ["name": "ops", "token_sha256": sha256Hex("a"), "role": "admin"],
            ["name": "portal", "token_sha256": sha256Hex("b"), "role": "operator", "tenants": ["acme-*", "globex"]],
            ["name": "billing", "client_certificate": ["uri_san": "spiffe://corp.example/billing"], "role": "viewer"],
            ["name": "dns", "client_certificate": ["dns_san": "svc.internal"], "role": "viewer"],
            ["name": "cn", "client_certificate": ["common_name": "batch"], "role": "operator"],
        ], reflection: "open"))
        #expect(policy.callers.map(\.name) == ["ops", "portal", "billing", "dns", "cn"])
        #expect(policy.callers.map(\.role) == [.admin, .operator, .viewer, .viewer, .operator])
        #expect(policy.tokenCallers.map(\.caller.name) == ["ops", "portal"])
        #expect(policy.certificateCallers.map(\.name) == [
            .uriSAN("spiffe://corp.example/billing"), .dnsSAN("svc.internal"), .commonName("batch"),
        ])
        #expect(policy.callers[1].tenants?.map(\.pattern) == ["acme-*", "globex"])
        #expect(policy.callers[0].tenants == nil)
        #expect(policy.reflection == .open)
    }

    @Test("reflection defaults to authenticated")
    func reflectionDefault() throws {
        let policy = try AccessPolicy(json: policyJSON([["name": "ops", "token_sha256": sha256Hex("a"), "role": "admin"]]))
        #expect(policy.reflection == .authenticated)
    }

    static let invalid: [(String, Data, String)] = [
        ("not JSON", Data("{".utf8), "not JSON"),
        ("not an object", Data("[]".utf8), "not a JSON object"),
        ("no callers", Data("{}".utf8), "\"callers\" is missing"),
        ("unknown top-level key", Data(#"{"callers": [], "extra": 1}"#.utf8), "unknown key \"extra\""),
        ("bad reflection", policyJSON([], reflection: "public"), "\"reflection\" must be"),
        ("no name", policyJSON([["token_sha256": sha256Hex("a"), "role": "admin"]]), "\"name\" is missing"),
        ("no role", policyJSON([["name": "x", "token_sha256": sha256Hex("a")]]), "\"role\" is missing"),
        ("unknown role", policyJSON([["name": "x", "token_sha256": sha256Hex("a"), "role": "root"]]), "role \"root\" is not viewer, operator or admin"),
        ("no credential", policyJSON([["name": "x", "role": "admin"]]), "needs one of \"token_sha256\" and \"client_certificate\""),
        (
            "both credentials",
            policyJSON([["name": "x", "token_sha256": sha256Hex("a"), "client_certificate": ["common_name": "x"], "role": "admin"]]),
            "has both"
        ),
        ("short hash", policyJSON([["name": "x", "token_sha256": "abc", "role": "admin"]]), "64 lowercase hexadecimal digits"),
        ("uppercase hash", policyJSON([["name": "x", "token_sha256": sha256Hex("a").uppercased(), "role": "admin"]]), "64 lowercase"),
        ("two certificate names", policyJSON([["name": "x", "client_certificate": ["common_name": "a", "dns_san": "b"], "role": "admin"]]), "exactly one"),
        ("unknown certificate name", policyJSON([["name": "x", "client_certificate": ["email": "a@b"], "role": "admin"]]), "key \"email\""),
        ("tenants not a list", policyJSON([["name": "x", "token_sha256": sha256Hex("a"), "role": "admin", "tenants": "acme"]]), "\"tenants\" must be a list"),
        ("unknown caller key", policyJSON([["name": "x", "token_sha256": sha256Hex("a"), "role": "admin", "token": "a"]]), "unknown key \"token\""),
        (
            "duplicate name",
            policyJSON([["name": "x", "token_sha256": sha256Hex("a"), "role": "admin"], ["name": "x", "token_sha256": sha256Hex("b"), "role": "viewer"]]),
            "used twice"
        ),
        (
            "duplicate credential",
            policyJSON([["name": "x", "token_sha256": sha256Hex("a"), "role": "admin"], ["name": "y", "token_sha256": sha256Hex("a"), "role": "viewer"]]),
            "same credential"
        ),
    ]

    @Test("an invalid policy is refused with a message naming the problem, never the hash", arguments: invalid)
    func invalidPolicies(_ name: String, _ data: Data, _ expected: String) {
        do {
            _ = try AccessPolicy(json: data)
            Issue.record("\(name): parsed")
        } catch {
            #expect(error.message.contains(expected), "\(name): \(error.message)")
            #expect(!error.message.contains(sha256Hex("a")))
            #expect(!error.message.contains(sha256Hex("a").uppercased()))
        }
    }
}

@Suite("TenantPattern")
struct TenantPatternTests {
    static let cases: [(String, String, Bool)] = [
        ("globex", "globex", true), ("globex", "globex2", false), ("globex", "globe", false),
        ("acme-*", "acme-", true), ("acme-*", "acme-eu-1", true), ("acme-*", "acme", false), ("acme-*", "xacme-1", false),
        ("*", "", true), ("*", "anything", true), ("*-prod", "eu-prod", true), ("*-prod", "eu-prod-2", false),
        ("a*b*c", "abc", true), ("a*b*c", "aXbYc", true), ("a*b*c", "acb", false), ("a*b*c", "abcbc", true),
        ("a**b", "ab", true), ("ab*ba", "aba", false), ("ab*ba", "abba", true), ("", "", true), ("", "x", false),
    ]

    @Test("`*` matches any run of characters, everything else itself, the whole id", arguments: cases)
    func matching(_ pattern: String, _ tenant: String, _ expected: Bool) {
        #expect(TenantPattern(pattern).matches(tenant) == expected, "\(pattern) ~ \(tenant)")
    }
}

@Suite("Roles and method requirements")
struct CallerRoleTests {
    static let methods: [(String, CallerRole)] = [
        (ComputeServiceDescriptor.getTenantStatus, .viewer), (ComputeServiceDescriptor.watchTenantStatus, .viewer),
        (ComputeServiceDescriptor.validateTenantSpec, .viewer), (ComputeServiceDescriptor.listProviders, .viewer),
        (ComputeServiceDescriptor.provisionTenant, .operator), (ComputeServiceDescriptor.updateTenant, .operator),
        (ComputeServiceDescriptor.destroyTenant, .admin),
    ]

    @Test("each compute method needs the contract's role; a higher role may call it, a lower may not", arguments: methods)
    func requirement(_ method: String, _ role: CallerRole) {
        let descriptor = MethodDescriptor(service: ComputeServiceDescriptor.serviceName, method: method)
        #expect(AccessController.requirement(for: descriptor) == .role(role))
        for caller in CallerRole.allCases {
            #expect(caller.includes(role) == (caller >= role))
        }
    }

    @Test("health is open, reflection follows the policy, any other method needs admin")
    func otherServices() {
        #expect(AccessController.requirement(for: MethodDescriptor(service: "grpc.health.v1.Health", method: "Check")) == nil)
        #expect(AccessController.requirement(for: MethodDescriptor(service: "grpc.health.v1.Health", method: "Watch")) == nil)
        for service in AccessController.reflectionServices {
            #expect(AccessController.requirement(for: MethodDescriptor(service: service, method: "ServerReflectionInfo")) == .reflection)
        }
        #expect(AccessController.requirement(for: MethodDescriptor(service: "x.Other", method: "Do")) == .role(.admin))
        #expect(
            AccessController.requirement(for: MethodDescriptor(service: ComputeServiceDescriptor.serviceName, method: "Nope"))
                == .role(.admin)
        )
    }
}

@Suite("TokenDigest")
struct TokenDigestTests {
    @Test("hex parsing: 64 lowercase digits only")
    func hex() {
        #expect(TokenDigest(hex: sha256Hex("x"))?.bytes == Array(SHA256.hash(data: Array("x".utf8))))
        #expect(TokenDigest(hex: String(repeating: "g", count: 64)) == nil)
        #expect(TokenDigest(hex: String(repeating: "A", count: 64)) == nil)
        #expect(TokenDigest(hex: String(repeating: "a", count: 63)) == nil)
    }

    @Test("the stack SHA-256 equals swift-crypto's for every length from 0 to 300 bytes")
    func sha256MatchesSwiftCrypto() {
        var generator = SystemRandomNumberGenerator()
        for length in 0...300 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let ours = bytes.withUnsafeBytes { StackSHA256.hash($0) }
            #expect(ours.bytes == Array(SHA256.hash(data: bytes)), "length \(length)")
        }
    }

    @Test("the FIPS 180-4 examples")
    func fipsExamples() {
        let cases = [
            ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
            ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
            ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        ]
        for (message, hex) in cases {
            #expect(TokenDigest.digest(of: message[...]) == TokenDigest(hex: hex), "\(message)")
        }
    }

    @Test("the comparison looks at every word and only says equal for equal digests")
    func constantTime() throws {
        let digest = try #require(TokenDigest(hex: sha256Hex("s3cret")))
        #expect(digest.constantTimeEquals(digest))
        for index in [0, 3, 7] {
            var words = [digest.words.0, digest.words.1, digest.words.2, digest.words.3, digest.words.4, digest.words.5, digest.words.6, digest.words.7]
            words[index] ^= 0x8000_0000
            let other = TokenDigest(words: (words[0], words[1], words[2], words[3], words[4], words[5], words[6], words[7]))
            #expect(!digest.constantTimeEquals(other))
        }
    }

    @Test("a token matches its digest, a different token does not")
    func matching() throws {
        let digest = try #require(TokenDigest(hex: sha256Hex("s3cret")))
        #expect(digest.constantTimeEquals(TokenDigest.digest(of: "s3cret"[...])))
        #expect(!digest.constantTimeEquals(TokenDigest.digest(of: "s3cret2"[...])))
        // A token inside a larger string (as it sits after "Bearer ") hashes the same.
        let header = "Bearer s3cret"
        #expect(digest.constantTimeEquals(TokenDigest.digest(of: header.dropFirst(7))))
    }
}

@Suite("AccessController")
struct AccessControllerTests {
    static let compute = ComputeServiceDescriptor.serviceName
    let logs = InMemoryLogHandler()
    let controller: AccessController

    init() throws {
        let logs = self.logs
        let policy = try AccessPolicy(json: policyJSON([
            ["name": "ops", "token_sha256": sha256Hex("ops-token"), "role": "admin"],
            ["name": "portal", "token_sha256": sha256Hex("portal-token"), "role": "operator", "tenants": ["acme-*"]],
            ["name": "billing", "client_certificate": ["uri_san": "spiffe://corp.example/billing"], "role": "viewer"],
            ["name": "batch", "client_certificate": ["common_name": "batch"], "role": "operator"],
        ]))
        controller = AccessController(policy: policy, logger: Logger(label: "test", factory: { _ in logs }))
    }

    func context(_ method: String, token: String? = nil, authorization: String? = nil, certificate: PeerCertificateIdentity? = nil) -> ServerContext {
        var metadata = Metadata()
        if let token { metadata.add("authorization", "Bearer \(token)") }
        if let authorization { metadata.add("authorization", authorization) }
        return ServerContext(
            descriptor: MethodDescriptor(service: Self.compute, method: method), requestMetadata: metadata,
            peerCertificate: certificate
        )
    }

    func admit(_ context: ServerContext) -> Result<String, RPCError> {
        guard let gate = controller.gate(for: context.descriptor) else { return .success("(open)") }
        do throws(RPCError) {
            return .success(try gate.admit(context).name)
        } catch {
            return .failure(error)
        }
    }

    @Test("a known token names its caller; the scheme is case-insensitive")
    func token() throws {
        #expect(try admit(context("DestroyTenant", token: "ops-token")).get() == "ops")
        #expect(try admit(context("GetTenantStatus", authorization: "bearer portal-token")).get() == "portal")
    }

    @Test("a client certificate names its caller by URI SAN or common name")
    func certificate() throws {
        let billing = PeerCertificateIdentity(uriSANs: ["spiffe://corp.example/billing"], dnsSANs: [], commonName: "x")
        #expect(try admit(context("ListProviders", certificate: billing)).get() == "billing")
        let batch = PeerCertificateIdentity(uriSANs: [], dnsSANs: ["b"], commonName: "batch")
        #expect(try admit(context("ProvisionTenant", certificate: batch)).get() == "batch")
    }

    @Test("a token wins over the certificate on the same call")
    func tokenOverCertificate() throws {
        let billing = PeerCertificateIdentity(uriSANs: ["spiffe://corp.example/billing"], dnsSANs: [], commonName: nil)
        #expect(try admit(context("DestroyTenant", token: "ops-token", certificate: billing)).get() == "ops")
    }

    static let refusals: [(String, String?, String?, StatusCode, String)] = [
        ("no credentials", nil, nil, .unauthenticated, "no credentials"),
        ("unknown token", "guess", nil, .unauthenticated, "not one the auth policy knows"),
        ("not bearer", nil, "Basic b3BzOnRva2Vu", .unauthenticated, "is not \"Bearer <token>\""),
        ("empty bearer", nil, "Bearer ", .unauthenticated, "is not \"Bearer <token>\""),
    ]

    @Test("no or unknown credentials are UNAUTHENTICATED, saying what is missing, never echoing the token", arguments: refusals)
    func unauthenticated(_ name: String, _ token: String?, _ authorization: String?, _ code: StatusCode, _ expected: String) {
        guard case .failure(let error) = admit(context("ListProviders", token: token, authorization: authorization)) else {
            Issue.record("\(name): admitted")
            return
        }
        #expect(error.code == code)
        #expect(error.message.contains(expected), "\(error.message)")
        if let token { #expect(!error.message.contains(token)) }
        #expect(!error.message.contains("b3BzOnRva2Vu"))
        #expect(logs.entries.contains { $0.message.description == "audit: access denied" && $0.metadata["caller"] == "unknown" })
        for entry in logs.entries {
            if let token { #expect(!"\(entry.message) \(entry.metadata)".contains(token)) }
        }
    }

    @Test("an unknown certificate is UNAUTHENTICATED and the message names what it carries")
    func unknownCertificate() {
        let stranger = PeerCertificateIdentity(uriSANs: ["spiffe://other"], dnsSANs: [], commonName: "stranger")
        guard case .failure(let error) = admit(context("ListProviders", certificate: stranger)) else {
            Issue.record("admitted")
            return
        }
        #expect(error.code == .unauthenticated)
        #expect(error.message.contains("spiffe://other"))
    }

    @Test("a known caller without the role is PERMISSION_DENIED, naming its role and the one needed")
    func permissionDenied() {
        guard case .failure(let error) = admit(context("DestroyTenant", token: "portal-token")) else {
            Issue.record("admitted")
            return
        }
        #expect(error.code == .permissionDenied)
        #expect(error.message == "caller \"portal\" has role operator; DestroyTenant needs admin")
        #expect(!error.message.contains("portal-token"))
        #expect(logs.entries.contains { $0.metadata["caller"] == "portal" && $0.metadata["outcome"] == "denied" })
    }

    @Test("health has no gate; reflection needs a known caller unless the policy opens it")
    func healthAndReflection() throws {
        #expect(controller.gate(for: MethodDescriptor(service: "grpc.health.v1.Health", method: "Check")) == nil)
        let reflection = MethodDescriptor(service: "grpc.reflection.v1.ServerReflection", method: "ServerReflectionInfo")
        let gate = try #require(controller.gate(for: reflection))
        #expect(throws: RPCError.self) { try gate.admit(ServerContext(descriptor: reflection)) }
        var metadata = Metadata()
        metadata.add("authorization", "Bearer portal-token")
        #expect(try gate.admit(ServerContext(descriptor: reflection, requestMetadata: metadata)).name == "portal")

        let open = AccessController(
            policy: try AccessPolicy(json: policyJSON([], reflection: "open")),
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        )
        #expect(try open.gate(for: reflection)!.admit(ServerContext(descriptor: reflection)).name == "anonymous")
    }
}

@Suite("AccessController reload")
struct AccessControllerReloadTests {
    @Test("a changed valid file replaces the policy; an invalid one keeps it and logs an error once")
    func reload() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("policy-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: path) }
        try policyJSON([["name": "ops", "token_sha256": sha256Hex("a"), "role": "admin"]]).write(to: path)
        let logs = InMemoryLogHandler()
        let controller = try AccessController(path: path.path, logger: Logger(label: "test", factory: { _ in logs }))
        #expect(controller.policy.callers.map(\.name) == ["ops"])
        #expect(!controller.reloadIfChanged())

        try policyJSON([["name": "ops2", "token_sha256": sha256Hex("b"), "role": "viewer"]]).write(to: path)
        #expect(controller.reloadIfChanged())
        #expect(controller.policy.callers.map(\.name) == ["ops2"])
        #expect(logs.entries.contains { $0.level == .notice && $0.message.description == "auth policy reloaded" })

        try Data(#"{"callers": [{"name": "x"}]}"#.utf8).write(to: path)
        #expect(!controller.reloadIfChanged())
        #expect(!controller.reloadIfChanged())
        #expect(controller.policy.callers.map(\.name) == ["ops2"])
        #expect(logs.entries.filter { $0.level == .error }.count == 1)
    }

    @Test("a file that does not exist or parse at start-up throws")
    func startup() throws {
        #expect(throws: AccessPolicyError.self) {
            try AccessController(path: "/nonexistent/policy.json", logger: Logger(label: "t"))
        }
    }
}
