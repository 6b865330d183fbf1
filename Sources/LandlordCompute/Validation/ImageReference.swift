// A hand-written parser for container image references, following the Docker/OCI distribution
// reference grammar (github.com/distribution/reference, regexp.go):
//
//   reference       := name [ ":" tag ] [ "@" digest ]
//   name            := [ domain "/" ] path-component *( "/" path-component )   (at most 255 characters)
//   domain          := host [ ":" port ]
//   host            := domain-component *( "." domain-component ) | "[" ipv6 "]"
//   domain-component:= [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]
//   path-component  := [a-z0-9]+ *( separator [a-z0-9]+ )      separator := "." | "_" | "__" | "-"+
//   tag             := [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
//   digest          := "sha256:" 64 lowercase hex digits           (the only algorithm we accept)

/// A parsed container image reference such as `registry.example.com:5000/team/app:v1`.
///
/// ```swift
/// let reference = try ImageReference(parsing: "localhost/busybox:latest")
/// // reference.registry == "localhost", reference.path == "busybox", reference.tag == "latest"
/// ```
package struct ImageReference: Sendable, Hashable, CustomStringConvertible {
    /// The registry host and optional port, when the reference names one (`localhost`,
    /// `registry.example.com:5000`). A first component is a registry when it contains `.` or `:`,
    /// is `localhost`, or has an uppercase letter, as Docker decides.
    package var registry: String?
    /// The repository path, e.g. `library/nginx`.
    package var path: String
    /// The tag, e.g. `1.25`.
    package var tag: String?
    /// The digest, e.g. `sha256:` followed by 64 hex digits.
    package var digest: String?

    /// Why a string is not an image reference.
    package struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        /// A sentence fragment such as `the tag must not be empty`.
        package var reason: String

        /// Creates an error with `reason`.
        package init(reason: String) {
            self.reason = reason
        }

        package var description: String { self.reason }
    }

    /// The longest name (registry and path) the grammar allows.
    package static let maximumNameLength = 255
    /// The longest tag the grammar allows.
    package static let maximumTagLength = 128

    /// Parses `reference`, or throws a ``ParseError`` saying what is wrong.
    package init(parsing reference: String) throws(ParseError) {
        guard !reference.isEmpty else { throw ParseError(reason: "the reference is empty") }

        var remainder = Substring(reference)

        // Digest: everything after the first "@".
        if let at = remainder.firstIndex(of: "@") {
            let digest = remainder[remainder.index(after: at)...]
            guard Self.isValidDigest(digest) else {
                throw ParseError(reason: "the digest must be \"sha256:\" followed by 64 lowercase hex digits")
            }
            self.digest = String(digest)
            remainder = remainder[..<at]
        } else {
            self.digest = nil
        }

        // Tag: after the last ":" that comes after the last "/" (a ":" before a "/" is a registry port).
        let lastSlash = remainder.lastIndex(of: "/")
        if let colon = remainder.lastIndex(of: ":"), lastSlash.map({ colon > $0 }) ?? true {
            let tag = remainder[remainder.index(after: colon)...]
            guard !tag.isEmpty else { throw ParseError(reason: "the tag after \":\" must not be empty") }
            guard Self.isValidTag(tag) else {
                throw ParseError(
                    reason: "the tag \(SpecValidator.quoted(String(tag))) must be letters, digits, '_', '.' or '-', "
                        + "must not start with '.' or '-', and must be at most \(Self.maximumTagLength) characters"
                )
            }
            self.tag = String(tag)
            remainder = remainder[..<colon]
        } else {
            self.tag = nil
        }

        // Name: [registry "/"] path.
        guard !remainder.isEmpty else { throw ParseError(reason: "the repository name is empty") }
        guard remainder.utf8.count <= Self.maximumNameLength else {
            throw ParseError(reason: "the repository name must be at most \(Self.maximumNameLength) characters")
        }
        var components = remainder.split(separator: "/", omittingEmptySubsequences: false)
        if components.count > 1, Self.isValidDomain(components[0]),
            Self.looksLikeRegistry(components[0]) || !Self.isValidPathComponent(components[0])
        {
            self.registry = String(components[0])
            components.removeFirst()
        } else {
            self.registry = nil
        }
        for component in components {
            guard !component.isEmpty else {
                throw ParseError(reason: "the repository path must not contain an empty component")
            }
            guard Self.isValidPathComponent(component) else {
                throw ParseError(
                    reason:
                        "the path component \(SpecValidator.quoted(String(component))) must be lowercase letters and digits, "
                        + "separated by '.', '_', '__' or '-'"
                )
            }
        }
        self.path = components.joined(separator: "/")
    }

    /// Whether `reference` is a valid image reference.
    package static func isValid(_ reference: String) -> Bool {
        (try? ImageReference(parsing: reference)) != nil
    }

    package var description: String {
        var result = ""
        if let registry = self.registry { result += registry + "/" }
        result += self.path
        if let tag = self.tag { result += ":" + tag }
        if let digest = self.digest { result += "@" + digest }
        return result
    }

    // MARK: - Grammar

    private static func isLowerAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        Self.isLowerAlphanumeric(byte) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
    }

    private static func isWordCharacter(_ byte: UInt8) -> Bool {
        Self.isAlphanumeric(byte) || byte == UInt8(ascii: "_")
    }

    private static func isLowerHex(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
            || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "f"))
    }

    /// `[a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )*`
    static func isValidPathComponent(_ component: Substring) -> Bool {
        let bytes = Array(component.utf8)
        guard let first = bytes.first, let last = bytes.last,
            Self.isLowerAlphanumeric(first), Self.isLowerAlphanumeric(last)
        else { return false }
        var index = 0
        while index < bytes.count {
            if Self.isLowerAlphanumeric(bytes[index]) {
                index += 1
                continue
            }
            // A separator run, which must be followed by an alphanumeric (guaranteed by `last`).
            var end = index
            while end < bytes.count, !Self.isLowerAlphanumeric(bytes[end]) { end += 1 }
            let separator = bytes[index..<end]
            let isValidSeparator =
                separator.elementsEqual([UInt8(ascii: ".")]) || separator.elementsEqual([UInt8(ascii: "_")])
                || separator.elementsEqual([UInt8(ascii: "_"), UInt8(ascii: "_")])
                || separator.allSatisfy { $0 == UInt8(ascii: "-") }
            guard isValidSeparator else { return false }
            index = end
        }
        return true
    }

    /// `host [ ":" port ]`, where a port is 1-65535.
    static func isValidDomain(_ domain: Substring) -> Bool {
        var host = domain
        if domain.first == "[" {
            // "[" ipv6 "]" [ ":" port ]
            guard let close = domain.firstIndex(of: "]") else { return false }
            let address = domain[domain.index(after: domain.startIndex)..<close]
            guard !address.isEmpty, address.utf8.allSatisfy({ Self.isHex($0) || $0 == UInt8(ascii: ":") }) else {
                return false
            }
            let rest = domain[domain.index(after: close)...]
            if rest.isEmpty { return true }
            guard rest.first == ":" else { return false }
            return Self.isValidPort(rest.dropFirst())
        }
        if let colon = domain.firstIndex(of: ":") {
            guard Self.isValidPort(domain[domain.index(after: colon)...]) else { return false }
            host = domain[..<colon]
        }
        let labels = host.split(separator: ".", omittingEmptySubsequences: false)
        return labels.allSatisfy(Self.isValidDomainComponent)
    }

    private static func isHex(_ byte: UInt8) -> Bool {
        Self.isLowerHex(byte) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "F"))
    }

    private static func isValidPort(_ port: Substring) -> Bool {
        guard !port.isEmpty, port.utf8.count <= 5,
            port.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
            let value = Int(port)
        else { return false }
        return (1...65535).contains(value)
    }

    /// `[a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]`
    private static func isValidDomainComponent(_ component: Substring) -> Bool {
        let bytes = Array(component.utf8)
        guard let first = bytes.first, let last = bytes.last, Self.isAlphanumeric(first), Self.isAlphanumeric(last)
        else {
            return false
        }
        return bytes.allSatisfy { Self.isAlphanumeric($0) || $0 == UInt8(ascii: "-") }
    }

    /// Docker's rule for telling a registry from the first path component.
    private static func looksLikeRegistry(_ component: Substring) -> Bool {
        component.contains(".") || component.contains(":") || component == "localhost"
            || component.utf8.contains { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }
    }

    /// `[\w][\w.-]{0,127}`
    private static func isValidTag(_ tag: Substring) -> Bool {
        let bytes = Array(tag.utf8)
        guard let first = bytes.first, bytes.count <= Self.maximumTagLength, Self.isWordCharacter(first) else {
            return false
        }
        return bytes.allSatisfy { Self.isWordCharacter($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }
    }

    /// `sha256:` followed by 64 lowercase hex digits.
    private static func isValidDigest(_ digest: Substring) -> Bool {
        let prefix = "sha256:"
        guard digest.hasPrefix(prefix) else { return false }
        let hex = digest.dropFirst(prefix.count)
        return hex.utf8.count == 64 && hex.utf8.allSatisfy(Self.isLowerHex)
    }
}
