"""The RPC runtime against a real grpcio client: every call kind, deadlines,
cancellation, metadata, limits, standard services and the HTTP/2 edges.

The server is `landlord-interop-server` (Tests/InteropServer), which serves
the test service of Tests/proto/landlord/testing/v1/test_service.proto plus
health and reflection.
"""

import asyncio
import base64
import concurrent.futures
import queue
import subprocess
import tempfile
import threading
import time
import uuid

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import ProtoReflectionDescriptorDatabase
from google.protobuf import descriptor_pool

from landlord.testing.v1 import test_service_pb2 as pb
from landlord.testing.v1 import test_service_pb2_grpc as pb_grpc
# v1 and v1alpha reflection messages are identical on the wire: the v1alpha
# classes shipped with grpcio-reflection serve for calls to the v1 service.
from grpc_reflection.v1alpha import reflection_pb2 as reflection_v1

from conftest import RunningServer, binary

MiB = 1024 * 1024


def _nghttp(address, *headers, data=None):
    """One raw HTTP/2 request with nghttp (nghttp2-client); returns its verbose frame log."""
    args = ["nghttp", "-v", "--no-dep"]
    for header in headers:
        args += ["-H", header]
    with tempfile.NamedTemporaryFile() as body:
        if data is not None:
            body.write(data)
            body.flush()
            args += ["-d", body.name]
        args.append(f"http://{address}/landlord.testing.v1.TestService/UnaryEcho")
        result = subprocess.run(args, capture_output=True, timeout=20)
    return result.stdout.decode(errors="replace")


@pytest.fixture(scope="module")
def channel(interop_address):
    with grpc.insecure_channel(interop_address) as channel:
        grpc.channel_ready_future(channel).result(timeout=10)
        yield channel


@pytest.fixture(scope="module")
def stub(channel):
    return pb_grpc.TestServiceStub(channel)


# --- the four call kinds -----------------------------------------------------------------


def test_unary_echo(stub):
    response = stub.UnaryEcho(pb.EchoRequest(message="hello", payload=b"\x00\x01\x02"), timeout=10)
    assert response.message == "hello"
    assert response.payload == b"\x00\x01\x02"
    assert response.request_count == 1


def test_empty_request_and_response(stub):
    response = stub.UnaryEcho(pb.EchoRequest(), timeout=10)
    assert response == pb.EchoResponse(request_count=1)


def test_server_streaming(stub):
    responses = list(stub.ServerStreamEcho(pb.EchoRequest(message="s", response_count=5, response_size=10), timeout=10))
    assert [r.index for r in responses] == [0, 1, 2, 3, 4]
    assert all(r.message == "s" and len(r.payload) == 10 for r in responses)


def test_client_streaming(stub):
    requests = iter([pb.EchoRequest(message=m) for m in ["a", "b", "c"]])
    response = stub.ClientStreamEcho(requests, timeout=10)
    assert response.message == "a,b,c"
    assert response.request_count == 3


def test_bidirectional_ping_pong(stub):
    """Each response arrives before the next request is sent: real interleaving."""
    outgoing = queue.Queue()

    def requests():
        while True:
            item = outgoing.get()
            if item is None:
                return
            yield item

    call = stub.BidiEcho(requests(), timeout=10)
    for i in range(5):
        outgoing.put(pb.EchoRequest(message=f"m{i}"))
        response = next(call)
        assert response.message == f"m{i}"
        assert response.request_count == i + 1
    outgoing.put(None)
    assert list(call) == []
    assert call.code() == grpc.StatusCode.OK


# --- status, metadata ------------------------------------------------------------------


def test_error_status_and_percent_encoded_message(stub):
    message = "bad % input: ünïcode\nsecond line"
    with pytest.raises(grpc.RpcError) as error:
        stub.UnaryEcho(pb.EchoRequest(fail_code=grpc.StatusCode.FAILED_PRECONDITION.value[0], fail_message=message), timeout=10)
    assert error.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert error.value.details() == message


