#!/usr/bin/env python3
"""A fake Kubernetes API server for landlord's tests (no cluster can run here).

It speaks the real wire protocol closely enough that a client written against the
Kubernetes API documentation works unchanged: HTTPS, bearer token, `kind: Status`
errors with the real codes and reasons, server-side apply (fieldManager required),
resourceVersion / generation, LIST + WATCH (newline-delimited JSON events, bookmarks,
410 Gone), and a deterministic simulated controller (Deployments -> ReplicaSets ->
Pods, LoadBalancer ingress, namespace termination).

Every object a client writes is validated against the official OpenAPI schema with
`kubernetes_validate.validate(obj, version, strict=True)` plus the API server's own
rules that the schema cannot express (see `apiserver_rules`).

Usage (process):
  python3 fake_apiserver.py --port 0 --cert server.pem --key server.key --token TOKEN \
      [--ready-file PATH] [--kubeconfig-out PATH --ca ca.pem] [--forbid VERB:RESOURCE ...]
  python3 fake_apiserver.py --make-ca DIR [--server URL] [--token TOKEN]
Usage (in-process):
  fake = FakeAPIServer(certfile, keyfile, token="t"); fake.start(); fake.url; fake.stop()
"""
from __future__ import annotations

import argparse
import base64
import copy
import datetime
import hashlib
import http.server
import json
import os
import re
import socketserver
import ssl
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from decimal import Decimal

try:
    import yaml  # PyYAML: apply bodies are YAML (JSON is a subset)
except ImportError:  # pragma: no cover
    yaml = None

import kubernetes_validate

# ----------------------------------------------------------------------------- resources

# plural -> (group, version, kind, namespaced, client_writable, has_generation)
RESOURCES = {
    "namespaces": ("", "v1", "Namespace", False, True, False),
    "services": ("", "v1", "Service", True, True, False),
    "secrets": ("", "v1", "Secret", True, True, False),
    "configmaps": ("", "v1", "ConfigMap", True, True, False),
    "resourcequotas": ("", "v1", "ResourceQuota", True, True, False),
    "limitranges": ("", "v1", "LimitRange", True, True, False),
    "serviceaccounts": ("", "v1", "ServiceAccount", True, True, False),
    "pods": ("", "v1", "Pod", True, False, False),
    "deployments": ("apps", "v1", "Deployment", True, True, True),
    "replicasets": ("apps", "v1", "ReplicaSet", True, False, True),
    "networkpolicies": ("networking.k8s.io", "v1", "NetworkPolicy", True, True, True),
}
# objects whose `status` a client cannot write through the main resource
STATUS_RESET = {"namespaces", "services", "pods", "deployments", "replicasets", "resourcequotas"}


def api_version_of(res):
    g, v = RESOURCES[res][0], RESOURCES[res][1]
    return f"{g}/{v}" if g else v


def qualified(res):
    g = RESOURCES[res][0]
    return f"{res}.{g}" if g else res


def now_rfc3339():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# ----------------------------------------------------------------------------- errors

class APIError(Exception):
    def __init__(self, code, reason, message, details=None):
        super().__init__(message)
        self.code, self.reason, self.message, self.details = code, reason, message, details

    def status(self):
        s = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
             "message": self.message, "reason": self.reason, "code": self.code}
        if self.details is not None:
            s["details"] = self.details
        return s


def not_found(res, name):
    return APIError(404, "NotFound", f'{qualified(res)} "{name}" not found',
                    {"name": name, "group": RESOURCES[res][0], "kind": res})


def invalid(res, name, causes):
    kind = RESOURCES[res][2]
    g = RESOURCES[res][0]
    qk = f"{kind}.{g}" if g else kind
    msgs = ", ".join(f"{c['field']}: {c['message']}" for c in causes)
    return APIError(422, "Invalid", f'{qk} "{name}" is invalid: [{msgs}]',
                    {"name": name, "group": g, "kind": kind, "causes": causes})


# ----------------------------------------------------------------------------- validation

DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
DNS1035_LABEL = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
DNS1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
QUALIFIED_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
CONFIG_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")
ENV_NAME = re.compile(r"^[-._a-zA-Z][-._a-zA-Z0-9]*$")
QUANTITY = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$")
SUFFIX = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60,
          "n": Decimal("1e-9"), "u": Decimal("1e-6"), "m": Decimal("1e-3"), "": 1, "k": 10**3,
          "M": 10**6, "G": 10**9, "T": 10**12, "P": 10**15, "E": 10**18}


def parse_quantity(q):
    q = str(q)
    m = QUANTITY.match(q)
    if not m:
        return None
    num, suf = m.group(1), m.group(3) or ""
    sign = -1 if q.startswith("-") else 1
    if suf[:1] in ("e", "E"):
        return sign * Decimal(num) * (Decimal(10) ** int(suf[1:]))
    return sign * Decimal(num) * Decimal(SUFFIX[suf])


def cause(field, message, reason="FieldValueInvalid"):
    return {"reason": reason, "message": message, "field": field}


def check_qualified_key(k, field, out):
    prefix, _, name = k.rpartition("/")
    if prefix and (len(prefix) > 253 or not DNS1123_SUBDOMAIN.match(prefix)):
        out.append(cause(field, f'Invalid value: "{k}": prefix part must be a DNS-1123 subdomain'))
    if not name or len(name) > 63 or not QUALIFIED_NAME.match(name):
        out.append(cause(field, f'Invalid value: "{k}": name part must consist of alphanumeric characters, '
                                "'-', '_' or '.', and must start and end with an alphanumeric character "
                                "(and be at most 63 characters)"))


def check_labels(labels, field, out):
    for k, v in (labels or {}).items():
        check_qualified_key(k, field, out)
        v = "" if v is None else str(v)
        if len(v) > 63:
            out.append(cause(f"{field}", f'Invalid value: "{v}": must be no more than 63 characters'))
        elif not LABEL_VALUE.match(v):
            out.append(cause(field, f'Invalid value: "{v}": a valid label must be an empty string or consist of '
                                    "alphanumeric characters, '-', '_' or '.', and must start and end with an "
                                    "alphanumeric character"))


def check_resources(r, field, out):
    vals = {}
    for part in ("limits", "requests"):
        for k, v in ((r or {}).get(part) or {}).items():
            q = parse_quantity(v)
            if q is None:
                out.append(cause(f"{field}.{part}[{k}]", f'Invalid value: "{v}": quantities must match the regular '
                                 "expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"))
            else:
                vals[(part, k)] = q
    for (part, k), q in vals.items():
        if part == "requests" and ("limits", k) in vals and q > vals[("limits", k)]:
            out.append(cause(f"{field}.requests", f'Invalid value: "{(r["requests"][k])}": must be less than or '
                             f"equal to {k} limit of {r['limits'][k]}"))


def check_probe(p, field, out, liveness_like):
    if not p:
        return
    handlers = [h for h in ("exec", "httpGet", "tcpSocket", "grpc") if h in p]
    if not handlers:
        out.append(cause(field, "Required value: must specify a handler type", "FieldValueRequired"))
    elif len(handlers) > 1:
        out.append(cause(f"{field}.{handlers[1]}", "Forbidden: may not specify more than 1 handler type",
                         "FieldValueForbidden"))
    st = p.get("successThreshold")
    if liveness_like and st is not None and st != 1:
        out.append(cause(f"{field}.successThreshold", f"Invalid value: {st}: must be 1"))
    for k in ("initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold", "failureThreshold"):
        if isinstance(p.get(k), int) and p[k] < 0:
            out.append(cause(f"{field}.{k}", f"Invalid value: {p[k]}: must be greater than or equal to 0"))


