"""epoch-csv against Epoch AI's real benchmark exports (epoch-research/benchmark-stitching data/), read in place."""
from __future__ import annotations

import io
import json
import zipfile
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from pipelines.source import ParseError, RawRow
from pipelines.epoch_scores import best_score_stderr
from pipelines.epoch_csv import DEFAULT_URL, EXTERNAL, SOURCE, fraction_to_percent, parse_epoch_csv
from pipelines.normalize import normalize_rows
from pipelines.registry import get_source
from schemas.results import validate_results

MMLU = {"task": "Multi-task Language Understanding", "dataset": "MMLU", "metric": "EM"}
RUNS = {"task": "Language Model Evaluation", "metric": "Best score (across scorers)"}

# file -> (raw rows, rejects after normalisation). One row per record (ARC: two, Challenge and Easy).
BOARDS = {
    "benchmarks_runs.csv": (541, 0),
    "external_benchmark_aider_polyglot.csv": (68, 5),
    "external_benchmark_anli.csv": (19, 3),
    "external_benchmark_arc_agi.csv": (56, 0),
    "external_benchmark_arc_ai2.csv": (288, 65),
    "external_benchmark_balrog.csv": (27, 0),
    "external_benchmark_bbh.csv": (89, 0),
    "external_benchmark_boolq.csv": (206, 0),
    "external_benchmark_cadeval.csv": (15, 0),
    "external_benchmark_csqa2.csv": (10, 0),
    "external_benchmark_cybench.csv": (12, 0),
    "external_benchmark_deepresearch.csv": (13, 0),
    "external_benchmark_factorio_learning_environment.csv": (9, 0),
    "external_benchmark_fictionlivebench.csv": (60, 1),
    "external_benchmark_geobench.csv": (29, 0),
    "external_benchmark_gsm8k.csv": (234, 0),
    "external_benchmark_gso_bench.csv": (14, 0),
    "external_benchmark_hellaswag.csv": (135, 0),
    "external_benchmark_lambada.csv": (80, 0),
    "external_benchmark_lech_mazur_writing.csv": (46, 0),
    "external_benchmark_livebench.csv": (64, 0),
    "external_benchmark_mcbench.csv": (34, 0),
    "external_benchmark_metr.csv": (30, 0),
    "external_benchmark_mmlu.csv": (246, 0),
    "external_benchmark_openbookqa.csv": (73, 0),
    "external_benchmark_os_world.csv": (44, 0),
    "external_benchmark_osuniverse.csv": (9, 1),
    "external_benchmark_piqa.csv": (140, 0),
    "external_benchmark_scienceqa.csv": (104, 0),
    "external_benchmark_simple_bench.csv": (46, 0),
    "external_benchmark_superglue.csv": (11, 1),
    "external_benchmark_terminal_bench.csv": (61, 0),
    "external_benchmark_the_agent_company.csv": (16, 0),
    "external_benchmark_triviaqa.csv": (115, 0),
    "external_benchmark_videomme.csv": (46, 0),
    "external_benchmark_vpct.csv": (32, 0),
    "external_benchmark_weirdml.csv": (77, 1),
    "external_benchmark_winogrande.csv": (144, 0),
}
NOT_BOARDS = ["benchmark_optim.csv", "distilled_models.csv", "model_versions.csv"]


@pytest.fixture(scope="module")
def epoch(shared_data: Path) -> Path:
    return shared_data / "epoch-benchmarks-2025"


def parse_file(path: Path) -> list[RawRow]:
    return parse_epoch_csv(path.read_bytes(), str(path))


