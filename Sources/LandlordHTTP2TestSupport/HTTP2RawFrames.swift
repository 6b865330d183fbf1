package import LandlordHTTP2
package import NIOCore

/// Hand-built HTTP/2 frames, for tests that send what a well-behaved client
/// library would not (CONTINUATION floods, SETTINGS floods, bad prefaces…).
///
/// Header blocks built here use HPACK "literal header field without indexing —
/// new name" with no Huffman coding, so they never touch the HPACK dynamic table
/// and can be mixed freely with frames an ``HTTP2TestClient`` session produces.
package enum HTTP2RawFrames {
    /// The 24-byte client connection preface (`PRI * HTTP/2.0…`).
    package static let clientPreface = ByteBuffer(string: "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")

    /// Frame types (RFC 9113 §6).
    package enum FrameType {
        package static let data: UInt8 = 0x0
        package static let headers: UInt8 = 0x1
        package static let priority: UInt8 = 0x2
        package static let rstStream: UInt8 = 0x3
        package static let settings: UInt8 = 0x4
        package static let pushPromise: UInt8 = 0x5
        package static let ping: UInt8 = 0x6
        package static let goAway: UInt8 = 0x7
        package static let windowUpdate: UInt8 = 0x8
        package static let continuation: UInt8 = 0x9
    }

    /// Frame flags.
    package enum Flags {
        package static let endStream: UInt8 = 0x1
        package static let ack: UInt8 = 0x1
        package static let endHeaders: UInt8 = 0x4
        package static let padded: UInt8 = 0x8
        package static let priority: UInt8 = 0x20
    }

    /// A frame with the given header fields and payload.
    package static func frame(type: UInt8, flags: UInt8, streamID: Int32, payload: ByteBuffer) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(9 + payload.readableBytes)
        let length = UInt32(payload.readableBytes)
        buffer.writeInteger(UInt8(truncatingIfNeeded: length >> 16))
        buffer.writeInteger(UInt16(truncatingIfNeeded: length))
        buffer.writeInteger(type)
        buffer.writeInteger(flags)
        buffer.writeInteger(UInt32(bitPattern: streamID) & 0x7fff_ffff)
        var payload = payload
        buffer.writeBuffer(&payload)
        return buffer
    }

    /// An HPACK header block of literal fields without indexing (no dynamic table use).
    package static func literalHeaderBlock(_ headers: [HTTP2HeaderField]) -> ByteBuffer {
        var block = ByteBuffer()
        for field in headers {
            block.writeInteger(UInt8(0x00))  // literal without indexing, new name
            writeHPACKString(field.name, into: &block)
            writeHPACKString(field.value, into: &block)
        }
        return block
    }

    /// A HEADERS frame carrying `block`.
    package static func headers(streamID: Int32, block: ByteBuffer, endStream: Bool, endHeaders: Bool = true)
        -> ByteBuffer
    {
        var flags: UInt8 = 0
        if endStream { flags |= Flags.endStream }
        if endHeaders { flags |= Flags.endHeaders }
        return frame(type: FrameType.headers, flags: flags, streamID: streamID, payload: block)
    }

    /// A CONTINUATION frame carrying `block`.
    package static func continuation(streamID: Int32, block: ByteBuffer, endHeaders: Bool) -> ByteBuffer {
        frame(
            type: FrameType.continuation,
            flags: endHeaders ? Flags.endHeaders : 0,
            streamID: streamID,
            payload: block
        )
    }

    /// A DATA frame, optionally padded with `padding` bytes (plus the pad-length octet).
    package static func data(streamID: Int32, payload: ByteBuffer, endStream: Bool, padding: Int? = nil) -> ByteBuffer {
        var flags: UInt8 = endStream ? Flags.endStream : 0
        var body = ByteBuffer()
        if let padding {
            flags |= Flags.padded
            body.writeInteger(UInt8(padding))
        }
        var payload = payload
        body.writeBuffer(&payload)
        if let padding {
            body.writeRepeatingByte(0, count: padding)
        }
        return frame(type: FrameType.data, flags: flags, streamID: streamID, payload: body)
    }

    /// An RST_STREAM frame.
    package static func rstStream(streamID: Int32, errorCode: HTTP2ErrorCode) -> ByteBuffer {
        var payload = ByteBuffer()
        payload.writeInteger(errorCode.rawValue)
        return frame(type: FrameType.rstStream, flags: 0, streamID: streamID, payload: payload)
    }

    /// A SETTINGS frame (not an ACK).
    package static func settings(_ settings: [HTTP2TestClient.Setting]) -> ByteBuffer {
        var payload = ByteBuffer()
        for setting in settings {
            payload.writeInteger(setting.id)
            payload.writeInteger(setting.value)
        }
        return frame(type: FrameType.settings, flags: 0, streamID: 0, payload: payload)
    }

    /// A SETTINGS ACK frame.
    package static func settingsAck() -> ByteBuffer {
        frame(type: FrameType.settings, flags: Flags.ack, streamID: 0, payload: ByteBuffer())
    }

    /// A PING frame.
    package static func ping(opaque: UInt64, ack: Bool = false) -> ByteBuffer {
        var payload = ByteBuffer()
        payload.writeInteger(opaque)
        return frame(type: FrameType.ping, flags: ack ? Flags.ack : 0, streamID: 0, payload: payload)
    }

    /// A WINDOW_UPDATE frame.
    package static func windowUpdate(streamID: Int32, increment: UInt32) -> ByteBuffer {
        var payload = ByteBuffer()
        payload.writeInteger(increment & 0x7fff_ffff)
        return frame(type: FrameType.windowUpdate, flags: 0, streamID: streamID, payload: payload)
    }

    /// One frame parsed by ``parse(_:)``.
    package struct Frame: Hashable, Sendable {
        package var type: UInt8
        package var flags: UInt8
        package var streamID: Int32
        package var payload: ByteBuffer

        /// For GOAWAY: the last stream id and the error code.
        package var goAway: (lastStreamID: Int32, errorCode: HTTP2ErrorCode)? {
            guard self.type == FrameType.goAway, self.payload.readableBytes >= 8,
                let last = self.payload.getInteger(at: self.payload.readerIndex, as: UInt32.self),
                let code = self.payload.getInteger(at: self.payload.readerIndex + 4, as: UInt32.self)
            else { return nil }
            return (Int32(bitPattern: last & 0x7fff_ffff), HTTP2ErrorCode(rawValue: code))
        }

        /// For RST_STREAM: the error code.
        package var rstStreamCode: HTTP2ErrorCode? {
            guard self.type == FrameType.rstStream,
                let code = self.payload.getInteger(at: self.payload.readerIndex, as: UInt32.self)
            else { return nil }
            return HTTP2ErrorCode(rawValue: code)
        }
    }

    /// Splits bytes a server wrote into frames (a trailing partial frame is ignored).
    package static func parse(_ bytes: ByteBuffer) -> [Frame] {
        var bytes = bytes
        var frames: [Frame] = []
        while bytes.readableBytes >= 9 {
            let index = bytes.readerIndex
            let high = Int(bytes.getInteger(at: index, as: UInt8.self)!)
            let low = Int(bytes.getInteger(at: index + 1, as: UInt16.self)!)
            let length = high << 16 | low
            guard bytes.readableBytes >= 9 + length else { break }
            bytes.moveReaderIndex(forwardBy: 3)
            let type = bytes.readInteger(as: UInt8.self)!
            let flags = bytes.readInteger(as: UInt8.self)!
            let streamID = Int32(bitPattern: bytes.readInteger(as: UInt32.self)! & 0x7fff_ffff)
            let payload = bytes.readSlice(length: length)!
            frames.append(Frame(type: type, flags: flags, streamID: streamID, payload: payload))
        }
        return frames
    }

    private static func writeHPACKString(_ string: String, into buffer: inout ByteBuffer) {
        let bytes = Array(string.utf8)
        writeHPACKInteger(bytes.count, prefixBits: 7, firstByte: 0x00, into: &buffer)  // H bit 0: no Huffman
        buffer.writeBytes(bytes)
    }

    /// HPACK integer representation (RFC 7541 §5.1).
    private static func writeHPACKInteger(
        _ value: Int, prefixBits: Int, firstByte: UInt8, into buffer: inout ByteBuffer
    ) {
        let maxPrefix = (1 << prefixBits) - 1
        if value < maxPrefix {
            buffer.writeInteger(firstByte | UInt8(value))
            return
        }
        buffer.writeInteger(firstByte | UInt8(maxPrefix))
        var rest = value - maxPrefix
        while rest >= 128 {
            buffer.writeInteger(UInt8(rest % 128 + 128))
            rest /= 128
        }
        buffer.writeInteger(UInt8(rest))
    }
}
