#!/usr/bin/env bash
# Health/Check next to the reference servers in one run of the shared harness
# (../shared/bench: nghttpd and C++ gRPC by default; pass --only ... to choose others).
# The harness pins every server to CPU 0 and h2load to CPU 1 and interleaves the runs;
# compare ratios, not absolute numbers, across runs. See docs/performance.md.
set -euo pipefail
cd "$(dirname "$0")/.."
harness="${LANDLORD_BENCH_HARNESS:-$PWD/../shared/bench/run-anchors.sh}"
if [[ ! -x "$harness" ]]; then
    echo "side-by-side.sh: the shared harness is not at $harness (set LANDLORD_BENCH_HARNESS)" >&2
    exit 2
fi
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
swift build -c release --static-swift-stdlib --product landlord >/dev/null  # as deploy/Dockerfile ships it
only="cpp-grpc-callback,nghttpd-static"
if [[ "${1:-}" == "--only" ]]; then only="$2"; shift 2; fi
binary="$PWD/.build/release/landlord --listen 127.0.0.1:{PORT} --log-level warning"
# landlord-metrics: the same server with the Prometheus endpoint on (issue 15: >= 90 % of landlord).
"$harness" --only "$only" \
    --extra "landlord=$binary" \
    --extra "landlord-metrics=$binary --metrics-listen 127.0.0.1:52990" "$@" | tee "$out"
python3 - "$out" <<'PY'
import re, sys
rows = {}
for line in open(sys.argv[1]):
    cells = [c.strip() for c in line.strip().strip("|").split("|")]
    if len(cells) > 4 and re.fullmatch(r"[\d.]+", cells[2] or "x"):
        rows[cells[0]] = (float(cells[2]), float(cells[9]))
if "landlord" in rows and "landlord-metrics" in rows:
    print(f"metrics on / off throughput: {rows['landlord-metrics'][0] / rows['landlord'][0]:.3f} (target >= 0.90)")
if "landlord" in rows and "cpp-grpc-callback" in rows:
    (ours, ours_cpu), (cpp, cpp_cpu) = rows["landlord"], rows["cpp-grpc-callback"]
    print(f"guard: {ours / cpp:.2f}x C++ throughput (>= 1.6), {ours_cpu / cpp_cpu:.2f}x its CPU per call (<= 0.7)")
PY
