"""An S3 of its own on 127.0.0.1 for the lake tests (issue 16: a lake's data path on s3://): `moto_server`, the console
script of `moto[server]` (the lake extra), run as a subprocess on a free port and stopped after. It keeps everything in
memory, so it is for tests only.

    with running_moto() as s3:
        s3.make_bucket("lake")
        keys = s3.require_signatures()   # from now on, only requests signed with these keys are answered
        s3.object_keys("lake", "prefix/")

moto answers any request, signed or not, until `require_signatures`: then it checks every signature against the keys
of the IAM users it knows (its INITIAL_NO_AUTH_ACTION_COUNT switch, turned from the outside by /moto-api/reset-auth),
which is what lets a test see a wrong secret refused.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

from tests.support.ports import free_port

REGION = "us-east-1"
START_SECONDS = 30.0


@dataclass(frozen=True)
class S3Keys:
    access_key_id: str
    secret_access_key: str


# before signatures are required moto takes any keys; boto3 still wants some to sign with
_ANY_KEYS = S3Keys("testing", "testing")
_ALLOW_S3 = json.dumps({"Version": "2012-10-17",
                        "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]})


class MotoError(RuntimeError):
    """moto_server could not be started or did not answer; the message is one line."""


def _moto_server() -> str:
    """The console script next to this Python (the lake environment's bin), else one on PATH."""
    beside = Path(sys.executable).parent / "moto_server"
    found = str(beside) if beside.exists() else shutil.which("moto_server")
    if not found:
        raise MotoError("moto_server is not installed: install the lake extra (pip install 'sotawatch[lake]')")
    return found


class MotoServer:
    def __init__(self, port: int):
        self.port = port
        self.endpoint = f"http://127.0.0.1:{port}"
        self.keys: S3Keys | None = None  # the keys every request must be signed with, once `require_signatures`

    def _client(self, service: str):
        import boto3  # moto's own dependency: imported here so that the module loads without it

        return boto3.client(service, endpoint_url=self.endpoint, region_name=REGION,
                            aws_access_key_id=(self.keys or _ANY_KEYS).access_key_id,
                            aws_secret_access_key=(self.keys or _ANY_KEYS).secret_access_key)

    def answers(self) -> bool:
        try:
            return requests.get(f"{self.endpoint}/moto-api/data.json", timeout=1).status_code == 200
        except requests.RequestException:
            return False

    def make_bucket(self, name: str) -> None:
        self._client("s3").create_bucket(Bucket=name)

    def require_signatures(self) -> S3Keys:
        """A new IAM user allowed all of S3, its keys, and from now on every request must be signed with known keys."""
        iam = self._client("iam")
        user = f"sotawatch-{len(iam.list_users()['Users'])}"
        iam.create_user(UserName=user)
        iam.put_user_policy(UserName=user, PolicyName="s3", PolicyDocument=_ALLOW_S3)
        made = iam.create_access_key(UserName=user)["AccessKey"]
        keys = S3Keys(made["AccessKeyId"], made["SecretAccessKey"])
        requests.post(f"{self.endpoint}/moto-api/reset-auth", data=b"0", timeout=10).raise_for_status()
        self.keys = keys
        return keys

    def object_keys(self, bucket: str, prefix: str = "") -> list[str]:
        """Every key in the bucket under the prefix, sorted."""
        pages = self._client("s3").get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        return sorted(item["Key"] for page in pages for item in page.get("Contents", []))


def _wait_until_up(server: MotoServer, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_SECONDS
    while not server.answers():
        if process.poll() is not None or time.monotonic() > deadline:
            said = log.read_text(errors="replace").strip().splitlines()[-1:] or ["(nothing)"]
            state = f"exited with {process.returncode}" if process.poll() is not None else "did not answer"
            raise MotoError(f"moto_server on port {server.port} {state} within {START_SECONDS:.0f} s: {said[0]}")
        time.sleep(0.1)


@contextmanager
def running_moto() -> Iterator[MotoServer]:
    """moto_server on 127.0.0.1 on a free port, answering; stopped (and its log removed) on exit."""
    folder = Path(tempfile.mkdtemp(prefix="sotawatch-moto-"))
    log = folder / "moto.log"
    server = MotoServer(free_port())
    # its own settings only: AWS_* of the test run (or of the machine) must not change what it accepts
    environment = {key: value for key, value in os.environ.items() if not key.startswith(("AWS_", "MOTO_"))}
    with log.open("wb") as output:
        process = subprocess.Popen([_moto_server(), "-H", "127.0.0.1", "-p", str(server.port)],
                                   stdout=output, stderr=subprocess.STDOUT, env=environment)
    try:
        _wait_until_up(server, process, log)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)
