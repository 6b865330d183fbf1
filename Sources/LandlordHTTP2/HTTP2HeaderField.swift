/// One HTTP/2 header field (a name and a value).
///
/// HTTP/2 requires lowercase field names. Received names are lowercase (nghttp2's
/// HTTP messaging checks reset a request carrying an uppercase name before it
/// reaches us); names passed to ``HTTP2ServerSession/sendResponseHeaders(streamID:headers:endStream:)``
/// and ``HTTP2ServerSession/sendTrailers(streamID:headers:)`` are lowercased by
/// nghttp2 as it copies them.
///
/// Pseudo-header fields (`:method`, `:path`, `:status`, …) are ordinary fields
/// whose name starts with a colon; in a received header list they come first, in
/// the order they were received.
package struct HTTP2HeaderField: Sendable, Hashable {
    /// The field name, lowercase.
    package var name: String
    /// The field value.
    package var value: String

    /// Creates a header field.
    ///
    /// - Parameters:
    ///   - name: The lowercase field name.
    ///   - value: The field value.
    package init(name: String, value: String) {
        self.name = name
        self.value = value
    }

    /// The size of this field as HTTP/2 counts it for `SETTINGS_MAX_HEADER_LIST_SIZE`:
    /// the octets of name and value plus 32 (RFC 9113 §6.5.2).
    package var headerListSize: Int {
        self.name.utf8.count + self.value.utf8.count + 32
    }
}

extension HTTP2HeaderField: CustomStringConvertible {
    package var description: String { "\(self.name): \(self.value)" }
}
