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
from datetime import date, datetime

import duckdb

from flows.prepare import prepare_snapshot, read_knowledge
from pipelines.http import FetchResult
from pipelines.registry import UnknownSourceError, get_source
from pipelines.source import ParseError, SourceSpec
from warehouse.frontier import refresh_frontier_after_replay
from warehouse.load import LoadReport, apply_snapshot, record_failure_again, store_for_replay
from warehouse.replay import StoredSnapshot, forget_lineages, payload_content
from warehouse.statements import transaction

Progress = Callable[[int, int, StoredSnapshot], object]  # (done, total, the snapshot just applied)


def replay_lineages(
    con: duckdb.DuckDBPyConnection, lineages: list[str] | None, today: date, progress: Progress | None = None,
    arriving: tuple[int, FetchResult] | None = None,
) -> list[LoadReport]:
    """Inside the caller's transaction: derive these lineages (None: all) again from their payloads, in observed
    order; one report per snapshot, in that order. A stored payload that does not parse is a failed snapshot again;
    the one `arriving` (its snapshot id and how it was fetched) raises its ParseError instead, as a load would."""
    stored = forget_lineages(con, lineages)
    reports = []
    for done, item in enumerate(stored, start=1):
        if arriving is not None and item.snapshot_id == arriving[0]:
            reports.append(_apply(con, item, get_source(item.kind), arriving[1], today))
        else:
            reports.append(_apply_stored(con, item, today))
        if progress is not None:
            progress(done, len(stored), item)
    refresh_frontier_after_replay(con)
    return reports


def load_observed_earlier(
    con: duckdb.DuckDBPyConnection,
    spec: SourceSpec,
    lineage: str,
    options: dict,
    observed_at: datetime,
    fetched: FetchResult,
    now: datetime,
    after_load: Callable[[duckdb.DuckDBPyConnection, int], object] | None = None,
) -> LoadReport:
    """Load a payload observed before the newest snapshot of its lineage: in one transaction, store it and replay the
    lineage, which parses it in its place in time (once: it is not prepared beforehand); `after_load(con,
    snapshot_id)` runs inside that transaction, as for `warehouse.load.load_snapshot`. A payload that does not
    parse raises its ParseError, having written nothing."""
    with transaction(con):
        snapshot_id = store_for_replay(
            con, source=lineage, kind=spec.name, description=spec.description, full_listing=spec.full_listing,
            location=fetched.location, options=options, observed_at=observed_at, payload=fetched.content, now=now,
        )
        reports = replay_lineages(con, [lineage], now.date(), arriving=(snapshot_id, fetched))
        report = next(r for r in reports if r.snapshot_id == snapshot_id)
        if after_load is not None:
            after_load(con, snapshot_id)
    return report


def _apply_stored(con: duckdb.DuckDBPyConnection, item: StoredSnapshot, today: date) -> LoadReport:
    """A stored payload applied again; one that does not parse (any more, or still) is a failed snapshot again,
    touching no result."""
    try:
        fetched = FetchResult.of_content(item.location, payload_content(con, item.sha256))
        return _apply(con, item, get_source(item.kind), fetched, today)
    except (ParseError, UnknownSourceError) as error:
        record_failure_again(
            con, snapshot_id=item.snapshot_id, source=item.lineage, kind=item.kind, location=item.location,
            options=item.options, observed_at=item.observed_at, loaded_at=item.loaded_at, sha256=item.sha256,
            error=str(error),
        )
        return LoadReport(item.snapshot_id, item.lineage, item.location, item.observed_at, "failed", kind=item.kind)


def _apply(
    con: duckdb.DuckDBPyConnection, item: StoredSnapshot, spec: SourceSpec, fetched: FetchResult, today: date
) -> LoadReport:
    snapshot = prepare_snapshot(
        spec, fetched, item.location, item.options, item.observed_at, today, read_knowledge(con, item.lineage),
        lineage=item.lineage,
    )
    return apply_snapshot(con, snapshot, item.loaded_at, item.snapshot_id)
