import Testing

/// Every test that runs a ``GRPCServer`` on real sockets.
///
/// They run one at a time: the servers and clients of all tests share the
/// process's event loops, and a test that floods its server on purpose would
/// otherwise delay another test's timers (keepalive, handshake) on a small,
/// busy CI machine.
@Suite("Live server on real sockets", .serialized)
struct LiveServerTests {}
