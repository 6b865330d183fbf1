"""Tests of the fake Nomad agent (python3 -m pytest -q Tests/fakes/nomad).

Most calls go through PyPI `python-nomad`, a client written against the real Nomad API by other
people, so the fake is held to what a real client sends and expects; a few use raw HTTP
(urllib) to check headers, status codes and bodies byte for byte."""
import json
import os
import sys
import threading
import time
import urllib.error
import urllib.request

import nomad
import nomad.api.exceptions as nomad_exceptions
import pytest

sys.path.insert(0, os.path.dirname(__file__))
from fake_nomad import FakeNomad, SECOND, make_certs  # noqa: E402

TOKEN = "fake-nomad-management-token"


@pytest.fixture
def fake():
    server = FakeNomad(token=TOKEN, alloc_start_seconds=0.05, healthy_seconds=0.05, crash_interval_seconds=0.05).start()
    yield server
    server.stop()


def client(fake, token=TOKEN, namespace=None):
    host, port = fake.server.server_address[:2]
    return nomad.Nomad(host=host, port=port, token=token, namespace=namespace, timeout=10)


def job(job_id="web", image="nginx:1.25", count=1, update=True, **extra):
    group = {
        "Name": "tenant", "Count": count,
        "Networks": [{"DynamicPorts": [{"Label": "http", "To": 80}]}],
        "RestartPolicy": {"Attempts": 2, "Interval": 1800 * SECOND, "Delay": 15 * SECOND, "Mode": "fail"},
        "Services": [{"Name": "web-http", "Provider": "nomad", "PortLabel": "http", "Checks": [
            {"Name": "web", "Type": "http", "Path": "/healthz", "Interval": 10 * SECOND, "Timeout": 2 * SECOND}]}],
        "Tasks": [{"Name": "web", "Driver": "docker", "Config": {"image": image, "ports": ["http"]},
                   "Resources": {"CPU": 256, "MemoryMB": 512}}],
    }
    if update:
        group["Update"] = {"MaxParallel": 1, "HealthCheck": "checks", "MinHealthyTime": 10 * SECOND,
                           "HealthyDeadline": 300 * SECOND, "ProgressDeadline": 600 * SECOND, "AutoRevert": True}
    return {"ID": job_id, "Name": job_id, "Type": "service", "Datacenters": ["dc1"], "TaskGroups": [group],
            "Meta": {"landlord_tenant_id": "acme"}, **extra}


def eventually(condition, timeout=10):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        assert time.monotonic() < deadline, "condition never held"
        time.sleep(0.02)


def raw(fake, method, path, body=None, token=TOKEN):
    request = urllib.request.Request(fake.url + path, method=method,
                                     data=None if body is None else json.dumps(body).encode())
    if token:
        request.add_header("X-Nomad-Token", token)
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def test_agent_self_and_token_self(fake):
    n = client(fake)
    agent = n.agent.get_agent()
    assert agent["config"]["Version"]["Version"] and agent["config"]["Region"] == "global"
    assert n.acl.get_self_token()["SecretID"] == TOKEN


def test_acls_reject_a_missing_or_wrong_token(fake):
    with pytest.raises(nomad_exceptions.URLNotAuthorizedNomadException):
        client(fake, token="wrong").jobs.get_jobs()
    status, _, text = raw(fake, "GET", "/v1/acl/token/self", token="wrong")
    assert (status, text) == (403, "ACL token not found")
    status, _, text = raw(fake, "GET", "/v1/jobs", token=None)
    assert (status, text) == (403, "Permission denied")


def test_token_self_with_acls_disabled_is_400():
    server = FakeNomad(token=None).start()
    try:
        status, _, text = raw(server, "GET", "/v1/acl/token/self", token=None)
        assert (status, text) == (400, "ACL support disabled")
    finally:
        server.stop()


def test_register_schedules_allocations_and_a_successful_deployment(fake):
    n = client(fake)
    reply = n.jobs.register_job({"Job": job()})
    assert reply["EvalID"] and reply["JobModifyIndex"] > 0
    stored = n.job.get_job("web")
    assert stored["Version"] == 0 and stored["Priority"] == 50 and stored["Namespace"] == "default"
    assert stored["Meta"] == {"landlord_tenant_id": "acme"}
    deployment = eventually(lambda: (d := n.job.get_deployment("web")) and d["Status"] == "successful" and d)
    assert deployment["StatusDescription"] == "Deployment completed successfully"
    assert deployment["TaskGroups"]["tenant"]["HealthyAllocs"] == 1
    allocs = n.job.get_allocations("web")
    assert [a["ClientStatus"] for a in allocs] == ["running"]
    assert allocs[0]["TaskStates"]["web"]["State"] == "running"
    assert allocs[0]["DeploymentStatus"]["Healthy"] is True
    assert "AllocatedResources" not in allocs[0]
    assert n.job.get_job("web")["Stable"] is True


