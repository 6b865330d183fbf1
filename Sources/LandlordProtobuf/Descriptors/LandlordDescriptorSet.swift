internal import CLandlordProto

/// The descriptor set the landlord server's reflection service answers from: compute, health,
/// reflection v1 and v1alpha, google.rpc status and error details, and the well-known types they
/// import (`proto/landlord.binpb`, embedded in the binary by `CLandlordProto`).
package enum LandlordDescriptorSet {
    /// The serialized `google.protobuf.FileDescriptorSet`.
    package static let serialized: [UInt8] = Array(
        UnsafeBufferPointer(start: landlord_descriptor_set_bytes(), count: landlord_descriptor_set_len)
    )

    /// The index of ``serialized``.
    package static let index: FileDescriptorSetIndex = {
        do {
            return try FileDescriptorSetIndex(serializedBytes: serialized)
        } catch {
            // The bytes are produced by protoc at generation time; not decoding them is a build bug.
            preconditionFailure("the embedded landlord descriptor set does not decode: \(error)")
        }
    }()

    /// Fully qualified name of the compute service.
    package static let computeServiceName = "landlord.compute.v1.ComputeService"

    /// Fully qualified name of the health service.
    package static let healthServiceName = "grpc.health.v1.Health"
}
