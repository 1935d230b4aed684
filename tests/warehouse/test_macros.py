"""The as-of macros on small boards: ties, direction, unknown dates, extra data, known-at, history steps.

Boards are loaded through the real path (task files -> ingest) and queried from a separate read-only connection,
as any DuckDB client would, without this package.
"""
from datetime import date, datetime

import pytest

from tests.support.boards import board_warehouse
from warehouse.db import connect

ACC = ("Image Classification", "ImageNet")
ERR = ("Image Classification", "ImageNet Error")


def row(model, value, day=None, extra=None, metric="Top 1 Accuracy"):
    entry = {"model": model, "metrics": {metric: value}, "date": day}
    if extra is not None:
        entry["extra"] = extra
    return entry


@pytest.fixture
def warehouse(tmp_path):
    return board_warehouse(tmp_path)


def test_best_result_and_ties_go_to_whoever_got_there_first(warehouse):
    load, query = warehouse
    load("b@2021-01-01.json", {ACC: [row("Late twin", "90%", "2020-05-01"), row("Early", "90%", "2020-03-01"),
                                     row("Lower", "89%", "2019-01-01"), row("Future", "95%", "2020-12-01")]})
    best = "SELECT model, value FROM sota_as_of({}) WHERE metric = 'Top 1 Accuracy'"
    assert query(best.format("DATE '2020-06-01'")) == [("Early", 90.0)]
    assert query(best.format("DATE '2020-02-01'")) == [("Lower", 89.0)]
    assert query(best.format("'2020-12-01'")) == [("Future", 95.0)]
    assert query(best.format("DATE '2018-12-31'")) == []
    ranks = query("SELECT rank, model FROM leaderboard_as_of('Image Classification', 'ImageNet', 'Top 1 Accuracy', DATE '2020-06-01')")
    assert ranks == [(1, "Early"), (1, "Late twin"), (3, "Lower")]


def test_lower_is_better_metrics(warehouse):
    load, query = warehouse
    metric = "Top 1 Error"
    load("e@2021-01-01.json", {ERR: [row("A", "20%", "2015-01-01", metric=metric), row("B", "15%", "2016-01-01", metric=metric),
                                     row("C", "17%", "2017-01-01", metric=metric)]})
    assert query("SELECT model, value FROM sota_as_of(DATE '2020-01-01')") == [("B", 15.0)]
    steps = query("SELECT model, value, previous_value, margin FROM sota_history('Image Classification', 'ImageNet Error', 'Top 1 Error')")
    assert steps == [("A", 20.0, None, None), ("B", 15.0, 20.0, 5.0)]


def test_unknown_dates_count_from_first_sighting(warehouse):
    load, query = warehouse
    load("u@2019-01-01.json", {ACC: [row("Dated", "80%", "2018-06-01")]})
    load("u@2020-01-01.json", {ACC: [row("Dated", "80%", "2018-06-01"), row("Undated", "85%")]})
    best = "SELECT model FROM sota_as_of(DATE '{}')"
    assert query(best.format("2019-12-31")) == [("Dated",)]
    assert query(best.format("2020-01-01")) == [("Undated",)]


def test_extra_training_data_filter_keeps_unknowns(warehouse):
    load, query = warehouse
    load("x@2021-01-01.json", {ACC: [row("Extra", "90%", "2020-01-01", extra=True), row("Plain", "85%", "2020-01-01", extra=False),
                                     row("Unsaid", "87%", "2020-01-01")]})
    assert query("SELECT model FROM sota_as_of(DATE '2021-01-01')") == [("Extra",)]
    assert query("SELECT model FROM sota_as_of(DATE '2021-01-01', extra_data := false)") == [("Unsaid",)]
    assert query("SELECT model FROM sota_as_of(DATE '2021-01-01', extra_data := true)") == [("Extra",)]


