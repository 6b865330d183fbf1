import Foundation
import LandlordCompute
import LandlordProtobuf

// Domain values with every field set to a non-default value, and wire-building helpers.

enum Fixtures {
    /// 2024-05-01T12:00:00.25Z.
    static let provisionedAt = Date(timeIntervalSince1970: 1_714_564_800.25)
    /// 1938-04-24T22:13:19.25Z: before 1970, with a fraction.
    static let before1970 = Date(timeIntervalSince1970: -1_000_000_000.75)

    /// A container with every field set, optional sub-messages present.
    static let fullContainer = ContainerSpec(
        name: "web",
        image: "registry.example.com:5000/team/app@sha256:" + String(repeating: "ab", count: 32),
        command: ["/bin/sh", "-c"],
        args: ["exec nginx", "-g", "daemon off;"],
        env: ["A": "1", "B": "two", "C": "", "PATH": "/usr/bin:/bin"],
        ports: [
            PortMapping(containerPort: 80, hostPort: 8080, protocol: "tcp", name: "http"),
            PortMapping(containerPort: 53, hostPort: 0, protocol: "udp", name: ""),
            PortMapping(containerPort: 65535, hostPort: 65535, protocol: "tcp", name: "max"),
        ],
        healthCheck: HealthCheckConfig(
            type: "exec",
            httpPath: "/healthz",
            port: 8081,
            command: ["curl", "-f", "http://localhost/"],
            intervalSeconds: 31,
            timeoutSeconds: 7,
            healthyThreshold: 2,
            unhealthyThreshold: 4
        ),
        resources: ResourceRequirements(cpu: 250, memory: 256, storage: 512)
    )

    /// A container with only the required fields: no optional sub-messages, empty lists and maps.
    static let minimalContainer = ContainerSpec(name: "sidecar", image: "busybox")

    /// A spec with every field set to a non-default value.
    static let fullSpec = TenantComputeSpec(
        tenantID: "acme-prod",
        providerType: "mock",
        containers: [fullContainer, minimalContainer],
        resources: ResourceRequirements(cpu: 1000, memory: 2048, storage: 4096),
        networking: NetworkConfig(
            publicIP: true,
            securityGroups: ["sg-1", "sg-2"],
            subnets: ["subnet-a", "subnet-b", "subnet-c"],
            dns: DNSConfig(hostname: "acme", domain: "example.com")
        ),
        secrets: [
            SecretReference(name: "db", source: "kubernetes-secret", key: "password", envVar: "DB_PASSWORD"),
            SecretReference(name: "api", source: "aws-secrets-manager", key: "arn:aws:secretsmanager:x", envVar: ""),
        ],
        labels: ["team": "blue", "env": "prod", "mock.landlord.dev/state": "running", "empty": ""],
        // Not canonical JSON (spaces, unsorted keys, escapes): the bytes must travel unchanged.
        providerConfig: RawJSON(#"{ "zeta": 1, "alpha": [true, null, 1.5e3], "s": "\u00e9\n" }"#)
    )

    static let fullProvisionResult = ProvisionResult(
        tenantID: "acme-prod",
        providerType: "mock",
        status: .inProgress,
        resourceIDs: ["task": "arn:aws:ecs:task/1", "service": "arn:aws:ecs:service/1", "lb": "lb-1"],
        endpoints: [
            Endpoint(type: "https", address: "acme.example.com", port: 443, url: "https://acme.example.com"),
            Endpoint(type: "tcp", address: "10.0.0.1", port: 5432, url: ""),
        ],
        message: "provisioning continues",
        provisionedAt: provisionedAt
    )

    static let fullUpdateResult = UpdateResult(
        tenantID: "acme-prod",
        providerType: "mock",
        status: .success,
        changes: ["containers[0].image: nginx:1.24 -> nginx:1.25", "labels: env changed"],
        message: "updated",
        updatedAt: before1970
    )

    static let fullStatus = ComputeStatus(
        tenantID: "acme-prod",
        providerType: "mock",
        state: .starting,
        containers: [
            ContainerStatus(name: "web", state: "running", ready: true, restartCount: 3, message: "ok"),
            ContainerStatus(name: "sidecar", state: "failed", ready: false, restartCount: 0, message: "OOMKilled"),
        ],
        health: .unhealthy,
        lastUpdated: Date(timeIntervalSince1970: 1_714_564_800.123_456),
        metadata: ["region": "eu-west-1", "cluster": "c1", "task-count": "2"]
    )
}

/// Decodes what `message` encodes.
func roundTrip<Message: ProtobufMessage>(_ message: Message) throws -> Message {
    try Message(serializedBytes: message.serializedBytes())
}

/// Bytes from a hex string (whitespace ignored).
func hexBytes(_ hex: String) -> [UInt8] {
    let digits = hex.filter { !$0.isWhitespace }.map { UInt8(String($0), radix: 16)! }
    return stride(from: 0, to: digits.count, by: 2).map { digits[$0] << 4 | digits[$0 + 1] }
}

/// Wire-building helpers, for bytes no conforming encoder writes.
enum Wire {
    static func varint(_ value: UInt64) -> [UInt8] {
        var value = value
        var bytes: [UInt8] = []
        repeat {
            bytes.append(UInt8(value & 0x7f) | (value > 0x7f ? 0x80 : 0))
            value >>= 7
        } while value > 0
        return bytes
    }

    /// A varint field (`int32` values are sign-extended to 64 bits, as protobuf does).
    static func varintField(_ number: UInt64, _ value: Int64) -> [UInt8] {
        varint(number << 3) + varint(UInt64(bitPattern: value))
    }

    /// A length-delimited field.
    static func lengthDelimited(_ number: UInt64, _ payload: [UInt8]) -> [UInt8] {
        varint(number << 3 | 2) + varint(UInt64(payload.count)) + payload
    }
}
