import LandlordCompute
import Testing

@Suite("Image references")
struct ImageReferenceTests {
    static let digest = "sha256:" + String(repeating: "a1b2c3d4", count: 8)

    static let valid: [String] = [
        "nginx",
        "nginx:1.25",
        "nginx:latest",
        "library/nginx",
        "library/nginx:1.25-alpine",
        "registry.example.com:5000/team/app:v1",
        "registry.example.com/team/sub/app",
        "localhost/busybox:latest",
        "localhost:5000/busybox",
        "nginx@" + digest,
        "nginx:1.25@" + digest,
        "ghcr.io/org/app@" + digest,
        "a",
        "my_app",
        "my__app",
        "my-app",
        "my---app",
        "my.app",
        "a1/b2/c3",
        "Registry.Example.com/app",
        "[::1]:5000/app",
        "192.168.1.10:5000/app:1.0",
        "nginx:_tag",
        "nginx:" + String(repeating: "t", count: 128),
    ]

    static let invalid: [String] = [
        "",
        "nginx:",
        "nginx@sha256:abc",
        "nginx@sha256:" + String(repeating: "A", count: 64),
        "nginx@md5:" + String(repeating: "a", count: 64),
        "nginx@",
        "Nginx",
        "library/Nginx",
        "nginx:-tag",
        "nginx:.tag",
        "nginx:tag!",
        "nginx:" + String(repeating: "t", count: 129),
        "/nginx",
        "nginx/",
        "library//nginx",
        "-nginx",
        "nginx-",
        "my..app",
        "my___app",
        "my_-app",
        "nginx latest",
        "registry.example.com:99999/app",
        "registry.example.com:/app",
        ":tag",
        "@" + digest,
        String(repeating: "a", count: 256),
    ]

    @Test("valid references parse", arguments: Self.valid)
    func validReference(_ reference: String) {
        #expect(ImageReference.isValid(reference))
        #expect(SpecValidator.isValidImageReference(reference))
    }

    @Test("invalid references are rejected with a reason", arguments: Self.invalid)
    func invalidReference(_ reference: String) {
        #expect(throws: ImageReference.ParseError.self) { try ImageReference(parsing: reference) }
        #expect(!SpecValidator.isValidImageReference(reference))
    }

    @Test(
        "references split into registry, path, tag and digest",
        arguments: [
            ("nginx", nil, "nginx", nil, false),
            ("nginx:1.25", nil, "nginx", "1.25", false),
            ("library/nginx", nil, "library/nginx", nil, false),
            ("localhost/busybox:latest", "localhost", "busybox", "latest", false),
            ("registry.example.com:5000/team/app:v1", "registry.example.com:5000", "team/app", "v1", false),
            ("nginx@" + digest, nil, "nginx", nil, true),
        ] as [(String, String?, String, String?, Bool)]
    )
    func components(_ reference: String, registry: String?, path: String, tag: String?, hasDigest: Bool) throws {
        let parsed = try ImageReference(parsing: reference)
        #expect(parsed.registry == registry)
        #expect(parsed.path == path)
        #expect(parsed.tag == tag)
        #expect(parsed.digest == (hasDigest ? Self.digest : nil))
        #expect(parsed.description == reference)
    }

    @Test("the parse error says what is wrong")
    func reasons() {
        #expect(throws: ImageReference.ParseError(reason: "the tag after \":\" must not be empty")) {
            try ImageReference(parsing: "nginx:")
        }
        #expect(
            throws: ImageReference.ParseError(
                reason: "the digest must be \"sha256:\" followed by 64 lowercase hex digits")
        ) {
            try ImageReference(parsing: "nginx@sha256:abc")
        }
    }
}
