"""Resolving the benchmark names a user types, as loads resolve the names sources write.

A question names a task, dataset and metric the way a person remembers them ("Imagenet", "Top-1 Accuracy"). Each
goes through the alias registry and is then matched spelling-blind (case, white space, dashes) against the names the
warehouse holds, narrowed by the names already resolved (a dataset among the task's, a metric among the board's). A
name that matches nothing is an `UnknownNameError` that offers the closest known names; it is never answered with an
empty result, which would read as "no SOTA". Lineage names (`--source-name`) are checked the same way, exactly: an
unknown one names the lineages the warehouse holds.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass

import duckdb

from pipelines.aliases import canonical_dataset, canonical_metric, canonical_task, fold
from warehouse.statements import run

_CANONICAL = {"task": canonical_task, "dataset": canonical_dataset, "metric": canonical_metric}
_LINEAGES_LISTED = 20


class UnknownNameError(LookupError):
    """A task, dataset, metric or lineage the warehouse does not hold; the message names the closest ones it does,
    `kind` which of them it is (what the API names as the parameter at fault)."""

    def __init__(self, message: str, kind: str | None = None):
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class BenchmarkNames:
    task: str | None
    dataset: str | None
    metric: str | None


def resolve_names(
    con: duckdb.DuckDBPyConnection, task: str | None, dataset: str | None, metric: str | None
) -> BenchmarkNames:
    """The warehouse's own spelling of each name given (None stays None)."""
    held = run(con, "benchmark_names")
    resolved: dict[str, str | None] = {}
    for position, (kind, typed) in enumerate((("task", task), ("dataset", dataset), ("metric", metric))):
        if typed is None or not typed.strip():
            resolved[kind] = None
            continue
        # only the benchmarks that agree with the names resolved so far
        within = [row for row in held if all(v is None or row[i] == v for i, v in enumerate(resolved.values()))]
        try:
            resolved[kind] = _resolve_one(kind, typed, sorted({row[position] for row in within}), resolved)
        except UnknownNameError as error:
            asked = " / ".join(name for name in (task, dataset, metric) if name)
            raise UnknownNameError(f"no benchmark {asked}: {error}", kind) from None
    return BenchmarkNames(**resolved)


def resolve_lineages(con: duckdb.DuckDBPyConnection, typed: list[str] | None) -> list[str] | None:
    """The lineage names given (`--source-name`), each one the warehouse holds, in the order given; None for none.
    Lineages are names people chose (`sota load --name`, a configured source), matched exactly."""
    wanted = list(dict.fromkeys(name.strip() for name in typed or () if name.strip()))
    if not wanted:
        return None
    held = [name for (name,) in run(con, "lineage_names")]
    unknown = [name for name in wanted if name not in held]
    if unknown:
        shown = ", ".join(held[:_LINEAGES_LISTED])
        if len(held) > _LINEAGES_LISTED:
            shown += f", ... ({len(held)} in all)"
        raise UnknownNameError(
            f"no lineage {', '.join(repr(name) for name in unknown)}: "
            + (f"the warehouse holds {shown}" if held else "the warehouse holds none yet"), "lineage",
        )
    return wanted


def benchmarks_matching(rows: list[dict], search: str | None) -> list[dict]:
    """The benchmarks (rows with task, dataset, metric) with `search` in a name, in any spelling (`--search`)."""
    if not search or not search.strip():
        return rows
    wanted = fold(search)
    return [row for row in rows if wanted in fold(f"{row['task']} {row['dataset']} {row['metric']}")]


def _resolve_one(kind: str, typed: str, known: list[str], context: dict[str, str | None]) -> str:
    by_fold: dict[str, str] = {}
    for name in known:
        by_fold.setdefault(fold(name), name)
    for candidate in (_CANONICAL[kind](typed), typed):
        if fold(candidate) in by_fold:
            return by_fold[fold(candidate)]
    raise UnknownNameError(_unknown_message(kind, typed, known, context), kind)


def _unknown_message(kind: str, typed: str, known: list[str], context: dict[str, str | None]) -> str:
    scope = " / ".join(v for v in context.values() if v)
    where = f" under {scope}" if scope else ""
    if not known:
        return f"the warehouse holds no {kind}{where} yet"
    close = difflib.get_close_matches(fold(typed), [fold(name) for name in known], n=3, cutoff=0.6)
    names = [next(name for name in known if fold(name) == match) for match in close]
    if names:
        return f"no {kind} {typed!r}{where}; did you mean " + " or ".join(repr(n) for n in names) + "?"
    return f"no {kind} {typed!r}{where} ({len(known)} known; `sota benchmarks --search TEXT` finds them)"
