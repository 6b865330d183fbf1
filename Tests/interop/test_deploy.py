"""The deployment files of deploy/ against the schemas and the real binary.

- every Kubernetes manifest validates, in strict mode, against the schemas that
  kubernetes-validate bundles (offline), for the oldest Kubernetes with gRPC
  probes (1.27) and the newest the tool knows;
- the Deployment's probes, security context, grace period and environment fit
  what `landlord` does (`landlord --help` is the source of the option names);
- the systemd unit parses (`systemd-analyze verify`, or an INI parse) and has
  the keys a graceful, hardened service needs;
- the server serves as an unprivileged user, as the image, the Deployment and
  the systemd unit (DynamicUser) run it;
- the Dockerfile's runtime stage installs the Debian packages of every shared
  library the built binary loads (`ldd`), and nothing to build with.
"""

import configparser
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile

import grpc
import kubernetes_validate
import pytest
import yaml

from conftest import LANDLORD_READY, LANDLORD_READY_JSON, ROOT, RunningServer, binary, start_landlord

DEPLOY = ROOT / "deploy"
MANIFESTS = sorted((DEPLOY / "kubernetes").glob("*.yaml"))
DOCKERFILE = DEPLOY / "Dockerfile"
UNIT = DEPLOY / "systemd" / "landlord.service"
ENV_FILE = DEPLOY / "systemd" / "landlord.env"

# 1.27: gRPC probes are GA; the newest: whatever the installed kubernetes-validate bundles.
KUBERNETES_VERSIONS = ["1.27", kubernetes_validate.latest_version()]

COMPUTE_SERVICE = "landlord.compute.v1.ComputeService"
GRPC_PORT = 50051

# Shared libraries of debian:bookworm-slim itself (libc6, libgcc-s1, libstdc++6 are part of it).
BASE_IMAGE_PACKAGES = {"libc6", "libgcc-s1", "libstdc++6"}


def documents(path):
    with open(path) as file:
        return [document for document in yaml.safe_load_all(file) if document]


def resources(kind):
    found = [document for path in MANIFESTS for document in documents(path) if document["kind"] == kind]
    assert found, f"no {kind} in deploy/kubernetes"
    return found


@pytest.fixture(scope="module")
def deployment():
    (deployment,) = resources("Deployment")
    return deployment


@pytest.fixture(scope="module")
def container(deployment):
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    return container


@pytest.fixture(scope="module")
def help_options():
    """{ENV_VAR: default} of every option `landlord --help` lists."""
    result = subprocess.run([binary("landlord"), "--help"], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result
    text = " ".join(result.stdout.split())  # help lines wrap
    options = dict(re.findall(r"\[env: (\w+)\] \(default: ([^)]+)\)", text))
    assert "LANDLORD_LISTEN_ADDRESS" in options and "LANDLORD_DRAIN_TIMEOUT" in options, result.stdout
    return options


# --- Kubernetes --------------------------------------------------------------------------------------


def test_there_are_manifests():
    kinds = {document["kind"] for path in MANIFESTS for document in documents(path)}
    assert {"Deployment", "Service"} <= kinds


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
@pytest.mark.parametrize("path", MANIFESTS, ids=lambda path: path.name)
def test_manifest_validates_strictly(path, version):
    for document in documents(path):
        try:
            kubernetes_validate.validate(document, version, strict=True)
        except kubernetes_validate.ValidationError as error:
            pytest.fail(f"{path.name}: {document['kind']} at {'.'.join(map(str, error.path))}: {error.message}")


def test_validation_is_strict():
    """A misspelt field fails: the check above would catch typos, not only wrong types."""
    document = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "x"},
        "spec": {"ports": [{"port": 1, "targtPort": 1}]},
    }
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(document, KUBERNETES_VERSIONS[-1], strict=True)


def test_probes_use_the_grpc_health_service(container):
    """The kubelet's gRPC probe speaks h2c only: with TLS on, the probes ask the cleartext health
    listener (LANDLORD_HEALTH_LISTEN_ADDRESS, grpc.health.v1 only), else the gRPC port."""
    ports = {port["name"]: port["containerPort"] for port in container["ports"]}
    environment = {item["name"]: item["value"] for item in container["env"]}
    assert ports["grpc"] == GRPC_PORT
    probe_port = GRPC_PORT
    if environment.get("LANDLORD_TLS_CERT"):
        health = environment["LANDLORD_HEALTH_LISTEN_ADDRESS"]
        assert health.startswith("0.0.0.0:"), "the kubelet probes the pod IP"
        probe_port = int(health.rsplit(":", 1)[1])
        assert ports["health"] == probe_port
    liveness = container["livenessProbe"]["grpc"]
    assert liveness["port"] == probe_port
    assert liveness.get("service", "") == ""  # the whole server
    readiness = container["readinessProbe"]["grpc"]
    assert readiness == {"port": probe_port, "service": COMPUTE_SERVICE}