def test_allocations_with_resources_carry_the_ports(fake):
    n = client(fake)
    n.jobs.register_job({"Job": job()})
    eventually(lambda: n.job.get_allocations("web"))
    status, _, text = raw(fake, "GET", "/v1/job/web/allocations?resources=true")
    ports = json.loads(text)[0]["AllocatedResources"]["Shared"]["Ports"]
    assert ports[0]["Label"] == "http" and ports[0]["To"] == 80 and ports[0]["Value"] >= 20000


def test_enforce_index_conflicts_are_the_servers_messages(fake):
    n = client(fake)
    first = n.jobs.register_job({"Job": job(), "EnforceIndex": True, "JobModifyIndex": 0})
    with pytest.raises(nomad_exceptions.BaseNomadException) as error:
        n.jobs.register_job({"Job": job(image="nginx:1.27"), "EnforceIndex": True, "JobModifyIndex": 0})
    assert error.value.nomad_resp.status_code == 500
    assert error.value.nomad_resp.text == "Enforcing job modify index 0: job already exists"
    with pytest.raises(nomad_exceptions.BaseNomadException) as error:
        n.jobs.register_job({"Job": job(image="nginx:1.27"), "EnforceIndex": True, "JobModifyIndex": 3})
    assert error.value.nomad_resp.text == (
        f"Enforcing job modify index 3: job exists with conflicting job modify index: {first['JobModifyIndex']}")
    second = n.job.register_job("web", {"Job": job(image="nginx:1.27"), "EnforceIndex": True,
                                        "JobModifyIndex": first["JobModifyIndex"]})
    assert second["JobModifyIndex"] > first["JobModifyIndex"]
    assert n.job.get_job("web")["Version"] == 1
    with pytest.raises(nomad_exceptions.BaseNomadException) as error:
        n.jobs.register_job({"Job": job("other"), "EnforceIndex": True, "JobModifyIndex": 7})
    assert error.value.nomad_resp.text == "Enforcing job modify index 7: job does not exist"


def test_invalid_jobs_are_rejected_with_multierror_text(fake):
    n = client(fake)
    bad = job()
    bad["TaskGroups"][0]["Tasks"][0]["Driver"] = ""
    bad["TaskGroups"][0]["Tasks"][0]["Resources"]["MemoryMB"] = 5
    with pytest.raises(nomad_exceptions.BaseNomadException) as error:
        n.jobs.register_job({"Job": bad})
    text = error.value.nomad_resp.text
    assert error.value.nomad_resp.status_code == 500
    assert text.startswith("1 error occurred:\n\t* Task group tenant validation failed: ")
    assert "Missing task driver" in text and "minimum MemoryMB value is 10; got 5" in text
    for mutate, message in [
        (lambda j: j.update(Priority=101), "job priority must be between [1, 100]"),
        (lambda j: j["TaskGroups"][0]["Services"][0]["Checks"][0].update(Type="script"),
         'invalid check type ("script"), must be one of http, tcp'),
        (lambda j: j["TaskGroups"][0]["Services"][0].update(PortLabel="nope"), 'port label "nope" referenced by services web-http does not exist'),
        (lambda j: j["TaskGroups"][0]["Update"].update(MinHealthyTime=400 * SECOND),
         "Minimum healthy time must be less than healthy deadline: 6m40s > 5m0s"),
        (lambda j: j["TaskGroups"][0]["Services"].append(dict(j["TaskGroups"][0]["Services"][0])),
         'service "web-http" is duplicate'),
        (lambda j: j.update(Constraints=[{"LTarget": "${node.class}", "RTarget": "x", "Operand": "~"}]),
         'Unknown constraint type "~"'),
    ]:
        candidate = job()
        mutate(candidate)
        with pytest.raises(nomad_exceptions.BaseNomadException) as error:
            n.jobs.register_job({"Job": candidate})
        assert message in error.value.nomad_resp.text
    assert raw(fake, "POST", "/v1/jobs", body=None)[0] == 400


