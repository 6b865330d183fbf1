package import NIOCore

/// Something that happened on an ``HTTP2ServerSession``, in the order it happened.
///
/// ``HTTP2ServerSession/receive(_:)`` returns the events the received bytes caused;
/// ``HTTP2ServerSession/produceOutput(into:maxBytes:)`` returns the events that
/// sending caused (a stream closing after our END_STREAM or RST_STREAM went out, a
/// stream becoming writable again, a GOAWAY going out).
///
/// Per stream, the order is always: one ``requestHeaders(streamID:headers:endStream:)``,
/// then any number of ``requestData(streamID:bytes:)``, then at most one
/// ``requestEnded(streamID:)`` (absent if `endStream` was already true on the
/// headers), with ``streamWritable(streamID:)`` anywhere in between, and finally
/// exactly one ``streamClosed(streamID:errorCode:)``. A stream that nghttp2 refused
/// or reset before its request headers were complete produces no event at all.
package enum HTTP2Event: Hashable, Sendable {
    /// A complete request header block arrived (HEADERS plus any CONTINUATION
    /// frames) and passed nghttp2's HTTP messaging checks. `headers` holds the
    /// fields in the order received, pseudo-header fields first. If `endStream` is
    /// true the request has no body and no ``requestEnded(streamID:)`` follows.
    case requestHeaders(streamID: Int32, headers: [HTTP2HeaderField], endStream: Bool)

    /// One chunk of request body (the payload of a DATA frame or part of it; padding
    /// excluded). Its bytes count against the flow-control windows until the caller
    /// hands them back with ``HTTP2ServerSession/consumeInbound(streamID:count:)``.
    case requestData(streamID: Int32, bytes: ByteBuffer)

    /// The client half-closed the stream: END_STREAM on a DATA frame or on a
    /// trailing HEADERS frame. Request trailers are checked against the header
    /// list size limit and then dropped (gRPC clients send none).
    case requestEnded(streamID: Int32)

    /// The stream is gone from nghttp2 and from the session. `errorCode` is
    /// ``HTTP2ErrorCode/noError`` for a normal close (both sides ended), the peer's
    /// RST_STREAM code if the peer reset it, our code if we reset it, or the code
    /// nghttp2 chose if it reset the stream (e.g. a protocol violation), and also
    /// ``HTTP2ErrorCode/noError`` when our response ended before the request did
    /// (the session then resets the stream with `NO_ERROR`). Emitted exactly once per stream that produced
    /// ``requestHeaders(streamID:headers:endStream:)``. The stream's request bytes
    /// not yet consumed are handed back to the connection window at this point.
    case streamClosed(streamID: Int32, errorCode: HTTP2ErrorCode)

    /// The stream's buffered outbound bytes fell below
    /// ``HTTP2ServerSession/Configuration-swift.struct/maxOutboundBufferedBytesPerStream``
    /// after having reached it: the caller may resume writing.
    case streamWritable(streamID: Int32)

    /// The peer acknowledged a PING we sent with ``HTTP2ServerSession/sendPing(opaque:)``.
    case pingAcknowledged(opaque: UInt64)

    /// The peer sent a GOAWAY: it will open no more streams; streams above
    /// `lastStreamID` that we started (none, for a server) were not processed.
    case goAwayReceived(lastStreamID: Int32, errorCode: HTTP2ErrorCode)

    /// A GOAWAY left the session: one we asked for (``HTTP2ServerSession/sendGoAway(errorCode:debugData:)``,
    /// ``HTTP2ServerSession/sendShutdownNotice()``) or one nghttp2 sent by itself
    /// because the peer misbehaved (protocol error, rapid reset, too many SETTINGS
    /// entries…). A non-``HTTP2ErrorCode/noError`` code means the connection is
    /// being torn down: log it, flush the output and close once
    /// ``HTTP2ServerSession/wantsRead`` and ``HTTP2ServerSession/wantsWrite`` are false.
    case goAwaySent(lastStreamID: Int32, errorCode: HTTP2ErrorCode)

    /// The peer sent a SETTINGS frame (not an ACK). The first one completes the
    /// client's connection preface, which is what a handshake timeout waits for.
    case settingsReceived
}
