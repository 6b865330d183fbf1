#!/usr/bin/env bash
# Fails when the committed protobuf output is stale (`make check-proto`, part of `make test`):
# regenerates everything into a temp dir with dev/generate-protos.sh and compares it with the
# committed files.
set -euo pipefail
export LC_ALL=C

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

"$ROOT/dev/generate-protos.sh" "$TMP"

# Everything dev/generate-protos.sh writes.
GENERATED=(
    Sources/CLandlordProto
    Tests/CLandlordTestingProto
    proto/landlord.binpb
    Tests/proto/testing.binpb
    Sources/LandlordProtobuf/Reflection/ReflectionV1alphaCodec.swift
)

stale=0
for path in "${GENERATED[@]}"; do
    if [ ! -e "$ROOT/$path" ]; then
        echo "missing: $path"
        stale=1
    elif ! diff -r -u "$ROOT/$path" "$TMP/$path" >"$TMP/diff.txt" 2>&1; then
        echo "differs: $path"
        head -n 40 "$TMP/diff.txt" | sed -e "s|$TMP/||g" -e "s|$ROOT/||g"
        lines=$(wc -l <"$TMP/diff.txt")
        [ "$lines" -le 40 ] || echo "... ($((lines - 40)) more lines of diff)"
        stale=1
    fi
done

if [ "$stale" -ne 0 ]; then
    echo >&2
    echo "error: the committed generated protobuf code is stale (or was edited by hand)." >&2
    echo "       Run 'make proto' and commit the result." >&2
    echo "       Generated here with $(${PROTOC:-protoc} --version) and $(${PROTOC_C:-protoc-c} --version | head -n 1)." >&2
    exit 1
fi
echo "generated protobuf code is up to date"
