"""A new best within the noise of the old one is a tie, not a new SOTA (issue 15), on Epoch's real runs.

Epoch's `benchmarks_runs.csv` (read in place) is cut by the day each run started, as if it had been fetched on three
days of May 2025; only MATH level 5's runs are kept, and a rule watches its `normalized_string_match` score:
- up to 2025-05-01 the best is o3 (high effort), 86 ± 1: the baseline;
- by 2025-05-10 gemini-2.5-pro-preview-03-25 scores 91 ± 1: 5 points, 3.5 combined standard errors, a new SOTA,
  alerted through a real webhook receiver on 127.0.0.1 with the margin in standard errors;
- by 2025-05-31 DeepSeek-R1-0528 scores 92 ± 1: 1 point, 0.7 standard errors, within the noise: a record of kind
  "tied within noise", no alert.
"""
from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from flows.alerts.channels import build_channel
from flows.alerts.delivery import deliver_pending, pending_alerts
from flows.alerts.messages import alert_line
from flows.config import ChannelConfig
from flows.ingest import ingest
from flows.new_sota import NewSotaHook
from pipelines.epoch_runs import _run_day
from tests.support.http_server import serve
from tests.support.receivers import webhook_posts
from warehouse.sota_detect import Rule, records

RUNS_FILE = "epoch-benchmarks-2025/benchmarks_runs.csv"
WATCH = Rule(dataset="MATH level 5", metric="normalized_string_match")
NOW = datetime(2025, 6, 1, tzinfo=timezone.utc).replace(tzinfo=None)


def math_runs_until(shared_data: Path, last_day: str, folder: Path) -> Path:
    """The real file's MATH level 5 runs that started on or before `last_day`, as a file of its own."""
    text = (shared_data / RUNS_FILE).read_text(encoding="utf-8-sig")
    reader = csv.reader(io.StringIO(text))
    header = next(reader)
    task, started = header.index("task"), header.index("started_at")
    kept = [row for row in reader
            if row[task] == "MATH level 5" and (_run_day(row[started]) or "9999") <= last_day]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header, *kept])
    path = folder / f"benchmarks_runs@{last_day}.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def load(db, path: Path, rule: Rule = WATCH) -> NewSotaHook:
    hook = NewSotaHook([rule], channels=["hook"], backfill=False)
    report = ingest(db, "epoch-runs", str(path), after_load=hook)
    assert report.status == "loaded"
    return hook


@pytest.fixture
def days(shared_data: Path, tmp_path: Path) -> dict[str, Path]:
    return {day: math_runs_until(shared_data, day, tmp_path) for day in ("2025-05-01", "2025-05-10", "2025-05-31")}


def test_a_move_outside_the_noise_alerts_with_its_margin_in_standard_errors_and_one_inside_is_a_tie(db, days):
    assert load(db, days["2025-05-01"]).records == []  # the baseline
    [new] = load(db, days["2025-05-10"]).records
    assert (new.kind, new.model, new.value, new.stderr, new.previous_model, new.previous_value, new.previous_stderr,
            new.margin, round(new.z, 2)) == ("new SOTA", "gemini-2.5-pro-preview-03-25", 91.0, 1.0, "o3-2025-04-16",
                                              86.0, 1.0, 5.0, 3.54)
    [tie] = load(db, days["2025-05-31"]).records
    assert (tie.kind, tie.model, tie.value, tie.previous_model, tie.margin, round(tie.z, 2)) == (
        "tied within noise", "DeepSeek-R1-0528", 92.0, "gemini-2.5-pro-preview-03-25", 1.0, 0.71)
    # only the new SOTA was queued; the tie is recorded, and kept with its kind
    assert db.execute("SELECT record_id, channel FROM alert_outbox").fetchall() == [(new.record_id, "hook")]
    assert [(r.kind, r.model) for r in records(db)] == [("new SOTA", "gemini-2.5-pro-preview-03-25"),
                                                        ("tied within noise", "DeepSeek-R1-0528")]
    with serve() as server:
        server.route("/hook", [(200, {}, b"ok")])
        channel = build_channel(ChannelConfig("hook", "webhook", {"url": server.url("/hook")}))
        report = deliver_pending(db, {"hook": channel}, NOW)
        [(status, body)] = webhook_posts(server)
    assert (len(report.delivered), status) == (1, 200)
    assert body["text"] == (
        "New SOTA on Language Model Evaluation / MATH level 5 / normalized_string_match: "
        "gemini-2.5-pro-preview-03-25 91% (2025-05-07) beats o3-2025-04-16 86% by 5 points, 3.5 standard errors (±1 and ±1)")
    assert (body["record"]["kind"], round(body["record"]["z"], 2)) == ("new SOTA", 3.54)


