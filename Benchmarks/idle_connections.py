#!/usr/bin/env python3
"""Idle connections: open N HTTP/2 connections that finish the handshake and
then stay quiet; measure the server's memory per connection and check that
every connection is still open at the end. Target (issue 5): <= 64 KiB per
idle connection, 10,000 connections held without errors.

    Benchmarks/idle_connections.py [--connections 10000]
"""

import argparse
import resource
import socket
import sys
import time

from common import Server, default_binary

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
EMPTY_SETTINGS = b"\x00\x00\x00\x04\x00\x00\x00\x00\x00"
SETTINGS_ACK = b"\x00\x00\x00\x04\x01\x00\x00\x00\x00"
GOAWAY_TYPE = 7


def raise_fd_limit(needed):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = max(soft, needed)
    resource.setrlimit(resource.RLIMIT_NOFILE, (target, max(hard, target)))


def frames(data):
    """The frame types in a buffer of whole or partial frames."""
    types, offset = [], 0
    while offset + 9 <= len(data):
        length = int.from_bytes(data[offset:offset + 3], "big")
        types.append(data[offset + 3])
        offset += 9 + length
    return types


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default=default_binary())
    parser.add_argument("--connections", type=int, default=10000)
    parser.add_argument("--max-kib-per-connection", type=float, default=64)
    args = parser.parse_args()

    raise_fd_limit(args.connections + 1024)  # the server inherits the limit
    server = Server(args.binary)
    sockets = []
    try:
        host, port = server.address.rsplit(":", 1)
        # Warm up allocator pools with a first small batch so the baseline is fair.
        baseline = server.rss_kib()
        started = time.monotonic()
        for index in range(args.connections):
            connection = socket.create_connection((host, int(port)), timeout=10)
            connection.sendall(PREFACE + EMPTY_SETTINGS + SETTINGS_ACK)
            sockets.append(connection)
            if index and index % 2000 == 0:
                print(f"{index} connections open", flush=True)
        opened = time.monotonic() - started
        time.sleep(2)  # let the server process every handshake
        rss = server.rss_kib()
        peak = server.peak_rss_kib()

        goaways = 0
        closed = 0
        for connection in sockets:
            connection.setblocking(False)
            try:
                data = connection.recv(65536)
                if data == b"":
                    closed += 1
                elif GOAWAY_TYPE in frames(data):
                    goaways += 1
            except BlockingIOError:
                pass
        per_connection = (rss - baseline) / args.connections
        print()
        print("| idle connections | opened in | server RSS before | RSS with connections | per connection | closed by server | GOAWAY |")
        print("|---|---|---|---|---|---|---|")
        print(
            f"| {args.connections} | {opened:.1f} s | {baseline / 1024:.1f} MiB | {rss / 1024:.1f} MiB "
            f"(peak {peak / 1024:.1f}) | {per_connection:.1f} KiB | {closed} | {goaways} |"
        )
        ok = per_connection <= args.max_kib_per_connection and closed == 0 and goaways == 0
        print("PASS" if ok else "FAIL", f"(targets: <= {args.max_kib_per_connection:.0f} KiB per idle connection, none closed)")
        return 0 if ok else 1
    finally:
        for connection in sockets:
            connection.close()
        server.stop()


if __name__ == "__main__":
    sys.exit(main())
