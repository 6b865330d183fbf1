import LandlordCompute
import LandlordProtobuf
import LandlordRPC

extension RPCError {
    /// The status a domain error is sent as (the error table of the RPC contract).
    ///
    /// Spec violations travel twice: listed in the message, and as a
    /// `google.rpc.BadRequest` inside `grpc-status-details-bin`.
    init(_ error: ComputeError) {
        switch error.kind {
        case .invalidSpec:
            self = Self.invalidArgument(error.message, violations: error.violations)
        case .providerNotFound:
            self = Self.invalidArgument(
                error.message,
                violations: [FieldViolation(field: "provider_type", description: error.message)]
            )
        case .tenantNotFound:
            self.init(code: .notFound, message: error.message)
        case .alreadyExists:
            self.init(code: .alreadyExists, message: error.message)
        default:
            self.init(code: .internal, message: error.message)
        }
    }

    private static func invalidArgument(_ message: String, violations: [FieldViolation]) -> RPCError {
        var metadata = Metadata()
        if !violations.isEmpty {
            let badRequest = BadRequest(
                fieldViolations: violations.map { BadRequest.FieldViolation(field: $0.field, description: $0.description) }
            )
            metadata.add(
                "grpc-status-details-bin",
                binary: badRequest.statusDetailsBin(code: Int32(StatusCode.invalidArgument.rawValue), message: message)
            )
        }
        return RPCError(code: .invalidArgument, message: message, metadata: metadata)
    }
}

/// Runs a Manager call, turning domain errors into their gRPC status.
///
/// A provider error that is not a ``ComputeError`` is a provider failure too:
/// INTERNAL with its description. Cancellation and errors that already are
/// statuses pass through.
func mappingComputeErrors<Result>(_ body: () async throws -> Result) async throws -> Result {
    do {
        return try await body()
    } catch {
        throw rpcError(mapping: error)
    }
}

/// The error ``mappingComputeErrors(_:)`` throws for `error`. Out of line, so that the async
/// function's frame (allocated on every call) does not hold the error path's values.
@inline(never)
private func rpcError(mapping error: any Error) -> any Error {
    switch error {
    case let error as ComputeError:
        RPCError(error)
    case is StatusWatchHub.ShutdownError:
        RPCError(code: .unavailable, message: "the server is shutting down; watch again")
    case let error where error is RPCError || error is CancellationError:
        error
    default:
        RPCError(code: .internal, message: "provider failed: \(error)")
    }
}
