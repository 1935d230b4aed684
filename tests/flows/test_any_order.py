"""History in any order, and `sota rebuild` (issue 17), on the real payloads: the hand copy of 2019, the 2020 dump and
the 2023 Papers with Code page as one lineage (PwC's ImageNet board), OpenCodePapers' board as another. Loaded in
any order, they make the record that loading them in observed order makes: the same versions with the same
intervals, the same snapshots and rejects, the same directions and the same as-known-on answers; rebuilt from its
stored payloads, that record stays the same.
"""
from __future__ import annotations

import shutil
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flows.cli import main
from flows.ingest import ingest
from tests.support.boards import board_file
from warehouse.db import connect

PWC_BOARD = "pwc-imagenet"
PAYLOADS = {  # observed order
    "handcopy": ("csv", "pwc-imagenet-2019-handcopy/imagenet_table.csv", "2019-11-13", PWC_BOARD),
    "dump": ("pwc-dump", "pwc-dump-2020-08-28/evaluation-tables.json.gz", "2020-08-28", PWC_BOARD),
    "page": ("pwc-page", "pwc-sota-page/image-classification-on-imagenet@2023-12-07.json", None, PWC_BOARD),
    "ocp": ("opencodepapers", "opencodepapers/image-classification-on-imagenet.json", "2025-11-30", "opencodepapers"),
}
IMAGENET = {"task": "Image Classification", "dataset": "ImageNet"}
# the observed order, its reverse, and orders that put each payload behind a later one of its lineage
ORDERS = [
    ("ocp", "page", "dump", "handcopy"),
    ("dump", "ocp", "handcopy", "page"),
    ("page", "handcopy", "ocp", "dump"),
]


def load_all(shared_data, path, order):
    with connect(path) as con:
        for name in order:
            kind, relative, observed_at, lineage = PAYLOADS[name]
            options = IMAGENET if kind == "csv" else {}
            ingest(con, kind, str(shared_data / relative), lineage=lineage, observed_at=observed_at, options=options)


def record(path):
    """What a user can see of the record, without its ids: versions, snapshots, rejects, directions, consolidated
    results and the as-known-on answers."""
    queries = {
        "versions": "SELECT r.source, b.task, b.dataset, b.metric, r.claim_key, r.model, r.value, r.is_suspect,"
                    " r.uses_additional_data, r.published_on, r.claim_first_seen_at, r.first_seen_at, r.last_seen_at,"
                    " r.removed_at FROM results AS r JOIN benchmarks AS b USING (benchmark_id) ORDER BY ALL",
        "snapshots": "SELECT source, kind, observed_at, status, rows_parsed, rows_loaded, rows_rejected, results_new,"
                     " results_changed, results_unchanged, results_removed FROM snapshots ORDER BY ALL",
        "rejects": "SELECT j.source, s.observed_at, j.row_ref, j.reason FROM rejects AS j JOIN snapshots AS s"
                   " USING (snapshot_id) ORDER BY ALL",
        "directions": "SELECT task, dataset, metric, direction, direction_why FROM benchmarks ORDER BY ALL",
        "consolidated": "SELECT b.task, b.dataset, b.metric, c.model, c.value, c.sources, c.seen_from, c.removed_at"
                        " FROM consolidated_results AS c JOIN benchmarks AS b USING (benchmark_id) ORDER BY ALL",
        "frontier": "SELECT * EXCLUDE (result_id, consolidated_id) FROM sota_as_of(DATE '2026-01-01') ORDER BY ALL",
    }
    for known in ("2019-12-01", "2020-09-01", "2023-12-10", "2025-12-01"):
        queries[f"known {known}"] = (
            f"SELECT task, dataset, metric, model, value, source FROM sota_as_of(DATE '{known}',"
            f" known_at := TIMESTAMP '{known}') ORDER BY ALL"
        )
        queries[f"board {known}"] = (
            "SELECT rank, model, value, source FROM leaderboard_as_of('Image Classification', 'ImageNet',"
            f" 'Top 1 Accuracy', DATE '{known}', known_at := TIMESTAMP '{known}') ORDER BY ALL"
        )
    with connect(path, read_only=True) as con:
        return {name: con.execute(sql).fetchall() for name, sql in queries.items()}


@pytest.fixture(scope="module")
def in_order(shared_data, tmp_path_factory):
    path = tmp_path_factory.mktemp("in-order") / "sota.duckdb"
    load_all(shared_data, path, tuple(PAYLOADS))
    return path, record(path)


