"""The report where results have standard errors (issue 15), on Epoch's real runs: the board shows "88 ± 2" and the
setting beside the model, the history says how many standard errors each step's margin is and which are ties within
noise, and the chart draws one standard error either side of each result."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from flows.ingest import ingest
from flows.report.charts import draw_chart, fetch_chart
from flows.report.site import build_report
from warehouse.db import connect

GPQA = ("Language Model Evaluation", "GPQA Diamond", "Accuracy")


@pytest.fixture(scope="module")
def runs(tmp_path_factory, shared_data) -> Path:
    db = tmp_path_factory.mktemp("runs") / "runs.duckdb"
    with connect(db) as con:
        ingest(con, "epoch-runs", str(shared_data / "epoch-benchmarks-2025/benchmarks_runs.csv"),
               observed_at="2025-12-03")
    return db


def test_the_board_shows_settings_and_standard_errors(runs, tmp_path):
    with connect(runs, read_only=True) as con:
        build_report(con, tmp_path, benchmarks=[" / ".join(GPQA)], today=date(2025, 12, 5), as_of=date(2025, 6, 1))
    [page] = (tmp_path / "benchmarks").glob("*.html")
    html = page.read_text(encoding="utf-8")
    board = json.loads(html.split('<script type="application/json" id="board-data">', 1)[1].split("</script>")[0])
    assert [(r["model"], r["shown"]) for r in board["rows"][:3]] == [
        ("gpt-5.1 (effort high)", "88 ± 2"), ("grok-4-0709", "87 ± 2"), ("gpt-5-2025-08-07 (effort high)", "86 ± 2")]
    # the last step: 2 points over gpt-5 (high), 0.71 standard errors, a tie within noise
    assert "(0.71 SE, tied within noise)" in html


def test_the_chart_draws_one_standard_error_either_side(runs):
    with connect(runs, read_only=True) as con:
        data = fetch_chart(con, *GPQA, today=date(2025, 12, 5))
    assert len(data.points) == 139 and all(p["stderr"] is not None for p in data.points)
    figure = draw_chart(data)
    [axes] = [a for a in figure.axes if a.collections]
    bars = [c for c in axes.collections if type(c).__name__ == "LineCollection"]
    assert len(bars) == 1 and len(bars[0].get_segments()) == 139
    leader = next(s for s in bars[0].get_segments() if abs(s[1][1] - 90.0) < 1e-9)  # 88 + 2
    assert abs(leader[0][1] - 86.0) < 1e-9  # 88 - 2
