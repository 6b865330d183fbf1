/// A client setting that cannot be used: an engine address that does not parse, a certificate,
/// key or token file that cannot be read.
///
/// The message names the setting or file and what is wrong with it, never a key's or token's
/// content.
package struct EngineConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong, e.g. `cannot read the client key /etc/landlord/key.pem: No such file or directory`.
    package var message: String

    /// An error with `message`.
    package init(_ message: String) {
        self.message = message
    }

    package var description: String { self.message }
}
