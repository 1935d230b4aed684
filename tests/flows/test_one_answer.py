"""One trustworthy answer per benchmark (issue 12), on the real payloads: a lower-is-better board's SOTA is its lowest
value, directions never contradict the ranked order of a board's own rows without saying why, two CSVs of one board
under two names remove nothing, and percentages outside 0..100 are rejected with their reasons.

Measured over the whole 2020 dump as loaded (each benchmark decided from its name, the order of its ranked listings
and what people settled): 4,471 benchmarks (3,572 higher, 634 lower, 85 none, 180 unknown), 1,517 of them with a
listing in a clear order; every stored direction agrees with its boards' order (0 decided against one), and where
name and order disagree the direction is "unknown" with both sides named.
"""
from __future__ import annotations

import json
from collections import Counter

import pytest

from flows.cli import main
from flows.ingest import ingest
from warehouse.db import connect

DUMP = "pwc-dump-2020-08-28/evaluation-tables.json.gz"
HANDCOPY = "pwc-imagenet-2019-handcopy/imagenet_table.csv"
IMAGENET = {"task": "Image Classification", "dataset": "ImageNet"}


@pytest.fixture(scope="module")
def dump_db(shared_data, tmp_path_factory):
    path = tmp_path_factory.mktemp("dump") / "sota.duckdb"
    with connect(path) as con:
        ingest(con, "pwc-dump", str(shared_data / DUMP), observed_at="2020-08-28")
    return path


def sota(*args):
    return main([str(a) for a in args])


def test_the_mpjpe_board_is_led_by_its_lowest_error(dump_db, capsys):
    capsys.readouterr()
    assert sota("leaderboard", "--task", "3D Human Pose Estimation", "--dataset", "Human3.6M",
                "--metric", "Average MPJPE (mm)", "--top", "500", "--json", "--db", dump_db) == 0
    board = json.loads(capsys.readouterr().out)
    values = [row["value"] for row in board]
    assert board[0]["value"] == min(values) == 17.7 and board[0]["model"] == "Learnable Triangulation of Human Pose"
    assert values == sorted(values) and max(values) == 162.14  # LinKDE, 2013: last, not first
    with connect(dump_db, read_only=True) as con:
        (why,) = con.execute(
            "SELECT direction_why FROM benchmarks WHERE metric = 'Average MPJPE (mm)' AND dataset = 'Human3.6M'"
            " AND task = '3D Human Pose Estimation'"
        ).fetchone()
    assert why.startswith("lower: rows of pwc-dump seen 2020-08-28 run ascending (")
    assert why.endswith("the name matches lower-is-better term 'MPJPE'")


def test_no_stored_direction_contradicts_its_boards_clear_order_without_saying_why(dump_db):
    with connect(dump_db, read_only=True) as con:
        rows = con.execute(
            "SELECT b.benchmark_id, b.direction, b.direction_why, e.direction FROM benchmarks AS b"
            " LEFT JOIN direction_evidence AS e ON e.benchmark_id = b.benchmark_id AND e.kind = 'order'"
        ).fetchall()
    directions = Counter(direction for _, direction, _, _ in {row[:3] + (None,) for row in rows})
    ordered = {benchmark for benchmark, _, _, order in rows if order is not None}
    contradicting = [(direction, why) for _, direction, why, order in rows
                     if order is not None and direction in ("higher", "lower") and direction != order]
    unexplained = [(direction, why) for direction, why in contradicting if "also seen: rows of" not in why]
    print(f"\n{sum(directions.values())} benchmarks {dict(directions)}; {len(ordered)} with a clear order; "
          f"{len(contradicting)} decided against an order, each saying why")
    assert unexplained == []
    assert all(why.startswith("lower: settled for every") or why.startswith("higher: settled for every")
               for _, why in contradicting)
    assert len(ordered) > 1500 and directions["unknown"] > 0
    assert all(why for _, _, why, _ in rows)  # every direction says why


def test_two_csvs_of_one_board_under_two_names_remove_nothing(shared_data, tmp_path):
    db = tmp_path / "sota.duckdb"
    export = tmp_path / "another-export.csv"
    export.write_text("Method,Top 1 Accuracy,Year\nSome Model,80.1%,2019\nAnother Model,79.5%,2018\n")
    assert sota("load", shared_data / HANDCOPY, "--source", "csv", "--task", IMAGENET["task"], "--dataset",
                IMAGENET["dataset"], "--observed-at", "2019-11-13", "--db", db) == 0
    assert sota("load", export, "--source", "csv", "--task", IMAGENET["task"], "--dataset", IMAGENET["dataset"],
                "--observed-at", "2019-11-20", "--db", db) == 0
    with connect(db, read_only=True) as con:
        by_lineage = con.execute(
            "SELECT source, count(*) FILTER (WHERE removed_at IS NULL), count(*) FILTER (WHERE removed_at IS NOT NULL)"
            " FROM results GROUP BY source ORDER BY source"
        ).fetchall()
        kinds = con.execute("SELECT source, kind FROM snapshots ORDER BY snapshot_id").fetchall()
    assert by_lineage == [("another-export", 2, 0), ("imagenet_table", 272, 0)]
    assert kinds == [("imagenet_table", "csv"), ("another-export", "csv")]


def test_a_load_says_the_lineage_it_used_and_name_sets_it(shared_data, tmp_path, capsys):
    db = tmp_path / "sota.duckdb"
    capsys.readouterr()
    assert sota("load", shared_data / "pwc-sota-extractor/history/squad@2019-01-03.json", "--source", "pwc-dump",
                "--db", db) == 0
    assert capsys.readouterr().out.startswith("snapshot 1 of squad (pwc-dump) observed 2019-01-03 00:00: ")
    assert sota("load", shared_data / "pwc-sota-extractor/history/squad@2019-01-03.json", "--source", "pwc-dump",
                "--name", "squad-board", "--db", db) == 0
    assert capsys.readouterr().out.startswith("snapshot 2 of squad-board (pwc-dump) observed 2019-01-03 00:00: ")


def test_percentages_outside_0_to_100_are_rejected_with_reasons(tmp_path, capsys):
    db = tmp_path / "sota.duckdb"
    bogus = tmp_path / "bogus.csv"
    bogus.write_text("Method,Top 1 Accuracy,Year\nBogus,500,2021\nNegative,-5,2021\nFine,80.1,2021\n")
    assert sota("load", bogus, "--source", "csv", "--task", IMAGENET["task"], "--dataset", IMAGENET["dataset"],
                "--observed-at", "2021-06-01", "--db", db) == 0
    capsys.readouterr()
    assert sota("rejects", "--json", "--db", db) == 0
    rejected = {row["row_ref"]: row["reason"] for row in json.loads(capsys.readouterr().out)}
    assert sorted(rejected.values()) == [
        "Top 1 Accuracy: value -5 fails 'percent within 0..100'",
        "Top 1 Accuracy: value 500 fails 'percent within 0..100'",
    ]
    assert sota("asof", "2021-12-31", "--dataset", "ImageNet", "--json", "--db", db) == 0
    (best,) = json.loads(capsys.readouterr().out)
    assert (best["model"], best["value"]) == ("Fine", 80.1)