def zip_of(folder: Path, extra: dict[str, bytes] | None = None) -> bytes:
    """The folder as GitHub's archive of the repository lays it out (built in memory from the real files)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(folder.iterdir()):
            archive.writestr(f"benchmark-stitching-main/data/{path.name}", path.read_bytes())
        for name, content in (extra or {}).items():
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def bundle_rows(epoch: Path) -> list[RawRow]:
    # data_old/ upstream holds stale copies and a model table of its own; its files must not be read.
    stale = {
        "benchmark-stitching-main/data_old/model_versions.csv": (epoch / "model_versions.csv").read_bytes(),
        "benchmark-stitching-main/data_old/external_benchmark_webdevarena.csv": b"\xef\xbb\xbfid,Model version\n",
        "benchmark-stitching-main/README.md": b"# not a table\n",
    }
    return parse_epoch_csv(zip_of(epoch, stale), DEFAULT_URL)


def test_source_is_registered_with_the_repository_archive():
    assert get_source("epoch-csv") is SOURCE
    assert SOURCE.parse is parse_epoch_csv
    assert SOURCE.full_listing is True
    assert SOURCE.required_options == ()
    assert SOURCE.default_url == DEFAULT_URL == (
        "https://github.com/epoch-research/benchmark-stitching/archive/refs/heads/main.zip")


def test_every_file_in_the_folder_is_a_board_or_named_as_not_one(epoch: Path):
    on_disk = sorted(p.name for p in epoch.glob("*.csv"))
    assert on_disk == sorted([*BOARDS, *NOT_BOARDS]), "a file was added or removed upstream: classify it here"
    assert len(EXTERNAL) == len(BOARDS) - 1


@pytest.mark.parametrize("name", sorted(BOARDS))
def test_counts_and_rejects_per_board(epoch: Path, name: str):
    rows = parse_file(epoch / name)
    count, rejected = BOARDS[name]
    assert len(rows) == count
    normalized = normalize_rows(rows)
    assert (len(normalized.rejects), normalized.duplicates) == (rejected, 0)
    # Every reject is a cell with no score or a row Epoch left without a model on purpose (a mix of models).
    assert {r.reason.split(": ", 1)[1] for r in normalized.rejects} <= {
        "no value reported ('')", "the row has no model name"}
    # A single file has no release dates: they live in model_versions.csv.
    assert {r.published for r in rows} == {None}
    assert {r.uses_additional_data for r in rows} == {None}


def test_rejects_are_the_rows_epoch_itself_leaves_out(epoch: Path):
    rows = parse_file(epoch / "external_benchmark_aider_polyglot.csv")
    unnamed = [r for r in rows if not r.model]
    assert [r.row_ref for r in unnamed] == ["line 10", "line 21", "line 33", "line 49", "line 53"]
    assert unnamed[0].attributes["Notes"] == (
        "Model version deliberately omitted because it's a mix of o3 (high) & gpt-4.1")
    arc = Counter((r.dataset, r.value == "") for r in parse_file(epoch / "external_benchmark_arc_ai2.csv"))
    assert arc == {("ARC (Challenge)", False): 141, ("ARC (Challenge)", True): 3,
                   ("ARC (Easy)", False): 82, ("ARC (Easy)", True): 62}


def test_first_and_last_rows_of_mmlu(epoch: Path):
    rows = parse_file(epoch / "external_benchmark_mmlu.csv")
    assert rows[0] == RawRow(
        **MMLU, model="amazon.nova-lite-v1:0", value="77.0%", row_ref="line 2",
        paper_title="Stanford CRFM Leaderboard", paper_url="https://crfm.stanford.edu/helm/lite/latest/#/leaderboard/mmlu",
        attributes={"Name": "Amazon Nova Lite", "Shots": "5", "claim": "reccNX56mRCIhx9ok"})
    # Quoted notes with newlines: 246 records on 251 lines, each referred to by the line it starts on.
    assert rows[-1] == RawRow(
        **MMLU, model="Yi-34B-Chat", value="73.5%", row_ref="line 252",
        paper_title="Yi: Open Foundation Models by 01.AI", paper_url="http://arxiv.org/abs/2403.04652",
        attributes={"Name": "Yi-Chat 34B", "Shots": "5", "claim": "reckSm2dCL3rMGbBd"})


def test_first_and_last_rows_of_epochs_own_runs(epoch: Path):
    rows = parse_file(epoch / "benchmarks_runs.csv")
    assert rows[0] == RawRow(
        **RUNS, dataset="GPQA diamond", model="gpt-5.1", value="85.0%", row_ref="line 2",
        attributes={
            "Scores": "choice:0.85±0.02",
            "log viewer": "https://logs.epoch.ai/inspect-viewer/c79c08da/viewer.html?log_file=https%3A%2F%2Flogs.epoch.ai"
                          "%2Finspect_ai_logs%2FV3YQtSEnQ3TPZEPPgkCKQM.eval",
            "logs": "https://epoch-benchmarks-production-public.s3.us-east-2.amazonaws.com/inspect_ai_logs"
                    "/V3YQtSEnQ3TPZEPPgkCKQM.eval",
            "job": "https://github.com/epoch-research/benchmarks/actions/runs/19445092846/job/55637765314",
            "started_at": "17 November 2025 4:28pm", "Status": "Success", "task version": "1.0.1",
            "claim": "V3YQtSEnQ3TPZEPPgkCKQM", "setting": "effort medium", "stderr": 2.0})
    assert rows[-1] == RawRow(
        **RUNS, dataset="FrontierMath-Tier-4-2025-07-01-Private", model="gemini-2.5-deep-think-2025-08-01-webapp",
        value="10.4%", row_ref="line 542",
        attributes={"Scores": "manual_inspection:0.1±0.04", "Status": "Success", "Manual evaluation": "checked",
                    "task version": "1.0.0", "claim": "manual_gemini_2.5_deep_think_run_frontiermath_tier_4",
                    "stderr": 4.0})
    assert Counter(r.dataset for r in rows) == {
        "GPQA diamond": 134, "MATH level 5": 108, "OTIS Mock AIME 2024-2025": 106,
        "FrontierMath-2025-02-28-Private": 59, "FrontierMath-2025-02-28-Public": 58,
        "FrontierMath-Tier-4-2025-07-01-Private": 27, "FrontierMath-Tier-4-2025-07-01-Public": 26,
        "SWE-Bench verified": 23}


def test_the_best_gpqa_diamond_run_and_mmlu_entry(epoch: Path):
    runs = normalize_rows(parse_file(epoch / "benchmarks_runs.csv")).results
    gpqa = runs[runs["dataset"] == "GPQA Diamond"].sort_values("value", ascending=False).iloc[0]
    assert (gpqa["model"], gpqa["value"], gpqa["unit"], gpqa["row_ref"]) == ("gpt-5.1", 87.6, "percent", "line 17")
    assert json.loads(gpqa["attributes"])["setting"] == "effort high"
    mmlu = normalize_rows(parse_file(epoch / "external_benchmark_mmlu.csv")).results
    best = mmlu.sort_values("value", ascending=False).iloc[0]
    assert (best["model"], best["value"], best["paper_title"]) == ("gpt-4o-2024-11-20", 88.1, "Phi-4 Technical Report")


def test_the_same_model_listed_several_times_stays_several_claims(epoch: Path):
    """PaLM 540B on OpenBookQA: three shot counts in one paper, and the 0-shot value again from LLaMA's paper."""
    rows = [r for r in parse_file(epoch / "external_benchmark_openbookqa.csv") if r.model == "PaLM 540B"]
    assert [(r.value, r.attributes.get("Shots"), r.paper_title[:5]) for r in rows] == [
        ("53.4%", "0", "PaLM:"), ("53.6%", "1", "PaLM:"), ("68.0%", "few", "PaLM:"), ("53.4%", "0", "LLaMA")]
    assert len({r.attributes["claim"] for r in rows}) == 4
    assert len(normalize_rows(rows).results) == 4


