"""A load killed with SIGKILL leaves the warehouse with the whole snapshot or none of it, and a rerun completes it.

A child process loads the real Papers with Code dump (about 24 000 results, several seconds) into a DuckDB file and is
killed at points spread over the load, once from inside the load's transaction (the `after_load` hook prints a marker
and waits to be killed). Afterwards the file opens, its counts agree with its snapshot rows (no snapshot without its
results, no results without their snapshot), and loading again gives the complete snapshot.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from flows.ingest import ingest
from tests.conftest import REPO
from warehouse.db import connect

PWC_DUMP = "pwc-dump-2020-08-28/evaluation-tables.json.gz"

CHILD = """
import sys, time
from flows.ingest import ingest
from warehouse.db import connect

db, payload, hook = sys.argv[1], sys.argv[2], sys.argv[3]

def wait_inside_the_transaction(con, snapshot_id):
    print("INSIDE", snapshot_id, flush=True)
    time.sleep(60)  # the parent kills us here, with every row written but nothing committed

con = connect(db)
print("LOADING", flush=True)
ingest(con, "pwc-dump", payload, after_load=wait_inside_the_transaction if hook == "hook" else None)
con.close()
print("DONE", flush=True)
"""


def start_child(tmp_path: Path, payload: Path, *, hook: bool) -> subprocess.Popen:
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen(
        [sys.executable, str(script), str(tmp_path / "sota.duckdb"), str(payload), "hook" if hook else "-"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path, env=env,
    )


def wait_for_line(child: subprocess.Popen, marker: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = child.stdout.readline()
        if line.startswith(marker):
            return
        if not line and child.poll() is not None:
            pytest.fail(f"child exited {child.returncode} before {marker}: {child.stderr.read()[-2000:]}")
    pytest.fail(f"child never printed {marker}")


def kill(child: subprocess.Popen) -> None:
    if child.poll() is None:
        child.send_signal(signal.SIGKILL)
    child.wait(timeout=10)
    child.stdout.close()
    child.stderr.close()


def warehouse_state(db: Path) -> dict:
    """What a user would check after the crash: the counts, and whether they agree with the snapshot rows."""
    con = connect(db)  # a writer: DuckDB replays or discards its write-ahead log here
    try:
        def one(query: str):
            return con.execute(query).fetchone()[0]

        return {
            "snapshots": one("SELECT count(*) FROM snapshots"),
            "loaded": one("SELECT count(*) FROM snapshots WHERE status = 'loaded'"),
            "results": one("SELECT count(*) FROM results"),
            "rejects": one("SELECT count(*) FROM rejects"),
            "promised_results": one("SELECT coalesce(sum(rows_loaded), 0) FROM snapshots WHERE status = 'loaded'"),
            "promised_rejects": one("SELECT coalesce(sum(rows_rejected), 0) FROM snapshots"),
            "orphan_results": one(
                "SELECT count(*) FROM results WHERE first_snapshot_id NOT IN (SELECT snapshot_id FROM snapshots)"
            ),
            "orphan_rejects": one(
                "SELECT count(*) FROM rejects WHERE snapshot_id NOT IN (SELECT snapshot_id FROM snapshots)"
            ),
            "orphan_boards": one(
                "SELECT count(*) FROM snapshot_boards WHERE snapshot_id NOT IN (SELECT snapshot_id FROM snapshots)"
            ),
        }
    finally:
        con.close()


def assert_all_or_nothing(state: dict) -> None:
    assert state["orphan_results"] == state["orphan_rejects"] == state["orphan_boards"] == 0, state
    assert (state["results"], state["rejects"]) == (state["promised_results"], state["promised_rejects"]), state
    if state["snapshots"] == 0:
        assert state["results"] == state["rejects"] == 0, state
    else:
        assert (state["snapshots"], state["loaded"]) == (1, 1) and state["results"] > 20_000, state


def rerun_completes(db: Path, payload: Path) -> dict:
    con = connect(db)
    try:
        report = ingest(con, "pwc-dump", str(payload))
    finally:
        con.close()
    assert report.status in ("loaded", "unchanged")
    state = warehouse_state(db)
    assert_all_or_nothing(state)
    assert state["loaded"] == 1
    return state


def test_killed_inside_the_load_transaction_keeps_nothing_and_a_rerun_loads_the_whole_snapshot(
    tmp_path, shared_data
):
    payload = shared_data / PWC_DUMP
    child = start_child(tmp_path, payload, hook=True)
    try:
        wait_for_line(child, "INSIDE", timeout=45)
    finally:
        kill(child)

    state = warehouse_state(tmp_path / "sota.duckdb")
    assert_all_or_nothing(state)
    assert state["snapshots"] == state["results"] == 0

    after = rerun_completes(tmp_path / "sota.duckdb", payload)
    assert (after["snapshots"], after["loaded"]) == (1, 1)


@pytest.mark.parametrize("delay", [1.5, 4.0, 6.5])
def test_killed_at_any_point_of_the_load_keeps_all_or_nothing(tmp_path, shared_data, delay):
    payload = shared_data / PWC_DUMP
    child = start_child(tmp_path, payload, hook=False)
    try:
        wait_for_line(child, "LOADING")
        time.sleep(delay)
    finally:
        kill(child)

    assert_all_or_nothing(warehouse_state(tmp_path / "sota.duckdb"))
