"""A fake Nomad agent (HTTP API) for the tests of landlord's `nomad` provider.

Written from Nomad's documented HTTP API (developer.hashicorp.com/nomad/api-docs) and the field
names of its Go API package (`api/jobs.go`, `api/tasks.go`, `api/allocations.go`,
`api/deployments.go`): PascalCase JSON, durations in nanoseconds, `X-Nomad-Index` on every read,
blocking queries (`?index=N&wait=5s`), `EnforceIndex`/`JobModifyIndex` on register, job plan with
diff, Nomad Variables with check-and-set, ACL tokens (`X-Nomad-Token`), and a simulated
scheduler and client that move allocations through pending -> running (or a crash loop ->
failed) and deployments through running -> successful/failed.

It is no Nomad: one region, one node, one datacenter (`dc1`), no evaluation broker; but what it
accepts and rejects follows the real server (job validation errors are the multierror text a
real server answers with status 500; an EnforceIndex conflict is `Enforcing job modify index N:
...`). `Tests/fakes/nomad/test_fake_nomad.py` checks it with an independent client
(PyPI `python-nomad`).

Test hooks (no token needed), under `/_fake/`:
- `POST /_fake/crash` `{"Job": id, "Task": name}`: the task crash-loops from its next start (as
  does any task whose image contains `crashloop`);
- `GET /_fake/stats`: requests by `METHOD /path-pattern`, and the total;
- `POST /_fake/reset`: clears the counters.

Run: `python3 fake_nomad.py --port 0 --ready-file /tmp/ready.json [--token T] [--cert C --key K]`.
"""
import argparse
import copy
import json
import os
import re
import ssl
import subprocess
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlparse

SECOND = 1_000_000_000
VERSION = "1.9.3"
NODE_IP = "10.0.0.10"
CHECK_OPERANDS = {"=", "==", "is", "!=", "not", ">", ">=", "<", "<=", "regexp", "set_contains",
                  "set_contains_all", "set_contains_any", "version", "semver", "is_set", "is_not_set",
                  "distinct_hosts", "distinct_property"}
SERVICE_NAME = re.compile(r"^(?i:[a-z0-9]|[a-z0-9][a-z0-9\-]{0,61}[a-z0-9])$")
MAX_WAIT = 10 * 60


class NomadError(Exception):
    """An answer other than 200: status and the plain-text body Nomad writes."""

    def __init__(self, status, text):
        super().__init__(text)
        self.status = status
        self.text = text


def multierror(errors):
    """Go's hashicorp/go-multierror text, as a Nomad server prints validation errors."""
    if len(errors) == 1:
        head = "1 error occurred:"
    else:
        head = f"{len(errors)} errors occurred:"
    return head + "".join(f"\n\t* {e}" for e in errors) + "\n\n"


def now_ns():
    return time.time_ns()


# MARK: - job validation (nomad/structs: Job.Validate, TaskGroup.Validate, Task.Validate, ...)

def validate_job(job, max_priority=100):
    errs = []
    if not job.get("ID"):
        errs.append("Missing job ID")
    elif " " in job["ID"]:
        errs.append("Job ID contains a space")
    elif "\x00" in job["ID"]:
        errs.append("Job ID contains a null character")
    if not job.get("Name"):
        errs.append("Missing job name")
    if job.get("Type") not in ("service", "batch", "system", "sysbatch"):
        errs.append(f"Invalid job type: {job.get('Type')!r}")
    if not (1 <= int(job.get("Priority", 0)) <= max_priority):
        errs.append(f"job priority must be between [1, {max_priority}]")
    if not job.get("Datacenters"):
        errs.append("Missing job datacenters")
    for c in job.get("Constraints") or []:
        errs += constraint_errors(c)
    groups = job.get("TaskGroups") or []
    if not groups:
        errs.append("Missing job task groups")
    seen = set()
    for i, g in enumerate(groups):
        name = g.get("Name") or ""
        if not name:
            errs.append(f"Job task group {i + 1} missing name")
        elif name in seen:
            errs.append(f"Job task group {i + 1} redefines '{name}' from group {list(seen).index(name) + 1}")
        seen.add(name)
        gerrs = group_errors(g, job)
        if gerrs:
            errs.append(f"Task group {name} validation failed: " + multierror(gerrs).rstrip("\n"))
    return errs


def constraint_errors(c):
    op = c.get("Operand") or "="
    if op not in CHECK_OPERANDS:
        return [f'Unknown constraint type "{op}"']
    if op in ("regexp",):
        try:
            re.compile(c.get("RTarget", ""))
        except re.error as e:
            return [f"Regular expression failed to compile: {e}"]
    if op not in ("distinct_hosts", "distinct_property", "is_set", "is_not_set") and not c.get("LTarget") and not c.get("RTarget"):
        return ["No LTarget or RTarget provided"]
    return []


def duration(v):
    return int(v or 0)


def group_errors(g, job):
    errs = []
    if int(g.get("Count", 0)) < 0:
        errs.append("Task group count can't be negative")
    ports = set()
    for n in g.get("Networks") or []:
        for p in (n.get("ReservedPorts") or []) + (n.get("DynamicPorts") or []):
            label = p.get("Label", "")
            if not label:
                errs.append("Port label cannot be empty")
            if label in ports:
                errs.append(f"Port label {label} already in use by {g.get('Name')}")
            ports.add(label)
            if p in (n.get("ReservedPorts") or []) and not (0 < int(p.get("Value", 0)) <= 65535):
                errs.append(f"Port {label!r} has an invalid static port {p.get('Value')}")
            if not (0 <= int(p.get("To", 0)) <= 65535):
                errs.append(f"Port {label!r} has an invalid To value {p.get('To')}")
    rp = g.get("RestartPolicy")
    if rp:
        if rp.get("Mode") not in ("delay", "fail"):
            errs.append(f"Unsupported restart mode: {rp.get('Mode')!r}")
        if int(rp.get("Attempts", 0)) < 0:
            errs.append("Restart policy attempts can't be negative")
    up = g.get("Update")
    if up and job.get("Type") == "service":
        if up.get("HealthCheck") not in ("checks", "task_states", "manual"):
            errs.append(f"Invalid health check given: {up.get('HealthCheck')!r}")
        if int(up.get("MaxParallel", 0)) < 0:
            errs.append("Max parallel can not be less than zero")
        mht, hd, pd = duration(up.get("MinHealthyTime")), duration(up.get("HealthyDeadline")), duration(up.get("ProgressDeadline"))
        if hd <= 0:
            errs.append("Healthy deadline must be greater than zero")
        if mht >= hd:
            errs.append(f"Minimum healthy time must be less than healthy deadline: {go_duration(mht)} > {go_duration(hd)}")
        if pd != 0 and hd >= pd:
            errs.append(f"Healthy deadline must be less than progress deadline: {go_duration(hd)} > {go_duration(pd)}")
    known = set()
    for s in (g.get("Services") or []) + [s for t in g.get("Tasks") or [] for s in t.get("Services") or []]:
        key = s.get("Name", "") + s.get("PortLabel", "")
        if key in known:
            errs.append(f'service "{s.get("Name", "")}" is duplicate')
        known.add(key)
        checks = set()
        for c in s.get("Checks") or []:
            if c.get("Name", "") in checks:
                errs.append(f'check "{c.get("Name", "")}" is duplicate')
            checks.add(c.get("Name", ""))
    for s in g.get("Services") or []:
        errs += service_errors(s, ports, "group")
    tasks = g.get("Tasks") or []
    if not tasks:
        errs.append("Missing tasks for task group")
    names = set()
    for i, t in enumerate(tasks):
        name = t.get("Name") or ""
        if name in names:
            errs.append(f"Task {i + 1} redefines '{name}' from task {i}")
        names.add(name)
        terrs = task_errors(t, ports)
        if terrs:
            errs.append(f"Task {name} validation failed: " + multierror(terrs).rstrip("\n"))
    return errs