def test_the_history_in_observed_order_answers_the_questions_of_its_dates(in_order):
    _, seen = in_order
    assert seen["known 2023-12-10"].count(
        ("Image Classification", "ImageNet", "Top 1 Accuracy", "OmniVec", 92.4, PWC_BOARD)
    ) == 1
    assert ("Image Classification", "ImageNet", "Top 1 Accuracy", "FixEfficientNet-L2", 88.5, PWC_BOARD) in seen[
        "known 2020-09-01"
    ]
    assert [row[3] for row in seen["snapshots"]] == ["loaded"] * 4


@pytest.mark.parametrize("order", ORDERS, ids="-".join)
def test_any_order_of_loading_makes_the_same_record(shared_data, tmp_path, in_order, order):
    path = tmp_path / "sota.duckdb"
    load_all(shared_data, path, order)
    expected = in_order[1]
    got = record(path)
    assert [name for name in expected if got[name] != expected[name]] == []


def test_rebuild_from_the_stored_payloads_changes_nothing_and_replaces_the_file_whole(in_order, tmp_path, capsys):
    path = tmp_path / "sota.duckdb"
    shutil.copyfile(in_order[0], path)
    capsys.readouterr()
    assert main(["rebuild", "--db", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.strip() == f"rebuilt {path} from 4 stored snapshots of 2 lineages (4 loaded)"
    got = record(path)
    assert [name for name in got if got[name] != in_order[1][name]] == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sota.duckdb", "sota.duckdb.run.lock"]



# ---- many orders, on small boards -------------------------------------------------------------------------------
# Real payloads above cost seconds each; here small boards of two lineages (one of them listing two boards) go in
# every order hypothesis finds, including the same bytes seen on several dates and boards a later payload leaves out.

BOARDS = (("Image Classification", "ImageNet"), ("Question Answering", "SQuAD1.1"))
MODELS = ("A", "B", "C", "D")
DATES = ("2020-01-01", "2020-03-01", "2020-06-01", "2021-01-01", "2021-06-01")

board_rows = st.lists(st.tuples(st.sampled_from(MODELS), st.sampled_from(("70%", "80%", "80.5%", "90%"))),
                      min_size=1, max_size=4, unique_by=lambda row: row[0])
payload = st.tuples(st.sampled_from(("pwc", "copy")), st.dictionaries(st.sampled_from(BOARDS), board_rows,
                                                                      min_size=1))


def _small_record(con):
    return (
        con.execute("SELECT source, model, value, first_seen_at, last_seen_at, removed_at, claim_first_seen_at"
                    " FROM results ORDER BY ALL").fetchall(),
        con.execute("SELECT source, observed_at, status, results_new, results_changed, results_unchanged,"
                    " results_removed FROM snapshots ORDER BY ALL").fetchall(),
        con.execute("SELECT * EXCLUDE (result_id, consolidated_id) FROM sota_as_of(DATE '2030-01-01',"
                    " known_at := TIMESTAMP '2020-07-01') ORDER BY ALL").fetchall(),
        con.execute("SELECT model, value, sources, seen_from, removed_at FROM consolidated_results ORDER BY ALL")
        .fetchall(),
    )


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(history=st.lists(payload, min_size=2, max_size=len(DATES)), data=st.data())
def test_any_order_of_small_histories_makes_the_same_record(tmp_path_factory, history, data):
    folder = tmp_path_factory.mktemp("small")
    files = []
    for day, (lineage, boards) in zip(DATES, history):
        rows = {board: [{"model": m, "metrics": {"Score": v}} for m, v in entries] for board, entries in boards.items()}
        files.append((lineage, day, board_file(folder, f"{lineage}-{day}.json", rows)))
    order = data.draw(st.permutations(files))
    records = []
    for name, sequence in (("in-order", files), ("shuffled", order)):
        with connect(folder / f"{name}.duckdb") as con:
            for lineage, day, path in sequence:
                ingest(con, "pwc-dump", str(path), lineage=lineage, observed_at=day)
            records.append(_small_record(con))
    assert records[0] == records[1]


def test_a_rebuild_that_fails_midway_leaves_the_warehouse_as_it_was(in_order, tmp_path, monkeypatch, capsys):
    import flows.replay

    path = tmp_path / "sota.duckdb"
    shutil.copyfile(in_order[0], path)
    real, calls = flows.replay.prepare_snapshot, []

    def failing_on_the_third(*args, **kwargs):
        calls.append(args[2])
        if len(calls) == 3:
            raise RuntimeError("a bug in a parser")
        return real(*args, **kwargs)

    monkeypatch.setattr(flows.replay, "prepare_snapshot", failing_on_the_third)
    with pytest.raises(RuntimeError, match="a bug in a parser"):
        from flows.rebuild import rebuild_warehouse
        rebuild_warehouse(path, date(2026, 12, 6), wait_seconds=1)
    assert len(calls) == 3
    got = record(path)
    assert [name for name in got if got[name] != in_order[1][name]] == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sota.duckdb", "sota.duckdb.run.lock"]
