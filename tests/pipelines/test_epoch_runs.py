"""epoch-runs against Epoch AI's real `benchmarks_runs.csv` (epoch-research/benchmark-stitching data/), read in place:
one row per score of each run, with its standard error, dated by the run."""
from __future__ import annotations

import dataclasses
from collections import Counter
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from flows.ingest import ingest
from pipelines.epoch_csv import parse_epoch_csv
from pipelines.epoch_runs import DEFAULT_URL, SOURCE, parse_epoch_runs
from pipelines.normalize import normalize_rows
from pipelines.registry import get_source
from pipelines.source import ParseError, RawRow
from schemas.results import RAW_ROW_SCHEMA, validate_results

RUNS_FILE = "epoch-benchmarks-2025/benchmarks_runs.csv"
TASK = "Language Model Evaluation"
LOGS = "https://epoch-benchmarks-production-public.s3.us-east-2.amazonaws.com/inspect_ai_logs/"
VIEWER = ("https://logs.epoch.ai/inspect-viewer/c79c08da/viewer.html?log_file=https%3A%2F%2Flogs.epoch.ai"
          "%2Finspect_ai_logs%2F")
JOBS = "https://github.com/epoch-research/benchmarks/actions/runs/"


@pytest.fixture(scope="module")
def path(shared_data: Path) -> Path:
    return shared_data / RUNS_FILE


@pytest.fixture(scope="module")
def payload(path: Path) -> bytes:
    return path.read_bytes()


@pytest.fixture(scope="module")
def rows(payload: bytes, path: Path) -> list[RawRow]:
    return parse_epoch_runs(payload, str(path))


def first_run_with(payload: bytes, scores: str) -> bytes:
    """The real file with the first run's Scores cell ("choice:0.85±0.02") written as `scores`."""
    assert payload.count(b",choice:0.85\xc2\xb10.02,https://logs.epoch.ai/inspect-viewer/c79c08da/") >= 1
    return payload.replace(b",choice:0.85\xc2\xb10.02,", f",{scores},".encode(), 1)


def test_registered_with_its_url_and_not_as_a_full_listing():
    assert get_source("epoch-runs") is SOURCE
    assert SOURCE.parse is parse_epoch_runs and SOURCE.default_url == DEFAULT_URL
    assert DEFAULT_URL.endswith("/data/benchmarks_runs.csv")
    # Epoch's selection of its successful runs, not demonstrably every run: a run missing later is not a removal
    assert SOURCE.full_listing is False


# --- whole rows -------------------------------------------------------------------------------------------------


def test_the_first_run_whole(rows: list[RawRow]):
    assert rows[0] == RawRow(
        task=TASK, dataset="GPQA diamond", metric="choice", model="gpt-5.1", value="85%",
        row_ref="line 2 choice", published="2025-11-17",
        attributes={
            "id": "V3YQtSEnQ3TPZEPPgkCKQM", "claim": "V3YQtSEnQ3TPZEPPgkCKQM", "setting": "effort medium",
            "lower_is_better": False, "evaluator": "third-party", "stderr": 2.0,
            "Best score (across scorers)": "0.850",
            "log viewer": VIEWER + "V3YQtSEnQ3TPZEPPgkCKQM.eval",
            "logs": LOGS + "V3YQtSEnQ3TPZEPPgkCKQM.eval",
            "job": JOBS + "19445092846/job/55637765314",
            "started_at": "17 November 2025 4:28pm", "Status": "Success", "task version": "1.0.1"})


def test_a_run_with_two_scorers_is_two_rows(rows: list[RawRow]):
    common = {
        "id": "iJp7PgYZa3PiXAV8UWd7MC", "claim": "iJp7PgYZa3PiXAV8UWd7MC", "lower_is_better": False, "evaluator": "third-party",
        "stderr": 5.0,
        "Best score (across scorers)": "0.847",
        "log viewer": VIEWER + "iJp7PgYZa3PiXAV8UWd7MC.eval", "logs": LOGS + "iJp7PgYZa3PiXAV8UWd7MC.eval",
        "job": JOBS + "19410488871/job/55531171006",
        "started_at": "16 November 2025 2:00pm", "Status": "Success", "task version": "1.0.1"}
    line7 = [r for r in rows if r.row_ref.startswith("line 7 ")]
    assert line7 == [
        RawRow(task=TASK, dataset="OTIS Mock AIME 2024-2025", metric="model_extracted_exact_match",
               model="gemini-2.5-pro", value="84%", row_ref="line 7 model_extracted_exact_match",
               published="2025-11-16", attributes=common),
        RawRow(task=TASK, dataset="OTIS Mock AIME 2024-2025", metric="model_graded", model="gemini-2.5-pro",
               value="85%", row_ref="line 7 model_graded", published="2025-11-16", attributes=common),
    ]


