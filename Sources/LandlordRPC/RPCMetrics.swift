/// Where the runtime reports what its calls do, for a metrics backend to count.
///
/// The runtime knows no metrics library: an owner that wants metrics passes an implementation
/// (LandlordMetrics has the Prometheus one). The handles of each method are made once, when the
/// method is registered on an instrumented ``RPCRouter``, so a call reaches its counters without a
/// look-up; without metrics a call pays one `nil` check per event.
public protocol RPCServerMetrics: Sendable {
    /// The handles of one method; called once per method, when it is registered.
    func methodMetrics(for descriptor: MethodDescriptor, kind: RPCKind) -> any RPCMethodMetrics

    /// The handles every call of a method the server does not serve is counted under
    /// (``MethodDescriptor/unknown``), so that clients cannot grow the label values.
    func unknownMethodMetrics() -> any RPCMethodMetrics

    /// A client connection was accepted.
    func connectionOpened()

    /// A client connection closed.
    func connectionClosed()
}

/// The metric handles of one method. Every function is called on the call path: implementations
/// must not lock, allocate or look anything up (atomic increments only).
public protocol RPCMethodMetrics: AnyObject, Sendable {
    /// A call started (its handler was found and admitted).
    func callStarted()

    /// A request message was received whole.
    func messageReceived()

    /// A response message was handed to the transport.
    func messageSent()

    /// The call ended with `code`, `duration` after it started.
    func callHandled(code: StatusCode, duration: Duration)
}

extension MethodDescriptor {
    /// The method every call of an unserved method is counted as: service and method `unknown`.
    public static let unknown = MethodDescriptor(service: "unknown", method: "unknown")
}
