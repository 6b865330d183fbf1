internal import Crypto
package import Foundation
package import NIOSSL
internal import SwiftASN1
internal import X509

/// A certificate authority made for one test run: a CA, a server certificate for 127.0.0.1 and
/// `localhost`, and a client certificate, all P-256, written as PEM files to a temporary directory.
package struct TestCertificateAuthority {
    package let directory: URL
    /// The CA certificate (PEM file).
    package let caCertificatePath: String
    package let serverCertificatePath: String
    package let serverKeyPath: String
    /// A server certificate for the name `engine.internal` only (no IP address).
    package let namedServerCertificatePath: String
    package let clientCertificatePath: String
    package let clientKeyPath: String

    /// A CA nobody trusts: a second, unrelated CA's certificate.
    package let otherCACertificatePath: String

    package init() throws {
        self.directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "landlord-test-ca-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: self.directory, withIntermediateDirectories: true)

        let caKey = P256.Signing.PrivateKey()
        let caName = try DistinguishedName { CommonName("landlord test CA") }
        let ca = try Self.certificate(
            subject: caName, publicKey: caKey.publicKey, issuer: caName, issuerKey: caKey,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
            }
        )

        let serverKey = P256.Signing.PrivateKey()
        let server = try Self.certificate(
            subject: try DistinguishedName { CommonName("localhost") }, publicKey: serverKey.publicKey,
            issuer: caName, issuerKey: caKey,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.serverAuth])
                SubjectAlternativeNames([.dnsName("localhost"), .ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1]))])
            }
        )

        let named = try Self.certificate(
            subject: try DistinguishedName { CommonName("engine.internal") }, publicKey: serverKey.publicKey,
            issuer: caName, issuerKey: caKey,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.serverAuth])
                SubjectAlternativeNames([.dnsName("engine.internal")])
            }
        )

        let clientKey = P256.Signing.PrivateKey()
        let client = try Self.certificate(
            subject: try DistinguishedName { CommonName("landlord test client") }, publicKey: clientKey.publicKey,
            issuer: caName, issuerKey: caKey,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.clientAuth])
            }
        )

        let otherKey = P256.Signing.PrivateKey()
        let otherName = try DistinguishedName { CommonName("someone else's CA") }
        let other = try Self.certificate(
            subject: otherName, publicKey: otherKey.publicKey, issuer: otherName, issuerKey: otherKey,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
            }
        )

        let directory = self.directory
        func write(_ name: String, _ pem: String) throws -> String {
            let url = directory.appendingPathComponent(name)
            try Data(pem.utf8).write(to: url)
            return url.path
        }
        self.caCertificatePath = try write("ca.pem", try ca.serializeAsPEM().pemString)
        self.serverCertificatePath = try write("server.pem", try server.serializeAsPEM().pemString)
        self.serverKeyPath = try write("server-key.pem", serverKey.pemRepresentation)
        self.namedServerCertificatePath = try write("named-server.pem", try named.serializeAsPEM().pemString)
        self.clientCertificatePath = try write("client.pem", try client.serializeAsPEM().pemString)
        self.clientKeyPath = try write("client-key.pem", clientKey.pemRepresentation)
        self.otherCACertificatePath = try write("other-ca.pem", try other.serializeAsPEM().pemString)
    }

    /// Removes the directory.
    package func remove() {
        try? FileManager.default.removeItem(at: self.directory)
    }

    /// The server side of TLS: the server certificate; with `requireClientCertificate`, a client
    /// certificate issued by the CA is required.
    /// With `named`, the certificate for `engine.internal` only.
    package func serverTLS(requireClientCertificate: Bool = false, named: Bool = false) throws -> TLSConfiguration {
        let certificate = named ? self.namedServerCertificatePath : self.serverCertificatePath
        var tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(certificate).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: self.serverKeyPath, format: .pem))
        )
        tls.minimumTLSVersion = .tlsv12
        if requireClientCertificate {
            tls.certificateVerification = .noHostnameVerification
            tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(self.caCertificatePath))
        }
        return tls
    }

    private static func certificate(
        subject: DistinguishedName,
        publicKey: P256.Signing.PublicKey,
        issuer: DistinguishedName,
        issuerKey: P256.Signing.PrivateKey,
        extensions: Certificate.Extensions
    ) throws -> Certificate {
        let now = Date()
        return try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: .init(publicKey),
            notValidBefore: now.addingTimeInterval(-3600),
            notValidAfter: now.addingTimeInterval(86_400),
            issuer: issuer,
            subject: subject,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: extensions,
            issuerPrivateKey: .init(issuerKey)
        )
    }
}
