#!/usr/bin/env bash
# Brings up a rootful podman engine for the Docker provider's end-to-end tests, idempotently:
#
#   1. starts `podman system service` on a unix socket under $LANDLORD_PODMAN_DIR
#      (default /tmp/landlord-podman) with dev/podman/containers.conf, unless it already answers;
#   2. builds the test image `landlord-busybox` (tags :latest, :1 and :2) from Debian's
#      busybox-static with `podman import` (no registry is reachable), unless it exists.
#
# Prints the socket as a DOCKER_HOST-style URL (unix:///tmp/landlord-podman/podman.sock) on the
# last line of stdout, for `LANDLORD_TEST_DOCKER_HOST`. Stop the engine with dev/podman/down.sh.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dir="${LANDLORD_PODMAN_DIR:-/tmp/landlord-podman}"
socket="$dir/podman.sock"
image="landlord-busybox"
export CONTAINERS_CONF="$here/containers.conf"

for tool in podman runc curl; do
    command -v "$tool" >/dev/null || { echo "up.sh: $tool is not installed (make apt-deps)" >&2; exit 1; }
done
[ -x /bin/busybox ] || { echo "up.sh: /bin/busybox is missing (Debian package busybox-static)" >&2; exit 1; }

mkdir -p "$dir"

ping() { curl -sf --max-time 2 --unix-socket "$socket" http://d/v1.41/_ping >/dev/null 2>&1; }

if ! ping; then
    if [ -f "$dir/service.pid" ] && kill -0 "$(cat "$dir/service.pid")" 2>/dev/null; then
        kill "$(cat "$dir/service.pid")" 2>/dev/null || true
        sleep 1
    fi
    rm -f "$socket"
    nohup podman system service --time=0 "unix://$socket" >"$dir/service.log" 2>&1 </dev/null &
    echo $! >"$dir/service.pid"
    for _ in $(seq 1 100); do
        ping && break
        sleep 0.1
    done
    ping || { echo "up.sh: podman system service did not answer on $socket; see $dir/service.log:" >&2;
              tail -20 "$dir/service.log" >&2; exit 1; }
fi

if ! podman image exists "localhost/$image:latest"; then
    rootfs="$(mktemp -d "$dir/rootfs.XXXXXX")"
    trap 'rm -rf "$rootfs" "$rootfs.tar"' EXIT
    mkdir -p "$rootfs"/{bin,sbin,usr/bin,usr/sbin,etc,tmp,var/www,proc,sys,dev,root}
    cp /bin/busybox "$rootfs/bin/busybox"
    for applet in $(/bin/busybox --list); do
        [ "$applet" = busybox ] || ln -sf busybox "$rootfs/bin/$applet"
    done
    echo 'root:x:0:0:root:/root:/bin/sh' >"$rootfs/etc/passwd"
    echo 'root:x:0:' >"$rootfs/etc/group"
    echo 'landlord test image' >"$rootfs/var/www/index.html"
    chmod 1777 "$rootfs/tmp"
    tar -C "$rootfs" -cf "$rootfs.tar" .
    podman import --quiet --change 'CMD ["/bin/sh"]' --change 'ENV PATH=/bin' \
        "$rootfs.tar" "$image" >/dev/null
fi
for tag in 1 2; do
    podman image exists "localhost/$image:$tag" || podman tag "localhost/$image:latest" "localhost/$image:$tag"
done

echo "unix://$socket"
