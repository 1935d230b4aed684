"""Values far outside their board's spread (issue 12), through the real load path into a DuckDB file: kept with their
reason, left out of SOTA, boards, histories, the frontier and alerts unless `suspects := true`, and counted over the
real 2020 dump and timm's history (the rule itself: pipelines/suspects.py; its cases: tests/pipelines/test_normalize.py).
"""
import json

import pytest

from flows.cli import main
from flows.ingest import ingest
from flows.new_sota import NewSotaHook
from pipelines.normalize import normalize_rows
from pipelines.registry import get_source
from tests.support.boards import board_file, board_warehouse
from warehouse.db import connect
from warehouse.sota_detect import Rule

BOARD = ("Image Classification", "Tiny Board")
NAMES = "'Image Classification', 'Tiny Board', 'Accuracy'"
# a board of plain numbers (no unit declared nor written, so no range refuses 885), best first as PwC lists it
SOUND = [("Net 0", "86.1", "2020-01-10"), ("Net 1", "85.0", "2019-11-02"), ("Net 2", "84.3", "2019-06-01"),
         ("Net 3", "83.9", "2019-03-15"), ("Net 4", "82.0", "2018-12-01"), ("Net 5", "80.2", "2018-06-20"),
         ("Net 6", "79.9", "2018-01-05"), ("Net 7", "77.4", "2017-07-01"), ("Net 8", "75.0", "2017-01-01")]
TYPO = ("Typo Net", "885", "2020-06-01")  # 88.5 with its decimal point lost


def rows(*entries):
    ordered = sorted(entries, key=lambda e: -float(e[1]))
    return {BOARD: [{"model": model, "metrics": {"Accuracy": value}, "date": day} for model, value, day in ordered]}


@pytest.fixture
def warehouse(tmp_path):
    load, query = board_warehouse(tmp_path)
    return (lambda name, *entries, **settings: load(name, rows(*entries), **settings)), query


def test_a_mistyped_value_that_would_lead_is_kept_flagged_and_left_out_of_sota(warehouse):
    load, query = warehouse
    load("tiny@2020-07-01.json", *SOUND, TYPO)
    best = "SELECT model, value, is_suspect FROM sota_as_of(DATE '2021-01-01'{}) WHERE dataset = 'Tiny Board'"
    assert query(best.format("")) == [("Net 0", 86.1, False)]
    assert query(best.format(", suspects := true")) == [("Typo Net", 885.0, True)]
    # every path of the macro leaves it out: as known at a day, with every setting, from the frontier
    assert query(best.format(", known_at := DATE '2020-07-01'")) == [("Net 0", 86.1, False)]
    assert query(best.format(", all_settings := true")) == [("Net 0", 86.1, False)]
    assert query(best.format(", known_at := DATE '2020-07-01', suspects := true")) == [("Typo Net", 885.0, True)]
    assert query("SELECT count(*) FROM sota_frontier AS f JOIN results AS r USING (result_id) WHERE r.is_suspect") == [(0,)]
    # kept, with its reason
    [(value, suspect, reason)] = query(
        "SELECT value, is_suspect, json_extract_string(attributes, '$.suspect') FROM results WHERE model = 'Typo Net'")
    assert (value, suspect) == (885.0, True)
    assert reason == ("far outside its board's spread: 885 is 10.7x off the median 82.95 of 10 values (robust z 45.0, "
                      "in orders of magnitude), and no other paper's value is within 2x of it")
    # the board and the history show it only when asked
    board = f"SELECT model, is_suspect FROM leaderboard_as_of({NAMES}, DATE '2021-01-01'{{}}) LIMIT 2"
    assert query(board.format("")) == [("Net 0", False), ("Net 1", False)]
    assert query(board.format(", suspects := true")) == [("Typo Net", True), ("Net 0", False)]
    steps = f"SELECT model FROM sota_history({NAMES}{{}})"
    assert query(steps.format(""))[-1] == ("Net 0",)
    assert query(steps.format(", suspects := true"))[-1] == ("Typo Net",)
    assert query("SELECT is_suspect FROM consolidated_results WHERE model = 'Typo Net'") == [(True,)]


def test_no_alert_names_a_suspect_but_a_real_advance_still_makes_one(warehouse):
    load, query = warehouse
    load("tiny@2020-07-01.json", *SOUND)
    hook = NewSotaHook([Rule()], channels=["console"], backfill=False)
    load("tiny@2020-08-01.json", *SOUND, TYPO, ("Real Net", "87.2", "2020-07-15"), after_load=hook)
    assert [(r.model, r.value, r.previous_model) for r in hook.records] == [("Real Net", 87.2, "Net 0")]
    assert query("SELECT model FROM sota_records") == [("Real Net",)]
    assert query("SELECT r.model FROM alert_outbox AS o JOIN sota_records AS r USING (record_id)") == [("Real Net",)]


def test_a_small_payload_is_judged_against_the_board_the_warehouse_holds(warehouse):
    load, query = warehouse
    load("tiny@2020-07-01.json", *SOUND)
    # one claim alone, another lineage: too few values of its own, but the board it lands on has nine
    report = load("one-claim@2020-07-02.json", TYPO, lineage="a model card")
    assert report.rows_loaded == 1
    assert query("SELECT model, is_suspect FROM results WHERE source = 'a model card'") == [("Typo Net", True)]
    assert query("SELECT model FROM sota_as_of(DATE '2021-01-01')") == [("Net 0",)]


