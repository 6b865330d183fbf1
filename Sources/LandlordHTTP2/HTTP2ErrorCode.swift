/// An HTTP/2 error code, as carried by RST_STREAM and GOAWAY frames (RFC 9113 §7).
///
/// A struct rather than an enum, so that codes a peer sends that this type does
/// not name are kept as they are (``rawValue``).
package struct HTTP2ErrorCode: Hashable, Sendable {
    /// The 32-bit code on the wire.
    package var rawValue: UInt32

    /// Creates a code from its wire value.
    package init(rawValue: UInt32) {
        self.rawValue = rawValue
    }

    /// `NO_ERROR` (0x0): graceful shutdown, or a normal stream close.
    package static let noError = Self(rawValue: 0x0)
    /// `PROTOCOL_ERROR` (0x1).
    package static let protocolError = Self(rawValue: 0x1)
    /// `INTERNAL_ERROR` (0x2).
    package static let internalError = Self(rawValue: 0x2)
    /// `FLOW_CONTROL_ERROR` (0x3).
    package static let flowControlError = Self(rawValue: 0x3)
    /// `SETTINGS_TIMEOUT` (0x4).
    package static let settingsTimeout = Self(rawValue: 0x4)
    /// `STREAM_CLOSED` (0x5).
    package static let streamClosed = Self(rawValue: 0x5)
    /// `FRAME_SIZE_ERROR` (0x6).
    package static let frameSizeError = Self(rawValue: 0x6)
    /// `REFUSED_STREAM` (0x7): the stream was not processed; the client may retry it.
    package static let refusedStream = Self(rawValue: 0x7)
    /// `CANCEL` (0x8).
    package static let cancel = Self(rawValue: 0x8)
    /// `COMPRESSION_ERROR` (0x9): the HPACK state can no longer be trusted.
    package static let compressionError = Self(rawValue: 0x9)
    /// `CONNECT_ERROR` (0xa).
    package static let connectError = Self(rawValue: 0xa)
    /// `ENHANCE_YOUR_CALM` (0xb): the peer is generating excessive load.
    package static let enhanceYourCalm = Self(rawValue: 0xb)
    /// `INADEQUATE_SECURITY` (0xc).
    package static let inadequateSecurity = Self(rawValue: 0xc)
    /// `HTTP_1_1_REQUIRED` (0xd).
    package static let http11Required = Self(rawValue: 0xd)
}

extension HTTP2ErrorCode: CustomStringConvertible {
    package var description: String {
        switch self.rawValue {
        case 0x0: "NO_ERROR"
        case 0x1: "PROTOCOL_ERROR"
        case 0x2: "INTERNAL_ERROR"
        case 0x3: "FLOW_CONTROL_ERROR"
        case 0x4: "SETTINGS_TIMEOUT"
        case 0x5: "STREAM_CLOSED"
        case 0x6: "FRAME_SIZE_ERROR"
        case 0x7: "REFUSED_STREAM"
        case 0x8: "CANCEL"
        case 0x9: "COMPRESSION_ERROR"
        case 0xa: "CONNECT_ERROR"
        case 0xb: "ENHANCE_YOUR_CALM"
        case 0xc: "INADEQUATE_SECURITY"
        case 0xd: "HTTP_1_1_REQUIRED"
        default: "UNKNOWN(0x\(String(self.rawValue, radix: 16)))"
        }
    }
}
