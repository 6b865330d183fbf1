"""Tests of the fake Kubernetes API server (python3 -m pytest -q Tests/fakes/kubernetes).

Most requests go through raw HTTPS (urllib) so status codes and bodies are checked byte for byte;
a few go through the official `kubernetes` Python client, an independent implementation of the
same protocol, to show that a real client works against the fake unchanged."""
import copy
import http.client
import json
import os
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from fake_apiserver import FakeAPIServer, make_ca  # noqa: E402

TOKEN = "s3cret-token"
APPLY = "application/apply-patch+yaml"


@pytest.fixture(scope="session")
def ca(tmp_path_factory):
    return make_ca(str(tmp_path_factory.mktemp("ca")))


@pytest.fixture
def fake(ca):
    f = FakeAPIServer(ca["cert"], ca["key"], token=TOKEN, pod_start_seconds=0.1, pod_ready_seconds=0.1,
                      crash_interval_seconds=0.15, lb_ingress_seconds=0.2, namespace_termination_seconds=0.3,
                      progress_deadline_scale=0.005, bookmark_interval_seconds=0.3).start()
    yield f
    f.stop()


class Client:
    def __init__(self, fake, ca, token=TOKEN):
        self.base, self.token = fake.url, token
        self.ctx = ssl.create_default_context(cafile=ca["ca"])

    def req(self, method, path, body=None, ctype="application/json", token=None):
        data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
        h = {"Content-Type": ctype, "Accept": "application/json"}
        tok = self.token if token is None else token
        if tok:
            h["Authorization"] = f"Bearer {tok}"
        r = urllib.request.Request(self.base + path, data=data, method=method, headers=h)
        try:
            with urllib.request.urlopen(r, context=self.ctx, timeout=10) as resp:
                return resp.status, json.loads(resp.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read())

    def apply(self, path, obj, manager="landlord", force=True):
        q = f"?fieldManager={manager}" if manager else "?"
        if force:
            q += "&force=true"
        return self.req("PATCH", path + q, obj, APPLY)


@pytest.fixture
def c(fake, ca):
    return Client(fake, ca)


def ns_obj(name, **labels):
    return {"apiVersion": "v1", "kind": "Namespace",
            "metadata": {"name": name, "labels": {"app.kubernetes.io/managed-by": "landlord", **labels}}}


def deployment(name="web", image="nginx:1.25", replicas=1, **spec):
    d = {"apiVersion": "apps/v1", "kind": "Deployment",
         "metadata": {"name": name, "labels": {"app.kubernetes.io/managed-by": "landlord",
                                               "landlord.dev/tenant-id": "t1"}},
         "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                  "template": {"metadata": {"labels": {"app": name}},
                               "spec": {"containers": [{"name": "main", "image": image,
                                                        "ports": [{"containerPort": 8080}]}]}}}}
    d["spec"].update(spec)
    return d


def make_ns(c, name="landlord-t1"):
    code, _ = c.apply(f"/api/v1/namespaces/{name}", ns_obj(name))
    assert code == 201
    return name


DEP = "/apis/apps/v1/namespaces/landlord-t1/deployments"


def wait_deployment(fake, pred, timeout=8):
    return fake.wait_for(lambda: (lambda d: d if d and pred(d) else None)(fake.get("deployments", "landlord-t1",
                                                                                    "web")), timeout)


def is_status(body, code, reason):
    return body["kind"] == "Status" and body["apiVersion"] == "v1" and body["status"] == "Failure" and \
        body["code"] == code and body["reason"] == reason and body["message"]


# ------------------------------------------------------------------ auth, discovery, RBAC

def test_unauthorized_without_or_with_wrong_token(c):
    for tok in ("", "wrong"):
        code, body = c.req("GET", "/api/v1/namespaces", token=tok)
        assert code == 401 and is_status(body, 401, "Unauthorized")


