"""The ecs provider through the real `landlord` binary, with grpcio, on moto in server mode
(Tests/fakes/ecs/moto_ecs.py: signature and IAM checks on, the landlord user limited to
deploy/aws/landlord-ecs-policy.json). What landlord wrote is checked with boto3, the way AWS shows
it: validate (Fargate sizes, secret sources), provision, the task definition and the service,
update and no_changes, a landlord restart that finds the tenant from ECS, destroy leaving no ACTIVE
service or task definition. Also: start-up failures (wrong secret, missing cluster) are one line
and exit status 1."""

import subprocess
import sys
import uuid

import boto3
import grpc
import pytest

from landlord.compute.v1 import compute_pb2 as pb
from landlord.compute.v1 import compute_pb2_grpc as pb_grpc

from conftest import ROOT, binary, start_landlord

sys.path.insert(0, str(ROOT / "Tests" / "fakes" / "ecs"))
import moto_ecs  # noqa: E402

PROVIDER = "ecs"
ENV_VALUE = "ecs-e2e-env-value-never-logged"
EXECUTION_ROLE = "arn:aws:iam::123456789012:role/ecsTaskExecutionRole"


@pytest.fixture(scope="module")
def moto():
    server = moto_ecs.start(cluster="landlord-e2e")
    yield server
    moto_ecs.stop(server)


def environment(moto, secret=None):
    return {
        "AWS_ACCESS_KEY_ID": moto["access_key_id"],
        "AWS_SECRET_ACCESS_KEY": secret or moto["secret_access_key"],
        "AWS_SESSION_TOKEN": "", "AWS_PROFILE": "", "AWS_EC2_METADATA_DISABLED": "true",
    }


def arguments(moto, cluster=None):
    return [
        "--providers", PROVIDER, "--default-provider", PROVIDER, "--ecs-region", moto["region"],
        "--ecs-cluster", cluster or moto["cluster"], "--ecs-endpoint", moto["endpoint"],
        "--ecs-subnets", moto["subnet"], "--ecs-security-groups", moto["security_group"],
        "--ecs-execution-role-arn", EXECUTION_ROLE,
    ]


def landlord_on(moto):
    return start_landlord(*arguments(moto), env=environment(moto))


def aws(moto, service):
    return boto3.client(
        service, aws_access_key_id=moto["access_key_id"], aws_secret_access_key=moto["secret_access_key"],
        region_name=moto["region"], endpoint_url=moto["endpoint"])


def spec(tenant, image="nginx:1.25", cpu=250, memory=512, secret_source="ssm"):
    return pb.TenantComputeSpec(
        tenant_id=tenant,
        provider_type=PROVIDER,
        containers=[
            pb.ContainerSpec(
                name="web",
                image=image,
                command=["nginx"],
                args=["-g", "daemon off;"],
                env={"MODE": ENV_VALUE},
                ports=[pb.PortMapping(container_port=80, protocol="tcp", name="http")],
                health_check=pb.HealthCheckConfig(type="http", http_path="/healthz", port=80),
            )
        ],
        resources=pb.ResourceRequirements(cpu=cpu, memory=memory),
        secrets=[pb.SecretReference(name="db", source=secret_source, key="/landlord/db-password", env_var="DB_PASSWORD")],
        labels={"team": "payments"},
        provider_config=b'{"desired_count": 2}',
    )


def status_of(stub, tenant):
    return stub.GetTenantStatus(pb.GetTenantStatusRequest(tenant_id=tenant, provider_type=PROVIDER), timeout=30).status


