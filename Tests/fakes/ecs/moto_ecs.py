"""moto in server mode for the ecs provider's tests: signature checking on, a landlord IAM user
limited to deploy/aws/landlord-ecs-policy.json, and an ECS cluster.

    python3 Tests/fakes/ecs/moto_ecs.py [--region us-east-1] [--cluster landlord-test]

starts `moto_server` on a free loopback port with INITIAL_NO_AUTH_ACTION_COUNT=0 (every request's
SigV4 signature and IAM permissions are checked), lets exactly the set-up calls through unsigned
(moto's /moto-api/reset-auth), prints one JSON line

    {"endpoint": "http://127.0.0.1:PORT", "region": ..., "cluster": ..., "access_key_id": ...,
     "secret_access_key": ..., "pid": ...}

and keeps running until stdin closes or it is terminated (then it stops moto). Python tests import
`start()` and `stop()` instead.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import signal
import socket
import subprocess
import sys
import time
import urllib.request

REPO = pathlib.Path(__file__).resolve().parents[3]
POLICY = REPO / "deploy" / "aws" / "landlord-ecs-policy.json"
# The unsigned set-up calls: iam CreateUser, PutUserPolicy, CreateAccessKey; ec2 CreateVpc,
# CreateSubnet, CreateSecurityGroup (moto checks a service's subnets exist); ecs CreateCluster.
SETUP_CALLS = 7


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(region: str = "us-east-1", cluster: str = "landlord-test") -> dict:
    """Starts moto and sets it up; answers the connection details (and `process`)."""
    import boto3  # imported here so that --help works without it

    port = _free_port()
    env = dict(os.environ, INITIAL_NO_AUTH_ACTION_COUNT="0", MOTO_ALLOW_NONEXISTENT_REGION="true")
    process = subprocess.Popen(
        ["moto_server", "-H", "127.0.0.1", "-p", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.time() + 30
    while True:
        try:
            urllib.request.urlopen(endpoint + "/moto-api/", timeout=1).read()
            break
        except Exception:
            if process.poll() is not None or time.time() > deadline:
                process.kill()
                raise RuntimeError(f"moto_server did not start on {endpoint}")
            time.sleep(0.2)
    try:
        urllib.request.urlopen(urllib.request.Request(
            endpoint + "/moto-api/reset-auth", data=str(SETUP_CALLS).encode(), method="POST",
            # moto reads the raw body: a form content type would hide it.
            headers={"Content-Type": "text/plain"}), timeout=5).read()
        setup = dict(aws_access_key_id="setup", aws_secret_access_key="setup", region_name=region, endpoint_url=endpoint)
        iam = boto3.client("iam", **setup)
        iam.create_user(UserName="landlord")
        iam.put_user_policy(UserName="landlord", PolicyName="landlord-ecs", PolicyDocument=POLICY.read_text())
        key = iam.create_access_key(UserName="landlord")["AccessKey"]
        ec2 = boto3.client("ec2", **setup)
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
        group = ec2.create_security_group(GroupName="landlord-tenants", Description="landlord tenants", VpcId=vpc)["GroupId"]
        boto3.client("ecs", **setup).create_cluster(clusterName=cluster)
    except BaseException:
        # A failed set-up must not leave moto running.
        process.kill()
        process.wait()
        raise
    return {
        "endpoint": endpoint, "region": region, "cluster": cluster, "subnet": subnet, "security_group": group,
        "access_key_id": key["AccessKeyId"], "secret_access_key": key["SecretAccessKey"],
        "pid": process.pid, "process": process,
    }


def stop(moto: dict) -> None:
    process = moto["process"]
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--cluster", default="landlord-test")
    parser.add_argument("--ready-file", help="also write the JSON line to this file (atomically)")
    args = parser.parse_args()
    moto = start(args.region, args.cluster)
    signal.signal(signal.SIGTERM, lambda *_: (stop(moto), sys.exit(0)))
    line = json.dumps({k: v for k, v in moto.items() if k != "process"})
    if args.ready_file:
        pathlib.Path(args.ready_file + ".tmp").write_text(line)
        os.replace(args.ready_file + ".tmp", args.ready_file)
    print(line, flush=True)
    try:
        sys.stdin.read()  # until the parent closes our stdin (or dies)
    finally:
        stop(moto)


if __name__ == "__main__":
    main()
