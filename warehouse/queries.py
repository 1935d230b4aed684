"""Read-side questions the CLI and reports ask, as plain functions returning rows as dicts.

Each runs a fixed SQL file with bound parameters over the macros stored in the database; `run_readonly_sql` runs a
user's own query on a connection that cannot write the warehouse nor touch files outside it.
"""
from __future__ import annotations

from datetime import date, datetime

import duckdb

from warehouse.errors import WarehouseError
from warehouse.statements import dict_rows, first_row


class QueryError(WarehouseError):
    """A user's SQL that DuckDB refused; the message is DuckDB's first line."""


def _filters(
    known_at, extra_data, estimates, all_settings=False, suspects=False, with_code=False, sources=None, evaluator=None
) -> dict:
    """The macros' filters. `with_code`: only results said to have code; `sources`: lineage names, to answer from
    those lineages' own claims instead of the consolidated results (None: every lineage, consolidated); `evaluator`:
    only results a witness of that kind shows ('first-party', 'third-party')."""
    return {"known_at": known_at, "extra_data": extra_data, "estimates": estimates, "all_settings": all_settings,
            "suspects": suspects, "with_code": with_code, "sources": list(sources) if sources else None,
            "evaluator": evaluator}


def sota_as_of(
    con, day: date, *, task=None, dataset=None, metric=None,
    known_at: date | datetime | None = None, extra_data: bool | None = None, estimates: bool = False,
    all_settings: bool = False, suspects: bool = False, with_code: bool = False, sources: list[str] | None = None,
    evaluator: str | None = None, within_noise: bool = False,
) -> list[dict]:
    """The best result per benchmark; `within_noise`: also every result within the leader's noise (`co_leader`)."""
    params = {"d": day, "task": task, "dataset": dataset, "metric": metric,
              **_filters(known_at, extra_data, estimates, all_settings, suspects, with_code, sources, evaluator)}
    return dict_rows(con, "query_sota_within_noise" if within_noise else "query_sota_as_of", params)


def leaderboard(
    con, task: str, dataset: str, metric: str, day: date, *, top: int = 20,
    known_at=None, extra_data: bool | None = None, estimates: bool = False,
    all_settings: bool = False, suspects: bool = False, with_code: bool = False, sources: list[str] | None = None,
    evaluator: str | None = None,
) -> list[dict]:
    params = {"task": task, "dataset": dataset, "metric": metric, "d": day, "top": top,
              **_filters(known_at, extra_data, estimates, all_settings, suspects, with_code, sources, evaluator)}
    return dict_rows(con, "query_leaderboard", params)


def leaderboard_size(
    con, task: str, dataset: str, metric: str, day: date, *, known_at=None, extra_data: bool | None = None,
    estimates: bool = False, all_settings: bool = False, suspects: bool = False, with_code: bool = False,
    sources: list[str] | None = None, evaluator: str | None = None,
) -> int:
    """How many results the whole board holds under the same filters (what `leaderboard`'s `top` cuts)."""
    params = {"task": task, "dataset": dataset, "metric": metric, "d": day,
              **_filters(known_at, extra_data, estimates, all_settings, suspects, with_code, sources, evaluator)}
    return first_row(con, "count_leaderboard", params)[0]


def sota_history(
    con, task: str, dataset: str, metric: str, *, known_at=None, extra_data: bool | None = None,
    estimates: bool = False, all_settings: bool = False, suspects: bool = False, with_code: bool = False,
    sources: list[str] | None = None, evaluator: str | None = None,
) -> list[dict]:
    params = {"task": task, "dataset": dataset, "metric": metric,
              **_filters(known_at, extra_data, estimates, all_settings, suspects, with_code, sources, evaluator)}
    return dict_rows(con, "query_history", params)


def rejects(con, *, snapshot_id: int | None = None, limit: int = 200) -> list[dict]:
    return dict_rows(con, "query_rejects", {"snapshot_id": snapshot_id, "limit": limit})


def snapshots(con, *, source: str | None = None, limit: int = 50) -> list[dict]:
    return dict_rows(con, "query_snapshots", {"source": source, "limit": limit})


def benchmarks(
    con, *, canonical: dict[str, set[str]], task=None, dataset=None, unmapped_only: bool = False
) -> list[dict]:
    params = {
        "task": task, "dataset": dataset, "unmapped_only": unmapped_only,
        "canonical_tasks": sorted(canonical["task"]), "canonical_datasets": sorted(canonical["dataset"]),
        "canonical_metrics": sorted(canonical["metric"]),
    }
    return dict_rows(con, "query_benchmarks", params)


def conflicts(con, *, task=None, dataset=None, limit: int = 50) -> list[dict]:
    return dict_rows(con, "query_conflicts", {"task": task, "dataset": dataset, "limit": limit})


def models(con, *, search_key: str | None = None) -> list[dict]:
    """The models by latest knowledge, one row per model (names folded, then through the alias registry) with every
    name and setting the sources gave it; `search_key` is a model name folded as sw_model_key folds it."""
    return dict_rows(con, "query_models", {"search": search_key or None})


def records(con, *, task=None, dataset=None, metric=None, limit: int = 50) -> list[dict]:
    """New SOTA records, newest first, each with its stable `alert_id`, narrowed by any of the exact names."""
    return dict_rows(con, "records", {"task": task, "dataset": dataset, "metric": metric, "limit": limit})


