internal import CNGHTTP2

/// An error from ``HTTP2ServerSession``.
///
/// Errors thrown by ``HTTP2ServerSession/receive(_:)`` and
/// ``HTTP2ServerSession/produceOutput(into:maxBytes:)`` are connection-level: the
/// caller drains the output once more (nghttp2 may have queued a GOAWAY) and then
/// closes the connection. Errors thrown by the submit methods
/// (``HTTP2ServerSession/sendData(streamID:_:)`` and friends) concern one stream
/// only — typically ``Code-swift.struct/streamNotFound`` because the peer reset
/// the stream in the meantime — and leave the connection usable.
package struct HTTP2Error: Error, Hashable, Sendable {
    /// What went wrong, coarsely; switch on this.
    package var code: Code
    /// The nghttp2 error code (`nghttp2_error`, negative) behind this error, or 0 if
    /// the error was raised by the Swift layer itself.
    package var nghttp2ErrorCode: Int32
    /// A human-readable message (for nghttp2 errors: `nghttp2_strerror`).
    package var message: String

    package init(code: Code, nghttp2ErrorCode: Int32 = 0, message: String) {
        self.code = code
        self.nghttp2ErrorCode = nghttp2ErrorCode
        self.message = message
    }

    /// The kind of an ``HTTP2Error``. A struct wrapping a private enum, so cases can
    /// be added without breaking callers.
    package struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Wrapped: Hashable, Sendable {
            case badClientMagic
            case flooded
            case tooManyContinuations
            case protocolError
            case callbackFailure
            case outOfMemory
            case streamNotFound
            case invalidState
            case invalidArgument
            case other
        }

        private var wrapped: Wrapped
        private init(_ wrapped: Wrapped) { self.wrapped = wrapped }

        /// The client did not start with the HTTP/2 connection preface
        /// (`NGHTTP2_ERR_BAD_CLIENT_MAGIC`), e.g. an HTTP/1.1 or TLS client.
        package static var badClientMagic: Self { Self(.badClientMagic) }
        /// The peer made nghttp2 queue too many frames it must answer (PING and
        /// SETTINGS ACKs, RST_STREAMs) without reading them (`NGHTTP2_ERR_FLOODED`;
        /// CVE-2019-9512/9514/9515).
        package static var flooded: Self { Self(.flooded) }
        /// A HEADERS frame was followed by more CONTINUATION frames than allowed
        /// (`NGHTTP2_ERR_TOO_MANY_CONTINUATIONS`; CVE-2024-27316).
        package static var tooManyContinuations: Self { Self(.tooManyContinuations) }
        /// Another fatal protocol-level failure reported by nghttp2.
        package static var protocolError: Self { Self(.protocolError) }
        /// One of our callbacks failed (`NGHTTP2_ERR_CALLBACK_FAILURE`): a bug in
        /// this layer, never caused by the peer alone.
        package static var callbackFailure: Self { Self(.callbackFailure) }
        /// nghttp2 could not allocate memory (`NGHTTP2_ERR_NOMEM`).
        package static var outOfMemory: Self { Self(.outOfMemory) }
        /// A submit method named a stream this session does not know (never opened,
        /// or already closed — for instance because the peer reset it).
        package static var streamNotFound: Self { Self(.streamNotFound) }
        /// A submit method was called at the wrong point of a stream's life (data
        /// before response headers, anything after trailers, headers twice…).
        package static var invalidState: Self { Self(.invalidState) }
        /// A configuration value or argument is out of range.
        package static var invalidArgument: Self { Self(.invalidArgument) }
        /// Any other nghttp2 error; see ``HTTP2Error/nghttp2ErrorCode``.
        package static var other: Self { Self(.other) }

        package var description: String {
            switch self.wrapped {
            case .badClientMagic: "badClientMagic"
            case .flooded: "flooded"
            case .tooManyContinuations: "tooManyContinuations"
            case .protocolError: "protocolError"
            case .callbackFailure: "callbackFailure"
            case .outOfMemory: "outOfMemory"
            case .streamNotFound: "streamNotFound"
            case .invalidState: "invalidState"
            case .invalidArgument: "invalidArgument"
            case .other: "other"
            }
        }
    }
}

extension HTTP2Error: CustomStringConvertible {
    package var description: String {
        if self.nghttp2ErrorCode != 0 {
            return "HTTP2Error.\(self.code) (nghttp2 \(self.nghttp2ErrorCode)): \(self.message)"
        }
        return "HTTP2Error.\(self.code): \(self.message)"
    }
}

extension HTTP2Error {
    /// Maps an nghttp2 library error (a negative `nghttp2_error`) to an ``HTTP2Error``.
    static func nghttp2(_ rv: Int32, context: String? = nil) -> HTTP2Error {
        let code: Code
        switch rv {
        case NGHTTP2_ERR_BAD_CLIENT_MAGIC.rawValue: code = .badClientMagic
        case NGHTTP2_ERR_FLOODED.rawValue: code = .flooded
        case NGHTTP2_ERR_TOO_MANY_CONTINUATIONS.rawValue: code = .tooManyContinuations
        case NGHTTP2_ERR_CALLBACK_FAILURE.rawValue: code = .callbackFailure
        case NGHTTP2_ERR_NOMEM.rawValue: code = .outOfMemory
        case NGHTTP2_ERR_INVALID_ARGUMENT.rawValue: code = .invalidArgument
        case NGHTTP2_ERR_INVALID_STATE.rawValue, NGHTTP2_ERR_DATA_EXIST.rawValue,
            NGHTTP2_ERR_STREAM_CLOSED.rawValue, NGHTTP2_ERR_STREAM_CLOSING.rawValue,
            NGHTTP2_ERR_STREAM_SHUT_WR.rawValue:
            code = .invalidState
        case NGHTTP2_ERR_PROTO.rawValue, NGHTTP2_ERR_FRAME_SIZE_ERROR.rawValue,
            NGHTTP2_ERR_HEADER_COMP.rawValue, NGHTTP2_ERR_FLOW_CONTROL.rawValue,
            NGHTTP2_ERR_TOO_MANY_SETTINGS.rawValue, NGHTTP2_ERR_SETTINGS_EXPECTED.rawValue,
            NGHTTP2_ERR_EOF.rawValue:
            code = .protocolError
        default:
            code = rv <= NGHTTP2_ERR_FATAL.rawValue ? .protocolError : .other
        }
        let text = String(cString: nghttp2_strerror(rv))
        return HTTP2Error(
            code: code,
            nghttp2ErrorCode: rv,
            message: context.map { "\($0): \(text)" } ?? text
        )
    }
}
