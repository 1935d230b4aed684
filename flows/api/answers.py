"""The API's answers: the CLI's questions (`flows/cli/questions.py`) asked the same way, as JSON-ready objects.

Each resolves names as the CLI does (`resolve_names`, `resolve_lineages`: spelling-blind, through the alias
registry; an unknown name is a 404 naming the closest), runs the same `warehouse.queries` over the macros in the
file, adds `data_observed_at` with `with_data_age`, and makes each row what `--json` prints (`jsonable`). An answer is
`{"data_observed_at": <newest data behind it>, "rows": [...], ...}`.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import duckdb

from flows.api.problems import Problem
from flows.api.warehouse_view import MEMO_ENTRIES, copy_memo
from flows.cli.age import with_data_age
from flows.cli.names import (
    BenchmarkNames, UnknownNameError, benchmarks_matching, resolve_lineages, resolve_names,
)
from flows.cli.shared import jsonable
from warehouse import queries
from warehouse.statements import first_row, run

@dataclass(frozen=True)
class Filters:
    """The macros' filters as a request gives them (`known_at` already parsed, `sources` as typed)."""

    known_at: date | datetime | None = None
    extra_data: bool | None = None
    with_code: bool = False
    sources: list[str] | None = None
    evaluator: str | None = None


def resolved_names(con: duckdb.DuckDBPyConnection, task: str | None, dataset: str | None,
                   metric: str | None) -> BenchmarkNames:
    """The warehouse's spelling of the names given; an unknown one is a 404 naming the closest, as the CLI says.
    Remembered for the served copy (it never changes), where a lease says which copy that is."""
    memo, key = copy_memo.get(), ("names", task, dataset, metric)
    if memo is not None and key in memo:
        return memo[key]
    try:
        names = resolve_names(con, task, dataset, metric)
    except UnknownNameError as error:
        raise Problem(404, str(error), title="unknown benchmark", parameter=error.kind) from None
    if memo is not None and len(memo) < MEMO_ENTRIES:
        memo[key] = names
    return names


def resolved_lineages(con: duckdb.DuckDBPyConnection, typed: list[str] | None) -> list[str] | None:
    try:
        return resolve_lineages(con, typed)
    except UnknownNameError as error:
        raise Problem(404, f"source: {error}", title="unknown lineage", parameter="source") from None


def _answer(rows: list[dict], **more: Any) -> dict:
    seen = [row["data_observed_at"] for row in rows if row.get("data_observed_at") is not None]
    return {"data_observed_at": max(seen) if seen else None, **more,
            "rows": [{key: jsonable(value) for key, value in row.items()} for row in rows]}


def _macro_filters(con: duckdb.DuckDBPyConnection, filters: Filters) -> dict:
    return {"known_at": filters.known_at, "extra_data": filters.extra_data, "with_code": filters.with_code,
            "sources": resolved_lineages(con, filters.sources), "evaluator": filters.evaluator}


def sota(con: duckdb.DuckDBPyConnection, day: date, filters: Filters, *, task: str | None = None,
         dataset: str | None = None, metric: str | None = None, within_noise: bool = False) -> dict:
    """`sota asof DAY [--task ...] [--within-noise] --json`: the best result per benchmark published on or before
    `day` (and, within noise, its co-leaders)."""
    names = resolved_names(con, task, dataset, metric)
    asked = _macro_filters(con, filters)
    rows = queries.sota_as_of(con, day, task=names.task, dataset=names.dataset, metric=names.metric,
                              within_noise=within_noise, **asked)
    return _answer(with_data_age(con, rows, filters.known_at, asked["sources"]), as_of=day.isoformat())


def _board_names(con: duckdb.DuckDBPyConnection, task: str, dataset: str, metric: str) -> tuple[str, str, str]:
    names = resolved_names(con, task, dataset, metric)
    return names.task, names.dataset, names.metric  # type: ignore[return-value] - all three were given


def leaderboard(con: duckdb.DuckDBPyConnection, task: str, dataset: str, metric: str, day: date, top: int,
                filters: Filters) -> dict:
    """`sota leaderboard ... --as-of DAY --top N --json`, with `total`: how many results the whole board holds."""
    names = _board_names(con, task, dataset, metric)
    asked = _macro_filters(con, filters)
    rows = queries.leaderboard(con, *names, day, top=top, **asked)
    total = queries.leaderboard_size(con, *names, day, **asked) if len(rows) >= top else len(rows)
    rows = with_data_age(con, rows, filters.known_at, asked["sources"])
    return _answer(rows, task=names[0], dataset=names[1], metric=names[2], as_of=day.isoformat(), total=total)


def history(con: duckdb.DuckDBPyConnection, task: str, dataset: str, metric: str, filters: Filters) -> dict:
    """`sota history ... --json`: the SOTA steps in publication order."""
    names = _board_names(con, task, dataset, metric)
    asked = _macro_filters(con, filters)
    rows = with_data_age(con, queries.sota_history(con, *names, **asked), filters.known_at, asked["sources"])
    return _answer(rows, task=names[0], dataset=names[1], metric=names[2])


def benchmarks(con: duckdb.DuckDBPyConnection, *, search: str | None, task: str | None, dataset: str | None,
               direction: str | None, limit: int) -> dict:
    """`sota benchmarks [--search TEXT] [--direction D] --json`, with `total` before `limit` cut it."""
    from pipelines.aliases import CANONICAL_NAMES
    from schemas.results import DIRECTIONS

    if direction is not None and direction not in DIRECTIONS:
        raise Problem(422, f"direction: expected one of {', '.join(DIRECTIONS)}, not {direction!r:.40}",
                      parameter="direction")
    names = resolved_names(con, task, dataset, None)
    rows = queries.benchmarks(con, canonical=CANONICAL_NAMES, task=names.task, dataset=names.dataset)
    rows = benchmarks_matching(rows, search)
    if direction:
        rows = [row for row in rows if row["direction"] == direction]
    return {**_answer(rows[:limit], total=len(rows)), "data_observed_at": _newest_observation(con)}


def records(con: duckdb.DuckDBPyConnection, *, task: str | None, dataset: str | None, metric: str | None,
            limit: int) -> dict:
    """The new SOTA records (table `sota_records`), newest first, each with its stable `alert_id`."""
    names = resolved_names(con, task, dataset, metric)
    named = {"task": names.task, "dataset": names.dataset, "metric": names.metric}
    rows = queries.records(con, **named, limit=limit)
    total = queries.total(con, "records", **named) if len(rows) >= limit else len(rows)
    return _answer(with_data_age(con, rows, None), total=total)


def snapshots(con: duckdb.DuckDBPyConnection, *, source: str | None, limit: int) -> dict:
    """`sota snapshots [--source LINEAGE] --json`, newest first; `data_observed_at` is the newest `observed_at`."""
    rows = queries.snapshots(con, source=source or None, limit=limit)
    total = queries.total(con, "snapshots", source=source or None) if len(rows) >= limit else len(rows)
    seen = [row["observed_at"] for row in rows if row.get("observed_at") is not None]
    return {**_answer(rows, total=total), "data_observed_at": max(seen) if seen else None}


def _newest_observation(con: duckdb.DuckDBPyConnection) -> datetime | None:
    return first_row(con, "newest_observation")[0]


def benchmark_names(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    """Every (task, dataset, metric) the warehouse holds (for the OpenAPI examples and the badge routes)."""
    return run(con, "benchmark_names")