def service_errors(s, ports, where):
    errs = []
    name = s.get("Name", "")
    if not SERVICE_NAME.match(name):
        errs.append(f"Service name must be valid per RFC 1123 and can contain only alphanumeric characters or dashes: {name!r}")
    provider = s.get("Provider") or "consul"
    if provider not in ("consul", "nomad"):
        errs.append(f"Service provider must be one of 'consul' or 'nomad'; got {provider!r}")
    label = s.get("PortLabel", "")
    if label and not label.isdigit() and label not in ports:
        errs.append(f'port label "{label}" referenced by services {name} does not exist')
    for c in s.get("Checks") or []:
        ctype = c.get("Type", "")
        if provider == "nomad" and ctype not in ("http", "tcp"):
            errs.append(f"Check {c.get('Name', '')} invalid: invalid check type (\"{ctype.lower()}\"), must be one of http, tcp")
            continue
        if ctype not in ("http", "tcp", "script", "grpc"):
            errs.append(f"Check {c.get('Name', '')} invalid: invalid type ({ctype})")
        if duration(c.get("Interval")) == 0:
            errs.append(f"Check {c.get('Name', '')} invalid: missing required value interval. Interval cannot be less than 1s")
        elif duration(c.get("Interval")) < SECOND:
            errs.append(f"Check {c.get('Name', '')} invalid: interval ({go_duration(duration(c.get('Interval')))}) cannot be lower than 1s")
        if duration(c.get("Timeout")) == 0:
            errs.append(f"Check {c.get('Name', '')} invalid: missing required value timeout. Timeout cannot be less than 1s")
        elif duration(c.get("Timeout")) < SECOND:
            errs.append(f"Check {c.get('Name', '')} invalid: timeout ({go_duration(duration(c.get('Timeout')))}) is lower than required minimum timeout 1s")
        if ctype == "http" and not c.get("Path"):
            errs.append(f"Check {c.get('Name', '')} invalid: http type must have http path")
        clabel = c.get("PortLabel") or label
        if clabel and not clabel.isdigit() and clabel not in ports:
            errs.append(f"Check {c.get('Name', '')} invalid: port label {clabel!r} does not exist")
    return errs


def task_errors(t, ports):
    errs = []
    if not t.get("Name"):
        errs.append("Missing task name")
    elif "/" in t["Name"]:
        errs.append("Task name cannot include slashes")
    if not t.get("Driver"):
        errs.append("Missing task driver")
    r = t.get("Resources") or {}
    if int(r.get("CPU", 0) or 0) < 1 and int(r.get("Cores", 0) or 0) < 1:
        errs.append(f"minimum CPU value is 1; got {int(r.get('CPU', 0) or 0)}")
    if int(r.get("MemoryMB", 0) or 0) < 10:
        errs.append(f"minimum MemoryMB value is 10; got {int(r.get('MemoryMB', 0) or 0)}")
    for tmpl in t.get("Templates") or []:
        dest = tmpl.get("DestPath", "")
        if not dest:
            errs.append("Template 1 validation failed: Must specify a destination for the template")
        elif escapes_task_dir(dest):
            errs.append("Template 1 validation failed: destination escapes allocation directory")
        if tmpl.get("ChangeMode", "restart") not in ("noop", "restart", "signal", "script"):
            errs.append(f"Template 1 validation failed: Unsupported change mode {tmpl.get('ChangeMode')!r}")
    for s in t.get("Services") or []:
        errs += service_errors(s, ports, "task")
    return errs


def go_duration(ns):
    """Nanoseconds as Go's time.Duration prints them: 500ms, 2s, 5m0s, 1h0m0s."""
    if ns == 0:
        return "0s"
    if ns < SECOND:
        return f"{ns // 1_000_000}ms" if ns % 1_000_000 == 0 else f"{ns}ns"
    seconds = ns / SECOND
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    frac = seconds - int(seconds)
    sec_text = f"{secs + frac:g}s"
    if hours:
        return f"{hours}h{minutes}m{sec_text}"
    if minutes:
        return f"{minutes}m{sec_text}"
    return sec_text


def escapes_task_dir(dest):
    """Whether a template's destination, relative to the task directory, leaves the allocation
    directory (escapingfs.PathEscapesAllocViaRelative("task", dest))."""
    depth = 1  # inside <alloc>/task
    for part in dest.split("/"):
        if part in ("", "."):
            continue
        depth += -1 if part == ".." else 1
        if depth < 0:
            return True
    return False


def canonicalize(job, namespace, region):
    """The defaults the Go API's Canonicalize and the server fill in."""
    job = copy.deepcopy(job)
    job.setdefault("Name", job.get("ID", ""))
    job.setdefault("Type", "service")
    job["Type"] = job["Type"] or "service"
    job["Namespace"] = job.get("Namespace") or namespace
    job["Region"] = job.get("Region") or region
    if not job.get("Priority"):
        job["Priority"] = 50
    if not job.get("Datacenters"):
        job["Datacenters"] = ["*"]
    job["NodePool"] = job.get("NodePool") or "default"
    job.setdefault("Meta", None)
    for g in job.get("TaskGroups") or []:
        if g.get("Count") is None:
            g["Count"] = 1
        for t in g.get("Tasks") or []:
            t.setdefault("Resources", {"CPU": 100, "MemoryMB": 300})
    return job