def test_agents_and_display_names_fill_in_for_a_missing_model_version(epoch: Path):
    os_world = parse_file(epoch / "external_benchmark_os_world.csv")
    # The only file without a record id: the agent tells one model's entries apart (CUA at 200 and 15 steps), and
    # stands in as the model where Epoch gives no model version.
    cua = [(r.row_ref, r.value, r.attributes["claim"]) for r in os_world if r.model == "CUA"]
    assert cua == [("line 2", "38.100", "OpenAI CUA (200 steps)"), ("line 11", "19.700", "OpenAI CUA (15 steps)")]
    assert (os_world[1].model, os_world[1].attributes["claim"]) == (
        "Agent S2 w/ Claude 3.7 (50 steps)", "Agent S2 w/ Claude 3.7 (50 steps)")
    livebench = {r.row_ref: r.model for r in parse_file(epoch / "external_benchmark_livebench.csv")}
    assert livebench["line 14"] == "chatgpt-4o-latest-2025-03-27"  # LiveBench's own name, from its `id` column


def test_the_byte_order_mark_is_expected_but_not_required(epoch: Path):
    payload = (epoch / "external_benchmark_gsm8k.csv").read_bytes()
    assert payload.startswith(b"\xef\xbb\xbf")
    location = "https://example.org/data/external_benchmark_gsm8k@2025-12-03.csv?raw=1"
    assert parse_epoch_csv(payload[3:], location) == parse_epoch_csv(payload, location)


