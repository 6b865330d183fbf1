#!/usr/bin/env python3
"""What TLS and the access policy cost, with h2load, the shared harness's method
(../shared/bench): each server pinned to CPU 0, h2load to CPU 1, -c 16 -m 32, the median of
the timed runs (alternating between the servers, so that the machine's drift does not bias
their ratios) after a warm-up. One release build, four servers:

- h2c                 the port as without the TLS options;
- h2c + policy        --auth-policy, every request with `authorization: Bearer <token>`;
- TLS                 --tls-cert/--tls-key (ALPN h2; h2load negotiates TLS 1.3);
- TLS + policy        both.

Two calls on each: Health/Check (open: no check even with a policy) and GetTenantStatus on
the mock provider (admitted by the policy: token hash, constant-time compare, role, tenant).
h2load cannot present a client certificate, so mutual TLS is not measured here (its cost is
in the handshake, once per connection; the per-call check is the same).

    Benchmarks/tls_access.py [--requests 100000] [--runs 3]

Create /work/bench.lock first when other builds share the machine (docs/performance.md).
"""

import argparse
import hashlib
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile

from common import Server, default_binary, generated_stubs

generated_stubs()
import grpc  # noqa: E402
from landlord.compute.v1 import compute_pb2 as pb  # noqa: E402
from landlord.compute.v1 import compute_pb2_grpc as pb_grpc  # noqa: E402

TOKEN = "bench-token-5d41402abc4b2a76"


def framed(message_bytes):
    return b"\x00" + len(message_bytes).to_bytes(4, "big") + message_bytes


def h2load(url, body, requests, headers=(), clients=16, streams=32):
    args = [
        "taskset", "-c", "1", "h2load", "-n", str(requests), "-c", str(clients), "-m", str(streams), "-t", "1",
        "-H", "content-type: application/grpc", "-H", "te: trailers", "-d", body,
    ]
    for header in headers:
        args += ["-H", header]
    args.append(url)
    output = subprocess.run(args, capture_output=True, text=True, timeout=600).stdout
    rate = float(re.search(r"finished in [\d.]+m?s, ([\d.]+) req/s", output).group(1))
    succeeded = int(re.search(r"(\d+) succeeded", output).group(1))
    two_xx = int(re.search(r"status codes: (\d+) 2xx", output).group(1))
    return rate, succeeded == requests and two_xx == requests


def make_certificate(directory):
    key, cert = os.path.join(directory, "tls.key"), os.path.join(directory, "tls.crt")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
         "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )
    return cert, key


class Config:
    """One server configuration and the rates of its two calls."""

    def __init__(self, name, binary, args, tls, policy, status_body, health_body, root_certificate):
        self.name, self.tls, self.policy = name, tls, policy
        self.server = Server(binary, *args, cpu=0)
        self.scheme = "https" if tls else "http"
        self.headers = [f"authorization: Bearer {TOKEN}"] if policy else []
        self.calls = {
            "Health/Check": ("/grpc.health.v1.Health/Check", health_body),
            "GetTenantStatus": ("/landlord.compute.v1.ComputeService/GetTenantStatus", status_body),
        }
        self.rates = {call: [] for call in self.calls}
        self.cpu = {call: [] for call in self.calls}
        self.ok = True
        credentials = grpc.ssl_channel_credentials(root_certificate) if tls else None
        if credentials and policy:
            credentials = grpc.composite_channel_credentials(credentials, grpc.access_token_call_credentials(TOKEN))
        channel = grpc.secure_channel(self.server.address, credentials) if tls else grpc.insecure_channel(self.server.address)
        with channel:
            metadata = [("authorization", f"Bearer {TOKEN}")] if policy and not tls else None
            pb_grpc.ComputeServiceStub(channel).ProvisionTenant(
                pb.ProvisionTenantRequest(spec=pb.TenantComputeSpec(
                    tenant_id="bench", provider_type="mock", containers=[pb.ContainerSpec(name="web", image="nginx:1.25")],
                    resources=pb.ResourceRequirements(cpu=256, memory=256),
                )),
                metadata=metadata, timeout=30,
            )

    def run(self, call, requests):
        path, body = self.calls[call]
        before = self.server.cpu_seconds()
        rate, ok = h2load(f"{self.scheme}://{self.server.address}{path}", body, requests, self.headers)
        self.cpu[call].append((self.server.cpu_seconds() - before) / requests * 100000)
        self.rates[call].append(rate)
        self.ok = self.ok and ok


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default=default_binary())
    parser.add_argument("--requests", type=int, default=100000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        cert, key = make_certificate(scratch)
        policy = os.path.join(scratch, "policy.json")
        with open(policy, "w") as file:
            json.dump({"callers": [
                # A few callers before the one that matches: every token digest is compared anyway.
                *({"name": f"other-{i}", "token_sha256": hashlib.sha256(f"other-{i}".encode()).hexdigest(), "role": "viewer"} for i in range(3)),
                {"name": "bench", "token_sha256": hashlib.sha256(TOKEN.encode()).hexdigest(), "role": "admin", "tenants": ["ben*"]},
            ]}, file)
        health_body, status_body = os.path.join(scratch, "health.bin"), os.path.join(scratch, "status.bin")
        open(health_body, "wb").write(framed(b""))
        open(status_body, "wb").write(framed(pb.GetTenantStatusRequest(tenant_id="bench", provider_type="mock").SerializeToString()))
        root = open(cert, "rb").read()
        tls_args = ["--tls-cert", cert, "--tls-key", key]
        configs = []
        try:
            for name, extra, tls, with_policy in [
                ("h2c", [], False, False),
                ("h2c + policy", ["--auth-policy", policy], False, True),
                ("TLS", tls_args, True, False),
                ("TLS + policy", [*tls_args, "--auth-policy", policy], True, True),
            ]:
                configs.append(Config(name, args.binary, extra, tls, with_policy, status_body, health_body, root))
            for config in configs:
                for call in config.calls:
                    config.run(call, max(20000, args.requests // 5))  # warm-up, not recorded
                    config.rates[call].clear()
                    config.cpu[call].clear()
            for _ in range(args.runs):
                for call in ("Health/Check", "GetTenantStatus"):
                    for config in configs:
                        config.run(call, args.requests)
        finally:
            for config in configs:
                config.server.stop()

    base = configs[0]
    print("| server | call | req/s (median) | min..max | CPU-s / 100k calls | vs h2c | all OK |")
    print("|---|---|---|---|---|---|---|")
    for call in ("Health/Check", "GetTenantStatus"):
        for config in configs:
            rates = config.rates[call]
            rate = statistics.median(rates)
            ratio = rate / statistics.median(base.rates[call])
            print(
                f"| {config.name} | {call} | {rate:,.0f} | {min(rates):,.0f}..{max(rates):,.0f} | "
                f"{statistics.median(config.cpu[call]):.2f} | {ratio:.2f} | {'yes' if config.ok else 'NO'} |"
            )
    return 0 if all(config.ok for config in configs) else 1


if __name__ == "__main__":
    sys.exit(main())
