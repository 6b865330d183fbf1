// swift-tools-version:6.1
//
// landlord compute service.
//
// Module arrows point one way (A -> B: A imports B):
//
//   landlord -> LandlordApp -> LandlordTransport -> LandlordHTTP2 -> CNGHTTP2
//                  |                 '-----------> LandlordRPC
//                  |-> LandlordService -> LandlordRPC, LandlordProtobuf, LandlordCompute
//                  |-> LandlordMetrics -> LandlordRPC (its RPCServerMetrics hooks), swift-prometheus
//                  |-> ProviderCatalog -> Landlord*Provider -> LandlordProviderKit -> LandlordCompute
//                  '-> LandlordProviderKit (options, factories)
//
// The domain (LandlordCompute) imports nothing of ours; the RPC runtime
// (LandlordHTTP2, LandlordRPC, LandlordTransport) knows nothing of tenants.

import PackageDescription

/// Settings shared by every Swift target.
let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    // https://github.com/swiftlang/swift-evolution/blob/main/proposals/0335-existential-any.md
    .enableUpcomingFeature("ExistentialAny"),
    // https://github.com/swiftlang/swift-evolution/blob/main/proposals/0409-access-level-on-imports.md
    .enableUpcomingFeature("InternalImportsByDefault"),
    // https://github.com/swiftlang/swift-evolution/blob/main/proposals/0444-member-import-visibility.md
    .enableUpcomingFeature("MemberImportVisibility"),
]

/// Modules on the per-call path whose nonisolated async functions run on their caller's executor
/// (SE-0461): a call's handler, the manager and the mock provider then stay on the connection's
/// event loop without a `swift_task_switch` at every `await` (about 5 % of a unary call's CPU).
/// Code that needs to leave the caller's executor says so (`@concurrent`, or an actor).
let nonsendingTargets: Set<String> = [
    "LandlordRPC", "LandlordTransport", "LandlordService", "LandlordCompute", "LandlordMockProvider",
    "LandlordGRPCServices",
]

/// Modules compiled without the dynamic exclusivity checks of class properties (static checks
/// remain): the HTTP/2 session and the connection handler, whose mutable state is confined to
/// one connection's event loop and touched once per frame and header. The checks cost about 4 %
/// of a unary call's CPU (`swift_beginAccess` and its thread-local access set); see
/// docs/performance.md.
let exclusivityUncheckedTargets: Set<String> = ["LandlordHTTP2", "LandlordTransport"]

let log: Target.Dependency = .product(name: "Logging", package: "swift-log")
let inMemoryLogging: Target.Dependency = .product(name: "InMemoryLogging", package: "swift-log")
let metrics: Target.Dependency = .product(name: "Metrics", package: "swift-metrics")
let nioCore: Target.Dependency = .product(name: "NIOCore", package: "swift-nio")
let nioPosix: Target.Dependency = .product(name: "NIOPosix", package: "swift-nio")
let serviceLifecycle: Target.Dependency = .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")
let unixSignals: Target.Dependency = .product(name: "UnixSignals", package: "swift-service-lifecycle")
let argumentParser: Target.Dependency = .product(name: "ArgumentParser", package: "swift-argument-parser")

var targets: [Target] = []

// MARK: - Compute domain and providers

let metricsTestKit: Target.Dependency = .product(name: "MetricsTestKit", package: "swift-metrics")

targets += [
    // The provider-agnostic domain: spec/result types, the ComputeProvider protocol, validation,
    // the provider registry and the compute manager. Imports only Foundation, Logging, Metrics.
    .target(name: "LandlordCompute", dependencies: [log, metrics]),
    // The in-memory `mock` provider (tests, demos, `make run`).
    .target(name: "LandlordMockProvider", dependencies: ["LandlordCompute", "LandlordProviderKit", log]),
    // Fakes and the provider conformance checks shared by test targets.
    .target(name: "LandlordComputeTesting", dependencies: ["LandlordCompute"]),
    .testTarget(
        name: "LandlordComputeTests",
        dependencies: ["LandlordCompute", "LandlordComputeTesting", log, inMemoryLogging, metrics, metricsTestKit]
    ),
    .testTarget(
        name: "LandlordMockProviderTests",
        dependencies: ["LandlordMockProvider", "LandlordCompute", "LandlordComputeTesting", log, inMemoryLogging]
    ),
]

