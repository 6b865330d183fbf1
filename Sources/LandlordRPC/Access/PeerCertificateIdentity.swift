/// The names in the certificate a client presented over mutual TLS.
///
/// Extracted once per connection, right after the TLS handshake, and shared by every call
/// of that connection (a class: handing it to a call is one retain, never a copy).
public final class PeerCertificateIdentity: Sendable, CustomStringConvertible {
    /// The URI subject alternative names, e.g. `spiffe://corp.example/billing`.
    public let uriSANs: [String]
    /// The DNS subject alternative names.
    public let dnsSANs: [String]
    /// The subject's common name, if it has one.
    public let commonName: String?

    public init(uriSANs: [String], dnsSANs: [String], commonName: String?) {
        self.uriSANs = uriSANs
        self.dnsSANs = dnsSANs
        self.commonName = commonName
    }

    /// The names only, never the certificate body: safe for a log line.
    public var description: String {
        "uri_san=\(uriSANs) dns_san=\(dnsSANs) common_name=\(commonName ?? "")"
    }
}
