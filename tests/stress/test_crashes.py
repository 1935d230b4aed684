"""A load killed with SIGKILL leaves the warehouse with the whole snapshot or none of it, and a rerun completes it;
killed during new-SOTA detection it leaves no record and no alert; killed during delivery it loses no alert.

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
from datetime import datetime
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


def start_script(tmp_path: Path, code: str, *args: str) -> subprocess.Popen:
    script = tmp_path / "child.py"
    script.write_text(code)
    return subprocess.Popen(
        [sys.executable, str(script), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(REPO)},
    )


def start_child(tmp_path: Path, payload: Path, *, hook: bool) -> subprocess.Popen:
    return start_script(tmp_path, CHILD, str(tmp_path / "sota.duckdb"), str(payload), "hook" if hook else "-")


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


# New-SOTA detection and alert delivery. The warehouse first holds the 2019 ImageNet hand copy (a backfill: the
# baseline); loading the 2020 dump then records the moves on ImageNet and queues their alerts, inside the load's
# transaction, as the nightly flow does (its `NewSotaHook` hook). Delivery runs after the commit, one row at a time.

HANDCOPY = "pwc-imagenet-2019-handcopy/imagenet_table.csv"

DETECT_CHILD = """
import sys, time
import warehouse.sota_detect as detect
from flows.ingest import ingest
from flows.new_sota import NewSotaHook
from warehouse.db import connect
from warehouse.sota_detect import Rule

db, payload, stage = sys.argv[1], sys.argv[2], sys.argv[3]
queue_alerts = detect.enqueue_alerts

def killed_here(con, new_records, channels, now):
    if stage == "records":  # the records are written, their outbox rows not yet
        print("KILL-ME", len(new_records), flush=True)
        time.sleep(60)
    queued = queue_alerts(con, new_records, channels, now)
    if stage == "outbox":  # records and outbox rows written, the load's COMMIT still to come
        print("KILL-ME", queued, flush=True)
        time.sleep(60)
    return queued

detect.enqueue_alerts = killed_here
con = connect(db)
ingest(con, "pwc-dump", payload, after_load=NewSotaHook([Rule()], ["team-hook"], backfill=False))
print("DONE", flush=True)
"""

DELIVER_CHILD = """
import sys
from datetime import datetime
from flows.alerts import WebhookChannel, deliver_pending
from warehouse.db import connect

db, first_hook, second_hook = sys.argv[1], sys.argv[2], sys.argv[3]
con = connect(db)
print("DELIVERING", flush=True)
deliver_pending(con, {"hook-a": WebhookChannel(first_hook), "hook-b": WebhookChannel(second_hook)}, datetime.now())
print("DONE", flush=True)
"""


def load_with_watch(db: Path, kind: str, payload: Path, channels: list[str], *, observed_at: str | None = None):
    from flows.new_sota import NewSotaHook
    from warehouse.sota_detect import Rule

    watch = NewSotaHook([Rule()], channels, backfill=observed_at is not None)  # every benchmark watched, as the child
    con = connect(db)
    try:
        options = {"task": "Image Classification", "dataset": "ImageNet"} if kind == "csv" else {}
        report = ingest(con, kind, str(payload), options=options, observed_at=observed_at, after_load=watch)
    finally:
        con.close()
    assert report.status == "loaded"
    return watch.records


def alert_state(db: Path) -> dict:
    con = connect(db)
    try:
        return {
            "snapshots": con.execute("SELECT count(*) FROM snapshots").fetchone()[0],
            "records": con.execute("SELECT count(*) FROM sota_records WHERE NOT is_backfill").fetchone()[0],
            "outbox": con.execute(
                "SELECT channel, status, count(*) FROM alert_outbox GROUP BY ALL ORDER BY ALL"
            ).fetchall(),
            "records_without_snapshot": con.execute(
                "SELECT count(*) FROM sota_records WHERE snapshot_id NOT IN (SELECT snapshot_id FROM snapshots)"
            ).fetchone()[0],
        }
    finally:
        con.close()


@pytest.fixture
def baseline(tmp_path, shared_data) -> Path:
    """A warehouse holding the hand copy, loaded as history: the baseline the dump's results are compared with."""
    db = tmp_path / "sota.duckdb"
    assert load_with_watch(db, "csv", shared_data / HANDCOPY, ["team-hook"], observed_at="2019-11-13") == []
    return db


