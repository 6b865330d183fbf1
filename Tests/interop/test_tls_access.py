"""TLS, mutual TLS and caller authorization of the real `landlord` binary, with grpcio's
secure channels (an independent TLS and gRPC stack): TLS only, ALPN h2, client certificates
accepted and refused, every role against every RPC, tenant patterns, tokens with and without
mutual TLS, certificate rotation under an open channel, policy reload, health and reflection
rules, audit lines, and TLS-level abuse that must end only the offending connection.

The test PKI is made with the openssl CLI, per test session.
"""

import hashlib
import json
import os
import pathlib
import re
import shutil
import socket
import ssl
import subprocess
import time
import uuid

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import ProtoReflectionDescriptorDatabase

from landlord.compute.v1 import compute_pb2 as pb
from landlord.compute.v1 import compute_pb2_grpc as pb_grpc

from conftest import RunningServer, binary, start_landlord

TOKENS = {"ops": "ops-token-3f9a", "portal": "portal-token-77c1", "auditor": "auditor-token-0b2e"}
BILLING_SPIFFE = "spiffe://corp.example/billing"
RELOAD_INTERVAL = "0.2"


# --- the test PKI ---------------------------------------------------------------------------------------------


def _openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


class PKI:
    """A CA and the certificates it issues, as PEM files in one directory."""

    def __init__(self, directory, name):
        self.directory = pathlib.Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.name = name
        _openssl(
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", f"{name}-ca.key", "-out", f"{name}-ca.pem", "-days", "2", "-subj", f"/CN={name} test CA",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
            cwd=self.directory,
        )
        self.ca = self.directory / f"{name}-ca.pem"

    def issue(self, stem, common_name, san, usage):
        """Issues a certificate; returns (certificate path, key path)."""
        _openssl(
            "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", f"{stem}.key", "-out", f"{stem}.csr", "-subj", f"/CN={common_name}",
            cwd=self.directory,
        )
        (self.directory / f"{stem}.ext").write_text(
            (f"subjectAltName={san}\n" if san else "") + f"extendedKeyUsage={usage}\n"
        )
        _openssl(
            "x509", "-req", "-in", f"{stem}.csr", "-CA", self.ca.name, "-CAkey", f"{self.name}-ca.key",
            "-CAcreateserial", "-out", f"{stem}.pem", "-days", "2", "-extfile", f"{stem}.ext",
            cwd=self.directory,
        )
        return self.directory / f"{stem}.pem", self.directory / f"{stem}.key"


@pytest.fixture(scope="session")
def pki(tmp_path_factory):
    root = tmp_path_factory.mktemp("pki")
    trusted = PKI(root, "trusted")
    untrusted = PKI(root, "untrusted")
    certs = {
        "server": trusted.issue("server", "localhost", "DNS:localhost,IP:127.0.0.1", "serverAuth"),
        "billing": trusted.issue("billing", "billing", f"URI:{BILLING_SPIFFE}", "clientAuth"),
        "batch": trusted.issue("batch", "batch-runner", "DNS:batch.internal", "clientAuth"),
        "stranger": trusted.issue("stranger", "stranger", "URI:spiffe://corp.example/stranger", "clientAuth"),
        "impostor": untrusted.issue("impostor", "billing", f"URI:{BILLING_SPIFFE}", "clientAuth"),
    }
    return {"dir": root, "ca": trusted.ca, "untrusted_ca": untrusted.ca, "certs": certs, "make": PKI}


def policy(reflection=None, extra=()):
    callers = [
        {"name": "ops", "token_sha256": hashlib.sha256(TOKENS["ops"].encode()).hexdigest(), "role": "admin"},
        {
            "name": "portal", "token_sha256": hashlib.sha256(TOKENS["portal"].encode()).hexdigest(),
            "role": "operator", "tenants": ["acme-*", "globex"],
        },
        {"name": "auditor", "token_sha256": hashlib.sha256(TOKENS["auditor"].encode()).hexdigest(), "role": "viewer"},
        {"name": "billing", "client_certificate": {"uri_san": BILLING_SPIFFE}, "role": "viewer"},
        {"name": "batch", "client_certificate": {"dns_san": "batch.internal"}, "role": "operator"},
        *extra,
    ]
    document = {"callers": callers}
    if reflection:
        document["reflection"] = reflection
    return json.dumps(document)


