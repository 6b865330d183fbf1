#!/usr/bin/env bash
# Stops the podman API service dev/podman/up.sh started (containers and images stay).
set -euo pipefail
dir="${LANDLORD_PODMAN_DIR:-/tmp/landlord-podman}"
if [ -f "$dir/service.pid" ]; then
    kill "$(cat "$dir/service.pid")" 2>/dev/null || true
    rm -f "$dir/service.pid" "$dir/podman.sock"
fi
