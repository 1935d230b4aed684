"""`sota rebuild`: the whole warehouse derived again from its stored payloads, atomically.

After a parser fix, an alias or a direction change, every snapshot is parsed, normalised, validated and loaded again
in observed order (`flows.replay`), into a copy of the file; the copy replaces the file only once complete. Until
then the old record answers: the rebuild holds the run lock (a nightly run waits) and a read-only connection to the
file (another process's `sota load` waits and fails clearly; queries from other processes still read it).
"""
from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from flows.locks import exclusive_run
from flows.replay import Progress, replay_lineages
from warehouse.db import connect, database_path
from warehouse.errors import DatabaseMissingError
from warehouse.load import LoadReport
from warehouse.statements import transaction


@dataclass(frozen=True)
class RebuildReport:
    database: Path
    snapshots: list[LoadReport]

    def summary(self) -> str:
        counts: dict[str, int] = {}
        for report in self.snapshots:
            counts[report.status] = counts.get(report.status, 0) + 1
        statuses = ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "none"
        lineages = len({report.source for report in self.snapshots})
        return (
            f"rebuilt {self.database} from {len(self.snapshots)} stored snapshots of {lineages} lineages "
            f"({statuses})"
        )


def rebuild_warehouse(
    database: str | os.PathLike | None,
    today: date,
    wait_seconds: float,
    progress: Progress | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> RebuildReport:
    target = database_path(database)
    if not target.exists():
        raise DatabaseMissingError(f"no warehouse at {target}: load something first (sota load ...)")
    work = target.with_name(target.name + ".rebuild")
    with exclusive_run(target, wait_seconds, on_wait):
        connect(target, wait_seconds=wait_seconds).close()  # migrated, and checkpointed: one file holds it all
        holder = connect(target, read_only=True, wait_seconds=wait_seconds)
        try:
            _remove(work)
            shutil.copyfile(target, work)
            try:
                reports = _replay_copy(work, today, progress)
                os.replace(work, target)
            finally:
                _remove(work)
        finally:
            holder.close()
    return RebuildReport(target, reports)


def _replay_copy(work: Path, today: date, progress: Progress | None) -> list[LoadReport]:
    con = connect(work)
    try:
        with transaction(con):
            reports = replay_lineages(con, None, today, progress)
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return reports


def _remove(work: Path) -> None:
    for leftover in (work, work.with_name(work.name + ".wal")):
        leftover.unlink(missing_ok=True)
