/// Who asked for the operations the current task runs, as the audit lines name it.
///
/// The layer that knows callers (the service layer, which authenticates them) binds it around
/// a call; the domain only reads the name. It is a name, never a credential.
///
/// ```swift
/// try await OperationCaller.$name.withValue("portal") {
///     try await manager.destroyTenant(tenantID: "acme", providerType: "")
/// }
/// ```
package enum OperationCaller {
    /// The name audit lines carry as `caller`; `anonymous` when nobody bound one (no policy).
    @TaskLocal package static var name: String = "anonymous"
}