def test_version_discovery_and_tls_verified(c, fake, ca):
    code, v = c.req("GET", "/version")
    assert code == 200 and v["major"] == "1" and int(v["minor"]) >= 30
    assert c.req("GET", "/api")[1]["versions"] == ["v1"]
    assert "apps" in [g["name"] for g in c.req("GET", "/apis")[1]["groups"]]
    # the certificate is for 127.0.0.1 and signed by the test CA only
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(fake.url + "/version", context=ssl.create_default_context(), timeout=5)


def test_keep_alive_serves_many_requests_on_one_connection(fake, ca):
    conn = http.client.HTTPSConnection("127.0.0.1", fake.port, context=ssl.create_default_context(cafile=ca["ca"]))
    for _ in range(5):
        conn.request("GET", "/version", headers={"Authorization": f"Bearer {TOKEN}"})
        r = conn.getresponse()
        assert r.status == 200 and json.loads(r.read())["major"] == "1"
    conn.close()


def test_forbidden_verbs_and_selfsubjectaccessreview(c, fake):
    fake.configure(forbidden=["delete:namespaces"])
    make_ns(c)
    code, body = c.req("DELETE", "/api/v1/namespaces/landlord-t1")
    assert code == 403 and is_status(body, 403, "Forbidden") and "cannot delete resource" in body["message"]
    ssar = {"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview",
            "spec": {"resourceAttributes": {"verb": "delete", "resource": "namespaces"}}}
    code, body = c.req("POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", ssar)
    assert code == 201 and body["status"]["allowed"] is False
    ssar["spec"]["resourceAttributes"]["verb"] = "list"
    assert c.req("POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", ssar)[1]["status"]["allowed"]


# ------------------------------------------------------------------ server-side apply

def test_apply_create_update_idempotent_and_generation(c):
    make_ns(c)
    code, d1 = c.apply(f"{DEP}/web", deployment())
    assert code == 201 and d1["metadata"]["generation"] == 1
    assert d1["metadata"]["managedFields"][0]["manager"] == "landlord"
    assert d1["metadata"]["managedFields"][0]["operation"] == "Apply"
    code, d2 = c.apply(f"{DEP}/web", deployment())
    assert code == 200 and d2["metadata"]["resourceVersion"] == d1["metadata"]["resourceVersion"]
    # a label change bumps resourceVersion but not generation
    dl = deployment()
    dl["metadata"]["labels"]["extra"] = "yes"
    code, d3 = c.apply(f"{DEP}/web", dl)
    assert code == 200 and int(d3["metadata"]["resourceVersion"]) > int(d1["metadata"]["resourceVersion"])
    assert d3["metadata"]["generation"] == 1
    # a spec change bumps both
    code, d4 = c.apply(f"{DEP}/web", dict(dl, spec=deployment(replicas=3)["spec"]))
    assert d4["metadata"]["generation"] == 2 and d4["spec"]["replicas"] == 3
    # YAML bodies are accepted too
    yml = b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  a: b\n"
    code, cm = c.req("PATCH", "/api/v1/namespaces/landlord-t1/configmaps/cfg?fieldManager=landlord", yml, APPLY)
    assert code == 201 and cm["data"] == {"a": "b"}


def test_apply_requires_field_manager_and_valid_body(c):
    make_ns(c)
    code, body = c.apply(f"{DEP}/web", deployment(), manager=None)
    assert code == 422 and is_status(body, 422, "Invalid") and body["details"]["causes"][0]["field"] == \
        "fieldManager"
    code, body = c.req("PATCH", f"{DEP}/web?fieldManager=landlord", b"{not json: [", APPLY)
    assert code == 400 and is_status(body, 400, "BadRequest")
    code, body = c.apply(f"{DEP}/other", deployment())  # name mismatch with the URL
    assert code == 400 and is_status(body, 400, "BadRequest")


def test_apply_conflict_with_another_manager_unless_forced(c):
    make_ns(c)
    c.apply(f"{DEP}/web", deployment(replicas=1), manager="kubectl", force=False)
    code, body = c.apply(f"{DEP}/web", deployment(replicas=4), force=False)
    assert code == 409 and is_status(body, 409, "Conflict") and body["details"]["causes"][0]["field"] == \
        ".spec.replicas"
    code, body = c.apply(f"{DEP}/web", deployment(replicas=4), force=True)
    assert code == 200 and body["spec"]["replicas"] == 4


