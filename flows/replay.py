"""Deriving lineages again from their stored payloads, in the order they were observed.

Two uses. A payload observed earlier than what its lineage already holds (a capture found later, a history file
loaded after today's) is stored and its lineage replayed, so the record ends as if its snapshots had been loaded in
observed order. `sota rebuild` replays every lineage (after a parser fix, an alias or a direction change) into a copy
of the warehouse that replaces the file only once complete (`flows.rebuild`).

A replay is one transaction: every snapshot keeps its id and load time, and is parsed, normalised and validated again
by the source that parsed it first, with the warehouse's knowledge as the replay has rebuilt it so far.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timezone

import duckdb

from flows.prepare import prepare_snapshot, read_knowledge
from pipelines.http import FetchResult
from pipelines.registry import UnknownSourceError, get_source
from pipelines.source import ParseError, SourceSpec
from warehouse.frontier import refresh_frontier_after_replay
from warehouse.load import LoadReport, SnapshotInput, apply_snapshot, record_failure, store_for_replay
from warehouse.replay import StoredSnapshot, forget_lineages, payload_content
from warehouse.statements import transaction

Progress = Callable[[int, int, StoredSnapshot], object]  # (done, total, the snapshot just applied)


def replay_lineages(
    con: duckdb.DuckDBPyConnection, lineages: list[str] | None, today: date, progress: Progress | None = None
) -> list[LoadReport]:
    """Inside the caller's transaction: derive these lineages (None: all) again from their payloads, in observed
    order; one report per snapshot, in that order."""
    stored = forget_lineages(con, lineages)
    reports = []
    for done, item in enumerate(stored, start=1):
        reports.append(_apply_stored(con, item, today))
        if progress is not None:
            progress(done, len(stored), item)
    refresh_frontier_after_replay(con)
    return reports


def load_observed_earlier(
    con: duckdb.DuckDBPyConnection,
    snapshot: SnapshotInput,
    now: datetime,
    after_load: Callable[[duckdb.DuckDBPyConnection, int], object] | None = None,
) -> LoadReport:
    """Load a snapshot observed before the newest one of its lineage: in one transaction, store it and replay the
    lineage; `after_load(con, snapshot_id)` runs inside that transaction, as for `warehouse.load.load_snapshot`."""
    with transaction(con):
        snapshot_id = store_for_replay(con, snapshot, now)
        reports = replay_lineages(con, [snapshot.source], now.date())
        report = next(r for r in reports if r.snapshot_id == snapshot_id)
        if after_load is not None:
            after_load(con, snapshot_id)
    return report


def _apply_stored(con: duckdb.DuckDBPyConnection, item: StoredSnapshot, today: date) -> LoadReport:
    payload = payload_content(con, item.sha256)
    try:
        spec = get_source(item.kind)
        fetched = FetchResult(
            location=item.location, final_url=item.location, status=200, content=payload, content_type=None,
            etag=None, last_modified=None, fetched_at=datetime.now(timezone.utc), attempts=1,
        )
        snapshot = prepare_snapshot(
            spec, fetched, item.location, item.options, item.observed_at, today, read_knowledge(con, item.lineage),
            lineage=item.lineage,
        )
    except (ParseError, UnknownSourceError) as error:
        # a payload that does not parse (any more, or still) is a failed snapshot again, touching no result
        _record_failed_again(con, item, payload, str(error), spec if isinstance(error, ParseError) else None)
        return LoadReport(item.snapshot_id, item.lineage, item.location, item.observed_at, "failed", kind=item.kind)
    return apply_snapshot(con, snapshot, item.loaded_at, item.snapshot_id)


def _record_failed_again(
    con: duckdb.DuckDBPyConnection, item: StoredSnapshot, payload: bytes, error: str, spec: SourceSpec | None
) -> None:
    record_failure(
        con, source=item.lineage, kind=item.kind, description=spec.description if spec else item.kind,
        full_listing=spec.full_listing if spec else True, location=item.location, options=item.options,
        observed_at=item.observed_at, payload=payload, error=error, now=item.loaded_at,
        snapshot_id=item.snapshot_id,
    )
