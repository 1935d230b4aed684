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
