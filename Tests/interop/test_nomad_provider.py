"""The nomad provider through the real `landlord` binary, with grpcio, on the fake Nomad agent
(Tests/fakes/nomad, run in this process): provision, running and healthy, update and no_changes,
a crash-looping task reported failed with its restarts, a landlord restart that finds the
tenants from Nomad, destroy with purge, the secret value only in the Nomad Variable, and neither
the token nor the secret in any line landlord writes. Also: a start-up check that fails is one
line and exit status 1."""

import json
import os
import subprocess
import sys
import time
import urllib.request
import uuid

import grpc
import pytest

from landlord.compute.v1 import compute_pb2 as pb
from landlord.compute.v1 import compute_pb2_grpc as pb_grpc

from conftest import ROOT, binary, start_landlord
from provider_e2e import tenant_status, wait_for_tenant, web_spec

sys.path.insert(0, str(ROOT / "Tests" / "fakes" / "nomad"))
from fake_nomad import FakeNomad, make_certs  # noqa: E402

TOKEN = "e2e-nomad-token-never-logged"
SECRET_VALUE = "nomad-e2e-secret-never-logged"
SECRET_VARIABLE = "LL_E2E_NOMAD_DB_PASSWORD"
PROVIDER = "nomad"


@pytest.fixture(scope="module")
def fake():
    server = FakeNomad(token=TOKEN, alloc_start_seconds=0.1, healthy_seconds=0.1, crash_interval_seconds=0.1).start()
    yield server
    server.stop()


def landlord_on(fake, token=TOKEN):
    return start_landlord(
        "--providers", PROVIDER, "--default-provider", PROVIDER, "--nomad-address", fake.url,
        env={SECRET_VARIABLE: SECRET_VALUE, "NOMAD_TOKEN": token},
    )


def nomad_get(fake, path):
    request = urllib.request.Request(fake.url + path, headers={"X-Nomad-Token": TOKEN})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as error:
        if error.code == 404:
            return None
        raise


def spec(tenant, image="nginx:1.25"):
    return web_spec(tenant, PROVIDER, SECRET_VARIABLE, image)


def status_of(stub, tenant):
    return tenant_status(stub, tenant, PROVIDER)


def wait_for(stub, tenant, condition, timeout=20):
    return wait_for_tenant(stub, tenant, PROVIDER, condition, timeout)


