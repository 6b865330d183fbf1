/// Who made a call, as an ``RPCCallGate`` recognised it.
///
/// The call layer only needs the name; the layer that authenticates callers knows the rest
/// (its conforming type carries it to the handlers it serves, which read it back from
/// ``ServerContext/caller``). A class, so that handing it to a call is one retain.
public protocol RPCCaller: AnyObject, Sendable {
    /// The caller's name, e.g. for audit lines. Never a credential.
    var name: String { get }
}

/// Decides, per method, whether calls need to be admitted: the authorization step of the call
/// layer, run before the handler (like an interceptor), never inside it.
///
/// ``RPCRouter/guardAccess(with:)`` asks ``gate(for:)`` once per method, when the method is
/// registered, so a call only runs the gate precomputed for its method.
public protocol RPCAccessControl: Sendable {
    /// The gate calls of `descriptor` pass through; `nil` when the method is open to everyone
    /// (such as `grpc.health.v1.Health`).
    func gate(for descriptor: MethodDescriptor) -> (any RPCCallGate)?
}

/// Admits or refuses the calls of one method.
///
/// A class, so that a handler carries its gate as one reference (nil on every ungated method:
/// copying the handler per call then costs nothing for it).
public protocol RPCCallGate: AnyObject, Sendable {
    /// The caller of the call `context` describes, when it may make it.
    ///
    /// - Throws: an ``RPCError``, usually `UNAUTHENTICATED` (no or unknown credentials) or
    ///   `PERMISSION_DENIED` (a known caller that may not call the method); the call then
    ///   ends with it and its handler never runs. The message must never contain a credential.
    func admit(_ context: ServerContext) throws(RPCError) -> any RPCCaller
}
