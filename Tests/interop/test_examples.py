"""examples/python/landlord_client.py against the real `landlord` binary, run
exactly as its README says (a separate Python process per command).
"""

import json
import subprocess
import sys
import uuid

import pytest

from conftest import ROOT, start_landlord

CLIENT = ROOT / "examples" / "python" / "landlord_client.py"


@pytest.fixture(scope="module")
def address():
    server = start_landlord()
    yield server.address
    server.terminate()


def client(address, *args):
    return subprocess.run(
        [sys.executable, str(CLIENT), "--address", address, *args],
        capture_output=True, text=True, timeout=60,
    )


def watch(address, *args):
    return subprocess.Popen(
        [sys.executable, str(CLIENT), "--address", address, "watch", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def tenant_id():
    return f"example-{uuid.uuid4().hex[:8]}"


def test_providers(address):
    result = client(address, "providers")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"providers": ["mock"], "default_provider": "mock"}


def test_provision_watch_destroy(address):
    tenant = tenant_id()
    provisioned = client(address, "provision", tenant, "--image", "nginx:1.27")
    assert provisioned.returncode == 0, provisioned.stderr
    result = json.loads(provisioned.stdout)
    assert result["tenant_id"] == tenant
    assert result["provider_type"] == "mock"  # the server's default provider
    assert result["status"] == "PROVISION_STATUS_SUCCESS"
    assert result["resource_ids"]

    status = client(address, "status", tenant)
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout)["state"] == "COMPUTE_STATE_RUNNING"

    watcher = watch(address, tenant, "--interval-ms", "100")
    try:
        first = json.loads(watcher.stdout.readline())  # the first status comes at once
        assert first["tenant_id"] == tenant
        assert first["state"] == "COMPUTE_STATE_RUNNING"
        assert first["health"] == "HEALTH_STATUS_HEALTHY"

        destroyed = client(address, "destroy", tenant)
        assert destroyed.returncode == 0, destroyed.stderr
        assert destroyed.stdout.strip() == f"destroyed {tenant}"

        # The watch ends with NOT_FOUND once the tenant is gone.
        remaining, errors = watcher.communicate(timeout=30)
        assert watcher.returncode == 1
        assert remaining == ""
        assert errors.startswith("error: NOT_FOUND: "), errors
    finally:
        watcher.kill()
        watcher.wait()

    gone = client(address, "status", tenant)
    assert gone.returncode == 1
    assert gone.stderr.startswith("error: NOT_FOUND: "), gone.stderr

    again = client(address, "destroy", tenant)  # idempotent
    assert again.returncode == 0, again.stderr


def test_watch_count_stops_after_that_many_messages(address):
    tenant = tenant_id()
    assert client(address, "provision", tenant, "--label", "mock.landlord.dev/state=starting").returncode == 0
    result = subprocess.run(
        [sys.executable, str(CLIENT), "--address", address, "watch", tenant, "--count", "1"],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    (line,) = result.stdout.splitlines()
    assert json.loads(line)["state"] == "COMPUTE_STATE_STARTING"
    assert client(address, "destroy", tenant).returncode == 0


def test_invalid_provision_prints_every_field_violation(address):
    result = client(address, "provision", "Bad_Tenant", "--image", "nginx:", "--cpu", "10", "--port", "70000")
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0].startswith("error: INVALID_ARGUMENT: ")
    violations = {line.split(":", 1)[0].strip() for line in lines[1:]}
    assert {
        "tenant_id",
        "containers[0].image",
        "containers[0].ports[0].container_port",
        "containers[0].health_check.port",
        "resources.cpu",
    } <= violations, result.stderr
    assert all(line.startswith("  ") and ": " in line for line in lines[1:])


def test_unknown_provider_is_reported(address):
    result = client(address, "status", tenant_id(), "--provider", "nomad")
    assert result.returncode == 1
    assert result.stderr.startswith("error: INVALID_ARGUMENT: ")
    assert "mock" in result.stderr  # the message names the known providers


def test_unreachable_server_is_reported():
    result = subprocess.run(
        [sys.executable, str(CLIENT), "--address", "127.0.0.1:1", "--timeout", "2", "providers"],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr.startswith("error: UNAVAILABLE: "), result.stderr