def test_nomad_tenant_lifecycle_through_landlord(fake):
    tenant = f"e2e-{uuid.uuid4().hex[:8]}"
    crashing = f"e2e-crash-{uuid.uuid4().hex[:6]}"
    outputs = []
    server = landlord_on(fake)
    try:
        with grpc.insecure_channel(server.address) as channel:
            stub = pb_grpc.ComputeServiceStub(channel)
            assert list(stub.ListProviders(pb.ListProvidersRequest(), timeout=10).providers) == [PROVIDER]

            result = stub.ProvisionTenant(pb.ProvisionTenantRequest(spec=spec(tenant)), timeout=60).result
            assert result.status == pb.PROVISION_STATUS_SUCCESS
            assert result.resource_ids["job"] == f"landlord-{tenant}"
            status = wait_for(stub, tenant, lambda s: s.state == pb.COMPUTE_STATE_RUNNING and s.health == pb.HEALTH_STATUS_HEALTHY)
            assert [c.name for c in status.containers] == ["web"]
            assert status.metadata["deployment_status"] == "successful"
            assert status.metadata["endpoints"].startswith("web_80=")

            update = stub.UpdateTenant(
                pb.UpdateTenantRequest(tenant_id=tenant, spec=spec(tenant, image="nginx:1.27")), timeout=60
            ).result
            assert update.status in (pb.UPDATE_STATUS_SUCCESS, pb.UPDATE_STATUS_IN_PROGRESS)
            assert list(update.changes) == ["containers[web].image: nginx:1.25 -> nginx:1.27"]
            job = nomad_get(fake, f"/v1/job/landlord-{tenant}")
            assert job["Version"] == 1 and job["TaskGroups"][0]["Tasks"][0]["Config"]["image"] == "nginx:1.27"
            again = stub.UpdateTenant(
                pb.UpdateTenantRequest(tenant_id=tenant, spec=spec(tenant, image="nginx:1.27")), timeout=60
            ).result
            assert again.status == pb.UPDATE_STATUS_NO_CHANGES and list(again.changes) == []
            assert nomad_get(fake, f"/v1/job/landlord-{tenant}")["JobModifyIndex"] == job["JobModifyIndex"]
            wait_for(stub, tenant, lambda s: s.state == pb.COMPUTE_STATE_RUNNING and s.metadata["job_version"] == "1")

            # WatchTenantStatus of a settled tenant: landlord's blocking queries wait on Nomad, no request arrives.
            time.sleep(0.5)
            before = sum(fake.stats.values())
            watch = stub.WatchTenantStatus(
                pb.WatchTenantStatusRequest(tenant_id=tenant, provider_type=PROVIDER, min_interval_ms=100), timeout=2)
            watched = []
            with pytest.raises(grpc.RpcError) as ended:
                for update in watch:
                    watched.append(update)
            assert ended.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
            assert watched and watched[0].status.state == pb.COMPUTE_STATE_RUNNING
            assert sum(fake.stats.values()) - before == 0, fake.stats

            stub.ProvisionTenant(pb.ProvisionTenantRequest(spec=spec(crashing, image="example.com/crashloop:1")), timeout=60)
            failed = wait_for(stub, crashing, lambda s: s.state == pb.COMPUTE_STATE_FAILED
                              and s.containers[0].restart_count == 2 and "Not Restarting" in s.metadata["message"])
            assert failed.health == pb.HEALTH_STATUS_UNHEALTHY
            assert "Failed due to unhealthy allocations" in failed.metadata["message"], failed
            assert "Exit Code: 1" in failed.containers[0].message
    finally:
        server.terminate()
        outputs += server.lines

    # Nomad is the only store: a new landlord finds both tenants.
    server = landlord_on(fake)
    try:
        with grpc.insecure_channel(server.address) as channel:
            stub = pb_grpc.ComputeServiceStub(channel)
            found = status_of(stub, tenant)
            assert found.state == pb.COMPUTE_STATE_RUNNING and [c.name for c in found.containers] == ["web"]
            assert status_of(stub, crashing).state == pb.COMPUTE_STATE_FAILED
            again = stub.UpdateTenant(
                pb.UpdateTenantRequest(tenant_id=tenant, spec=spec(tenant, image="nginx:1.27")), timeout=60
            ).result
            assert again.status == pb.UPDATE_STATUS_NO_CHANGES

            variable = nomad_get(fake, f"/v1/var/nomad/jobs/landlord-{tenant}")
            assert variable["Items"] == {"db": SECRET_VALUE}
            job = nomad_get(fake, f"/v1/job/landlord-{tenant}")
            assert job["Meta"]["landlord_tenant_id"] == tenant
            assert SECRET_VALUE not in json.dumps(job)
            task = job["TaskGroups"][0]["Tasks"][0]
            assert "DB_PASSWORD" not in (task.get("Env") or {})
            assert task["Templates"][0]["Envvars"] is True

            for gone in (tenant, crashing):
                stub.DestroyTenant(pb.DestroyTenantRequest(tenant_id=gone, provider_type=PROVIDER), timeout=60)
                with pytest.raises(grpc.RpcError) as error:
                    status_of(stub, gone)
                assert error.value.code() == grpc.StatusCode.NOT_FOUND
                assert nomad_get(fake, f"/v1/job/landlord-{gone}") is None, "destroy must purge the job"
            assert nomad_get(fake, f"/v1/var/nomad/jobs/landlord-{tenant}") is None
            stub.DestroyTenant(pb.DestroyTenantRequest(tenant_id=tenant, provider_type=PROVIDER), timeout=60)
    finally:
        server.terminate()
        outputs += server.lines

    assert outputs, "landlord wrote nothing"
    assert not [line for line in outputs if SECRET_VALUE in line]
    assert not [line for line in outputs if TOKEN in line]
    sent = [headers for _, _, headers in fake.requests if "X-Nomad-Token" in headers]
    assert sent and all(headers["X-Nomad-Token"] == TOKEN for headers in sent)


