"""The served copy itself: a request's lease keeps its copy open across a swap, and the copy is closed and deleted
once the last request using it ends; the original file is never held between refreshes."""
from __future__ import annotations

import duckdb

from flows.api.warehouse_view import WarehouseView
from tests.flows.api.serving import sota

SQUAD = "pwc-sota-extractor/history/squad@{}.json"


def test_a_lease_outlives_the_swap_and_the_old_copy_goes_after_it(tmp_path, shared_data):
    db = tmp_path / "small.duckdb"
    sota("load", str(shared_data / SQUAD.format("2019-01-03")), "--source", "pwc-dump", "--db", str(db))
    view = WarehouseView(db, interval=60)
    try:
        assert view.refresh() is True and view.refresh() is False  # unchanged: no new copy
        with view.lease() as held:
            first = held.copy
            # the original is free between refreshes: a writer opens it at once
            sota("load", str(shared_data / SQUAD.format("2019-03-27")), "--source", "pwc-dump", "--db", str(db))
            assert view.refresh() is True and view.current is not first
            assert first.path.exists() and held.query(lambda con: con.execute(
                "SELECT count(*) FROM snapshots").fetchone()[0]) == 1  # still the copy it began with
        assert not first.path.exists()
        with view.lease() as now:
            assert now.query(lambda con: con.execute("SELECT count(*) FROM snapshots").fetchone()[0]) == 2
            try:
                now.query(lambda con: con.execute("CREATE TABLE t (x INTEGER)"))
                raise AssertionError("the served copy took a write")
            except duckdb.Error as error:
                assert "read-only" in str(error).lower()
    finally:
        view.stop()
    assert not view.work_folder.exists()