// The provider kit: what every provider module shares: the catalog entry a provider ships (its
// option declarations and their resolved values), per-tenant locks, the undo log, the stored spec
// and its fingerprint, secret resolution, health probes and monitor, and the JSON-over-HTTP engine
// client core (timeouts, retries, TLS with a custom CA and client certificates, bearer tokens).
// Nothing in it knows a particular engine.
targets += [
    .target(
        name: "LandlordProviderKit",
        dependencies: [
            "LandlordCompute", log, nioCore, nioPosix,
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
        ]
    ),
    .testTarget(
        name: "LandlordProviderKitTests",
        dependencies: [
            "LandlordProviderKit", "LandlordCompute", log, inMemoryLogging, nioCore, nioPosix,
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "X509", package: "swift-certificates"),
            .product(name: "SwiftASN1", package: "swift-asn1"),
            .product(name: "Crypto", package: "swift-crypto"),
            "LandlordProviderKitTesting",
        ]
    ),
    // Test support shared by the provider test targets: a local HTTP(S) server whose answers a
    // closure gives, and a certificate authority made per test run.
    .target(
        name: "LandlordProviderKitTesting",
        dependencies: [
            nioCore, nioPosix,
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "X509", package: "swift-certificates"),
            .product(name: "SwiftASN1", package: "swift-asn1"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]
    ),
]

// The `docker` provider: tenants as containers on a Docker Engine API (unix socket or TCP), through
// async-http-client. Its end-to-end tests need a real engine (`make podman-up`).
targets += [
    .target(
        name: "LandlordDockerProvider",
        dependencies: [
            "LandlordCompute", "LandlordProviderKit", log, nioCore, nioPosix,
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
        ]
    ),
    .testTarget(
        name: "LandlordDockerProviderTests",
        dependencies: [
            "LandlordDockerProvider", "LandlordProviderKit", "LandlordCompute", "LandlordComputeTesting", log,
            inMemoryLogging, nioCore,
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
        ]
    ),
]

// The `kubernetes` provider: tenants as namespaces and workloads on a Kubernetes cluster, through the
// REST API (server-side apply) over the kit's engine client; kubeconfig (YAML) or in-cluster
// configuration; status from LIST+WATCH informers. Its tests run the provider on the fake API server
// (Tests/fakes/kubernetes, Python) and include the shared conformance suite.
targets += [
    .target(
        name: "LandlordKubernetesProvider",
        dependencies: [
            "LandlordCompute", "LandlordProviderKit", log, nioCore,
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "Yams", package: "Yams"),
        ]
    ),
    .testTarget(
        name: "LandlordKubernetesProviderTests",
        dependencies: [
            "LandlordKubernetesProvider", "LandlordProviderKit", "LandlordProviderKitTesting", "LandlordCompute",
            "LandlordComputeTesting", log, inMemoryLogging, nioCore,
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "Yams", package: "Yams"),
        ]
    ),
]

// The `ecs` provider: tenants as Fargate (or EC2) services on Amazon ECS, through the AWS JSON 1.1
// protocol over the kit's engine client, every request signed with Signature Version 4 (swift-crypto;
// no AWS SDK), credentials from the AWS default chain. Its tests run the provider on moto in server
// mode (signature checking on) and include the shared conformance suite.
targets += [
    .target(
        name: "LandlordECSProvider",
        dependencies: [
            "LandlordCompute", "LandlordProviderKit", log, nioCore,
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
        ]
    ),
    .testTarget(
        name: "LandlordECSProviderTests",
        dependencies: [
            "LandlordECSProvider", "LandlordProviderKit", "LandlordProviderKitTesting", "LandlordCompute",
            "LandlordComputeTesting", log, inMemoryLogging, nioCore,
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
        ],
        resources: [.copy("Recorded")]
    ),
]

