/// A Swift value with a protobuf wire encoding (a message of the standard gRPC services).
///
/// Decoding ignores unknown fields; encoding is deterministic (map entries are written sorted by
/// key), so equal values encode to equal bytes.
package protocol ProtobufMessage: Hashable, Sendable {
    /// Decodes the value from its protobuf wire encoding.
    ///
    /// Implementations pass `Array(serializedBytes)` to ``ProtobufC/withDecoded(_:from:_:)``: with
    /// the bytes' type known there, the decoding is specialized for the message (no copy for an
    /// array argument).
    ///
    /// - Throws: ``ProtobufDecodingError`` when `serializedBytes` are not a valid encoding.
    init(serializedBytes: some Collection<UInt8>) throws

    /// The protobuf wire encoding of the value.
    func serializedBytes() -> [UInt8]
}
