"""The API answers from a private copy: a writer holding the warehouse (as the nightly run does while it loads)
never stops it, it never blocks the writer, and a committed load is served within seconds of the writer leaving."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time

from tests.flows.api.serving import REPO, serving

HOLD = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
con.execute("CREATE TABLE api_test_probe AS SELECT 1 AS held")  # the file changes while it is held
print("held", flush=True)
time.sleep(float(sys.argv[2]))
con.close()
"""


def _snapshot_total(served) -> tuple[int, str]:
    answer = served.get("/v1/snapshots")
    assert answer.status_code == 200, answer.text
    return answer.json()["total"], answer.headers["etag"]


def test_it_keeps_answering_while_a_writer_holds_the_file(tmp_path, tour_db, shared_data):
    db = tmp_path / "warehouse.duckdb"
    shutil.copyfile(tour_db, db)
    with serving(db, interval=0.2) as served:
        before, etag = _snapshot_total(served)
        assert served.wait_for("/").status_code == 200
        assert "squad@2019-01-03" not in served.get("/snapshots.html").text
        writer = subprocess.Popen([sys.executable, "-c", HOLD, str(db), "3"], stdout=subprocess.PIPE, text=True)
        try:
            assert writer.stdout.readline().strip() == "held"
            started = time.monotonic()
            while time.monotonic() - started < 2:  # the refresher tries and fails to open the file meanwhile
                assert _snapshot_total(served)[0] == before
                time.sleep(0.1)
        finally:
            assert writer.wait(timeout=30) == 0
        # a real load by another process: it gets the file (the API holds it only while copying)
        payload = shared_data / "pwc-sota-extractor" / "history" / "squad@2019-01-03.json"
        loaded = subprocess.run(
            [sys.executable, "-m", "flows.cli", "load", str(payload), "--source", "pwc-dump", "--db", str(db)],
            cwd=REPO, env={**os.environ, "SOTA_LOCK_TIMEOUT": "10"}, capture_output=True, text=True, timeout=120,
            check=False)
        assert loaded.returncode == 0, loaded.stderr
        deadline = time.monotonic() + 15
        while _snapshot_total(served)[0] == before and time.monotonic() < deadline:
            time.sleep(0.2)
        after, new_etag = _snapshot_total(served)
        assert after == before + 1 and new_etag != etag
        # the site is built again from the new copy: its snapshot list shows the new load
        deadline = time.monotonic() + 60
        while "squad@2019-01-03" not in served.get("/snapshots.html").text and time.monotonic() < deadline:
            time.sleep(0.5)
        assert "squad@2019-01-03" in served.get("/snapshots.html").text