def _mounted(deployment, container, path):
    """The (volume, key) a file path of the container comes from."""
    volumes = {volume["name"]: volume for volume in deployment["spec"]["template"]["spec"]["volumes"]}
    for mount in container.get("volumeMounts", []):
        prefix = mount["mountPath"].rstrip("/") + "/"
        if path.startswith(prefix):
            assert mount.get("readOnly") is True, mount
            return volumes[mount["name"]], path[len(prefix):]
    raise AssertionError(f"{path} is not in a mounted volume")


def test_tls_files_and_policy_are_mounted_from_the_secret_and_configmap(deployment, container):
    environment = {item["name"]: item["value"] for item in container["env"]}
    for variable, key in [("LANDLORD_TLS_CERT", "tls.crt"), ("LANDLORD_TLS_KEY", "tls.key"), ("LANDLORD_TLS_CLIENT_CA", "ca.crt")]:
        volume, file = _mounted(deployment, container, environment[variable])
        assert volume["secret"]["secretName"] == "landlord-tls" and file == key
    volume, file = _mounted(deployment, container, environment["LANDLORD_AUTH_POLICY"])
    (config_map,) = resources("ConfigMap")
    assert volume["configMap"]["name"] == config_map["metadata"]["name"]
    assert file in config_map["data"]


def test_cert_manager_example_issues_the_mounted_secret_for_the_service():
    """deploy/kubernetes/tls/certificate.yaml (cert-manager) writes the Secret the Deployment
    mounts, for the Service's names; it sits apart because its CRD is not part of Kubernetes."""
    (certificate,) = documents(DEPLOY / "kubernetes" / "tls" / "certificate.yaml")
    (service,) = resources("Service")
    assert certificate["apiVersion"] == "cert-manager.io/v1" and certificate["kind"] == "Certificate"
    assert certificate["spec"]["secretName"] == "landlord-tls"
    assert "server auth" in certificate["spec"]["usages"]
    assert service["metadata"]["name"] in certificate["spec"]["dnsNames"]
    assert certificate["spec"]["privateKey"]["rotationPolicy"] == "Always"


def test_security_context(deployment, container):
    pod = deployment["spec"]["template"]["spec"]["securityContext"]
    assert pod["runAsNonRoot"] is True
    assert pod["runAsUser"] != 0
    security = container["securityContext"]
    assert security["runAsNonRoot"] is True
    assert security["allowPrivilegeEscalation"] is False
    assert security["readOnlyRootFilesystem"] is True
    assert security["capabilities"]["drop"] == ["ALL"]
    assert "add" not in security["capabilities"]
    # The image's USER is the same numeric user (runAsNonRoot can only check a numeric one).
    assert f"USER {pod['runAsUser']}:" in runtime_stage()


def test_resources_have_requests_and_limits(container):
    for kind in ["requests", "limits"]:
        assert {"cpu", "memory"} <= set(container["resources"][kind]), kind


def test_grace_period_exceeds_drain_timeout_and_pre_stop(deployment, container, help_options):
    environment = {item["name"]: item["value"] for item in container["env"]}
    drain = float(environment.get("LANDLORD_DRAIN_TIMEOUT", help_options["LANDLORD_DRAIN_TIMEOUT"]))
    pre_stop = container.get("lifecycle", {}).get("preStop", {}).get("exec", {}).get("command", [])
    pause = float(pre_stop[1]) if pre_stop[:1] == ["sleep"] else 0
    assert deployment["spec"]["template"]["spec"]["terminationGracePeriodSeconds"] > drain + pause


def test_deployment_sets_every_option_of_the_server(container, help_options):
    environment = {item["name"]: item["value"] for item in container["env"]}
    assert set(environment) == set(help_options)
    assert environment["LANDLORD_LISTEN_ADDRESS"].endswith(f":{GRPC_PORT}")
    assert environment["COMPUTE_DEFAULT_PROVIDER"] in environment["LANDLORD_PROVIDERS"].split(",")