def test_other_patch_types_are_415(c):
    make_ns(c)
    c.apply(f"{DEP}/web", deployment())
    for ct in ("application/json-patch+json", "text/plain", "application/strategic-merge-patch+json"):
        code, body = c.req("PATCH", f"{DEP}/web", b"[]", ct)
        assert code == 415 and is_status(body, 415, "UnsupportedMediaType")


# ------------------------------------------------------------------ validation

def test_schema_violation_is_422_with_causes(c):
    make_ns(c)
    d = deployment()
    d["spec"]["template"]["spec"]["containers"][0]["imagePullPolcy"] = "Always"  # typo: unknown field
    code, body = c.apply(f"{DEP}/web", d)
    assert code == 422 and is_status(body, 422, "Invalid")
    fields = [x["field"] for x in body["details"]["causes"]]
    assert "spec.template.spec.containers[0].imagePullPolcy" in fields
    d = deployment()
    d["spec"]["replicas"] = "two"
    code, body = c.apply(f"{DEP}/web", d)
    assert code == 422 and body["details"]["causes"][0]["field"] == "spec.replicas"


def test_liveness_success_threshold_must_be_one(c):
    make_ns(c)
    d = deployment()
    d["spec"]["template"]["spec"]["containers"][0]["livenessProbe"] = {
        "httpGet": {"path": "/healthz", "port": 8080}, "successThreshold": 2}
    code, body = c.apply(f"{DEP}/web", d)
    assert code == 422
    assert {"reason": "FieldValueInvalid", "message": "Invalid value: 2: must be 1",
            "field": "spec.template.spec.containers[0].livenessProbe.successThreshold"} in body["details"]["causes"]
    d["spec"]["template"]["spec"]["containers"][0]["readinessProbe"] = {"tcpSocket": {"port": 8080},
                                                                       "successThreshold": 2}
    d["spec"]["template"]["spec"]["containers"][0]["livenessProbe"]["successThreshold"] = 1
    assert c.apply(f"{DEP}/web", d)[0] == 201


def test_apiserver_rules(c):
    make_ns(c)
    d = deployment()
    d["spec"]["selector"] = {"matchLabels": {"app": "other"}}
    code, body = c.apply(f"{DEP}/web", d)
    assert code == 422 and body["details"]["causes"][0]["field"] == "spec.template.metadata.labels"
    d = deployment()
    d["spec"]["template"]["spec"]["containers"].append(copy.deepcopy(d["spec"]["template"]["spec"]["containers"][0]))
    d["metadata"]["labels"]["bad"] = "x" * 64
    code, body = c.apply(f"{DEP}/web", d)
    fields = {x["field"] for x in body["details"]["causes"]}
    assert code == 422 and {"spec.template.spec.containers[1].name", "metadata.labels"} <= fields
    code, body = c.apply("/api/v1/namespaces/Bad_Name", ns_obj("Bad_Name"))
    assert code == 422 and body["details"]["causes"][0]["field"] == "metadata.name"
    svc = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
           "spec": {"selector": {"app": "web"}, "ports": [{"name": "a", "port": 80}, {"name": "b", "port": 80}]}}
    code, body = c.apply("/api/v1/namespaces/landlord-t1/services/web", svc)
    assert code == 422 and body["details"]["causes"][0]["reason"] == "FieldValueDuplicate"
    sec = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "data": {"k": "not base64!"}}
    code, body = c.apply("/api/v1/namespaces/landlord-t1/secrets/s", sec)
    assert code == 422 and body["details"]["causes"][0]["field"] == "data[k]"
    assert "not base64" not in body["message"]  # secret contents are never echoed


# ------------------------------------------------------------------ create / update / list

