"""Keeping the SOTA frontier (migration 004) in step with `results`.

The frontier is derived data: every write that changes which result versions are visible must refresh it for the
benchmarks it touched, in the same transaction. `load_snapshot` does; `rebuild_frontier` recomputes it whole (after
a migration, or after results were written by hand, as the benchmarks do).
"""

from __future__ import annotations

import duckdb

from warehouse.statements import run, transaction


def refresh_frontier_for_snapshot(con: duckdb.DuckDBPyConnection, snapshot_id: int) -> None:
    """Inside the caller's transaction: recompute the benchmarks whose visible versions this snapshot changed."""
    run(con, "frontier_scope_of_snapshot", {"snapshot_id": snapshot_id})
    _recompute_scope(con)


def rebuild_frontier(con: duckdb.DuckDBPyConnection) -> None:
    """Recompute the whole frontier in a transaction of its own."""
    with transaction(con):
        run(con, "frontier_scope_all")
        _recompute_scope(con)


def _recompute_scope(con: duckdb.DuckDBPyConnection) -> None:
    run(con, "frontier_delete")
    run(con, "frontier_insert")
    con.execute("DROP TABLE frontier_scope")
