#!/usr/bin/env python3
"""A small command-line client of landlord's ComputeService.

    python3 landlord_client.py providers
    python3 landlord_client.py provision acme --image nginx:1.25
    python3 landlord_client.py status acme
    python3 landlord_client.py watch acme
    python3 landlord_client.py destroy acme

Every command takes --address HOST:PORT (default $LANDLORD_ADDRESS or
127.0.0.1:50051). Results are printed as JSON with the proto field names.
A failed call prints its gRPC status code, its message and, for an invalid
spec, every field violation of the google.rpc.BadRequest the server puts in
`grpc-status-details-bin`; the exit status is then 1.

The stubs are generated from the repository's proto/ folder at start-up with
grpcio-tools (`pip install grpcio grpcio-tools grpcio-status`), so the client
always matches the API it runs against. Only landlord/** is generated: a
generated grpc/ or google/ package would shadow the real grpc and protobuf
packages.
"""

import argparse
import importlib
import os
import pathlib
import sys
import tempfile

import grpc
from google.protobuf import json_format
from google.rpc import error_details_pb2
from grpc_status import rpc_status

DEFAULT_ADDRESS = os.environ.get("LANDLORD_ADDRESS", "127.0.0.1:50051")
PROTO_DIR = pathlib.Path(os.environ.get("LANDLORD_PROTO_DIR", pathlib.Path(__file__).resolve().parents[2] / "proto"))
COMPUTE_PROTO = "landlord/compute/v1/compute.proto"


def load_stubs():
    """Generates the compute.proto stubs into a temporary folder and imports them."""
    from grpc_tools import protoc
    import grpc_tools

    well_known = pathlib.Path(grpc_tools.__file__).parent / "_proto"  # google/protobuf/*.proto
    with tempfile.TemporaryDirectory(prefix="landlord-stubs-") as out:
        status = protoc.main([
            "grpc_tools.protoc",
            f"-I{PROTO_DIR}",
            f"-I{well_known}",
            f"--python_out={out}",
            f"--grpc_python_out={out}",
            str(PROTO_DIR / COMPUTE_PROTO),
        ])
        if status != 0:
            sys.exit(f"could not generate stubs from {PROTO_DIR / COMPUTE_PROTO} (set LANDLORD_PROTO_DIR)")
        sys.path.insert(0, out)
        try:
            # Both modules are loaded now, so the folder may go afterwards.
            pb = importlib.import_module("landlord.compute.v1.compute_pb2")
            pb_grpc = importlib.import_module("landlord.compute.v1.compute_pb2_grpc")
        finally:
            sys.path.remove(out)
    return pb, pb_grpc


pb, pb_grpc = load_stubs()


def show(message):
    print(json_format.MessageToJson(message, preserving_proto_field_name=True, indent=2))


def example_spec(args, provider):
    """A one-container spec that passes every validation rule (unless the arguments break one)."""
    return pb.TenantComputeSpec(
        tenant_id=args.tenant,
        provider_type=provider,
        containers=[
            pb.ContainerSpec(
                name="web",
                image=args.image,
                ports=[pb.PortMapping(container_port=args.port, protocol="tcp", name="http")],
                health_check=pb.HealthCheckConfig(
                    type="http", http_path="/", port=args.port, interval_seconds=10, timeout_seconds=2,
                    healthy_threshold=1, unhealthy_threshold=3,
                ),
            )
        ],
        resources=pb.ResourceRequirements(cpu=args.cpu, memory=args.memory),
        labels=dict(label.split("=", 1) for label in args.label),
    )


# --- commands -------------------------------------------------------------------------------------


def providers(stub, args):
    show(stub.ListProviders(pb.ListProvidersRequest(), timeout=args.timeout))


def provision(stub, args):
    # provider_type is required in a spec; without --provider, use the server's default.
    provider = args.provider or stub.ListProviders(pb.ListProvidersRequest(), timeout=args.timeout).default_provider
    request = pb.ProvisionTenantRequest(spec=example_spec(args, provider))
    show(stub.ProvisionTenant(request, timeout=args.timeout).result)


