// swift-tools-version:6.1
//
// landlord compute service.
//
// Module arrows point one way (A -> B: A imports B):
//
//   landlord -> LandlordApp -> LandlordTransport -> LandlordHTTP2 -> CNGHTTP2
//                  |                 '-----------> LandlordRPC
//                  |-> LandlordService -> LandlordRPC, LandlordProtobuf, LandlordCompute
//                  '-> Landlord*Provider -> LandlordCompute
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

let log: Target.Dependency = .product(name: "Logging", package: "swift-log")
let inMemoryLogging: Target.Dependency = .product(name: "InMemoryLogging", package: "swift-log")
let metrics: Target.Dependency = .product(name: "Metrics", package: "swift-metrics")
let nioCore: Target.Dependency = .product(name: "NIOCore", package: "swift-nio")
let nioPosix: Target.Dependency = .product(name: "NIOPosix", package: "swift-nio")
let serviceLifecycle: Target.Dependency = .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")
let argumentParser: Target.Dependency = .product(name: "ArgumentParser", package: "swift-argument-parser")

var targets: [Target] = []

// MARK: - Compute domain and providers

let metricsTestKit: Target.Dependency = .product(name: "MetricsTestKit", package: "swift-metrics")

targets += [
    // The provider-agnostic domain: spec/result types, the ComputeProvider protocol, validation,
    // the provider registry and the compute manager. Imports only Foundation, Logging, Metrics.
    .target(name: "LandlordCompute", dependencies: [log, metrics]),
    // The in-memory `mock` provider (tests, demos, `make run`).
    .target(name: "LandlordMockProvider", dependencies: ["LandlordCompute", log]),
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

// MARK: - RPC runtime

// MARK: - Service layer and executable

let package = Package(
    name: "landlord",
    platforms: [.macOS(.v15)],
    products: [],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
    ],
    targets: targets.map { target in
        if target.type != .system && target.type != .binary && target.type != .plugin
            && !target.name.hasPrefix("C")
        {
            target.swiftSettings = (target.swiftSettings ?? []) + swiftSettings
        }
        return target
    }
)
