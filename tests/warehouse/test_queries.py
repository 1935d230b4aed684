"""The read-side questions of `warehouse/queries.py` on a small load of real payloads, asked from a read-only
connection as the CLI asks them, and a user's own SQL on a locked-down connection."""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from flows.ingest import ingest
from pipelines.aliases import CANONICAL_NAMES
from warehouse import queries
from warehouse.db import connect
from warehouse.queries import QueryError, lock_down, run_readonly_sql

NOW = datetime(2025, 6, 1)
SQUAD_1 = "pwc-sota-extractor/history/squad@2019-01-03.json"
SQUAD_2 = "pwc-sota-extractor/history/squad@2019-03-27.json"
# (source, payload, observed at when the file name does not say)
LOADS = [
    ("pwc-dump", SQUAD_1, None),
    ("pwc-dump", SQUAD_2, None),
    ("timm-csv", "timm-results/history/results-imagenet@2021-05-11.csv", None),
    ("model-index", "timm-model-index/resnet.mdx", "2021-06-01"),
    ("ilsvrc-csv", "ilsvrc-winners/imagenet.csv", "2021-07-01"),
    ("robustbench-html", "robustbench/html-head/imagenet_Linf.html", "2025-02-05"),  # the site's commit date
]
ILSVRC_TOP5 = ("Image Classification", "ILSVRC", "Top 5 Error")


