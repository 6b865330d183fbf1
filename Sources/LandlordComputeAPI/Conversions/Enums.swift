// Domain status strings <-> the prefixed proto enums.
//
// Encoding maps every domain case to its own proto value and never writes `_UNSPECIFIED`.
// Decoding is total: `_UNSPECIFIED` (also what an absent field reads as) and values this build does
// not know (proto3 enums are open: a newer server may send more) fall back to the value that claims
// the least:
//
// | proto enum      | fallback                     | why                                                   |
// |-----------------|------------------------------|-------------------------------------------------------|
// | ComputeState    | `ComputeState.unknown`       | "the provider cannot tell the state"                  |
// | HealthStatus    | `HealthStatus.unknown`       | "the health cannot be determined"                     |
// | ProvisionStatus | `ProvisionStatus.inProgress` | neither success nor failure is confirmed: the caller  |
// | UpdateStatus    | `UpdateStatus.inProgress`    | should look at GetTenantStatus, as for an async one   |

internal import CLandlordProto
internal import LandlordCompute

extension ProvisionStatus {
    /// The domain value of a wire value; `_UNSPECIFIED` and unknown values read as ``inProgress``.
    init(wireValue: Landlord__Compute__V1__ProvisionStatus) {
        switch wireValue {
        case LANDLORD__COMPUTE__V1__PROVISION_STATUS__PROVISION_STATUS_SUCCESS: self = .success
        case LANDLORD__COMPUTE__V1__PROVISION_STATUS__PROVISION_STATUS_IN_PROGRESS: self = .inProgress
        case LANDLORD__COMPUTE__V1__PROVISION_STATUS__PROVISION_STATUS_FAILED: self = .failed
        default: self = .inProgress
        }
    }

    var wireValue: Landlord__Compute__V1__ProvisionStatus {
        switch self {
        case .success: LANDLORD__COMPUTE__V1__PROVISION_STATUS__PROVISION_STATUS_SUCCESS
        case .inProgress: LANDLORD__COMPUTE__V1__PROVISION_STATUS__PROVISION_STATUS_IN_PROGRESS
        case .failed: LANDLORD__COMPUTE__V1__PROVISION_STATUS__PROVISION_STATUS_FAILED
        }
    }
}

extension UpdateStatus {
    /// The domain value of a wire value; `_UNSPECIFIED` and unknown values read as ``inProgress``.
    init(wireValue: Landlord__Compute__V1__UpdateStatus) {
        switch wireValue {
        case LANDLORD__COMPUTE__V1__UPDATE_STATUS__UPDATE_STATUS_SUCCESS: self = .success
        case LANDLORD__COMPUTE__V1__UPDATE_STATUS__UPDATE_STATUS_NO_CHANGES: self = .noChanges
        case LANDLORD__COMPUTE__V1__UPDATE_STATUS__UPDATE_STATUS_IN_PROGRESS: self = .inProgress
        case LANDLORD__COMPUTE__V1__UPDATE_STATUS__UPDATE_STATUS_FAILED: self = .failed
        default: self = .inProgress
        }
    }

    var wireValue: Landlord__Compute__V1__UpdateStatus {
        switch self {
        case .success: LANDLORD__COMPUTE__V1__UPDATE_STATUS__UPDATE_STATUS_SUCCESS
        case .noChanges: LANDLORD__COMPUTE__V1__UPDATE_STATUS__UPDATE_STATUS_NO_CHANGES
        case .inProgress: LANDLORD__COMPUTE__V1__UPDATE_STATUS__UPDATE_STATUS_IN_PROGRESS
        case .failed: LANDLORD__COMPUTE__V1__UPDATE_STATUS__UPDATE_STATUS_FAILED
        }
    }
}

extension ComputeState {
    /// The domain value of a wire value; `_UNSPECIFIED` and unknown values read as ``unknown``.
    init(wireValue: Landlord__Compute__V1__ComputeState) {
        switch wireValue {
        case LANDLORD__COMPUTE__V1__COMPUTE_STATE__COMPUTE_STATE_RUNNING: self = .running
        case LANDLORD__COMPUTE__V1__COMPUTE_STATE__COMPUTE_STATE_STOPPED: self = .stopped
        case LANDLORD__COMPUTE__V1__COMPUTE_STATE__COMPUTE_STATE_STARTING: self = .starting
        case LANDLORD__COMPUTE__V1__COMPUTE_STATE__COMPUTE_STATE_STOPPING: self = .stopping
        case LANDLORD__COMPUTE__V1__COMPUTE_STATE__COMPUTE_STATE_FAILED: self = .failed
        default: self = .unknown
        }
    }

    var wireValue: Landlord__Compute__V1__ComputeState {
        switch self {
        case .running: LANDLORD__COMPUTE__V1__COMPUTE_STATE__COMPUTE_STATE_RUNNING
        case .stopped: LANDLORD__COMPUTE__V1__COMPUTE_STATE__COMPUTE_STATE_STOPPED
        case .starting: LANDLORD__COMPUTE__V1__COMPUTE_STATE__COMPUTE_STATE_STARTING
        case .stopping: LANDLORD__COMPUTE__V1__COMPUTE_STATE__COMPUTE_STATE_STOPPING
        case .failed: LANDLORD__COMPUTE__V1__COMPUTE_STATE__COMPUTE_STATE_FAILED
        case .unknown: LANDLORD__COMPUTE__V1__COMPUTE_STATE__COMPUTE_STATE_UNKNOWN
        }
    }
}

extension HealthStatus {
    /// The domain value of a wire value; `_UNSPECIFIED` and unknown values read as ``unknown``.
    init(wireValue: Landlord__Compute__V1__HealthStatus) {
        switch wireValue {
        case LANDLORD__COMPUTE__V1__HEALTH_STATUS__HEALTH_STATUS_HEALTHY: self = .healthy
        case LANDLORD__COMPUTE__V1__HEALTH_STATUS__HEALTH_STATUS_UNHEALTHY: self = .unhealthy
        default: self = .unknown
        }
    }

    var wireValue: Landlord__Compute__V1__HealthStatus {
        switch self {
        case .healthy: LANDLORD__COMPUTE__V1__HEALTH_STATUS__HEALTH_STATUS_HEALTHY
        case .unhealthy: LANDLORD__COMPUTE__V1__HEALTH_STATUS__HEALTH_STATUS_UNHEALTHY
        case .unknown: LANDLORD__COMPUTE__V1__HEALTH_STATUS__HEALTH_STATUS_UNKNOWN
        }
    }
}