def test_create_409_put_conflict_and_404(c):
    make_ns(c)
    code, created = c.req("POST", DEP, deployment())
    assert code == 201
    code, body = c.req("POST", DEP, deployment())
    assert code == 409 and is_status(body, 409, "AlreadyExists")
    stale = copy.deepcopy(created)
    created["spec"]["replicas"] = 2
    code, updated = c.req("PUT", f"{DEP}/web", created)
    assert code == 200 and updated["metadata"]["generation"] == 2
    stale["spec"]["replicas"] = 5
    code, body = c.req("PUT", f"{DEP}/web", stale)
    assert code == 409 and is_status(body, 409, "Conflict") and "has been modified" in body["message"]
    code, body = c.req("GET", f"{DEP}/nope")
    assert code == 404 and is_status(body, 404, "NotFound") and body["details"]["name"] == "nope"
    code, body = c.req("POST", "/apis/apps/v1/namespaces/missing/deployments", deployment())
    assert code == 404 and 'namespaces "missing" not found' in body["message"]


def test_pods_are_read_only(c):
    make_ns(c)
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
           "spec": {"containers": [{"name": "a", "image": "x"}]}}
    code, body = c.req("POST", "/api/v1/namespaces/landlord-t1/pods", pod)
    assert code == 405 and is_status(body, 405, "MethodNotAllowed")


def test_list_with_label_selectors_across_namespaces(c):
    for t in ("a", "b", "c"):
        c.apply(f"/api/v1/namespaces/landlord-{t}", ns_obj(f"landlord-{t}", tier=t))
        cm = {"apiVersion": "v1", "kind": "ConfigMap",
              "metadata": {"name": "cfg", "labels": {"app.kubernetes.io/managed-by": "landlord", "tier": t}}}
        if t == "c":
            cm["metadata"]["labels"]["special"] = "1"
        c.apply(f"/api/v1/namespaces/landlord-{t}/configmaps/cfg", cm)

    def names(sel):
        code, lst = c.req("GET", "/api/v1/configmaps?labelSelector=" + urllib.request.quote(sel))
        assert code == 200 and lst["kind"] == "ConfigMapList" and lst["metadata"]["resourceVersion"]
        return sorted(i["metadata"]["namespace"] for i in lst["items"])
    assert names("app.kubernetes.io/managed-by=landlord") == ["landlord-a", "landlord-b", "landlord-c"]
    assert names("tier!=a") == ["landlord-b", "landlord-c"]
    assert names("tier in (a,c)") == ["landlord-a", "landlord-c"]
    assert names("tier notin (a,c)") == ["landlord-b"]
    assert names("special") == ["landlord-c"]
    assert names("!special,app.kubernetes.io/managed-by==landlord") == ["landlord-a", "landlord-b"]
    code, lst = c.req("GET", "/api/v1/namespaces/landlord-b/configmaps")
    assert [i["metadata"]["name"] for i in lst["items"]] == ["cfg"] and "kind" not in lst["items"][0]
    code, page = c.req("GET", "/api/v1/configmaps?limit=2")
    assert len(page["items"]) == 2 and page["metadata"]["continue"]
    code, rest = c.req("GET", "/api/v1/configmaps?limit=2&continue=" + page["metadata"]["continue"])
    assert len(rest["items"]) == 1


# ------------------------------------------------------------------ watch

def read_events(fake, ca, path, n=None, until=None, timeout=5):
    conn = http.client.HTTPSConnection("127.0.0.1", fake.port, context=ssl.create_default_context(cafile=ca["ca"]),
                                       timeout=timeout)
    conn.request("GET", path, headers={"Authorization": f"Bearer {TOKEN}"})
    r = conn.getresponse()
    assert r.status == 200 and r.getheader("Transfer-Encoding") == "chunked"
    events = []
    while True:
        line = r.readline()
        if not line:
            break
        events.append(json.loads(line))
        if (n and len(events) >= n) or (until and until(events[-1])):
            break
    conn.close()
    return events


