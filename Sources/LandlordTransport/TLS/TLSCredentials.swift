import Foundation
package import Logging
package import NIOSSL
import Synchronization

/// The server's TLS configuration from PEM files, re-read when they change.
///
/// Every new connection takes ``currentContext``; ``reloadIfChanged(logger:)`` (polled by the
/// application) builds a new context when a file's contents changed, so rotated certificates
/// reach new connections without a restart while open connections go on with theirs. A new file
/// that does not load keeps the context in force and is reported.
///
/// The context speaks TLS 1.2 and 1.3 and offers ALPN `h2` only; with a client CA, a client
/// certificate that chains to it is required (mutual TLS).
package final class TLSCredentials: Sendable {
    /// Where the PEM files are.
    package struct Files: Sendable, Hashable {
        /// The certificate chain, leaf first.
        package var certificate: String
        /// The private key of the leaf.
        package var key: String
        /// The CA bundle client certificates must chain to; `nil`: no client certificate asked for.
        package var clientCA: String?

        package init(certificate: String, key: String, clientCA: String? = nil) {
            self.certificate = certificate
            self.key = key
            self.clientCA = clientCA
        }

        fileprivate var paths: [String] { [certificate, key] + (clientCA.map { [$0] } ?? []) }
    }

    /// The ALPN protocol the server speaks; a client that does not negotiate it is refused.
    package static let applicationProtocol = "h2"

    package let files: Files
    private struct State {
        var context: NIOSSLContext
        var contents: [Data]
    }
    private let state: Mutex<State>

    /// Loads the files.
    ///
    /// - Throws: ``TLSCredentialsError`` naming the file that cannot be read or loaded.
    package init(files: Files) throws(TLSCredentialsError) {
        self.files = files
        let contents = try Self.read(files)
        self.state = Mutex(State(context: try Self.makeContext(files, contents), contents: contents))
    }

    /// Whether clients must present a certificate.
    package var requiresClientCertificate: Bool { files.clientCA != nil }

    /// The context new connections use.
    package var currentContext: NIOSSLContext { state.withLock { $0.context } }

    /// Re-reads the files; when one changed and all load, new connections get the new context.
    /// A change that does not load logs an `error` and keeps the context in force.
    ///
    /// - Returns: whether the context changed.
    @discardableResult
    package func reloadIfChanged(logger: Logger) -> Bool {
        let contents: [Data]
        do {
            contents = try Self.read(files)
        } catch {
            logger.error("TLS certificate not reloaded, keeping the previous one", metadata: ["error": "\(error.message)"])
            return false
        }
        guard contents != state.withLock({ $0.contents }) else { return false }
        do {
            let context = try Self.makeContext(files, contents)
            state.withLock { $0 = State(context: context, contents: contents) }
            logger.notice("TLS certificate reloaded", metadata: ["certificate": "\(files.certificate)"])
            return true
        } catch {
            // Remembered, so that the same bad files are reported once, not at every poll (a
            // rotation writes the files one by one: the next poll sees the complete set).
            state.withLock { $0.contents = contents }
            logger.error("TLS certificate not reloaded, keeping the previous one", metadata: ["error": "\(error.message)"])
            return false
        }
    }

    private static func read(_ files: Files) throws(TLSCredentialsError) -> [Data] {
        var contents: [Data] = []
        for path in files.paths {
            do {
                contents.append(try Data(contentsOf: URL(fileURLWithPath: path)))
            } catch {
                throw TLSCredentialsError("cannot read \(path)")
            }
        }
        return contents
    }

    private static func makeContext(_ files: Files, _ contents: [Data]) throws(TLSCredentialsError) -> NIOSSLContext {
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMBytes(Array(contents[0]))
        } catch {
            throw TLSCredentialsError("\(files.certificate) holds no PEM certificate")
        }
        guard !chain.isEmpty else { throw TLSCredentialsError("\(files.certificate) holds no PEM certificate") }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(bytes: Array(contents[1]), format: .pem)
        } catch {
            throw TLSCredentialsError("\(files.key) holds no PEM private key")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key)
        )
        configuration.minimumTLSVersion = .tlsv12
        configuration.maximumTLSVersion = .tlsv13
        configuration.applicationProtocols = [applicationProtocol]
        if let clientCA = files.clientCA {
            let roots: [NIOSSLCertificate]
            do {
                roots = try NIOSSLCertificate.fromPEMBytes(Array(contents[2]))
            } catch {
                throw TLSCredentialsError("\(clientCA) holds no PEM certificate")
            }
            guard !roots.isEmpty else { throw TLSCredentialsError("\(clientCA) holds no PEM certificate") }
            configuration.certificateVerification = .noHostnameVerification
            configuration.trustRoots = .certificates(roots)
        } else {
            configuration.certificateVerification = .none
        }
        do {
            let context = try NIOSSLContext(configuration: configuration)
            return context
        } catch {
            // E.g. a key that is not the certificate's.
            throw TLSCredentialsError("\(files.certificate) and \(files.key) do not make a TLS configuration: \(error)")
        }
    }
}

/// TLS files that cannot be used; the message names the file (never a key's bytes).
package struct TLSCredentialsError: Error, Equatable, CustomStringConvertible {
    package var message: String
    package init(_ message: String) { self.message = message }
    package var description: String { message }
}