_COUNTS = {"rejects": "count_rejects", "snapshots": "count_snapshots", "conflicts": "count_conflicts",
           "records": "count_records"}


def total(con, listing: str, **filters) -> int:
    """How many rows a listing (`rejects`, `snapshots`, `conflicts`, `records`) holds in all under its filters."""
    return first_row(con, _COUNTS[listing], filters)[0]


def lock_down(con: duckdb.DuckDBPyConnection) -> None:
    """No files, no extensions, no attaching other databases, and no way to undo these settings."""
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")


def run_readonly_sql(con: duckdb.DuckDBPyConnection, query: str) -> tuple[list[str], list[tuple]]:
    """A user's query on a locked-down read-only connection: (column names, rows)."""
    if not query.strip():
        raise QueryError('no query given: sota sql "SELECT ..." (the tables, views and macros are in the README)')
    try:
        relation = con.execute(query)
        if relation is None or relation.description is None:
            return [], []
        return [d[0] for d in relation.description], relation.fetchall()
    except duckdb.Error as error:
        raise QueryError(str(error).strip().splitlines()[0]) from None


# ---------------------------------------------------------------------------------------------- charts and reports


def benchmark(con, task: str, dataset: str, metric: str) -> dict | None:
    """One benchmark by its exact names (direction, unit, results by latest knowledge), or None."""
    rows = dict_rows(con, "query_benchmark", {"task": task, "dataset": dataset, "metric": metric})
    return rows[0] if rows else None


def _by_benchmark(rows: list[dict], benchmark_ids: list[int]) -> dict[int, list[dict]]:
    """Rows of several benchmarks (each with its `benchmark_id`, in order) as a list per benchmark asked for."""
    found: dict[int, list[dict]] = {benchmark_id: [] for benchmark_id in benchmark_ids}
    for row in rows:
        found[row["benchmark_id"]].append(row)
    return found


def chart_results(
    con, benchmark_ids: list[int], *, known_at=None, extra_data: bool | None = None
) -> dict[int, list[dict]]:
    """Every result of each benchmark visible at `known_at` (None: latest knowledge), estimates included."""
    params = {"benchmark_ids": benchmark_ids, "known_at": known_at, "extra_data": extra_data}
    return _by_benchmark(dict_rows(con, "chart_results", params), benchmark_ids)


def watched_benchmarks(con, *, min_results: int, limit: int) -> list[dict]:
    """Ranked benchmarks with at least `min_results` results by latest knowledge, the busiest first (the columns of
    `benchmark`)."""
    return dict_rows(con, "report_watched_benchmarks", {"min_results": min_results, "limit": limit})


def report_leaderboards(
    con, benchmark_ids: list[int], day: date, *, top: int = 20, known_at=None
) -> dict[int, list[dict]]:
    """Each benchmark's ranked board as of `day` (its best `top`) with the snapshots that first and last showed each
    row."""
    params = {"benchmark_ids": benchmark_ids, "d": day, "top": top, "known_at": known_at}
    return _by_benchmark(dict_rows(con, "report_leaderboard", params), benchmark_ids)


def report_histories(con, benchmark_ids: list[int], *, known_at=None) -> dict[int, list[dict]]:
    """Each benchmark's SOTA steps (`sota_history`'s rows, with `benchmark_id`)."""
    params = {"benchmark_ids": benchmark_ids, "known_at": known_at}
    return _by_benchmark(dict_rows(con, "report_histories", params), benchmark_ids)


def benchmark_conflicts(con, benchmark_ids: list[int], *, limit: int = 50) -> dict[int, list[dict]]:
    """Where sources disagree about the same model, on each benchmark (at most `limit` each)."""
    rows = dict_rows(con, "report_conflicts", {"benchmark_ids": benchmark_ids, "limit": limit})
    return _by_benchmark(rows, benchmark_ids)


def benchmark_snapshots(con, benchmark_ids: list[int]) -> dict[int, list[dict]]:
    """The snapshots that showed results of each benchmark, newest first."""
    return _by_benchmark(dict_rows(con, "report_benchmark_snapshots", {"benchmark_ids": benchmark_ids}), benchmark_ids)


def latest_records(con, *, limit: int = 50) -> list[dict]:
    """The latest new-SOTA records, newest first (none until a load has moved a benchmark's best)."""
    return dict_rows(con, "report_latest_records", {"limit": limit})


def report_full_boards(con, benchmark_ids: list[int], day: date) -> dict[int, list[dict]]:
    """Each benchmark's whole ranked board as of `day` by latest knowledge, one row per consolidated result, with its
    lineages (`sources`), `has_code` and a `code_url` from any result version behind it (None where none is known)."""
    params = {"benchmark_ids": benchmark_ids, "d": day}
    return _by_benchmark(dict_rows(con, "report_full_board", params), benchmark_ids)


def report_board_extras(con, benchmark_ids: list[int]) -> dict[int, list[dict]]:
    """What the lineages behind each consolidated result of the boards say of the same model and paper on the other
    benchmarks of the same task and dataset: rows (benchmark_id, consolidated_id, metric, unit, value)."""
    return _by_benchmark(dict_rows(con, "report_board_extras", {"benchmark_ids": benchmark_ids}), benchmark_ids)


def report_task_index(con) -> list[dict]:
    """Every ranked benchmark (task, dataset, metric, results by latest knowledge), ordered by task, dataset, metric."""
    return dict_rows(con, "report_task_index", {})