@pytest.mark.parametrize("stage", ["records", "outbox"])
def test_killed_during_sota_detection_records_nothing_and_a_rerun_records_and_alerts_once(
    tmp_path, shared_data, baseline, stage
):
    from flows.alerts import WebhookChannel, deliver_pending
    from tests.support.http_server import Reply, serve

    dump = shared_data / PWC_DUMP
    child = start_script(tmp_path, DETECT_CHILD, str(baseline), str(dump), stage)
    try:
        wait_for_line(child, "KILL-ME", timeout=60)
    finally:
        kill(child)

    # Nothing of the killed load: no snapshot, no record, no outbox row; the baseline as it was.
    assert alert_state(baseline) == {"snapshots": 1, "records": 0, "outbox": [], "records_without_snapshot": 0}

    records = load_with_watch(baseline, "pwc-dump", dump, ["team-hook"])
    assert "FixEfficientNet-L2" in {record.model for record in records}
    print(f"{stage}: the rerun recorded {len(records)} moves: {sorted(r.model for r in records)}")
    state = alert_state(baseline)
    assert state == {"snapshots": 2, "records": len(records), "outbox": [("team-hook", "pending", len(records))],
                     "records_without_snapshot": 0}

    with serve() as server:
        server.route("/hook", [Reply(204)])
        con = connect(baseline)
        try:
            first = deliver_pending(con, {"team-hook": WebhookChannel(server.url("/hook"))}, datetime.now())
            again = deliver_pending(con, {"team-hook": WebhookChannel(server.url("/hook"))}, datetime.now())
        finally:
            con.close()
        posts = server.requests_to("/hook", method="POST")
    assert len(first.delivered) == len(records) and again.delivered == [] and again.failed == []
    assert sorted(post.json()["alert_id"] for post in posts) == sorted(record.alert_id for record in records)


def test_killed_during_delivery_loses_no_alert_and_repeats_only_the_one_in_flight_with_its_idempotency_key(
    tmp_path, shared_data, baseline
):
    import threading

    from flows.alerts import WebhookChannel, deliver_pending
    from tests.support.http_server import Reply, held, serve

    records = load_with_watch(baseline, "pwc-dump", shared_data / PWC_DUMP, ["hook-a", "hook-b"])
    rows = 2 * len(records)
    gate = threading.Event()
    with serve() as server:
        server.route("/a", [Reply(204)])
        server.route("/b", [held(gate, status=204, body=b"")])  # the first send to hook-b never gets its answer
        child = start_script(tmp_path, DELIVER_CHILD, str(baseline), server.url("/a"), server.url("/b"))
        try:
            wait_for_line(child, "DELIVERING")
            in_flight = server.wait_for_requests("/b", 30)
            assert len(in_flight) == 1, "the child never sent to hook-b"
        finally:
            kill(child)
            gate.set()

        # The row sent to hook-a was answered and marked; the one in flight is still pending; none is lost.
        state = alert_state(baseline)
        still_for_a = [("hook-a", "pending", len(records) - 1)] if len(records) > 1 else []
        assert state["outbox"] == [("hook-a", "delivered", 1), *still_for_a, ("hook-b", "pending", len(records))]

        server.route("/b", [Reply(204)])
        con = connect(baseline)
        try:
            rerun = deliver_pending(con, {"hook-a": WebhookChannel(server.url("/a")),
                                          "hook-b": WebhookChannel(server.url("/b"))}, datetime.now())
            again = deliver_pending(con, {"hook-a": WebhookChannel(server.url("/a")),
                                          "hook-b": WebhookChannel(server.url("/b"))}, datetime.now())
        finally:
            con.close()
        posts = server.requests_to("/a", method="POST") + server.requests_to("/b", method="POST")

    assert len(rerun.delivered) == rows - 1 and rerun.failed == [] and again.delivered == []
    assert alert_state(baseline)["outbox"] == [("hook-a", "delivered", len(records)),
                                               ("hook-b", "delivered", len(records))]
    keys = [post.headers["Idempotency-Key"] for post in posts]
    # Every row reached its receiver; only the one in flight when the process died went twice, with the same key
    # (and the same delivery_id in its body), so a receiver that drops repeated keys shows it once.
    assert len(set(keys)) == rows
    repeated = {key for key in keys if keys.count(key) > 1}
    in_flight_key = in_flight[0].headers["Idempotency-Key"]
    assert repeated == {in_flight_key} and keys.count(in_flight_key) == 2
    assert {post.json()["delivery_id"] for post in posts} == set(keys)