def test_one_scorer_named_twice_in_a_run_is_two_claims(rows: list[RawRow]):
    """Five GPQA diamond runs of 2025 list `choice` twice with different scores; the second is "#2"."""
    line176 = [r for r in rows if r.row_ref.startswith("line 176 ")]
    assert [(r.row_ref, r.metric, r.value, r.attributes["stderr"], r.attributes["claim"]) for r in line176] == [
        ("line 176 choice", "choice", "77%", 3.0, "2t26VSNdsAE5pefQEMP25x"),
        ("line 176 choice #2", "choice", "80%", 2.0, "2t26VSNdsAE5pefQEMP25x #2"),
    ]
    assert {(r.model, r.attributes["setting"]) for r in line176} == {("claude-3-7-sonnet-20250219", "thinking 64K")}
    assert {r.attributes["Best score (across scorers)"] for r in line176} == {"0.797"}  # the better of the two
    twice = Counter(r.row_ref.split(" ")[1] for r in rows if r.row_ref.endswith(" #2"))
    assert twice == {"176": 1, "177": 1, "178": 1, "179": 1, "180": 1}


def test_the_last_run_a_manual_one_without_a_date(rows: list[RawRow]):
    assert rows[-1] == RawRow(
        task=TASK, dataset="FrontierMath-Tier-4-2025-07-01-Private", metric="manual_inspection",
        model="gemini-2.5-deep-think-2025-08-01-webapp", value="10%", row_ref="line 542 manual_inspection",
        published=None,
        attributes={"id": "manual_gemini_2.5_deep_think_run_frontiermath_tier_4",
                    "claim": "manual_gemini_2.5_deep_think_run_frontiermath_tier_4", "lower_is_better": False, "evaluator": "third-party",
                    "stderr": 4.0,
                    "Best score (across scorers)": "0.104", "Status": "Success", "Manual evaluation": "checked",
                    "task version": "1.0.0"})


# --- counts and standard errors ---------------------------------------------------------------------------------


def test_counts(rows: list[RawRow]):
    assert len(rows) == 775  # 541 runs: 415 with one scorer, 18 with two, 108 (MATH level 5) with three
    assert len({r.attributes["id"] for r in rows}) == 541
    assert Counter((r.dataset, r.metric) for r in rows) == {
        ("GPQA diamond", "choice"): 139,
        ("MATH level 5", "normalized_string_match"): 108, ("MATH level 5", "sympy_equiv"): 108,
        ("MATH level 5", "model_graded_equiv"): 108,
        ("OTIS Mock AIME 2024-2025", "model_graded"): 103,
        ("OTIS Mock AIME 2024-2025", "model_extracted_exact_match"): 16,
        ("FrontierMath-2025-02-28-Private", "verification_code"): 58,
        ("FrontierMath-2025-02-28-Private", "manual_inspection"): 1,
        ("FrontierMath-2025-02-28-Public", "verification_code"): 58,
        ("FrontierMath-Tier-4-2025-07-01-Private", "verification_code"): 26,
        ("FrontierMath-Tier-4-2025-07-01-Private", "manual_inspection"): 1,
        ("FrontierMath-Tier-4-2025-07-01-Public", "verification_code"): 26,
        ("SWE-Bench verified", "swe_bench_scorer"): 23,
    }
    assert all("stderr" in r.attributes for r in rows)  # every score of this copy has its "±"
    assert len({r.row_ref for r in rows}) == len(rows)
    # four runs have no start time: grok-4's GPQA diamond and OTIS runs, and two manual FrontierMath evaluations
    assert [(r.row_ref, r.model) for r in rows if r.published is None] == [
        ("line 539 choice", "grok-4-0709"), ("line 540 model_graded", "grok-4-0709"),
        ("line 541 manual_inspection", "gemini-2.5-deep-think-2025-08-01-webapp"),
        ("line 542 manual_inspection", "gemini-2.5-deep-think-2025-08-01-webapp")]
    assert min(r.published for r in rows if r.published) == "2025-01-26"
    assert max(r.published for r in rows if r.published) == "2025-11-17"


