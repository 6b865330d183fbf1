import LandlordCompute
import Testing

@Suite("ComputeError")
struct ComputeErrorTests {
    @Test("kinds compare by identity and have distinct names")
    func kinds() {
        let kinds = ComputeError.Kind.allKinds
        #expect(Set(kinds).count == kinds.count)
        #expect(
            kinds.map(\.description) == [
                "providerNotFound", "providerConflict", "invalidProviderName", "invalidSpec", "provisionFailed",
                "updateFailed", "providerFailed", "tenantNotFound", "alreadyExists",
            ]
        )
        #expect(ComputeError.Kind.invalidSpec.snakeCaseName == "invalid_spec")
        #expect(ComputeError.Kind.tenantNotFound.snakeCaseName == "tenant_not_found")
        #expect(ComputeError.Kind.providerNotFound != .providerConflict)
    }

    @Test("invalidSpec lists every violation in its message")
    func invalidSpecMessage() {
        let error = ComputeError.invalidSpec([
            FieldViolation(field: "tenant_id", description: "tenant_id is required"),
            FieldViolation(field: "containers", description: "at least one container is required"),
            FieldViolation(field: "", description: "the spec is not acceptable"),
        ])
        #expect(error.kind == .invalidSpec)
        #expect(
            error.message
                == "invalid compute spec: tenant_id: tenant_id is required; containers: at least one container is required; the spec is not acceptable"
        )
        #expect(error.violations.map(\.field) == ["tenant_id", "containers", ""])
        #expect(error.description == "invalidSpec: \(error.message)")
    }

    @Test("errors are equal when kind, message and violations are")
    func equality() {
        let a = ComputeError(kind: .provisionFailed, message: "boom")
        #expect(a == ComputeError(kind: .provisionFailed, message: "boom"))
        #expect(a != ComputeError(kind: .updateFailed, message: "boom"))
        #expect(a != ComputeError(kind: .provisionFailed, message: "bang"))
        #expect(a.violations.isEmpty)
    }
}
