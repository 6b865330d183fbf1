#!/usr/bin/env bash
# Heap allocations per GetTenantStatus call, with and without an access policy, counted by
# heaptrack on the release build: two runs per configuration (10,000 and 30,000 calls, every
# request carrying the same `authorization: Bearer` header), so that start-up allocations cancel
# out of the per-call figure. The policy check must add none (docs/performance.md).
set -euo pipefail
cd "$(dirname "$0")/.."
binary="${LANDLORD_BINARY:-$PWD/.build/release/landlord}"
command -v heaptrack >/dev/null || { echo "policy_allocations.sh: heaptrack is not installed (apt-get install heaptrack)" >&2; exit 2; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
token="bench-token-5d41402abc4b2a76"
printf '{"callers":[{"name":"bench","token_sha256":"%s","role":"admin","tenants":["ben*"]}]}' \
    "$(printf %s "$token" | sha256sum | cut -d' ' -f1)" > "$work/policy.json"
python3 - "$work" <<'PY'
import sys
sys.path.insert(0, "Benchmarks")
from common import generated_stubs
generated_stubs()
from landlord.compute.v1 import compute_pb2 as pb

def framed(message):
    data = message.SerializeToString()
    return b"\x00" + len(data).to_bytes(4, "big") + data

spec = pb.TenantComputeSpec(
    tenant_id="bench", provider_type="mock", containers=[pb.ContainerSpec(name="web", image="nginx:1.25")],
    resources=pb.ResourceRequirements(cpu=256, memory=256),
)
open(f"{sys.argv[1]}/provision.bin", "wb").write(framed(pb.ProvisionTenantRequest(spec=spec)))
open(f"{sys.argv[1]}/status.bin", "wb").write(framed(pb.GetTenantStatusRequest(tenant_id="bench", provider_type="mock")))
PY

allocations() {  # calls policy|none -> total allocation calls of the process
    local calls=$1 mode=$2 port=$((52100 + RANDOM % 800)) extra=()
    [[ $mode == policy ]] && extra=(--auth-policy "$work/policy.json")
    heaptrack -o "$work/hp-$mode-$calls" "$binary" --listen "127.0.0.1:$port" --log-level warning "${extra[@]}" \
        >"$work/server-$mode-$calls.log" 2>&1 &
    local tracer=$!
    for _ in $(seq 50); do grep -q "landlord serving" "$work/server-$mode-$calls.log" 2>/dev/null && break; sleep 0.2; done
    h2load -n 1 -c 1 -m 1 -H 'content-type: application/grpc' -H 'te: trailers' -H "authorization: Bearer $token" \
        -d "$work/provision.bin" "http://127.0.0.1:$port/landlord.compute.v1.ComputeService/ProvisionTenant" >/dev/null
    h2load -n "$calls" -c 4 -m 8 -t 1 -H 'content-type: application/grpc' -H 'te: trailers' \
        -H "authorization: Bearer $token" -d "$work/status.bin" \
        "http://127.0.0.1:$port/landlord.compute.v1.ComputeService/GetTenantStatus" | grep -q "$calls succeeded"
    pkill -TERM -P "$tracer" 2>/dev/null || true  # the server is heaptrack's child
    wait "$tracer" || true
    heaptrack_print "$work"/hp-"$mode"-"$calls".* 2>/dev/null | sed -n 's/^calls to allocation functions: \([0-9]*\).*/\1/p'
}

# Backtrace lines of the policy run's allocations through the per-call check (the gate's admit,
# the token's parse, hash and compare, the tenant check): none expected. Loading the policy and
# making the gates at start-up, and the periodic reload, do allocate; they are not per call.
sites_in_the_check() {
    heaptrack_print --print-allocators --peak-limit 100000 --sub-peak-limit 100000 "$work"/hp-policy-30000.* 2>/dev/null |
        grep -cE 'admit|authenticate|bearerToken|StackSHA256|checkTenant|permits|constantTimeEquals|callerName' || true
}

for mode in ${MODES:-none policy}; do
    small=$(allocations 10000 "$mode")
    large=$(allocations 30000 "$mode")
    awk -v mode="$mode" -v d="$((large - small))" 'BEGIN { printf "%s: %.2f allocations per GetTenantStatus call\n", mode, d / 20000 }'
done
[[ -n $(ls "$work"/hp-policy-30000.* 2>/dev/null) ]] &&
    echo "allocation backtrace lines through the per-call access check (policy, 30,000 calls): $(sites_in_the_check)"