def start_tls_landlord(pki, tmp_path, mutual=True, policy_text=None, extra_args=()):
    cert, key = pki["certs"]["server"]
    live_cert, live_key = tmp_path / "tls.crt", tmp_path / "tls.key"
    shutil.copy(cert, live_cert)
    shutil.copy(key, live_key)
    args = ["--tls-cert", str(live_cert), "--tls-key", str(live_key), "--reload-interval", RELOAD_INTERVAL,
            "--health-listen", "127.0.0.1:0", *extra_args]
    if mutual:
        args += ["--tls-client-ca", str(pki["ca"])]
    if policy_text is not None:
        (tmp_path / "policy.json").write_text(policy_text)
        args += ["--auth-policy", str(tmp_path / "policy.json")]
    server = start_landlord(*args)
    server.health_address = re.search(r"health=(\S+:\d+)", server.wait_for_line("landlord serving", contains=True)).group(1)
    return server


def credentials(pki, client=None, root=None):
    root_pem = pathlib.Path(root or pki["ca"]).read_bytes()
    if client is None:
        return grpc.ssl_channel_credentials(root_certificates=root_pem)
    cert, key = pki["certs"][client]
    return grpc.ssl_channel_credentials(root_pem, key.read_bytes(), cert.read_bytes())


def secure_stub(server, creds, token=None):
    if token is not None:
        creds = grpc.composite_channel_credentials(creds, grpc.access_token_call_credentials(token))
    channel = grpc.secure_channel(server.address, creds)
    return channel, pb_grpc.ComputeServiceStub(channel)


def tenant_id(prefix="t"):
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def spec(tenant):
    return pb.TenantComputeSpec(
        tenant_id=tenant, provider_type="mock",
        containers=[pb.ContainerSpec(name="web", image="nginx:1.25", ports=[pb.PortMapping(container_port=8080, protocol="tcp")])],
        resources=pb.ResourceRequirements(cpu=256, memory=512),
    )


def code(call):
    try:
        call()
        return grpc.StatusCode.OK
    except grpc.RpcError as error:
        return error.code()


def details(call):
    with pytest.raises(grpc.RpcError) as error:
        call()
    return error.value.code(), error.value.details()


# --- servers --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def mtls_server(pki, tmp_path_factory):
    server = start_tls_landlord(pki, tmp_path_factory.mktemp("mtls"), mutual=True, policy_text=policy())
    yield server
    server.terminate()


@pytest.fixture(scope="module")
def tls_server(pki, tmp_path_factory):
    server = start_tls_landlord(pki, tmp_path_factory.mktemp("tls"), mutual=False, policy_text=policy())
    yield server
    server.terminate()


# --- TLS ------------------------------------------------------------------------------------------------------


def test_tls_port_refuses_cleartext_and_serves_tls(tls_server, pki):
    with grpc.insecure_channel(tls_server.address) as channel:
        assert code(lambda: pb_grpc.ComputeServiceStub(channel).ListProviders(pb.ListProvidersRequest(), timeout=3)) == grpc.StatusCode.UNAVAILABLE
    channel, stub = secure_stub(tls_server, credentials(pki), TOKENS["auditor"])
    with channel:
        assert list(stub.ListProviders(pb.ListProvidersRequest(), timeout=10).providers) == ["mock"]


def _tls_socket(server, alpn, ca):
    host, port = server.address.rsplit(":", 1)
    context = ssl.create_default_context(cafile=str(ca))
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if alpn is not None:
        context.set_alpn_protocols(alpn)
    raw = socket.create_connection((host, int(port)), timeout=5)
    return context.wrap_socket(raw, server_hostname="localhost")


@pytest.mark.parametrize("alpn", [None, ["http/1.1"]])
def test_a_client_without_alpn_h2_is_refused(tls_server, pki, alpn):
    with _tls_socket(tls_server, alpn, pki["ca"]) as tls:
        assert tls.selected_alpn_protocol() in (None, "http/1.1") and tls.selected_alpn_protocol() != "h2"
        tls.settimeout(5)
        # The server closes the connection: no HTTP/2 SETTINGS ever comes.
        try:
            data = tls.recv(100)
        except (ConnectionResetError, ssl.SSLError):
            data = b""
        assert data == b""


