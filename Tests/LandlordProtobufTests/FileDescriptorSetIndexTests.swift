import Foundation
import LandlordProtobuf
import LandlordTestingProto
import Testing

@Suite("FileDescriptorSetIndex")
struct FileDescriptorSetIndexTests {
    let index = LandlordDescriptorSet.index

    @Test("the landlord set holds the API files and their imports, nothing else")
    func files() {
        #expect(
            Set(index.files.map(\.name)) == [
                "landlord/compute/v1/compute.proto",
                "grpc/health/v1/health.proto",
                "grpc/reflection/v1/reflection.proto",
                "grpc/reflection/v1alpha/reflection.proto",
                "google/rpc/status.proto",
                "google/rpc/error_details.proto",
                "google/protobuf/any.proto",
                "google/protobuf/duration.proto",
                "google/protobuf/timestamp.proto",
            ]
        )
        // Closed under imports.
        for file in index.files {
            for dependency in file.dependencies {
                #expect(index.file(named: dependency) != nil, "\(file.name) imports \(dependency)")
            }
        }
        let compute = index.file(named: "landlord/compute/v1/compute.proto")
        #expect(compute?.package == "landlord.compute.v1")
        #expect(compute?.dependencies == ["google/protobuf/timestamp.proto"])
        #expect(compute?.services == ["landlord.compute.v1.ComputeService"])
        #expect(index.file(named: "google/protobuf/descriptor.proto") == nil)
        #expect(index.file(named: "nope.proto") == nil)
    }

    @Test("service names")
    func serviceNames() {
        #expect(
            index.serviceNames == [
                "grpc.health.v1.Health",
                "grpc.reflection.v1.ServerReflection",
                "grpc.reflection.v1alpha.ServerReflection",
                "landlord.compute.v1.ComputeService",
            ]
        )
    }

    @Test(
        "symbols resolve to their file",
        arguments: [
            ("grpc.health.v1.Health", "grpc/health/v1/health.proto"),
            ("grpc.health.v1.Health.Watch", "grpc/health/v1/health.proto"),
            ("grpc.health.v1.HealthCheckResponse.ServingStatus", "grpc/health/v1/health.proto"),
            ("grpc.health.v1.HealthCheckResponse.SERVING", "grpc/health/v1/health.proto"),
            ("grpc.health.v1.HealthListResponse.StatusesEntry", "grpc/health/v1/health.proto"),
            ("landlord.compute.v1.ComputeService", "landlord/compute/v1/compute.proto"),
            ("landlord.compute.v1.ComputeService.ProvisionTenant", "landlord/compute/v1/compute.proto"),
            ("landlord.compute.v1.ComputeService.WatchTenantStatus", "landlord/compute/v1/compute.proto"),
            ("landlord.compute.v1.TenantComputeSpec", "landlord/compute/v1/compute.proto"),
            ("landlord.compute.v1.TenantComputeSpec.LabelsEntry", "landlord/compute/v1/compute.proto"),
            ("landlord.compute.v1.TenantComputeSpec.provider_config", "landlord/compute/v1/compute.proto"),
            ("landlord.compute.v1.ComputeState", "landlord/compute/v1/compute.proto"),
            ("landlord.compute.v1.COMPUTE_STATE_RUNNING", "landlord/compute/v1/compute.proto"),
            (".landlord.compute.v1.WatchTenantStatusRequest", "landlord/compute/v1/compute.proto"),
            ("grpc.reflection.v1.ServerReflection.ServerReflectionInfo", "grpc/reflection/v1/reflection.proto"),
            (
                "grpc.reflection.v1alpha.ServerReflectionRequest.message_request",
                "grpc/reflection/v1alpha/reflection.proto"
            ),
            ("google.rpc.Status", "google/rpc/status.proto"),
            ("google.rpc.BadRequest.FieldViolation", "google/rpc/error_details.proto"),
            ("google.protobuf.Timestamp", "google/protobuf/timestamp.proto"),
            ("google.protobuf.Any", "google/protobuf/any.proto"),
        ]
    )
    func symbols(symbol: String, file: String) {
        #expect(index.file(containingSymbol: symbol)?.name == file)
    }

    @Test("unknown symbols", arguments: ["", "grpc", "grpc.health.v1", "grpc.health.v1.Nope", "Health", "x.Y.Z"])
    func unknownSymbols(symbol: String) {
        #expect(index.file(containingSymbol: symbol) == nil)
    }

    @Test("transitive dependencies come first, each once")
    func transitiveDependencies() {
        #expect(
            index.transitiveDependencies(of: "landlord/compute/v1/compute.proto").map(\.name) == [
                "google/protobuf/timestamp.proto",
                "landlord/compute/v1/compute.proto",
            ]
        )
        #expect(
            index.transitiveDependencies(of: "google/rpc/status.proto").map(\.name) == [
                "google/protobuf/any.proto",
                "google/rpc/status.proto",
            ]
        )
        #expect(
            index.transitiveDependencies(of: "grpc/health/v1/health.proto").map(\.name) == [
                "grpc/health/v1/health.proto"
            ]
        )
        #expect(index.transitiveDependencies(of: "nope.proto").isEmpty)

        // A diamond: d imports b and c, which both import a.
        let set = fileDescriptorSet([
            file(name: "a.proto"),
            file(name: "b.proto", dependencies: ["a.proto"]),
            file(name: "c.proto", dependencies: ["a.proto"]),
            file(name: "d.proto", dependencies: ["b.proto", "c.proto", "missing.proto"]),
        ])
        let diamond = try? FileDescriptorSetIndex(serializedBytes: set)
        #expect(
            diamond?.transitiveDependencies(of: "d.proto").map(\.name) == ["a.proto", "b.proto", "c.proto", "d.proto"]
        )
    }

    @Test("each file's bytes parse back to the same file")
    func fileBytes() throws {
        for file in index.files {
            let reparsed = try FileDescriptorSetIndex(serializedBytes: fileDescriptorSet([file.serializedBytes]))
            #expect(reparsed.files == [file])
        }
    }

    @Test("re-encoding the files gives back the set protoc wrote, byte for byte")
    func byteForByte() {
        #expect(fileDescriptorSet(index.files.map(\.serializedBytes)) == LandlordDescriptorSet.serialized)
        #expect(
            fileDescriptorSet(LandlordTestingDescriptorSet.index.files.map(\.serializedBytes))
                == LandlordTestingDescriptorSet.serialized
        )
    }

    @Test("the embedded sets equal the committed .binpb files")
    func embedded() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let landlord = try Data(contentsOf: root.appendingPathComponent("proto/landlord.binpb"))
        let testing = try Data(contentsOf: root.appendingPathComponent("Tests/proto/testing.binpb"))
        #expect(LandlordDescriptorSet.serialized == Array(landlord))
        #expect(LandlordTestingDescriptorSet.serialized == Array(testing))
    }

    @Test("the testing set serves the test service, health and reflection")
    func testingSet() {
        let testing = LandlordTestingDescriptorSet.index
        #expect(
            testing.serviceNames == [
                "grpc.health.v1.Health",
                "grpc.reflection.v1.ServerReflection",
                "grpc.reflection.v1alpha.ServerReflection",
                "landlord.testing.v1.TestService",
            ]
        )
        #expect(
            testing.file(containingSymbol: "landlord.testing.v1.TestService.BidiEcho")?.name
                == "landlord/testing/v1/test_service.proto"
        )
        #expect(testing.file(containingSymbol: "landlord.testing.v1.EchoResponse.MetadataEntry") != nil)
        #expect(testing.file(containingSymbol: "landlord.compute.v1.ComputeService") == nil)
    }

    @Test("extensions are indexed")
    func extensions() throws {
        // package "p"; message M { extensions 100 to 200; } extend M { int32 e = 150; }
        // message N { extend M { string f = 151; } }
        let extendee = field(name: "e", number: 150, extendee: ".p.M")
        let nested = message(name: "N", extensions: [field(name: "f", number: 151, extendee: ".p.M")])
        let file = file(name: "p.proto", package: "p", messages: [message(name: "M"), nested], extensions: [extendee])
        let index = try FileDescriptorSetIndex(serializedBytes: fileDescriptorSet([file]))
        #expect(index.file(containingSymbol: "p.e")?.name == "p.proto")
        #expect(index.file(containingSymbol: "p.N.f")?.name == "p.proto")
        #expect(index.file(containingExtensionOf: "p.M", number: 150)?.name == "p.proto")
        #expect(index.file(containingExtensionOf: ".p.M", number: 151)?.name == "p.proto")
        #expect(index.file(containingExtensionOf: "p.M", number: 152) == nil)
        #expect(index.extensionNumbers(of: "p.M") == [150, 151])
        #expect(index.extensionNumbers(of: "p.N") == [])
        #expect(index.serviceNames == [])
    }

    @Test("malformed sets throw")
    func malformed() {
        #expect(throws: ProtobufDecodingError.self) { try FileDescriptorSetIndex(serializedBytes: [0x0a, 0x05, 0x0a]) }
        #expect(throws: ProtobufDecodingError.self) {
            try FileDescriptorSetIndex(serializedBytes: [0x0a, 0x02, 0x08, 0x01])
        }
        #expect((try? FileDescriptorSetIndex(serializedBytes: []))?.files.isEmpty == true)
    }

    // MARK: Hand-built descriptors (field numbers of google/protobuf/descriptor.proto)

    private func string(_ number: Int, _ value: String) -> [UInt8] {
        let utf8 = Array(value.utf8)
        return [UInt8(number << 3 | 2)] + varint(utf8.count) + utf8
    }

    private func nested(_ number: Int, _ bytes: [UInt8]) -> [UInt8] {
        [UInt8(number << 3 | 2)] + varint(bytes.count) + bytes
    }

    private func file(
        name: String,
        package: String = "",
        dependencies: [String] = [],
        messages: [[UInt8]] = [],
        extensions: [[UInt8]] = []
    ) -> [UInt8] {
        string(1, name) + (package.isEmpty ? [] : string(2, package)) + dependencies.flatMap { string(3, $0) }
            + messages.flatMap { nested(4, $0) } + extensions.flatMap { nested(7, $0) }
    }

    private func message(name: String, extensions: [[UInt8]] = []) -> [UInt8] {
        string(1, name) + extensions.flatMap { nested(6, $0) }
    }

    private func field(name: String, number: Int, extendee: String) -> [UInt8] {
        string(1, name) + [0x18] + varint(number) + string(2, extendee)
    }
}