def test_streaming_failure_after_some_messages(stub):
    call = stub.ServerStreamEcho(
        pb.EchoRequest(response_count=5, fail_code=grpc.StatusCode.ABORTED.value[0], fail_message="stop", fail_after=2),
        timeout=10,
    )
    received = []
    with pytest.raises(grpc.RpcError) as error:
        for response in call:
            received.append(response.index)
    assert received == [0, 1]
    assert error.value.code() == grpc.StatusCode.ABORTED
    assert error.value.details() == "stop"


def test_metadata_round_trip(stub):
    binary_value = bytes(range(256))
    response, call = stub.UnaryEcho.with_call(
        pb.EchoRequest(
            echo_metadata=True,
            response_headers={"x-response-header": "h1"},
            response_trailers={"x-response-trailer": "t1"},
        ),
        metadata=[("x-custom", "value 1"), ("x-data-bin", binary_value)],
        timeout=10,
    )
    assert response.metadata["x-custom"] == "value 1"
    assert base64.b64decode(response.metadata["x-data-bin"] + "==") == binary_value
    assert ("x-response-header", "h1") in call.initial_metadata()
    assert ("x-response-trailer", "t1") in call.trailing_metadata()


def test_error_with_trailers(stub):
    with pytest.raises(grpc.RpcError) as error:
        stub.UnaryEcho(
            pb.EchoRequest(fail_code=grpc.StatusCode.NOT_FOUND.value[0], fail_message="gone", response_trailers={"x-why": "because"}),
            timeout=10,
        )
    assert error.value.code() == grpc.StatusCode.NOT_FOUND
    assert ("x-why", "because") in error.value.trailing_metadata()


# --- deadlines and cancellation -----------------------------------------------------------


def test_deadline_exceeded_cancels_the_handler(stub, interop_server):
    tag = f"deadline-{uuid.uuid4()}"
    started = time.monotonic()
    with pytest.raises(grpc.RpcError) as error:
        stub.UnaryEcho(pb.EchoRequest(message=tag, wait_for_cancellation=True), timeout=0.3)
    assert error.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    assert time.monotonic() - started < 5
    interop_server.wait_for_line(f"handler cancelled: {tag}", contains=True, timeout=5)


def test_server_honours_grpc_timeout_itself(interop_address):
    """A raw request with grpc-timeout gets DEADLINE_EXCEEDED from the server (not the client)."""
    output = _nghttp(
        interop_address,
        ":method: POST", "content-type: application/grpc", "te: trailers", "grpc-timeout: 200m",
        data=bytes([0, 0, 0, 0, 2, 0x48, 0x01]),  # EchoRequest{wait_for_cancellation: true}
    )
    assert "grpc-status: 4" in output, output


def test_client_cancellation_cancels_the_handler(stub, interop_server):
    tag = f"cancel-{uuid.uuid4()}"
    call = stub.ServerStreamEcho(pb.EchoRequest(message=tag, wait_for_cancellation=True), timeout=30)
    interop_server.wait_for_line(f"handler waiting: {tag}", contains=True, timeout=5)
    call.cancel()
    interop_server.wait_for_line(f"handler cancelled: {tag}", contains=True, timeout=5)


# --- sizes and flow control ------------------------------------------------------------------


def test_large_messages_both_ways(stub):
    payload = bytes([7]) * (3 * MiB)
    response = stub.UnaryEcho(pb.EchoRequest(payload=payload), timeout=30)
    assert response.payload == payload


def test_oversized_request_is_resource_exhausted_and_connection_survives(channel, stub):
    with pytest.raises(grpc.RpcError) as error:
        stub.UnaryEcho(pb.EchoRequest(payload=bytes(5 * MiB)), timeout=30)
    assert error.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert stub.UnaryEcho(pb.EchoRequest(message="still here"), timeout=10).message == "still here"


def test_slow_reader_gets_every_streamed_message(stub):
    """The server stream outruns a slow reader: flow control holds it back, nothing is lost."""
    call = stub.ServerStreamEcho(pb.EchoRequest(response_count=40, response_size=256 * 1024), timeout=60)
    indexes = []
    for response in call:
        indexes.append(response.index)
        assert len(response.payload) == 256 * 1024
        if response.index < 5:
            time.sleep(0.2)
    assert indexes == list(range(40))