def test_alpn_h2_is_negotiated_with_tls_1_2_and_1_3(tls_server, pki):
    for version in (ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3):
        host, port = tls_server.address.rsplit(":", 1)
        context = ssl.create_default_context(cafile=str(pki["ca"]))
        context.minimum_version = context.maximum_version = version
        context.set_alpn_protocols(["h2"])
        with context.wrap_socket(socket.create_connection((host, int(port)), timeout=5), server_hostname="localhost") as tls:
            assert tls.selected_alpn_protocol() == "h2"
            assert tls.version() == {ssl.TLSVersion.TLSv1_2: "TLSv1.2", ssl.TLSVersion.TLSv1_3: "TLSv1.3"}[version]


# --- mutual TLS -----------------------------------------------------------------------------------------------


def test_mtls_accepts_a_client_certificate_of_the_ca(mtls_server, pki):
    channel, stub = secure_stub(mtls_server, credentials(pki, "billing"))
    with channel:
        assert list(stub.ListProviders(pb.ListProvidersRequest(), timeout=10).providers) == ["mock"]


@pytest.mark.parametrize("client", [None, "impostor"])
def test_mtls_refuses_no_certificate_and_an_untrusted_ca(mtls_server, pki, client):
    channel, stub = secure_stub(mtls_server, credentials(pki, client), TOKENS["ops"])
    with channel:
        assert code(lambda: stub.ListProviders(pb.ListProvidersRequest(), timeout=5)) == grpc.StatusCode.UNAVAILABLE


def test_a_trusted_certificate_the_policy_does_not_name_is_unauthenticated(mtls_server, pki):
    channel, stub = secure_stub(mtls_server, credentials(pki, "stranger"))
    with channel:
        status, message = details(lambda: stub.ListProviders(pb.ListProvidersRequest(), timeout=5))
    assert status == grpc.StatusCode.UNAUTHENTICATED
    assert "spiffe://corp.example/stranger" in message


# --- roles against every RPC ----------------------------------------------------------------------------------

ROLE_OF = {"auditor": "viewer", "portal": "operator", "ops": "admin", "billing": "viewer", "batch": "operator"}
NEEDS = {
    "GetTenantStatus": "viewer", "WatchTenantStatus": "viewer", "ValidateTenantSpec": "viewer", "ListProviders": "viewer",
    "ProvisionTenant": "operator", "UpdateTenant": "operator", "DestroyTenant": "admin",
}
RANK = {"viewer": 0, "operator": 1, "admin": 2}


def invoke(stub, method, tenant):
    """One call of `method` on `tenant`; returns its status code (OK, or the error's)."""
    calls = {
        "GetTenantStatus": lambda: stub.GetTenantStatus(pb.GetTenantStatusRequest(tenant_id=tenant), timeout=10),
        "WatchTenantStatus": lambda: next(iter(stub.WatchTenantStatus(pb.WatchTenantStatusRequest(tenant_id=tenant), timeout=10))),
        "ValidateTenantSpec": lambda: stub.ValidateTenantSpec(pb.ValidateTenantSpecRequest(spec=spec(tenant)), timeout=10),
        "ListProviders": lambda: stub.ListProviders(pb.ListProvidersRequest(), timeout=10),
        "ProvisionTenant": lambda: stub.ProvisionTenant(pb.ProvisionTenantRequest(spec=spec(tenant)), timeout=10),
        "UpdateTenant": lambda: stub.UpdateTenant(pb.UpdateTenantRequest(tenant_id=tenant, spec=spec(tenant)), timeout=10),
        "DestroyTenant": lambda: stub.DestroyTenant(pb.DestroyTenantRequest(tenant_id=tenant), timeout=10),
    }
    return code(calls[method])