// The `nomad` provider: tenants as Nomad service jobs (docker driver) through Nomad's HTTP API over the
// kit's engine client; EnforceIndex registers, plan diffs, status from deployments and allocations kept
// current by blocking queries, secrets in Nomad Variables. Its tests run the provider on the fake Nomad
// agent (Tests/fakes/nomad, Python) and include the shared conformance suite.
targets += [
    .target(
        name: "LandlordNomadProvider",
        dependencies: [
            "LandlordCompute", "LandlordProviderKit", log, nioCore,
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ]
    ),
    .testTarget(
        name: "LandlordNomadProviderTests",
        dependencies: [
            "LandlordNomadProvider", "LandlordProviderKit", "LandlordProviderKitTesting", "LandlordCompute",
            "LandlordComputeTesting", log,
            inMemoryLogging, nioCore,
        ]
    ),
]

// MARK: - RPC runtime

// HTTP/2 framing (nghttp2): the only targets that touch nghttp2 pointers.
targets += [
    .systemLibrary(
        name: "CNGHTTP2",
        pkgConfig: "libnghttp2",
        providers: [.apt(["libnghttp2-dev"])]
    ),
    .target(
        name: "LandlordHTTP2",
        dependencies: ["CNGHTTP2", nioCore]
    ),
    .target(
        name: "LandlordHTTP2TestSupport",
        dependencies: ["LandlordHTTP2", "CNGHTTP2", nioCore]
    ),
    .testTarget(
        name: "LandlordHTTP2Tests",
        dependencies: ["LandlordHTTP2", "LandlordHTTP2TestSupport", nioCore]
    ),
]

// Protocol buffers: protobuf-c from Debian, the committed protoc-c output of proto/ (regenerated by
// `make proto`, checked by `make check-proto`) and the Swift layer that is the only code touching
// protobuf-c structs for the standard services (health, reflection, google.rpc.Status).
// The test service's generated code lives under Tests/ but is a regular library for test servers.
targets += [
    .systemLibrary(
        name: "CProtobufC",
        pkgConfig: "libprotobuf-c",
        providers: [.apt(["libprotobuf-c-dev"])]
    ),
    .target(
        name: "CLandlordProto",
        dependencies: ["CProtobufC"]
    ),
    .target(
        name: "LandlordProtobuf",
        dependencies: ["CLandlordProto", "CProtobufC"]
    ),
    .target(
        name: "CLandlordTestingProto",
        dependencies: ["CProtobufC"],
        path: "Tests/CLandlordTestingProto"
    ),
    .target(
        name: "LandlordTestingProto",
        dependencies: ["LandlordProtobuf", "CLandlordTestingProto", "CProtobufC"],
        path: "Tests/LandlordTestingProto"
    ),
    .testTarget(
        name: "LandlordProtobufTests",
        dependencies: ["LandlordProtobuf", "LandlordTestingProto"]
    ),
]

// The transport-agnostic call layer: status, errors, metadata, router, executor.
targets += [
    .target(name: "LandlordRPC"),
    .testTarget(name: "LandlordRPCTests", dependencies: ["LandlordRPC"]),
]

// The gRPC server: NIO sockets, TLS (swift-nio-ssl) or h2c, one nghttp2 session per connection, gRPC framing.
targets += [
    .target(
        name: "LandlordTransport",
        dependencies: [
            "LandlordHTTP2", "LandlordRPC", nioCore, nioPosix, log, serviceLifecycle,
            .product(name: "NIOSSL", package: "swift-nio-ssl"), .product(name: "NIOTLS", package: "swift-nio"),
            .product(name: "X509", package: "swift-certificates"), .product(name: "SwiftASN1", package: "swift-asn1"),
        ]
    ),
    .testTarget(
        name: "LandlordTransportTests",
        dependencies: [
            "LandlordTransport", "LandlordRPC", "LandlordHTTP2", "LandlordHTTP2TestSupport", nioCore, nioPosix,
            .product(name: "NIOEmbedded", package: "swift-nio"), log, inMemoryLogging, "LandlordProviderKitTesting",
            .product(name: "NIOSSL", package: "swift-nio-ssl"), .product(name: "X509", package: "swift-certificates"),
            .product(name: "SwiftASN1", package: "swift-asn1"), .product(name: "Crypto", package: "swift-crypto"),
        ]
    ),
]

// Standard services any server may opt into: grpc.health.v1 and server reflection.
targets += [
    .target(name: "LandlordGRPCServices", dependencies: ["LandlordRPC", "LandlordProtobuf"]),
    .testTarget(name: "LandlordGRPCServicesTests", dependencies: ["LandlordGRPCServices", "LandlordRPC", "LandlordProtobuf", "LandlordTestingProto"]),
]

