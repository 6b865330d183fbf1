"""The Prometheus endpoint of the real `landlord` binary (`--metrics-listen`), read with
prometheus_client's parser (a strict, independent reader of the text format) after grpcio calls:

- exact deltas of the gRPC server metrics per method and code (OK, NotFound, InvalidArgument, and
  Unimplemented for a method the server does not serve, counted under `unknown`), for the compute
  service, health and reflection, and of the compute metrics;
- the watch and connection gauges go back to zero when the watches and channels close;
- the process metrics agree with /proc;
- bad HTTP requests to the metrics port get 4xx, and the gRPC port goes on serving.
"""

import os
import re
import socket
import time
import urllib.error
import urllib.request
import uuid

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import ProtoReflectionDescriptorDatabase
from prometheus_client.parser import text_string_to_metric_families

from landlord.compute.v1 import compute_pb2 as pb
from landlord.compute.v1 import compute_pb2_grpc as pb_grpc

from conftest import start_landlord

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
COMPUTE = "landlord.compute.v1.ComputeService"
HEALTH = "grpc.health.v1.Health"
REFLECTION = "grpc.reflection.v1alpha.ServerReflection"


@pytest.fixture(scope="module")
def server():
    server = start_landlord("--metrics-listen", "127.0.0.1:0")
    line = server.wait_for_line("landlord serving", contains=True)
    server.metrics_address = re.search(r"metrics=(\S+:\d+)", line).group(1)
    yield server
    assert server.terminate() == 0