def test_parsing_twice_gives_the_same_rows(epoch: Path):
    path = epoch / "external_benchmark_winogrande.csv"
    assert parse_file(path) == parse_file(path)


def test_fractions_become_percent_text_exactly():
    assert [fraction_to_percent(t) for t in ("0.850", "0.097", "1.000", "0")] == ["85.0%", "9.7%", "100.0%", "0%"]
    assert fraction_to_percent("n/a") == "n/a"


# --- the zip: every board with the release dates of model_versions.csv -------------------------------------------


def test_a_zip_of_the_data_folder_dates_rows_by_model_release(bundle_rows: list[RawRow]):
    assert len(bundle_rows) == sum(count for count, _ in BOARDS.values()) == 3243
    assert Counter(r.row_ref.split(" line ")[0] for r in bundle_rows) == {
        name: count for name, (count, _) in BOARDS.items()}
    assert bundle_rows[0] == RawRow(
        **RUNS, dataset="GPQA diamond", model="gpt-5.1", value="85.0%", row_ref="benchmarks_runs.csv line 2",
        published="2025-11-13",
        attributes=bundle_rows[0].attributes)
    mmlu = next(r for r in bundle_rows if r.dataset == "MMLU")
    assert mmlu == RawRow(
        **MMLU, model="amazon.nova-lite-v1:0", value="77.0%", row_ref="external_benchmark_mmlu.csv line 2",
        paper_title="Stanford CRFM Leaderboard", paper_url="https://crfm.stanford.edu/helm/lite/latest/#/leaderboard/mmlu",
        published="2024-12-03",
        attributes={"Name": "Amazon Nova Lite", "Shots": "5", "claim": "reccNX56mRCIhx9ok"})
    # 2,755 of 3,243 rows have a model version with a release date; the others (display names only, versions
    # without a date in model_versions.csv) are undated, and their first sighting stands in.
    assert sum(1 for r in bundle_rows if r.published) == 2755


def test_the_zip_normalises_to_day_dates_with_no_claim_twice(bundle_rows: list[RawRow]):
    normalized = normalize_rows(bundle_rows)
    assert (len(normalized.rejects), normalized.duplicates) == (77, 0)
    results = normalized.results
    assert len(results) == 3243 - 77
    assert Counter(results["published_precision"]) == {"day": 2698, "unknown": 468}
    assert results["published_on"].dropna().max() == date(2025, 11, 13)
    assert validate_results(results, date(2026, 1, 1)).failures == []
    boards = results[["task", "dataset"]].drop_duplicates()
    assert len(boards) == 46  # 37 external files (ARC's gives two boards) and Epoch's 8 run benchmarks
    rejected = Counter(json.loads(r.raw)["row_ref"].split(" line ")[0] for r in normalized.rejects)
    assert rejected == {name: rejects for name, (_, rejects) in BOARDS.items() if rejects}


def test_metr_time_horizon_is_higher_is_better(epoch: Path):
    results = normalize_rows(parse_file(epoch / "external_benchmark_metr.csv")).results
    assert set(results["direction"]) == {"higher"}


# --- what is not a board, and broken payloads ---------------------------------------------------------------------


