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
swift build -c release --static-swift-stdlib --product landlord >/dev/null  # as deploy/Dockerfile ships it
only="cpp-grpc-callback,nghttpd-static"
if [[ "${1:-}" == "--only" ]]; then only="$2"; shift 2; fi
exec "$harness" --only "$only" --extra "landlord=$PWD/.build/release/landlord --listen 127.0.0.1:{PORT} --log-level warning" "$@"
