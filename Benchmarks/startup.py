#!/usr/bin/env python3
"""Start to SERVING: time from starting the landlord process until a
grpc.health.v1 Check("") answers SERVING, median of several starts.
Target (issue 5): <= 200 ms.

    Benchmarks/startup.py [--runs 5]
"""

import argparse
import socket
import statistics
import subprocess
import sys
import time

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from common import default_binary


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def one_start(binary):
    port = free_port()
    started = time.monotonic()
    process = subprocess.Popen([binary, "--listen", f"127.0.0.1:{port}", "--log-level", "warning"], stderr=subprocess.DEVNULL)
    try:
        deadline = started + 30
        while time.monotonic() < deadline:
            try:
                with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
                    response = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=1, wait_for_ready=False)
                if response.status == health_pb2.HealthCheckResponse.SERVING:
                    return time.monotonic() - started
            except grpc.RpcError:
                time.sleep(0.005)
        raise RuntimeError("never SERVING")
    finally:
        process.terminate()
        process.wait(30)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default=default_binary())
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--max-ms", type=float, default=200)
    args = parser.parse_args()
    times = [one_start(args.binary) * 1000 for _ in range(args.runs)]
    median = statistics.median(times)
    print("| start to SERVING (median) | min | max | runs |")
    print("|---|---|---|---|")
    print(f"| {median:.0f} ms | {min(times):.0f} ms | {max(times):.0f} ms | {args.runs} |")
    print("PASS" if median <= args.max_ms else "FAIL", f"(target: <= {args.max_ms:.0f} ms)")
    return 0 if median <= args.max_ms else 1


if __name__ == "__main__":
    sys.exit(main())