@pytest.mark.parametrize("name", NOT_BOARDS)
def test_a_table_that_is_not_a_board_is_a_parse_error_saying_what_it_is(epoch: Path, name: str):
    path = epoch / name
    with pytest.raises(ParseError) as caught:
        parse_file(path)
    error = caught.value
    assert (error.source, error.location) == ("epoch-csv", str(path))
    assert error.problem.startswith(f"{name} is not a leaderboard: ")
    assert str(error).startswith(f"epoch-csv: cannot parse {path}: {name} is not a leaderboard")


def test_unknown_file_names_are_parse_errors(epoch: Path):
    payload = (epoch / "external_benchmark_mmlu.csv").read_bytes()
    with pytest.raises(ParseError, match="external_benchmark_webdevarena.csv: a benchmark file this parser does not "
                                         "know yet"):
        parse_epoch_csv(payload, "data/external_benchmark_webdevarena.csv")
    with pytest.raises(ParseError, match="results.csv: not an Epoch benchmark file name"):
        parse_epoch_csv(payload, "https://example.org/results.csv")


def test_a_renamed_score_column_is_a_parse_error_naming_it(epoch: Path):
    payload = (epoch / "external_benchmark_mmlu.csv").read_bytes().replace(b",EM,", b",Exact match,", 1)
    with pytest.raises(ParseError, match="external_benchmark_mmlu.csv: header has no 'EM' column"):
        parse_epoch_csv(payload, "external_benchmark_mmlu.csv")
    runs = (epoch / "benchmarks_runs.csv").read_bytes().replace(b",task,", b",benchmark,", 1)
    with pytest.raises(ParseError, match="benchmarks_runs.csv: header has no 'task' column"):
        parse_epoch_csv(runs, "benchmarks_runs.csv")


def test_empty_header_only_and_truncated_payloads_are_parse_errors(epoch: Path):
    name = "external_benchmark_vpct.csv"
    payload = (epoch / name).read_bytes()
    with pytest.raises(ParseError, match="no header row"):
        parse_epoch_csv(b"", name)
    with pytest.raises(ParseError, match="no data rows under the header"):
        parse_epoch_csv(payload.split(b"\n", 1)[0] + b"\n", name)
    lines = payload.split(b"\n")
    lines[2] = lines[2].rsplit(b",", 2)[0]
    with pytest.raises(ParseError, match="external_benchmark_vpct.csv line 3 has 4 fields, the header has 6"):
        parse_epoch_csv(b"\n".join(lines), name)


def test_a_zip_without_the_model_table_or_with_an_unknown_board_is_a_parse_error(epoch: Path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("data/external_benchmark_mmlu.csv", (epoch / "external_benchmark_mmlu.csv").read_bytes())
    with pytest.raises(ParseError, match="a zip must hold one folder with model_versions.csv"):
        parse_epoch_csv(buffer.getvalue(), "epoch.zip")
    new_board = {"benchmark-stitching-main/data/external_benchmark_webdevarena.csv": b"Model version,Arena Score\n"}
    with pytest.raises(ParseError, match="external_benchmark_webdevarena.csv: a benchmark file this parser does not"):
        parse_epoch_csv(zip_of(epoch, new_board), "main.zip")
    with pytest.raises(ParseError, match="corrupt zip"):
        parse_epoch_csv(b"PK\x03\x04 truncated", "main.zip")


def test_each_run_keeps_the_standard_error_of_its_best_scorer(epoch: Path):
    """The best score is the highest scorer's: its "±" is the run's standard error (percent points, like the value)."""
    rows = parse_file(epoch / "benchmarks_runs.csv")
    assert all("stderr" in r.attributes for r in rows)
    line7 = next(r for r in rows if r.row_ref == "line 7")  # OTIS: model_extracted_exact_match 0.84±0.05, graded 0.85±0.05
    assert (line7.value, line7.attributes["stderr"]) == ("84.7%", 5.0)
    assert best_score_stderr("a:0.5±0.01,b:0.7±0.03,c:0.7±0.02") == 3.0  # a tie at the top: the larger error
    assert best_score_stderr("a:0.5") is None and best_score_stderr("not a cell") is None