def test_the_sota_history_marks_the_tie_and_the_records_listing_says_which_is_which(db, days):
    for path in days.values():
        load(db, path)
    steps = db.execute(
        """SELECT model, value, previous_value, round(z, 2), within_noise
           FROM sota_history('Language Model Evaluation', 'MATH level 5', 'normalized_string_match')
           WHERE effective_on >= DATE '2025-04-16'""").fetchall()
    assert steps == [("o3-2025-04-16", 86.0, 85.0, 0.71, True),
                     ("gemini-2.5-pro-preview-03-25", 91.0, 86.0, 3.54, False),
                     ("DeepSeek-R1-0528", 92.0, 91.0, 0.71, True)]


def test_a_rule_asking_for_more_standard_errors_records_nothing_smaller(db, days):
    load(db, days["2025-05-01"])
    assert load(db, days["2025-05-10"], Rule(dataset="MATH level 5", metric="normalized_string_match",
                                              min_z=4)).records == []
    assert db.execute("SELECT count(*) FROM sota_records").fetchone() == (0,)


# --- confidence intervals, where no standard error is given --------------------------------------------------------

SIMPLEQA = ("every-eval-ever/SimpleQA-Verified__anthropic__claude-opus-4-6__"
            "0d03a117-82c9-4823-a256-439a728d0ead.json")


def simpleqa_record(shared_data: Path, folder: Path, model: str, score: float, interval: tuple[float, float],
                    days_later: int = 0) -> Path:
    """Every Eval Ever's real SimpleQA Verified record (Claude Opus 4.6: 0.431, interval 0.400 .. 0.462, run on
    2026-02-06), as another model's run some days later with another score and interval: BUILT from the real record,
    only those facts changed."""
    record = json.loads((shared_data / SIMPLEQA).read_text(encoding="utf-8"))
    assert record["evaluation_results"][0]["score_details"]["score"] == 0.431
    if model:
        later = str(float(record["evaluation_timestamp"]) + days_later * 86400)
        record["evaluation_timestamp"] = record["evaluation_results"][0]["evaluation_timestamp"] = later
        record["model_info"]["id"] = record["model_info"]["name"] = model
        record["evaluation_id"] = record["evaluation_id"].replace("anthropic_claude-opus-4-6", model.replace("/", "_"))
        details = record["evaluation_results"][0]["score_details"]
        details["score"] = score
        details["confidence_interval"] = {"lower": interval[0], "upper": interval[1]}
    path = folder / f"{model.replace('/', '_') or 'real'}.json"
    path.write_text(json.dumps(record), encoding="utf-8")
    return path


def test_without_standard_errors_overlapping_intervals_are_a_tie_and_apart_ones_a_new_sota(db, shared_data, tmp_path):
    watch = Rule(dataset="SimpleQA-Verified")

    def load_eee(path: Path) -> list:
        hook = NewSotaHook([watch], channels=["hook"], backfill=False)
        assert ingest(db, "eee", str(path), after_load=hook).status == "loaded"
        return hook.records

    assert load_eee(simpleqa_record(shared_data, tmp_path, "", 0, (0, 0))) == []  # the real record: the baseline
    [tie] = load_eee(simpleqa_record(shared_data, tmp_path, "example/model-a", 0.45, (0.42, 0.48), 1))
    assert (tie.kind, tie.basis, tie.z, tie.model, tie.previous_model) == (
        "tied within noise", "intervals", None, "model-a", "claude-opus-4-6")
    [new] = load_eee(simpleqa_record(shared_data, tmp_path, "example/model-b", 0.55, (0.52, 0.58), 2))
    assert (new.kind, new.basis, new.z, new.model, new.previous_model) == (
        "new SOTA", "intervals", None, "model-b", "model-a")
    assert db.execute("SELECT record_id FROM alert_outbox").fetchall() == [(new.record_id,)]
    [alert] = pending_alerts(db)
    assert alert_line(alert.record).endswith("by 0.1, outside both confidence intervals")
    # the questions say the same: model-a within the real record's interval, model-b not within model-a's
    steps = db.execute("SELECT model, within_noise FROM sota_history('SimpleQA-Verified', 'SimpleQA-Verified', "
                       "'Accuracy') ORDER BY value").fetchall()
    assert steps == [("claude-opus-4-6", None), ("model-a", True), ("model-b", False)]
