"""`sota api` on Epoch's real runs (issue 15): the leader with its standard error and its co-leaders within noise,
the evaluator filter, and the refusal of an evaluator the API does not know, over real HTTP on 127.0.0.1."""
from __future__ import annotations

import pytest

from tests.flows.api.serving import serving, sota

GPQA = {"task": "Language Model Evaluation", "dataset": "gpqa diamond", "metric": "accuracy"}


@pytest.fixture(scope="module")
def runs_api(tmp_path_factory, shared_data):
    db = tmp_path_factory.mktemp("runs") / "runs.duckdb"
    sota("load", str(shared_data / "epoch-benchmarks-2025/benchmarks_runs.csv"), "--source", "epoch-runs",
         "--observed-at", "2025-12-03", "--db", str(db))
    with serving(db, interval=0.5) as served:
        yield served


def test_the_leader_and_its_co_leaders_within_noise(runs_api):
    rows = runs_api.get("/v1/sota", params={"as_of": "2025-11-30", "within_noise": "true", **GPQA}).json()["rows"]
    assert [(r["model"], r["setting"], r["value"], r["stderr"], r["co_leader"], r["z"]) for r in rows[:3]] == [
        ("gpt-5.1", "effort high", 88.0, 2.0, False, None),
        ("gpt-5-2025-08-07", "effort high", 86.0, 2.0, True, 0.71),
        ("gemini-2.5-pro", None, 85.0, 2.0, True, 1.06)]
    assert len(rows) == 10 and all(r["co_leader"] for r in rows[1:])
    alone = runs_api.get("/v1/sota", params={"as_of": "2025-11-30", **GPQA}).json()["rows"]
    assert [(r["model"], r["value"], r["stderr"]) for r in alone] == [("gpt-5.1", 88.0, 2.0)]


def test_evaluators_filter_and_an_unknown_one_is_refused(runs_api):
    third = runs_api.get("/v1/leaderboard", params={"as_of": "2025-11-30", "evaluator": "third-party", **GPQA}).json()
    first = runs_api.get("/v1/leaderboard", params={"as_of": "2025-11-30", "evaluator": "first-party", **GPQA}).json()
    assert (third["rows"][0]["model"], third["total"] > 100, first["rows"]) == ("gpt-5.1", True, [])
    refused = runs_api.get("/v1/sota", params={"evaluator": "second-party"})
    assert refused.status_code == 422 and "evaluator" in refused.text and "Traceback" not in refused.text