def check_pod_spec(spec, field, out, restart_always=False):
    names = set()
    for i, c in enumerate(spec.get("containers") or []):
        f = f"{field}.containers[{i}]"
        n = c.get("name", "")
        if not n:
            out.append(cause(f"{f}.name", "Required value", "FieldValueRequired"))
        elif len(n) > 63 or not DNS1123_LABEL.match(n):
            out.append(cause(f"{f}.name", f'Invalid value: "{n}": a lowercase RFC 1123 label must consist of lower '
                             "case alphanumeric characters or '-', and must start and end with an alphanumeric "
                             "character"))
        elif n in names:
            out.append(cause(f"{f}.name", f'Duplicate value: "{n}"', "FieldValueDuplicate"))
        names.add(n)
        if not c.get("image"):
            out.append(cause(f"{f}.image", "Required value", "FieldValueRequired"))
        pnames = set()
        for j, p in enumerate(c.get("ports") or []):
            cp = p.get("containerPort")
            if isinstance(cp, int) and not 1 <= cp <= 65535:
                out.append(cause(f"{f}.ports[{j}].containerPort",
                                 f"Invalid value: {cp}: must be between 1 and 65535, inclusive"))
            pn = p.get("name")
            if pn is not None:
                if len(pn) > 15 or not re.match(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", pn) or "--" in pn \
                        or not re.search(r"[a-z]", pn):
                    out.append(cause(f"{f}.ports[{j}].name", f'Invalid value: "{pn}": must be no more than 15 '
                                     "characters, lower case alphanumeric or '-', with at least one letter"))
                elif pn in pnames:
                    out.append(cause(f"{f}.ports[{j}].name", f'Duplicate value: "{pn}"', "FieldValueDuplicate"))
                pnames.add(pn)
        for j, e in enumerate(c.get("env") or []):
            en = e.get("name", "")
            if not ENV_NAME.match(en):
                out.append(cause(f"{f}.env[{j}].name", f'Invalid value: "{en}": a valid environment variable name '
                                 "must consist of alphabetic characters, digits, '_', '-', or '.', and must not "
                                 "start with a digit"))
            if "value" in e and "valueFrom" in e:
                out.append(cause(f"{f}.env[{j}].valueFrom", "Invalid value: \"\": may not be specified when "
                                 "`value` is not empty"))
        check_resources(c.get("resources"), f"{f}.resources", out)
        check_probe(c.get("livenessProbe"), f"{f}.livenessProbe", out, True)
        check_probe(c.get("startupProbe"), f"{f}.startupProbe", out, True)
        check_probe(c.get("readinessProbe"), f"{f}.readinessProbe", out, False)
    if not spec.get("containers"):
        out.append(cause(f"{field}.containers", "Required value", "FieldValueRequired"))
    rp = spec.get("restartPolicy", "Always")
    if restart_always and rp != "Always":
        out.append(cause(f"{field}.restartPolicy", f'Unsupported value: "{rp}": supported values: "Always"',
                         "FieldValueNotSupported"))


def selector_matches(sel, labels):
    """LabelSelector object (matchLabels/matchExpressions) against a label map."""
    labels = labels or {}
    for k, v in (sel.get("matchLabels") or {}).items():
        if labels.get(k) != v:
            return False
    for e in sel.get("matchExpressions") or []:
        k, op, vals = e.get("key"), e.get("operator"), e.get("values") or []
        if op == "In" and labels.get(k) not in vals:
            return False
        if op == "NotIn" and k in labels and labels[k] in vals:
            return False
        if op == "Exists" and k not in labels:
            return False
        if op == "DoesNotExist" and k in labels:
            return False
    return True


def apiserver_rules(res, obj, old):
    """The API server's own validation, beyond the OpenAPI schema. Returns causes."""
    out = []
    md = obj.get("metadata") or {}
    name = md.get("name", "")
    if not name:
        out.append(cause("metadata.name", "Required value: name or generateName is required", "FieldValueRequired"))
    elif res in ("namespaces", "services"):
        rx = DNS1035_LABEL if res == "services" else DNS1123_LABEL
        if len(name) > 63 or not rx.match(name):
            what = "DNS-1035 label" if res == "services" else "RFC 1123 label"
            out.append(cause("metadata.name", f'Invalid value: "{name}": a {what} must consist of lower case '
                             "alphanumeric characters or '-', start and end with an alphanumeric character, "
                             "and be at most 63 characters"))
    elif len(name) > 253 or not DNS1123_SUBDOMAIN.match(name):
        out.append(cause("metadata.name", f'Invalid value: "{name}": a lowercase RFC 1123 subdomain must consist '
                         "of lower case alphanumeric characters, '-' or '.', and must start and end with an "
                         "alphanumeric character"))
    check_labels(md.get("labels"), "metadata.labels", out)
    for k in (md.get("annotations") or {}):
        check_qualified_key(k, "metadata.annotations", out)
    spec = obj.get("spec") or {}
    if res == "deployments":
        sel = spec.get("selector")
        tmpl = spec.get("template") or {}
        tlabels = (tmpl.get("metadata") or {}).get("labels") or {}
        if not sel or not (sel.get("matchLabels") or sel.get("matchExpressions")):
            out.append(cause("spec.selector", "Invalid value: {}: empty selector is invalid for deployment"))
        elif not selector_matches(sel, tlabels):
            out.append(cause("spec.template.metadata.labels",
                             f"Invalid value: {json.dumps(tlabels)}: `selector` does not match template `labels`"))
        if old is not None and (old.get("spec") or {}).get("selector") != sel:
            out.append(cause("spec.selector", f"Invalid value: {json.dumps(sel)}: field is immutable"))
        check_labels(tlabels, "spec.template.metadata.labels", out)
        check_pod_spec(tmpl.get("spec") or {}, "spec.template.spec", out, restart_always=True)
        if isinstance(spec.get("replicas"), int) and spec["replicas"] < 0:
            out.append(cause("spec.replicas", f"Invalid value: {spec['replicas']}: must be greater than or "
                             "equal to 0"))
    elif res == "services":
        typ = spec.get("type", "ClusterIP")
        ports = spec.get("ports") or []
        if typ != "ExternalName" and spec.get("clusterIP") != "None" and not ports:
            out.append(cause("spec.ports", "Required value", "FieldValueRequired"))
        seen_names, seen_ports = set(), set()
        for i, p in enumerate(ports):
            pn = p.get("name", "")
            if len(ports) > 1 and not pn:
                out.append(cause(f"spec.ports[{i}].name", "Required value", "FieldValueRequired"))
            if pn and pn in seen_names:
                out.append(cause(f"spec.ports[{i}].name", f'Duplicate value: "{pn}"', "FieldValueDuplicate"))
            seen_names.add(pn)
            key = (p.get("port"), p.get("protocol", "TCP"))
            if key in seen_ports:
                out.append(cause(f"spec.ports[{i}]", f'Duplicate value: {{"port": {key[0]}, "protocol": '
                                 f'"{key[1]}"}}', "FieldValueDuplicate"))
            seen_ports.add(key)
            if isinstance(p.get("port"), int) and not 1 <= p["port"] <= 65535:
                out.append(cause(f"spec.ports[{i}].port",
                                 f"Invalid value: {p['port']}: must be between 1 and 65535, inclusive"))
        if typ not in ("ClusterIP", "NodePort", "LoadBalancer", "ExternalName"):
            out.append(cause("spec.type", f'Unsupported value: "{typ}": supported values: "ClusterIP", '
                             '"ExternalName", "LoadBalancer", "NodePort"', "FieldValueNotSupported"))
        if old is not None and spec.get("clusterIP") and \
                spec.get("clusterIP") != (old.get("spec") or {}).get("clusterIP"):
            out.append(cause("spec.clusterIP", f'Invalid value: "{spec["clusterIP"]}": field is immutable'))
        check_labels(spec.get("selector"), "spec.selector", out)
    elif res == "secrets":
        total = 0
        for k, v in (obj.get("data") or {}).items():
            if not CONFIG_KEY.match(k):
                out.append(cause(f"data[{k}]", f'Invalid value: "{k}": a valid config key must consist of '
                                 "alphanumeric characters, '-', '_' or '.'"))
            try:
                total += len(base64.b64decode(v or "", validate=True))
            except Exception:
                out.append(cause(f"data[{k}]", "Invalid value: \"<secret contents redacted>\": illegal base64 "
                                 "data"))
        if total > 1024 * 1024:
            out.append(cause("data", "Too long: must have at most 1048576 bytes", "FieldValueTooLong"))
    elif res == "resourcequotas":
        for k, v in (spec.get("hard") or {}).items():
            if parse_quantity(v) is None:
                out.append(cause(f"spec.hard[{k}]", f'Invalid value: "{v}": quantities must match the regular '
                                 "expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"))
    elif res == "limitranges":
        for i, item in enumerate(spec.get("limits") or []):
            for part in ("max", "min", "default", "defaultRequest", "maxLimitRequestRatio"):
                for k, v in (item.get(part) or {}).items():
                    if parse_quantity(v) is None:
                        out.append(cause(f"spec.limits[{i}].{part}[{k}]", f'Invalid value: "{v}": quantities '
                                         "must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*"
                                         "[-+]?[0-9]*)$'"))
    return out


_VALIDATORS = {}


def _validator(kind, api_version, version):
    """kubernetes_validate.validate() re-reads the schema files on every call (~10 ms); this builds the
    same Draft 2020-12 validator from the same strict schema files once per kind."""
    key = (kind, api_version, version)
    if key not in _VALIDATORS:
        try:
            from kubernetes_validate import utils as kvu
            import jsonschema
            from referencing import Registry, Resource
            mm = kvu.major_minor(version)
            schema_version = [v for v in kvu.all_versions() if kvu.major_minor(v) <= mm][-1]
            d = f"kubernetes-json-schema/v{schema_version}-local-strict"
            av = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
            schema = kvu.schema_contents(f"{d}/{kind.lower()}-{av}.json", version)
            defs = kvu.schema_contents(f"{d}/_definitions.json", version)
            registry = Resource.from_contents(defs) @ (Resource.from_contents(schema) @ Registry())
            _VALIDATORS[key] = jsonschema.validators.Draft202012Validator(schema, registry=registry)
        except Exception:
            _VALIDATORS[key] = None   # fall back to the library's own validate()
    return _VALIDATORS[key]


def schema_causes(obj, version):
    """Validate against the official OpenAPI schema (strict); returns a list of causes."""
    try:
        v = _validator(obj.get("kind", ""), obj.get("apiVersion", ""), version)
        if v is not None:
            err = next(iter(sorted(v.iter_errors(obj), key=lambda e: list(map(str, e.absolute_path)))), None)
            if err is not None:
                raise kubernetes_validate.ValidationError(err, version)
        else:
            kubernetes_validate.validate(obj, version, strict=True)
        return []
    except kubernetes_validate.ValidationError as e:
        path = ""
        for p in e.absolute_path:
            path += f"[{p}]" if isinstance(p, int) else (f".{p}" if path else str(p))
        if e.validator == "additionalProperties":
            m = re.search(r"\('([^']+)' was unexpected", e.message) or re.search(r"'([^']+)'", e.message)
            field = f"{path}.{m.group(1)}" if (m and path) else (m.group(1) if m else path)
            return [cause(field, f'Invalid value: unknown field "{m.group(1) if m else field}": field not '
                          "declared in schema", "FieldValueInvalid")]
        if e.validator == "required":
            m = re.search(r"'([^']+)' is a required property", e.message)
            field = f"{path}.{m.group(1)}" if (m and path) else (m.group(1) if m else path)
            return [cause(field, "Required value", "FieldValueRequired")]
        if e.validator in ("type", "format"):
            return [cause(path, f"Invalid value: {json.dumps(e.instance)}: {e.message}", "FieldValueTypeInvalid")]
        return [cause(path, f"Invalid value: {json.dumps(e.instance)}: {e.message}")]
    except kubernetes_validate.SchemaNotFoundError as e:
        return [cause("kind", f"Unsupported value: {e.message}", "FieldValueNotSupported")]


# ----------------------------------------------------------------------------- label selectors

def parse_label_selector(s):
    """`a=b,c!=d,e in (x,y),f notin (z),g,!h` -> list of predicates over a label map."""
    preds = []
    if not s:
        return preds
    parts, depth, cur = [], 0, ""
    for ch in s:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    for raw in parts:
        p = raw.strip()
        if not p:
            continue
        m = re.match(r"^([^\s!=()]+)\s+(in|notin)\s+\(([^)]*)\)$", p)
        if m:
            k, op, vals = m.group(1), m.group(2), {v.strip() for v in m.group(3).split(",") if v.strip()}
            preds.append((lambda L, k=k, vals=vals: L.get(k) in vals) if op == "in"
                         else (lambda L, k=k, vals=vals: L.get(k) not in vals))
            continue
        m = re.match(r"^([^\s!=]+)\s*(==|=|!=)\s*([^\s!=]*)$", p)
        if m:
            k, op, v = m.groups()
            preds.append((lambda L, k=k, v=v: L.get(k) != v) if op == "!="
                         else (lambda L, k=k, v=v: L.get(k) == v))
            continue
        m = re.match(r"^(!?)([^\s!=()]+)$", p)
        if m:
            neg, k = m.groups()
            preds.append((lambda L, k=k: k not in L) if neg else (lambda L, k=k: k in L))
            continue
        raise APIError(400, "BadRequest", f'unable to parse requirement: invalid label selector "{s}"')
    return preds


def parse_field_selector(s):
    preds = []
    for p in filter(None, (x.strip() for x in (s or "").split(","))):
        m = re.match(r"^([A-Za-z.]+)\s*(==|=|!=)\s*(.*)$", p)
        if not m:
            raise APIError(400, "BadRequest", f'invalid field selector "{s}"')
        path, op, v = m.groups()

        def get(o, path=path):
            for k in path.split("."):
                o = o.get(k) if isinstance(o, dict) else None
            return "" if o is None else str(o)
        preds.append((lambda o, g=get, v=v: g(o) != v) if op == "!=" else (lambda o, g=get, v=v: g(o) == v))
    return preds


def matches(obj, lpreds, fpreds):
    labels = (obj.get("metadata") or {}).get("labels") or {}
    return all(p(labels) for p in lpreds) and all(p(obj) for p in fpreds)


# ----------------------------------------------------------------------------- merge helpers

def deep_merge(base, patch):
    """Apply-style merge: maps merge recursively, everything else (lists included) replaces."""
    out = copy.deepcopy(base) if isinstance(base, dict) else {}
    for k, v in patch.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = deep_merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


def merge_patch(base, patch):
    """RFC 7386 JSON merge patch."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = copy.deepcopy(base) if isinstance(base, dict) else {}
    for k, v in patch.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = merge_patch(out.get(k), v)
    return out


def fields_v1(obj):
    """A FieldsV1-shaped description of the fields of a (partial) object (lists atomic)."""
    out = {}
    for k, v in obj.items():
        if isinstance(v, dict) and v:
            out[f"f:{k}"] = fields_v1(v)
        else:
            out[f"f:{k}"] = {}
    return out


def owned_view(obj):
    o = {k: v for k, v in obj.items() if k not in ("apiVersion", "kind", "status")}
    md = {k: v for k, v in (o.get("metadata") or {}).items()
          if k in ("labels", "annotations", "finalizers", "ownerReferences")}
    if md:
        o["metadata"] = md
    else:
        o.pop("metadata", None)
    return o


# ----------------------------------------------------------------------------- the store

class Store:
    def __init__(self, history_limit=2000):
        self.lock = threading.RLock()
        self.cond = threading.Condition(self.lock)
        self.objects = {}          # (res, ns, name) -> object
        self.index = {}            # res -> ns -> name -> object (LIST/controller without full scans)
        self.ns_rv = {}            # namespace -> resourceVersion of its last change
        self.rv = 100              # global resourceVersion counter
        self.history = []          # (rv, res, type, obj, old)
        self.history_limit = history_limit
        self.oldest_rv = self.rv   # events with rv > oldest_rv are replayable

    def next_rv(self):
        self.rv += 1
        return self.rv

    def record(self, res, typ, obj, old):
        self.ns_rv[obj["metadata"].get("namespace", "")] = self.rv
        self.history.append((int(obj["metadata"]["resourceVersion"]), res, typ, copy.deepcopy(obj),
                             copy.deepcopy(old) if old else None))
        if len(self.history) > self.history_limit:
            drop = len(self.history) - self.history_limit
            self.oldest_rv = self.history[drop - 1][0]
            del self.history[:drop]
        self.cond.notify_all()

    def compact(self):
        with self.lock:
            self.history.clear()
            self.oldest_rv = self.rv
            self.cond.notify_all()

    def put(self, res, obj, typ=None, old=None):
        """Store obj (bumping resourceVersion) and record a watch event."""
        md = obj["metadata"]
        key = (res, md.get("namespace", ""), md["name"])
        old = self.objects.get(key) if old is None else old
        md["resourceVersion"] = str(self.next_rv())
        self.objects[key] = obj
        self.index.setdefault(res, {}).setdefault(key[1], {})[key[2]] = obj
        self.record(res, typ or ("MODIFIED" if old else "ADDED"), obj, old)
        return obj

    def remove(self, res, ns, name):
        obj = self.objects.pop((res, ns, name), None)
        if obj is not None:
            self.index[res][ns].pop(name, None)
            obj = copy.deepcopy(obj)
            obj["metadata"]["resourceVersion"] = str(self.next_rv())
            self.record(res, "DELETED", obj, obj)
        return obj

    def list(self, res, ns=None):
        by_ns = self.index.get(res, {})
        spaces = sorted(by_ns) if ns is None else [ns]
        return [by_ns[n][k] for n in spaces if n in by_ns for k in sorted(by_ns[n])]


# ----------------------------------------------------------------------------- defaults

def image_pull_policy(image):
    tag = image.rsplit("/", 1)[-1]
    if "@" in image:
        return "IfNotPresent"
    return "Always" if (":" not in tag or tag.endswith(":latest")) else "IfNotPresent"


def default_pod_spec(spec):
    spec.setdefault("restartPolicy", "Always")
    spec.setdefault("dnsPolicy", "ClusterFirst")
    spec.setdefault("terminationGracePeriodSeconds", 30)
    spec.setdefault("schedulerName", "default-scheduler")
    spec.setdefault("securityContext", {})
    for c in spec.get("containers") or []:
        c.setdefault("terminationMessagePath", "/dev/termination-log")
        c.setdefault("terminationMessagePolicy", "File")
        c.setdefault("imagePullPolicy", image_pull_policy(c.get("image", "")))
        c.setdefault("resources", {})
        for p in c.get("ports") or []:
            p.setdefault("protocol", "TCP")
        for pr in ("livenessProbe", "readinessProbe", "startupProbe"):
            p = c.get(pr)
            if p:
                for k, v in (("timeoutSeconds", 1), ("periodSeconds", 10), ("successThreshold", 1),
                             ("failureThreshold", 3)):
                    p.setdefault(k, v)
                if "httpGet" in p:
                    p["httpGet"].setdefault("scheme", "HTTP")
                    p["httpGet"].setdefault("path", "/")


# ----------------------------------------------------------------------------- the server

class FakeAPIServer:
    """The fake API server. All delays are in (real) seconds and small by default."""

    def __init__(self, certfile, keyfile, token="test-token", host="127.0.0.1", port=0,
                 kube_version="1.30.0", forbidden=(), history_limit=2000,
                 namespace_termination_seconds=0.3, pod_start_seconds=0.2, pod_ready_seconds=0.2,
                 crash_interval_seconds=0.3, image_pull_backoff_seconds=0.3, lb_ingress_seconds=0.3,
                 progress_deadline_scale=0.01, bookmark_interval_seconds=1.0, tick_seconds=0.05,
                 controller=True):
        self.certfile, self.keyfile, self.token = certfile, keyfile, token
        self.host, self.port = host, port
        self.kube_version = kube_version
        self.forbidden = set(forbidden)
        self.store = Store(history_limit)
        self.namespace_termination_seconds = namespace_termination_seconds
        self.pod_start_seconds = pod_start_seconds
        self.pod_ready_seconds = pod_ready_seconds
        self.crash_interval_seconds = crash_interval_seconds
        self.image_pull_backoff_seconds = image_pull_backoff_seconds
        self.lb_ingress_seconds = lb_ingress_seconds
        self.progress_deadline_scale = progress_deadline_scale
        self.bookmark_interval_seconds = bookmark_interval_seconds
        self.tick_seconds = tick_seconds
        self.controller_enabled = controller
        self.stats = {}
        self.stats_lock = threading.Lock()
        self.stopping = threading.Event()
        self.httpd = None
        self._threads = []
        self._seq = 0
        self._sim = {}   # controller bookkeeping: key -> dict
        self._hashes = {}  # (deployment uid, generation) -> template hash

    # ---- lifecycle
    @property
    def url(self):
        return f"https://{self.host}:{self.port}"

    def start(self):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(self.certfile, self.keyfile)
        ctx.set_alpn_protocols(["http/1.1"])
        fake = self

        class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
            daemon_threads = True
            allow_reuse_address = True

            def get_request(self):
                sock, addr = self.socket.accept()
                return ctx.wrap_socket(sock, server_side=True, do_handshake_on_connect=False), addr

        class Handler(RequestHandler):
            server_fake = fake

        self.httpd = Server((self.host, self.port), Handler)
        self.port = self.httpd.server_address[1]
        t = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
        t.start()
        self._threads.append(t)
        c = threading.Thread(target=self._controller_loop, daemon=True)
        c.start()
        self._threads.append(c)
        return self

    def stop(self):
        self.stopping.set()
        with self.store.lock:
            self.store.cond.notify_all()
        if self.httpd:
            self.httpd.shutdown()
            self.httpd.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *a):
        self.stop()

    # ---- hooks
    def compact(self):
        """Forget the watch history: a watch from any older resourceVersion gets 410 Gone."""
        self.store.compact()

    def reset_stats(self):
        with self.stats_lock:
            self.stats = {}

    def get_stats(self):
        with self.stats_lock:
            by_verb = {}
            for k, n in self.stats.items():
                v = k.split(" ", 1)[0]
                by_verb[v] = by_verb.get(v, 0) + n
            return {"requests": dict(self.stats), "byVerb": by_verb, "total": sum(self.stats.values())}

    def count(self, verb, res):
        with self.stats_lock:
            k = f"{verb} {res}"
            self.stats[k] = self.stats.get(k, 0) + 1

    def get(self, res, ns, name):
        """A copy of a stored object, or None (test helper, not counted)."""
        with self.store.lock:
            o = self.store.objects.get((res, ns or "", name))
            return copy.deepcopy(o) if o else None

    def objects(self, res, ns=None):
        with self.store.lock:
            return copy.deepcopy(self.store.list(res, ns))

    def wait_for(self, predicate, timeout=10.0, interval=0.02):
        end = time.time() + timeout
        while time.time() < end:
            r = predicate()
            if r:
                return r
            time.sleep(interval)
        raise TimeoutError("condition not reached")

    def configure(self, **kw):
        """Change speeds/forbidden list at run time (also POST /_fake/config)."""
        for k, v in kw.items():
            if k == "forbidden":
                self.forbidden = set(v)
            elif hasattr(self, k) and not k.startswith("_"):
                setattr(self, k, v)
            else:
                raise KeyError(k)

    # ---- authorization
    def allowed(self, verb, res):
        for rule in self.forbidden:
            v, _, r = rule.partition(":")
            if v in ("*", verb) and r in ("*", res):
                return False
        return True

    def check_rbac(self, verb, res, ns):
        if not self.allowed(verb, res):
            g = RESOURCES.get(res, ("",))[0]
            where = f' in the namespace "{ns}"' if ns else " at the cluster scope"
            raise APIError(403, "Forbidden",
                           f'{qualified(res) if res in RESOURCES else res} is forbidden: User '
                           f'"system:serviceaccount:landlord:landlord" cannot {verb} resource "{res}" in API '
                           f'group "{g}"{where}', {"group": g, "kind": res})

    # ---- writes
    def _new_meta(self, res, obj, ns):
        md = obj.setdefault("metadata", {})
        if not md.get("name") and md.get("generateName"):
            self._seq += 1
            md["name"] = md["generateName"] + hashlib.sha1(str(self._seq).encode()).hexdigest()[:5]
        if RESOURCES[res][3]:
            md["namespace"] = ns
        md["uid"] = str(uuid.uuid4())
        md["creationTimestamp"] = now_rfc3339()
        if RESOURCES[res][5]:
            md["generation"] = 1

    def _defaults(self, res, obj, old):
        spec = obj.get("spec")
        if res == "namespaces":
            obj.setdefault("metadata", {}).setdefault("labels", {})["kubernetes.io/metadata.name"] = \
                obj["metadata"]["name"]
            obj.setdefault("spec", {}).setdefault("finalizers", ["kubernetes"])
        elif res == "deployments" and spec is not None:
            spec.setdefault("replicas", 1)
            spec.setdefault("revisionHistoryLimit", 10)
            spec.setdefault("progressDeadlineSeconds", 600)
            st = spec.setdefault("strategy", {"type": "RollingUpdate"})
            if st.get("type", "RollingUpdate") == "RollingUpdate":
                st.setdefault("type", "RollingUpdate")
                st.setdefault("rollingUpdate", {}).setdefault("maxUnavailable", "25%")
                st["rollingUpdate"].setdefault("maxSurge", "25%")
            tmpl = spec.setdefault("template", {})
            tmpl.setdefault("metadata", {})
            default_pod_spec(tmpl.setdefault("spec", {}))
        elif res == "services" and spec is not None:
            spec.setdefault("type", "ClusterIP")
            spec.setdefault("sessionAffinity", "None")
            oldspec = (old or {}).get("spec") or {}
            if spec.get("type") != "ExternalName":
                if not spec.get("clusterIP"):
                    ip = oldspec.get("clusterIP")
                    if not ip:
                        self._seq += 1
                        ip = f"10.96.{(self._seq >> 8) & 255}.{self._seq & 255}"
                    spec["clusterIP"] = ip
                spec["clusterIPs"] = [spec["clusterIP"]]
                spec.setdefault("ipFamilies", ["IPv4"])
                spec.setdefault("ipFamilyPolicy", "SingleStack")
                spec.setdefault("internalTrafficPolicy", "Cluster")
            oldports = {(p.get("port"), p.get("protocol", "TCP")): p for p in oldspec.get("ports") or []}
            for p in spec.get("ports") or []:
                p.setdefault("protocol", "TCP")
                p.setdefault("targetPort", p.get("port"))
                if spec["type"] in ("NodePort", "LoadBalancer") and not p.get("nodePort"):
                    prev = oldports.get((p.get("port"), p["protocol"]), {}).get("nodePort")
                    if not prev:
                        self._seq += 1
                        prev = 30000 + self._seq % 2768
                    p["nodePort"] = prev
            if spec["type"] in ("NodePort", "LoadBalancer"):
                spec.setdefault("externalTrafficPolicy", "Cluster")
            if spec["type"] == "LoadBalancer":
                spec.setdefault("allocateLoadBalancerNodePorts", True)
        elif res == "secrets":
            obj.setdefault("type", "Opaque")
            sd = obj.pop("stringData", None)
            if sd:
                data = obj.setdefault("data", {})
                for k, v in sd.items():
                    data[k] = base64.b64encode(str(v).encode()).decode()
        elif res == "networkpolicies" and spec is not None:
            if "policyTypes" not in spec:
                spec["policyTypes"] = ["Ingress"] + (["Egress"] if "egress" in spec else [])
        if res in STATUS_RESET:
            if old is not None and "status" in old:
                obj["status"] = copy.deepcopy(old["status"])
            elif res == "namespaces":
                obj["status"] = {"phase": "Active"}
            elif res == "services":
                obj["status"] = {"loadBalancer": {}}
            else:
                obj.pop("status", None)

    def _validate(self, res, obj, old):
        name = (obj.get("metadata") or {}).get("name", "")
        check = copy.deepcopy(obj)
        check.pop("status", None)
        for k in ("managedFields", "uid", "creationTimestamp", "resourceVersion", "generation",
                  "deletionTimestamp"):
            (check.get("metadata") or {}).pop(k, None)
        causes = schema_causes(check, self.kube_version) + apiserver_rules(res, obj, old)
        if causes:
            raise invalid(res, name, causes)

    def _check_namespace(self, res, ns):
        if not RESOURCES[res][3]:
            return
        nso = self.store.objects.get(("namespaces", "", ns))
        if nso is None:
            raise not_found("namespaces", ns)
        if nso.get("status", {}).get("phase") == "Terminating":
            raise APIError(403, "Forbidden", f'{qualified(res)} "..." is forbidden: unable to create new content '
                           f'in namespace {ns} because it is being terminated',
                           {"kind": res, "causes": [{"reason": "NamespaceTerminating", "message":
                            f"namespace {ns} is being terminated", "field": "metadata.namespace"}]})

    def _set_managed(self, obj, manager, operation, applied, old):
        mfs = [m for m in (old or {}).get("metadata", {}).get("managedFields", [])
               if not (m["manager"] == manager and m["operation"] == operation)]
        mfs.append({"manager": manager, "operation": operation, "apiVersion": obj.get("apiVersion"),
                    "time": now_rfc3339(), "fieldsType": "FieldsV1", "fieldsV1": fields_v1(owned_view(applied))})
        obj["metadata"]["managedFields"] = mfs

    def _finish_write(self, res, obj, old):
        """Generation bump on spec change; no-op writes keep resourceVersion; store + event."""
        if old is not None:
            def strip(o):
                o = copy.deepcopy(o)
                for k in ("resourceVersion", "managedFields"):
                    o["metadata"].pop(k, None)
                return o
            if strip(obj) == strip(old) and \
                    [m["manager"] for m in obj["metadata"].get("managedFields", [])] == \
                    [m["manager"] for m in old["metadata"].get("managedFields", [])]:
                return copy.deepcopy(old)
            if RESOURCES[res][5]:
                g = old["metadata"].get("generation", 1)
                obj["metadata"]["generation"] = g + 1 if obj.get("spec") != old.get("spec") else g
        self.store.put(res, obj, old=old)
        return copy.deepcopy(obj)

    def create(self, res, ns, body, manager="unknown"):
        if not RESOURCES[res][4]:
            raise APIError(405, "MethodNotAllowed", f"the server does not allow this method on the requested "
                           f"resource", {"kind": res})
        with self.store.lock:
            self._check_namespace(res, ns)
            obj = copy.deepcopy(body)
            self._check_kind(res, obj)
            self._new_meta(res, obj, ns)
            name = obj["metadata"].get("name", "")
            if (res, obj["metadata"].get("namespace", ""), name) in self.store.objects:
                raise APIError(409, "AlreadyExists", f'{qualified(res)} "{name}" already exists',
                               {"name": name, "group": RESOURCES[res][0], "kind": res})
            self._defaults(res, obj, None)
            self._validate(res, obj, None)
            self._set_managed(obj, manager, "Update", body, None)
            self.store.put(res, obj)
            if res == "namespaces":
                self._create_default_sa(name)
            return copy.deepcopy(obj)

    def _create_default_sa(self, ns):
        sa = {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default"}}
        self._new_meta("serviceaccounts", sa, ns)
        self.store.put("serviceaccounts", sa)

    def _check_kind(self, res, obj):
        if not isinstance(obj, dict):
            raise APIError(400, "BadRequest", "the object provided is not a JSON/YAML object")
        want_kind, want_av = RESOURCES[res][2], api_version_of(res)
        if obj.get("kind") != want_kind or obj.get("apiVersion") != want_av:
            raise APIError(400, "BadRequest", f'the API version in the data ({obj.get("apiVersion")}) or kind '
                           f'({obj.get("kind")}) does not match the expected {want_av}, Kind={want_kind}')

    def update(self, res, ns, name, body, manager="unknown"):
        if not RESOURCES[res][4]:
            raise APIError(405, "MethodNotAllowed", "the server does not allow this method on the requested "
                           "resource", {"kind": res})
        with self.store.lock:
            self._check_kind(res, body)
            old = self.store.objects.get((res, ns, name))
            if old is None:
                raise not_found(res, name)
            md = body.get("metadata") or {}
            if md.get("name") != name:
                raise APIError(400, "BadRequest", "the name of the object does not match the name on the URL")
            rv = md.get("resourceVersion")
            if rv and rv != old["metadata"]["resourceVersion"]:
                raise conflict(res, name)
            obj = copy.deepcopy(body)
            for k in ("uid", "creationTimestamp", "generation", "namespace", "deletionTimestamp"):
                if k in old["metadata"]:
                    obj["metadata"][k] = old["metadata"][k]
            self._defaults(res, obj, old)
            self._validate(res, obj, old)
            self._set_managed(obj, manager, "Update", body, old)
            return self._finish_write(res, obj, old)

    def apply(self, res, ns, name, body, manager, force):
        if not RESOURCES[res][4]:
            raise APIError(405, "MethodNotAllowed", "the server does not allow this method on the requested "
                           "resource", {"kind": res})
        with self.store.lock:
            self._check_kind(res, body)
            md = body.get("metadata") or {}
            if md.get("name") != name:
                raise APIError(400, "BadRequest", "the name of the object does not match the name on the URL")
            if RESOURCES[res][3] and md.get("namespace") not in (None, ns):
                raise APIError(400, "BadRequest", "the namespace of the provided object does not match the "
                               "namespace sent on the request")
            old = self.store.objects.get((res, ns, name))
            if old is None:
                self._check_namespace(res, ns)
                obj = copy.deepcopy(body)
                obj.get("metadata", {}).pop("resourceVersion", None)
                self._new_meta(res, obj, ns)
                obj["metadata"]["name"] = name
                self._defaults(res, obj, None)
                self._validate(res, obj, None)
                self._set_managed(obj, manager, "Apply", body, None)
                self.store.put(res, obj)
                if res == "namespaces":
                    self._create_default_sa(name)
                return copy.deepcopy(obj), 201
            rv = md.get("resourceVersion")
            if rv and rv != old["metadata"]["resourceVersion"]:
                raise conflict(res, name)
            if not force:
                self._apply_conflicts(res, name, old, body, manager)
            merged = deep_merge(old, body)
            merged["metadata"]["managedFields"] = old["metadata"].get("managedFields", [])
            merged["metadata"]["resourceVersion"] = old["metadata"]["resourceVersion"]
            self._defaults(res, merged, old)
            self._validate(res, merged, old)
            self._set_managed(merged, manager, "Apply", body, old)
            # keep the previous timestamp when this manager's entry does not change
            prev = [m for m in old["metadata"].get("managedFields", [])
                    if m["manager"] == manager and m["operation"] == "Apply"]
            if prev and prev[0]["fieldsV1"] == merged["metadata"]["managedFields"][-1]["fieldsV1"]:
                merged["metadata"]["managedFields"][-1]["time"] = prev[0]["time"]
            return self._finish_write(res, merged, old), 200

    def _apply_conflicts(self, res, name, old, body, manager):
        """Without force: a field another manager set to a different value is a conflict (simplified:
        top-level spec/data fields compared)."""
        causes = []
        for mf in old["metadata"].get("managedFields", []):
            if mf["manager"] == manager:
                continue
            for section in ("spec", "data"):
                theirs = mf["fieldsV1"].get(f"f:{section}", {})
                for f in theirs:
                    k = f[2:]
                    if k in (body.get(section) or {}) and body[section][k] != (old.get(section) or {}).get(k):
                        causes.append({"reason": "FieldManagerConflict",
                                       "message": f'conflict with "{mf["manager"]}": .{section}.{k}',
                                       "field": f".{section}.{k}"})
        if causes:
            raise APIError(409, "Conflict", "Apply failed with %d conflict%s: %s" % (
                len(causes), "s" if len(causes) > 1 else "", "; ".join(c["message"] for c in causes)),
                {"name": name, "group": RESOURCES[res][0], "kind": res, "causes": causes})

    def patch_merge(self, res, ns, name, patch, manager):
        with self.store.lock:
            old = self.store.objects.get((res, ns, name))
            if old is None:
                raise not_found(res, name)
            body = merge_patch(old, patch)
            body["metadata"]["resourceVersion"] = (patch.get("metadata") or {}).get(
                "resourceVersion", old["metadata"]["resourceVersion"])
            return self.update(res, ns, name, body, manager)

    def delete(self, res, ns, name):
        with self.store.lock:
            old = self.store.objects.get((res, ns, name))
            if old is None:
                raise not_found(res, name)
            if res == "namespaces":
                if old["status"].get("phase") != "Terminating":
                    obj = copy.deepcopy(old)
                    obj["metadata"]["deletionTimestamp"] = now_rfc3339()
                    obj["status"] = {"phase": "Terminating"}
                    self.store.put(res, obj, old=old)
                    self._sim[("ns-term", name)] = time.time() + self.namespace_termination_seconds
                return copy.deepcopy(self.store.objects[(res, ns, name)])
            self.store.remove(res, ns, name)
            if res == "deployments":
                for rs in self.store.list("replicasets", ns):
                    if _owned_by(rs, old):
                        self.store.remove("replicasets", ns, rs["metadata"]["name"])
            if res in ("deployments", "replicasets"):
                self._gc_pods(ns)
            return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
                    "details": {"name": name, "group": RESOURCES[res][0], "kind": res,
                                "uid": old["metadata"]["uid"]}}

    def _gc_pods(self, ns):
        uids = {rs["metadata"]["uid"] for rs in self.store.list("replicasets", ns)}
        for p in self.store.list("pods", ns):
            refs = p["metadata"].get("ownerReferences") or []
            if refs and refs[0]["uid"] not in uids:
                self.store.remove("pods", ns, p["metadata"]["name"])

    # ---- the simulated controller
    def _controller_loop(self):
        while not self.stopping.wait(self.tick_seconds):
            if self.controller_enabled:
                try:
                    self.controller_step()
                except Exception as e:  # keep the fake alive; surface in stderr
                    print(f"fake-apiserver controller error: {e!r}", file=sys.stderr)

    def controller_step(self):
        now = time.time()
        with self.store.lock:
            for (kind, ns), deadline in [(k, v) for k, v in self._sim.items() if k[0] == "ns-term"]:
                if now >= deadline:
                    for r in list(self.store.index):
                        if r != "namespaces":
                            for nm in list(self.store.index[r].get(ns, {})):
                                self.store.remove(r, ns, nm)
                    self.store.remove("namespaces", "", ns)
                    del self._sim[(kind, ns)]
            # a completed rollout in a namespace where nothing changed since is not looked at again
            deps = [d for d in self.store.list("deployments")
                    if self._sim.get(("stable", d["metadata"]["uid"])) != self.store.ns_rv.get(d["metadata"]["namespace"])]
            for d in deps:
                self._reconcile_deployment(d, now)
            for p in self.store.list("pods"):
                self._reconcile_pod(p, now)
            for d in deps:
                d = self.store.objects.get(("deployments", d["metadata"]["namespace"], d["metadata"]["name"]))
                if d is not None:
                    self._deployment_status(d, now)
            for s in self.store.list("services"):
                if s["spec"].get("type") == "LoadBalancer" and not s["status"].get("loadBalancer", {}).get("ingress"):
                    key = ("lb", s["metadata"]["uid"])
                    t0 = self._sim.setdefault(key, now)
                    if now - t0 >= self.lb_ingress_seconds:
                        n = copy.deepcopy(s)
                        h = int(hashlib.sha1(s["metadata"]["uid"].encode()).hexdigest(), 16)
                        n["status"] = {"loadBalancer": {"ingress": [{"ip": f"203.0.113.{1 + h % 250}",
                                                                     "ipMode": "VIP"}]}}
                        self.store.put("services", n, old=s)

    def _reconcile_deployment(self, d, now):
        ns, name = d["metadata"]["namespace"], d["metadata"]["name"]
        if d["metadata"].get("deletionTimestamp"):
            return
        tmpl = d["spec"]["template"]
        hk = (d["metadata"]["uid"], d["metadata"].get("generation"))
        h = self._hashes.get(hk) or self._hashes.setdefault(hk, hashlib.sha256(json.dumps(tmpl, sort_keys=True)
                                                                          .encode()).hexdigest())
        phash = "".join("bcdfghjklmnpqrstvwxz2456789"[int(h[i:i + 2], 16) % 27] for i in range(0, 20, 2))
        rss = [rs for rs in self.store.list("replicasets", ns) if _owned_by(rs, d)]
        revs = [int(rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"]) for rs in rss]
        new = next((rs for rs in rss if rs["metadata"]["labels"].get("pod-template-hash") == phash), None)
        maxrev = max(revs) if revs else 0
        key = ("deploy", d["metadata"]["uid"])
        sim = self._sim.setdefault(key, {"progress": now, "rs_created": None})
        if new is None or int(new["metadata"]["annotations"]["deployment.kubernetes.io/revision"]) != maxrev:
            rev = maxrev + 1
            labels = dict((tmpl.get("metadata") or {}).get("labels") or {}, **{"pod-template-hash": phash})
            sel = copy.deepcopy(d["spec"]["selector"])
            sel.setdefault("matchLabels", {})["pod-template-hash"] = phash
            rtmpl = copy.deepcopy(tmpl)
            rtmpl.setdefault("metadata", {})["labels"] = labels
            if new is None:
                new = {"apiVersion": "apps/v1", "kind": "ReplicaSet",
                       "metadata": {"name": f"{name}-{phash}", "labels": labels,
                                    "annotations": {"deployment.kubernetes.io/revision": str(rev),
                                                    "deployment.kubernetes.io/desired-replicas":
                                                        str(d["spec"]["replicas"])},
                                    "ownerReferences": [_owner_ref(d)]},
                       "spec": {"replicas": d["spec"]["replicas"], "selector": sel, "template": rtmpl},
                       "status": {"replicas": 0, "observedGeneration": 1}}
                self._new_meta("replicasets", new, ns)
                self.store.put("replicasets", new)
                reason = "NewReplicaSetCreated"
            else:  # rollback to an older template: the old ReplicaSet takes the next revision
                n = copy.deepcopy(new)
                n["metadata"]["annotations"]["deployment.kubernetes.io/revision"] = str(rev)
                self.store.put("replicasets", n, old=new)
                new = n
                reason = "FoundNewReplicaSet"
            sim.update(progress=now, reason=reason, rs=new["metadata"]["name"])
            dd = copy.deepcopy(d)
            dd["metadata"].setdefault("annotations", {})["deployment.kubernetes.io/revision"] = str(rev)
            self.store.put("deployments", dd, old=d)
            d = dd
        # desired replicas: new RS gets spec.replicas; old ones are scaled to 0 once the new one is available
        want = d["spec"].get("replicas", 1)
        pods = self.store.list("pods", ns)
        new_pods = [p for p in pods if _owned_by(p, new)]
        new_ready = [p for p in new_pods if _pod_ready(p)]
        for rs in self.store.list("replicasets", ns):
            if not _owned_by(rs, d):
                continue
            target = want if rs is new or rs["metadata"]["uid"] == new["metadata"]["uid"] else \
                (0 if len(new_ready) >= want else rs["spec"]["replicas"])
            if rs["spec"]["replicas"] != target:
                n = copy.deepcopy(rs)
                n["spec"]["replicas"] = target
                n["metadata"]["annotations"]["deployment.kubernetes.io/desired-replicas"] = str(want)
                n["metadata"]["generation"] += 1
                self.store.put("replicasets", n, old=rs)
                rs = n
            self._reconcile_rs(rs, [p for p in pods if _owned_by(p, rs)], now)
        # revision history limit
        old_rss = sorted((rs for rs in self.store.list("replicasets", ns) if _owned_by(rs, d)
                          and rs["metadata"]["uid"] != new["metadata"]["uid"] and rs["spec"]["replicas"] == 0),
                         key=lambda r: int(r["metadata"]["annotations"]["deployment.kubernetes.io/revision"]))
        limit = d["spec"].get("revisionHistoryLimit", 10)
        for rs in old_rss[:max(0, len(old_rss) - limit)]:
            if not any(_owned_by(p, rs) for p in pods):
                self.store.remove("replicasets", ns, rs["metadata"]["name"])

    def _reconcile_rs(self, rs, pods, now):
        ns = rs["metadata"]["namespace"]
        want = rs["spec"]["replicas"]
        for p in pods[want:]:
            self.store.remove("pods", ns, p["metadata"]["name"])
        for i in range(len(pods), want):
            self._seq += 1
            suffix = hashlib.sha1(f"{rs['metadata']['uid']}-{self._seq}".encode()).hexdigest()[:5]
            tmpl = copy.deepcopy(rs["spec"]["template"])
            spec = tmpl["spec"]
            spec["nodeName"] = "fake-node-1"
            pod = {"apiVersion": "v1", "kind": "Pod",
                   "metadata": {"name": f"{rs['metadata']['name']}-{suffix}", "labels": tmpl["metadata"]["labels"],
                                "ownerReferences": [_owner_ref(rs)]},
                   "spec": spec,
                   "status": {"phase": "Pending", "qosClass": "BestEffort",
                              "conditions": [{"type": "PodScheduled", "status": "True",
                                              "lastTransitionTime": now_rfc3339()}]}}
            self._new_meta("pods", pod, ns)
            self.store.put("pods", pod)
            self._sim[("pod", pod["metadata"]["uid"])] = {"created": now}
        ready = sum(1 for p in self.store.list("pods", ns) if _owned_by(p, rs) and _pod_ready(p))
        n_pods = sum(1 for p in self.store.list("pods", ns) if _owned_by(p, rs))
        st = {"replicas": n_pods, "fullyLabeledReplicas": n_pods, "readyReplicas": ready,
              "availableReplicas": ready, "observedGeneration": rs["metadata"]["generation"]}
        if rs.get("status") != st:
            n = copy.deepcopy(rs)
            n["status"] = st
            self.store.put("replicasets", n, old=rs)

    def _reconcile_pod(self, p, now):
        sim = self._sim.setdefault(("pod", p["metadata"]["uid"]), {"created": now})
        if sim.get("settled"):
            return
        age = now - sim["created"]
        ns = p["metadata"]["namespace"]
        statuses, phase, all_ready = [], "Pending", True
        started = age >= self.pod_start_seconds
        for c in p["spec"]["containers"]:
            img = c.get("image", "")
            cs = {"name": c["name"], "image": img, "imageID": "", "ready": False, "restartCount": 0,
                  "started": False, "state": {"waiting": {"reason": "ContainerCreating"}}}
            missing = self._missing_config(c, ns)
            if not started:
                pass
            elif "imagepullfail" in img or "does-not-exist" in img:
                n = int((age - self.pod_start_seconds) / self.image_pull_backoff_seconds)
                if n == 0:
                    cs["state"] = {"waiting": {"reason": "ErrImagePull", "message":
                                   f'failed to pull and unpack image "{img}": failed to resolve reference '
                                   f'"{img}": not found'}}
                else:
                    cs["state"] = {"waiting": {"reason": "ImagePullBackOff",
                                               "message": f'Back-off pulling image "{img}"'}}
            elif "badconfig" in img or missing:
                cs["state"] = {"waiting": {"reason": "CreateContainerConfigError",
                                           "message": missing or 'secret "badconfig" not found'}}
            elif "crashloop" in img or "oom" in img:
                restarts = int((age - self.pod_start_seconds) / self.crash_interval_seconds)
                oom = "oom" in img and "crashloop" not in img
                cs["imageID"] = f"{img}@sha256:{hashlib.sha256(img.encode()).hexdigest()}"
                cs["restartCount"] = restarts
                phase = "Running"
                term = {"exitCode": 137 if oom else 1, "reason": "OOMKilled" if oom else "Error",
                        "startedAt": now_rfc3339(), "finishedAt": now_rfc3339(), "containerID":
                        f"containerd://{hashlib.sha1((p['metadata']['uid'] + c['name']).encode()).hexdigest()}"}
                if restarts == 0:
                    cs["state"] = {"running": {"startedAt": now_rfc3339()}}
                    cs["started"] = True
                else:
                    cs["state"] = {"waiting": {"reason": "CrashLoopBackOff", "message":
                                   f"back-off {min(300, 10 * 2 ** (restarts - 1))}s restarting failed "
                                   f"container={c['name']} pod={p['metadata']['name']}"}}
                    cs["lastState"] = {"terminated": term}
            else:
                phase = "Running"
                cs["imageID"] = f"{img}@sha256:{hashlib.sha256(img.encode()).hexdigest()}"
                cs["state"] = {"running": {"startedAt": sim.setdefault("startedAt", now_rfc3339())}}
                cs["started"] = True
                cs["ready"] = age >= self.pod_start_seconds + self.pod_ready_seconds
            all_ready = all_ready and cs["ready"]
            statuses.append(cs)
        if phase == "Pending" and started and any("running" in s["state"] or s["restartCount"] for s in statuses):
            phase = "Running"
        rs = "True" if all_ready else "False"
        t = sim.setdefault("t0", now_rfc3339())
        st = {"phase": phase, "hostIP": "10.0.0.10", "podIP": sim.setdefault("ip", self._pod_ip()),
              "startTime": t, "qosClass": "BestEffort",
              "conditions": [{"type": "PodScheduled", "status": "True", "lastTransitionTime": t},
                             {"type": "Initialized", "status": "True", "lastTransitionTime": t},
                             {"type": "ContainersReady", "status": rs, "lastTransitionTime": t},
                             {"type": "Ready", "status": rs, "lastTransitionTime": t}],
              "containerStatuses": statuses}
        if all_ready and not any(("crashloop" in c.get("image", "") or "oom" in c.get("image", ""))
                                 for c in p["spec"]["containers"]):
            sim["settled"] = True
        if p.get("status") != st:
            # timestamps in states would change every tick: keep the old ones when only they differ
            if _strip_times(p.get("status")) == _strip_times(st):
                return
            n = copy.deepcopy(p)
            n["status"] = st
            self.store.put("pods", n, old=p)

    def _pod_ip(self):
        self._seq += 1
        return f"10.244.{(self._seq >> 8) & 255}.{self._seq & 255}"

    def _missing_config(self, c, ns):
        for e in c.get("env") or []:
            ref = (e.get("valueFrom") or {}).get("secretKeyRef")
            if ref and not ref.get("optional"):
                s = self.store.objects.get(("secrets", ns, ref.get("name", "")))
                if s is None:
                    return f'secret "{ref.get("name")}" not found'
                if ref.get("key") not in (s.get("data") or {}):
                    return f"couldn't find key {ref.get('key')} in Secret {ns}/{ref.get('name')}"
        return None

    def _deployment_status(self, d, now):
        ns = d["metadata"]["namespace"]
        sim = self._sim.get(("deploy", d["metadata"]["uid"]))
        if sim is None:
            return
        rss = [rs for rs in self.store.list("replicasets", ns) if _owned_by(rs, d)]
        if not rss:
            return
        rev = d["metadata"].get("annotations", {}).get("deployment.kubernetes.io/revision")
        new = next((r for r in rss if r["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == rev),
                   rss[-1])
        pods = [p for p in self.store.list("pods", ns) if any(_owned_by(p, rs) for rs in rss)]
        new_pods = [p for p in pods if _owned_by(p, new)]
        ready = sum(1 for p in pods if _pod_ready(p))
        new_ready = sum(1 for p in new_pods if _pod_ready(p))
        want = d["spec"].get("replicas", 1)
        counts = (len(new_pods), new_ready)
        if sim.get("counts") != counts:
            sim["counts"] = counts
            sim["progress"] = now
            if sim.get("reason") in ("NewReplicaSetCreated", "FoundNewReplicaSet") and counts != (0, 0):
                sim["reason"] = "ReplicaSetUpdated"
        complete = len(new_pods) == want and new_ready == want and len(pods) == want
        rsn = new["metadata"]["name"]
        prev = {c["type"]: c for c in (d.get("status") or {}).get("conditions", [])}
        if complete:
            prog = ("True", "NewReplicaSetAvailable", f'ReplicaSet "{rsn}" has successfully progressed.')
        elif prev.get("Progressing", {}).get("reason") == "ProgressDeadlineExceeded" and \
                sim.get("deadline_rs") == rsn:
            prog = ("False", "ProgressDeadlineExceeded", f'ReplicaSet "{rsn}" has timed out progressing.')
        elif now - sim["progress"] > d["spec"].get("progressDeadlineSeconds", 600) * self.progress_deadline_scale:
            prog = ("False", "ProgressDeadlineExceeded", f'ReplicaSet "{rsn}" has timed out progressing.')
            sim["deadline_rs"] = rsn
        elif sim.get("reason") == "NewReplicaSetCreated":
            prog = ("True", "NewReplicaSetCreated", f'Created new replica set "{rsn}"')
        elif sim.get("reason") == "FoundNewReplicaSet":
            prog = ("True", "FoundNewReplicaSet", f'Found new replica set "{rsn}"')
        else:
            prog = ("True", "ReplicaSetUpdated", f'ReplicaSet "{rsn}" is progressing.')
        mu = (d["spec"].get("strategy", {}).get("rollingUpdate") or {}).get("maxUnavailable", "25%")
        max_unavail = int(want * int(mu[:-1]) / 100) if isinstance(mu, str) and mu.endswith("%") else int(mu)
        avail_ok = ready >= want - max_unavail
        avail = ("True", "MinimumReplicasAvailable", "Deployment has minimum availability.") if avail_ok else \
            ("False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability.")

        def cond(typ, v):
            p = prev.get(typ)
            t = now_rfc3339()
            if p and (p["status"], p["reason"], p["message"]) == v:
                return p
            return {"type": typ, "status": v[0], "reason": v[1], "message": v[2], "lastUpdateTime": t,
                    "lastTransitionTime": p["lastTransitionTime"] if p and p["status"] == v[0] else t}
        st = {"observedGeneration": d["metadata"].get("generation", 1), "replicas": len(pods),
              "updatedReplicas": len(new_pods), "readyReplicas": ready, "availableReplicas": ready,
              "conditions": [cond("Available", avail), cond("Progressing", prog)]}
        if len(pods) - ready > 0:
            st["unavailableReplicas"] = len(pods) - ready
        for k in ("readyReplicas", "availableReplicas", "updatedReplicas", "replicas"):
            if st[k] == 0:
                del st[k]   # omitempty, as the real API answers
        if d.get("status") != st:
            n = copy.deepcopy(d)
            n["status"] = st
            self.store.put("deployments", n, old=d)
        unsettled = any(not self._sim.get(("pod", p["metadata"]["uid"]), {}).get("settled") for p in pods)
        if complete and not unsettled:
            self._sim[("stable", d["metadata"]["uid"])] = self.store.ns_rv.get(ns)


def conflict(res, name):
    return APIError(409, "Conflict", f'Operation cannot be fulfilled on {qualified(res)} "{name}": the object has '
                    "been modified; please apply your changes to the latest version and try again",
                    {"name": name, "group": RESOURCES[res][0], "kind": res})


def _strip_times(st):
    if st is None:
        return None
    st = copy.deepcopy(st)
    for cs in st.get("containerStatuses", []):
        for part in ("state", "lastState"):
            for v in (cs.get(part) or {}).values():
                for k in ("startedAt", "finishedAt"):
                    v.pop(k, None)
    return st


def _owner_ref(o):
    return {"apiVersion": o["apiVersion"], "kind": o["kind"], "name": o["metadata"]["name"],
            "uid": o["metadata"]["uid"], "controller": True, "blockOwnerDeletion": True}


def _owned_by(child, owner):
    return any(r.get("uid") == owner["metadata"]["uid"] for r in child["metadata"].get("ownerReferences") or [])


def _pod_ready(p):
    return any(c["type"] == "Ready" and c["status"] == "True" for c in (p.get("status") or {}).get("conditions", []))


# ----------------------------------------------------------------------------- HTTP

PATH_RX = re.compile(r"^/(?:api/v1|apis/(?P<group>[^/]+)/(?P<version>[^/]+))"
                     r"(?:/namespaces/(?P<ns>[^/]+))?/(?P<res>[^/]+)(?:/(?P<name>[^/]+))?(?:/(?P<sub>[^/]+))?$")


class RequestHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake-kube-apiserver/1.0"
    timeout = 300
    server_fake: FakeAPIServer = None

    def setup(self):
        super().setup()
        self.handshake_ok = True
        try:
            self.request.do_handshake()
        except (ssl.SSLError, OSError):   # e.g. a client that does not trust the test CA
            self.handshake_ok = False

    def handle(self):
        if self.handshake_ok:
            try:
                super().handle()
            except (ssl.SSLError, ConnectionError, TimeoutError):
                pass

    def log_message(self, fmt, *args):
        if os.environ.get("FAKE_APISERVER_LOG"):
            sys.stderr.write("fake-apiserver: " + (fmt % args) + "\n")

    # ---- plumbing
    def send_json(self, code, obj, extra_headers=None):
        data = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Audit-Id", str(uuid.uuid4()))
        for k, v in (extra_headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().strip().split(b";")[0], 16)
                if size == 0:
                    self.rfile.readline()
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        return self.rfile.read(n) if n else b""

    def do_GET(self):
        self.dispatch("GET")

    def do_POST(self):
        self.dispatch("POST")

    def do_PUT(self):
        self.dispatch("PUT")

    def do_PATCH(self):
        self.dispatch("PATCH")

    def do_DELETE(self):
        self.dispatch("DELETE")

    def dispatch(self, method):
        fake = self.server_fake
        try:
            body = self.read_body()
        except Exception:
            self.close_connection = True
            return
        u = urllib.parse.urlsplit(self.path)
        q = {k: v[-1] for k, v in urllib.parse.parse_qs(u.query, keep_blank_values=True).items()}
        try:
            if u.path.startswith("/_fake/"):
                return self.fake_hook(method, u.path, body)
            auth = self.headers.get("Authorization", "")
            if auth != f"Bearer {fake.token}":
                raise APIError(401, "Unauthorized", "Unauthorized")
            self.route(method, u.path, q, body)
        except APIError as e:
            self.send_json(e.code, e.status())
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception as e:  # an honest 500 rather than a dropped connection
            self.send_json(500, APIError(500, "InternalError", f"fake apiserver error: {e!r}").status())

    def fake_hook(self, method, path, body):
        fake = self.server_fake
        if path == "/_fake/stats" and method == "GET":
            return self.send_json(200, fake.get_stats())
        if path == "/_fake/reset" and method == "POST":
            fake.reset_stats()
            return self.send_json(200, {"ok": True})
        if path == "/_fake/compact" and method == "POST":
            fake.compact()
            return self.send_json(200, {"ok": True, "resourceVersion": str(fake.store.rv)})
        if path == "/_fake/config" and method == "POST":
            try:
                fake.configure(**json.loads(body or b"{}"))
            except (KeyError, ValueError, TypeError) as e:
                raise APIError(400, "BadRequest", f"bad config: {e}")
            return self.send_json(200, {"ok": True})
        raise APIError(404, "NotFound", "the server could not find the requested resource")

    def decode(self, body, yaml_ok=False):
        try:
            if yaml_ok and yaml is not None:
                obj = yaml.safe_load(body.decode("utf-8"))
            else:
                obj = json.loads(body)
        except Exception as e:
            raise APIError(400, "BadRequest", f"the object provided is unrecognized or malformed: {e}")
        if not isinstance(obj, dict):
            raise APIError(400, "BadRequest", "the object provided is not an object")
        return obj

    def route(self, method, path, q, body):
        fake = self.server_fake
        path = path.rstrip("/") or "/"
        if path == "/version" and method == "GET":
            fake.count("get", "version")
            major, minor = fake.kube_version.split(".")[:2]
            return self.send_json(200, {"major": major, "minor": minor, "gitVersion": f"v{fake.kube_version}",
                                        "gitCommit": "0" * 40, "gitTreeState": "clean",
                                        "buildDate": "2024-04-17T00:00:00Z", "goVersion": "go1.22.2",
                                        "compiler": "gc", "platform": "linux/amd64"})
        if path in ("/healthz", "/readyz", "/livez"):
            body = b"ok"
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", "2")
            self.end_headers()
            return self.wfile.write(body)
        if path == "/api" and method == "GET":
            return self.send_json(200, {"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs":
                                        [{"clientCIDR": "0.0.0.0/0", "serverAddress": f"127.0.0.1:{fake.port}"}]})
        if path == "/apis" and method == "GET":
            groups = sorted({g for g, *_ in RESOURCES.values() if g} | {"authorization.k8s.io"})
            return self.send_json(200, {"kind": "APIGroupList", "apiVersion": "v1", "groups": [
                {"name": g, "versions": [{"groupVersion": f"{g}/v1", "version": "v1"}],
                 "preferredVersion": {"groupVersion": f"{g}/v1", "version": "v1"}} for g in groups]})
        m = re.match(r"^/(?:api/v1|apis/([^/]+)/v1)$", path)
        if m and method == "GET":
            g = m.group(1) or ""
            res = [{"name": r, "singularName": spec[2].lower(), "namespaced": spec[3], "kind": spec[2],
                    "verbs": (["create", "delete", "get", "list", "patch", "update", "watch"] if spec[4]
                              else ["delete", "get", "list", "watch"])}
                   for r, spec in RESOURCES.items() if spec[0] == g]
            if g == "authorization.k8s.io":
                res = [{"name": "selfsubjectaccessreviews", "singularName": "selfsubjectaccessreview",
                        "namespaced": False, "kind": "SelfSubjectAccessReview", "verbs": ["create"]}]
            return self.send_json(200, {"kind": "APIResourceList", "apiVersion": "v1",
                                        "groupVersion": f"{g}/v1" if g else "v1", "resources": res})
        if path == "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews" and method == "POST":
            fake.count("create", "selfsubjectaccessreviews")
            obj = self.decode(body)
            ra = (obj.get("spec") or {}).get("resourceAttributes") or {}
            ok = fake.allowed(ra.get("verb", ""), ra.get("resource", ""))
            obj.setdefault("metadata", {})["creationTimestamp"] = None
            obj["status"] = {"allowed": ok}
            if not ok:
                obj["status"]["reason"] = "forbidden by the fake's RBAC list"
            else:
                obj["status"]["reason"] = 'RBAC: allowed by ClusterRoleBinding "landlord"'
            return self.send_json(201, obj)
        m = PATH_RX.match(path)
        if not m:
            raise APIError(404, "NotFound", "the server could not find the requested resource")
        group, version, ns, res, name, sub = (m.group("group") or "", m.group("version") or "v1", m.group("ns"),
                                              m.group("res"), m.group("name"), m.group("sub"))
        if ns is not None and res == "namespaces":
            raise APIError(404, "NotFound", "the server could not find the requested resource")
        if ns is None and res == "namespaces" and name is None and False:
            pass
        # /api/v1/namespaces/{name} is the namespace itself
        if ns is not None and name is None and res not in RESOURCES:
            raise APIError(404, "NotFound", "the server could not find the requested resource")
        if m.group("ns") is None and res == "namespaces":
            pass
        spec = RESOURCES.get(res)
        if spec is None or spec[0] != group or spec[1] != version or sub is not None:
            # `/api/v1/namespaces/{name}` matches res=namespaces,name=... ; anything else is unknown
            raise APIError(404, "NotFound", "the server could not find the requested resource")
        namespaced = spec[3]
        if not namespaced and ns is not None:
            raise APIError(404, "NotFound", "the server could not find the requested resource")
        if namespaced and ns is None and name is not None:
            raise APIError(404, "NotFound", "the server could not find the requested resource")
        ns_key = ns or ""
        manager = q.get("fieldManager") or "unknown"
        if method == "GET" and name is None:
            watch = q.get("watch", "").lower() in ("true", "1")
            verb = "watch" if watch else "list"
            fake.count(verb, res)
            fake.check_rbac(verb, res, ns)
            lp, fp = parse_label_selector(q.get("labelSelector")), parse_field_selector(q.get("fieldSelector"))
            if watch:
                return self.watch(res, ns, lp, fp, q)
            return self.list(res, ns, lp, fp, q)
        if method == "GET":
            fake.count("get", res)
            fake.check_rbac("get", res, ns)
            o = fake.get(res, ns_key, name)
            if o is None:
                raise not_found(res, name)
            return self.send_json(200, o)
        if method == "POST" and name is None:
            fake.count("create", res)
            fake.check_rbac("create", res, ns)
            if namespaced and ns is None:
                raise APIError(405, "MethodNotAllowed", "the server does not allow this method on the "
                               "requested resource")
            return self.send_json(201, fake.create(res, ns_key, self.decode(body), manager))
        if method == "PUT" and name:
            fake.count("update", res)
            fake.check_rbac("update", res, ns)
            return self.send_json(200, fake.update(res, ns_key, name, self.decode(body), manager))
        if method == "PATCH" and name:
            fake.count("patch", res)
            fake.check_rbac("patch", res, ns)
            ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
            if ctype == "application/apply-patch+yaml":
                if not q.get("fieldManager"):
                    raise APIError(422, "Invalid", 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: '
                                   "Required value: is required for apply patch",
                                   {"group": "meta.k8s.io", "kind": "PatchOptions", "causes": [
                                       {"reason": "FieldValueRequired", "message": "Required value: is required "
                                        "for apply patch", "field": "fieldManager"}]})
                if q.get("force") not in (None, "", "true", "false"):
                    raise APIError(400, "BadRequest", f'invalid value for force: "{q.get("force")}"')
                obj, code = fake.apply(res, ns_key, name, self.decode(body, yaml_ok=True), q["fieldManager"],
                                       q.get("force") == "true")
                return self.send_json(code, obj)
            if ctype == "application/merge-patch+json":
                return self.send_json(200, fake.patch_merge(res, ns_key, name, self.decode(body), manager))
            raise APIError(415, "UnsupportedMediaType", "the body of the request was in an unknown format - "
                           "accepted media types include: application/merge-patch+json, "
                           "application/apply-patch+yaml (this fake does not implement application/json-patch+json"
                           " nor application/strategic-merge-patch+json)")
        if method == "DELETE" and name:
            fake.count("delete", res)
            fake.check_rbac("delete", res, ns)
            if body:
                self.decode(body)  # DeleteOptions: propagationPolicy is accepted, deletion is foreground-like
            pp = q.get("propagationPolicy")
            if pp not in (None, "Foreground", "Background", "Orphan"):
                raise APIError(400, "BadRequest", f'invalid propagationPolicy "{pp}"')
            return self.send_json(200, fake.delete(res, ns_key, name))
        raise APIError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource")

    def list(self, res, ns, lp, fp, q):
        fake = self.server_fake
        with fake.store.lock:
            items = [copy.deepcopy(o) for o in fake.store.list(res, ns) if matches(o, lp, fp)]
            rv = str(fake.store.rv)
        for o in items:   # the real API omits kind/apiVersion on list items
            o.pop("kind", None)
            o.pop("apiVersion", None)
        limit = int(q.get("limit") or 0)
        meta = {"resourceVersion": rv}
        cont = q.get("continue")
        if cont:
            try:
                after = json.loads(base64.urlsafe_b64decode(cont.encode()))["after"]
            except Exception:
                raise APIError(400, "BadRequest", "continue key is not valid")
            items = [o for o in items if [o["metadata"].get("namespace", ""), o["metadata"]["name"]] > after]
        if limit and len(items) > limit:
            last = items[limit - 1]["metadata"]
            meta["continue"] = base64.urlsafe_b64encode(json.dumps(
                {"after": [last.get("namespace", ""), last["name"]]}).encode()).decode()
            meta["remainingItemCount"] = len(items) - limit
            items = items[:limit]
        self.send_json(200, {"kind": RESOURCES[res][2] + "List", "apiVersion": api_version_of(res),
                             "metadata": meta, "items": items})

    def watch(self, res, ns, lp, fp, q):
        fake = self.server_fake
        store = fake.store
        timeout = float(q.get("timeoutSeconds") or 1800)
        bookmarks = q.get("allowWatchBookmarks", "").lower() in ("true", "1")
        rv_param = q.get("resourceVersion", "")
        try:
            start_rv = int(rv_param) if rv_param not in ("", "0") else None
        except ValueError:
            raise APIError(400, "BadRequest", f'invalid resourceVersion "{rv_param}"')
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Audit-Id", str(uuid.uuid4()))
        self.end_headers()

        def emit(ev):
            data = (json.dumps(ev) + "\n").encode()
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            self.wfile.flush()

        def gone(rv):
            return {"type": "ERROR", "object": {"kind": "Status", "apiVersion": "v1", "metadata": {},
                    "status": "Failure", "message": f"too old resource version: {rv} ({store.oldest_rv + 1})",
                    "reason": "Expired", "code": 410}}

        def in_scope(o):
            return ns is None or o["metadata"].get("namespace", "") == ns

        deadline = time.time() + timeout
        next_bookmark = time.time() + fake.bookmark_interval_seconds
        try:
            with store.lock:
                if start_rv is None:
                    initial = [copy.deepcopy(o) for o in store.list(res, ns) if matches(o, lp, fp)]
                    cursor = store.rv
                elif start_rv < store.oldest_rv:
                    initial, cursor = None, None
                else:
                    initial, cursor = [], start_rv
            if initial is None:
                emit(gone(start_rv))
                return
            for o in initial:
                emit({"type": "ADDED", "object": o})
            while not fake.stopping.is_set():
                events = []
                with store.lock:
                    if cursor < store.oldest_rv:
                        events = None
                    else:
                        events = [e for e in store.history if e[0] > cursor and e[1] == res]
                        if store.history:
                            cursor = max(cursor, store.history[-1][0])
                        cursor = max(cursor, store.rv) if not store.history else cursor
                    if events == [] and not fake.stopping.is_set():
                        wait = min(deadline, next_bookmark if bookmarks else deadline) - time.time()
                        if wait > 0:
                            store.cond.wait(wait)
                if events is None:
                    emit(gone(cursor))
                    return
                for rv, _, typ, obj, old in events:
                    if not in_scope(obj):
                        continue
                    now_m = matches(obj, lp, fp)
                    was_m = old is not None and matches(old, lp, fp)
                    if typ == "MODIFIED":
                        if now_m and not was_m:
                            typ = "ADDED"
                        elif was_m and not now_m:
                            typ = "DELETED"
                        elif not now_m:
                            continue
                    elif not now_m:
                        continue
                    emit({"type": typ, "object": obj})
                t = time.time()
                if bookmarks and t >= next_bookmark:
                    emit({"type": "BOOKMARK", "object": {"kind": RESOURCES[res][2], "apiVersion":
                          api_version_of(res), "metadata": {"resourceVersion": str(cursor)}}})
                    next_bookmark = t + fake.bookmark_interval_seconds
                if t >= deadline:
                    break
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
            self.close_connection = True
            return
        finally:
            pass


# ----------------------------------------------------------------------------- test CA

def make_ca(directory, server_url=None, token="test-token"):
    """Generate ca.pem/ca.key, server.pem/server.key (127.0.0.1, localhost) with the openssl CLI,
    and, when server_url is given, a kubeconfig. Returns a dict of paths."""
    os.makedirs(directory, exist_ok=True)
    p = {k: os.path.join(directory, v) for k, v in (("ca", "ca.pem"), ("ca_key", "ca.key"),
                                                     ("cert", "server.pem"), ("key", "server.key"))}
    ext = os.path.join(directory, "server.ext")
    with open(ext, "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n"
                "keyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n")
    csr = os.path.join(directory, "server.csr")

    def run(*args):
        subprocess.run(["openssl", *args], check=True, capture_output=True)
    run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "30",
        "-subj", "/CN=fake-kubernetes-ca", "-keyout", p["ca_key"], "-out", p["ca"],
        "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    run("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-subj", "/CN=kube-apiserver",
        "-keyout", p["key"], "-out", csr)
    run("x509", "-req", "-in", csr, "-CA", p["ca"], "-CAkey", p["ca_key"], "-CAcreateserial", "-days", "30",
        "-extfile", ext, "-out", p["cert"])
    if server_url:
        p["kubeconfig"] = write_kubeconfig(os.path.join(directory, "kubeconfig"), server_url, p["ca"], token)
    return p


def write_kubeconfig(path, server_url, ca_path, token):
    with open(ca_path, "rb") as f:
        ca_data = base64.b64encode(f.read()).decode()
    cfg = {"apiVersion": "v1", "kind": "Config", "current-context": "fake",
           "clusters": [{"name": "fake", "cluster": {"server": server_url, "certificate-authority-data": ca_data}}],
           "users": [{"name": "landlord", "user": {"token": token}}],
           "contexts": [{"name": "fake", "context": {"cluster": "fake", "user": "landlord"}}]}
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(cfg, f, indent=2)   # JSON is YAML: every kubeconfig reader accepts it
    os.replace(tmp, path)
    return path


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--make-ca", metavar="DIR", help="generate a test CA + server cert (and kubeconfig) and exit")
    ap.add_argument("--server", help="with --make-ca: the server URL written into DIR/kubeconfig")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--token", default="test-token")
    ap.add_argument("--ready-file", help="written (atomically) with the address JSON once listening")
    ap.add_argument("--kubeconfig-out", help="write a kubeconfig for the bound address (needs --ca)")
    ap.add_argument("--ca", help="the CA certificate whose data goes into --kubeconfig-out")
    ap.add_argument("--forbid", action="append", default=[], metavar="VERB:RESOURCE",
                    help="deny a verb on a resource (`*` wildcards), e.g. delete:namespaces")
    ap.add_argument("--kube-version", default="1.30.0")
    ap.add_argument("--namespace-termination-seconds", type=float, default=0.3)
    ap.add_argument("--pod-start-seconds", type=float, default=0.2)
    ap.add_argument("--pod-ready-seconds", type=float, default=0.2)
    ap.add_argument("--crash-interval-seconds", type=float, default=0.3)
    ap.add_argument("--lb-ingress-seconds", type=float, default=0.3)
    ap.add_argument("--progress-deadline-scale", type=float, default=0.01,
                    help="real seconds per progressDeadlineSeconds second (600 -> 6s by default)")
    ap.add_argument("--bookmark-interval-seconds", type=float, default=1.0)
    ap.add_argument("--history-limit", type=int, default=2000)
    a = ap.parse_args(argv)
    if a.make_ca:
        print(json.dumps(make_ca(a.make_ca, a.server, a.token)))
        return 0
    if not a.cert or not a.key:
        ap.error("--cert and --key are required (generate them with --make-ca DIR)")
    fake = FakeAPIServer(a.cert, a.key, token=a.token, host=a.host, port=a.port, kube_version=a.kube_version,
                         forbidden=a.forbid, history_limit=a.history_limit,
                         namespace_termination_seconds=a.namespace_termination_seconds,
                         pod_start_seconds=a.pod_start_seconds, pod_ready_seconds=a.pod_ready_seconds,
                         crash_interval_seconds=a.crash_interval_seconds, lb_ingress_seconds=a.lb_ingress_seconds,
                         progress_deadline_scale=a.progress_deadline_scale,
                         bookmark_interval_seconds=a.bookmark_interval_seconds).start()
    info = {"host": fake.host, "port": fake.port, "url": fake.url}
    if a.kubeconfig_out:
        if not a.ca:
            ap.error("--kubeconfig-out needs --ca")
        info["kubeconfig"] = write_kubeconfig(a.kubeconfig_out, fake.url, a.ca, a.token)
    if a.ready_file:
        tmp = a.ready_file + ".tmp"
        with open(tmp, "w") as f:
            json.dump(info, f)
        os.replace(tmp, a.ready_file)
    print(json.dumps(info), flush=True)
    import signal
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    try:
        done.wait()
    except KeyboardInterrupt:
        pass
    fake.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
