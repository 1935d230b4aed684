"""Epoch AI's own evaluation runs with their standard errors (`epoch-runs`): one row per score of each run, dated by the
run.

Data: `benchmarks_runs.csv` in the `data/` folder of epoch-research/benchmark-stitching (Epoch AI's exports for "A
Rosetta Stone for AI Benchmarks"), in the shared data as `epoch-benchmarks-2025/benchmarks_runs.csv`; the default URL is
its raw file on GitHub. One plain GET per payload; the file changes a few times a month, and the politeness itself lives
in the shared HTTP client.

Why a source of its own: `epoch-csv` reads the same file as one board among Epoch's tables, one row per run with its
"Best score (across scorers)" and the model's release date. Here the run is the unit: each score in its `Scores` cell
is a row of its own, with its standard error, dated by when the run started. The two read the file for different
questions, and `epoch-csv`'s rows stay as they are.

What the parser relies on: a header row (a UTF-8 byte-order mark is expected) with the columns `id` (the run), `task`
(the benchmark as Epoch names it, "GPQA diamond"), `model` (Epoch's model id, a reasoning effort or thinking budget as
a suffix: "gpt-5.1_high", "claude-sonnet-4-5-20250929_32K"), `Scores` and `started_at`; quoted cells may hold newlines
(a record's row_ref is the line it starts on). `Scores` lists the run's scorers, comma-separated, each
"name:score±stderr" ("choice:0.85±0.02"), scores and standard errors as fractions of 1, rounded to two decimals (the
run's "Best score (across scorers)" keeps three, and is kept in `attributes`). A run may list one scorer name twice
(five GPQA diamond runs of 26 May 2025 list `choice` twice, with different scores): each is a claim, the second named
"#2" in its setting and row_ref. `started_at` reads "17 November 2025 4:28pm"; four runs have none (two manual
evaluations, and grok-4-0709's two runs, which have no logs or job either).

What a row says: task "Language Model Evaluation" and the benchmark as the dataset (as `epoch-csv` files Epoch's
runs), the scorer's name as the metric, the model as Epoch writes it less its setting suffix ("gpt-5.1_high" is the
model "gpt-5.1" in the setting "effort high", "claude-sonnet-4-5-20250929_32K" is "thinking 32K": see
`pipelines.llm_names`), the score as percent text ("85%", the decimal point moved exactly), `published` the day the
run started (day precision; none when the run gives no date), and in `attributes`: `setting` (when the name has one),
`claim` (the run id: one model's runs in one setting are separate claims; "#2" added for a scorer listed twice),
`evaluator` "third-party" (Epoch runs other developers' models),
`stderr` (a float in percent points, the value's unit; absent when the score has no "±"), `lower_is_better` False (see
below), and every other non-empty cell under its header as written (the run id as `id`, `Best score (across
scorers)`, `started_at`, `task version`, the log and job links, ...).
A score that is not a number ("choice:abc±0.1") is a row with its text as written, which the normaliser rejects with
its reason; an empty `Scores` cell is a row with an empty value under the metric `Scores`, rejected the same way. A
scorer without a name or with a standard error that is not a number is a `ParseError` naming the line: the cell no
longer has the layout read here.

Which way the scores point: the scorer names ("choice", "verification_code") say nothing, but the file does: it names
the highest of a run's scores its "Best score (across scorers)" (in the copy of 2025-12-03, on all 126 runs with two or
three scores, the best is the largest, to its rounding), and every score is a fraction of the questions solved. So each row carries `lower_is_better: False`, the
source's own flag, which the normaliser weighs as evidence and names in the direction's reason.

Limits: the file is Epoch's selection of its runs (only successful ones, a subset of models per benchmark), not
demonstrably every run, so a run missing from a later copy is not taken as removed (`full_listing=False`). The
extra-training-data flag is unknown (None); no paper is named (Epoch's own evaluations). Scores and standard errors
are rounded to two decimals of a fraction, so "±0" (128 scores, most of them a score of 0) is an error below half a
point, not none.
"""
from __future__ import annotations

from collections import Counter
from datetime import datetime

from pipelines.csv_records import csv_records, csv_text, require_columns
from pipelines.epoch_scores import Score, ScoresError, parse_scores
from pipelines.epoch_csv import GENERIC_TASK
from pipelines.llm_names import split_llm_name
from pipelines.source import ParseError, RawRow, SourceSpec
from pipelines.values import fraction_to_percent

SOURCE_NAME = "epoch-runs"
DEFAULT_URL = "https://raw.githubusercontent.com/epoch-research/benchmark-stitching/main/data/benchmarks_runs.csv"

REQUIRED = ("id", "task", "model", "Scores", "started_at")
# Read into the row itself; every other non-empty cell is an attribute under its header.
FIXED = {"task", "model", "Scores"}
_STARTED = "%d %B %Y %I:%M%p"  # "17 November 2025 4:28pm"


def _problem(location: str, text: str) -> ParseError:
    return ParseError(SOURCE_NAME, location, text)


def _run_day(started_at: str) -> str | None:
    """"17 November 2025 4:28pm" -> "2025-11-17"; another spelling is kept as written (the normaliser reads what it
    can of it), none when the cell is empty."""
    if not started_at:
        return None
    try:
        return datetime.strptime(started_at, _STARTED).date().isoformat()
    except ValueError:
        return started_at


def _scores(cell: str, line: int, location: str) -> list[Score]:
    try:
        return parse_scores(cell)
    except ScoresError as error:
        raise _problem(location, f"line {line}: {error}") from None


def parse_epoch_runs(payload: bytes, location: str, **_options: str) -> list[RawRow]:
    """One raw row per score of each run in Epoch's `benchmarks_runs.csv`; options are ignored."""
    text = csv_text(payload, source=SOURCE_NAME, location=location)
    columns, records = csv_records(text, source=SOURCE_NAME, location=location)
    require_columns(columns, REQUIRED, source=SOURCE_NAME, location=location)
    rows: list[RawRow] = []
    for line, cells in records:
        run = cells["id"]
        if not run:
            raise _problem(location, f"line {line} has no run id")
        common = {column: value for column, value in cells.items() if value and column not in FIXED}
        published = _run_day(cells["started_at"])
        name_parts = split_llm_name(cells["model"])
        scores = _scores(cells["Scores"], line, location) if cells["Scores"] else [Score("Scores", "", None)]
        seen: Counter[str] = Counter()
        for name, score, stderr in scores:
            seen[name] += 1
            repeat = f" #{seen[name]}" if seen[name] > 1 else ""
            attributes: dict[str, object] = {**common, "claim": run + repeat, "lower_is_better": False,
                                             "evaluator": "third-party"}
            if name_parts.setting:
                attributes["setting"] = name_parts.setting
            if stderr is not None:
                attributes["stderr"] = stderr
            rows.append(RawRow(
                task=GENERIC_TASK,
                dataset=cells["task"],
                metric=name,
                model=name_parts.model,
                value=fraction_to_percent(score) if score else score,
                row_ref=f"line {line} {name}{repeat}",
                published=published,
                attributes=attributes,
            ))
    if not rows:
        raise _problem(location, "no runs under the header")
    return rows


SOURCE = SourceSpec(
    name=SOURCE_NAME,
    description="Epoch AI's own runs (GPQA diamond, FrontierMath, ...): each score with its standard error, run dates",
    parse=parse_epoch_runs,
    full_listing=False,
    default_url=DEFAULT_URL,
)