@pytest.mark.parametrize("caller", ["auditor", "portal", "ops", "billing", "batch"])
@pytest.mark.parametrize("method", list(NEEDS))
def test_every_role_against_every_rpc(mtls_server, pki, caller, method):
    # Token callers connect with a certificate the policy does not name: the token decides.
    if caller in TOKENS:
        channel, stub = secure_stub(mtls_server, credentials(pki, "stranger"), TOKENS[caller])
    else:
        channel, stub = secure_stub(mtls_server, credentials(pki, caller))
    tenant = tenant_id("acme")
    allowed = RANK[ROLE_OF[caller]] >= RANK[NEEDS[method]]
    with channel:
        result = invoke(stub, method, tenant)
    if allowed:
        # Admitted: the call reaches the service (an unknown tenant is NOT_FOUND there).
        assert result in (grpc.StatusCode.OK, grpc.StatusCode.NOT_FOUND), result
    else:
        assert result == grpc.StatusCode.PERMISSION_DENIED


def test_permission_denied_says_what_is_missing(mtls_server, pki):
    channel, stub = secure_stub(mtls_server, credentials(pki, "billing"))
    with channel:
        status, message = details(lambda: stub.DestroyTenant(pb.DestroyTenantRequest(tenant_id="acme-1"), timeout=10))
    assert status == grpc.StatusCode.PERMISSION_DENIED
    assert message == 'caller "billing" has role viewer; DestroyTenant needs admin'


@pytest.mark.parametrize(
    "tenant,allowed",
    [("acme-eu", True), ("acme-", True), ("globex", True), ("globex-2", False), ("acme", False), ("initech", False)],
)
def test_tenant_patterns(mtls_server, pki, tenant, allowed):
    channel, stub = secure_stub(mtls_server, credentials(pki, "stranger"), TOKENS["portal"])
    with channel:
        for method in ("GetTenantStatus", "ValidateTenantSpec", "UpdateTenant", "WatchTenantStatus"):
            result = invoke(stub, method, tenant)
            if allowed:
                assert result != grpc.StatusCode.PERMISSION_DENIED, method
            else:
                assert result == grpc.StatusCode.PERMISSION_DENIED, method
    if not allowed:
        with secure_stub(mtls_server, credentials(pki, "stranger"), TOKENS["portal"])[0] as channel:
            status, message = details(
                lambda: pb_grpc.ComputeServiceStub(channel).GetTenantStatus(pb.GetTenantStatusRequest(tenant_id=tenant), timeout=10)
            )
            assert message == f'caller "portal" may not act on tenant "{tenant}" (its tenants: acme-*, globex)'


# --- tokens -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("mutual", [False, True])
def test_tokens_with_and_without_mtls(tls_server, mtls_server, pki, mutual):
    server = mtls_server if mutual else tls_server
    creds = credentials(pki, "stranger" if mutual else None)
    tenant = tenant_id("acme")
    channel, stub = secure_stub(server, creds, TOKENS["ops"])
    with channel:
        stub.ProvisionTenant(pb.ProvisionTenantRequest(spec=spec(tenant)), timeout=10)
        stub.DestroyTenant(pb.DestroyTenantRequest(tenant_id=tenant), timeout=10)
    for token, expected in [(None, "no credentials"), ("wrong-token", "not one the auth policy knows")]:
        channel, stub = secure_stub(server, credentials(pki, None) if not mutual else creds, token)
        with channel:
            status, message = details(lambda: stub.ListProviders(pb.ListProvidersRequest(), timeout=10))
        if mutual and token is None:
            # The certificate is trusted but names no caller.
            assert status == grpc.StatusCode.UNAUTHENTICATED and "names no caller" in message
        else:
            assert status == grpc.StatusCode.UNAUTHENTICATED and expected in message
        if token:
            assert token not in message


def test_a_token_header_that_is_not_bearer_is_unauthenticated(tls_server, pki):
    channel = grpc.secure_channel(tls_server.address, credentials(pki))
    with channel:
        status, message = details(
            lambda: pb_grpc.ComputeServiceStub(channel).ListProviders(
                pb.ListProvidersRequest(), metadata=[("authorization", "Basic " + TOKENS["ops"])], timeout=10
            )
        )
    assert status == grpc.StatusCode.UNAUTHENTICATED
    assert TOKENS["ops"] not in message


# --- health and reflection -------------------------------------------------------------------------------------


