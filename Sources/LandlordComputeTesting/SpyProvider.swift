package import Foundation
package import LandlordCompute
internal import Synchronization

/// A ``ComputeProvider`` for tests that records every call and answers as scripted.
///
/// By default every operation succeeds with a canned answer. Script an operation with
/// ``fail(_:with:)`` or one of the `on...` handlers, and inspect ``calls`` afterwards:
///
/// ```swift
/// let spy = SpyProvider(name: "spy")
/// spy.fail(.provision, with: ComputeError(kind: .provisionFailed, message: "boom"))
/// // ... exercise the manager ...
/// #expect(spy.operations == [.validate, .provision])
/// ```
package final class SpyProvider: ComputeProvider {
    /// The operations of ``ComputeProvider``.
    package enum Operation: String, Sendable, Hashable, CaseIterable {
        case provision
        case update
        case destroy
        case status
        case validate
    }

    /// One recorded call with its arguments.
    package enum Call: Sendable, Hashable {
        case provision(TenantComputeSpec)
        case update(tenantID: String, spec: TenantComputeSpec)
        case destroy(tenantID: String)
        case status(tenantID: String)
        case validate(TenantComputeSpec)

        /// The operation called.
        package var operation: Operation {
            switch self {
            case .provision: .provision
            case .update: .update
            case .destroy: .destroy
            case .status: .status
            case .validate: .validate
            }
        }
    }

    /// The timestamp of every canned answer.
    package static let cannedDate = Date(timeIntervalSince1970: 1_700_000_000)

    private struct Handlers: Sendable {
        var provision: @Sendable (TenantComputeSpec) async throws -> ProvisionResult
        var update: @Sendable (String, TenantComputeSpec) async throws -> UpdateResult
        var destroy: @Sendable (String) async throws -> Void
        var status: @Sendable (String) async throws -> ComputeStatus
        var validate: @Sendable (TenantComputeSpec) async throws -> Void
    }

    private struct State: Sendable {
        var calls: [Call] = []
        var handlers: Handlers
    }

    package let name: String
    private let state: Mutex<State>

    /// Creates a spy registered under `name` whose operations all succeed.
    package init(name: String = "spy") {
        self.name = name
        self.state = Mutex(State(handlers: Self.defaultHandlers(name: name)))
    }

    // MARK: - Inspection

    /// Every call so far, in order.
    package var calls: [Call] {
        self.state.withLock { $0.calls }
    }

    /// The operation of every call so far, in order.
    package var operations: [Operation] {
        self.calls.map(\.operation)
    }

    /// Forgets the recorded calls (the scripting stays).
    package func clearCalls() {
        self.state.withLock { $0.calls.removeAll() }
    }

    // MARK: - Scripting

    /// Makes `operation` throw `error` from now on.
    package func fail(_ operation: Operation, with error: any Error) {
        self.state.withLock { state in
            switch operation {
            case .provision: state.handlers.provision = { _ in throw error }
            case .update: state.handlers.update = { _, _ in throw error }
            case .destroy: state.handlers.destroy = { _ in throw error }
            case .status: state.handlers.status = { _ in throw error }
            case .validate: state.handlers.validate = { _ in throw error }
            }
        }
    }

    /// Answers provisions with `handler`.
    package func onProvision(_ handler: @escaping @Sendable (TenantComputeSpec) async throws -> ProvisionResult) {
        self.state.withLock { $0.handlers.provision = handler }
    }

    /// Answers updates with `handler`.
    package func onUpdate(_ handler: @escaping @Sendable (String, TenantComputeSpec) async throws -> UpdateResult) {
        self.state.withLock { $0.handlers.update = handler }
    }

    /// Answers destroys with `handler`.
    package func onDestroy(_ handler: @escaping @Sendable (String) async throws -> Void) {
        self.state.withLock { $0.handlers.destroy = handler }
    }

    /// Answers status queries with `handler`.
    package func onStatus(_ handler: @escaping @Sendable (String) async throws -> ComputeStatus) {
        self.state.withLock { $0.handlers.status = handler }
    }

    /// Answers validations with `handler`.
    package func onValidate(_ handler: @escaping @Sendable (TenantComputeSpec) async throws -> Void) {
        self.state.withLock { $0.handlers.validate = handler }
    }

    // MARK: - ComputeProvider

    package func provision(_ spec: TenantComputeSpec) async throws -> ProvisionResult {
        let handler = self.record(.provision(spec)).provision
        return try await handler(spec)
    }

    package func update(tenantID: String, spec: TenantComputeSpec) async throws -> UpdateResult {
        let handler = self.record(.update(tenantID: tenantID, spec: spec)).update
        return try await handler(tenantID, spec)
    }

    package func destroy(tenantID: String) async throws {
        let handler = self.record(.destroy(tenantID: tenantID)).destroy
        try await handler(tenantID)
    }

    package func status(tenantID: String) async throws -> ComputeStatus {
        let handler = self.record(.status(tenantID: tenantID)).status
        return try await handler(tenantID)
    }

    package func validate(_ spec: TenantComputeSpec) async throws {
        let handler = self.record(.validate(spec)).validate
        try await handler(spec)
    }

    private func record(_ call: Call) -> Handlers {
        self.state.withLock { state in
            state.calls.append(call)
            return state.handlers
        }
    }

    private static func defaultHandlers(name: String) -> Handlers {
        Handlers(
            provision: { spec in
                ProvisionResult(
                    tenantID: spec.tenantID,
                    providerType: name,
                    status: .success,
                    resourceIDs: ["spy": "\(name)-\(spec.tenantID)"],
                    provisionedAt: SpyProvider.cannedDate
                )
            },
            update: { tenantID, _ in
                UpdateResult(
                    tenantID: tenantID,
                    providerType: name,
                    status: .success,
                    changes: ["spy: updated"],
                    updatedAt: SpyProvider.cannedDate
                )
            },
            destroy: { _ in },
            status: { tenantID in
                ComputeStatus(
                    tenantID: tenantID,
                    providerType: name,
                    state: .running,
                    health: .healthy,
                    lastUpdated: SpyProvider.cannedDate
                )
            },
            validate: { _ in }
        )
    }
}
