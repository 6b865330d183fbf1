#!/usr/bin/env python3
"""WatchTenantStatus fan-out: N watchers of one tenant over C connections.

Each round changes the tenant's state (UpdateTenant with the mock state label)
and measures how long until every watcher has received the new state. Prints
one line per round and a summary with the server's RSS. Targets (issue 5):
10,000 watchers over 100 connections, every update reaching all within 1 s,
server RSS <= 200 MiB.

    Benchmarks/watch_fanout.py [--watchers 10000] [--connections 100] [--rounds 5]
"""

import argparse
import asyncio
import statistics
import sys
import time

import grpc

from common import Server, default_binary, generated_stubs

generated_stubs()
from landlord.compute.v1 import compute_pb2 as pb  # noqa: E402
from landlord.compute.v1 import compute_pb2_grpc as pb_grpc  # noqa: E402

STATES = ["stopped", "running"]
STATE_VALUES = {"stopped": pb.COMPUTE_STATE_STOPPED, "running": pb.COMPUTE_STATE_RUNNING}


def spec(state):
    return pb.TenantComputeSpec(
        tenant_id="fanout",
        provider_type="mock",
        containers=[pb.ContainerSpec(name="web", image="nginx:1.25")],
        resources=pb.ResourceRequirements(cpu=256, memory=256),
        labels={"mock.landlord.dev/state": state},
    )


async def run(args):
    server = Server(args.binary, "--max-concurrent-streams", str(max(100, args.watchers // args.connections + 10)))
    try:
        address = server.address
        rss_idle = server.rss_kib()
        channels = [
            grpc.aio.insecure_channel(address, options=[("grpc.use_local_subchannel_pool", 1)]) for _ in range(args.connections)
        ]
        control = pb_grpc.ComputeServiceStub(channels[0])
        await control.ProvisionTenant(pb.ProvisionTenantRequest(spec=spec("running")), timeout=30)

        latest = [None] * args.watchers
        arrived = [None] * args.watchers
        expected = {"state": pb.COMPUTE_STATE_RUNNING, "since": 0.0}
        all_arrived = asyncio.Event()
        remaining = {"count": args.watchers}

        async def watch(index):
            stub = pb_grpc.ComputeServiceStub(channels[index % args.connections])
            call = stub.WatchTenantStatus(pb.WatchTenantStatusRequest(tenant_id="fanout", min_interval_ms=args.interval_ms))
            async for message in call:
                latest[index] = message.status.state
                if message.status.state == expected["state"] and arrived[index] is None:
                    arrived[index] = time.monotonic()
                    remaining["count"] -= 1
                    if remaining["count"] == 0:
                        all_arrived.set()

        started = time.monotonic()
        tasks = [asyncio.create_task(watch(i)) for i in range(args.watchers)]
        await asyncio.wait_for(all_arrived.wait(), timeout=120)
        print(f"{args.watchers} watchers on {args.connections} connections subscribed in {time.monotonic() - started:.2f}s", flush=True)
        rss_subscribed = server.rss_kib()

        results = []
        for round_index in range(args.rounds):
            state = STATES[round_index % 2]
            for i in range(args.watchers):
                arrived[i] = None
            remaining["count"] = args.watchers
            all_arrived.clear()
            expected["state"] = STATE_VALUES[state]
            changed = time.monotonic()
            await control.UpdateTenant(pb.UpdateTenantRequest(tenant_id="fanout", spec=spec(state)), timeout=30)
            try:
                await asyncio.wait_for(all_arrived.wait(), timeout=30)
            except asyncio.TimeoutError:
                print(f"round {round_index}: only {args.watchers - remaining['count']} of {args.watchers} watchers saw the update", flush=True)
                results.append(float("inf"))
                continue
            delays = sorted(t - changed for t in arrived)
            results.append(delays[-1])
            print(
                f"round {round_index}: -> {state}: all {args.watchers} in {delays[-1] * 1000:.0f} ms "
                f"(p50 {delays[len(delays) // 2] * 1000:.0f} ms)",
                flush=True,
            )
        peak = server.peak_rss_kib()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for channel in channels:
            await channel.close()

        worst = max(results)
        print()
        print("| watchers | connections | poll interval | update -> all watchers (worst of rounds) | server RSS idle | RSS with watchers | peak RSS |")
        print("|---|---|---|---|---|---|---|")
        print(
            f"| {args.watchers} | {args.connections} | {args.interval_ms} ms | {worst * 1000:.0f} ms (median {statistics.median(results) * 1000:.0f} ms) "
            f"| {rss_idle / 1024:.1f} MiB | {rss_subscribed / 1024:.1f} MiB | {peak / 1024:.1f} MiB |"
        )
        ok = worst <= args.max_delay and peak / 1024 <= args.max_rss_mib
        print("PASS" if ok else "FAIL", f"(targets: every update within {args.max_delay:.1f} s, peak RSS <= {args.max_rss_mib} MiB)")
        return 0 if ok else 1
    finally:
        server.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default=default_binary())
    parser.add_argument("--watchers", type=int, default=10000)
    parser.add_argument("--connections", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--interval-ms", type=int, default=100, help="min_interval_ms each watcher asks for")
    parser.add_argument("--max-delay", type=float, default=1.0)
    parser.add_argument("--max-rss-mib", type=int, default=200)
    sys.exit(asyncio.run(run(parser.parse_args())))


if __name__ == "__main__":
    main()
