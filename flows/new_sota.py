"""New-SOTA detection around one load: the hook `flows.ingest` runs with a load, for the nightly run and for
`sota load` alike, so that every load records the SOTA steps it makes (a load outside a run is a backfill: recorded,
nobody alerted).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import duckdb

from flows.dates import utc_now
from warehouse.sota_detect import Record, RecordNewSota, Rule, best_per_benchmark


@dataclass
class NewSotaHook:
    """The `after_load` hook of one source's load: the SOTA before (taken by `before_load`, outside the transaction),
    then detection and the outbox rows inside the load's transaction. `records` is what the load recorded."""

    rules: Sequence[Rule]
    channels: Sequence[str]
    backfill: bool
    records: list[Record] = field(default_factory=list)
    _hook: RecordNewSota | None = field(default=None, init=False, repr=False)

    def before_load(self, con: duckdb.DuckDBPyConnection) -> None:
        self._hook = RecordNewSota(best_per_benchmark(con), self.rules, self.channels, self.backfill, utc_now())

    def __call__(self, con: duckdb.DuckDBPyConnection, snapshot_id: int) -> None:
        if self._hook is None:  # called without before_load: nothing to compare with, so nothing is a move
            return
        self._hook(con, snapshot_id)
        self.records = list(self._hook.records)


def backfill_hook() -> NewSotaHook:
    """Every benchmark watched, no channel: the steps a load makes are recorded and nobody is alerted."""
    return NewSotaHook([Rule()], channels=(), backfill=True)
