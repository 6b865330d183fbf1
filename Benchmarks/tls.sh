#!/usr/bin/env bash
# TLS against h2c and an access policy against none, on one release build (as deploy/Dockerfile
# ships it): Health/Check and GetTenantStatus through h2load. See Benchmarks/tls_access.py and
# docs/performance.md ("TLS and access control").
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --static-swift-stdlib --product landlord >/dev/null
exec python3 Benchmarks/tls_access.py --binary "$PWD/.build/release/landlord" "$@"