def test_health_needs_no_credentials_over_tls_and_on_the_health_listener(tls_server, mtls_server, pki):
    with grpc.secure_channel(tls_server.address, credentials(pki)) as channel:
        assert health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=10).status == health_pb2.HealthCheckResponse.SERVING
    # With mutual TLS the handshake still needs a certificate; the call needs no caller.
    with grpc.secure_channel(mtls_server.address, credentials(pki, "stranger")) as channel:
        assert health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=10).status == health_pb2.HealthCheckResponse.SERVING
    for server in (tls_server, mtls_server):
        with grpc.insecure_channel(server.health_address) as channel:
            health = health_pb2_grpc.HealthStub(channel)
            assert health.Check(health_pb2.HealthCheckRequest(service="landlord.compute.v1.ComputeService"), timeout=10).status == health_pb2.HealthCheckResponse.SERVING
            # Only health there.
            assert code(lambda: pb_grpc.ComputeServiceStub(channel).ListProviders(pb.ListProvidersRequest(), timeout=5)) == grpc.StatusCode.UNIMPLEMENTED


def _reflection_services(channel):
    return set(ProtoReflectionDescriptorDatabase(channel).get_services())


def test_reflection_needs_a_known_caller_by_default(tls_server, pki):
    with grpc.secure_channel(tls_server.address, credentials(pki)) as channel:
        with pytest.raises(grpc.RpcError) as error:
            _reflection_services(channel)
        assert error.value.code() == grpc.StatusCode.UNAUTHENTICATED
    creds = grpc.composite_channel_credentials(credentials(pki), grpc.access_token_call_credentials(TOKENS["auditor"]))
    with grpc.secure_channel(tls_server.address, creds) as channel:
        assert "landlord.compute.v1.ComputeService" in _reflection_services(channel)


def test_open_reflection_needs_no_credentials(pki, tmp_path):
    server = start_tls_landlord(pki, tmp_path, mutual=False, policy_text=policy(reflection="open"))
    try:
        with grpc.secure_channel(server.address, credentials(pki)) as channel:
            assert "landlord.compute.v1.ComputeService" in _reflection_services(channel)
            # Open reflection opens nothing else.
            assert code(lambda: pb_grpc.ComputeServiceStub(channel).ListProviders(pb.ListProvidersRequest(), timeout=5)) == grpc.StatusCode.UNAUTHENTICATED
    finally:
        server.terminate()


# --- rotation and reload ------------------------------------------------------------------------------------


def test_server_certificate_rotation_keeps_open_channels_and_serves_new_ones_the_new_certificate(pki, tmp_path):
    server = start_tls_landlord(pki, tmp_path, mutual=False, policy_text=policy())
    try:
        old = grpc.secure_channel(server.address, grpc.composite_channel_credentials(credentials(pki), grpc.access_token_call_credentials(TOKENS["auditor"])))
        old_stub = pb_grpc.ComputeServiceStub(old)
        old_stub.ListProviders(pb.ListProvidersRequest(), timeout=10)

        rotated = pki["make"](tmp_path / "rotated", "rotated")
        cert, key = rotated.issue("server2", "localhost", "DNS:localhost,IP:127.0.0.1", "serverAuth")
        # A rotation writes the key and the certificate one after the other; the reload waits for a pair that loads.
        shutil.copy(key, tmp_path / "tls.key")
        time.sleep(0.5)
        shutil.copy(cert, tmp_path / "tls.crt")
        server.wait_for_line("TLS certificate reloaded", contains=True, timeout=10)

        # New connections get the new certificate (the old CA no longer verifies it)...
        new_creds = grpc.composite_channel_credentials(
            credentials(pki, root=rotated.ca), grpc.access_token_call_credentials(TOKENS["auditor"])
        )
        with grpc.secure_channel(server.address, new_creds) as channel:
            assert list(pb_grpc.ComputeServiceStub(channel).ListProviders(pb.ListProvidersRequest(), timeout=10).providers) == ["mock"]
        with grpc.secure_channel(server.address, credentials(pki)) as channel:
            assert code(lambda: pb_grpc.ComputeServiceStub(channel).ListProviders(pb.ListProvidersRequest(), timeout=5)) == grpc.StatusCode.UNAVAILABLE
        # ...while the open channel goes on over its connection.
        for _ in range(3):
            old_stub.ListProviders(pb.ListProvidersRequest(), timeout=10)
        old.close()

        # A bad new file keeps the certificate in force and logs an error.
        (tmp_path / "tls.crt").write_text("-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n")
        server.wait_for_line("TLS certificate not reloaded", contains=True, timeout=10)
        with grpc.secure_channel(server.address, new_creds) as channel:
            pb_grpc.ComputeServiceStub(channel).ListProviders(pb.ListProvidersRequest(), timeout=10)
    finally:
        server.terminate()