def http_get(server, path="/metrics", method="GET"):
    request = urllib.request.Request(f"http://{server.metrics_address}{path}", method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


class Scrape:
    """One scrape, parsed: the families by name and every sample's value by (name, labels)."""

    def __init__(self, server):
        status, headers, body = http_get(server)
        assert status == 200
        assert headers["Content-Type"] == CONTENT_TYPE
        self.families = {family.name: family for family in text_string_to_metric_families(body)}
        self.samples = {
            (sample.name, frozenset(sample.labels.items())): sample.value
            for family in self.families.values()
            for sample in family.samples
        }

    def value(self, name, **labels):
        return self.samples.get((name, frozenset(labels.items())), 0.0)


def grpc_labels(service, method, kind="unary"):
    return {"grpc_type": kind, "grpc_service": service, "grpc_method": method}


def delta(before, after, name, **labels):
    return after.value(name, **labels) - before.value(name, **labels)


def eventually(condition, timeout=10.0, description="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"{description} did not hold within {timeout}s")


def tenant_spec(tenant):
    return pb.TenantComputeSpec(
        tenant_id=tenant,
        provider_type="mock",
        containers=[pb.ContainerSpec(name="web", image="nginx:1.25")],
        resources=pb.ResourceRequirements(cpu=256, memory=512),
    )


def test_every_metric_of_the_contract_is_exposed_with_its_type(server):
    scrape = Scrape(server)
    types = {name: family.type for name, family in scrape.families.items()}
    # prometheus_client names counter families without `_total`.
    expected = {
        "grpc_server_started": "counter",
        "grpc_server_handled": "counter",
        "grpc_server_msg_received": "counter",
        "grpc_server_msg_sent": "counter",
        "grpc_server_handling_seconds": "histogram",
        "landlord_watch_streams": "gauge",
        "landlord_watch_polls": "gauge",
        "landlord_connections": "gauge",
        "process_resident_memory_bytes": "gauge",
        "process_cpu_seconds": "counter",
        "process_open_fds": "gauge",
        "process_start_time_seconds": "gauge",
    }
    for name, kind in expected.items():
        assert types.get(name) == kind, (name, types.get(name))
    # Every method of every service, health and reflection included, from the start.
    for service, method, kind in [
        (COMPUTE, "ProvisionTenant", "unary"),
        (COMPUTE, "WatchTenantStatus", "server_stream"),
        (HEALTH, "Check", "unary"),
        (HEALTH, "Watch", "server_stream"),
        (REFLECTION, "ServerReflectionInfo", "bidi_stream"),
        ("grpc.reflection.v1.ServerReflection", "ServerReflectionInfo", "bidi_stream"),
        ("unknown", "unknown", "unary"),
    ]:
        assert ("grpc_server_started_total", frozenset(grpc_labels(service, method, kind).items())) in scrape.samples
    # Label values stay bounded: no tenant id, nothing a client chose.
    services = {dict(labels).get("grpc_service") for (name, labels) in scrape.samples if name.startswith("grpc_server")}
    assert services == {COMPUTE, HEALTH, REFLECTION, "grpc.reflection.v1.ServerReflection", "unknown"}


def test_exact_deltas_per_method_and_code(server):
    with grpc.insecure_channel(server.address) as channel:
        grpc.channel_ready_future(channel).result(timeout=10)
        stub = pb_grpc.ComputeServiceStub(channel)
        health = health_pb2_grpc.HealthStub(channel)
        before = Scrape(server)

        for _ in range(3):
            assert health.Check(health_pb2.HealthCheckRequest(service=""), timeout=10).status == health_pb2.HealthCheckResponse.SERVING
        for _ in range(2):
            with pytest.raises(grpc.RpcError) as error:
                stub.GetTenantStatus(pb.GetTenantStatusRequest(tenant_id=f"t-{uuid.uuid4().hex[:12]}"), timeout=10)
            assert error.value.code() == grpc.StatusCode.NOT_FOUND
        with pytest.raises(grpc.RpcError) as error:
            stub.ProvisionTenant(pb.ProvisionTenantRequest(spec=tenant_spec("")), timeout=10)
        assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        stub.ProvisionTenant(pb.ProvisionTenantRequest(spec=tenant_spec(f"t-{uuid.uuid4().hex[:12]}")), timeout=10)
        for method in ["/no.such.Service/Method", f"/{COMPUTE}/NoSuchMethod"]:
            with pytest.raises(grpc.RpcError) as error:
                channel.unary_unary(method)(b"", timeout=10)
            assert error.value.code() == grpc.StatusCode.UNIMPLEMENTED
        services = ProtoReflectionDescriptorDatabase(channel).get_services()
        assert COMPUTE in services

        after = Scrape(server)

    check = grpc_labels(HEALTH, "Check")
    assert delta(before, after, "grpc_server_started_total", **check) == 3
    assert delta(before, after, "grpc_server_handled_total", **check, grpc_code="OK") == 3
    assert delta(before, after, "grpc_server_msg_received_total", **check) == 3
    assert delta(before, after, "grpc_server_msg_sent_total", **check) == 3
    assert delta(before, after, "grpc_server_handling_seconds_count", **check) == 3
    assert delta(before, after, "grpc_server_handling_seconds_bucket", **check, le="+Inf") == 3
    assert delta(before, after, "grpc_server_handling_seconds_sum", **check) > 0

    status = grpc_labels(COMPUTE, "GetTenantStatus")
    assert delta(before, after, "grpc_server_started_total", **status) == 2
    assert delta(before, after, "grpc_server_handled_total", **status, grpc_code="NotFound") == 2
    assert delta(before, after, "grpc_server_handled_total", **status, grpc_code="OK") == 0
    assert delta(before, after, "grpc_server_msg_received_total", **status) == 2
    assert delta(before, after, "grpc_server_msg_sent_total", **status) == 0

    provision = grpc_labels(COMPUTE, "ProvisionTenant")
    assert delta(before, after, "grpc_server_started_total", **provision) == 2
    assert delta(before, after, "grpc_server_handled_total", **provision, grpc_code="InvalidArgument") == 1
    assert delta(before, after, "grpc_server_handled_total", **provision, grpc_code="OK") == 1
    assert delta(before, after, "grpc_server_msg_sent_total", **provision) == 1

    unknown = grpc_labels("unknown", "unknown")
    assert delta(before, after, "grpc_server_started_total", **unknown) == 2
    assert delta(before, after, "grpc_server_handled_total", **unknown, grpc_code="Unimplemented") == 2

    reflection = grpc_labels(REFLECTION, "ServerReflectionInfo", "bidi_stream")
    assert delta(before, after, "grpc_server_started_total", **reflection) >= 1
    assert delta(before, after, "grpc_server_msg_received_total", **reflection) >= 1
    assert delta(before, after, "grpc_server_msg_sent_total", **reflection) == delta(
        before, after, "grpc_server_msg_received_total", **reflection
    )

    # Only the calls made: every other series of the scrape is unchanged.
    touched = {frozenset(labels.items()) for labels in [check, status, provision, unknown, reflection]}
    for (name, labels), value in after.samples.items():
        if name.startswith("grpc_server") and frozenset((k, v) for k, v in labels if k not in ("grpc_code", "le")) not in touched:
            assert value == before.samples.get((name, labels), 0.0), (name, dict(labels))

    # The compute manager's metrics, through the swift-metrics backend.
    success = {"operation": "provision", "provider": "mock", "outcome": "success"}
    invalid = {"operation": "provision", "provider": "mock", "outcome": "invalid_spec"}
    not_found = {"operation": "status", "provider": "mock", "outcome": "tenant_not_found"}
    assert delta(before, after, "landlord_compute_operations_total", **success) == 1
    assert delta(before, after, "landlord_compute_operation_duration_seconds_count", **success) == 1
    assert delta(before, after, "landlord_compute_operations_total", **not_found) == 2
    assert delta(before, after, "landlord_compute_operation_duration_seconds_count", **not_found) == 2
    assert delta(before, after, "landlord_compute_operations_total", **invalid) == 1
    assert after.families["landlord_compute_operation_duration_seconds"].type == "histogram"


def test_watch_and_connection_gauges_return_to_zero(server):
    tenant = f"t-{uuid.uuid4().hex[:12]}"
    assert Scrape(server).value("landlord_watch_streams") == 0
    channel = grpc.insecure_channel(server.address)
    stub = pb_grpc.ComputeServiceStub(channel)
    stub.ProvisionTenant(pb.ProvisionTenantRequest(spec=tenant_spec(tenant)), timeout=10)
    watches = [
        stub.WatchTenantStatus(pb.WatchTenantStatusRequest(tenant_id=tenant, min_interval_ms=100), timeout=30)
        for _ in range(3)
    ]
    for watch in watches:
        next(watch)

    def gauges():
        scrape = Scrape(server)
        return (scrape.value("landlord_watch_streams"), scrape.value("landlord_watch_polls"), scrape.value("landlord_connections"))

    eventually(lambda: gauges() == (3, 1, 1), description="3 watches, 1 poll, 1 connection")
    started = Scrape(server).value("grpc_server_started_total", **grpc_labels(COMPUTE, "WatchTenantStatus", "server_stream"))
    for watch in watches:
        watch.cancel()
    eventually(lambda: gauges()[:2] == (0, 0), description="no watch and no poll once the watches are cancelled")
    channel.close()
    eventually(lambda: gauges() == (0, 0, 0), description="no connection once the channel closes")
    after = Scrape(server)
    watch = grpc_labels(COMPUTE, "WatchTenantStatus", "server_stream")
    assert after.value("grpc_server_handled_total", **watch, grpc_code="Canceled") >= 3
    assert started >= 3


def proc_stat(pid):
    with open(f"/proc/{pid}/stat") as file:
        fields = file.read().rsplit(")", 1)[1].split()
    # fields[0] is field 3 (state) of proc(5).
    return {name: float(fields[number - 3]) for name, number in [("utime", 14), ("stime", 15), ("starttime", 22), ("rss", 24)]}


def test_process_metrics_agree_with_proc(server):
    pid = server.process.pid
    scrape = Scrape(server)
    stat = proc_stat(pid)
    ticks = os.sysconf("SC_CLK_TCK")
    with open("/proc/stat") as file:
        boot_time = next(float(line.split()[1]) for line in file if line.startswith("btime "))
    rss = stat["rss"] * os.sysconf("SC_PAGE_SIZE")
    assert abs(scrape.value("process_resident_memory_bytes") - rss) <= max(0.2 * rss, 4 * 1024 * 1024)
    assert abs(scrape.value("process_cpu_seconds_total") - (stat["utime"] + stat["stime"]) / ticks) <= 0.5
    assert abs(scrape.value("process_start_time_seconds") - (boot_time + stat["starttime"] / ticks)) <= 0.05
    open_fds = len(os.listdir(f"/proc/{pid}/fd"))
    assert abs(scrape.value("process_open_fds") - open_fds) <= 3
    assert scrape.value("process_start_time_seconds") <= time.time()


def raw_http(server, request):
    host, port = server.metrics_address.rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(request)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    return answer.decode(errors="replace")


def test_bad_http_requests_get_4xx_and_the_grpc_port_goes_on(server):
    assert http_get(server, "/")[0] == 404
    assert http_get(server, "/metrics/extra")[0] == 404
    status, headers, _ = http_get(server, "/metrics", method="POST")
    assert status == 405 and headers["Allow"] == "GET, HEAD"
    assert http_get(server, "/metrics", method="DELETE")[0] == 405
    assert raw_http(server, b"GET /metrics HTTP/1.1\r\nhost: x\r\nx-big: " + b"a" * 20000 + b"\r\n\r\n").startswith("HTTP/1.1 431 ")
    assert raw_http(server, b"\x01\x02 not http at all\r\n\r\n").startswith("HTTP/1.1 400 ")
    assert raw_http(server, b"GET /metrics HTTP/1.1\r\nhost: x\r\ncontent-length: 1000000\r\n\r\n" + b"x" * 20000).startswith("HTTP/1.1 431 ")

    with grpc.insecure_channel(server.address) as channel:
        response = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(service=""), timeout=10)
        assert response.status == health_pb2.HealthCheckResponse.SERVING
    assert Scrape(server).value("process_open_fds") > 0


def test_without_the_flag_there_is_no_metrics_listener(landlord_server):
    line = landlord_server.wait_for_line("landlord serving", contains=True)
    assert "metrics=" not in line
