"""Loading snapshots: versions, removals, idempotency, order, atomicity and rejects, on a real DuckDB file."""
from datetime import date, datetime

import pytest

from flows.ingest import ingest
from warehouse.db import connect
from pipelines.source import ParseError
from tests.support.boards import board_file
from warehouse import load as load_module

BOARD = ("Image Classification", "ImageNet")
OTHER = ("Question Answering", "SQuAD1.1")


def rows(*entries):
    return [{"model": m, "metrics": {"Top 1 Accuracy": v}, "date": d} for m, v, d in entries]


def table(con, sql, params=None):
    return con.execute(sql, params or []).fetchall()


def versions(con):
    return table(
        con,
        "SELECT model, value, first_seen_at::DATE, removed_at::DATE FROM results ORDER BY model, first_seen_at",
    )


def test_changes_removals_and_unchanged_claims(db, tmp_path):
    first = board_file(tmp_path, "board@2020-01-01.json", {BOARD: rows(("A", "80%", "2019-01-01"), ("B", "81%", "2019-06-01"), ("C", "70%", "2018-01-01"))})
    second = board_file(tmp_path, "board@2020-06-01.json", {BOARD: rows(("A", "80%", "2019-01-01"), ("B", "81.5%", "2019-06-01"))})
    r1 = ingest(db, "pwc-dump", str(first))
    r2 = ingest(db, "pwc-dump", str(second))
    assert (r1.status, r1.observed_at, r1.results_new) == ("loaded", datetime(2020, 1, 1), 3)
    assert (r2.results_new, r2.results_changed, r2.results_unchanged, r2.results_removed) == (0, 1, 1, 1)
    assert versions(db) == [
        ("A", 80.0, date(2020, 1, 1), None),
        ("B", 81.0, date(2020, 1, 1), date(2020, 6, 1)),
        ("B", 81.5, date(2020, 6, 1), None),
        ("C", 70.0, date(2020, 1, 1), date(2020, 6, 1)),
    ]
    # the claim's first sighting survives its new version; the unchanged claim was seen again
    assert table(db, "SELECT claim_first_seen_at::DATE, last_seen_at::DATE FROM results WHERE model = 'B' ORDER BY first_seen_at") == [
        (date(2020, 1, 1), date(2020, 1, 1)),
        (date(2020, 1, 1), date(2020, 6, 1)),
    ]
    assert table(db, "SELECT last_seen_at::DATE FROM results WHERE model = 'A'") == [(date(2020, 6, 1),)]


def test_same_payload_twice_changes_nothing(db, tmp_path):
    path = board_file(tmp_path, "board.json", {BOARD: rows(("A", "80%", "2019-01-01"))})
    first = ingest(db, "pwc-dump", str(path), observed_at="2020-01-01")
    before = table(db, "SELECT * FROM results"), table(db, "SELECT * FROM snapshots")
    again = ingest(db, "pwc-dump", str(path), observed_at="2020-01-01")
    assert again.status == "already-loaded" and again.snapshot_id == first.snapshot_id
    assert (table(db, "SELECT * FROM results"), table(db, "SELECT * FROM snapshots")) == before
    later = ingest(db, "pwc-dump", str(path), observed_at="2020-02-01")
    assert later.status == "unchanged"
    assert table(db, "SELECT count(*), max(last_seen_at)::DATE FROM results") == [(1, date(2020, 2, 1))]
    assert table(db, "SELECT count(*) FROM payloads") == [(1,)]


def test_a_payload_only_touches_the_boards_it_lists(db, tmp_path):
    both = board_file(tmp_path, "all@2020-01-01.json", {BOARD: rows(("A", "80%", None)), OTHER: rows(("Q", "90", None))})
    one = board_file(tmp_path, "imagenet@2020-02-01.json", {BOARD: rows(("A2", "82%", None))})
    ingest(db, "pwc-dump", str(both))
    report = ingest(db, "pwc-dump", str(one))
    assert report.results_removed == 1  # A, on the listed board; Q on the other board stays
    assert table(db, "SELECT model FROM results WHERE removed_at IS NULL ORDER BY model") == [("A2",), ("Q",)]


def everything(con):
    """The record without its ids: every version, snapshot and reject."""
    return (
        table(con, "SELECT model, value, first_seen_at, last_seen_at, removed_at, claim_first_seen_at FROM results ORDER BY ALL"),
        table(con, "SELECT observed_at, status, results_new, results_changed, results_unchanged, results_removed FROM snapshots ORDER BY ALL"),
    )