def test_watch_events_bookmark_and_410_after_compact(c, fake, ca):
    make_ns(c)
    code, lst = c.req("GET", "/api/v1/namespaces/landlord-t1/configmaps")
    rv = lst["metadata"]["resourceVersion"]
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg", "labels": {"w": "1"}}, "data": {}}
    c.apply("/api/v1/namespaces/landlord-t1/configmaps/cfg", cm)
    cm["data"] = {"k": "v"}
    c.apply("/api/v1/namespaces/landlord-t1/configmaps/cfg", cm)
    c.req("DELETE", "/api/v1/namespaces/landlord-t1/configmaps/cfg")
    ev = read_events(fake, ca, f"/api/v1/configmaps?watch=true&resourceVersion={rv}&allowWatchBookmarks=true"
                     "&labelSelector=w%3D1&timeoutSeconds=3", until=lambda e: e["type"] == "BOOKMARK")
    assert [e["type"] for e in ev] == ["ADDED", "MODIFIED", "DELETED", "BOOKMARK"]
    assert ev[1]["object"]["data"] == {"k": "v"} and ev[0]["object"]["kind"] == "ConfigMap"
    assert int(ev[3]["object"]["metadata"]["resourceVersion"]) >= int(ev[2]["object"]["metadata"]["resourceVersion"])
    # timeoutSeconds ends the stream cleanly
    t0 = time.time()
    last = ev[2]["object"]["metadata"]["resourceVersion"]
    assert read_events(fake, ca, f"/api/v1/configmaps?watch=1&resourceVersion={last}&timeoutSeconds=1") == []
    assert time.time() - t0 < 3
    # compaction: an old resourceVersion is gone
    code, _ = c.req("POST", "/_fake/compact")
    ev = read_events(fake, ca, f"/api/v1/configmaps?watch=true&resourceVersion={rv}", n=1)
    assert ev[0]["type"] == "ERROR" and ev[0]["object"]["code"] == 410 and ev[0]["object"]["reason"] == "Expired"


def test_watch_without_resource_version_starts_with_current_objects(c, fake, ca):
    make_ns(c)
    ev = read_events(fake, ca, "/api/v1/namespaces?watch=true&timeoutSeconds=2", n=1)
    assert ev[0]["type"] == "ADDED" and ev[0]["object"]["metadata"]["name"] == "landlord-t1"


def test_official_python_client_list_and_watch(fake, ca):
    kubernetes = pytest.importorskip("kubernetes")
    cfg = kubernetes.client.Configuration()
    cfg.host, cfg.ssl_ca_cert = fake.url, ca["ca"]
    cfg.api_key = {"authorization": f"Bearer {TOKEN}"}
    api = kubernetes.client.ApiClient(cfg)
    core, apps = kubernetes.client.CoreV1Api(api), kubernetes.client.AppsV1Api(api)
    core.create_namespace({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "landlord-t1"}})
    with pytest.raises(kubernetes.client.ApiException) as e:
        core.create_namespace({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "landlord-t1"}})
    assert e.value.status == 409
    apps.create_namespaced_deployment("landlord-t1", deployment())
    lst = apps.list_deployment_for_all_namespaces(label_selector="landlord.dev/tenant-id=t1")
    assert [d.metadata.name for d in lst.items] == ["web"]
    w = kubernetes.watch.Watch()
    seen = []
    for ev in w.stream(apps.list_namespaced_deployment, "landlord-t1", resource_version=lst.metadata.resource_version,
                       timeout_seconds=5):
        seen.append(ev["type"])
        if ev["object"].status and ev["object"].status.available_replicas == 1:
            w.stop()
    assert "MODIFIED" in seen


# ------------------------------------------------------------------ namespace deletion

