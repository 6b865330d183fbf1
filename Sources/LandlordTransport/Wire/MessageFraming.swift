package import LandlordRPC
package import NIOCore

/// Splits a request body into gRPC messages: each is a 1-byte compressed
/// flag, a 4-byte big-endian length and that many bytes.
///
/// Bytes may arrive split at any point, across any number of DATA frames. The
/// length is checked against the limit as soon as the 5-byte prefix is
/// complete, before any of the message is buffered; an oversized message ends
/// the stream with `RESOURCE_EXHAUSTED`.
package struct MessageDeframer {
    /// The largest message accepted, in bytes.
    package let maxMessageSize: Int
    private var buffer = ByteBuffer()
    private var pendingLength: Int?

    package init(maxMessageSize: Int) {
        self.maxMessageSize = maxMessageSize
    }

    /// Bytes received but not yet returned as a message.
    package var bufferedBytes: Int { buffer.readableBytes }

    /// Adds received body bytes.
    package mutating func append(_ bytes: ByteBuffer) {
        if buffer.readableBytes == 0 {
            buffer = bytes
        } else {
            var bytes = bytes
            buffer.writeBuffer(&bytes)
        }
    }

    /// The next complete message, `nil` when more bytes are needed.
    ///
    /// Throws `RESOURCE_EXHAUSTED` for a message over the limit and `INTERNAL`
    /// for a compressed message (this server supports no message encoding).
    package mutating func nextMessage() throws(RPCError) -> [UInt8]? {
        if pendingLength == nil {
            guard let flag = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self),
                let length = buffer.getInteger(at: buffer.readerIndex + 1, as: UInt32.self)
            else { return nil }
            guard flag == 0 else {
                throw RPCError(
                    code: .internal,
                    message: flag == 1
                        ? "compressed message received, but no message encoding was negotiated"
                        : "invalid compressed-flag byte \(flag) in message prefix"
                )
            }
            guard Int(length) <= maxMessageSize else {
                throw RPCError(
                    code: .resourceExhausted,
                    message: "received message larger than max (\(length) vs. \(maxMessageSize))"
                )
            }
            buffer.moveReaderIndex(forwardBy: 5)
            pendingLength = Int(length)
        }
        guard let length = pendingLength, let bytes = buffer.readBytes(length: length) else { return nil }
        pendingLength = nil
        // Drop the consumed bytes (the next `append` takes its buffer as is); `clear()` would
        // copy a buffer still shared with the receive path.
        if buffer.readableBytes == 0 { buffer = ByteBuffer() }
        return bytes
    }
}

/// Writes gRPC messages with their 5-byte prefix (never compressed).
package enum MessageFramer {
    /// Appends one framed message to `buffer`.
    package static func frame(_ message: [UInt8], into buffer: inout ByteBuffer) {
        buffer.reserveCapacity(minimumWritableBytes: 5 + message.count)
        buffer.writeInteger(UInt8(0))
        buffer.writeInteger(UInt32(message.count))
        buffer.writeBytes(message)
    }

    /// One framed message in a new buffer.
    package static func frame(_ message: [UInt8], allocator: ByteBufferAllocator) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: 5 + message.count)
        frame(message, into: &buffer)
        return buffer
    }
}
