"""The kubernetes provider through the real `landlord` binary, with grpcio, on the fake Kubernetes
API server (Tests/fakes/kubernetes, run in this process): provision, running and healthy, update
and no_changes, a crash-looping image reported failed with its reason, a landlord restart that
finds the tenant from the cluster, destroy, and the secret value only in the Secret object and
never in landlord's output. Also: a start-up check that fails is one line and exit status 1."""

import base64
import os
import subprocess
import sys
import uuid

import grpc
import pytest

from landlord.compute.v1 import compute_pb2 as pb
from landlord.compute.v1 import compute_pb2_grpc as pb_grpc

from conftest import ROOT, binary, start_landlord
from provider_e2e import tenant_status, wait_for_tenant, web_spec

sys.path.insert(0, str(ROOT / "Tests" / "fakes" / "kubernetes"))
from fake_apiserver import FakeAPIServer, make_ca, write_kubeconfig  # noqa: E402

TOKEN = "e2e-fake-token"
SECRET_VALUE = "k8s-e2e-secret-never-logged"
SECRET_VARIABLE = "LL_E2E_K8S_DB_PASSWORD"
PROVIDER = "kubernetes"


@pytest.fixture(scope="module")
def fake(tmp_path_factory):
    directory = tmp_path_factory.mktemp("fake-kubernetes")
    paths = make_ca(str(directory))
    server = FakeAPIServer(
        paths["cert"], paths["key"], token=TOKEN, pod_start_seconds=0.1, pod_ready_seconds=0.1,
        crash_interval_seconds=0.2, namespace_termination_seconds=0.1, progress_deadline_scale=0.005,
        bookmark_interval_seconds=0.5,
    ).start()
    server.kubeconfig = write_kubeconfig(str(directory / "kubeconfig"), server.url, paths["ca"], TOKEN)
    yield server
    server.stop()


def landlord_on(fake):
    return start_landlord(
        "--providers", PROVIDER, "--default-provider", PROVIDER, "--kubernetes-kubeconfig", fake.kubeconfig,
        env={SECRET_VARIABLE: SECRET_VALUE},
    )


def spec(tenant, image="nginx:1.25"):
    return web_spec(tenant, PROVIDER, SECRET_VARIABLE, image)


def status_of(stub, tenant):
    return tenant_status(stub, tenant, PROVIDER)


def wait_for(stub, tenant, condition, timeout=20):
    return wait_for_tenant(stub, tenant, PROVIDER, condition, timeout)


def test_kubernetes_tenant_lifecycle_through_landlord(fake):
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
            assert [(e.address, e.port) for e in result.endpoints] == [(f"tenant.landlord-{tenant}.svc", 80)]
            status = wait_for(stub, tenant, lambda s: s.state == pb.COMPUTE_STATE_RUNNING)
            assert status.health == pb.HEALTH_STATUS_HEALTHY
            assert [c.name for c in status.containers] == ["web"]

            update = stub.UpdateTenant(
                pb.UpdateTenantRequest(tenant_id=tenant, spec=spec(tenant, image="nginx:1.27")), timeout=60
            ).result
            assert update.status in (pb.UPDATE_STATUS_SUCCESS, pb.UPDATE_STATUS_IN_PROGRESS)
            assert "containers[web].image: nginx:1.25 -> nginx:1.27" in list(update.changes)
            again = stub.UpdateTenant(
                pb.UpdateTenantRequest(tenant_id=tenant, spec=spec(tenant, image="nginx:1.27")), timeout=60
            ).result
            assert again.status == pb.UPDATE_STATUS_NO_CHANGES and list(again.changes) == []
            wait_for(stub, tenant, lambda s: s.state == pb.COMPUTE_STATE_RUNNING)

            stub.ProvisionTenant(pb.ProvisionTenantRequest(spec=spec(crashing, image="example.com/crashloop:1")), timeout=60)
            failed = wait_for(stub, crashing, lambda s: s.state == pb.COMPUTE_STATE_FAILED)
            assert failed.health == pb.HEALTH_STATUS_UNHEALTHY
            assert "CrashLoopBackOff" in failed.metadata["message"], failed
            assert "CrashLoopBackOff" in failed.containers[0].message
    finally:
        server.terminate()
        outputs += server.lines

    # The cluster is the only store: a new landlord finds both tenants.
    server = landlord_on(fake)
    try:
        with grpc.insecure_channel(server.address) as channel:
            stub = pb_grpc.ComputeServiceStub(channel)
            found = status_of(stub, tenant)
            assert found.state == pb.COMPUTE_STATE_RUNNING and [c.name for c in found.containers] == ["web"]
            again = stub.UpdateTenant(
                pb.UpdateTenantRequest(tenant_id=tenant, spec=spec(tenant, image="nginx:1.27")), timeout=60
            ).result
            assert again.status == pb.UPDATE_STATUS_NO_CHANGES

            secret = fake.get("secrets", f"landlord-{tenant}", "tenant-secrets")
            assert base64.b64decode(secret["data"]["db"]).decode() == SECRET_VALUE
            deployment = fake.get("deployments", f"landlord-{tenant}", "tenant")
            env = deployment["spec"]["template"]["spec"]["containers"][0]["env"]
            assert {"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "tenant-secrets", "key": "db"}}} in env
            assert SECRET_VALUE not in str(deployment)

            for gone in (tenant, crashing):
                stub.DestroyTenant(pb.DestroyTenantRequest(tenant_id=gone, provider_type=PROVIDER), timeout=60)
                with pytest.raises(grpc.RpcError) as error:
                    status_of(stub, gone)
                assert error.value.code() == grpc.StatusCode.NOT_FOUND
            assert fake.get("namespaces", None, f"landlord-{tenant}") is None
    finally:
        server.terminate()
        outputs += server.lines

    assert outputs, "landlord wrote nothing"
    assert not [line for line in outputs if SECRET_VALUE in line]
    assert not [line for line in outputs if base64.b64encode(SECRET_VALUE.encode()).decode() in line]


def test_missing_permission_is_one_line_and_exit_1(fake):
    fake.configure(forbidden=["watch:pods"])
    try:
        result = subprocess.run(
            [binary("landlord"), "--listen", "127.0.0.1:0", "--providers", PROVIDER, "--default-provider", PROVIDER,
             "--kubernetes-kubeconfig", fake.kubeconfig],
            capture_output=True, text=True, timeout=60,
        )
    finally:
        fake.configure(forbidden=[])
    assert result.returncode == 1, result
    lines = [line for line in result.stderr.splitlines() if line.startswith("landlord:")]
    assert len(lines) == 1 and "watch pods" in lines[0] and fake.url.split("//")[1] in lines[0], result.stderr