def test_namespace_foreground_delete(c, fake):
    make_ns(c)
    c.apply(f"{DEP}/web", deployment())
    wait_deployment(fake, lambda d: (d.get("status") or {}).get("availableReplicas") == 1)
    code, body = c.req("DELETE", "/api/v1/namespaces/landlord-t1?propagationPolicy=Foreground",
                       {"kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": "Foreground"})
    assert code == 200 and body["status"]["phase"] == "Terminating" and body["metadata"]["deletionTimestamp"]
    code, body = c.apply("/api/v1/namespaces/landlord-t1/configmaps/x",
                         {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}})
    assert code == 403 and "being terminated" in body["message"]
    assert c.req("DELETE", "/api/v1/namespaces/landlord-t1")[0] == 200  # idempotent while terminating
    fake.wait_for(lambda: fake.get("namespaces", "", "landlord-t1") is None, 5)
    assert c.req("GET", "/api/v1/namespaces/landlord-t1")[0] == 404
    assert c.req("GET", "/api/v1/pods")[1]["items"] == []
    assert c.req("DELETE", "/api/v1/namespaces/landlord-t1")[0] == 404


# ------------------------------------------------------------------ simulated controller

def rollout_complete(d):
    """`kubectl rollout status` rules."""
    st = d.get("status") or {}
    want = d["spec"]["replicas"]
    return st.get("observedGeneration", 0) >= d["metadata"]["generation"] and \
        st.get("updatedReplicas", 0) == want and st.get("replicas", 0) == want and \
        st.get("availableReplicas", 0) == want


def progressing(d):
    return next((x for x in (d.get("status") or {}).get("conditions", []) if x["type"] == "Progressing"), {})