def test_deployment_environment_is_accepted_by_the_server(container, tmp_path):
    """The server starts with exactly this environment and serves (on a free loopback port:
    start_landlord's --listen wins over LANDLORD_LISTEN_ADDRESS), then drains and exits 0.

    Its kubernetes provider reaches the fake API server: --kubernetes-kubeconfig (a flag, which
    wins over KUBECONFIG) stands in for the pod's in-cluster configuration, which needs a cluster."""
    environment = {item["name"]: item["value"] for item in container["env"]}
    json_logs = environment.get("LANDLORD_LOG_FORMAT") == "json"
    # Its metrics and health ports too (0.0.0.0:9464 and :8081 in the manifest) may be taken on a shared test machine.
    for variable in ["LANDLORD_METRICS_LISTEN_ADDRESS", "LANDLORD_HEALTH_LISTEN_ADDRESS"]:
        if environment.get(variable):
            environment[variable] = "127.0.0.1:0"
    # The mounted files: test certificates for the Secret, the ConfigMap's own policy.
    if environment.get("LANDLORD_TLS_CERT"):
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
             "-keyout", str(tmp_path / "tls.key"), "-out", str(tmp_path / "tls.crt"), "-days", "1", "-subj", "/CN=landlord"],
            check=True, capture_output=True,
        )
        shutil.copy(tmp_path / "tls.crt", tmp_path / "ca.crt")
        for variable, file in [("LANDLORD_TLS_CERT", "tls.crt"), ("LANDLORD_TLS_KEY", "tls.key"), ("LANDLORD_TLS_CLIENT_CA", "ca.crt")]:
            if environment.get(variable):
                environment[variable] = str(tmp_path / file)
    if environment.get("LANDLORD_AUTH_POLICY"):
        (config_map,) = resources("ConfigMap")
        (tmp_path / "policy.json").write_text(config_map["data"][pathlib.PurePath(environment["LANDLORD_AUTH_POLICY"]).name])
        environment["LANDLORD_AUTH_POLICY"] = str(tmp_path / "policy.json")
    extra, fake = [], None
    if "kubernetes" in environment["LANDLORD_PROVIDERS"].split(","):
        sys.path.insert(0, str(ROOT / "Tests" / "fakes" / "kubernetes"))
        from fake_apiserver import FakeAPIServer, make_ca, write_kubeconfig

        paths = make_ca(str(tmp_path))
        fake = FakeAPIServer(paths["cert"], paths["key"], token="deploy-test").start()
        extra = ["--kubernetes-kubeconfig", write_kubeconfig(str(tmp_path / "kubeconfig"), fake.url, paths["ca"], "deploy-test")]
    try:
        server = start_landlord(*extra, env=environment, ready_regex=LANDLORD_READY_JSON if json_logs else LANDLORD_READY)
        try:
            assert server.address.startswith("127.0.0.1:")
        finally:
            assert server.terminate() == 0
    finally:
        if fake is not None:
            fake.stop()


def test_deployment_runs_as_the_service_account_the_cluster_role_is_bound_to(deployment):
    (account,) = resources("ServiceAccount")
    (binding,) = resources("ClusterRoleBinding")
    (role,) = resources("ClusterRole")
    pod = deployment["spec"]["template"]["spec"]
    assert pod["serviceAccountName"] == account["metadata"]["name"]
    assert pod["automountServiceAccountToken"] is True
    assert binding["roleRef"] == {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role["metadata"]["name"]}
    assert binding["subjects"][0]["kind"] == "ServiceAccount" and binding["subjects"][0]["name"] == account["metadata"]["name"]


# The server set SO_DEBUG (SOL_SOCKET option 1) where it meant TCP_NODELAY (IPPROTO_TCP option 1):
# `.socketOption(.tcp_nodelay)` in GRPCServer.bind instead of `.tcpOption(.tcp_nodelay)`. Without
# CAP_NET_ADMIN the kernel refuses SO_DEBUG with EACCES and NIO closes every accepted connection.
def test_server_serves_as_an_unprivileged_user():
    """Docker (USER 10001), Kubernetes (runAsNonRoot, no capabilities) and systemd (DynamicUser)
    all run landlord without privileges: it must accept and serve connections so."""
    from landlord.compute.v1 import compute_pb2 as pb
    from landlord.compute.v1 import compute_pb2_grpc as pb_grpc

    prefix = []
    if os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.skip("running as root without setpriv to drop privileges")
        prefix = ["setpriv", "--reuid", "10001", "--regid", "10001", "--clear-groups"]
    server = RunningServer([*prefix, binary("landlord"), "--listen", "127.0.0.1:0"], ready_regex=LANDLORD_READY)
    try:
        with grpc.insecure_channel(server.address) as channel:
            stub = pb_grpc.ComputeServiceStub(channel)
            assert stub.ListProviders(pb.ListProvidersRequest(), timeout=10).default_provider == "mock"
    finally:
        assert server.terminate() == 0