def status(stub, args):
    request = pb.GetTenantStatusRequest(tenant_id=args.tenant, provider_type=args.provider)
    show(stub.GetTenantStatus(request, timeout=args.timeout).status)


def watch(stub, args):
    # No deadline: the stream runs until the tenant is gone (NOT_FOUND) or Ctrl-C.
    request = pb.WatchTenantStatusRequest(
        tenant_id=args.tenant, provider_type=args.provider, min_interval_ms=args.interval_ms
    )
    updates = stub.WatchTenantStatus(request)
    try:
        for count, update in enumerate(updates, start=1):
            # One line per change, so that the output can be piped (e.g. to jq).
            print(json_format.MessageToJson(update.status, preserving_proto_field_name=True, indent=None), flush=True)
            if args.count and count >= args.count:
                break
    finally:
        updates.cancel()


def destroy(stub, args):
    request = pb.DestroyTenantRequest(tenant_id=args.tenant, provider_type=args.provider)
    stub.DestroyTenant(request, timeout=args.timeout)
    print(f"destroyed {args.tenant}")


# --- errors ---------------------------------------------------------------------------------------


def report(error):
    """Prints a failed call: its code, its message, and the field violations if there are any."""
    print(f"error: {error.code().name}: {error.details()}", file=sys.stderr)
    details = rpc_status.from_call(error)  # google.rpc.Status from grpc-status-details-bin, or None
    for detail in details.details if details else []:
        bad_request = error_details_pb2.BadRequest()
        if detail.Unpack(bad_request):
            for violation in bad_request.field_violations:
                print(f"  {violation.field}: {violation.description}", file=sys.stderr)


# --- command line ---------------------------------------------------------------------------------


def parse_arguments(argv):
    parser = argparse.ArgumentParser(description="A client of landlord.compute.v1.ComputeService.")
    parser.add_argument("--address", default=DEFAULT_ADDRESS, help="HOST:PORT of the server (default: %(default)s)")
    parser.add_argument("--timeout", type=float, default=10.0, help="deadline of each unary call in seconds")
    commands = parser.add_subparsers(dest="command", required=True)

    commands.add_parser("providers", help="list the registered providers").set_defaults(run=providers)

    def tenant_command(name, run, help):
        command = commands.add_parser(name, help=help)
        command.add_argument("tenant", help="tenant id (lowercase letters, digits and '-')")
        command.add_argument("--provider", default="", help="provider type (default: the server's default)")
        command.set_defaults(run=run)
        return command

    command = tenant_command("provision", provision, "provision a tenant with one container")
    command.add_argument("--image", default="nginx:1.25", help="container image (default: %(default)s)")
    command.add_argument("--port", type=int, default=80, help="container port (default: %(default)s)")
    command.add_argument("--cpu", type=int, default=256, help="millicores (default: %(default)s)")
    command.add_argument("--memory", type=int, default=512, help="megabytes (default: %(default)s)")
    command.add_argument("--label", action="append", default=[], metavar="KEY=VALUE", help="a label (repeatable)")

    tenant_command("status", status, "show a tenant's status")

    command = tenant_command("watch", watch, "print a tenant's status now and on every change")
    command.add_argument("--interval-ms", type=int, default=0, help="poll interval (0: the server's 1000 ms)")
    command.add_argument("--count", type=int, default=0, help="stop after this many messages (0: never)")

    tenant_command("destroy", destroy, "destroy a tenant (succeeds if it does not exist)")

    args = parser.parse_args(argv)
    if any("=" not in label for label in getattr(args, "label", [])):
        parser.error("--label takes KEY=VALUE")
    return args


def main(argv=None):
    args = parse_arguments(argv)
    with grpc.insecure_channel(args.address) as channel:
        stub = pb_grpc.ComputeServiceStub(channel)
        try:
            args.run(stub, args)
        except grpc.RpcError as error:
            report(error)
            return 1
        except KeyboardInterrupt:
            return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
