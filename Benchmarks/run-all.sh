#!/usr/bin/env bash
# Every benchmark of issue 5 against the release build of landlord, one table each.
# Loopback only; each script bounds its own requests and time. See docs/performance.md.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --static-swift-stdlib --product landlord >/dev/null  # as deploy/Dockerfile ships it
export LANDLORD_BINARY="$PWD/.build/release/landlord"
echo "## Unary throughput (h2load)"; python3 Benchmarks/unary_throughput.py "$@"
echo; echo "## Start to SERVING"; python3 Benchmarks/startup.py
echo; echo "## Idle connections"; python3 Benchmarks/idle_connections.py
echo; echo "## WatchTenantStatus fan-out"; python3 Benchmarks/watch_fanout.py