def test_a_change_of_the_flag_is_a_new_version_and_one_sound_witness_vouches(warehouse):
    load, query = warehouse
    # seven values are too few to measure a spread: the 885 stands, unflagged ...
    load("tiny@2020-07-01.json", *SOUND[:6], TYPO)
    assert query("SELECT model FROM sota_as_of(DATE '2021-01-01')") == [("Typo Net",)]
    # ... until the board grows: the same value, now suspect, is a new version of the claim
    report = load("tiny@2020-08-01.json", *SOUND, TYPO)
    assert (report.results_new, report.results_changed) == (3, 1)
    versions = "SELECT is_suspect, removed_at IS NULL FROM results WHERE model = 'Typo Net' ORDER BY result_id"
    assert query(versions) == [(False, False), (True, True)]
    assert query("SELECT model FROM sota_as_of(DATE '2021-01-01')") == [("Net 0",)]
    # another lineage gives the same claim (model and paper) soundly: one result, shown with the sound value
    load("copy@2020-08-02.json", ("Typo Net", "88.5", "2020-06-01"), lineage="hand copy")
    assert query("SELECT model, value, source, is_suspect FROM sota_as_of(DATE '2021-01-01')") == [
        ("Typo Net", 88.5, "hand copy, pwc-dump", False)]


def test_the_commands_count_suspects_when_asked(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("SOTA_LOCK_TIMEOUT", "1")
    db = str(tmp_path / "sota.duckdb")
    assert main(["load", str(board_file(tmp_path, "tiny@2020-07-01.json", rows(*SOUND, TYPO))), "--source", "pwc-dump",
                 "--db", db]) == 0
    names = ["--task", BOARD[0], "--dataset", BOARD[1], "--metric", "Accuracy", "--db", db, "--json"]

    def answer(*args):
        capsys.readouterr()
        assert main(list(args)) == 0
        return json.loads(capsys.readouterr().out)

    assert [(r["model"], r["is_suspect"]) for r in answer("asof", "2021-01-01", *names)] == [("Net 0", False)]
    assert [(r["model"], r["is_suspect"]) for r in answer("asof", "2021-01-01", *names, "--suspects")] == [
        ("Typo Net", True)]
    board = answer("leaderboard", "--as-of", "2021-01-01", "--top", "2", *names, "--suspects")
    assert [(r["rank"], r["model"], r["is_suspect"]) for r in board] == [(1, "Typo Net", True), (2, "Net 0", False)]
    assert answer("history", *names)[-1]["model"] == "Net 0"
    assert answer("history", *names, "--suspects")[-1]["model"] == "Typo Net"


def test_the_2020_dump_and_timm_history_as_measured(shared_data, tmp_path):
    """The count the rule gives on the real payloads, printed with every flagged value (pytest -s)."""
    with connect(tmp_path / "sota.duckdb") as con:
        ingest(con, "pwc-dump", str(shared_data / "pwc-dump-2020-08-28/evaluation-tables.json.gz"),
               observed_at="2020-08-28")
        flagged = con.execute(
            "SELECT b.dataset, b.metric, r.model, r.value, json_extract_string(r.attributes, '$.suspect') "
            "FROM results AS r JOIN benchmarks AS b USING (benchmark_id) WHERE r.is_suspect ORDER BY ALL").fetchall()
        for dataset, metric, model, value, reason in flagged:
            print(f"{dataset} / {metric}: {model} {value:g} -- {reason}")
        assert len(flagged) == 22
        assert {dataset for dataset, *_ in flagged} == {
            "FB15k-237", "MUSDB18", "Company*", "Atari 2600 Breakout", "Atari 2600 Road Runner", "Atari 2600 Surround",
            "Atari 2600 Freeway", "Atari 2600 Crazy Climber", "Atari 2600 Robotank", "Atari 2600 Battle Zone",
            "Atari 2600 Boxing", "Atari 2600 Star Gunner",
        }
        # every one is on the losing side of its board: no SOTA answer of the dump's day changes
        day = "DATE '2020-08-28'"
        assert con.execute(f"SELECT count(*) FROM sota_as_of({day})").fetchone() == (4206,)
        assert con.execute(f"FROM sota_as_of({day}) EXCEPT FROM sota_as_of({day}, suspects := true)").fetchall() == []
        # the old 50% of SIFT + FVs among ImageNet's 88% is sound
        assert con.execute("SELECT count(*) FROM results AS r JOIN benchmarks AS b USING (benchmark_id) "
                           "WHERE b.dataset = 'ImageNet' AND r.is_suspect").fetchone() == (0,)
    timm = get_source("timm-csv")
    for path in sorted((shared_data / "timm-results").glob("**/results-*.csv")):
        normalized = normalize_rows(timm.parse(path.read_bytes(), str(path)), ranked_listing=timm.ranked_listing)
        assert not normalized.results["is_suspect"].any(), path.name
