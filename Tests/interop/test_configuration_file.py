"""The real `landlord` executable with a --config file (YAML or JSON): its settings take effect,
flags and environment win over it, and a bad file is one line on stderr and exit 2 that never
shows what the file holds."""

import json
import os
import pathlib
import subprocess
import tempfile
import time

import grpc
import pytest

from conftest import LANDLORD_READY, LANDLORD_READY_JSON, binary, start_landlord
from landlord.compute.v1 import compute_pb2 as pb
from landlord.compute.v1 import compute_pb2_grpc as pb_grpc

SECRET_LOOKING = "tok-n0t-for-your-eyes"


@pytest.fixture
def config_dir():
    with tempfile.TemporaryDirectory() as directory:
        yield pathlib.Path(directory)


def write(directory, name, text):
    path = directory / name
    path.write_text(text)
    return str(path)


def provision_seconds(address):
    with grpc.insecure_channel(address) as channel:
        stub = pb_grpc.ComputeServiceStub(channel)
        spec = pb.TenantComputeSpec(
            tenant_id=f"cfg-{time.monotonic_ns()}",
            provider_type="mock",
            containers=[pb.ContainerSpec(name="web", image="nginx:1.27")],
            resources=pb.ResourceRequirements(cpu=256, memory=512),
        )
        started = time.monotonic()
        stub.ProvisionTenant(pb.ProvisionTenantRequest(spec=spec), timeout=30)
        return time.monotonic() - started


def run_exits(args, env=None):
    result = subprocess.run(
        [binary("landlord"), "--listen", "127.0.0.1:0", *args],
        capture_output=True, text=True, timeout=30, env={**os.environ, **(env or {})},
    )
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    return result.returncode, lines


def test_yaml_file_sets_core_and_provider_options(config_dir):
    path = write(config_dir, "landlord.yaml", "log-format: json\nproviders: [mock]\nmock-delay: 0.4\n")
    server = start_landlord("--config", path, ready_regex=LANDLORD_READY_JSON)
    try:
        assert provision_seconds(server.address) >= 0.4  # the mock provider got its option from the file
    finally:
        assert server.terminate() == 0


def test_json_file_from_landlord_config_and_flag_wins(config_dir):
    path = write(config_dir, "landlord.json", json.dumps({"log-format": "json", "mock-delay": 0.4}))
    # The flag wins over the file (text logs), the environment wins over the file (no delay).
    server = start_landlord(
        "--log-format", "text", env={**os.environ, "LANDLORD_CONFIG": path, "LANDLORD_MOCK_DELAY": "0"},
        ready_regex=LANDLORD_READY,
    )
    try:
        assert provision_seconds(server.address) < 0.4
    finally:
        assert server.terminate() == 0


def test_provider_option_from_the_file_reaches_the_engine_check(config_dir):
    path = write(config_dir, "landlord.yaml", "providers: mock,docker\ndocker-host: unix:///nonexistent/from-file.sock\n")
    code, lines = run_exits(["--config", path])
    lines = [line for line in lines if line.startswith("landlord:")]  # the rest are log lines
    assert code == 1 and len(lines) == 1, lines
    assert "docker provider" in lines[0] and "unix:///nonexistent/from-file.sock" in lines[0]


@pytest.mark.parametrize(
    "name,text,expected",
    [
        ("unknown.yaml", f"docker-token: {SECRET_LOOKING}\n", 'unknown key "docker-token"'),
        ("type.yaml", f"max-concurrent-streams: [{SECRET_LOOKING}]\n", "max-concurrent-streams"),
        ("syntax.yaml", f"listen: [{SECRET_LOOKING}\n", "config file"),
        ("top.json", json.dumps([SECRET_LOOKING]), "config file"),
        ("value.yaml", f"log-format: {SECRET_LOOKING}\n", "log"),
    ],
)
def test_bad_file_is_one_line_exit_2_without_its_content(config_dir, name, text, expected):
    code, lines = run_exits(["--config", write(config_dir, name, text)])
    assert code == 2 and len(lines) == 1, lines
    assert lines[0].startswith("landlord:") and expected in lines[0], lines
    if name != "value.yaml":  # a bad value of a known, non-secret option may be quoted back
        assert SECRET_LOOKING not in lines[0], lines


def test_missing_file_is_one_line_exit_2(config_dir):
    missing = str(config_dir / "absent.yaml")
    for args, env in [(["--config", missing], {}), ([], {"LANDLORD_CONFIG": missing})]:
        code, lines = run_exits(args, env)
        assert code == 2 and len(lines) == 1 and missing in lines[0], lines
