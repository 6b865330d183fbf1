"""Shared helpers of the benchmark scripts: start a landlord binary, generate
stubs, read a process's memory. Loopback only; every run is bounded."""

import os
import pathlib
import re
import subprocess
import sys
import threading
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
GENERATED = ROOT / "Benchmarks" / "_generated"


def generated_stubs():
    """Python stubs for landlord's own protos (never grpc/** or google/**)."""
    from grpc_tools import protoc
    import grpc_tools

    GENERATED.mkdir(exist_ok=True)
    well_known = pathlib.Path(grpc_tools.__file__).parent / "_proto"
    proto = ROOT / "proto" / "landlord" / "compute" / "v1" / "compute.proto"
    args = ["protoc", f"-I{ROOT / 'proto'}", f"-I{well_known}", f"--python_out={GENERATED}", f"--grpc_python_out={GENERATED}", str(proto)]
    if protoc.main(args) != 0:
        raise RuntimeError("protoc failed")
    for directory in GENERATED.rglob("*"):
        if directory.is_dir():
            (directory / "__init__.py").touch()
    sys.path.insert(0, str(GENERATED))


def default_binary():
    return os.environ.get("LANDLORD_BINARY", str(ROOT / ".build" / "release" / "landlord"))


class Server:
    """A landlord process on 127.0.0.1, started and stopped by the benchmark."""

    READY = re.compile(r"address=(\S+:\d+) .*landlord serving")

    def __init__(self, binary, *args, cpu=None):
        argv = [binary, "--listen", "127.0.0.1:0", "--log-level", "notice", *args]
        if cpu is not None:
            argv = ["taskset", "-c", str(cpu), *argv]
        self.started = time.monotonic()
        self.process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.address = None
        self.lines = []
        ready = threading.Event()

        def pump():
            for line in self.process.stderr:
                self.lines.append(line)
                match = self.READY.search(line)
                if match and not ready.is_set():
                    self.address = match.group(1)
                    ready.set()

        threading.Thread(target=pump, daemon=True).start()
        if not ready.wait(60):
            self.stop()
            raise RuntimeError(f"landlord did not start: {self.lines[-5:]}")

    @property
    def pid(self):
        return self.process.pid

    def rss_kib(self):
        return status_kib(self.pid, "VmRSS")

    def peak_rss_kib(self):
        return status_kib(self.pid, "VmHWM")

    def cpu_seconds(self):
        fields = open(f"/proc/{self.pid}/stat").read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()


def status_kib(pid, key):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise KeyError(key)
