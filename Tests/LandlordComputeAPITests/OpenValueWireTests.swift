import Foundation
import LandlordCompute
import LandlordComputeAPI
import LandlordProtobuf
import Testing

@Suite("Open string values on the wire")
struct OpenValueWireTests {
    @Test("health check type and port protocol round-trip proto, known and unknown", arguments: [
        ("http", "tcp"), ("tcp", "udp"), ("exec", "tcp"), ("grpc", "sctp"), ("", ""),
    ])
    func spec(type: String, protocol: String) throws {
        var spec = Fixtures.fullSpec
        spec.containers[0].healthCheck = HealthCheckConfig(
            type: HealthCheckType(rawValue: type), httpPath: "/", port: 80, intervalSeconds: 0, timeoutSeconds: 0,
            healthyThreshold: 0, unhealthyThreshold: 0)
        spec.containers[0].ports = [PortMapping(containerPort: 80, protocol: PortProtocol(rawValue: `protocol`))]
        let decoded = try roundTrip(ValidateTenantSpecRequest(spec: spec)).spec
        #expect(decoded == spec)
        #expect(decoded?.containers[0].healthCheck?.type.rawValue == type)
        #expect(decoded?.containers[0].ports[0].protocol.rawValue == `protocol`)
        // Zero timing stays zero on the wire: defaults are applied where values are used.
        #expect(decoded?.containers[0].healthCheck?.intervalSeconds == 0)
    }

    @Test("container state and endpoint type round-trip proto, known and unknown", arguments: [
        ("running", "http"), ("failed", "grpc"), ("unknown", "udp"), ("paused", "ws"),
    ])
    func status(state: String, endpoint: String) throws {
        var status = Fixtures.fullStatus
        status.containers[0].state = ContainerState(rawValue: state)
        let response = GetTenantStatusResponse(status: status)
        #expect(try roundTrip(response) == response)
        #expect(try roundTrip(response).status.containers[0].state.rawValue == state)

        var result = Fixtures.fullProvisionResult
        result.endpoints = [Endpoint(type: EndpointType(rawValue: endpoint), address: "a", port: 1)]
        let provisioned = ProvisionTenantResponse(result: result)
        #expect(try roundTrip(provisioned).result.endpoints[0].type.rawValue == endpoint)
    }
}

/// Bytes as any protobuf encoder writes them, for the open string values: decoding gives the typed
/// value with the wire string unchanged, and encoding writes the same string back (no mapping,
/// no case change, unknown values kept).
@Suite("Open string values: wire bytes")
struct OpenValueWireBytesTests {
    /// `ContainerSpec{name:"c", image:"i", ports:[{container_port:80, protocol:P}], health_check:{type:T, port:80}}`.
    static func containerBytes(type: String, protocol: String) -> [UInt8] {
        let port = Wire.varintField(1, 80) + Wire.lengthDelimited(3, Array(`protocol`.utf8))
        let check = Wire.lengthDelimited(1, Array(type.utf8)) + Wire.varintField(3, 80)
        return Wire.lengthDelimited(1, Array("c".utf8)) + Wire.lengthDelimited(2, Array("i".utf8))
            + Wire.lengthDelimited(6, port) + Wire.lengthDelimited(7, check)
    }

    static let healthCheckTypes = HealthCheckType.known.map(\.rawValue) + ["grpc", "HTTP"]
    static let portProtocols = PortProtocol.known.map(\.rawValue) + ["sctp", "TCP"]

    @Test("health check type: every known value and unknown ones", arguments: healthCheckTypes)
    func healthCheckType(type: String) throws {
        try self.checkSpec(type: type, protocol: "tcp")
    }

    @Test("port protocol: every known value and unknown ones", arguments: portProtocols)
    func portProtocol(protocol: String) throws {
        try self.checkSpec(type: "tcp", protocol: `protocol`)
    }

    private func checkSpec(type: String, protocol: String) throws {
        let container = Self.containerBytes(type: type, protocol: `protocol`)
        let bytes = Wire.lengthDelimited(1, Wire.lengthDelimited(3, container))
        let spec = try #require(try ValidateTenantSpecRequest(serializedBytes: bytes).spec)
        let decoded = try #require(spec.containers.first)
        #expect(decoded.healthCheck?.type == HealthCheckType(rawValue: type))
        #expect(decoded.healthCheck?.type.rawValue == type)
        #expect(decoded.ports.first?.protocol == PortProtocol(rawValue: `protocol`))
        // The encoder also writes the spec's empty resources and networking: compare the container.
        let encoded = ValidateTenantSpecRequest(spec: spec).serializedBytes()
        #expect(encoded.contains(Wire.lengthDelimited(3, container)), "type and protocol are written back unchanged")
    }

    @Test("container state: every known value and unknown ones", arguments: ContainerState.known.map(\.rawValue) + ["paused", "Running"])
    func containerState(state: String) throws {
        let container = Wire.lengthDelimited(1, Array("c".utf8)) + Wire.lengthDelimited(2, Array(state.utf8))
        let bytes = Wire.lengthDelimited(1, Wire.lengthDelimited(4, container))
        let status = try GetTenantStatusResponse(serializedBytes: bytes).status
        #expect(status.containers.first?.state == ContainerState(rawValue: state))
        #expect(status.containers.first?.state.rawValue == state)
        let encoded = GetTenantStatusResponse(status: status).serializedBytes()
        #expect(encoded.contains(Wire.lengthDelimited(4, container)), "the state string is written back unchanged")
    }

    @Test("endpoint type: every known value and unknown ones", arguments: EndpointType.known.map(\.rawValue) + ["ws", "GRPC"])
    func endpointType(type: String) throws {
        let endpoint = Wire.lengthDelimited(1, Array(type.utf8)) + Wire.lengthDelimited(2, Array("a".utf8))
            + Wire.varintField(3, 1)
        let bytes = Wire.lengthDelimited(1, Wire.lengthDelimited(5, endpoint))
        let result = try ProvisionTenantResponse(serializedBytes: bytes).result
        #expect(result.endpoints.first?.type == EndpointType(rawValue: type))
        let encoded = ProvisionTenantResponse(result: result).serializedBytes()
        #expect(encoded.contains(Wire.lengthDelimited(5, endpoint)), "the endpoint type is written back unchanged")
    }
}

extension Array where Element == UInt8 {
    /// Whether `part` occurs in the bytes as a contiguous run.
    fileprivate func contains(_ part: [UInt8]) -> Bool {
        guard !part.isEmpty, part.count <= self.count else { return part.isEmpty }
        return (0...(self.count - part.count)).contains { Array(self[$0..<($0 + part.count)]) == part }
    }
}
