import Foundation
import LandlordProviderKit
import LandlordProviderKitTesting
import NIOHTTP1
import Testing

@Suite("Engine client: TLS")
struct EngineClientTLSTests {
    /// Runs `body` with a TLS server answering 200 `{"tls":true}` and the test CA.
    private func withServer(
        requireClientCertificate: Bool = false,
        named: Bool = false,
        _ body: (LocalHTTPServer, TestCertificateAuthority) async throws -> Void
    ) async throws {
        let ca = try TestCertificateAuthority()
        defer { ca.remove() }
        try await LocalHTTPServer.with(
            tls: try ca.serverTLS(requireClientCertificate: requireClientCertificate, named: named),
            handler: { _, _ in .json(200, #"{"tls":true}"#) }
        ) { server in
            try await body(server, ca)
        }
    }

    private func client(
        _ server: LocalHTTPServer,
        host: String = "127.0.0.1",
        tls: EngineTLSConfiguration?
    ) throws -> EngineClient {
        try EngineClient(
            endpoint: .url(scheme: .https, host: host, port: server.port),
            configuration: .init(requestTimeout: .seconds(5), retryPolicy: SleepRecorder().policy(), tls: tls)
        )
    }

    @Test("HTTPS with the test CA trusted succeeds (IP and DNS names)")
    func trusted() async throws {
        try await self.withServer { server, ca in
            for host in ["127.0.0.1", "localhost"] {
                try await self.client(server, host: host, tls: .init(trustRoots: .file(ca.caCertificatePath))).using {
                    client in
                    let response = try await client.execute(EngineRequest(.GET, "/", operation: "call"), expecting: [200])
                    #expect(response.text == #"{"tls":true}"#)
                }
            }
        }
    }

    @Test("trust roots given as PEM bytes, and a server name other than the address")
    func pemBytesAndServerName() async throws {
        try await self.withServer(named: true) { server, ca in
            let pem = Array(try Data(contentsOf: URL(fileURLWithPath: ca.caCertificatePath)))
            // The certificate names engine.internal only: the address 127.0.0.1 does not match it.
            let tls = EngineTLSConfiguration(trustRoots: .bytes(pem), serverName: "engine.internal")
            try await self.client(server, tls: tls).using { client in
                let status = try await client.execute(EngineRequest(.GET, "/", operation: "call")).status
                #expect(status == 200)
            }
            #expect(server.requests.first?.headers["Host"].first?.hasPrefix("engine.internal") == true)
            for tls in [EngineTLSConfiguration(trustRoots: .bytes(pem)), .init(trustRoots: .bytes(pem), serverName: "other.internal")] {
                try await self.client(server, tls: tls).using { client in
                    let error = await #expect(throws: EngineClientError.self) {
                        try await client.execute(EngineRequest(.GET, "/", operation: "call"))
                    }
                    #expect(error?.kind == .tls)
                }
            }
            #expect(server.requests.count == 1)
        }
    }

    @Test("HTTPS with the CA not trusted fails with a TLS error, without retries")
    func untrusted() async throws {
        try await self.withServer { server, ca in
            for tls in [EngineTLSConfiguration(trustRoots: .file(ca.otherCACertificatePath)), nil] {
                try await self.client(server, tls: tls).using { client in
                    let error = await #expect(throws: EngineClientError.self) {
                        try await client.execute(EngineRequest(.GET, "/", operation: "read cluster version"))
                    }
                    #expect(error?.kind == .tls)
                    #expect(error?.description.hasPrefix("read cluster version: TLS with the engine at https://127.0.0.1:") == true)
                }
            }
            #expect(server.requests.isEmpty)
        }
    }

    @Test("mutual TLS: the call succeeds with the client certificate and fails without")
    func mutualTLS() async throws {
        try await self.withServer(requireClientCertificate: true) { server, ca in
            let withCertificate = EngineTLSConfiguration(
                trustRoots: .file(ca.caCertificatePath),
                certificateChain: .file(ca.clientCertificatePath),
                privateKey: .file(ca.clientKeyPath)
            )
            try await self.client(server, tls: withCertificate).using { client in
                let status = try await client.execute(EngineRequest(.GET, "/", operation: "call")).status
                #expect(status == 200)
            }
            #expect(server.requests.count == 1)
            try await self.client(server, tls: .init(trustRoots: .file(ca.caCertificatePath))).using { client in
                let error = await #expect(throws: EngineClientError.self) {
                    try await client.execute(EngineRequest(.GET, "/", operation: "call"))
                }
                #expect(error?.kind == .tls)
            }
            #expect(server.requests.count == 1)
        }
    }

    @Test("unreadable or invalid TLS files are named in the error, key content never")
    func fileErrors() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let ca = try TestCertificateAuthority()
        defer { ca.remove() }
        let missing = directory.path("missing.pem")
        #expect(throws: EngineConfigurationError("cannot read the CA bundle \(missing): no such file")) {
            try EngineTLSConfiguration(trustRoots: .file(missing)).makeTLSConfiguration()
        }
        let notPEM = try directory.write("garbage.pem", "hello")
        let error = #expect(throws: EngineConfigurationError.self) {
            try EngineTLSConfiguration(trustRoots: .file(notPEM)).makeTLSConfiguration()
        }
        #expect(error?.message.hasPrefix("the CA bundle \(notPEM) ") == true)
        // A certificate where the key should be: the error names the file, not its content.
        let keyText = try String(contentsOfFile: ca.clientKeyPath, encoding: .utf8)
        let badKey = try directory.write("bad-key.pem", String(keyText.dropLast(40)))
        let keyError = #expect(throws: EngineConfigurationError.self) {
            try EngineTLSConfiguration(
                certificateChain: .file(ca.clientCertificatePath), privateKey: .file(badKey)
            ).makeTLSConfiguration()
        }
        #expect(keyError?.message == "the client key \(badKey) is not an unencrypted PEM private key (PKCS#8, RSA or EC)")
        #expect(throws: EngineConfigurationError("a client certificate needs its private key")) {
            try EngineTLSConfiguration(certificateChain: .file(ca.clientCertificatePath)).makeTLSConfiguration()
        }
        let inline = EngineTLSConfiguration(privateKey: .bytes(Array(keyText.utf8)))
        #expect(!inline.description.contains("PRIVATE KEY"))
        #expect(throws: EngineConfigurationError.self) {
            try EngineClient(
                endpoint: .url(scheme: .https, host: "127.0.0.1", port: 1),
                configuration: .init(tls: .init(trustRoots: .file(missing))))
        }
    }
}
