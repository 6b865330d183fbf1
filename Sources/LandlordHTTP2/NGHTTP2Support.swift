internal import CNGHTTP2

// Small conversions between nghttp2's C enums (imported as RawRepresentable
// structs) and the integer types its functions take.

extension UInt8 {
    static let frameData = UInt8(NGHTTP2_DATA.rawValue)
    static let frameHeaders = UInt8(NGHTTP2_HEADERS.rawValue)
    static let frameRstStream = UInt8(NGHTTP2_RST_STREAM.rawValue)
    static let frameSettings = UInt8(NGHTTP2_SETTINGS.rawValue)
    static let framePing = UInt8(NGHTTP2_PING.rawValue)
    static let frameGoAway = UInt8(NGHTTP2_GOAWAY.rawValue)

    static let flagNone = UInt8(NGHTTP2_FLAG_NONE.rawValue)
    static let flagEndStream = UInt8(NGHTTP2_FLAG_END_STREAM.rawValue)
    static let flagAck = UInt8(NGHTTP2_FLAG_ACK.rawValue)
}

extension Int32 {
    static let errDeferred = NGHTTP2_ERR_DEFERRED.rawValue
    static let errTemporalCallbackFailure = NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE.rawValue
    static let errCallbackFailure = NGHTTP2_ERR_CALLBACK_FAILURE.rawValue
    static let errPause = NGHTTP2_ERR_PAUSE.rawValue
}

extension nghttp2_settings_entry {
    init(_ id: nghttp2_settings_id, _ value: UInt32) {
        self.init(settings_id: Int32(bitPattern: id.rawValue), value: value)
    }
}

/// Calls `body` with an `nghttp2_nv` array for `headers`.
///
/// Names and values are copied once into one temporary (stack when small) byte
/// buffer; nghttp2 copies them again into its own frame buffer during the call
/// (no `NGHTTP2_NV_FLAG_NO_COPY_*`), so nothing needs to outlive `body`.
func withNameValuePairs<Result>(
    _ headers: [HTTP2HeaderField],
    _ body: (UnsafePointer<nghttp2_nv>?, Int) -> Result
) -> Result {
    if headers.isEmpty {
        return body(nil, 0)
    }
    var total = 0
    for field in headers {
        total += field.name.utf8.count + field.value.utf8.count
    }
    return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(total, 1)) { bytes in
        withUnsafeTemporaryAllocation(of: nghttp2_nv.self, capacity: headers.count) { nvs in
            var offset = 0
            for (index, field) in headers.enumerated() {
                let name = bytes.baseAddress! + offset
                let nameLength = copyUTF8(field.name, into: bytes, at: offset)
                offset += nameLength
                let value = bytes.baseAddress! + offset
                let valueLength = copyUTF8(field.value, into: bytes, at: offset)
                offset += valueLength
                (nvs.baseAddress! + index).initialize(
                    to: nghttp2_nv(
                        name: name,
                        value: value,
                        namelen: nameLength,
                        valuelen: valueLength,
                        flags: UInt8(NGHTTP2_NV_FLAG_NONE.rawValue)
                    )
                )
            }
            return body(UnsafePointer(nvs.baseAddress!), headers.count)
        }
    }
}

@inline(__always)
private func copyUTF8(_ string: String, into bytes: UnsafeMutableBufferPointer<UInt8>, at offset: Int) -> Int {
    if let count = string.utf8.withContiguousStorageIfAvailable({ source -> Int in
        guard let base = source.baseAddress, source.count > 0 else { return 0 }
        (bytes.baseAddress! + offset).update(from: base, count: source.count)
        return source.count
    }) {
        return count
    }
    var count = 0
    for byte in string.utf8 {
        bytes[offset + count] = byte
        count += 1
    }
    return count
}

extension String {
    /// Decodes bytes nghttp2 hands to a callback (header names and values).
    @inline(__always)
    init(nghttp2Bytes pointer: UnsafePointer<UInt8>?, count: Int) {
        guard let pointer, count > 0 else {
            self = ""
            return
        }
        self = String(decoding: UnsafeBufferPointer(start: pointer, count: count), as: UTF8.self)
    }
}
