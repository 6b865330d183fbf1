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
