"""Keeping the derived layers in step with `results`: the consolidated results (migration 007) and, over them, the
SOTA frontier (migration 004).

Both are derived data: every write that changes which result versions are visible must refresh them for the
benchmarks it touched, in the same transaction. `load_snapshot` does; `rebuild_frontier` recomputes both whole (after
a migration, or after results were written by hand, as the benchmarks do).

Consolidation (issue 12: one trustworthy answer per benchmark). Claims of one benchmark are one result when their
model names fold to the same key (`sw_model_key`, then the alias registry `warehouse/model_aliases.csv`), and neither
their settings (the same, or one says none and the other is comparable) nor their papers (the same arXiv id, or the
same folded title, or one side has no paper) contradict each other. Values do not decide identity: witnesses that
disagree beyond rounding are one result with a conflict. Claims of one source are one result only when never shown at
the same time (a renamed key); two claims of one source shown together never are. A claim that could join several
claims of another source joins the one whose value agrees at the precision shown, if exactly one does; otherwise it
stays on its own, as does every claim of a group that would hold two claims of one source or two claims that
contradict each other. Identity is decided over every claim ever seen, so it does not depend on the instant asked
about. The SQL is in `warehouse/sql/consolidate_*.sql`; what a consolidated result shows is said there and in the
migration.
"""

from __future__ import annotations

import csv
import hashlib
import re
from datetime import datetime, timezone
from functools import cache
from importlib import resources

import duckdb

from warehouse.errors import WarehouseError
from warehouse.statements import first_row, run, transaction

ALIAS_FILE = "model_aliases.csv"
# Components are found by repeated label propagation; a valid one has at most one node per source, so a few steps
# settle any real board. The bound only stops a runaway loop.
_MAX_PROPAGATION_STEPS = 1000


class AliasFileError(WarehouseError):
    """The model alias registry cannot be used as it is (a chain, or one alias with two canonical names)."""


def refresh_frontier_for_snapshot(con: duckdb.DuckDBPyConnection, snapshot_id: int) -> None:
    """Inside the caller's transaction: recompute the benchmarks whose visible versions this snapshot changed (every
    benchmark, when the alias registry changed since the last load)."""
    run(con, "frontier_scope_of_snapshot", {"snapshot_id": snapshot_id})
    if sync_model_aliases(con):
        run(con, "frontier_scope_all")  # another registry: any identity may have changed
    _recompute_scope(con)


def refresh_frontier_after_replay(con: duckdb.DuckDBPyConnection) -> None:
    """Inside a replay's transaction, at its end: recompute the benchmarks its lineages were on before it and are on
    now, and those whose direction it moved (every benchmark, when the alias registry changed)."""
    run(con, "replay_frontier_scope")
    if sync_model_aliases(con):
        run(con, "frontier_scope_all")
    _recompute_scope(con)


def rebuild_frontier(con: duckdb.DuckDBPyConnection) -> None:
    """Recompute the consolidated results and the frontier whole, in a transaction of their own."""
    with transaction(con):
        sync_model_aliases(con)
        run(con, "frontier_scope_all")
        _recompute_scope(con)


def _recompute_scope(con: duckdb.DuckDBPyConnection) -> None:
    # Each statement costs a few milliseconds to plan whatever it reads; a load is timed against DuckDB reading the
    # same file (bench/RESULTS.md), so work that cannot change anything is skipped: an empty scope (a new warehouse
    # being migrated) and, below, matching when no two claims could be one result.
    if first_row(con, "frontier_scope_size")[0]:
        _consolidate_scope(con)
        run(con, "frontier_delete")
        run(con, "frontier_insert")
    con.execute("DROP TABLE frontier_scope")


_MATCHING = ("consolidate_claims", "consolidate_chains", "consolidate_nodes", "consolidate_pairs", "consolidate_links")
_MATCHING_TABLES = ("cc_links", "cc_pairs", "cc_nodes", "cc_chains", "cc_claims")


