internal import CLandlordTestingProto
package import LandlordProtobuf

/// The descriptor set a test server's reflection service answers from: the test service, health,
/// reflection v1 and v1alpha, and their imports (`Tests/proto/testing.binpb`, embedded in the
/// binary by `CLandlordTestingProto`).
package enum LandlordTestingDescriptorSet {
    /// The serialized `google.protobuf.FileDescriptorSet`.
    package static let serialized: [UInt8] = Array(
        UnsafeBufferPointer(start: landlord_testing_descriptor_set_bytes(), count: landlord_testing_descriptor_set_len)
    )

    /// The index of ``serialized``.
    package static let index: FileDescriptorSetIndex = {
        do {
            return try FileDescriptorSetIndex(serializedBytes: serialized)
        } catch {
            // The bytes are produced by protoc at generation time; not decoding them is a build bug.
            preconditionFailure("the embedded testing descriptor set does not decode: \(error)")
        }
    }()

    /// Fully qualified name of the test service.
    package static let testServiceName = "landlord.testing.v1.TestService"
}