def test_policy_reload_and_an_invalid_new_policy_keeps_the_old_one(pki, tmp_path):
    server = start_tls_landlord(pki, tmp_path, mutual=False, policy_text=policy())
    try:
        newcomer = "newcomer-token-51aa"
        channel, stub = secure_stub(server, credentials(pki), newcomer)
        with channel:
            assert code(lambda: stub.ListProviders(pb.ListProvidersRequest(), timeout=10)) == grpc.StatusCode.UNAUTHENTICATED
            (tmp_path / "policy.json").write_text(
                policy(extra=[{"name": "newcomer", "token_sha256": hashlib.sha256(newcomer.encode()).hexdigest(), "role": "viewer"}])
            )
            server.wait_for_line("auth policy reloaded", contains=True, timeout=10)
            stub.ListProviders(pb.ListProvidersRequest(), timeout=10)

            (tmp_path / "policy.json").write_text('{"callers": [{"name": "broken"}]}')
            line = server.wait_for_line("auth policy not reloaded", contains=True, timeout=10)
            assert "error" in line
            stub.ListProviders(pb.ListProvidersRequest(), timeout=10)
    finally:
        server.terminate()
    assert not [line for line in server.lines if newcomer in line]


# --- audit and logs -------------------------------------------------------------------------------------------


def test_audit_lines_name_the_caller_and_no_log_line_holds_a_token(mtls_server, pki):
    tenant = tenant_id("acme")
    channel, stub = secure_stub(mtls_server, credentials(pki, "stranger"), TOKENS["portal"])
    with channel:
        stub.ProvisionTenant(pb.ProvisionTenantRequest(spec=spec(tenant)), timeout=10)
        assert code(lambda: stub.DestroyTenant(pb.DestroyTenantRequest(tenant_id=tenant), timeout=10)) == grpc.StatusCode.PERMISSION_DENIED
    channel, stub = secure_stub(mtls_server, credentials(pki, "batch"))
    with channel:
        stub.UpdateTenant(pb.UpdateTenantRequest(tenant_id=tenant, spec=spec(tenant)), timeout=10)
    channel, stub = secure_stub(mtls_server, credentials(pki, "stranger"), TOKENS["ops"])
    with channel:
        stub.DestroyTenant(pb.DestroyTenantRequest(tenant_id=tenant), timeout=10)
    mtls_server.wait_for_line(f"tenant_id={tenant} [LandlordCompute] audit: destroy tenant", contains=True)
    audits = [line for line in mtls_server.lines if "audit=true" in line and tenant in line]
    assert any("caller=portal" in line and "audit: provision tenant" in line for line in audits)
    # A role refusal happens before the request is decoded: its line names the method, not the tenant.
    assert any(
        "caller=portal" in line and "audit: access denied" in line and "ComputeService/DestroyTenant" in line
        for line in mtls_server.lines
    )
    assert any("caller=batch" in line and "audit: update tenant" in line for line in audits)
    assert any("caller=ops" in line and "audit: destroy tenant" in line for line in audits)
    assert all("caller=" in line for line in audits)
    secrets = list(TOKENS.values()) + [hashlib.sha256(token.encode()).hexdigest() for token in TOKENS.values()]
    assert not [line for line in mtls_server.lines if any(secret in line for secret in secrets)]
    assert not [line for line in mtls_server.lines if "BEGIN CERTIFICATE" in line or "PRIVATE KEY" in line]


