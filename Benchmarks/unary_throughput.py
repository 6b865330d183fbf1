#!/usr/bin/env python3
"""Unary throughput with h2load, the shared harness's method (../shared/bench):
server pinned to CPU 0, h2load to CPU 1, -c 16 -m 32, median of 5 runs (alternating) after
a warm-up, then one-call-at-a-time latency (-c 1 -m 1). Two calls:

- Health/Check("") - the transport, framing and dispatch hot path;
- GetTenantStatus on the mock provider - the full path: decode, Manager,
  provider, encode.

Each call gets a server of its own (the peak RSS of a row is that server's); both are up at
once and their timed runs alternate, so that the machine's drift does not bias their ratio.

Targets (issue 5): Health/Check >= the C++ gRPC callback anchor with no more
CPU per call, peak RSS <= 32 MiB, c1 p50 <= the C++ anchor's; GetTenantStatus
>= 80 % of our own Health/Check throughput. The anchors are measured by
`../shared/bench/run-anchors.sh` (see docs/performance.md).

    Benchmarks/unary_throughput.py [--requests 200000] [--runs 5]
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


class Call:
    """One call kind on a server of its own (so each row's peak RSS is that call's, as in the
    shared harness, where a server answers only Health/Check)."""

    def __init__(self, name, binary, path, body, prepare=None):
        self.name, self.path, self.body = name, path, body
        self.server = Server(binary, cpu=0)
        if prepare:
            prepare(self.server.address)
        self.rates, self.cpu, self.ok = [], [], True

    def warm_up(self, requests):
        h2load(self.server.address, self.path, self.body, max(20000, requests // 10))

    def timed_run(self, requests):
        before = self.server.cpu_seconds()
        rate, ok = h2load(self.server.address, self.path, self.body, requests)
        self.cpu.append((self.server.cpu_seconds() - before) / requests * 100000)
        self.rates.append(rate)
        self.ok = self.ok and ok

    def finish(self):
        with tempfile.NamedTemporaryFile(suffix=".log") as log:
            _, c1_ok = h2load(self.server.address, self.path, self.body, 10000, clients=1, streams=1, log_file=log.name)
            c1_p50 = p50_from_log(log.name)
        row = {
            "rate": statistics.median(self.rates),
            "min": min(self.rates),
            "max": max(self.rates),
            "cpu": statistics.median(self.cpu),
            "c1_p50_us": c1_p50,
            "ok": self.ok and c1_ok,
            "peak_rss_mib": self.server.peak_rss_kib() / 1024,
        }
        self.server.stop()
        return row


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


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default=default_binary())
    parser.add_argument("--requests", type=int, default=200000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        health_body = os.path.join(scratch, "health.bin")
        status_body = os.path.join(scratch, "status.bin")
        open(health_body, "wb").write(framed(b""))
        open(status_body, "wb").write(framed(pb.GetTenantStatusRequest(tenant_id="bench", provider_type="mock").SerializeToString()))
        calls = []
        try:
            calls.append(Call("Health/Check", args.binary, "/grpc.health.v1.Health/Check", health_body))
            calls.append(Call(
                "GetTenantStatus (mock)", args.binary, "/landlord.compute.v1.ComputeService/GetTenantStatus", status_body,
                prepare=provision_bench_tenant,
            ))
            for call in calls:
                call.warm_up(args.requests)
            # The timed runs alternate between the two calls (as the shared harness alternates
            # servers): this VM's speed drifts by 10-20 % over minutes, and the ratio of the two
            # calls is a target.
            for _ in range(args.runs):
                for call in calls:
                    call.timed_run(args.requests)
            rows = [(call.name, call.finish()) for call in calls]
        finally:
            for call in calls:
                call.server.stop()

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