def test_service_routes_to_the_deployment(deployment, container):
    (service,) = resources("Service")
    pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["selector"].items() <= pod_labels.items()
    assert deployment["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()
    ports = {port["name"]: port for port in service["spec"]["ports"]}
    assert set(ports) == {"grpc", "metrics"}
    assert ports["grpc"]["port"] == GRPC_PORT
    for port in ports.values():
        assert port["targetPort"] in {p["name"] for p in container["ports"]}


def test_pods_are_annotated_for_prometheus(deployment, container):
    """A Prometheus with the usual kubernetes-pods job scrapes the pod from its annotations alone:
    they name the container's `metrics` port, on which LANDLORD_METRICS_LISTEN_ADDRESS listens."""
    annotations = deployment["spec"]["template"]["metadata"]["annotations"]
    ports = {port["name"]: port["containerPort"] for port in container["ports"]}
    environment = {item["name"]: item["value"] for item in container["env"]}
    assert annotations["prometheus.io/scrape"] == "true"
    assert annotations["prometheus.io/path"] == "/metrics"
    assert int(annotations["prometheus.io/port"]) == ports["metrics"]
    assert environment["LANDLORD_METRICS_LISTEN_ADDRESS"] == f"0.0.0.0:{ports['metrics']}"


def test_service_monitor_example_selects_the_metrics_port(deployment):
    """deploy/kubernetes/monitoring/servicemonitor.yaml (Prometheus Operator) scrapes the Service's
    `metrics` port; it sits apart because its CRD is not part of Kubernetes."""
    (monitor,) = documents(DEPLOY / "kubernetes" / "monitoring" / "servicemonitor.yaml")
    (service,) = resources("Service")
    assert monitor["apiVersion"] == "monitoring.coreos.com/v1" and monitor["kind"] == "ServiceMonitor"
    assert monitor["spec"]["selector"]["matchLabels"].items() <= service["metadata"]["labels"].items()
    (endpoint,) = monitor["spec"]["endpoints"]
    assert endpoint["port"] in {port["name"] for port in service["spec"]["ports"]}
    assert endpoint["port"] == "metrics" and endpoint["path"] == "/metrics"


# --- systemd --------------------------------------------------------------------------------------------


def unit():
    parser = configparser.ConfigParser(strict=False, interpolation=None, delimiters=("=",))
    parser.optionxform = str  # keys are case-sensitive
    parser.read_string(UNIT.read_text())
    return parser


def test_systemd_unit_has_required_keys(help_options):
    service = unit()["Service"]
    assert service["Type"] == "exec"
    assert service["ExecStart"].split()[0] == "/usr/local/bin/landlord"
    assert service["DynamicUser"] == "yes"
    assert service["KillSignal"] == "SIGTERM"
    drain = float(help_options["LANDLORD_DRAIN_TIMEOUT"])
    assert float(service["TimeoutStopSec"].rstrip("s")) > drain
    assert service["RestartPreventExitStatus"] == "2"  # invalid configuration: do not loop
    for key in ["NoNewPrivileges", "ProtectHome", "PrivateTmp", "PrivateDevices", "RestrictSUIDSGID", "LockPersonality"]:
        assert service[key] == "yes", key
    assert service["ProtectSystem"] == "strict"
    assert service["CapabilityBoundingSet"] == ""
    assert unit()["Install"]["WantedBy"] == "multi-user.target"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_unit_verifies():
    """systemd's own parser: no unknown key, no bad value (ExecStart pointed at the built binary)."""
    with tempfile.TemporaryDirectory() as directory:
        copy = pathlib.Path(directory) / "landlord.service"
        copy.write_text(UNIT.read_text().replace("/usr/local/bin/landlord", binary("landlord")))
        result = subprocess.run(["systemd-analyze", "verify", str(copy)], capture_output=True, text=True, timeout=60)
        assert result.returncode == 0 and result.stderr.strip() == "", result.stderr

        security = subprocess.run(
            ["systemd-analyze", "security", "--offline=yes", "--no-pager", str(copy)],
            capture_output=True, text=True, timeout=60,
        )
        level = re.search(r"Overall exposure level for \S+: ([\d.]+)", security.stdout)
        if security.returncode == 0 and level:  # --offline needs systemd 252 or newer
            assert float(level.group(1)) <= 2.0, security.stdout


def test_environment_file_lists_every_option_at_its_default(help_options):
    listed = dict(re.findall(r"^#?(\w+)=(.*)$", ENV_FILE.read_text(), flags=re.MULTILINE))
    assert set(listed) == set(help_options)
    for name, default in help_options.items():
        # "(default: none; ...)" in --help is an option left unset: an empty value in the file.
        assert listed[name] == ("" if default.startswith("none") else default), name


# --- Dockerfile -------------------------------------------------------------------------------------------


def stages():
    """The Dockerfile's stages: [(FROM line, text)], continuation lines joined."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    result = []
    for line in text.splitlines():
        if re.match(r"^FROM\s", line):
            result.append([line, ""])
        elif result:
            result[-1][1] += line + "\n"
    return [tuple(stage) for stage in result]


def runtime_stage():
    return stages()[-1][1]


def installed_packages(stage_text):
    packages = set()
    for command in re.findall(r"apt-get install ([^&\n]*)", stage_text):
        packages |= {word for word in command.split() if not word.startswith("-")}
    return packages


def test_dockerfile_is_multi_stage():
    (build_from, build), (runtime_from, runtime) = stages()
    assert "swift:" in build_from and " AS build" in build_from
    assert "-slim" in runtime_from
    assert {"libnghttp2-dev", "libprotobuf-c-dev"} <= installed_packages(build)
    assert "swift build -c release --product landlord --static-swift-stdlib" in build
    assert "COPY --from=build" in runtime
    assert "EXPOSE 50051" in runtime
    assert re.search(r"^USER [1-9]\d*:[1-9]\d*$", runtime, flags=re.MULTILINE)
    assert not [package for package in installed_packages(runtime) if package.endswith("-dev")]


def linked_libraries():
    """{soname: resolved path} of the built binary's shared libraries."""
    result = subprocess.run(["ldd", binary("landlord")], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    libraries = {}
    for line in result.stdout.splitlines():
        match = re.match(r"\s*(\S+) => (\S+)", line)
        if match:
            assert match.group(2) != "not", f"unresolved library: {line.strip()}"
            libraries[match.group(1)] = match.group(2)
    return libraries


def is_swift_runtime(path):
    """Libraries of the Swift toolchain; --static-swift-stdlib links them into the release binary."""
    return "/swift/linux/" in path or re.match(r"lib(swift|Foundation|_Foundation|dispatch|BlocksRuntime)", os.path.basename(path))


def debian_package(soname):
    result = subprocess.run(["dpkg", "-S", soname], capture_output=True, text=True, timeout=30)
    for line in result.stdout.splitlines():
        package, path = line.split(": ", 1)
        if path.endswith("/" + soname):
            return package.split(":")[0]
    return None


@pytest.mark.skipif(shutil.which("ldd") is None or shutil.which("dpkg") is None, reason="needs ldd and dpkg")
def test_runtime_stage_installs_the_libraries_the_binary_links():
    libraries = {soname: path for soname, path in linked_libraries().items() if not is_swift_runtime(path)}
    packages = {soname: debian_package(soname) for soname in libraries}
    unknown = [soname for soname, package in packages.items() if package is None]
    assert not unknown, f"libraries no Debian package provides: {unknown}"
    needed = set(packages.values()) - BASE_IMAGE_PACKAGES
    installed = installed_packages(runtime_stage())
    assert needed <= installed, f"the runtime stage misses {sorted(needed - installed)} ({packages})"
    assert {"libnghttp2-14", "libprotobuf-c1"} <= needed  # the two C libraries really are linked
    # Nothing more than needed: every runtime package is one the binary loads.
    assert installed <= needed, f"the runtime stage installs {sorted(installed - needed)}, which the binary does not load"


def _event_loop_threads(pid):
    names = [pathlib.Path(task, "comm").read_text().strip() for task in pathlib.Path(f"/proc/{pid}/task").iterdir()]
    return sum(1 for name in names if name.startswith("NIO-SGLTN-"))


@pytest.mark.skipif(shutil.which("taskset") is None, reason="needs taskset (util-linux)")
def test_event_loop_threads_follow_the_cpu_affinity():
    """Pinned to one CPU (taskset, systemd CPUAffinity=), the server runs one event loop, not one
    per CPU of the machine; --event-loop-threads overrides the count."""
    pinned = RunningServer(["taskset", "-c", "0", binary("landlord"), "--listen", "127.0.0.1:0"], ready_regex=LANDLORD_READY)
    try:
        assert _event_loop_threads(pinned.process.pid) == 1
    finally:
        assert pinned.terminate() == 0
    explicit = start_landlord("--event-loop-threads", "3")
    try:
        assert _event_loop_threads(explicit.process.pid) == 3
    finally:
        assert explicit.terminate() == 0