def test_ecs_tenant_lifecycle_through_landlord(moto):
    tenant = f"e2e-{uuid.uuid4().hex[:8]}"
    family = f"landlord-{tenant}"
    ecs = aws(moto, "ecs")
    outputs = []
    server = landlord_on(moto)
    try:
        with grpc.insecure_channel(server.address) as channel:
            stub = pb_grpc.ComputeServiceStub(channel)
            assert list(stub.ListProviders(pb.ListProvidersRequest(), timeout=10).providers) == [PROVIDER]

            # Validation: a Fargate size names the nearest valid one; env secrets are refused.
            bad = stub.ValidateTenantSpec(
                pb.ValidateTenantSpecRequest(spec=spec(tenant, cpu=256, memory=512, secret_source="env")), timeout=10)
            assert not bad.valid
            violations = {v.field: v.description for v in bad.violations}
            assert "nearest valid one is cpu 250 (256 CPU units) with memory 512" in violations["resources"]
            assert "secrets[0].source" in violations
            assert stub.ValidateTenantSpec(pb.ValidateTenantSpecRequest(spec=spec(tenant)), timeout=10).valid

            result = stub.ProvisionTenant(pb.ProvisionTenantRequest(spec=spec(tenant)), timeout=60).result
            assert result.status in (pb.PROVISION_STATUS_SUCCESS, pb.PROVISION_STATUS_IN_PROGRESS)
            assert result.resource_ids["service"].endswith(f"service/{moto['cluster']}/{family}")

            # The task definition and the service as AWS shows them.
            described = ecs.describe_task_definition(taskDefinition=family, include=["TAGS"])
            definition = described["taskDefinition"]
            assert definition["family"] == family and definition["revision"] == 1
            assert definition["networkMode"] == "awsvpc"
            assert definition["requiresCompatibilities"] == ["FARGATE"]
            assert (definition["cpu"], definition["memory"]) == ("256", "512")
            assert definition["executionRoleArn"] == EXECUTION_ROLE
            (web,) = definition["containerDefinitions"]
            assert web["image"] == "nginx:1.25" and web["essential"] is True
            assert web["entryPoint"] == ["nginx"] and web["command"] == ["-g", "daemon off;"]
            assert web["environment"] == [{"name": "MODE", "value": ENV_VALUE}]
            assert web["portMappings"][0]["containerPort"] == 80
            assert web["secrets"] == [{"name": "DB_PASSWORD", "valueFrom": "/landlord/db-password"}]
            assert web["healthCheck"]["command"][0] == "CMD-SHELL" and "127.0.0.1:80/healthz" in web["healthCheck"]["command"][1]
            tags = {t["key"]: t["value"] for t in described["tags"]}
            assert tags["landlord.dev/tenant-id"] == tenant and tags["landlord.dev/managed-by"] == "landlord"
            assert tags["team"] == "payments"
            assert ENV_VALUE not in str(described["tags"]) and ENV_VALUE not in str(web.get("dockerLabels"))

            (service,) = ecs.describe_services(cluster=moto["cluster"], services=[family], include=["TAGS"])["services"]
            assert service["status"] == "ACTIVE" and service["desiredCount"] == 2
            assert service["launchType"] == "FARGATE"
            assert service["taskDefinition"].endswith(f"task-definition/{family}:1")
            vpc = service["networkConfiguration"]["awsvpcConfiguration"]
            assert vpc["subnets"] == [moto["subnet"]] and vpc["securityGroups"] == [moto["security_group"]]
            assert vpc["assignPublicIp"] == "DISABLED"
            service_tags = {t["key"]: t["value"] for t in service["tags"]}
            assert service_tags["landlord.dev/tenant-id"] == tenant

            status = status_of(stub, tenant)
            assert [c.name for c in status.containers] == ["web"]
            assert status.metadata["desired_count"] == "2"

            update = stub.UpdateTenant(
                pb.UpdateTenantRequest(tenant_id=tenant, spec=spec(tenant, image="nginx:1.27")), timeout=60).result
            assert update.status in (pb.UPDATE_STATUS_SUCCESS, pb.UPDATE_STATUS_IN_PROGRESS)
            assert list(update.changes) == ["containers[web].image: nginx:1.25 -> nginx:1.27"]
            again = stub.UpdateTenant(
                pb.UpdateTenantRequest(tenant_id=tenant, spec=spec(tenant, image="nginx:1.27")), timeout=60).result
            assert again.status == pb.UPDATE_STATUS_NO_CHANGES and list(again.changes) == []
            (service,) = ecs.describe_services(cluster=moto["cluster"], services=[family])["services"]
            assert service["taskDefinition"].endswith(f"task-definition/{family}:2")
    finally:
        server.terminate()
        outputs += server.lines

    # ECS is the only store: a new landlord finds the tenant, changes nothing, destroys it.
    server = landlord_on(moto)
    try:
        with grpc.insecure_channel(server.address) as channel:
            stub = pb_grpc.ComputeServiceStub(channel)
            assert [c.name for c in status_of(stub, tenant).containers] == ["web"]
            again = stub.UpdateTenant(
                pb.UpdateTenantRequest(tenant_id=tenant, spec=spec(tenant, image="nginx:1.27")), timeout=60).result
            assert again.status == pb.UPDATE_STATUS_NO_CHANGES
            with pytest.raises(grpc.RpcError) as conflict:
                stub.ProvisionTenant(pb.ProvisionTenantRequest(spec=spec(tenant, image="nginx:1.25")), timeout=60)
            assert conflict.value.code() == grpc.StatusCode.ALREADY_EXISTS

            stub.DestroyTenant(pb.DestroyTenantRequest(tenant_id=tenant, provider_type=PROVIDER), timeout=60)
            with pytest.raises(grpc.RpcError) as error:
                status_of(stub, tenant)
            assert error.value.code() == grpc.StatusCode.NOT_FOUND
            stub.DestroyTenant(pb.DestroyTenantRequest(tenant_id=tenant, provider_type=PROVIDER), timeout=60)
    finally:
        server.terminate()
        outputs += server.lines

    assert ecs.list_task_definitions(familyPrefix=family, status="ACTIVE")["taskDefinitionArns"] == []
    services = ecs.describe_services(cluster=moto["cluster"], services=[family])["services"]
    assert all(s["status"] != "ACTIVE" for s in services)
    assert outputs, "landlord wrote nothing"
    assert not [line for line in outputs if ENV_VALUE in line]
    assert not [line for line in outputs if moto["secret_access_key"] in line]


@pytest.mark.parametrize("case", ["wrong secret", "missing cluster"])
def test_start_up_failure_is_one_line_and_exit_1(moto, case):
    secret = "not-the-secret-key" if case == "wrong secret" else None
    cluster = "no-such-cluster" if case == "missing cluster" else None
    result = subprocess.run(
        [binary("landlord"), "--listen", "127.0.0.1:0", *arguments(moto, cluster=cluster)],
        capture_output=True, text=True, timeout=60, env={**__import__("os").environ, **environment(moto, secret=secret)},
    )
    assert result.returncode == 1, result
    lines = [line for line in result.stderr.splitlines() if line.startswith("landlord:")]
    assert len(lines) == 1, result.stderr
    if case == "wrong secret":
        assert "credentials were rejected" in lines[0] and moto["endpoint"] in lines[0]
        assert "not-the-secret-key" not in result.stderr + result.stdout
    else:
        assert '"no-such-cluster" does not exist' in lines[0] and "--ecs-cluster" in lines[0]


def test_missing_region_is_one_line_and_exit_2():
    env = {key: value for key, value in __import__("os").environ.items() if key not in ("AWS_REGION", "AWS_DEFAULT_REGION")}
    result = subprocess.run(
        [binary("landlord"), "--listen", "127.0.0.1:0", "--providers", PROVIDER, "--default-provider", PROVIDER],
        capture_output=True, text=True, timeout=30, env=env)
    assert result.returncode == 2, result
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "--ecs-region" in lines[0], result.stderr
