package import LandlordCompute

/// How a spec health check becomes an ECS container health check (a command ECS runs inside the
/// container every interval):
///
/// | spec `type` | ECS `command` |
/// |---|---|
/// | `exec` | `["CMD", command...]` (a command already starting with `CMD` or `CMD-SHELL` is kept) |
/// | `http` | `["CMD-SHELL", "wget -q -O /dev/null 'http://127.0.0.1:PORT/PATH' \|\| curl -fsS -o /dev/null 'http://127.0.0.1:PORT/PATH' \|\| exit 1"]` |
/// | `tcp` | `["CMD-SHELL", "nc -z 127.0.0.1 PORT \|\| exit 1"]` |
///
/// The `http` and `tcp` forms need `wget` or `curl`, and `nc`, in the image (busybox-based and
/// most distribution images have them; distroless images do not: use `exec` there).
///
/// Timing: `interval_seconds` → `interval` (ECS: 5-300), `timeout_seconds` → `timeout` (ECS's
/// minimum is 2: the default 1 s becomes 2 s; at most 60), `unhealthy_threshold` → `retries`
/// (1-10). ECS has no success threshold: a `healthy_threshold` above 1 is a violation.
package enum ECSHealthCheckMapping {
    /// The ECS health check of `check`.
    package static func healthCheck(_ check: HealthCheckConfig) -> ECSHealthCheck {
        let command: [String]
        switch check.type {
        case .http:
            let path = check.httpPath.isEmpty ? "/" : check.httpPath
            let url = "'http://127.0.0.1:\(check.port)\(path)'"
            command = ["CMD-SHELL", "wget -q -O /dev/null \(url) || curl -fsS -o /dev/null \(url) || exit 1"]
        case .tcp:
            command = ["CMD-SHELL", "nc -z 127.0.0.1 \(check.port) || exit 1"]
        default:
            command = ["CMD", "CMD-SHELL"].contains(check.command.first ?? "") ? check.command : ["CMD"] + check.command
        }
        return ECSHealthCheck(
            command: command, interval: check.effectiveIntervalSeconds,
            timeout: max(2, check.effectiveTimeoutSeconds), retries: check.effectiveUnhealthyThreshold, startPeriod: nil)
    }

    /// The violations of `check` for ECS, at `path` (`containers[i].health_check`).
    package static func violations(_ check: HealthCheckConfig, path: String) -> [FieldViolation] {
        var violations: [FieldViolation] = []
        if check.type == .http,
            check.httpPath.contains(where: { $0 == "'" || $0 == "\\" || $0.isWhitespace || $0.asciiValue.map { $0 < 32 } ?? false })
        {
            violations.append(
                FieldViolation(
                    field: "\(path).http_path",
                    description: "the ecs provider runs http checks as a shell command: the path must not contain quotes, backslashes or whitespace"))
        }
        if !(5...300).contains(check.effectiveIntervalSeconds) {
            violations.append(FieldViolation(field: "\(path).interval_seconds", description: "ECS health checks run every 5 to 300 seconds"))
        }
        if check.effectiveTimeoutSeconds > 60 {
            violations.append(FieldViolation(field: "\(path).timeout_seconds", description: "ECS health check timeouts are 2 to 60 seconds"))
        }
        if !(1...10).contains(check.effectiveUnhealthyThreshold) {
            violations.append(FieldViolation(field: "\(path).unhealthy_threshold", description: "ECS health checks allow 1 to 10 retries"))
        }
        if check.effectiveHealthyThreshold > 1 {
            violations.append(
                FieldViolation(
                    field: "\(path).healthy_threshold",
                    description: "ECS marks a container healthy after one passing check: healthy_threshold must be 0 or 1"))
        }
        return violations
    }
}
