// Scalars: `Int` <-> `int32`, `Bool` <-> `bool`, `RawJSON?` <-> `bytes`.

internal import CLandlordProto
internal import CProtobufC
internal import Foundation
internal import LandlordCompute
internal import LandlordProtobuf

/// `Int` (the framework's Go `int`) as `int32`.
///
/// Decoding widens, which is exact. Encoding saturates at `Int32.min`/`Int32.max`: encoding cannot
/// fail, and a saturated value stays out of every range the validator accepts (ports 1-65535,
/// seconds, millicores, megabytes), so it is still rejected on the other side; wrapping instead could
/// turn `4_294_967_376` into a valid-looking `80`.
@inline(__always)
func wireInt32(_ value: Int) -> Int32 {
    Int32(clamping: value)
}

/// A `bool` field (`protobuf_c_boolean`, a C `int`).
@inline(__always)
func wireBool(_ value: Bool) -> protobuf_c_boolean {
    value ? 1 : 0
}

extension RawJSON {
    /// `provider_config`: the bytes exactly as sent; no bytes (proto3's default) read as nil, since the
    /// domain treats an empty document as an absent one.
    static func fromWire(_ data: ProtobufCBinaryData) -> RawJSON? {
        guard data.len > 0, let bytes = data.data else { return nil }
        return RawJSON(Data(bytes: bytes, count: data.len))
    }
}

extension ProtobufCArena {
    /// `provider_config`: the document's bytes exactly; nil and empty documents are both no bytes
    /// (the field is not written).
    func providerConfig(_ value: RawJSON?) -> ProtobufCBinaryData {
        guard let value, !value.isEmpty else { return ProtobufCBinaryData(len: 0, data: nil) }
        let (count, pointer) = bytes(value.bytes)
        return ProtobufCBinaryData(len: count, data: pointer)
    }
}
