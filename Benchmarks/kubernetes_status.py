"""GetTenantStatus on the kubernetes provider with 1,000 tenants on the fake API server
(Tests/fakes/kubernetes, in a process of its own): the status p50/p99 of one client calling in a
loop, and the requests per second landlord sends to the API server at steady state (the fake's
/_fake/stats), idle and while the status calls run. The watch cache should keep the latter near
zero: status reads the informers' cache, and a steady cluster only sends bookmarks.

    python3 Benchmarks/kubernetes_status.py [--tenants 1000] [--calls 5000] [--window 10]

LANDLORD_BINARY picks the binary (default: the release build). Loopback only; bounded."""

import argparse
import concurrent.futures
import json
import os
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

from common import ROOT, Server, default_binary, generated_stubs

FAKE = ROOT / "Tests" / "fakes" / "kubernetes" / "fake_apiserver.py"
SECRET_VARIABLE = "LL_BENCH_K8S_SECRET"


def start_fake(directory):
    subprocess.run([sys.executable, str(FAKE), "--make-ca", directory], check=True, capture_output=True)
    ready = os.path.join(directory, "ready.json")
    kubeconfig = os.path.join(directory, "kubeconfig")
    process = subprocess.Popen(
        [sys.executable, str(FAKE), "--port", "0", "--cert", f"{directory}/server.pem", "--key", f"{directory}/server.key",
         "--token", "bench", "--ready-file", ready, "--kubeconfig-out", kubeconfig, "--ca", f"{directory}/ca.pem",
         "--pod-start-seconds", "0.1", "--pod-ready-seconds", "0.1", "--namespace-termination-seconds", "0.1",
         "--history-limit", "20000"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while not os.path.exists(ready):
        if time.monotonic() > deadline or process.poll() is not None:
            raise RuntimeError("the fake API server did not start")
        time.sleep(0.05)
    with open(ready) as file:
        url = json.load(file)["url"]
    context = ssl.create_default_context(cafile=f"{directory}/ca.pem")
    return process, url, kubeconfig, context


def fake_hook(url, context, path, method="GET"):
    request = urllib.request.Request(url + path, method=method)
    with urllib.request.urlopen(request, context=context, timeout=10) as response:
        return json.loads(response.read() or b"{}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tenants", type=int, default=1000)
    parser.add_argument("--calls", type=int, default=5000)
    parser.add_argument("--window", type=float, default=10.0, help="seconds of each steady-state window")
    options = parser.parse_args()

    generated_stubs()
    import grpc
    from landlord.compute.v1 import compute_pb2 as pb
    from landlord.compute.v1 import compute_pb2_grpc as pb_grpc

    with tempfile.TemporaryDirectory() as directory:
        fake, url, kubeconfig, context = start_fake(directory)
        os.environ[SECRET_VARIABLE] = "bench-secret"
        server = Server(default_binary(), "--providers", "kubernetes", "--default-provider", "kubernetes",
                        "--kubernetes-kubeconfig", kubeconfig)
        try:
            channel = grpc.insecure_channel(server.address)
            stub = pb_grpc.ComputeServiceStub(channel)
            tenants = [f"bench-{index:04d}" for index in range(options.tenants)]

            def provision(tenant):
                spec = pb.TenantComputeSpec(
                    tenant_id=tenant, provider_type="kubernetes",
                    containers=[pb.ContainerSpec(name="web", image="nginx:1.25",
                                                 ports=[pb.PortMapping(container_port=80, protocol="tcp", name="http")])],
                    resources=pb.ResourceRequirements(cpu=128, memory=128),
                    secrets=[pb.SecretReference(name="db", source="env", key=SECRET_VARIABLE, env_var="DB_PASSWORD")],
                )
                stub.ProvisionTenant(pb.ProvisionTenantRequest(spec=spec), timeout=120)

            started = time.monotonic()
            with concurrent.futures.ThreadPoolExecutor(8) as pool:
                list(pool.map(provision, tenants))
            provisioned = time.monotonic() - started

            request = lambda tenant: pb.GetTenantStatusRequest(tenant_id=tenant, provider_type="kubernetes")  # noqa: E731
            deadline = time.monotonic() + 300
            while True:
                running = sum(
                    stub.GetTenantStatus(request(tenant), timeout=10).status.state == pb.COMPUTE_STATE_RUNNING
                    for tenant in tenants
                )
                if running == len(tenants) or time.monotonic() > deadline:
                    break
                time.sleep(1)

            # Idle steady state: only the informers' watches are open.
            fake_hook(url, context, "/_fake/reset", "POST")
            time.sleep(options.window)
            idle = fake_hook(url, context, "/_fake/stats")

            # While one client asks for status in a loop.
            fake_hook(url, context, "/_fake/reset", "POST")
            latencies = []
            window_start = time.monotonic()
            for index in range(options.calls):
                call_start = time.perf_counter()
                stub.GetTenantStatus(request(tenants[index % len(tenants)]), timeout=10)
                latencies.append(time.perf_counter() - call_start)
            busy_seconds = time.monotonic() - window_start
            busy = fake_hook(url, context, "/_fake/stats")
            channel.close()
        finally:
            server.stop()
            fake.terminate()
            try:
                fake.wait(timeout=5)
            except subprocess.TimeoutExpired:
                fake.kill()

    latencies.sort()
    p50 = statistics.median(latencies) * 1e6
    p99 = latencies[int(len(latencies) * 0.99) - 1] * 1e6
    print(f"| tenants | running | provision (all, 8 clients) | GetTenantStatus p50 | p99 | calls/s (1 client) | API requests/s idle | API requests/s during status calls |")
    print("|---|---|---|---|---|---|---|---|")
    print(f"| {len(tenants)} | {running} | {provisioned:.1f} s | {p50:.0f} µs | {p99:.0f} µs | {len(latencies) / busy_seconds:.0f} "
          f"| {idle['total'] / options.window:.2f} | {busy['total'] / busy_seconds:.2f} |")
    print(f"requests during the idle window: {idle['requests']}; during the status calls: {busy['requests']}")
    target = busy["total"] == 0
    print("PASS" if target else "FAIL", "(target: no request reaches the API server while status is read)")
    return 0 if target else 1


if __name__ == "__main__":
    sys.exit(main())
