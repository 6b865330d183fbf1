import Crypto
import Foundation
import InMemoryLogging
import LandlordProviderKitTesting
import LandlordRPC
import Logging
import NIOSSL
import SwiftASN1
import Testing
import X509

@testable import LandlordTransport

@Suite("Client certificate identity")
struct PeerCertificateIdentityTests {
    static func certificate(subject: DistinguishedName, names: [GeneralName]) throws -> [UInt8] {
        let key = P256.Signing.PrivateKey()
        let now = Date()
        let certificate = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(key.publicKey),
            notValidBefore: now, notValidAfter: now.addingTimeInterval(3600),
            issuer: subject, subject: subject, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                if !names.isEmpty { SubjectAlternativeNames(names) }
            },
            issuerPrivateKey: .init(key)
        )
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        return serializer.serializedBytes
    }

    @Test("URI SANs, DNS SANs and the subject CN are read from the certificate")
    func names() throws {
        let der = try Self.certificate(
            subject: try DistinguishedName { OrganizationName("corp"); CommonName("billing") },
            names: [
                .uniformResourceIdentifier("spiffe://corp.example/billing"), .dnsName("billing.internal"),
                .dnsName("billing"), .ipAddress(ASN1OctetString(contentBytes: [10, 0, 0, 1])),
            ]
        )
        let identity = try PeerCertificateIdentity(derEncoded: der)
        #expect(identity.uriSANs == ["spiffe://corp.example/billing"])
        #expect(identity.dnsSANs == ["billing.internal", "billing"])
        #expect(identity.commonName == "billing")
    }

    @Test("a certificate without SANs or CN gives empty names")
    func empty() throws {
        let identity = try PeerCertificateIdentity(
            derEncoded: try Self.certificate(subject: try DistinguishedName { OrganizationName("corp") }, names: [])
        )
        #expect(identity.uriSANs.isEmpty && identity.dnsSANs.isEmpty && identity.commonName == nil)
    }

    @Test("bytes that are no certificate throw")
    func garbage() {
        #expect(throws: (any Error).self) { try PeerCertificateIdentity(derEncoded: [0x30, 0x03, 0x01, 0x02]) }
    }
}

@Suite("TLS credentials")
struct TLSCredentialsTests {
    @Test("the files load; changed valid files make a new context, bad ones keep the old one and log an error")
    func reload() throws {
        let first = try TestCertificateAuthority()
        let second = try TestCertificateAuthority()
        defer {
            first.remove()
            second.remove()
        }
        let directory = first.directory
        let certificate = directory.appendingPathComponent("live-cert.pem")
        let key = directory.appendingPathComponent("live-key.pem")
        func install(_ ca: TestCertificateAuthority) throws {
            try Data(contentsOf: URL(fileURLWithPath: ca.serverCertificatePath)).write(to: certificate)
            try Data(contentsOf: URL(fileURLWithPath: ca.serverKeyPath)).write(to: key)
        }
        try install(first)
        let credentials = try TLSCredentials(files: .init(certificate: certificate.path, key: key.path, clientCA: first.caCertificatePath))
        #expect(credentials.requiresClientCertificate)
        let logs = InMemoryLogHandler()
        let logger = Logger(label: "test", factory: { _ in logs })
        let original = credentials.currentContext
        #expect(!credentials.reloadIfChanged(logger: logger))
        #expect(credentials.currentContext === original)

        // A certificate whose key is the other one's: does not load, the context stays.
        try Data(contentsOf: URL(fileURLWithPath: second.serverCertificatePath)).write(to: certificate)
        #expect(!credentials.reloadIfChanged(logger: logger))
        #expect(credentials.currentContext === original)
        #expect(logs.entries.map(\.level) == [.error])

        try install(second)
        #expect(credentials.reloadIfChanged(logger: logger))
        #expect(credentials.currentContext !== original)
        #expect(logs.entries.map(\.level) == [.error, .notice])

        try Data("not pem".utf8).write(to: key)
        #expect(!credentials.reloadIfChanged(logger: logger))
        #expect(logs.entries.map(\.level) == [.error, .notice, .error])
    }

    @Test("missing or invalid files at start-up throw, naming the file")
    func startup() throws {
        #expect(throws: TLSCredentialsError("cannot read /nonexistent/cert.pem")) {
            try TLSCredentials(files: .init(certificate: "/nonexistent/cert.pem", key: "/nonexistent/key.pem"))
        }
        let ca = try TestCertificateAuthority()
        defer { ca.remove() }
        #expect(throws: TLSCredentialsError("\(ca.serverKeyPath) holds no PEM certificate")) {
            try TLSCredentials(files: .init(certificate: ca.serverKeyPath, key: ca.serverKeyPath))
        }
    }
}