def test_standard_errors_are_percent_points_like_the_values(rows: list[RawRow]):
    by_ref = {r.row_ref: r for r in rows}
    assert (by_ref["line 2 choice"].value, by_ref["line 2 choice"].attributes["stderr"]) == ("85%", 2.0)
    # written "0.01±0": the error rounds to zero at two decimals (the run's best score is 0.006)
    gpt4 = by_ref["line 55 model_graded"]
    assert (gpt4.model, gpt4.value, gpt4.attributes["stderr"], gpt4.attributes["Best score (across scorers)"]) == (
        "gpt-4-0314", "1%", 0.0, "0.006")
    assert Counter(r.attributes["stderr"] for r in rows) == {
        1.0: 322, 0.0: 128, 2.0: 122, 3.0: 101, 6.0: 25, 7.0: 20, 5.0: 18, 4.0: 18, 15.0: 5, 16.0: 5, 10.0: 4, 8.0: 4,
        13.0: 3}
    # "±0" is mostly a score of 0 (every FrontierMath problem failed), or one near 0% or 100% on MATH level 5's
    # larger set: an error below half a point, not none
    assert Counter(r.value for r in rows if r.attributes["stderr"] == 0.0)["0%"] == 81


def test_the_scores_cell_is_rounded_to_two_decimals_of_the_best_score(rows: list[RawRow]):
    """The run's best score keeps three decimals; each scorer's score two: their best is the best score rounded."""
    for run in {r.attributes["id"] for r in rows}:
        scores = [r for r in rows if r.attributes["id"] == run]
        best = max(float(r.value.rstrip("%")) for r in scores)
        assert abs(best - 100 * float(scores[0].attributes["Best score (across scorers)"])) <= 0.5 + 1e-9, run


# --- GPQA Diamond as of 2025-11-30: the leader and the runs within its noise ------------------------------------


def test_gpqa_diamond_leader_as_of_2025_11_30_with_its_standard_error_and_co_leaders_within_noise(db, path: Path):
    """The warehouse answers from the real file: the leader with its standard error, then every run whose margin to
    it is below twice the combined standard error, with that margin in combined standard errors (z)."""
    ingest(db, "epoch-runs", str(path), observed_at="2025-12-03")  # the day of this copy
    answer = db.execute(
        """SELECT model, setting, value, stderr, published_on, co_leader, round(z, 2)
           FROM sota_within_noise(DATE '2025-11-30')
           WHERE dataset = 'GPQA Diamond' AND metric = 'Accuracy'""").fetchall()
    assert answer == [
        ("gpt-5.1", "effort high", 88.0, 2.0, date(2025, 11, 13), False, None),
        ("gpt-5-2025-08-07", "effort high", 86.0, 2.0, date(2025, 10, 29), True, 0.71),
        ("gemini-2.5-pro", None, 85.0, 2.0, date(2025, 11, 16), True, 1.06),
        ("gemini-2.5-pro-preview-06-05", None, 85.0, 3.0, date(2025, 6, 5), True, 0.83),
        ("gpt-5-2025-08-07", "effort medium", 85.0, 2.0, date(2025, 8, 7), True, 1.06),
        ("gpt-5.1", "effort medium", 85.0, 2.0, date(2025, 11, 17), True, 1.06),
        ("gemini-2.5-pro-exp-03-25", None, 84.0, 3.0, date(2025, 3, 31), True, 1.11),
        ("kimi-k2-thinking-turbo", None, 84.0, 2.0, date(2025, 11, 11), True, 1.41),
        # 6 points below, within 2 x 3.61 = 7.2
        ("claude-sonnet-4-5-20250929", "thinking 32K", 82.0, 3.0, date(2025, 10, 21), True, 1.66),
        ("claude-sonnet-4-5-20250929", "thinking 59K", 82.0, 3.0, date(2025, 10, 28), True, 1.66),
    ]
    # o3 at 82 +- 2 is just outside (6 >= 2 x 2.83 = 5.66); the direction is Epoch's own flag
    board = {(m, s): (v, e) for m, s, v, e in db.execute(
        """SELECT model, setting, value, stderr FROM leaderboard_as_of('Language Model Evaluation', 'GPQA Diamond',
               'Accuracy', DATE '2025-11-30')""").fetchall()}
    assert board[("o3-2025-04-16", "effort high")] == (82.0, 2.0)
    assert db.execute("SELECT direction FROM benchmarks WHERE dataset = 'GPQA Diamond'").fetchall() == [("higher",)]
    # grok-4's run has no date: it counts from its first sighting (2025-12-03), after the day asked about
    assert ("grok-4-0709", None) not in board
    # without within_noise the answer is the leader alone, the same from the frontier and from the versions
    alone = "SELECT model, setting, value, stderr FROM sota_as_of(DATE '2025-11-30'{}) WHERE dataset = 'GPQA Diamond'"
    assert db.execute(alone.format("")).fetchall() == db.execute(
        alone.format(", known_at := TIMESTAMP '2030-01-01'")).fetchall() == [("gpt-5.1", "effort high", 88.0, 2.0)]


