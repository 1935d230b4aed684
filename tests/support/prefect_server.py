"""A Prefect server of the tests' own, as a team runs one (issue 16): `prefect server start` on 127.0.0.1 with its
database in PostgreSQL, a process work pool, the project's deployments from prefect.yaml, and workers started and
stopped as processes (an idle worker needs a second SIGTERM to stop)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

from tests.support.ports import free_port
from tests.support.postgres import Postgres

REPO = Path(__file__).resolve().parents[2]
PREFECT = str(Path(sys.executable).with_name("prefect"))


class PrefectServerError(RuntimeError):
    pass


class PrefectServer:
    """One server; `env` is what every process talking to it (the CLI, workers, flow runs) needs."""

    def __init__(self, home: Path, database_url: str, extra_env: dict[str, str]):
        self.port = free_port()
        self.api_url = f"http://127.0.0.1:{self.port}/api"
        self.env = {
            **os.environ, **extra_env,
            "PREFECT_HOME": str(home), "PREFECT_API_URL": self.api_url, "DO_NOT_TRACK": "1",
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_LOGGING_LEVEL": "WARNING",
            "PREFECT_API_DATABASE_CONNECTION_URL": database_url, "PREFECT_UI_ENABLED": "false",
        }
        self.log = home / "server.log"
        self.process: subprocess.Popen | None = None
        self.workers: dict[str, subprocess.Popen] = {}
        self.cwd = REPO  # where the CLI runs: `prefect deploy` there makes the deployments' runs start there

    def start(self) -> None:
        env = {k: v for k, v in self.env.items() if k != "PREFECT_API_URL"}
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                [PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(self.port)],
                env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise PrefectServerError(f"prefect server ended: {self.log.read_text()[-2000:]}")
            try:
                if requests.get(f"{self.api_url}/health", timeout=2).ok:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.5)
        raise PrefectServerError(f"prefect server did not answer in 90 s: {self.log.read_text()[-2000:]}")

    def cli(self, *argv: str, timeout: float = 180) -> str:
        done = subprocess.run([PREFECT, *argv], env=self.env, cwd=self.cwd, capture_output=True, text=True,
                              timeout=timeout)
        if done.returncode != 0:
            raise PrefectServerError(f"prefect {' '.join(argv)}: {done.stdout[-1500:]} {done.stderr[-1500:]}")
        return done.stdout

    def api(self, method: str, path: str, body: object | None = None) -> object:
        answer = requests.request(method, f"{self.api_url}{path}", json=body, timeout=30)
        if not answer.ok:
            raise PrefectServerError(f"{method} {path}: {answer.status_code} {answer.text[:500]}")
        return answer.json() if answer.content else None

    def start_run(self, deployment: str, parameters: dict) -> str:
        """A flow run of `deployment` ("flow/deployment"), scheduled now for the pool's workers; its id."""
        found = self.api("GET", f"/deployments/name/{deployment}")
        return self.api("POST", f"/deployments/{found['id']}/create_flow_run", {"parameters": parameters})["id"]

    def wait(self, flow_run_id: str, timeout: float = 600) -> dict:
        """The flow run once it has ended (its `state` has `type`, `name` and `message`)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            run = self.api("GET", f"/flow_runs/{flow_run_id}")
            if run["state"] and run["state"]["type"] in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED"):
                return run
            time.sleep(1)
        raise PrefectServerError(f"flow run {flow_run_id} did not end in {timeout:g} s")

    def flow_runs(self, flow_name: str) -> list[dict]:
        return self.api("POST", "/flow_runs/filter", {"flows": {"name": {"any_": [flow_name]}}})

    def start_worker(self, name: str, pool: str, limit: int, log_folder: Path) -> subprocess.Popen:
        return self.start_worker_command(name, ["worker", "start", "--pool", pool, "--limit", str(limit)], log_folder)

    def start_worker_command(self, name: str, argv: list[str], log_folder: Path) -> subprocess.Popen:
        """`prefect <argv> --name <name>` (a `worker start`) in the background, logging at INFO to a file."""
        log = open(log_folder / f"worker-{name}.log", "wb")  # noqa: SIM115 - kept open while the worker runs
        worker = subprocess.Popen(
            [PREFECT, *argv, "--name", name], env={**self.env, "PREFECT_LOGGING_LEVEL": "INFO"}, cwd=self.cwd,
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.workers[name] = worker
        return worker

    def stop_worker(self, name: str) -> None:
        _stop(self.workers.pop(name))

    def kill_worker(self, name: str) -> None:
        """SIGKILL to the worker and every process of its session (the flow runs it started): a machine lost."""
        worker = self.workers.pop(name)
        try:
            os.killpg(worker.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        worker.wait(timeout=30)

    def stop(self) -> None:
        for name in list(self.workers):
            _stop(self.workers.pop(name))
        if self.process is not None:
            _stop(self.process)


def _stop(process: subprocess.Popen) -> None:
    for _ in range(2):  # an idle worker needs a second SIGTERM
        if process.poll() is not None:
            return
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=15)
            return
        except subprocess.TimeoutExpired:
            continue
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=15)


@contextmanager
def running_prefect_server(home: Path, postgres: Postgres, extra_env: dict[str, str]) -> Iterator[PrefectServer]:
    """A server started with its own new database in the `postgres` cluster, stopped after (its workers too)."""
    database = "prefect_" + uuid.uuid4().hex[:10]
    postgres.create_database(database)
    server = PrefectServer(home, f"postgresql+asyncpg://postgres@127.0.0.1:{postgres.port}/{database}", extra_env)
    try:
        server.start()
        yield server
    finally:
        server.stop()
