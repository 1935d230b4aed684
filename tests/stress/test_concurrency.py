"""Several `sota` processes on one database at once: a second writer waits or says the database is busy, readers
answer or say busy, nobody prints a traceback, and the warehouse is whole afterwards.

DuckDB lets one process write a file and, while it does, refuses every other process (readers too); the CLI waits
up to SOTA_LOCK_TIMEOUT seconds for the lock and then exits 1 with one line. The long load here is the real Papers
with Code dump (several seconds), so the other commands start while it holds the file.
"""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.conftest import REPO
from warehouse.db import connect

PWC_DUMP = "pwc-dump-2020-08-28/evaluation-tables.json.gz"
IMAGENET_CSV = "ilsvrc-winners/imagenet.csv"


def sota(tmp_path: Path, *args: str, lock_timeout: float) -> subprocess.Popen:
    env = {
        **os.environ, "PYTHONPATH": str(REPO), "SOTA_DB": str(tmp_path / "sota.duckdb"),
        "SOTA_LOCK_TIMEOUT": str(lock_timeout), "COLUMNS": "200",
    }
    env.pop("SOTA_DEBUG", None)
    return subprocess.Popen(
        [sys.executable, "-m", "flows.cli", *args], cwd=tmp_path, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def finish(process: subprocess.Popen, timeout: float = 60.0) -> tuple[int, str, str]:
    stdout, stderr = process.communicate(timeout=timeout)
    return process.returncode, stdout, stderr


def wait_until_locked(db: Path, timeout: float = 20.0) -> None:
    """Until another process holds `db`: a read-only open fails with DuckDB's lock error."""
    import duckdb

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if db.exists():
            try:
                duckdb.connect(str(db), read_only=True).close()
            except duckdb.IOException as error:
                if "lock" in str(error).lower():
                    return
        time.sleep(0.05)
    raise AssertionError(f"{db} was never locked by the loading process")


def assert_answered_or_busy(code: int, stdout: str, stderr: str) -> str:
    assert "Traceback" not in stdout + stderr
    if code == 0:
        return "answered"
    assert code == 1, (code, stdout, stderr)
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and "is busy: another sota process is writing to it" in lines[0], stderr
    return "busy"


def counts(db: Path) -> tuple[int, int, int]:
    con = connect(db, read_only=True)
    try:
        return con.execute(
            "SELECT (SELECT count(*) FROM snapshots WHERE status = 'loaded'), (SELECT count(*) FROM results),"
            " (SELECT count(*) FROM results WHERE first_snapshot_id NOT IN (SELECT snapshot_id FROM snapshots))"
        ).fetchone()
    finally:
        con.close()


def test_a_second_load_waits_for_the_first_within_the_lock_timeout(tmp_path, shared_data):
    db = tmp_path / "sota.duckdb"
    first = sota(tmp_path, "load", str(shared_data / PWC_DUMP), "--source", "pwc-dump", lock_timeout=60)
    wait_until_locked(db)
    second = sota(tmp_path, "load", str(shared_data / IMAGENET_CSV), "--source", "ilsvrc-csv", lock_timeout=60)

    first_code, _, first_err = finish(first)
    second_code, _, second_err = finish(second)

    assert (first_code, second_code) == (0, 0), first_err + second_err
    loaded, results, orphans = counts(db)
    assert (loaded, orphans) == (2, 0) and results > 20_000


def test_while_a_load_holds_the_database_others_wait_or_say_busy_in_one_line_and_nothing_is_corrupted(
    tmp_path, shared_data
):
    db = tmp_path / "sota.duckdb"
    # A committed state to answer from, before the long load starts.
    assert finish(sota(tmp_path, "load", str(shared_data / IMAGENET_CSV), "--source", "ilsvrc-csv", lock_timeout=5))[0] == 0
    before = counts(db)

    load = sota(tmp_path, "load", str(shared_data / PWC_DUMP), "--source", "pwc-dump", lock_timeout=5)
    wait_until_locked(db)
    others = [
        sota(tmp_path, "load", str(shared_data / IMAGENET_CSV), "--source", "ilsvrc-csv", lock_timeout=0.5),
        sota(tmp_path, "asof", "2020-01-01", lock_timeout=0.5),
        sota(tmp_path, "sql", "SELECT count(*) AS n FROM results", lock_timeout=0.5),
        sota(tmp_path, "leaderboard", "--task", "Image Classification", "--dataset", "ImageNet",
             "--metric", "Top 5 Error", lock_timeout=0.5),
    ]
    outcomes = [assert_answered_or_busy(*finish(process)) for process in others]
    load_code, _, load_err = finish(load)

    assert load_code == 0, load_err
    # Each either said busy or (started late on a slow machine) answered after the load: both are fine, a traceback
    # is not. On an idle machine all four say busy: the load holds the file for seconds, they wait half a second.
    assert set(outcomes) <= {"busy", "answered"}
    loaded, results, orphans = counts(db)
    assert (loaded, orphans) == (before[0] + 1, 0) and results > before[1]

    # Once the load is done, the same readers answer from what it committed.
    code, stdout, stderr = finish(sota(tmp_path, "sql", "SELECT count(*) AS n FROM results", lock_timeout=5))
    assert code == 0 and str(results) in stdout, stderr
    assert finish(sota(tmp_path, "asof", "2020-01-01", lock_timeout=5))[0] == 0


# Two runs at once. A run holds the warehouse's run lock from start to end (flows.locks); here the first run's only
# source is held by the loopback server (the request sent, no answer yet) so that it holds the lock for as long as
# the test needs. Each `sota run` starts its own ephemeral Prefect server: the three cold starts dominate the time.

RUN_CONFIG = """
[warehouse]
path = "sota.duckdb"

[run]
retries = 0
http_retries = 0

[[sources]]
name = "winners"
kind = "ilsvrc-csv"
url = "{url}"

[[alerts.channels]]
name = "console"
kind = "console"
"""


class Output:
    """A child's stderr, read line by line in a thread, so the test can wait for a line while the child runs."""

    def __init__(self, stream):
        self.lines: list[str] = []
        self._thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._thread.start()

    def _read(self, stream) -> None:
        for line in stream:
            self.lines.append(line)

    def wait_for(self, text: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [line for line in self.lines if text in line]
            if found:
                return found[0]
            time.sleep(0.1)
        raise AssertionError(f"never printed {text!r}: {''.join(self.lines)[-2000:]}")

    def text(self) -> str:
        self._thread.join(timeout=10)
        return "".join(self.lines)


def test_a_second_run_waits_for_the_first_or_says_which_run_holds_the_warehouse(tmp_path, shared_data):
    from tests.support.http_server import held, serve

    gate = threading.Event()
    with serve(shared_data) as server:
        server.route("/held/imagenet.csv", [held(gate, body=(shared_data / IMAGENET_CSV).read_bytes())])
        config = tmp_path / "sota.toml"
        config.write_text(RUN_CONFIG.format(url=server.url("/held/imagenet.csv")))
        first = sota(tmp_path, "run", "--config", str(config), lock_timeout=5)
        try:
            assert server.wait_for_requests("/held/imagenet.csv", 90), "the first run never fetched its source"

            impatient = sota(tmp_path, "run", "--config", str(config), lock_timeout=1)
            patient = sota(tmp_path, "run", "--config", str(config), lock_timeout=120)
            patient_err = Output(patient.stderr)

            code, out, err = finish(impatient, timeout=120)
            waiting = patient_err.wait_for("waiting up to 120 s for the sota run using", timeout=120)
            # A query meanwhile: the run does not hold the file while it downloads, so the query answers at once.
            reader = finish(sota(tmp_path, "asof", "2020-01-01", lock_timeout=0.5))
            # Until the first run ends, nothing else has fetched the source: the others never started their work.
            assert len(server.requests_to("/held/imagenet.csv")) == 1
        finally:
            gate.set()
        first_code, first_out, first_err = finish(first, timeout=120)
        patient_code = patient.wait(timeout=120)
        patient_out = patient.stdout.read()

    assert "Traceback" not in out + err + first_err + patient_err.text()
    assert code == 1 and out == ""
    assert err.strip().splitlines()[-1] == (
        f"error: another sota run is using {tmp_path / 'sota.duckdb'} (pid {first.pid}, since "
        + err.split(f"(pid {first.pid}, since ", 1)[1].split(")", 1)[0]
        + "); waited 1 s (SOTA_LOCK_TIMEOUT): try again when it has ended"
    ), err
    assert f"(pid {first.pid}, since " in waiting
    assert reader[0] == 0 and "Traceback" not in reader[1] + reader[2], reader

    assert first_code == 0, first_err
    assert first_out.startswith("winners: snapshot 1 of winners (ilsvrc-csv)"), first_out
    # The patient run went after the first had ended: its fetch came later, and found the same bytes.
    assert patient_code == 0, patient_err.text()
    assert "winners: snapshot 2 of winners (ilsvrc-csv)" in patient_out and "unchanged" in patient_out, patient_out
    loaded, results, orphans = counts(tmp_path / "sota.duckdb")
    assert (loaded, results, orphans) == (1, 16, 0)
