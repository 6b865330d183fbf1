package import LandlordCompute

/// The contract checks every ``ComputeProvider`` must pass (seed 002 "Method Contracts"), for one
/// shared conformance suite per provider:
///
/// ```swift
/// @Test(arguments: ComputeProviderConformance.checks)
/// func conformance(_ check: ComputeProviderConformance.Check) async throws {
///     try await check.run(MockProvider(), ComputeProviderConformance.Fixture(providerType: "mock"))
/// }
/// ```
///
/// Each check uses its own tenant ids (prefixed `conformance-`) and destroys what it created, so
/// the checks can share one provider and run in parallel. A broken contract throws a
/// ``Failure`` naming the check and what went wrong.
package enum ComputeProviderConformance {
    /// How the checks build specs for the provider under test.
    package struct Fixture: Sendable {
        /// A valid spec for a tenant id.
        package var makeSpec: @Sendable (_ tenantID: String) -> TenantComputeSpec
        /// A different, still valid, spec for the same tenant.
        package var changeSpec: @Sendable (_ spec: TenantComputeSpec) -> TenantComputeSpec

        /// Specs built by `makeSpec`, changed by `changeSpec`.
        package init(
            makeSpec: @escaping @Sendable (String) -> TenantComputeSpec,
            changeSpec: @escaping @Sendable (TenantComputeSpec) -> TenantComputeSpec
        ) {
            self.makeSpec = makeSpec
            self.changeSpec = changeSpec
        }

        /// ``TenantComputeSpec/valid(tenantID:providerType:labels:)`` specs, changed by giving the first
        /// container the image `nginx:1.27` and doubling the tenant's CPU.
        package init(providerType: String) {
            self.init(
                makeSpec: { TenantComputeSpec.valid(tenantID: $0, providerType: providerType) },
                changeSpec: { spec in
                    var spec = spec
                    spec.containers[0].image = "nginx:1.27"
                    spec.resources.cpu *= 2
                    return spec
                }
            )
        }
    }

    /// A broken contract.
    package struct Failure: Error, CustomStringConvertible {
        /// The check that failed.
        package var check: String
        /// What went wrong.
        package var message: String

        package var description: String { "\(self.check): \(self.message)" }
    }

    /// One named contract check.
    package struct Check: Sendable, CustomStringConvertible {
        /// The check's name, e.g. `destroy of an unknown tenant succeeds`.
        package var name: String
        /// Runs the check against a provider.
        package var run: @Sendable (_ provider: any ComputeProvider, _ fixture: Fixture) async throws -> Void

        package var description: String { self.name }

        /// A check named `name` whose failures are reported under that name.
        init(name: String, body: @escaping @Sendable (any ComputeProvider, Fixture) async throws -> Void) {
            self.name = name
            self.run = { provider, fixture in
                do {
                    try await body(provider, fixture)
                } catch var failure as Failure {
                    failure.check = name
                    throw failure
                }
            }
        }
    }

    /// Every check.
    package static let checks: [Check] = [
        Check(name: "name is lowercase alphanumeric") { provider, _ in
            try expect(ProviderRegistry.isValidName(provider.name), "name \"\(provider.name)\" is not ^[a-z0-9]+$")
        },
        Check(name: "validate accepts a valid spec") { provider, fixture in
            try await provider.validate(fixture.makeSpec("conformance-validate"))
        },
        Check(name: "provision then status reports every container") { provider, fixture in
            let spec = fixture.makeSpec("conformance-lifecycle")
            let result = try await provider.provision(spec)
            try expect(result.tenantID == spec.tenantID, "result.tenantID is \"\(result.tenantID)\"")
            try expect(result.providerType == provider.name, "result.providerType is \"\(result.providerType)\"")
            try expect(result.status != .failed, "provision answered status failed without throwing")
            try expect(!result.resourceIDs.isEmpty, "provision returned no resource ids")
            let status = try await provider.status(tenantID: spec.tenantID)
            try expect(status.tenantID == spec.tenantID, "status.tenantID is \"\(status.tenantID)\"")
            try expect(
                Set(status.containers.map(\.name)) == Set(spec.containers.map(\.name)),
                "status containers \(status.containers.map(\.name)) differ from the spec's"
            )
            try await provider.destroy(tenantID: spec.tenantID)
        },
        Check(name: "provision is idempotent for the same spec") { provider, fixture in
            let spec = fixture.makeSpec("conformance-idempotent")
            let first = try await provider.provision(spec)
            let second = try await provider.provision(spec)
            try expect(first == second, "the second provision answered \(second), the first \(first)")
            try await provider.destroy(tenantID: spec.tenantID)
        },
        Check(name: "provision of a different spec for an existing tenant is alreadyExists") { provider, fixture in
            let spec = fixture.makeSpec("conformance-conflict")
            _ = try await provider.provision(spec)
            try await expectError(.alreadyExists) { _ = try await provider.provision(fixture.changeSpec(spec)) }
            try await provider.destroy(tenantID: spec.tenantID)
        },
        Check(name: "update with the same spec answers no_changes") { provider, fixture in
            let spec = fixture.makeSpec("conformance-nochange")
            _ = try await provider.provision(spec)
            let result = try await provider.update(tenantID: spec.tenantID, spec: spec)
            try expect(result.status == .noChanges, "status is \(result.status)")
            try expect(result.changes.isEmpty, "changes are \(result.changes)")
            try await provider.destroy(tenantID: spec.tenantID)
        },
        Check(name: "update with a changed spec lists changes") { provider, fixture in
            let spec = fixture.makeSpec("conformance-change")
            _ = try await provider.provision(spec)
            let result = try await provider.update(tenantID: spec.tenantID, spec: fixture.changeSpec(spec))
            try expect(result.status == .success || result.status == .inProgress, "status is \(result.status)")
            try expect(!result.changes.isEmpty, "no changes listed")
            let again = try await provider.update(tenantID: spec.tenantID, spec: fixture.changeSpec(spec))
            try expect(again.status == .noChanges, "repeating the update answered \(again.status)")
            try await provider.destroy(tenantID: spec.tenantID)
        },
        Check(name: "update of an unknown tenant is tenantNotFound") { provider, fixture in
            let spec = fixture.makeSpec("conformance-update-unknown")
            try await expectError(.tenantNotFound) {
                _ = try await provider.update(tenantID: spec.tenantID, spec: spec)
            }
        },
        Check(name: "status of an unknown tenant is tenantNotFound") { provider, _ in
            try await expectError(.tenantNotFound) {
                _ = try await provider.status(tenantID: "conformance-status-unknown")
            }
        },
        Check(name: "destroy of an unknown tenant succeeds") { provider, _ in
            try await provider.destroy(tenantID: "conformance-destroy-unknown")
        },
        Check(name: "destroy removes the tenant and is idempotent") { provider, fixture in
            let spec = fixture.makeSpec("conformance-destroy")
            _ = try await provider.provision(spec)
            try await provider.destroy(tenantID: spec.tenantID)
            try await provider.destroy(tenantID: spec.tenantID)
            try await expectError(.tenantNotFound) { _ = try await provider.status(tenantID: spec.tenantID) }
        },
        Check(name: "operations on different tenants run concurrently") { provider, fixture in
            let ids = (0..<16).map { "conformance-parallel-\($0)" }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for id in ids {
                    group.addTask {
                        let spec = fixture.makeSpec(id)
                        _ = try await provider.provision(spec)
                        let status = try await provider.status(tenantID: id)
                        try expect(status.tenantID == id, "status of \(id) answered for \(status.tenantID)")
                        try await provider.destroy(tenantID: id)
                    }
                }
                try await group.waitForAll()
            }
        },
    ]

    private static func expect(_ condition: Bool, _ message: @autoclosure () -> String) throws {
        guard condition else { throw Failure(check: "conformance", message: message()) }
    }

    private static func expectError(
        _ kind: ComputeError.Kind,
        _ body: () async throws -> Void
    ) async throws {
        do {
            try await body()
        } catch let error as ComputeError where error.kind == kind {
            return
        } catch {
            throw Failure(check: "conformance", message: "expected a \(kind) error, got \(error)")
        }
        throw Failure(check: "conformance", message: "expected a \(kind) error, got success")
    }
}
