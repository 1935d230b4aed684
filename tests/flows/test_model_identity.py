"""One model across evaluation sources (issue 15): one row per model and setting, with every source's value.

No real pair exists in the shared data: Every Eval Ever's three records (Claude Opus 4.6 on SimpleQA Verified, Claude
Opus 4.1 on Global MMLU Lite, Yi-34B on HELM Lite's scenarios) are on benchmarks Epoch's runs do not have, and HELM
Lite's "MMLU" is five subjects of MMLU, not the benchmark Epoch's MMLU file reports. So the pair is BUILT FROM the
Hugging Face documentation (../shared/data/hf-eval-results/eval-results.md, read in place): its required-fields
example (`Idavidrein/gpqa`, task `gpqa_diamond`) as the `.eval_results` file of the repository `openai/gpt-oss-120b`,
with the note "high" (its reasoning effort), beside Epoch's real run of `gpt-oss-120b_high` on GPQA diamond
(71 ± 3, benchmarks_runs.csv line 28). The value written in the built file is said in each test.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from flows.cli import main
from flows.ingest import ingest
from pipelines.llm_names import split_llm_name
from tests.support.doc_examples import fenced_blocks
from warehouse.db import connect

RUNS_FILE = "epoch-benchmarks-2025/benchmarks_runs.csv"
GPQA = ("Language Model Evaluation", "GPQA Diamond", "Accuracy")


def built_eval_results(shared_data: Path, folder: Path, value: str) -> Path:
    """The documentation's required-fields example with `value` and the note "high", as a model repository's file."""
    [_, example] = fenced_blocks((shared_data / "hf-eval-results" / "eval-results.md").read_text(encoding="utf-8"),
                                 "yaml")[:2]
    assert example == "- dataset:\n    id: Idavidrein/gpqa\n    task_id: gpqa_diamond\n  value: 0.412\n"
    path = folder / "gpqa.yaml"
    path.write_text(example.replace("0.412", value) + '  notes: "high"\n', encoding="utf-8")
    return path


@pytest.fixture
def loaded(db, shared_data: Path, tmp_path: Path):
    """Epoch's runs, then the model repository's file; `load(value)` loads the latter with that value."""
    ingest(db, "epoch-runs", str(shared_data / RUNS_FILE), observed_at="2025-12-03")

    def load(value: str) -> None:
        path = built_eval_results(shared_data, tmp_path, value)
        ingest(db, "hf-eval-results", str(path), options={"model": "openai/gpt-oss-120b"}, observed_at="2025-12-04")
    return load


def gpt_oss(db) -> list[tuple]:
    return db.execute(
        """SELECT c.model, c.setting, c.value, c.stderr, c.sources, len(c.witness_ids), c.evaluators, c.value_conflict
           FROM consolidated_results AS c JOIN benchmarks AS b USING (benchmark_id)
           WHERE b.dataset = 'GPQA Diamond' AND c.removed_at IS NULL AND sw_model_key(c.model) = 'gptoss120b'"""
    ).fetchall()


def test_the_issues_three_spellings_are_one_model_in_one_setting():
    names = [split_llm_name(name) for name in ("gpt-5.1_medium", "GPT-5.1 (medium)", "openai/gpt-5.1")]
    assert [(n.model, n.setting, n.vendor) for n in names] == [
        ("gpt-5.1", "effort medium", None), ("GPT-5.1", "effort medium", None), ("gpt-5.1", None, "openai")]
    # the warehouse folds case and punctuation: one model key
    assert {"".join(c for c in n.model.lower() if c.isalnum()) for n in names} == {"gpt51"}


def test_built_from_doc_one_model_from_two_sources_is_one_row_with_two_witnesses(db, loaded):
    loaded("0.708")  # the run's own "Best score", as a model card might copy it
    assert gpt_oss(db) == [(
        "gpt-oss-120b", "effort high", 70.8, 3.0, ["epoch-runs", "hf-eval-results"], 2,
        ["first-party", "third-party"], False)]
    # the board shows it once, with the standard error Epoch gives (the model card gives none)
    board = db.execute("SELECT model, setting, value, stderr, sources FROM leaderboard_as_of(?, ?, ?, DATE '2026-01-01')"
                       " WHERE model = 'gpt-oss-120b'", list(GPQA)).fetchall()
    assert board == [("gpt-oss-120b", "effort high", 70.8, 3.0, ["epoch-runs", "hf-eval-results"])]


def test_built_from_doc_two_sources_that_disagree_are_still_one_row_with_the_conflict_shown(db, loaded):
    loaded("0.412")  # the documentation's own example value
    assert gpt_oss(db) == [(
        "gpt-oss-120b", "effort high", 41.2, None, ["epoch-runs", "hf-eval-results"], 2,
        ["first-party", "third-party"], True)]
    [conflict] = db.execute("SELECT model, sources, lowest, highest FROM conflicts WHERE dataset = 'GPQA Diamond'"
                            ).fetchall()
    assert conflict == ("gpt-oss-120b", "epoch-runs, hf-eval-results", 41.2, 71.0)


def test_first_and_third_party_results_can_be_asked_for_apart(db, loaded):
    loaded("0.708")
    ask = "SELECT model, setting, value FROM sota_as_of(DATE '2026-01-01', evaluator := ?) WHERE dataset = 'GPQA Diamond'"
    assert db.execute(ask, ["first-party"]).fetchall() == [("gpt-oss-120b", "effort high", 70.8)]
    assert db.execute(ask, ["third-party"]).fetchall() == [("gpt-5.1", "effort high", 88.0)]
    first = db.execute("SELECT count(*) FROM leaderboard_as_of(?, ?, ?, DATE '2026-01-01', evaluator := 'first-party')",
                       list(GPQA)).fetchone()
    third = db.execute("SELECT count(*) FROM leaderboard_as_of(?, ?, ?, DATE '2026-01-01', evaluator := 'third-party')",
                       list(GPQA)).fetchone()
    assert (first, third) == ((1,), (139,))  # every Epoch run is third-party, the model card's row is both


def test_sota_models_lists_a_models_names_settings_and_sources(loaded, tmp_path, capsys, monkeypatch, shared_data):
    monkeypatch.delenv("SOTA_DB", raising=False)
    path = tmp_path / "cli.duckdb"
    with connect(path) as con:
        ingest(con, "epoch-runs", str(shared_data / RUNS_FILE), observed_at="2025-12-03")
        ingest(con, "hf-eval-results", str(built_eval_results(shared_data, tmp_path, "0.708")),
               options={"model": "openai/gpt-oss-120b"}, observed_at="2025-12-04")
    capsys.readouterr()
    assert main(["models", "--search", "OpenAI/GPT-OSS-120B (high)", "--json", "--db", str(path)]) == 0
    assert json.loads(capsys.readouterr().out) == [{
        "model": "gpt-oss-120b", "names": ["gpt-oss-120b"], "settings": ["effort high"],
        "sources": ["epoch-runs", "hf-eval-results"], "results": 4}]  # GPQA, and OTIS by two scorers
    assert main(["models", "--search", "gpt-5.1", "--json", "--db", str(path)]) == 0
    [gpt51] = json.loads(capsys.readouterr().out)
    assert (gpt51["model"], gpt51["settings"], gpt51["sources"]) == ("gpt-5.1", ["effort high", "effort medium"],
                                                                     ["epoch-runs"])
    assert main(["models", "--search", "no such model", "--db", str(path)]) == 0
    assert "no model matches 'no such model'" in capsys.readouterr().err