def test_large_client_stream(stub):
    requests = (pb.EchoRequest(message=str(i), payload=bytes(512 * 1024)) for i in range(16))
    response = stub.ClientStreamEcho(requests, timeout=60)
    assert response.request_count == 16


# --- routing ----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/landlord.testing.v1.TestService/Nope", "/no.such.Service/Echo"])
def test_unknown_method_is_unimplemented(channel, path):
    call = channel.unary_unary(path, request_serializer=lambda b: b, response_deserializer=lambda b: b)
    with pytest.raises(grpc.RpcError) as error:
        call(b"", timeout=10)
    assert error.value.code() == grpc.StatusCode.UNIMPLEMENTED


def test_unparsable_request_is_internal(channel):
    call = channel.unary_unary(
        "/landlord.testing.v1.TestService/UnaryEcho", request_serializer=lambda b: b, response_deserializer=lambda b: b
    )
    with pytest.raises(grpc.RpcError) as error:
        call(b"\xff\xff\xff", timeout=10)
    assert error.value.code() == grpc.StatusCode.INTERNAL


def test_non_post_is_405(interop_address):
    output = _nghttp(interop_address, "content-type: application/grpc")
    assert ":status: 405" in output, output


def test_wrong_content_type_is_415(interop_address):
    output = _nghttp(interop_address, ":method: POST", "content-type: application/json", data=b"{}")
    assert ":status: 415" in output, output


def test_unsupported_encoding_is_unimplemented(interop_address):
    output = _nghttp(
        interop_address, ":method: POST", "content-type: application/grpc", "grpc-encoding: br", data=bytes([0, 0, 0, 0, 0])
    )
    assert "grpc-status: 12" in output, output
    assert "grpc-accept-encoding: identity" in output, output


def test_compressed_flag_without_encoding_is_internal(interop_address):
    output = _nghttp(interop_address, ":method: POST", "content-type: application/grpc", data=bytes([1, 0, 0, 0, 0]))
    assert "grpc-status: 13" in output, output


# --- health ----------------------------------------------------------------------------------


def test_health_check(channel):
    health = health_pb2_grpc.HealthStub(channel)
    for service in ["", "landlord.testing.v1.TestService"]:
        assert health.Check(health_pb2.HealthCheckRequest(service=service), timeout=10).status == health_pb2.HealthCheckResponse.SERVING
    with pytest.raises(grpc.RpcError) as error:
        health.Check(health_pb2.HealthCheckRequest(service="no.such.Service"), timeout=10)
    assert error.value.code() == grpc.StatusCode.NOT_FOUND


def test_health_watch(channel):
    health = health_pb2_grpc.HealthStub(channel)
    watch = health.Watch(health_pb2.HealthCheckRequest(service=""), timeout=10)
    assert next(watch).status == health_pb2.HealthCheckResponse.SERVING
    watch.cancel()
    unknown = health.Watch(health_pb2.HealthCheckRequest(service="no.such.Service"), timeout=10)
    assert next(unknown).status == health_pb2.HealthCheckResponse.SERVICE_UNKNOWN
    unknown.cancel()


# --- reflection -----------------------------------------------------------------------------


def test_reflection_v1alpha_descriptor_database(channel):
    database = ProtoReflectionDescriptorDatabase(channel)
    services = database.get_services()
    assert "landlord.testing.v1.TestService" in services
    assert "grpc.health.v1.Health" in services
    assert "grpc.reflection.v1alpha.ServerReflection" in services
    pool = descriptor_pool.DescriptorPool(database)
    service = pool.FindServiceByName("landlord.testing.v1.TestService")
    assert [m.name for m in service.methods] == ["UnaryEcho", "ServerStreamEcho", "ClientStreamEcho", "BidiEcho"]
    request = pool.FindMessageTypeByName("landlord.testing.v1.EchoRequest")
    assert request.fields_by_name["payload"].number == 2
    file = pool.FindFileByName("grpc/health/v1/health.proto")
    assert file.package == "grpc.health.v1"


