"""Shared fixtures of the interop tests: stubs generated from the repository's
.proto files with grpcio-tools, and servers started from the built binaries.

The client is Python grpcio: an implementation independent of ours, so these
tests prove the server speaks gRPC as other clients expect it.
"""

import os
import pathlib
import queue
import re
import signal
import subprocess
import sys
import threading
import time

import pytest

collect_ignore = ["_generated"]

ROOT = pathlib.Path(__file__).resolve().parents[2]
GENERATED = pathlib.Path(__file__).resolve().parent / "_generated"
BUILD_DIR = pathlib.Path(os.environ.get("LANDLORD_BUILD_DIR", ROOT / ".build" / "debug"))

PROTO_ROOTS = [ROOT / "proto", ROOT / "Tests" / "proto"]
# Only our own files: generating grpc/** or google/** would shadow the grpc and
# protobuf packages; health, reflection and google.rpc stubs come from
# grpcio-health-checking, grpcio-reflection and grpcio-status.
PROTO_FILES = [
    "landlord/compute/v1/compute.proto",
    "landlord/testing/v1/test_service.proto",
]


def _generate_stubs():
    from grpc_tools import protoc
    import grpc_tools

    GENERATED.mkdir(exist_ok=True)
    well_known = pathlib.Path(grpc_tools.__file__).parent / "_proto"
    for proto in PROTO_FILES:
        include = next(root for root in PROTO_ROOTS if (root / proto).exists())
        args = [
            "protoc",
            f"-I{ROOT / 'proto'}",
            f"-I{ROOT / 'Tests' / 'proto'}",
            f"-I{well_known}",
            f"--python_out={GENERATED}",
            f"--grpc_python_out={GENERATED}",
            str(include / proto),
        ]
        if protoc.main(args) != 0:
            raise RuntimeError(f"protoc failed for {proto}")
    for directory in GENERATED.rglob("*"):
        if directory.is_dir():
            (directory / "__init__.py").touch()


_generate_stubs()
sys.path.insert(0, str(GENERATED))


class RunningServer:
    """A server process started by a test, with its output kept for assertions."""

    def __init__(self, argv, env=None, ready_prefix="LISTENING ", ready_regex=None):
        self.argv = argv
        self.lines = []
        self._lines = queue.Queue()
        self.process = subprocess.Popen(
            argv,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, **(env or {})},
        )
        threading.Thread(target=self._pump, daemon=True).start()
        if ready_regex is not None:
            line = self.wait_for_line(ready_regex, timeout=60, regex=True)
            self.address = re.search(ready_regex, line).group(1)
        else:
            self.address = self.wait_for_line(ready_prefix, timeout=60)[len(ready_prefix):].strip()

    def _pump(self):
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))
            self._lines.put(line.rstrip("\n"))

    def wait_for_line(self, prefix_or_text, timeout=10.0, contains=False, regex=False):
        """Waits for an output line starting with (or containing, or matching) the text."""
        deadline = time.monotonic() + timeout

        def matches(line):
            if regex:
                return re.search(prefix_or_text, line) is not None
            return (prefix_or_text in line) if contains else line.startswith(prefix_or_text)

        for line in list(self.lines):
            if matches(line):
                return line
        while time.monotonic() < deadline:
            if self.process.poll() is not None and self._lines.empty():
                raise AssertionError(f"server exited with {self.process.returncode}: {self.lines[-20:]}")
            try:
                line = self._lines.get(timeout=0.1)
            except queue.Empty:
                continue
            if matches(line):
                return line
        raise AssertionError(f"no line {prefix_or_text!r} within {timeout}s; output: {self.lines[-20:]}")

    def count_lines(self, text):
        return sum(1 for line in list(self.lines) if text in line)

    def terminate(self, sig=signal.SIGTERM, timeout=30):
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


def binary(name):
    path = BUILD_DIR / name
    if not path.exists():
        pytest.fail(f"{path} is missing: build it first (make test builds it)")
    return str(path)


@pytest.fixture(scope="session")
def interop_server():
    server = RunningServer([binary("landlord-interop-server"), "--port", "0", "--max-receive-message-size", str(4 * 1024 * 1024)])
    yield server
    server.terminate()


@pytest.fixture(scope="session")
def interop_address(interop_server):
    return interop_server.address


LANDLORD_READY = r"address=(\S+:\d+) .*landlord serving"


LANDLORD_READY_JSON = r'"message":"landlord serving".*"address":"([^"]+)"'


def start_landlord(*extra_args, env=None, ready_regex=LANDLORD_READY):
    """The real `landlord` executable on a free loopback port."""
    return RunningServer(
        [binary("landlord"), "--listen", "127.0.0.1:0", *extra_args],
        env=env,
        ready_regex=ready_regex,
    )


@pytest.fixture(scope="session")
def landlord_server():
    server = start_landlord()
    yield server
    server.terminate()


def wait_for_status(read_status, condition, timeout=20):
    """Polls `read_status()` every 0.1 s until `condition` holds for what it returns (that value is
    returned), failing the test with the last value after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    status = read_status()
    while not condition(status):
        assert time.monotonic() < deadline, f"status never matched: {status}"
        time.sleep(0.1)
        status = read_status()
    return status
