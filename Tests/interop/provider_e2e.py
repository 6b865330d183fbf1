"""What the provider end-to-end tests (test_<provider>_provider.py) share: the web-server spec they
provision, and reading a tenant's status through landlord."""

from landlord.compute.v1 import compute_pb2 as pb

from conftest import wait_for_status


def web_spec(tenant, provider, secret_variable, image="nginx:1.25"):
    """One nginx container with an http health check and a secret from landlord's environment
    variable `secret_variable` (the engines that keep secrets in their own store)."""
    return pb.TenantComputeSpec(
        tenant_id=tenant,
        provider_type=provider,
        containers=[
            pb.ContainerSpec(
                name="web",
                image=image,
                env={"MODE": "production"},
                ports=[pb.PortMapping(container_port=80, protocol="tcp", name="http")],
                health_check=pb.HealthCheckConfig(type="http", http_path="/healthz", port=80),
            )
        ],
        resources=pb.ResourceRequirements(cpu=250, memory=256),
        secrets=[pb.SecretReference(name="db", source="env", key=secret_variable, env_var="DB_PASSWORD")],
    )


def tenant_status(stub, tenant, provider, timeout=10):
    """The tenant's status as GetTenantStatus answers it."""
    return stub.GetTenantStatus(pb.GetTenantStatusRequest(tenant_id=tenant, provider_type=provider), timeout=timeout).status


def wait_for_tenant(stub, tenant, provider, condition, timeout=20):
    """The first status of the tenant for which `condition` holds (the test fails after `timeout` s)."""
    return wait_for_status(lambda: tenant_status(stub, tenant, provider), condition, timeout)