def test_healthy_rollout_and_rollback_revisions(c, fake):
    make_ns(c)
    c.apply(f"{DEP}/web", deployment(replicas=2))
    d = wait_deployment(fake, rollout_complete)
    assert progressing(d)["reason"] == "NewReplicaSetAvailable"
    assert d["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "1"
    pods = c.req("GET", "/api/v1/namespaces/landlord-t1/pods?labelSelector=app%3Dweb")[1]["items"]
    assert len(pods) == 2 and all(p["status"]["phase"] == "Running" for p in pods)
    assert all(p["status"]["containerStatuses"][0]["ready"] for p in pods)
    c.apply(f"{DEP}/web", deployment(replicas=2, image="nginx:1.26"))
    d = wait_deployment(fake, lambda d: rollout_complete(d) and d["metadata"]["generation"] == 2)
    assert d["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "2"
    rss = c.req("GET", "/apis/apps/v1/namespaces/landlord-t1/replicasets")[1]["items"]
    by_rev = {r["metadata"]["annotations"]["deployment.kubernetes.io/revision"]: r for r in rss}
    assert by_rev["1"]["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.25"
    assert by_rev["1"]["spec"]["replicas"] == 0 and by_rev["2"]["spec"]["replicas"] == 2
    assert by_rev["1"]["metadata"]["ownerReferences"][0]["name"] == "web"
    # rollback: re-apply revision 1's template; the old ReplicaSet becomes revision 3
    c.apply(f"{DEP}/web", deployment(replicas=2))
    d = wait_deployment(fake, lambda d: rollout_complete(d) and d["metadata"]["generation"] == 3)
    assert d["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "3"


def test_crashloop(c, fake):
    make_ns(c)
    c.apply(f"{DEP}/web", deployment(image="example/crashloop:1"))

    def crashing():
        pods = fake.objects("pods", "landlord-t1")
        cs = pods and (pods[0].get("status") or {}).get("containerStatuses")
        return cs and cs[0]["restartCount"] >= 2 and cs[0]
    cs = fake.wait_for(crashing, 5)
    assert cs["state"]["waiting"]["reason"] == "CrashLoopBackOff" and not cs["ready"]
    assert cs["lastState"]["terminated"]["exitCode"] == 1
    d = fake.get("deployments", "landlord-t1", "web")
    assert not rollout_complete(d)


def test_image_pull_failure_then_progress_deadline(c, fake):
    make_ns(c)
    c.apply(f"{DEP}/web", deployment(image="registry.example/does-not-exist:1", progressDeadlineSeconds=100))
    reasons = set()

    def backoff():
        for p in fake.objects("pods", "landlord-t1"):
            for cs in (p.get("status") or {}).get("containerStatuses", []):
                w = cs["state"].get("waiting", {})
                reasons.add(w.get("reason"))
                if w.get("reason") == "ImagePullBackOff":
                    return True
    fake.wait_for(backoff, 5, interval=0.01)
    assert "ErrImagePull" in reasons
    d = wait_deployment(fake, lambda d: progressing(d).get("reason") == "ProgressDeadlineExceeded")
    assert progressing(d)["status"] == "False" and "timed out progressing" in progressing(d)["message"]


def test_oom_and_badconfig(c, fake):
    make_ns(c)
    c.apply(f"{DEP}/web", deployment(image="example/oom:1"))
    d2 = deployment(name="cfg")
    d2["spec"]["template"]["spec"]["containers"][0]["env"] = [
        {"name": "DB", "valueFrom": {"secretKeyRef": {"name": "missing", "key": "url"}}}]
    c.apply(f"{DEP}/cfg", d2)

    def states():
        out = {}
        for p in fake.objects("pods", "landlord-t1"):
            for cs in (p.get("status") or {}).get("containerStatuses", []):
                out[p["metadata"]["labels"]["app"]] = cs
        return out if len(out) == 2 and out["web"].get("lastState") else None
    s = fake.wait_for(states, 5)
    assert s["web"]["lastState"]["terminated"]["reason"] == "OOMKilled"
    assert s["cfg"]["state"]["waiting"]["reason"] == "CreateContainerConfigError"
    assert 'secret "missing" not found' in s["cfg"]["state"]["waiting"]["message"]


def test_load_balancer_ingress(c, fake):
    make_ns(c)
    svc = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
           "spec": {"type": "LoadBalancer", "selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": 8080}]}}
    code, s = c.apply("/api/v1/namespaces/landlord-t1/services/web", svc)
    assert code == 201 and s["spec"]["clusterIP"] and s["spec"]["ports"][0]["nodePort"]
    assert not s["status"]["loadBalancer"]
    code, s2 = c.apply("/api/v1/namespaces/landlord-t1/services/web", svc)
    assert s2["metadata"]["resourceVersion"] == s["metadata"]["resourceVersion"]  # defaults do not churn
    s = fake.wait_for(lambda: (lambda o: o if o["status"]["loadBalancer"].get("ingress") else None)(
        fake.get("services", "landlord-t1", "web")), 5)
    assert s["status"]["loadBalancer"]["ingress"][0]["ip"].startswith("203.0.113.")


# ------------------------------------------------------------------ hooks and process mode

def test_stats_and_reset(c):
    c.req("POST", "/_fake/reset")
    make_ns(c)
    c.req("GET", "/api/v1/namespaces")
    c.req("GET", "/api/v1/namespaces")
    code, st = c.req("GET", "/_fake/stats")
    assert st["requests"] == {"patch namespaces": 1, "list namespaces": 2} and st["total"] == 3
    c.req("POST", "/_fake/reset")
    assert c.req("GET", "/_fake/stats")[1]["total"] == 0


def test_process_mode_ready_file_and_kubeconfig(ca, tmp_path):
    ready, kc = tmp_path / "ready.json", tmp_path / "kubeconfig"
    script = os.path.join(os.path.dirname(__file__), "fake_apiserver.py")
    p = subprocess.Popen([sys.executable, script, "--port", "0", "--cert", ca["cert"], "--key", ca["key"],
                          "--token", TOKEN, "--ready-file", str(ready), "--kubeconfig-out", str(kc), "--ca", ca["ca"]],
                         stdout=subprocess.PIPE, text=True)
    try:
        info = json.loads(p.stdout.readline())
        assert json.loads(ready.read_text()) == info
        cfg = json.loads(kc.read_text())
        assert cfg["clusters"][0]["cluster"]["server"] == info["url"]
        assert cfg["users"][0]["user"]["token"] == TOKEN
        ctx = ssl.create_default_context(cafile=ca["ca"])
        r = urllib.request.Request(info["url"] + "/version", headers={"Authorization": f"Bearer {TOKEN}"})
        with urllib.request.urlopen(r, context=ctx, timeout=5) as resp:
            assert resp.status == 200
    finally:
        p.terminate()
        p.wait(5)