@pytest.fixture(scope="module")
def warehouse(shared_data: Path, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("queries") / "sota.duckdb"
    with connect(path) as con:
        for source, payload, observed_at in LOADS:
            ingest(con, source, str(shared_data / payload), observed_at=observed_at, now=NOW)
    return path


@pytest.fixture
def reader(warehouse: Path):
    con = connect(warehouse, read_only=True)
    yield con
    con.close()


@pytest.fixture
def locked(reader):
    lock_down(reader)
    return reader


def pick(rows: list[dict], *columns: str) -> list[tuple]:
    return [tuple(row[column] for column in columns) for row in rows]


# ---------------------------------------------------------------------------------------------------- sota_as_of


def test_sota_as_of_a_date_for_every_ranked_benchmark(reader):
    rows = queries.sota_as_of(reader, date(2030, 1, 1))
    assert pick(rows, "task", "dataset", "metric", "model", "value", "source") == [
        ("Adversarial Defense", "ImageNet (Linf)", "AutoAttack Robust Accuracy",
         "MeanSparse: Post-Training Robustness Enhancement Through Mean-Centered Feature Sparsification", 62.12, "robustbench-html"),
        ("Image Classification", "ILSVRC", "Top 1 Error", "Trimps-Soushen", 16.0, "ilsvrc-csv"),
        ("Image Classification", "ILSVRC", "Top 5 Error", "SENet (WMW)", 2.251, "ilsvrc-csv"),
        ("Image Classification", "ImageNet", "Top 1 Accuracy", "tf_efficientnet_l2_ns", 88.352, "timm-csv"),
        ("Image Classification", "ImageNet", "Top 5 Accuracy", "tf_efficientnet_l2_ns", 98.65, "timm-csv"),
        ("Question Answering", "SQuAD1.1", "EM", "BERT (ensemble)", 87.433, "pwc-dump"),
        ("Question Answering", "SQuAD1.1", "F1", "BERT (ensemble)", 93.16, "pwc-dump"),
        ("Question Answering", "SQuAD2.0", "EM", "BERT + DAE + AoA (ensemble)", 87.147, "pwc-dump"),
        ("Question Answering", "SQuAD2.0", "F1", "BERT + DAE + AoA (ensemble)", 89.474, "pwc-dump"),
    ]
    assert {
        "task", "dataset", "metric", "model", "value", "published_on", "published_precision", "paper_title", "paper_url",
        "arxiv_id", "source", "uses_additional_data", "is_estimate", "first_seen_at", "direction", "unit", "result_id",
    } <= set(rows[0])


def test_sota_as_of_narrowed_to_a_task_dataset_or_metric(reader):
    assert pick(queries.sota_as_of(reader, date(2030, 1, 1), task="Image Classification", dataset="ILSVRC", metric="Top 5 Error"),
                "model", "value", "published_on", "published_precision", "direction", "unit") == [
        ("SENet (WMW)", 2.251, date(2017, 1, 1), "year", "lower", "percent"),
    ]
    assert queries.sota_as_of(reader, date(2030, 1, 1), task="Machine Translation") == []


def test_sota_as_published_by_a_date_versus_as_known_on_a_date(reader):
    # the March 2019 snapshot dated SQuAD1.1's rows; the January one did not, so they counted from their first sighting
    latest = queries.sota_as_of(reader, date(2018, 6, 1), task="Question Answering")
    assert pick(latest, "dataset", "metric", "model", "value", "published_on", "first_seen_at") == [
        ("SQuAD1.1", "EM", "Reinforced Mnemonic Reader (ensemble model)", 82.283, date(2018, 2, 2), datetime(2019, 3, 27)),
        ("SQuAD1.1", "F1", "Reinforced Mnemonic Reader (ensemble model)", 88.533, date(2018, 2, 2), datetime(2019, 3, 27)),
    ]
    assert queries.sota_as_of(reader, date(2018, 6, 1), task="Question Answering", known_at=date(2019, 1, 10)) == []
    known_then = queries.sota_as_of(reader, date(2019, 2, 1), task="Question Answering", known_at=date(2019, 1, 10))
    assert pick(known_then, "dataset", "metric", "model", "value", "published_on", "first_seen_at") == [
        ("SQuAD1.1", "EM", "BERT (ensemble)", 87.433, None, datetime(2019, 1, 3)),
        ("SQuAD1.1", "F1", "BERT (ensemble)", 93.16, None, datetime(2019, 1, 3)),
        ("SQuAD2.0", "EM", "Human Performance", 86.831, None, datetime(2019, 1, 3)),
        ("SQuAD2.0", "F1", "Human Performance", 89.452, None, datetime(2019, 1, 3)),
    ]


# --------------------------------------------------------------------------------------- leaderboard and history


def test_leaderboard_ranks_lower_is_better_and_stops_at_top(reader):
    top = queries.leaderboard(reader, *ILSVRC_TOP5, date(2030, 1, 1), top=3)
    assert pick(top, "rank", "model", "value", "published_on", "published_precision", "source") == [
        (1, "SENet (WMW)", 2.251, date(2017, 1, 1), "year", "ilsvrc-csv"),
        (2, "Trimps-Soushen", 2.991, date(2016, 1, 1), "year", "ilsvrc-csv"),
        (3, "ResNet (MSRA)", 3.567, date(2015, 1, 1), "year", "ilsvrc-csv"),
    ]
    assert pick(queries.leaderboard(reader, *ILSVRC_TOP5, date(2013, 6, 1)), "rank", "model", "value") == [
        (1, "ZFNet (Clarifai)", 11.743), (2, "AlexNet (SuperVision)", 16.422), (3, "XRCE", 25.77), (4, "NEC-UIUC", 28.191),
    ]


def test_sota_history_lists_each_step_with_the_previous_best_and_the_margin(reader):
    steps = queries.sota_history(reader, *ILSVRC_TOP5)
    assert [(model, value, previous, None if margin is None else round(margin, 6), on)
            for model, value, previous, margin, on in pick(steps, "model", "value", "previous_value", "margin", "effective_on")] == [
        ("NEC-UIUC", 28.191, None, None, date(2010, 1, 1)),
        ("XRCE", 25.77, 28.191, 2.421, date(2011, 1, 1)),
        ("AlexNet (SuperVision)", 16.422, 25.77, 9.348, date(2012, 1, 1)),
        ("ZFNet (Clarifai)", 11.743, 16.422, 4.679, date(2013, 1, 1)),
        ("VGG", 7.405, 11.743, 4.338, date(2014, 1, 1)),
        ("ResNet (MSRA)", 3.567, 7.405, 3.838, date(2015, 1, 1)),
        ("Trimps-Soushen", 2.991, 3.567, 0.576, date(2016, 1, 1)),
        ("SENet (WMW)", 2.251, 2.991, 0.74, date(2017, 1, 1)),
    ]


def test_sota_history_as_known_on_a_date(reader):
    squad = ("Question Answering", "SQuAD2.0", "EM")
    latest = queries.sota_history(reader, *squad)
    assert (len(latest), pick(latest[-1:], "model", "value", "previous_value", "effective_on")) == (
        19, [("BERT + DAE + AoA (ensemble)", 87.147, 86.831, date(2019, 3, 27))],
    )
    # known on 2019-01-10: every result counted from the one sighting, so none had a best before it
    known_then = queries.sota_history(reader, *squad, known_at=date(2019, 1, 10))
    assert {(row["previous_value"], row["effective_on"]) for row in known_then} == {(None, date(2019, 1, 3))}
    assert pick(known_then[-1:], "model", "value") == [("Human Performance", 86.831)]


# ----------------------------------------------------------------------------------------- rejects and snapshots


def test_rejects_of_a_snapshot_with_where_they_came_from(reader, shared_data):
    reason = ("conflicting duplicate: 'Candi-Net+BERT (single model)' is listed 2 times on SQuAD2.0 / EM with the same "
              "paper (or none) and different values (80.388, 80.659); cannot tell which is which")

    def reject(row: int, value: float) -> dict:
        return {
            "snapshot_id": 1, "source": "pwc-dump", "location": str(shared_data / SQUAD_1), "observed_at": datetime(2019, 1, 3),
            "row_ref": f"Question answering / SQuAD2.0 / row {row}", "reason": reason,
            "raw": f'{{"model": "Candi-Net+BERT (single model)", "value": {value}, "paper_title": null, "paper_url": null}}',
        }

    assert queries.rejects(reader, snapshot_id=1, limit=2) == [reject(9, 80.659), reject(12, 80.388)]


def test_rejects_newest_snapshot_first(reader):
    everything = queries.rejects(reader, limit=1000)
    assert len(everything) == 74 + 106
    assert [row["snapshot_id"] for row in everything] == [2] * 106 + [1] * 74
    assert len(queries.rejects(reader, limit=5)) == 5


def test_snapshots_newest_first_with_what_each_changed(reader, shared_data):
    columns = ("snapshot_id", "source", "status", "observed_at", "loaded_at", "rows_parsed", "rows_loaded", "rows_rejected",
               "results_new", "results_changed", "results_unchanged", "results_removed", "error")
    assert pick(queries.snapshots(reader), *columns) == [
        (6, "robustbench-html", "loaded", datetime(2025, 2, 5), NOW, 60, 60, 0, 60, 0, 0, 0, None),
        (5, "ilsvrc-csv", "loaded", datetime(2021, 7, 1), NOW, 16, 16, 0, 16, 0, 0, 0, None),
        (4, "model-index", "loaded", datetime(2021, 6, 1), NOW, 18, 18, 0, 18, 0, 0, 0, None),
        (3, "timm-csv", "loaded", datetime(2021, 5, 11), NOW, 726, 726, 0, 726, 0, 0, 0, None),
        (2, "pwc-dump", "loaded", datetime(2019, 3, 27), NOW, 512, 406, 106, 76, 122, 208, 12, None),
        (1, "pwc-dump", "loaded", datetime(2019, 1, 3), NOW, 416, 342, 74, 342, 0, 0, 0, None),
    ]
    assert pick(queries.snapshots(reader, source="pwc-dump", limit=1), "snapshot_id", "location") == [(2, str(shared_data / SQUAD_2))]
    assert all(len(row["sha256"]) == 12 for row in queries.snapshots(reader))


# ------------------------------------------------------------------------------------------ benchmarks, conflicts


def test_benchmarks_with_their_results_sources_and_whether_their_names_are_mapped(reader):
    assert pick(queries.benchmarks(reader, canonical=CANONICAL_NAMES),
                "task", "dataset", "metric", "direction", "unit", "results", "sources", "mapped") == [
        ("Adversarial Defense", "ImageNet (Linf)", "AutoAttack Robust Accuracy", "higher", "percent", 30, ["robustbench-html"], False),
        ("Image Classification", "ILSVRC", "Top 1 Error", "lower", "percent", 8, ["ilsvrc-csv"], True),
        ("Image Classification", "ILSVRC", "Top 5 Error", "lower", "percent", 8, ["ilsvrc-csv"], True),
        # RobustBench's clean accuracy lands on PwC's ImageNet board through the registry; the registry knows the
        # board's metrics as percentages though timm writes plain numbers
        ("Image Classification", "ImageNet", "Top 1 Accuracy", "higher", "percent", 402,
         ["model-index", "robustbench-html", "timm-csv"], True),
        ("Image Classification", "ImageNet", "Top 5 Accuracy", "higher", "percent", 372, ["model-index", "timm-csv"], True),
        ("Question Answering", "SQuAD1.1", "EM", "higher", None, 131, ["pwc-dump"], True),
        ("Question Answering", "SQuAD1.1", "F1", "higher", None, 131, ["pwc-dump"], True),
        ("Question Answering", "SQuAD2.0", "EM", "higher", None, 72, ["pwc-dump"], True),
        ("Question Answering", "SQuAD2.0", "F1", "higher", None, 72, ["pwc-dump"], True),
    ]
    assert pick(queries.benchmarks(reader, canonical=CANONICAL_NAMES, unmapped_only=True), "task", "metric") == [
        ("Adversarial Defense", "AutoAttack Robust Accuracy"),
    ]
    assert pick(queries.benchmarks(reader, canonical=CANONICAL_NAMES, task="Question Answering", dataset="SQuAD2.0"), "metric") == [
        ("EM",), ("F1",),
    ]


def test_conflicts_where_two_sources_disagree_about_one_model(reader):
    widest = queries.conflicts(reader, limit=1)
    assert widest == [{
        "task": "Image Classification", "dataset": "ImageNet", "metric": "Top 1 Accuracy", "model": "tv_resnet50",
        "sources": "model-index, timm-csv", "lowest": 76.138, "highest": 76.16, "spread": widest[0]["spread"],
        "versions": [
            {"source": "model-index", "model": "tv_resnet50", "value": 76.16,
             "paper_title": "Deep Residual Learning for Image Recognition", "published_on": None, "first_seen_at": datetime(2021, 6, 1),
             "uses_additional_data": False},
            {"source": "timm-csv", "model": "tv_resnet50", "value": 76.138, "paper_title": None, "published_on": None,
             "first_seen_at": datetime(2021, 5, 11), "uses_additional_data": None},
        ],
        "disagreement": "value",
    }]
    assert widest[0]["spread"] == pytest.approx(0.022)
    everything = queries.conflicts(reader)
    # 8 of the 15 values the two sources report differently differ beyond rounding (76.16 against 76.138); the other
    # 7 agree at the precision shown (69.76 against 69.758) and are no conflict
    assert len(everything) == 8
    assert {(row["dataset"], row["sources"]) for row in everything} == {("ImageNet", "model-index, timm-csv")}
    assert [row["spread"] for row in everything] == sorted((row["spread"] for row in everything), reverse=True)
    assert queries.conflicts(reader, task="Question Answering") == []


# ------------------------------------------------------------------------------------------- a user's own SQL


def test_a_users_query_answers_with_column_names_and_rows(locked):
    # 1,360 versions, of which 122 changed and 12 removed by the second squad snapshot
    assert run_readonly_sql(locked, "SELECT count(*) AS results FROM results WHERE removed_at IS NULL") == (["results"], [(1226,)])
    assert run_readonly_sql(locked, "SELECT model, value FROM sota_as_of(DATE '2014-06-01') WHERE dataset = 'ILSVRC' ORDER BY metric") == (
        ["model", "value"], [("VGG", 24.7), ("VGG", 7.405)],
    )


@pytest.mark.parametrize(
    ("statement", "message"),
    [
        ("DELETE FROM results",
         'Invalid Input Error: Cannot execute statement of type "DELETE" on database "sota" which is attached in read-only mode!'),
        ("CREATE TABLE mine (n INTEGER)",
         'Invalid Input Error: Cannot execute statement of type "CREATE" on database "sota" which is attached in read-only mode!'),
        ("COPY results TO '{folder}/results.csv'",
         'Permission Error: Cannot access file "{folder}/results.csv" - file system operations are disabled by configuration'),
        ("SELECT * FROM read_csv('{data}/ilsvrc-winners/imagenet.csv')",
         'Permission Error: Cannot access file "{data}/ilsvrc-winners/imagenet.csv" - file system operations are disabled by configuration'),
        ("ATTACH '{folder}/other.duckdb' AS other",
         'Permission Error: Cannot access file "{folder}/other.duckdb" - file system operations are disabled by configuration'),
        ("LOAD httpfs", "Permission Error: Loading external extensions is disabled through configuration"),
        ("SET enable_external_access = true",
         'Invalid Input Error: Cannot change configuration option ""enable_external_access"" - the configuration has been locked'),
        ("RESET lock_configuration",
         'Invalid Input Error: Cannot change configuration option ""lock_configuration"" - the configuration has been locked'),
        ("SELEC 1", 'Parser Error: syntax error at or near "SELEC"'),
    ],
)
def test_a_locked_down_connection_refuses_writes_files_extensions_and_settings_in_one_line(
    locked, warehouse, shared_data, statement, message
):
    places = {"folder": warehouse.parent, "data": shared_data}
    with pytest.raises(QueryError) as raised:
        run_readonly_sql(locked, statement.format(**places))
    assert str(raised.value) == message.format(**places)
    folder = warehouse.parent
    assert not (folder / "results.csv").exists() and not (folder / "other.duckdb").exists()
    # the connection still answers after a refusal
    assert run_readonly_sql(locked, "SELECT 1 AS one") == (["one"], [(1,)])