def test_known_at_answers_with_what_snapshots_showed_then(warehouse):
    load, query = warehouse
    load("k@2020-01-01.json", {ACC: [row("A", "80%", "2019-01-01"), row("Gone", "82%", "2019-02-01")]})
    load("k@2020-06-01.json", {ACC: [row("A", "83%", "2019-01-01")]})
    best = "SELECT model, value FROM sota_as_of(DATE '2020-12-31'{})"
    assert query(best.format("")) == [("A", 83.0)]
    assert query(best.format(", known_at := DATE '2020-03-01'")) == [("Gone", 82.0)]
    assert query(best.format(", known_at := DATE '2019-12-31'")) == []
    # a bare date means the whole day: the 2020-06-01 snapshot is known "on 2020-06-01"
    assert query(best.format(", known_at := '2020-06-01'")) == [("A", 83.0)]
    assert query(best.format(", known_at := TIMESTAMP '2020-05-31 23:59:59'")) == [("Gone", 82.0)]


def test_history_steps_with_margins_and_descriptive_metrics_never_ranked(warehouse):
    load, query = warehouse
    board = [row("A", "70%", "2012-01-01"), row("B", "75%", "2013-01-01"), row("C", "74%", "2014-01-01"),
             row("D", "75%", "2015-01-01"), row("E", "80%", "2016-01-01")]
    board.append({"model": "E", "metrics": {"Number of params": "60M"}, "date": "2016-01-01"})
    load("h@2021-01-01.json", {ACC: board})
    steps = query("SELECT model, value, previous_value, round(margin, 6) FROM sota_history('Image Classification', 'ImageNet', 'Top 1 Accuracy')")
    assert steps == [("A", 70.0, None, None), ("B", 75.0, 70.0, 5.0), ("E", 80.0, 75.0, 5.0)]
    assert query("SELECT metric FROM sota_as_of(DATE '2021-01-01')") == [("Top 1 Accuracy",)]
    assert query("SELECT direction, unit FROM benchmarks WHERE metric = 'Number of params'") == [("none", "count")]


def test_macros_live_in_the_file(warehouse, tmp_path):
    load, query = warehouse
    load("m@2021-01-01.json", {ACC: [row("A", "80%", "2020-01-01")]})
    names = {r[0] for r in query("SELECT function_name FROM duckdb_functions() WHERE NOT internal")}
    assert {"sota_as_of", "leaderboard_as_of", "sota_history"} <= names
    assert query("SELECT published_on FROM sota_as_of(DATE '2021-01-01')") == [(date(2020, 1, 1),)]


def test_zero_shot_and_linear_probe_are_not_ranked_against_fine_tuned(tmp_path):
    from pipelines.source import RawRow
    from pipelines.normalize import normalize_rows
    from warehouse.load import SnapshotInput, load_snapshot

    def claim(model, value, setting):
        return RawRow(task="Image Classification", dataset="ImageNet", metric="Top 1 Accuracy", model=model,
                      value=value, row_ref=model, arxiv_id="2205.01917", published="2022-05-04",
                      attributes={"setting": setting})

    rows = [claim("CoCa", "91.0%", "finetuned"), claim("CoCa", "86.3%", "zero-shot"),
            claim("CoCa", "90.6%", "frozen-encoder"), claim("Other", "92.0%", "linear-probe")]
    normalized = normalize_rows(rows)
    snapshot = SnapshotInput("arxiv", "test", False, "feed.xml", {}, datetime(2022, 6, 1), b"feed", len(rows),
                             normalized.results, [], 0)
    with connect(tmp_path / "sota.duckdb") as con:
        load_snapshot(con, snapshot, datetime(2022, 6, 1))
        best = "SELECT model, value FROM sota_as_of(DATE '2022-12-31'{}) "
        assert con.execute(best.format("")).fetchall() == [("CoCa", 91.0)]
        assert con.execute(best.format(", known_at := DATE '2022-12-31'")).fetchall() == [("CoCa", 91.0)]
        assert con.execute(best.format(", all_settings := true")).fetchall() == [("Other", 92.0)]
        board = "SELECT value FROM leaderboard_as_of('Image Classification', 'ImageNet', 'Top 1 Accuracy', DATE '2023-01-01'{})"
        assert con.execute(board.format("")).fetchall() == [(91.0,)]
        assert len(con.execute(board.format(", all_settings := true")).fetchall()) == 4