def _consolidate_scope(con: duckdb.DuckDBPyConnection) -> None:
    """Recompute the consolidated results of the benchmarks in `frontier_scope`."""
    run(con, "consolidate_versions")
    matching = first_row(con, "consolidate_any_shared")[0] > 0
    if matching:
        for name in _MATCHING:
            run(con, name)
        for _ in range(_MAX_PROPAGATION_STEPS):
            if first_row(con, "consolidate_propagate")[0] == 0:
                break
        else:
            raise WarehouseError("consolidation did not settle: the claims' links form a chain too long to follow")
        run(con, "consolidate_groups")
    else:
        run(con, "consolidate_no_groups")
    run(con, "consolidate_delete")
    run(con, "consolidate_insert_single")
    if matching:
        run(con, "consolidate_insert_shared")
    for table in ("cc_groups", *(_MATCHING_TABLES if matching else ()), "cc_versions"):
        con.execute(f"DROP TABLE {table}")  # fixed names: the temporary tables made above


def model_key(name: str) -> str:
    """A model name folded as the SQL macro sw_model_key folds it: lower case, every run of other characters gone."""
    return re.sub(r"[^a-z0-9]+", "", name.lower())


@cache
def model_aliases() -> tuple[str, tuple[tuple[str, str], ...]]:
    """(sha256 of the file, its (alias, canonical) rows): the registry, read once per process."""
    text = resources.files("warehouse").joinpath(ALIAS_FILE).read_text(encoding="utf-8")
    return hashlib.sha256(text.encode("utf-8")).hexdigest(), parse_model_aliases(text)


def parse_model_aliases(text: str) -> tuple[tuple[str, str], ...]:
    """The (alias, canonical) rows of an alias file: `#` comments, a header `alias,canonical`, CSV lines. Checked, so
    that identity never depends on the order rows are read in: an alias names one canonical model, and a canonical
    name is never itself an alias (no chains to follow). Rows that folding already makes one are dropped."""
    numbered = [(n, line) for n, line in enumerate(text.splitlines(), start=1)
                if line.strip() and not line.lstrip().startswith("#")]
    if not numbered or numbered[0][1].strip() != "alias,canonical":
        raise AliasFileError(f"{ALIAS_FILE}: the first line that is not a comment must be 'alias,canonical'")
    rows: list[tuple[str, str]] = []
    canonical_of: dict[str, str] = {}
    for number, line in numbered[1:]:
        record = next(csv.reader([line]))
        if len(record) != 2 or not record[0].strip() or not record[1].strip():
            raise AliasFileError(f"{ALIAS_FILE}, line {number}: expected 'alias,canonical', got {record!r}")
        alias, canonical = record[0].strip(), record[1].strip()
        key, target = model_key(alias), model_key(canonical)
        if key == target:
            continue  # folding already makes them one
        if key in canonical_of:
            if canonical_of[key] != target:
                raise AliasFileError(f"{ALIAS_FILE}, line {number}: {alias!r} is given two canonical names")
            continue  # the same alias again (perhaps spelled otherwise): once is enough
        canonical_of[key] = target
        rows.append((alias, canonical))
    targets = set(canonical_of.values())
    chained = sorted(alias for alias, _ in rows if model_key(alias) in targets)
    if chained:
        raise AliasFileError(f"{ALIAS_FILE}: canonical names must not be aliases themselves: {', '.join(chained[:5])}")
    return tuple(rows)


def sync_model_aliases(con: duckdb.DuckDBPyConnection) -> bool:
    """Inside the caller's transaction: copy the alias registry into `model_aliases` when the file is not the one the
    table holds; whether it did (and so every identity must be decided again)."""
    sha, rows = model_aliases()
    loaded = first_row(con, "aliases_file")
    if loaded is not None and loaded[0] == sha:
        return False
    run(con, "aliases_clear")
    if rows:
        run(con, "aliases_insert", {"aliases": [a for a, _ in rows], "canonicals": [c for _, c in rows]})
    run(con, "aliases_forget_file")
    run(con, "aliases_record_file", {"sha256": sha, "now": datetime.now(timezone.utc).replace(tzinfo=None)})
    return True