# --- malformed cells and layouts --------------------------------------------------------------------------------


def test_a_score_that_is_not_a_number_is_a_row_the_normaliser_rejects(payload: bytes):
    rows = parse_epoch_runs(first_run_with(payload, "choice:abc±0.1"), RUNS_FILE)
    assert len(rows) == 775
    assert (rows[0].row_ref, rows[0].metric, rows[0].value, rows[0].attributes["stderr"]) == (
        "line 2 choice", "choice", "abc", 10.0)
    normalized = normalize_rows(rows)
    assert len(normalized.results) == 774
    [reject] = normalized.rejects
    assert reject.row_ref == "line 2 choice" and "choice" in reject.reason and "abc" in reject.reason


def test_a_score_without_a_standard_error_has_no_stderr(payload: bytes):
    row = parse_epoch_runs(first_run_with(payload, "choice:0.85"), RUNS_FILE)[0]
    assert (row.value, row.attributes["claim"]) == ("85%", "V3YQtSEnQ3TPZEPPgkCKQM")
    assert "stderr" not in row.attributes


def test_an_empty_scores_cell_is_a_row_the_normaliser_rejects(payload: bytes):
    rows = parse_epoch_runs(first_run_with(payload, ""), RUNS_FILE)
    assert (rows[0].row_ref, rows[0].metric, rows[0].value, rows[0].model) == ("line 2 Scores", "Scores", "",
                                                                                "gpt-5.1")
    assert "stderr" not in rows[0].attributes
    [reject] = normalize_rows(rows).rejects
    assert reject.row_ref == "line 2 Scores"


@pytest.mark.parametrize(("scores", "problem"), [
    ("0.85±0.02", "line 2: Scores part '0.85±0.02' is not 'name:score±stderr'"),
    (":0.85±0.02", "line 2: Scores part ':0.85±0.02' is not 'name:score±stderr'"),
    ('"choice:0.85±0.02,0.9"', "line 2: Scores part '0.9' is not 'name:score±stderr'"),
    ("choice:0.85±x", "line 2: Scores part 'choice:0.85±x' has a standard error that is not a number"),
    ("choice:0.85±", "line 2: Scores part 'choice:0.85±' has a standard error that is not a number"),
])
def test_a_scores_cell_of_another_layout_is_a_parse_error(payload: bytes, scores: str, problem: str):
    with pytest.raises(ParseError) as caught:
        parse_epoch_runs(first_run_with(payload, scores), RUNS_FILE)
    assert str(caught.value) == f"epoch-runs: cannot parse {RUNS_FILE}: {problem}"


def test_a_start_time_of_another_spelling_is_kept_as_written(payload: bytes):
    changed = payload.replace(b"17 November 2025 4:28pm", b"2025-11-17T16:28Z", 1)
    assert parse_epoch_runs(changed, RUNS_FILE)[0].published == "2025-11-17T16:28Z"


def test_files_of_another_layout_are_parse_errors(payload: bytes, shared_data: Path):
    with pytest.raises(ParseError, match="header has no 'Scores' column"):
        parse_epoch_runs(payload.replace(b",Scores,", b",Score,", 1), RUNS_FILE)
    with pytest.raises(ParseError, match="header has no .task. column"):
        parse_epoch_runs((shared_data / "epoch-benchmarks-2025/external_benchmark_mmlu.csv").read_bytes(), "mmlu.csv")
    with pytest.raises(ParseError, match="empty file, no header row"):
        parse_epoch_runs(b"", RUNS_FILE)
    header = payload.split(b"\n", 1)[0] + b"\n"
    with pytest.raises(ParseError, match="no runs under the header"):
        parse_epoch_runs(header, RUNS_FILE)
    with pytest.raises(ParseError, match="line 2 has 3 fields, the header has 12"):
        parse_epoch_runs(header + b"a,b,c\n", RUNS_FILE)
    with pytest.raises(ParseError, match="not UTF-8 text"):
        parse_epoch_runs(b"\xff\xfe" + payload, RUNS_FILE)