# MARK: - plan diff (nomad/structs/diff.go, flattened: fields of the job, groups and tasks)

def flatten(value, prefix=""):
    out = {}
    if isinstance(value, dict):
        for k, v in value.items():
            out.update(flatten(v, f"{prefix}.{k}" if prefix else k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out.update(flatten(v, f"{prefix}[{i}]"))
    elif value is not None:
        out[prefix] = value if isinstance(value, str) else json.dumps(value)
    return out


SERVER_FIELDS = {"Status", "StatusDescription", "Stable", "Version", "SubmitTime", "CreateIndex",
                 "ModifyIndex", "JobModifyIndex", "Stop"}


def field_diffs(old, new):
    fo, fn = flatten(old or {}), flatten(new or {})
    diffs = []
    for name in sorted(set(fo) | set(fn)):
        o, n = fo.get(name, ""), fn.get(name, "")
        if o == n:
            continue
        typ = "Added" if name not in fo else "Deleted" if name not in fn else "Edited"
        diffs.append({"Type": typ, "Name": name, "Old": o, "New": n, "Annotations": None})
    return diffs


def job_diff(old, new):
    if old is None:
        return {"Type": "Added", "ID": new["ID"], "Fields": field_diffs(None, strip(new)), "Objects": None, "TaskGroups": []}
    top_old = {k: v for k, v in strip(old).items() if k != "TaskGroups"}
    top_new = {k: v for k, v in strip(new).items() if k != "TaskGroups"}
    fields = field_diffs(top_old, top_new)
    groups = []
    og = {g["Name"]: g for g in old.get("TaskGroups") or []}
    ng = {g["Name"]: g for g in new.get("TaskGroups") or []}
    for name in sorted(set(og) | set(ng)):
        o, n = og.get(name), ng.get(name)
        gfields = field_diffs({k: v for k, v in (o or {}).items() if k != "Tasks"},
                              {k: v for k, v in (n or {}).items() if k != "Tasks"})
        ot = {t["Name"]: t for t in (o or {}).get("Tasks") or []}
        nt = {t["Name"]: t for t in (n or {}).get("Tasks") or []}
        tasks = []
        for tname in sorted(set(ot) | set(nt)):
            tf = field_diffs(ot.get(tname), nt.get(tname))
            ttype = "Added" if tname not in ot else "Deleted" if tname not in nt else ("Edited" if tf else "None")
            tasks.append({"Type": ttype, "Name": tname, "Fields": tf, "Objects": None, "Annotations": None})
        gtype = "Added" if o is None else "Deleted" if n is None else (
            "Edited" if gfields or any(t["Type"] != "None" for t in tasks) else "None")
        groups.append({"Type": gtype, "Name": name, "Fields": gfields, "Objects": None, "Tasks": tasks, "Updates": None})
    typ = "Edited" if fields or any(g["Type"] != "None" for g in groups) else "None"
    return {"Type": typ, "ID": new["ID"], "Fields": fields, "Objects": None, "TaskGroups": groups}


def strip(job):
    return {k: v for k, v in job.items() if k not in SERVER_FIELDS}


# MARK: - the agent

class FakeNomad:
    def __init__(self, host="127.0.0.1", port=0, token=None, certfile=None, keyfile=None, cafile=None,
                 alloc_start_seconds=0.2, healthy_seconds=0.2, crash_interval_seconds=0.2,
                 region="global", max_wait_seconds=MAX_WAIT, version=VERSION):
        self.lock = threading.Condition()
        self.index = 10
        self.token = token
        self.region = region
        self.version = version
        self.alloc_start = alloc_start_seconds
        self.healthy_after = healthy_seconds
        self.crash_interval = crash_interval_seconds
        self.max_wait = max_wait_seconds
        self.jobs = {}          # (ns, id) -> job (current version)
        self.versions = {}      # (ns, id) -> [job, ...] oldest first
        self.allocs = {}        # id -> alloc
        self.deployments = {}   # id -> deployment
        self.variables = {}     # (ns, path) -> variable
        self.crashing = set()   # (job id, task name)
        self.stats = {}
        self.requests = []      # (method, path, headers) for token checks by tests
        self.stopping = False
        self.server = ThreadingHTTPServer((host, port), self._handler())
        self.server.daemon_threads = True
        self.scheme = "http"
        if certfile:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(certfile, keyfile)
            if cafile:
                ctx.load_verify_locations(cafile)
                ctx.verify_mode = ssl.CERT_REQUIRED
            self.server.socket = ctx.wrap_socket(self.server.socket, server_side=True)
            self.scheme = "https"

    @property
    def url(self):
        host, port = self.server.server_address[:2]
        return f"{self.scheme}://{host}:{port}"

    def start(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        threading.Thread(target=self._scheduler_loop, daemon=True).start()
        return self

    def stop(self):
        self.stopping = True
        with self.lock:
            self.lock.notify_all()
        self.server.shutdown()
        self.server.server_close()

    def bump(self):
        """A write: the next Raft index (call with the lock held)."""
        self.index += 1
        self.lock.notify_all()
        return self.index

    # MARK: blocking queries

    def blocking(self, query, index_of):
        """Answers `index_of()` -> (index, value) at once, or, with `?index=N`, when the index is
        past N or `wait` (default 5m, at most 10m) has passed, like a Nomad blocking query."""
        min_index = int(query.get("index", ["0"])[0] or 0)
        wait = parse_wait(query.get("wait", ["5m"])[0])
        deadline = time.monotonic() + min(wait, self.max_wait)
        with self.lock:
            while True:
                index, value = index_of()
                if min_index == 0 or index > min_index or self.stopping:
                    return max(index, 1), value
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return max(index, 1), value
                self.lock.wait(remaining)

    # MARK: jobs

    def register(self, body, ns, path_id=None):
        if not isinstance(body, dict) or not isinstance(body.get("Job"), dict):
            raise NomadError(400, "Job must be specified")
        job = canonicalize(body["Job"], ns, self.region)
        if path_id is not None and job.get("ID") != path_id:
            raise NomadError(400, "Job ID does not match name")
        errs = validate_job(job)
        if errs:
            raise NomadError(500, multierror(errs))
        key = (job["Namespace"], job["ID"])
        with self.lock:
            existing = self.jobs.get(key)
            if body.get("EnforceIndex"):
                jmi = int(body.get("JobModifyIndex", 0))
                if existing is not None:
                    if jmi == 0:
                        raise NomadError(500, "Enforcing job modify index 0: job already exists")
                    if jmi != existing["JobModifyIndex"]:
                        raise NomadError(500, f"Enforcing job modify index {jmi}: job exists with conflicting job modify index: {existing['JobModifyIndex']}")
                elif jmi != 0:
                    raise NomadError(500, f"Enforcing job modify index {jmi}: job does not exist")
            index = self.bump()
            changed = existing is None or job_diff(existing, job)["Type"] != "None" or existing.get("Stop")
            job["Stop"] = False
            job["Status"] = "pending"
            job["StatusDescription"] = ""
            job["SubmitTime"] = now_ns()
            job["CreateIndex"] = existing["CreateIndex"] if existing else index
            job["ModifyIndex"] = index
            job["JobModifyIndex"] = index
            if existing is None:
                job["Version"] = 0
            else:
                job["Version"] = existing["Version"] + (1 if changed else 0)
            job["Stable"] = False
            self.jobs[key] = job
            if changed:
                self.versions.setdefault(key, []).append(copy.deepcopy(job))
                self._schedule(job, index)
            eval_id = str(uuid.uuid4())
            return {"EvalID": eval_id, "EvalCreateIndex": index, "JobModifyIndex": index, "Warnings": "",
                    "Index": index, "LastContact": 0, "KnownLeader": True}

    def _schedule(self, job, index):
        """The scheduler's placement for a new job version: a deployment and Count allocations;
        allocations of older versions are stopped."""
        key = (job["Namespace"], job["ID"])
        for a in self.allocs.values():
            if (a["Namespace"], a["JobID"]) == key and a["DesiredStatus"] == "run":
                a["DesiredStatus"] = "stop"
                a["DesiredDescription"] = "alloc is being updated due to job update"
                if a["ClientStatus"] in ("pending", "running"):
                    a["ClientStatus"] = "complete"
                    for ts in a["TaskStates"].values():
                        ts["State"] = "dead"
                        ts["FinishedAt"] = rfc3339()
                        ts["Events"].append(event("Killed", "Task successfully killed"))
                a["ModifyIndex"] = index
        for d in self.deployments.values():
            if (d["Namespace"], d["JobID"]) == key and d["Status"] == "running":
                d["Status"] = "cancelled"
                d["StatusDescription"] = "Cancelled due to newer version of job"
                d["ModifyIndex"] = index
        dep_id = None
        groups = job.get("TaskGroups") or []
        if job["Type"] == "service" and any(g.get("Update") for g in groups):
            dep_id = str(uuid.uuid4())
            self.deployments[dep_id] = {
                "ID": dep_id, "Namespace": job["Namespace"], "JobID": job["ID"], "JobVersion": job["Version"],
                "JobModifyIndex": index, "JobSpecModifyIndex": index, "JobCreateIndex": job["CreateIndex"],
                "IsMultiregion": False, "Status": "running", "StatusDescription": "Deployment is running",
                "TaskGroups": {g["Name"]: {
                    "AutoRevert": bool((g.get("Update") or {}).get("AutoRevert")), "AutoPromote": False,
                    "ProgressDeadline": duration((g.get("Update") or {}).get("ProgressDeadline")),
                    "RequireProgressBy": None, "Promoted": False, "PlacedCanaries": None, "DesiredCanaries": 0,
                    "DesiredTotal": g["Count"], "PlacedAllocs": 0, "HealthyAllocs": 0, "UnhealthyAllocs": 0,
                } for g in groups},
                "CreateIndex": index, "ModifyIndex": index, "CreateTime": now_ns(), "ModifyTime": now_ns(),
            }
        for g in groups:
            for i in range(g["Count"]):
                self._place(job, g, i, dep_id, index)
                if dep_id:
                    self.deployments[dep_id]["TaskGroups"][g["Name"]]["PlacedAllocs"] += 1
        job["Status"] = "pending" if any(g["Count"] for g in groups) else "dead"

    def _place(self, job, g, i, dep_id, index):
        alloc_id = str(uuid.uuid4())
        ports = []
        dynamic = 20000 + (len(self.allocs) * 7) % 10000
        for n in g.get("Networks") or []:
            for p in n.get("ReservedPorts") or []:
                ports.append({"Label": p["Label"], "Value": p["Value"], "To": p.get("To", 0), "HostIP": NODE_IP})
            for p in n.get("DynamicPorts") or []:
                dynamic += 1
                ports.append({"Label": p["Label"], "Value": dynamic, "To": p.get("To", 0) or dynamic, "HostIP": NODE_IP})
        self.allocs[alloc_id] = {
            "ID": alloc_id, "EvalID": str(uuid.uuid4()), "Name": f"{job['ID']}.{g['Name']}[{i}]",
            "Namespace": job["Namespace"], "NodeID": "fake-node-1", "NodeName": "fake-node-1",
            "JobID": job["ID"], "JobType": job["Type"], "JobVersion": job["Version"], "TaskGroup": g["Name"],
            "AllocatedResources": {"Tasks": {}, "Shared": {"DiskMB": 300, "Networks": [], "Ports": ports}},
            "DesiredStatus": "run", "DesiredDescription": "", "ClientStatus": "pending", "ClientDescription": "",
            "TaskStates": {t["Name"]: {"State": "pending", "Failed": False, "Restarts": 0, "LastRestart": None,
                                        "StartedAt": None, "FinishedAt": None,
                                        "Events": [event("Received", "Task received by client")]}
                           for t in g.get("Tasks") or []},
            "DeploymentID": dep_id, "DeploymentStatus": None, "FollowupEvalID": "", "NextAllocation": "",
            "RescheduleTracker": None, "CreateIndex": index, "ModifyIndex": index,
            "CreateTime": now_ns(), "ModifyTime": now_ns(),
            "_created": time.monotonic(), "_group": copy.deepcopy(g),
        }

    def deregister(self, ns, job_id, purge):
        with self.lock:
            key = (ns, job_id)
            job = self.jobs.get(key)
            index = self.bump()
            if job is None:
                return {"EvalID": "", "EvalCreateIndex": 0, "JobModifyIndex": index, "Index": index}
            for a in self.allocs.values():
                if (a["Namespace"], a["JobID"]) == key and a["DesiredStatus"] == "run":
                    a["DesiredStatus"] = "stop"
                    a["DesiredDescription"] = "alloc not needed due to job update"
                    a["ClientStatus"] = "complete"
                    for ts in a["TaskStates"].values():
                        ts["State"] = "dead"
                    a["ModifyIndex"] = index
            if purge:
                del self.jobs[key]
                self.versions.pop(key, None)
                for aid in [k for k, a in self.allocs.items() if (a["Namespace"], a["JobID"]) == key]:
                    del self.allocs[aid]
                for did in [k for k, d in self.deployments.items() if (d["Namespace"], d["JobID"]) == key]:
                    del self.deployments[did]
            else:
                job["Stop"] = True
                job["Status"] = "dead"
                job["ModifyIndex"] = index
                job["JobModifyIndex"] = index
            return {"EvalID": str(uuid.uuid4()), "EvalCreateIndex": index, "JobModifyIndex": index, "Index": index}

    # MARK: the simulated client

    def _scheduler_loop(self):
        while not self.stopping:
            time.sleep(0.05)
            with self.lock:
                self.step()

    def step(self):
        """One tick of the simulated client and deployment watcher (call with the lock held)."""
        now = time.monotonic()
        changed = False
        for a in list(self.allocs.values()):
            if a["DesiredStatus"] != "run":
                continue
            age = now - a["_created"]
            g = a["_group"]
            crash = [t["Name"] for t in g.get("Tasks") or []
                     if "crashloop" in (t.get("Config") or {}).get("image", "") or (a["JobID"], t["Name"]) in self.crashing]
            invalid = [t["Name"] for t in g.get("Tasks") or [] if t.get("Driver") == "docker"
                       and not (t.get("Config") or {}).get("image")]
            if invalid and not a.get("_started") and age >= self.alloc_start:
                # The docker driver checks its config on the client, not the server.
                a["_started"] = True
                index = self.bump()
                for name, ts in a["TaskStates"].items():
                    ts["State"] = "dead"
                    ts["Failed"] = name in invalid
                    ts["Events"].append(event("Failed Validation", "1 error occurred:\n\t* Missing required argument \"image\"")
                                        if name in invalid else event("Sibling Task Failed", "Task's sibling failed"))
                a["ClientStatus"] = "failed"
                a["ClientDescription"] = "Failed tasks"
                a["ModifyIndex"] = index
                if a["DeploymentID"]:
                    a["DeploymentStatus"] = {"Healthy": False, "Timestamp": rfc3339(), "Canary": False, "ModifyIndex": index}
                    self._deployment_alloc(a, healthy=False, index=index)
                changed = True
                continue
            if not a.get("_started") and age >= self.alloc_start:
                a["_started"] = True
                index = self.bump()
                a["ClientStatus"] = "running" if not crash else "pending"
                for name, ts in a["TaskStates"].items():
                    if name in crash:
                        ts["Events"] += [event("Driver", "Downloading image"), event("Started", "Task started by client"),
                                         event("Terminated", "Exit Code: 1", {"exit_code": "1"}, exit_code=1)]
                        ts["State"] = "pending"
                        ts["_next_restart"] = now + self.crash_interval
                        ts["Events"].append(event("Restarting", "Task restarting in 200ms",
                                                  {"restart_reason": "Restart within policy"}))
                    else:
                        ts["State"] = "running"
                        ts["StartedAt"] = rfc3339()
                        ts["Events"] += [event("Task Setup", "Building Task Directory"),
                                         event("Driver", "Downloading image"),
                                         event("Started", "Task started by client")]
                a["ModifyIndex"] = index
                a["ModifyTime"] = now_ns()
                changed = True
            if a.get("_started") and a["ClientStatus"] == "pending" and crash:
                policy = g.get("RestartPolicy") or {"Attempts": 2, "Mode": "fail"}
                for name in crash:
                    ts = a["TaskStates"][name]
                    due = ts.get("_next_restart")
                    if due is None or now < due or ts["State"] == "dead":
                        continue
                    index = self.bump()
                    if ts["Restarts"] < int(policy.get("Attempts", 0)):
                        ts["Restarts"] += 1
                        ts["LastRestart"] = rfc3339()
                        ts["Events"] += [event("Started", "Task started by client"),
                                         event("Terminated", "Exit Code: 1", {"exit_code": "1"}, exit_code=1),
                                         event("Restarting", "Task restarting in 200ms",
                                               {"restart_reason": "Restart within policy"})]
                        ts["_next_restart"] = now + self.crash_interval
                    else:
                        ts["State"] = "dead"
                        ts["Failed"] = True
                        ts["FinishedAt"] = rfc3339()
                        ts["Events"].append(event(
                            "Not Restarting",
                            f"Exceeded allowed attempts {policy.get('Attempts')} in interval 30m0s and mode is \"fail\"",
                            {"restart_reason": f"Exceeded allowed attempts {policy.get('Attempts')} in interval 30m0s and mode is \"fail\"",
                             "fails_task": "true"}))
                        a["ClientStatus"] = "failed"
                        a["ClientDescription"] = "Failed tasks"
                        for other, ots in a["TaskStates"].items():
                            if other != name and ots["State"] != "dead":
                                ots["State"] = "dead"
                                ots["Events"].append(event("Sibling Task Failed", f"Task's sibling {name!r} failed"))
                        if a["DeploymentID"]:
                            a["DeploymentStatus"] = {"Healthy": False, "Timestamp": rfc3339(), "Canary": False,
                                                     "ModifyIndex": index}
                            self._deployment_alloc(a, healthy=False, index=index)
                    a["ModifyIndex"] = index
                    changed = True
            if (a["ClientStatus"] == "running" and a["DeploymentID"] and a["DeploymentStatus"] is None
                    and age >= self.alloc_start + self.healthy_after):
                index = self.bump()
                a["DeploymentStatus"] = {"Healthy": True, "Timestamp": rfc3339(), "Canary": False, "ModifyIndex": index}
                a["ModifyIndex"] = index
                self._deployment_alloc(a, healthy=True, index=index)
                changed = True
        for key, job in self.jobs.items():
            current = [a for a in self.allocs.values() if (a["Namespace"], a["JobID"]) == key and a["DesiredStatus"] == "run"]
            status = "dead" if job.get("Stop") else ("running" if any(a["ClientStatus"] == "running" for a in current)
                                                     else "pending" if current else job["Status"])
            if status != job["Status"]:
                job["Status"] = status
                job["ModifyIndex"] = self.bump()
                changed = True
        return changed

    def _deployment_alloc(self, a, healthy, index):
        d = self.deployments.get(a["DeploymentID"])
        if d is None or d["Status"] != "running":
            return
        tg = d["TaskGroups"][a["TaskGroup"]]
        if healthy:
            tg["HealthyAllocs"] += 1
        else:
            tg["UnhealthyAllocs"] += 1
        d["ModifyIndex"] = index
        if any(t["UnhealthyAllocs"] > 0 for t in d["TaskGroups"].values()):
            d["Status"] = "failed"
            d["StatusDescription"] = "Failed due to unhealthy allocations"
            if any(t["AutoRevert"] for t in d["TaskGroups"].values()):
                stable = [v for v in self.versions.get((d["Namespace"], d["JobID"]), []) if v.get("Stable")]
                if stable:
                    d["StatusDescription"] += f" - rolling back to job version {stable[-1]['Version']}"
                    self._revert(d, stable[-1], index)
                else:
                    d["StatusDescription"] += " - no stable job version to auto revert to"
        elif all(t["HealthyAllocs"] >= t["DesiredTotal"] for t in d["TaskGroups"].values()):
            d["Status"] = "successful"
            d["StatusDescription"] = "Deployment completed successfully"
            job = self.jobs.get((d["Namespace"], d["JobID"]))
            if job is not None and job["Version"] == d["JobVersion"]:
                job["Stable"] = True
                for v in self.versions.get((d["Namespace"], d["JobID"]), []):
                    if v["Version"] == d["JobVersion"]:
                        v["Stable"] = True

    def _revert(self, d, stable, index):
        """Auto-revert: the deployment watcher registers the latest stable version again, as a
        new job version (`Job.Revert`), which starts a deployment of its own."""
        key = (d["Namespace"], d["JobID"])
        current = self.jobs.get(key)
        if current is None or current["Version"] != d["JobVersion"]:
            return
        job = copy.deepcopy(stable)
        job.update(Version=current["Version"] + 1, Stable=False, Stop=False, Status="pending", SubmitTime=now_ns(),
                   ModifyIndex=index, JobModifyIndex=index, CreateIndex=current["CreateIndex"])
        self.jobs[key] = job
        self.versions.setdefault(key, []).append(copy.deepcopy(job))
        self._schedule(job, index)

    # MARK: variables

    def put_variable(self, ns, path, body, query):
        if not isinstance(body, dict) or not isinstance(body.get("Items"), dict) or not body["Items"]:
            raise NomadError(400, "variable missing required Items object")
        if any(not isinstance(v, str) for v in body["Items"].values()):
            raise NomadError(400, "failed to parse request: variable items must be strings")
        if len(json.dumps(body["Items"])) > 64 * 1024:
            raise NomadError(400, "variables are limited to 64KiB in total size")
        with self.lock:
            key = (ns, path)
            existing = self.variables.get(key)
            if "cas" in query:
                cas = int(query["cas"][0])
                current = existing["ModifyIndex"] if existing else 0
                if cas != current:
                    conflict = {k: v for k, v in (existing or {}).items()}
                    return 409, conflict
            index = self.bump()
            var = {"Namespace": ns, "Path": path, "Items": dict(body["Items"]),
                   "CreateIndex": existing["CreateIndex"] if existing else index, "ModifyIndex": index,
                   "CreateTime": existing["CreateTime"] if existing else now_ns(), "ModifyTime": now_ns()}
            self.variables[key] = var
            return 200, var


def parse_bool(query, name):
    """A boolean query parameter as Go's strconv.ParseBool reads it (Nomad's parser): 1, t, T,
    TRUE, true, True (and their false forms); anything else is false here."""
    return query.get(name, ["false"])[0] in ("1", "t", "T", "TRUE", "true", "True")


def parse_wait(text):
    m = re.fullmatch(r"(\d+(?:\.\d+)?)(ms|s|m|h)?", text or "")
    if not m:
        return 300.0
    value = float(m.group(1))
    return value * {"ms": 0.001, "s": 1, "m": 60, "h": 3600, None: 1}[m.group(2)]


def rfc3339():
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()) + ".000000000Z"


def event(typ, display, details=None, exit_code=0):
    return {"Type": typ, "Time": now_ns(), "DisplayMessage": display, "Details": details or {},
            "Message": "", "FailsTask": False, "RestartReason": (details or {}).get("restart_reason", ""),
            "ExitCode": exit_code, "Signal": 0, "KillTimeout": 0, "KillError": "", "DriverError": "",
            "SetupError": "", "DriverMessage": "", "ValidationError": "", "DiskLimit": 0}


def public(obj):
    """An object without the fake's private fields (leading underscore)."""
    if isinstance(obj, dict):
        return {k: public(v) for k, v in obj.items() if not k.startswith("_")}
    if isinstance(obj, list):
        return [public(v) for v in obj]
    return obj


def alloc_stub(a, resources):
    stub = public(a)
    if not resources:
        stub.pop("AllocatedResources", None)
    return stub


# MARK: - HTTP

ROUTES = [
    ("GET", r"/v1/agent/self", "agent_self"),
    ("GET", r"/v1/acl/token/self", "token_self"),
    ("GET", r"/v1/jobs", "list_jobs"),
    ("POST", r"/v1/jobs", "register"),
    ("PUT", r"/v1/jobs", "register"),
    ("GET", r"/v1/job/(?P<id>[^/]+)", "get_job"),
    ("POST", r"/v1/job/(?P<id>[^/]+)", "register_id"),
    ("PUT", r"/v1/job/(?P<id>[^/]+)", "register_id"),
    ("DELETE", r"/v1/job/(?P<id>[^/]+)", "deregister"),
    ("POST", r"/v1/job/(?P<id>[^/]+)/plan", "plan"),
    ("PUT", r"/v1/job/(?P<id>[^/]+)/plan", "plan"),
    ("GET", r"/v1/job/(?P<id>[^/]+)/allocations", "job_allocations"),
    ("GET", r"/v1/job/(?P<id>[^/]+)/deployment", "job_deployment"),
    ("GET", r"/v1/job/(?P<id>[^/]+)/deployments", "job_deployments"),
    ("GET", r"/v1/job/(?P<id>[^/]+)/versions", "job_versions"),
    ("GET", r"/v1/var/(?P<path>.+)", "get_var"),
    ("PUT", r"/v1/var/(?P<path>.+)", "put_var"),
    ("DELETE", r"/v1/var/(?P<path>.+)", "delete_var"),
    ("POST", r"/_fake/crash", "hook_crash"),
    ("GET", r"/_fake/stats", "hook_stats"),
    ("POST", r"/_fake/reset", "hook_reset"),
]


class Handler(BaseHTTPRequestHandler):
    fake = None
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _answer(self, status, value, index=None, text=None):
        body = (text if text is not None else json.dumps(value)).encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8" if text is not None else "application/json")
        self.send_header("Content-Length", str(len(body)))
        if index is not None:
            self.send_header("X-Nomad-Index", str(index))
            self.send_header("X-Nomad-KnownLeader", "true")
            self.send_header("X-Nomad-LastContact", "0")
        self.end_headers()
        self.wfile.write(body)

    def _body(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if not raw:
            return None
        try:
            return json.loads(raw)
        except ValueError as e:
            raise NomadError(400, f"Request decode failed: {e}")

    def _dispatch(self, method):
        fake = self.fake
        url = urlparse(self.path)
        query = parse_qs(url.query)
        path = url.path
        for m, pattern, name in ROUTES:
            match = re.fullmatch(pattern, path)
            if m == method and match:
                break
        else:
            self._answer(404 if method == "GET" else 405, None, text="Invalid method" if method != "GET" else "Not Found")
            return
        with fake.lock:
            key = f"{method} {pattern}"
            fake.stats[key] = fake.stats.get(key, 0) + 1
            fake.requests.append((method, self.path, dict(self.headers)))
        try:
            if not path.startswith("/_fake/"):
                self._authorize(name)
            ns = query.get("namespace", ["default"])[0] or "default"
            if "region" in query and query["region"][0] not in ("", fake.region):
                raise NomadError(500, f"No path to region: {query['region'][0]}")
            getattr(self, "do_" + name)(ns=ns, query=query, **{k: unquote(v) for k, v in match.groupdict().items()})
        except NomadError as e:
            self._answer(e.status, None, text=e.text)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _authorize(self, route):
        token = self.fake.token
        if token is None:
            return
        sent = self.headers.get("X-Nomad-Token")
        if route == "token_self":
            if not sent:
                raise NomadError(403, "Permission denied")
            if sent != token:
                raise NomadError(403, "ACL token not found")
            return
        if sent != token:
            raise NomadError(403, "Permission denied")

    def do_GET(self):
        self._dispatch("GET")

    def do_POST(self):
        self._dispatch("POST")

    def do_PUT(self):
        self._dispatch("PUT")

    def do_DELETE(self):
        self._dispatch("DELETE")

    # routes

    def do_agent_self(self, ns, query):
        f = self.fake
        self._answer(200, {
            "config": {"Region": f.region, "Datacenter": "dc1", "NodeName": "fake-nomad", "Version": {
                "Revision": "fake", "Version": f.version, "VersionPrerelease": "", "VersionMetadata": ""},
                "ACL": {"Enabled": f.token is not None}},
            "member": {"Name": "fake-nomad.global", "Addr": "127.0.0.1", "Port": 4648, "Status": "alive",
                       "Tags": {"build": f.version, "region": f.region, "dc": "dc1", "role": "nomad"}},
            "stats": {"nomad": {"leader": "true", "server": "true"}},
        })

    def do_token_self(self, ns, query):
        if self.fake.token is None:
            raise NomadError(400, "ACL support disabled")
        self._answer(200, {"AccessorID": "fake-accessor", "SecretID": self.fake.token, "Name": "landlord",
                           "Type": "client", "Policies": ["landlord"], "Roles": [], "Global": False,
                           "CreateIndex": 1, "ModifyIndex": 1})

    def do_list_jobs(self, ns, query):
        f = self.fake
        prefix = query.get("prefix", [""])[0]
        meta = parse_bool(query, "meta")

        def value():
            stubs = []
            for (jns, jid), job in sorted(f.jobs.items()):
                if (ns == "*" or jns == ns) and jid.startswith(prefix):
                    stub = {k: job.get(k) for k in ("ID", "ParentID", "Name", "Namespace", "Datacenters", "Type",
                                                     "Priority", "Periodic", "Stop", "Status", "StatusDescription",
                                                     "CreateIndex", "ModifyIndex", "JobModifyIndex", "SubmitTime",
                                                     "NodePool")}
                    if meta:
                        stub["Meta"] = job.get("Meta")
                    stubs.append(stub)
            index = max([j["ModifyIndex"] for j in f.jobs.values()] + [1])
            return index, stubs
        index, stubs = f.blocking(query, value)
        self._answer(200, stubs, index)

    def do_register(self, ns, query):
        result = self.fake.register(self._body(), ns)
        self._answer(200, result, result["Index"])

    def do_register_id(self, ns, query, id):
        result = self.fake.register(self._body(), ns, path_id=id)
        self._answer(200, result, result["Index"])

    def _job_or_404(self, ns, id):
        job = self.fake.jobs.get((ns, id))
        if job is None:
            raise NomadError(404, "job not found")
        return job

    def do_get_job(self, ns, query, id):
        f = self.fake

        def value():
            job = f.jobs.get((ns, id))
            return (job["ModifyIndex"] if job else f.index), copy.deepcopy(job)
        index, job = f.blocking(query, value)
        if job is None:
            raise NomadError(404, "job not found")
        self._answer(200, job, index)

    def do_deregister(self, ns, query, id):
        purge = parse_bool(query, "purge")
        result = self.fake.deregister(ns, id, purge)
        self._answer(200, result, result["Index"])

    def do_plan(self, ns, query, id):
        f = self.fake
        body = self._body()
        if not isinstance(body, dict) or not isinstance(body.get("Job"), dict):
            raise NomadError(400, "Job must be specified")
        job = canonicalize(body["Job"], ns, f.region)
        if job.get("ID") != id:
            raise NomadError(400, "Job ID does not match")
        errs = validate_job(job)
        if errs:
            raise NomadError(500, multierror(errs))
        with f.lock:
            existing = f.jobs.get((ns, id))
            diff = job_diff(existing, job) if body.get("Diff") else None
            annotations = {"DesiredTGUpdates": {g["Name"]: {
                "Ignore": 0, "Place": g["Count"] if existing is None else 0, "Migrate": 0, "Stop": 0, "InPlaceUpdate": 0,
                "DestructiveUpdate": 0 if existing is None or (diff and diff["Type"] == "None") else g["Count"],
                "Canary": 0, "Preemptions": 0} for g in job["TaskGroups"]}, "PreemptedAllocs": None}
            self._answer(200, {"Index": f.index, "JobModifyIndex": existing["JobModifyIndex"] if existing else 0,
                               "Annotations": annotations, "FailedTGAllocs": None, "CreatedEvals": None,
                               "Diff": diff, "Warnings": "", "NextPeriodicLaunch": "0001-01-01T00:00:00Z"},
                         f.index)

    def do_job_allocations(self, ns, query, id):
        f = self.fake
        resources = parse_bool(query, "resources")

        def value():
            allocs = [alloc_stub(a, resources) for a in f.allocs.values() if (a["Namespace"], a["JobID"]) == (ns, id)]
            index = max([a["ModifyIndex"] for a in f.allocs.values() if (a["Namespace"], a["JobID"]) == (ns, id)] + [1])
            return index, allocs
        index, allocs = f.blocking(query, value)
        self._answer(200, allocs, index)

    def do_job_deployment(self, ns, query, id):
        f = self.fake

        def value():
            deps = [d for d in f.deployments.values() if (d["Namespace"], d["JobID"]) == (ns, id)]
            latest = max(deps, key=lambda d: d["CreateIndex"]) if deps else None
            return (latest["ModifyIndex"] if latest else 1), copy.deepcopy(latest)
        index, latest = f.blocking(query, value)
        self._answer(200, latest, index)

    def do_job_deployments(self, ns, query, id):
        f = self.fake
        with f.lock:
            deps = sorted((copy.deepcopy(d) for d in f.deployments.values() if (d["Namespace"], d["JobID"]) == (ns, id)),
                          key=lambda d: -d["CreateIndex"])
            self._answer(200, deps, max([d["ModifyIndex"] for d in deps] + [1]))

    def do_job_versions(self, ns, query, id):
        f = self.fake
        with f.lock:
            self._job_or_404(ns, id)
            versions = list(reversed(copy.deepcopy(f.versions.get((ns, id), []))))
            self._answer(200, {"Versions": versions, "Diffs": None}, f.index)

    def do_get_var(self, ns, query, path):
        f = self.fake
        with f.lock:
            var = f.variables.get((ns, path))
            if var is None:
                raise NomadError(404, "variable not found")
            self._answer(200, var, var["ModifyIndex"])

    def do_put_var(self, ns, query, path):
        status, var = self.fake.put_variable(ns, path, self._body(), query)
        self._answer(status, var, var.get("ModifyIndex", self.fake.index))

    def do_delete_var(self, ns, query, path):
        f = self.fake
        with f.lock:
            f.variables.pop((ns, path), None)
            index = f.bump()
        self.send_response(200)
        self.send_header("X-Nomad-Index", str(index))
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_hook_crash(self, ns, query):
        body = self._body() or {}
        with self.fake.lock:
            self.fake.crashing.add((body.get("Job"), body.get("Task")))
            for a in self.fake.allocs.values():
                if a["JobID"] == body.get("Job") and a["DesiredStatus"] == "run":
                    ts = a["TaskStates"].get(body.get("Task"))
                    if ts is not None and ts["State"] == "running":
                        index = self.fake.bump()
                        a["ClientStatus"] = "pending"
                        ts["State"] = "pending"
                        ts["Events"] += [event("Terminated", "Exit Code: 1", {"exit_code": "1"}, exit_code=1),
                                         event("Restarting", "Task restarting in 200ms",
                                               {"restart_reason": "Restart within policy"})]
                        ts["_next_restart"] = time.monotonic() + self.fake.crash_interval
                        a["ModifyIndex"] = index
        self._answer(200, {})

    def do_hook_stats(self, ns, query):
        with self.fake.lock:
            stats = dict(self.fake.stats)
        self._answer(200, {"requests": stats, "total": sum(stats.values())})

    def do_hook_reset(self, ns, query):
        with self.fake.lock:
            self.fake.stats.clear()
        self._answer(200, {})


def _handler(self):
    fake = self

    class BoundHandler(Handler):
        pass
    BoundHandler.fake = fake
    return BoundHandler


FakeNomad._handler = _handler


def make_certs(directory):
    """A test CA and, signed by it, a server certificate (127.0.0.1, localhost) and a client
    certificate, made with the openssl CLI: ca.pem, server.pem/server.key, client.pem/client.key."""
    os.makedirs(directory, exist_ok=True)
    p = {k: os.path.join(directory, v) for k, v in (
        ("ca", "ca.pem"), ("ca_key", "ca.key"), ("cert", "server.pem"), ("key", "server.key"),
        ("client_cert", "client.pem"), ("client_key", "client.key"))}

    def run(*args):
        subprocess.run(["openssl", *args], check=True, capture_output=True)
    run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "30",
        "-subj", "/CN=fake-nomad-ca", "-keyout", p["ca_key"], "-out", p["ca"],
        "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    for role, cn, usage, san in (("", "server.global.nomad", "serverAuth", "IP:127.0.0.1,DNS:localhost,DNS:server.global.nomad"),
                                 ("client_", "landlord", "clientAuth", "DNS:landlord")):
        ext = os.path.join(directory, f"{role or 'server_'}ext")
        with open(ext, "w") as f:
            f.write(f"subjectAltName={san}\nbasicConstraints=CA:FALSE\n"
                    f"keyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage={usage}\n")
        csr = os.path.join(directory, f"{role or 'server_'}csr")
        key, cert = p[role + "key"], p[role + "cert"]
        run("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-subj", f"/CN={cn}",
            "-keyout", key, "-out", csr)
        run("x509", "-req", "-in", csr, "-CA", p["ca"], "-CAkey", p["ca_key"], "-CAcreateserial", "-days", "30",
            "-extfile", ext, "-out", cert)
    return p


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--make-certs", metavar="DIR", help="write a test CA, server and client certificates to DIR and exit")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--token", help="enable ACLs with this management token")
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--client-ca", help="require client certificates signed by this CA")
    ap.add_argument("--ready-file", help="written (atomically) with {\"url\": ...} once listening")
    ap.add_argument("--alloc-start-seconds", type=float, default=0.2)
    ap.add_argument("--healthy-seconds", type=float, default=0.2)
    ap.add_argument("--crash-interval-seconds", type=float, default=0.2)
    ap.add_argument("--nomad-version", default=VERSION, help="the version /v1/agent/self reports")
    args = ap.parse_args(argv)
    if args.make_certs:
        make_certs(args.make_certs)
        return 0
    fake = FakeNomad(args.host, args.port, token=args.token, certfile=args.cert, keyfile=args.key,
                     cafile=args.client_ca, alloc_start_seconds=args.alloc_start_seconds,
                     healthy_seconds=args.healthy_seconds, crash_interval_seconds=args.crash_interval_seconds,
                     version=args.nomad_version).start()
    if args.ready_file:
        tmp = args.ready_file + ".tmp"
        with open(tmp, "w") as f:
            json.dump({"url": fake.url}, f)
        os.replace(tmp, args.ready_file)
    print(f"fake nomad listening on {fake.url}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        fake.stop()


if __name__ == "__main__":
    sys.exit(main())