def test_a_rejected_token_is_one_line_and_exit_1(fake):
    result = subprocess.run(
        [binary("landlord"), "--listen", "127.0.0.1:0", "--providers", PROVIDER, "--default-provider", PROVIDER,
         "--nomad-address", fake.url],
        capture_output=True, text=True, timeout=60, env={**os.environ, "NOMAD_TOKEN": "not-the-token-0xdead"},
    )
    assert result.returncode == 1, result
    lines = [line for line in result.stderr.splitlines() if line.startswith("landlord:")]
    assert len(lines) == 1 and "NOMAD_TOKEN" in lines[0] and fake.url.split("//")[1] in lines[0], result.stderr
    assert "not-the-token-0xdead" not in result.stderr + result.stdout


def test_skip_verify_is_refused_with_exit_2(fake):
    result = subprocess.run(
        [binary("landlord"), "--listen", "127.0.0.1:0", "--providers", PROVIDER, "--default-provider", PROVIDER,
         "--nomad-address", fake.url],
        capture_output=True, text=True, timeout=60, env={**os.environ, "NOMAD_SKIP_VERIFY": "true"},
    )
    assert result.returncode == 2, result
    assert "NOMAD_SKIP_VERIFY" in result.stderr and "NOMAD_CACERT" in result.stderr


def test_mutual_tls_from_the_nomad_environment(tmp_path):
    """NOMAD_ADDR=https://..., NOMAD_CACERT, NOMAD_CLIENT_CERT and NOMAD_CLIENT_KEY, as the Nomad CLI reads them."""
    paths = make_certs(str(tmp_path))
    server = FakeNomad(token=TOKEN, certfile=paths["cert"], keyfile=paths["key"], cafile=paths["ca"],
                       alloc_start_seconds=0.1, healthy_seconds=0.1).start()
    tenant = f"e2e-tls-{uuid.uuid4().hex[:6]}"
    landlord = start_landlord(
        "--providers", PROVIDER, "--default-provider", PROVIDER,
        env={"NOMAD_ADDR": server.url, "NOMAD_TOKEN": TOKEN, "NOMAD_CACERT": paths["ca"],
             "NOMAD_CLIENT_CERT": paths["client_cert"], "NOMAD_CLIENT_KEY": paths["client_key"],
             SECRET_VARIABLE: SECRET_VALUE},
    )
    try:
        with grpc.insecure_channel(landlord.address) as channel:
            stub = pb_grpc.ComputeServiceStub(channel)
            stub.ProvisionTenant(pb.ProvisionTenantRequest(spec=spec(tenant)), timeout=60)
            wait_for(stub, tenant, lambda s: s.state == pb.COMPUTE_STATE_RUNNING)
            stub.DestroyTenant(pb.DestroyTenantRequest(tenant_id=tenant, provider_type=PROVIDER), timeout=60)
        without_client_cert = subprocess.run(
            [binary("landlord"), "--listen", "127.0.0.1:0", "--providers", PROVIDER, "--default-provider", PROVIDER],
            capture_output=True, text=True, timeout=60,
            env={**os.environ, "NOMAD_ADDR": server.url, "NOMAD_TOKEN": TOKEN, "NOMAD_CACERT": paths["ca"]},
        )
        assert without_client_cert.returncode == 1, without_client_cert
        assert len([line for line in without_client_cert.stderr.splitlines() if line.startswith("landlord:")]) == 1
    finally:
        landlord.terminate()
        server.stop()