// The server the Python interop tests drive (Tests/interop): the runtime with a test service.
targets += [
    .executableTarget(
        name: "LandlordInteropServer",
        dependencies: [
            "LandlordTransport", "LandlordRPC", "LandlordGRPCServices", "LandlordProtobuf", "LandlordTestingProto",
            log, serviceLifecycle, unixSignals, argumentParser, nioCore,
        ],
        path: "Tests/InteropServer"
    ),
]

// Metrics an operator scrapes: the Prometheus registry (bootstrapped as the swift-metrics backend), the gRPC
// server metrics the runtime records through LandlordRPC's `RPCMetrics` hooks, process metrics read from
// /proc at scrape time, and the HTTP/1.1 `GET /metrics` listener.
targets += [
    .target(
        name: "LandlordMetrics",
        dependencies: [
            "LandlordRPC", log, metrics, nioCore, nioPosix, serviceLifecycle,
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ]
    ),
    .testTarget(
        name: "LandlordMetricsTests",
        dependencies: [
            "LandlordMetrics", "LandlordRPC", metrics, nioCore, nioPosix,
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOEmbedded", package: "swift-nio"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ]
    ),
]

// MARK: - Service layer and executable

// The compute API on the wire: Swift messages of landlord.compute.v1.ComputeService carrying the domain
// types, and the only code that touches the protobuf-c structs of compute.proto.
targets += [
    .target(name: "LandlordComputeAPI", dependencies: ["LandlordCompute", "LandlordProtobuf", "CLandlordProto", "CProtobufC"]),
    .testTarget(name: "LandlordComputeAPITests", dependencies: ["LandlordComputeAPI", "LandlordCompute", "LandlordProtobuf"]),
]

// The only place the domain and gRPC meet: ComputeService maps each RPC onto a ComputeManager call.
targets += [
    .target(
        name: "LandlordService",
        dependencies: [
            "LandlordCompute", "LandlordComputeAPI", "LandlordProtobuf", "LandlordRPC", log,
        ]
    ),
    .testTarget(
        name: "LandlordServiceTests",
        dependencies: [
            "LandlordService", "LandlordCompute", "LandlordComputeAPI", "LandlordComputeTesting", "LandlordMockProvider",
            "LandlordProtobuf", "LandlordRPC", log, inMemoryLogging, .product(name: "Crypto", package: "swift-crypto"),
        ]
    ),
]

// The composition root and the `landlord` executable.
targets += [
    .target(
        name: "LandlordApp",
        dependencies: [
            "LandlordCompute", "LandlordMockProvider", "LandlordDockerProvider", "LandlordKubernetesProvider",
            "LandlordECSProvider",
            "LandlordNomadProvider",
            "LandlordProviderKit", "LandlordService",
            "LandlordGRPCServices", "LandlordProtobuf", .product(name: "Yams", package: "Yams"),
            "LandlordRPC", "LandlordTransport", "LandlordHTTP2", "LandlordMetrics", log, nioCore, serviceLifecycle,
            unixSignals,
        ]
    ),
    .executableTarget(
        name: "landlord",
        dependencies: ["LandlordApp", "LandlordMetrics", "LandlordProviderKit", log, metrics, argumentParser, nioCore]
    ),
    .testTarget(
        name: "LandlordAppTests",
        dependencies: [
            "LandlordApp", "LandlordProviderKit", "LandlordCompute", "LandlordMetrics", "landlord", log, argumentParser,
        ]
    ),
]

let package = Package(
    name: "landlord",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "landlord", targets: ["landlord"]),
        .executable(name: "landlord-interop-server", targets: ["LandlordInteropServer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: targets.map { target in
        if target.type != .system && target.type != .binary && target.type != .plugin
            && !target.name.hasPrefix("C")
        {
            target.swiftSettings = (target.swiftSettings ?? []) + swiftSettings
            if exclusivityUncheckedTargets.contains(target.name) {
                target.swiftSettings! += [.unsafeFlags(["-enforce-exclusivity=unchecked"])]
            }
            if nonsendingTargets.contains(target.name) {
                target.swiftSettings! += [.enableUpcomingFeature("NonisolatedNonsendingByDefault")]
            }
        }
        return target
    }
)