def test_plan_with_diff(fake):
    n = client(fake)
    added = n.job.plan_job("web", {"Job": job()}, diff=True)
    assert added["Diff"]["Type"] == "Added" and added["JobModifyIndex"] == 0
    n.jobs.register_job({"Job": job()})
    same = n.job.plan_job("web", {"Job": job()}, diff=True)
    assert same["Diff"]["Type"] == "None"
    changed = n.job.plan_job("web", {"Job": job(image="nginx:1.27")}, diff=True)
    assert changed["Diff"]["Type"] == "Edited"
    task = changed["Diff"]["TaskGroups"][0]["Tasks"][0]
    assert {"Type": "Edited", "Name": "Config.image", "Old": "nginx:1.25", "New": "nginx:1.27",
            "Annotations": None} in task["Fields"]
    assert n.job.get_job("web")["Version"] == 0, "a plan changes nothing"


def test_a_crash_looping_task_fails_its_allocation_and_the_deployment(fake):
    n = client(fake)
    n.jobs.register_job({"Job": job(image="example.com/crashloop:1")})
    deployment = eventually(lambda: (d := n.job.get_deployment("web")) and d["Status"] == "failed" and d)
    assert deployment["StatusDescription"].startswith("Failed due to unhealthy allocations")
    alloc = n.job.get_allocations("web")[0]
    state = alloc["TaskStates"]["web"]
    assert alloc["ClientStatus"] == "failed" and state["State"] == "dead" and state["Failed"] is True
    assert state["Restarts"] == 2
    assert [e["Type"] for e in state["Events"]].count("Terminated") == 3
    assert state["Events"][-1]["Type"] == "Not Restarting"
    assert alloc["DeploymentStatus"]["Healthy"] is False


def test_the_crash_hook_makes_a_running_task_crash(fake):
    n = client(fake)
    n.jobs.register_job({"Job": job()})
    eventually(lambda: n.job.get_allocations("web")[0]["ClientStatus"] == "running")
    raw(fake, "POST", "/_fake/crash", body={"Job": "web", "Task": "web"}, token=None)
    alloc = eventually(lambda: (a := n.job.get_allocations("web")[0]) and a["ClientStatus"] == "failed" and a)
    assert alloc["TaskStates"]["web"]["Restarts"] == 2


def test_blocking_queries_wait_for_a_change(fake):
    n = client(fake)
    n.jobs.register_job({"Job": job()})
    eventually(lambda: (d := n.job.get_deployment("web")) and d["Status"] == "successful")
    status, headers, _ = raw(fake, "GET", "/v1/job/web/allocations")
    index = int(headers["X-Nomad-Index"])
    started = time.monotonic()
    status, headers, _ = raw(fake, "GET", f"/v1/job/web/allocations?index={index}&wait=1s")
    assert status == 200 and time.monotonic() - started >= 0.9, "nothing changed: the query must block until wait"
    assert int(headers["X-Nomad-Index"]) == index

    answered = {}

    def watch():
        answered["at"] = time.monotonic()
        answered["reply"] = raw(fake, "GET", f"/v1/job/web/allocations?index={index}&wait=30s")
        answered["done"] = time.monotonic()
    thread = threading.Thread(target=watch)
    thread.start()
    time.sleep(0.3)
    n.jobs.register_job({"Job": job(image="nginx:1.27")})
    thread.join(10)
    assert answered["done"] - answered["at"] < 10
    assert int(answered["reply"][1]["X-Nomad-Index"]) > index


def test_variables_with_check_and_set(fake):
    n = client(fake)
    created = n.variable.create_variable("nomad/jobs/web", {"Items": {"db": "s3cret"}}, cas=0)
    assert created["Items"] == {"db": "s3cret"} and created["ModifyIndex"] > 0
    with pytest.raises(nomad_exceptions.VariableConflict):
        n.variable.create_variable("nomad/jobs/web", {"Items": {"db": "other"}}, cas=0)
    updated = n.variable.create_variable("nomad/jobs/web", {"Items": {"db": "new"}}, cas=created["ModifyIndex"])
    assert n.variable.get_variable("nomad/jobs/web")["Items"] == {"db": "new"}
    assert updated["ModifyIndex"] > created["ModifyIndex"]
    n.variable.delete_variable("nomad/jobs/web")
    with pytest.raises(nomad_exceptions.URLNotFoundNomadException):
        n.variable.get_variable("nomad/jobs/web")


