#!/usr/bin/env python3
"""Unary throughput with h2load, the shared harness's method (../shared/bench):
server pinned to CPU 0, h2load to CPU 1, -c 16 -m 32, median of 3 runs after
a warm-up, then one-call-at-a-time latency (-c 1 -m 1). Two calls:

- Health/Check("") - the transport, framing and dispatch hot path;
- GetTenantStatus on the mock provider - the full path: decode, Manager,
  provider, encode.

Each call gets a server of its own; the peak RSS of a row is that server's.

Targets (issue 5): Health/Check >= the C++ gRPC callback anchor with no more
CPU per call, peak RSS <= 32 MiB, c1 p50 <= the C++ anchor's; GetTenantStatus
>= 80 % of our own Health/Check throughput. The anchors are measured by
`../shared/bench/run-anchors.sh` (see docs/performance.md).

    Benchmarks/unary_throughput.py [--requests 200000] [--runs 3]
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

from common import Server, default_binary, generated_stubs

generated_stubs()
import grpc  # noqa: E402
from landlord.compute.v1 import compute_pb2 as pb  # noqa: E402
from landlord.compute.v1 import compute_pb2_grpc as pb_grpc  # noqa: E402


def framed(message_bytes):
    return b"\x00" + len(message_bytes).to_bytes(4, "big") + message_bytes


def h2load(address, path, body, requests, clients=16, streams=32, log_file=None):
    args = [
        "taskset", "-c", "1", "h2load", "-n", str(requests), "-c", str(clients), "-m", str(streams), "-t", "1",
        "-H", "content-type: application/grpc", "-H", "te: trailers", "-d", body,
    ]
    if log_file:
        args += ["--log-file", log_file]
    args.append(f"http://{address}{path}")
    output = subprocess.run(args, capture_output=True, text=True, timeout=600).stdout
    rate = float(re.search(r"finished in [\d.]+m?s, ([\d.]+) req/s", output).group(1))
    succeeded = int(re.search(r"(\d+) succeeded", output).group(1))
    two_xx = int(re.search(r"status codes: (\d+) 2xx", output).group(1))
    return rate, succeeded == requests and two_xx == requests


def p50_from_log(log_file):
    latencies = sorted(int(line.split("\t")[2]) for line in open(log_file) if line.strip())
    return latencies[len(latencies) // 2]


def measure(server, path, body, requests, runs):
    h2load(server.address, path, body, max(20000, requests // 10))  # warm-up
    rates, cpu, ok = [], [], True
    for _ in range(runs):
        before = server.cpu_seconds()
        rate, run_ok = h2load(server.address, path, body, requests)
        cpu.append((server.cpu_seconds() - before) / requests * 100000)
        rates.append(rate)
        ok = ok and run_ok
    with tempfile.NamedTemporaryFile(suffix=".log") as log:
        _, c1_ok = h2load(server.address, path, body, 10000, clients=1, streams=1, log_file=log.name)
        c1_p50 = p50_from_log(log.name)
    return {
        "rate": statistics.median(rates),
        "min": min(rates),
        "max": max(rates),
        "cpu": statistics.median(cpu),
        "c1_p50_us": c1_p50,
        "ok": ok and c1_ok,
    }


def provision_bench_tenant(address):
    with grpc.insecure_channel(address) as channel:
        pb_grpc.ComputeServiceStub(channel).ProvisionTenant(
            pb.ProvisionTenantRequest(
                spec=pb.TenantComputeSpec(
                    tenant_id="bench", provider_type="mock",
                    containers=[pb.ContainerSpec(name="web", image="nginx:1.25")],
                    resources=pb.ResourceRequirements(cpu=256, memory=256),
                )
            ),
            timeout=30,
        )


def measure_call(binary, path, body, requests, runs, prepare=None):
    """One call on a server of its own (so each row's peak RSS is that call's, as in the shared
    harness, where a server answers only Health/Check)."""
    server = Server(binary, cpu=0)
    try:
        if prepare:
            prepare(server.address)
        row = measure(server, path, body, requests, runs)
        row["peak_rss_mib"] = server.peak_rss_kib() / 1024
        return row
    finally:
        server.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default=default_binary())
    parser.add_argument("--requests", type=int, default=200000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        health_body = os.path.join(scratch, "health.bin")
        status_body = os.path.join(scratch, "status.bin")
        open(health_body, "wb").write(framed(b""))
        open(status_body, "wb").write(framed(pb.GetTenantStatusRequest(tenant_id="bench", provider_type="mock").SerializeToString()))
        rows = [
            ("Health/Check", measure_call(args.binary, "/grpc.health.v1.Health/Check", health_body, args.requests, args.runs)),
            ("GetTenantStatus (mock)", measure_call(
                args.binary, "/landlord.compute.v1.ComputeService/GetTenantStatus", status_body, args.requests, args.runs,
                prepare=provision_bench_tenant,
            )),
        ]

    print("| call | req/s (median) | min..max | CPU-s / 100k calls | c1 p50 | peak RSS | all OK |")
    print("|---|---|---|---|---|---|---|")
    for name, row in rows:
        print(
            f"| {name} | {row['rate']:,.0f} | {row['min']:,.0f}..{row['max']:,.0f} | {row['cpu']:.2f} | "
            f"{row['c1_p50_us']} µs | {row['peak_rss_mib']:.1f} MiB | {'yes' if row['ok'] else 'NO'} |"
        )
    ratio = rows[1][1]["rate"] / rows[0][1]["rate"]
    print(f"\nGetTenantStatus / Health/Check = {ratio:.0%} (target >= 80 %)")
    return 0 if all(row["ok"] for _, row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
