import Foundation
import LandlordComputeAPI
package import LandlordRPC
package import Logging
import Synchronization

/// Authenticates and authorizes calls against the current ``AccessPolicy``: the
/// ``RPCAccessControl`` the server's router is guarded with (``RPCRouter/guardAccess(with:)``).
///
/// Each method gets its requirement once, at registration: health is open (no gate), a compute
/// method needs its ``CallerRole``, reflection follows the policy's `reflection`, and a method of
/// any other service needs `admin`. A call then only loads the current policy, hashes its token
/// (if it sends one) and compares: no allocation on the way in. The tenant scope is checked by the
/// compute service on the request it decoded (``ComputeService``), through the caller handed down.
///
/// The policy file is re-read by ``reloadIfChanged()``; a file that does not parse keeps the
/// policy in force and logs an error.
package final class AccessController: RPCAccessControl {
    private let path: String?
    private let logger: Logger
    private struct State {
        var policy: AccessPolicy
        var fileContents: Data?
    }
    private let state: Mutex<State>

    /// The policy in force.
    package var policy: AccessPolicy { state.withLock { $0.policy } }

    /// A controller with a fixed policy (tests).
    package init(policy: AccessPolicy, logger: Logger) {
        self.path = nil
        self.logger = logger
        self.state = Mutex(State(policy: policy, fileContents: nil))
    }

    /// Loads the policy file at `path`.
    ///
    /// - Throws: ``AccessPolicyError`` when the file cannot be read or is not a valid policy.
    package init(path: String, logger: Logger) throws(AccessPolicyError) {
        self.path = path
        self.logger = logger
        let contents = try Self.read(path)
        self.state = Mutex(State(policy: try AccessPolicy(json: contents), fileContents: contents))
    }

    private static func read(_ path: String) throws(AccessPolicyError) -> Data {
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw AccessPolicyError("cannot read \(path)")
        }
    }

    /// Re-reads the policy file; a changed file that parses replaces the policy, one that does not
    /// is logged (`error`) and the policy in force stays.
    ///
    /// - Returns: whether the policy changed.
    @discardableResult
    package func reloadIfChanged() -> Bool {
        guard let path else { return false }
        let contents: Data
        do {
            contents = try Self.read(path)
        } catch {
            logger.error("auth policy not reloaded, keeping the previous one", metadata: ["path": "\(path)", "error": "\(error.message)"])
            return false
        }
        guard contents != state.withLock({ $0.fileContents }) else { return false }
        do {
            let policy = try AccessPolicy(json: contents)
            state.withLock { $0 = State(policy: policy, fileContents: contents) }
            logger.notice("auth policy reloaded", metadata: ["path": "\(path)", "callers": "\(policy.callers.count)"])
            return true
        } catch {
            // Remembered, so that the same bad file is reported once, not at every poll.
            state.withLock { $0.fileContents = contents }
            logger.error("auth policy not reloaded, keeping the previous one", metadata: ["path": "\(path)", "error": "\(error.message)"])
            return false
        }
    }

    // MARK: RPCAccessControl

    /// What a method's calls need.
    package enum Requirement: Sendable, Hashable {
        /// A caller with at least this role.
        case role(CallerRole)
        /// Server reflection: as the policy's `reflection` says.
        case reflection
    }

    package static let healthService = "grpc.health.v1.Health"
    package static let reflectionServices: Set<String> = [
        "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection",
    ]

    /// The requirement of a method; `nil` for health, which is always open.
    package static func requirement(for descriptor: MethodDescriptor) -> Requirement? {
        if descriptor.service == healthService { return nil }
        if reflectionServices.contains(descriptor.service) { return .reflection }
        if descriptor.service == ComputeServiceDescriptor.serviceName,
            let role = CallerRole.required(forComputeMethod: descriptor.method)
        {
            return .role(role)
        }
        return .role(.admin)
    }

    package func gate(for descriptor: MethodDescriptor) -> (any RPCCallGate)? {
        Self.requirement(for: descriptor).map { Gate(requirement: $0, method: descriptor.method, controller: self) }
    }

    private final class Gate: RPCCallGate {
        let requirement: Requirement
        let method: String
        let controller: AccessController

        init(requirement: Requirement, method: String, controller: AccessController) {
            self.requirement = requirement
            self.method = method
            self.controller = controller
        }

        func admit(_ context: ServerContext) throws(RPCError) -> any RPCCaller {
            try controller.admit(context, requirement: requirement, method: method)
        }
    }

    /// The caller of a call that meets `requirement`.
    package func admit(_ context: ServerContext, requirement: Requirement, method: String) throws(RPCError) -> AccessPolicy.Caller {
        let policy = self.policy
        if requirement == .reflection, policy.reflection == .open { return .anonymous }
        let caller: AccessPolicy.Caller
        switch Self.authenticate(context, policy: policy) {
        case .success(let known):
            caller = known
        case .failure(let refusal):
            deny(caller: nil, method: context.descriptor, reason: refusal.message)
            throw RPCError(code: .unauthenticated, message: refusal.message)
        }
        if case .role(let role) = requirement, !caller.role.includes(role) {
            let message = "caller \"\(caller.name)\" has role \(caller.role.rawValue); \(method) needs \(role.rawValue)"
            deny(caller: caller, method: context.descriptor, reason: message)
            throw RPCError(code: .permissionDenied, message: message)
        }
        return caller
    }

    /// Why a call's credentials name no caller.
    private struct Refusal: Error {
        var message: String
    }

    /// The caller a call's credentials name: its bearer token if it sends one, else its client certificate.
    private static func authenticate(_ context: ServerContext, policy: AccessPolicy) -> Result<AccessPolicy.Caller, Refusal> {
        if let token = bearerToken(in: context.requestMetadata) {
            guard let token else {
                return .failure(Refusal(message: "the authorization metadata is not \"Bearer <token>\""))
            }
            let digest = TokenDigest.digest(of: token)
            var match: AccessPolicy.Caller?
            // Every digest is compared, in constant time each: how long this takes says nothing
            // about which caller (if any) matched, nor how close a wrong token came.
            for entry in policy.tokenCallers where entry.digest.constantTimeEquals(digest) {
                match = entry.caller
            }
            guard let match else { return .failure(Refusal(message: "the bearer token is not one the auth policy knows")) }
            return .success(match)
        }
        if let identity = context.peerCertificate {
            for entry in policy.certificateCallers where entry.name.matches(identity) { return .success(entry.caller) }
            return .failure(Refusal(message: "the client certificate (\(identity)) names no caller of the auth policy"))
        }
        return .failure(Refusal(message: "no credentials: send \"authorization: Bearer <token>\" or a client certificate the auth policy names"))
    }

    /// The token of the `authorization` metadata: `nil` without one, `.some(nil)` when it is not
    /// `Bearer <token>`. Looks at the metadata in place (no array is made).
    private static func bearerToken(in metadata: Metadata) -> Substring?? {
        for element in metadata.elements where element.key == "authorization" {
            guard case .string(let value) = element.value else { return .some(nil) }
            let scheme = value.utf8.prefix(7)
            guard scheme.count == 7, scheme.elementsEqual("bearer ".utf8, by: { $0 | 0x20 == $1 }) else { return .some(nil) }
            let token = value.dropFirst(7)
            return token.isEmpty ? .some(nil) : .some(token)
        }
        return nil
    }

    /// The audit line of a refused call: the caller (`unknown` when none was recognised), the
    /// method and why. Never a token.
    package func deny(caller: AccessPolicy.Caller?, method: MethodDescriptor, reason: String, tenantID: String? = nil) {
        var metadata: Logger.Metadata = [
            "audit": "true", "outcome": "denied", "caller": .string(caller?.name ?? "unknown"),
            "method": .string(method.path), "reason": .string(reason),
        ]
        if let tenantID { metadata["tenant_id"] = .string(tenantID) }
        logger.notice("audit: access denied", metadata: metadata)
    }
}
