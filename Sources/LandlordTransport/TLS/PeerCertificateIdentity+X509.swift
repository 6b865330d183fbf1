package import LandlordRPC
import SwiftASN1
import X509

extension PeerCertificateIdentity {
    /// The names of a DER-encoded certificate: its URI and DNS subject alternative names and its
    /// subject's common name (swift-certificates parses it).
    ///
    /// - Throws: when the bytes are not a certificate swift-certificates can parse.
    package convenience init(derEncoded bytes: [UInt8]) throws {
        let certificate = try Certificate(derEncoded: bytes)
        var uriSANs: [String] = []
        var dnsSANs: [String] = []
        for name in try certificate.extensions.subjectAlternativeNames ?? SubjectAlternativeNames() {
            switch name {
            case .uniformResourceIdentifier(let uri): uriSANs.append(uri)
            case .dnsName(let dns): dnsSANs.append(dns)
            default: break
            }
        }
        var commonName: String?
        for rdn in certificate.subject {
            for attribute in rdn where attribute.type == .RDNAttributeType.commonName {
                commonName = String(attribute.value)
            }
        }
        self.init(uriSANs: uriSANs, dnsSANs: dnsSANs, commonName: commonName)
    }
}