def test_the_byte_order_mark_is_expected_but_not_required(payload: bytes):
    assert payload.startswith(b"\xef\xbb\xbf")
    assert parse_epoch_runs(payload[3:], RUNS_FILE) == parse_epoch_runs(payload, RUNS_FILE)


# --- the contract, and epoch-csv left as it was -----------------------------------------------------------------


def test_the_source_contract_on_the_real_file(rows: list[RawRow], payload: bytes, path: Path):
    assert rows == parse_epoch_runs(payload, str(path)), "parsing twice gives the same rows"
    RAW_ROW_SCHEMA.validate(pd.DataFrame([dataclasses.asdict(r) for r in rows]), lazy=True)
    normalized = normalize_rows(rows)
    outcome = validate_results(normalized.results, date(2026, 1, 1))
    assert len(outcome.valid) == 775 and not outcome.failures and not normalized.rejects
    assert normalized.duplicates == 0 and outcome.valid["claim_key"].is_unique


def test_epoch_csv_still_reads_the_same_file_one_row_per_run(payload: bytes):
    rows = parse_epoch_csv(payload, RUNS_FILE)
    assert len(rows) == 541 and rows[0].metric == "Best score (across scorers)" and rows[0].value == "85.0%"


# --- end to end ---------------------------------------------------------------------------------------------------


def test_ingest_loads_every_score_with_its_standard_error(db, path: Path):
    report = ingest(db, "epoch-runs", str(path), observed_at="2025-06-01")
    assert (report.status, report.rows_parsed, report.rows_loaded, report.rows_rejected, report.rows_duplicate) == (
        "loaded", 775, 775, 0, 0)
    assert report.results_new == 775 and report.results_removed == 0
    stored = db.execute(
        """SELECT r.model, r.value, r.published_on, r.published_precision, r.setting,
                  CAST(json_extract(r.attributes, '$.stderr') AS DOUBLE), r.stderr
           FROM results r JOIN benchmarks b USING (benchmark_id)
           WHERE b.dataset = 'GPQA Diamond' AND r.model = 'gpt-5.1' AND r.setting = 'effort high'""").fetchall()
    assert stored == [("gpt-5.1", 88.0, date(2025, 11, 13), "day", "effort high", 2.0, 2.0)]
    # every score of the file has its "±": every result keeps its standard error in its own column
    assert db.execute("SELECT count(stderr) FROM results WHERE source = 'epoch-runs'").fetchone() == (775,)
    assert db.execute("SELECT count(*) FROM results WHERE source = 'epoch-runs'").fetchone() == (775,)
    again = ingest(db, "epoch-runs", str(path), observed_at="2025-06-01")
    assert again.status != "loaded"  # the same bytes again change nothing


def test_a_changed_standard_error_is_a_new_version_of_the_claim(db, payload: bytes, tmp_path: Path):
    text = payload.decode("utf-8-sig")
    header, first = text.splitlines()[:2]
    assert "\u00b1" in first
    before, after = tmp_path / "runs@2025-06-01.csv", tmp_path / "runs@2025-07-01.csv"
    before.write_text(f"{header}\n{first}\n", encoding="utf-8")
    score, error = first.split("\u00b1", 1)
    after.write_text(f"{header}\n{score}\u00b1{int(error[0]) + 1}{error[1:]}\n", encoding="utf-8")
    ingest(db, "epoch-runs", str(before))
    report = ingest(db, "epoch-runs", str(after))
    assert (report.results_new, report.results_changed, report.results_unchanged) == (0, 1, 0)
    kept = db.execute("SELECT stderr, removed_at IS NULL FROM results ORDER BY result_id").fetchall()
    assert [(round(stderr - kept[0][0], 6), current) for stderr, current in kept] == [(0.0, False), (100.0, True)]


def test_the_export_carries_each_results_standard_error(db, path: Path):
    from warehouse.statements import dict_rows

    ingest(db, "epoch-runs", str(path), observed_at="2025-06-01")
    exported = dict_rows(db, "export_results", {"as_of": None})
    assert len(exported) == 775 and all(row["stderr"] is not None for row in exported)
    assert [(row["model"], row["value"], row["stderr"]) for row in exported
            if row["dataset"] == "GPQA Diamond" and row["model"] == "gpt-5.1" and row["setting"] == "effort high"] == [
        ("gpt-5.1", 88.0, 2.0)]
