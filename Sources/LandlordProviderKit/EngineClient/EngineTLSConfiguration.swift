internal import Foundation
package import NIOSSL

/// How a client verifies an engine's TLS certificate and proves its own identity: trust roots
/// (a PEM bundle, or the system's roots), an optional client certificate chain and private key,
/// an optional server name to verify instead of the endpoint's host; TLS 1.2 or newer.
package struct EngineTLSConfiguration: Sendable, Hashable, CustomStringConvertible {
    /// PEM text: a file path, or the bytes themselves (e.g. from a Kubernetes secret or a
    /// kubeconfig's `certificate-authority-data`).
    package enum PEM: Sendable, Hashable, CustomStringConvertible {
        /// A PEM file.
        case file(String)
        /// PEM bytes.
        case bytes([UInt8])

        /// The file's path, or `inline PEM (N bytes)`; never the content.
        package var description: String {
            switch self {
            case .file(let path): path
            case .bytes(let bytes): "inline PEM (\(bytes.count) bytes)"
            }
        }
    }

    /// The certificates the engine's certificate must chain to; `nil` (the default): the system's
    /// trust roots.
    package var trustRoots: PEM?
    /// The client certificate chain, leaf first; `nil` (the default): no client certificate.
    package var certificateChain: PEM?
    /// The client certificate's private key; needed with ``certificateChain``.
    package var privateKey: PEM?
    /// The name the engine's certificate is verified against (and sent as SNI) instead of the
    /// endpoint's host; `nil` (the default): the endpoint's host.
    package var serverName: String?

    /// Creates a configuration; every argument is optional, see the properties.
    package init(
        trustRoots: PEM? = nil,
        certificateChain: PEM? = nil,
        privateKey: PEM? = nil,
        serverName: String? = nil
    ) {
        self.trustRoots = trustRoots
        self.certificateChain = certificateChain
        self.privateKey = privateKey
        self.serverName = serverName
    }

    /// The system's trust roots, no client certificate.
    package static let systemDefault = EngineTLSConfiguration()

    /// Which roots and client certificate are used, by file path; never key material.
    package var description: String {
        var parts = ["trust roots: \(self.trustRoots?.description ?? "system")"]
        if let chain = self.certificateChain { parts.append("client certificate: \(chain)") }
        if let key = self.privateKey { parts.append("client key: \(key)") }
        if let name = self.serverName { parts.append("server name: \(name)") }
        return parts.joined(separator: ", ")
    }

    /// The NIOSSL client configuration: files read and parsed now.
    ///
    /// - Throws: ``EngineConfigurationError`` naming the file (or inline PEM) that cannot be read
    ///   or holds no usable certificate or key.
    package func makeTLSConfiguration() throws(EngineConfigurationError) -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12
        tls.certificateVerification = .fullVerification
        if let roots = self.trustRoots {
            let certificates = try Self.certificates(roots, role: "CA bundle")
            tls.trustRoots = .certificates(certificates)
        }
        switch (self.certificateChain, self.privateKey) {
        case (nil, nil):
            break
        case (.some(let chain), .some(let key)):
            let certificates = try Self.certificates(chain, role: "client certificate")
            tls.certificateChain = certificates.map { .certificate($0) }
            tls.privateKey = .privateKey(try Self.privateKey(key))
        case (.some, nil):
            throw EngineConfigurationError("a client certificate needs its private key")
        case (nil, .some):
            throw EngineConfigurationError("a client private key needs its certificate")
        }
        return tls
    }

    private static func bytes(_ pem: PEM, role: String) throws(EngineConfigurationError) -> [UInt8] {
        switch pem {
        case .bytes(let bytes):
            return bytes
        case .file(let path):
            do {
                return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
            } catch {
                let reason = (error as NSError).localizedFailureReason ?? (error as NSError).localizedDescription
                throw EngineConfigurationError("cannot read the \(role) \(path): \(Self.readFailure(path) ?? reason)")
            }
        }
    }

    /// Why `path` cannot be read, from `errno`-like checks (Foundation's messages vary by platform).
    private static func readFailure(_ path: String) -> String? {
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) { return "no such file" }
        if isDirectory.boolValue { return "it is a directory" }
        if !FileManager.default.isReadableFile(atPath: path) { return "permission denied" }
        return nil
    }

    private static func certificates(_ pem: PEM, role: String) throws(EngineConfigurationError) -> [NIOSSLCertificate] {
        let bytes = try Self.bytes(pem, role: role)
        let certificates: [NIOSSLCertificate]
        do {
            certificates = try NIOSSLCertificate.fromPEMBytes(bytes)
        } catch {
            throw EngineConfigurationError("the \(role) \(pem) is not a valid PEM certificate file: \(error)")
        }
        guard !certificates.isEmpty else {
            throw EngineConfigurationError("the \(role) \(pem) holds no PEM certificate")
        }
        return certificates
    }

    private static func privateKey(_ pem: PEM) throws(EngineConfigurationError) -> NIOSSLPrivateKey {
        let bytes = try Self.bytes(pem, role: "client key")
        do {
            return try NIOSSLPrivateKey(bytes: bytes, format: .pem)
        } catch {
            // The parser's error is not passed on: it is not meant to, but might, quote the key.
            throw EngineConfigurationError(
                "the client key \(pem) is not an unencrypted PEM private key (PKCS#8, RSA or EC)")
        }
    }
}