def test_without_a_policy_audit_lines_say_anonymous_and_a_public_address_warns():
    server = RunningServer(
        [binary("landlord"), "--listen", "0.0.0.0:0"],
        ready_regex=r"address=(\S+:\d+) .*landlord serving",
    )
    try:
        assert server.wait_for_line("no auth policy", contains=True)
        port = server.address.rsplit(":", 1)[1]
        tenant = tenant_id()
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            pb_grpc.ComputeServiceStub(channel).DestroyTenant(pb.DestroyTenantRequest(tenant_id=tenant), timeout=10)
        line = server.wait_for_line(f"tenant_id={tenant} [LandlordCompute] audit: destroy tenant", contains=True)
        assert "caller=anonymous" in line
    finally:
        server.terminate()
    loopback = start_landlord()
    try:
        assert loopback.count_lines("no auth policy") == 0
    finally:
        loopback.terminate()


@pytest.mark.parametrize(
    "policy_text,args",
    [
        ('{"callers": [{"name": "x", "role": "admin"}]}', []),
        ("not json", []),
        (None, ["--auth-policy", "/nonexistent/policy.json"]),
        (None, ["--tls-cert", "/nonexistent/cert.pem"]),
        (None, ["--tls-client-ca", "/nonexistent/ca.pem"]),
    ],
)
def test_invalid_policy_or_tls_files_at_start_up_exit_2_with_one_line(tmp_path, policy_text, args):
    if policy_text is not None:
        (tmp_path / "policy.json").write_text(policy_text)
        args = ["--auth-policy", str(tmp_path / "policy.json")]
    result = subprocess.run(
        [binary("landlord"), "--listen", "127.0.0.1:0", *args], capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("landlord: invalid configuration:"), lines


# --- robustness over TLS ------------------------------------------------------------------------------------


def _still_serves(server, pki):
    creds = grpc.composite_channel_credentials(credentials(pki), grpc.access_token_call_credentials(TOKENS["auditor"]))
    with grpc.secure_channel(server.address, creds) as channel:
        assert list(pb_grpc.ComputeServiceStub(channel).ListProviders(pb.ListProvidersRequest(), timeout=10).providers) == ["mock"]


def _closed_by_server(sock, timeout):
    sock.settimeout(timeout)
    try:
        while sock.recv(4096):
            pass
        return True
    except (ConnectionResetError, BrokenPipeError):
        return True
    except socket.timeout:
        return False


def test_garbage_instead_of_a_client_hello_ends_only_that_connection(tls_server, pki):
    host, port = tls_server.address.rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(os.urandom(2048))
        assert _closed_by_server(sock, 5)
    # A cleartext HTTP/2 preface is garbage too.
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
        assert _closed_by_server(sock, 5)
    _still_serves(tls_server, pki)


def test_an_alert_storm_ends_only_that_connection(tls_server, pki):
    host, port = tls_server.address.rsplit(":", 1)
    # TLS alert records (warning, close_notify and unknown descriptions), before any handshake.
    alert = bytes([0x15, 0x03, 0x03, 0x00, 0x02, 0x01, 0x00])
    storm = b"".join(alert[:-1] + bytes([description]) for description in [0, 90, 100, 255] * 500)
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        try:
            sock.sendall(storm)
        except (ConnectionResetError, BrokenPipeError):
            pass
        assert _closed_by_server(sock, 5)
    _still_serves(tls_server, pki)


def test_a_client_that_never_finishes_the_handshake_is_timed_out(tls_server, pki):
    host, port = tls_server.address.rsplit(":", 1)
    silent = socket.create_connection((host, int(port)), timeout=5)
    # Half a ClientHello record header, then nothing.
    partial = socket.create_connection((host, int(port)), timeout=5)
    partial.sendall(bytes([0x16, 0x03, 0x01, 0x02]))
    try:
        started = time.monotonic()
        _still_serves(tls_server, pki)
        # The handshake timeout (10 s) closes both; other connections were served meanwhile.
        assert _closed_by_server(silent, 20)
        assert _closed_by_server(partial, 5)
        assert 8 <= time.monotonic() - started <= 20
    finally:
        silent.close()
        partial.close()
    _still_serves(tls_server, pki)


# --- a second client language: Go -------------------------------------------------------------------------

GO_CLIENT = pathlib.Path(__file__).resolve().parent / "go" / "landlordclient" / "main.go"


@pytest.fixture(scope="session")
def go_client(tmp_path_factory):
    """The Go client (Tests/interop/go/landlordclient), built against Debian's grpc-go and stubs
    generated from proto/ with protoc-gen-go and protoc-gen-go-grpc: GOPATH mode, no modules, no
    network (GOPROXY=off)."""
    for tool in ("go", "protoc", "protoc-gen-go", "protoc-gen-go-grpc"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is missing: make deps installs the Go packages (golang-go, golang-google-grpc-dev, ...)")
    root = tmp_path_factory.mktemp("gopath")
    source = root / "src"
    (source / "landlordclient").mkdir(parents=True)
    shutil.copy(GO_CLIENT, source / "landlordclient" / "main.go")
    proto = pathlib.Path(__file__).resolve().parents[2] / "proto"
    subprocess.run(
        ["protoc", f"-I{proto}", f"--go_out={source}", f"--go-grpc_out={source}", str(proto / "landlord/compute/v1/compute.proto")],
        check=True, capture_output=True,
    )
    output = root / "landlordclient"
    environment = {
        **os.environ, "GOPATH": f"{root}:/usr/share/gocode", "GO111MODULE": "off", "GOPROXY": "off",
        "GOFLAGS": "", "GOCACHE": str(root / "cache"),
    }
    build = subprocess.run(
        ["go", "build", "-o", str(output), "."], cwd=source / "landlordclient", env=environment,
        capture_output=True, text=True, timeout=600,
    )
    assert build.returncode == 0, build.stderr
    return output


def run_go(go_client, server, pki, *methods, client="stranger", token=None, tenant=None):
    args = [str(go_client), "-addr", server.address, "-ca", str(pki["ca"])]
    if client:
        cert, key = pki["certs"][client]
        args += ["-cert", str(cert), "-key", str(key)]
    if tenant:
        args += ["-tenant", tenant]
    environment = {**os.environ, "LANDLORD_TOKEN": token or ""}
    result = subprocess.run([*args, *methods], capture_output=True, text=True, timeout=60, env=environment)
    return result


def test_go_client_over_mtls_with_a_token(go_client, mtls_server, pki):
    tenant = tenant_id("acme")
    result = run_go(
        go_client, mtls_server, pki, "ListProviders", "ProvisionTenant", "GetTenantStatus", "DestroyTenant",
        token=TOKENS["ops"], tenant=tenant,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[0] == "ListProviders OK mock"
    assert lines[1].startswith("ProvisionTenant OK ")
    assert lines[2].startswith("GetTenantStatus OK ")
    assert lines[3] == "DestroyTenant OK"
    mtls_server.wait_for_line(f"tenant_id={tenant} [LandlordCompute] audit: destroy tenant", contains=True)
    assert any("caller=ops" in line and tenant in line and "audit: destroy tenant" in line for line in mtls_server.lines)


def test_go_client_is_refused_as_the_contract_says(go_client, mtls_server, pki):
    # The portal token: an operator of acme-* and globex.
    result = run_go(go_client, mtls_server, pki, "GetTenantStatus", "DestroyTenant", token=TOKENS["portal"], tenant="initech")
    assert result.stdout.strip().splitlines() == [
        'GetTenantStatus PermissionDenied caller "portal" may not act on tenant "initech" (its tenants: acme-*, globex)',
        'DestroyTenant PermissionDenied caller "portal" has role operator; DestroyTenant needs admin',
    ]
    result = run_go(go_client, mtls_server, pki, "ListProviders", token="not-a-token")
    assert result.stdout.startswith("ListProviders Unauthenticated the bearer token is not one the auth policy knows")
    # Its certificate alone (billing's URI SAN): a viewer.
    result = run_go(go_client, mtls_server, pki, "ListProviders", "DestroyTenant", client="billing", tenant="acme-1")
    assert result.stdout.strip().splitlines()[0] == "ListProviders OK mock"
    assert result.stdout.strip().splitlines()[1].startswith("DestroyTenant PermissionDenied")
    # No client certificate: the handshake fails.
    result = run_go(go_client, mtls_server, pki, "ListProviders", client=None, token=TOKENS["ops"])
    assert result.returncode == 1