def test_history_loaded_in_any_order_ends_as_if_loaded_in_order(db, tmp_path, tmp_path_factory):
    files = [
        board_file(tmp_path, "b@2020-01-01.json", {BOARD: rows(("A", "79%", None), ("B", "70%", None))}),
        board_file(tmp_path, "b@2020-06-01.json", {BOARD: rows(("A", "80%", None))}),
        board_file(tmp_path, "b@2021-01-01.json", {BOARD: rows(("A", "80%", None), ("C", "85%", None))}),
        board_file(tmp_path, "b@2021-06-01.json", {BOARD: rows(("A", "80%", None))}),  # C gone; same bytes as June 2020
    ]
    for path in files:
        ingest(db, "pwc-dump", str(path))
    in_order = everything(db)
    assert versions(db) == [
        ("A", 79.0, date(2020, 1, 1), date(2020, 6, 1)),
        ("A", 80.0, date(2020, 6, 1), None),
        ("B", 70.0, date(2020, 1, 1), date(2020, 6, 1)),
        ("C", 85.0, date(2021, 1, 1), date(2021, 6, 1)),
    ]
    for order in ([3, 1, 0, 2], [2, 3, 0, 1], [1, 0, 3, 2]):
        other = connect(tmp_path_factory.mktemp("order") / "sota.duckdb")
        reports = [ingest(other, "pwc-dump", str(files[i])) for i in order]
        assert everything(other) == in_order, order
        assert all(r.status in ("loaded", "unchanged") for r in reports)
        # loading any of them again changes nothing
        assert ingest(other, "pwc-dump", str(files[order[0]])).status == "already-loaded"
        assert everything(other) == in_order
        other.close()


def test_a_payload_observed_earlier_that_does_not_parse_is_kept_as_failed_and_changes_nothing(db, tmp_path):
    ingest(db, "pwc-dump", str(board_file(tmp_path, "b@2021-01-01.json", {BOARD: rows(("A", "80%", None))})))
    before = everything(db)
    broken = tmp_path / "b@2020-01-01.json"
    broken.write_text('[{"task": "Image Classification", "datasets": [')
    with pytest.raises(ParseError, match="invalid JSON"):
        ingest(db, "pwc-dump", str(broken))
    assert table(db, "SELECT observed_at::DATE, status FROM snapshots ORDER BY observed_at") == [
        (date(2020, 1, 1), "failed"), (date(2021, 1, 1), "loaded"),
    ]
    assert everything(db)[0] == before[0]


def test_a_payload_that_does_not_parse_is_kept_as_a_failed_snapshot(db, tmp_path):
    good = board_file(tmp_path, "b@2020-01-01.json", {BOARD: rows(("A", "80%", None))})
    ingest(db, "pwc-dump", str(good))
    broken = tmp_path / "b@2020-02-01.json"
    broken.write_text('[{"task": "Image Classification", "datasets": [')
    with pytest.raises(ParseError, match="invalid JSON"):
        ingest(db, "pwc-dump", str(broken))
    assert table(db, "SELECT status, error LIKE '%invalid JSON%' FROM snapshots ORDER BY snapshot_id") == [
        ("loaded", None),
        ("failed", True),
    ]
    assert table(db, "SELECT count(*) FROM payloads") == [(2,)]
    assert versions(db) == [("A", 80.0, date(2020, 1, 1), None)]


def test_a_load_that_fails_midway_leaves_no_trace(db, tmp_path, monkeypatch):
    ingest(db, "pwc-dump", str(board_file(tmp_path, "b@2020-01-01.json", {BOARD: rows(("A", "80%", None))})))
    before = [table(db, f"SELECT * FROM {t}") for t in ("results", "snapshots", "benchmarks", "rejects", "payloads")]
    real_run = load_module.run

    def failing_run(con, name, params=None):
        if name == "insert_rejects":  # after versions were written and closed
            raise RuntimeError("disk went away")
        return real_run(con, name, params)

    monkeypatch.setattr(load_module, "run", failing_run)
    changed = board_file(tmp_path, "b@2020-02-01.json", {BOARD: rows(("B", "81%", None)), OTHER: rows(("Q", "1", None))})
    with pytest.raises(RuntimeError, match="disk went away"):
        ingest(db, "pwc-dump", str(changed))
    after = [table(db, f"SELECT * FROM {t}") for t in ("results", "snapshots", "benchmarks", "rejects", "payloads")]
    assert after == before


def test_rejects_are_stored_with_reasons(db, tmp_path):
    board = rows(("A", "80%", None), ("B", "N/A", None), ("", "70%", None), ("C", "7537%", None), ("D", "85%", "2999-01-01"),
                 ("", "60%", None))
    board[2]["paper"] = ""  # no model and no paper: nothing to name the claim by
    path = board_file(tmp_path, "b@2020-01-01.json", {BOARD: board})
    report = ingest(db, "pwc-dump", str(path))
    assert (report.rows_parsed, report.rows_loaded, report.rows_rejected) == (6, 2, 4)
    # a row with no model name but a paper is named by its paper's title, as Papers with Code shows it
    assert db.execute("SELECT model FROM results WHERE value = 60").fetchall() == [("Paper of",)]
    assert table(db, "SELECT row_ref, reason FROM rejects ORDER BY row_ref") == [
        ("Image Classification / ImageNet / row 1", "Top 1 Accuracy: no value reported ('N/A')"),
        ("Image Classification / ImageNet / row 2", "Top 1 Accuracy: the row has no model name"),
        ("Image Classification / ImageNet / row 3", "Top 1 Accuracy: value 7537 fails 'percent within 0..100'"),
        ("Image Classification / ImageNet / row 4", "Top 1 Accuracy: published_on: failed check 'not in the future' (value datetime.date(2999, 1, 1))"),
    ]