def test_reflection_v1(channel):
    info = channel.stream_stream(
        "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
        request_serializer=reflection_v1.ServerReflectionRequest.SerializeToString,
        response_deserializer=reflection_v1.ServerReflectionResponse.FromString,
    )
    requests = [
        reflection_v1.ServerReflectionRequest(list_services=""),
        reflection_v1.ServerReflectionRequest(file_containing_symbol="landlord.testing.v1.TestService.UnaryEcho"),
        reflection_v1.ServerReflectionRequest(file_by_filename="no/such/file.proto"),
    ]
    responses = list(info(iter(requests), timeout=10))
    assert len(responses) == 3
    names = {s.name for s in responses[0].list_services_response.service}
    assert {"landlord.testing.v1.TestService", "grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection"} <= names
    from google.protobuf import descriptor_pb2

    files = [descriptor_pb2.FileDescriptorProto.FromString(b) for b in responses[1].file_descriptor_response.file_descriptor_proto]
    assert files[0].name == "landlord/testing/v1/test_service.proto"
    assert responses[1].original_request.file_containing_symbol == "landlord.testing.v1.TestService.UnaryEcho"
    assert responses[2].error_response.error_code == grpc.StatusCode.NOT_FOUND.value[0]


# --- load -----------------------------------------------------------------------------------------


def test_many_concurrent_calls_all_ok(interop_address):
    async def run():
        async with grpc.aio.insecure_channel(interop_address) as channel:
            stub = pb_grpc.TestServiceStub(channel)
            responses = await asyncio.gather(*[stub.UnaryEcho(pb.EchoRequest(message=str(i)), timeout=60) for i in range(3000)])
            return [r.message for r in responses]

    assert asyncio.run(run()) == [str(i) for i in range(3000)]


def test_h2load_smoke(interop_address, tmp_path):
    body = tmp_path / "request.bin"
    body.write_bytes(bytes([0, 0, 0, 0, 0]))  # HealthCheckRequest{}
    result = subprocess.run(
        [
            "h2load", "-n", "20000", "-c", "8", "-m", "32", "-H", "content-type: application/grpc", "-H", "te: trailers",
            "-d", str(body), f"http://{interop_address}/grpc.health.v1.Health/Check",
        ],
        capture_output=True, text=True, timeout=120,
    )
    assert "20000 succeeded, 0 failed, 0 errored" in result.stdout, result.stdout
    assert "status codes: 20000 2xx" in result.stdout, result.stdout


# --- shutdown ----------------------------------------------------------------------------------------


def test_graceful_shutdown_lets_calls_finish_then_exits_zero():
    server = RunningServer([binary("landlord-interop-server"), "--port", "0", "--drain-timeout", "10"])
    try:
        with grpc.insecure_channel(server.address) as channel:
            stub = pb_grpc.TestServiceStub(channel)
            future = stub.UnaryEcho.future(pb.EchoRequest(message="slow", delay_ms=1500), timeout=20)
            time.sleep(0.3)
            server.process.send_signal(subprocess.signal.SIGTERM)
            assert future.result().message == "slow"
        assert server.process.wait(timeout=20) == 0
    finally:
        server.terminate()


def test_drain_timeout_cancels_stuck_calls():
    server = RunningServer([binary("landlord-interop-server"), "--port", "0", "--drain-timeout", "1"])
    try:
        with grpc.insecure_channel(server.address) as channel:
            stub = pb_grpc.TestServiceStub(channel)
            future = stub.UnaryEcho.future(pb.EchoRequest(message="stuck", wait_for_cancellation=True), timeout=30)
            server.wait_for_line("handler waiting: stuck", contains=True)
            started = time.monotonic()
            server.process.send_signal(subprocess.signal.SIGTERM)
            assert server.process.wait(timeout=20) == 0
            assert time.monotonic() - started < 10
            with pytest.raises(grpc.RpcError):
                future.result()
        server.wait_for_line("handler cancelled: stuck", contains=True)
    finally:
        server.terminate()
