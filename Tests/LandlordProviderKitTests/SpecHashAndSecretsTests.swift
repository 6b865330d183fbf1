import Foundation
import LandlordCompute
import LandlordProviderKit
import Testing

@Suite("Spec hash and stored spec")
struct SpecHashTests {
    @Test(
        "FNV-1a 64 matches the reference test vectors",
        arguments: [
            ("", "cbf29ce484222325"), ("a", "af63dc4c8601ec8c"), ("foobar", "85944171f73967e8"),
        ])
    func fnv(_ input: String, _ hex: String) {
        #expect(SpecHash.hex(input.utf8) == hex)
        #expect(SpecHash.fingerprint(input) == "fnv1a64:\(hex)")
    }

}

@Suite("Secret resolver")
struct SecretResolverTests {
    @Test(
        "file keys must stay inside the secrets directory",
        arguments: [
            ("db", true), ("team/db.pem", true), ("", false), ("/etc/passwd", false), ("../x", false),
            ("a/../b", false), ("./a", false), ("a//b", false), ("a\0b", false),
        ])
    func fileKeys(_ key: String, _ safe: Bool) {
        #expect(SecretResolver.isSafeFileKey(key) == safe)
    }

    @Test("file secrets: one trailing newline (LF or CRLF) dropped, at most 1 MiB, no directory no file secrets")
    func fileRules() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("landlord-secrets-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data("crlf-s3cret\r\n\n".utf8).write(to: directory.appendingPathComponent("two"))
        try Data("crlf-s3cret\r\n".utf8).write(to: directory.appendingPathComponent("crlf"))
        try Data(repeating: 0x61, count: SecretResolver.maximumFileSize + 1).write(to: directory.appendingPathComponent("big"))
        let resolver = SecretResolver(directory: directory.path, environment: { _ in nil })
        let reference = { (key: String) in SecretReference(name: "s", source: "file", key: key, envVar: "S") }
        #expect(try resolver.value(of: reference("crlf")) == "crlf-s3cret")
        #expect(try resolver.value(of: reference("two")) == "crlf-s3cret\r\n")
        #expect { try resolver.value(of: reference("big")) } throws: { "\($0)".contains("larger than 1 MiB") }
        #expect { try resolver.value(of: reference("../two")) } throws: { "\($0)".contains("not a file name") }
        let withoutDirectory = SecretResolver(directory: nil, environment: { _ in nil })
        #expect { try withoutDirectory.value(of: reference("crlf")) } throws: {
            "\($0)".contains("no secrets directory")
        }
        #expect {
            try resolver.value(of: SecretReference(name: "s", source: "vault", key: "k", envVar: "S"))
        } throws: { "\($0)" == #"secret "s": source must be "env" or "file""# }
    }

    @Test("secrets resolve from the environment and from files")
    func secrets() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("landlord-secrets-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data("file-s3cret\n".utf8).write(to: directory.appendingPathComponent("db"))
        let resolver = SecretResolver(directory: directory.path, environment: { $0 == "TOKEN" ? "env-s3cret" : nil })
        #expect(
            try resolver.environmentVariables(for: [
                SecretReference(name: "a", source: "env", key: "TOKEN", envVar: "A"),
                SecretReference(name: "b", source: "file", key: "db", envVar: "B"),
            ]) == ["A": "env-s3cret", "B": "file-s3cret"]
        )
        #expect {
            try resolver.value(of: SecretReference(name: "missing", source: "env", key: "NOPE_KEY", envVar: "X"))
        } throws: { error in
            "\(error)".contains("\"missing\"") && !"\(error)".contains("NOPE_KEY")
        }
        #expect(throws: SecretResolver.Failure.self) {
            try resolver.value(of: SecretReference(name: "gone", source: "file", key: "nope", envVar: "X"))
        }
    }
}

@Suite("Stored spec")
struct StoredSpecTests {
    struct Config: Encodable {
        var zeta = 1
        var alpha = "a"
    }

    static func spec() -> TenantComputeSpec {
        var spec = TenantComputeSpec(tenantID: "acme", providerType: "test")
        spec.containers = [
            ContainerSpec(name: "web", image: "nginx:1.27", env: ["TOKEN": "tok-s3cret"]),
            ContainerSpec(name: "db", image: "postgres:17"),
        ]
        spec.secrets = [SecretReference(name: "db", source: "env", key: "DB_PASSWORD_KEY", envVar: "PGPASSWORD")]
        return spec
    }

    @Test("the stored form keeps no environment value or secret key, and a canonical provider_config")
    func sanitized() throws {
        let stored = StoredSpec.sanitized(Self.spec(), providerConfig: Config())
        let text = StoredSpec.canonicalString(stored)
        #expect(!text.contains("tok-s3cret"))
        #expect(!text.contains("DB_PASSWORD_KEY"))
        #expect(stored.containers[0].env["TOKEN"] == SpecHash.fingerprint("tok-s3cret"))
        #expect(stored.secrets[0].key == SpecHash.fingerprint("DB_PASSWORD_KEY"))
        let config = try #require(stored.providerConfig)
        #expect(String(decoding: StoredSpec.canonicalJSON(config), as: UTF8.self) == #"{"alpha":"a","zeta":1}"#)
        #expect(StoredSpec.sanitized(Self.spec(), providerConfig: Config?.none).providerConfig == nil)
    }

    @Test("a container's hash changes with it and with the tenant-wide part, not with its siblings")
    func hashes() {
        let stored = StoredSpec.sanitized(Self.spec(), providerConfig: Config?.none)
        let tenantPart = StoredSpec.tenantPart(of: stored)
        #expect(tenantPart.containers.isEmpty)
        let web = StoredSpec.hash(container: stored.containers[0], tenantPart: tenantPart)
        #expect(web.count == 16)

        var changedSibling = Self.spec()
        changedSibling.containers[1].image = "postgres:18"
        let sibling = StoredSpec.sanitized(changedSibling, providerConfig: Config?.none)
        #expect(StoredSpec.hash(container: sibling.containers[0], tenantPart: StoredSpec.tenantPart(of: sibling)) == web)

        var changedEnv = Self.spec()
        changedEnv.containers[0].env["TOKEN"] = "rotated"
        let env = StoredSpec.sanitized(changedEnv, providerConfig: Config?.none)
        #expect(StoredSpec.hash(container: env.containers[0], tenantPart: StoredSpec.tenantPart(of: env)) != web)

        let withConfig = StoredSpec.sanitized(Self.spec(), providerConfig: Config())
        #expect(
            StoredSpec.hash(container: withConfig.containers[0], tenantPart: StoredSpec.tenantPart(of: withConfig))
                != web)
    }

    @Test("the stored parts reassemble into the stored spec; an unreadable part gives nil")
    func reassemble() throws {
        let stored = StoredSpec.sanitized(Self.spec(), providerConfig: Config())
        let rebuilt = try #require(
            StoredSpec.reassemble(
                tenantID: "acme", providerType: "test",
                tenantPart: StoredSpec.canonicalString(StoredSpec.tenantPart(of: stored)),
                containers: stored.containers.map { StoredSpec.canonicalString($0) }
            ))
        #expect(rebuilt == stored)
        #expect(
            StoredSpec.reassemble(tenantID: "acme", providerType: "test", tenantPart: "{", containers: []) == nil)
        #expect(
            StoredSpec.reassemble(
                tenantID: "acme", providerType: "test",
                tenantPart: StoredSpec.canonicalString(StoredSpec.tenantPart(of: stored)), containers: ["[]"]) == nil)
    }
}