def test_deregister_with_purge_removes_everything_and_is_idempotent(fake):
    n = client(fake)
    n.jobs.register_job({"Job": job()})
    eventually(lambda: n.job.get_allocations("web"))
    n.job.deregister_job("web", purge=True)
    with pytest.raises(nomad_exceptions.URLNotFoundNomadException):
        n.job.get_job("web")
    assert raw(fake, "GET", "/v1/job/web/allocations")[2] == "[]"
    n.job.deregister_job("web", purge=True)


def test_deregister_without_purge_stops_the_job(fake):
    n = client(fake)
    n.jobs.register_job({"Job": job()})
    n.job.deregister_job("web")
    stored = n.job.get_job("web")
    assert stored["Stop"] is True and stored["Status"] == "dead"


def test_namespaces_and_regions(fake):
    n = client(fake, namespace="team-a")
    n.jobs.register_job({"Job": job()})
    assert n.job.get_job("web", namespace="team-a")["Namespace"] == "team-a"
    with pytest.raises(nomad_exceptions.URLNotFoundNomadException):
        client(fake).job.get_job("web")
    status, _, text = raw(fake, "GET", "/v1/jobs?region=elsewhere")
    assert (status, text) == (500, "No path to region: elsewhere")


def test_jobs_list_with_prefix_and_meta(fake):
    n = client(fake)
    n.jobs.register_job({"Job": job("landlord-acme")})
    n.jobs.register_job({"Job": job("other")})
    status, _, text = raw(fake, "GET", "/v1/jobs?prefix=landlord-&meta=true")
    stubs = json.loads(text)
    assert [s["ID"] for s in stubs] == ["landlord-acme"] and stubs[0]["Meta"] == {"landlord_tenant_id": "acme"}


def test_mutual_tls(tmp_path):
    paths = make_certs(str(tmp_path))
    server = FakeNomad(token=TOKEN, certfile=paths["cert"], keyfile=paths["key"], cafile=paths["ca"]).start()
    try:
        host, port = server.server.server_address[:2]
        n = nomad.Nomad(host=host, port=port, secure=True, token=TOKEN, verify=paths["ca"],
                        cert=(paths["client_cert"], paths["client_key"]), timeout=10)
        assert n.agent.get_agent()["config"]["Region"] == "global"
        without_cert = nomad.Nomad(host=host, port=port, secure=True, token=TOKEN, verify=paths["ca"], timeout=10)
        with pytest.raises(nomad_exceptions.BaseNomadException):
            without_cert.agent.get_agent()
    finally:
        server.stop()


def test_a_failed_deployment_with_auto_revert_registers_the_stable_version_again(fake):
    n = client(fake)
    n.jobs.register_job({"Job": job()})
    eventually(lambda: n.job.get_job("web")["Stable"])
    n.jobs.register_job({"Job": job(image="example.com/crashloop:2")})
    reverted = eventually(lambda: (j := n.job.get_job("web"))["Version"] == 2 and j)
    assert reverted["TaskGroups"][0]["Tasks"][0]["Config"]["image"] == "nginx:1.25"
    deployments = n.job.get_deployments("web")
    assert deployments[1]["Status"] == "failed"
    assert deployments[1]["StatusDescription"] == "Failed due to unhealthy allocations - rolling back to job version 0"
    latest = eventually(lambda: (d := n.job.get_deployment("web")) and d["JobVersion"] == 2 and d["Status"] == "successful" and d)
    assert latest["TaskGroups"]["tenant"]["HealthyAllocs"] == 1
    assert [v["Version"] for v in n.job.get_versions("web")["Versions"]] == [2, 1, 0]


def test_driver_config_is_checked_on_the_client_not_the_server(fake):
    n = client(fake)
    no_image = job()
    del no_image["TaskGroups"][0]["Tasks"][0]["Config"]["image"]
    n.jobs.register_job({"Job": no_image})
    alloc = eventually(lambda: (a := n.job.get_allocations("web")) and a[0]["ClientStatus"] == "failed" and a[0])
    assert alloc["TaskStates"]["web"]["Events"][-1]["Type"] == "Failed Validation"


def test_template_destinations(fake):
    n = client(fake)
    for dest, accepted in (("secrets/app.env", True), ("/local/app.env", True), ("../../etc/passwd", False)):
        candidate = job()
        candidate["TaskGroups"][0]["Tasks"][0]["Templates"] = [{"EmbeddedTmpl": "x", "DestPath": dest}]
        if accepted:
            n.jobs.register_job({"Job": candidate})
        else:
            with pytest.raises(nomad_exceptions.BaseNomadException) as error:
                n.jobs.register_job({"Job": candidate})
            assert "destination escapes allocation directory" in error.value.nomad_resp.text
