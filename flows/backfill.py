"""Backfilling a lineage from the Wayback Machine: list a page's captures, fetch each one raw and load it as a snapshot
observed at its capture time, oldest first, resumably.

Plain functions (the CLI's `sota backfill wayback` and tests call them): they take a warehouse opener, entered only to
read the position and to load (a backfill spends most of its time waiting its turn at the archive, meanwhile other
processes can use the file), and the shared HTTP client, whose per-host interval is what keeps to one request a second.

The position, the timestamp of the last capture dealt with, is the lineage's `source_state` entry for the page. A
loaded capture writes it inside the load's transaction (dlt's rule: state moves only when the rows it stands for
commit), as it does the snapshot itself; a rerun skips every capture the lineage holds a snapshot of, so a range
backfilled later than an earlier one (`--from` moved back) is loaded too, each capture in its place in time. The SOTA steps of each capture are recorded with the backfill
hook, as `sota load` does: nobody is paged for history.
"""
from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import duckdb

from flows.dates import utc_now
from flows.ingest import ingest_with_opener
from flows.new_sota import NewSotaHook, backfill_hook
from pipelines.http import FetchError, FetchFatalError, HttpClient
from pipelines.source import ParseError, SourceError
from pipelines.wayback import DEFAULT_ARCHIVE, Capture, capture_url, cdx_query_url, parse_cdx
from warehouse.load import held_locations
from warehouse.source_state import read_source_state, write_source_state

if TYPE_CHECKING:
    # For type checkers only (as in flows/ingest.py): evaluated, the alias would keep DuckDB's connection type in
    # typing's cache past DuckDB's teardown at exit, which nanobind reports as a wall of "leaked" warnings.
    Opener = Callable[[], AbstractContextManager[duckdb.DuckDBPyConnection]]


class ArchiveError(SourceError):
    """The archive could not be listed or stopped answering: the backfill stops where it is (a rerun resumes)."""


@dataclass(frozen=True)
class CaptureOutcome:
    """What became of one capture: `loaded`, `unchanged` (the same bytes as a snapshot already loaded),
    `already-loaded` (loaded before, the position lost in between) or `failed` (`detail` says why)."""

    capture: Capture
    status: str
    detail: str
    snapshot_id: int | None = None


@dataclass
class BackfillSummary:
    url: str
    lineage: str
    listed: int = 0
    skipped: int = 0  # the lineage holds a snapshot of them already
    loaded: int = 0
    unchanged: int = 0
    failed: int = 0
    position: str | None = None  # where the backfill started (None: from the first capture)

    def count(self, status: str) -> None:
        if status == "loaded":
            self.loaded += 1
        elif status == "unchanged":
            self.unchanged += 1
        elif status == "failed":
            self.failed += 1
        else:  # already-loaded
            self.skipped += 1

    def line(self) -> str:
        return (
            f"wayback backfill of {self.url} into {self.lineage}: {self.listed} captures listed, "
            f"{self.skipped} skipped as already loaded, {self.loaded} loaded, {self.unchanged} unchanged, "
            f"{self.failed} failed"
        )


def position_key(url: str) -> str:
    """The `source_state` key of a page's position in its lineage (one lineage may gather several pages)."""
    return f"wayback-position {url}"


def read_position(open_warehouse: Opener, lineage: str, url: str) -> str | None:
    """The timestamp of the last capture of `url` the lineage has dealt with, or None."""
    with open_warehouse() as con:
        stored = read_source_state(con, lineage, position_key(url))
    return stored["timestamp"] if stored else None


def _write_position(con: duckdb.DuckDBPyConnection, lineage: str, url: str, capture: Capture,
                    snapshot_id: int | None) -> None:
    value = {"timestamp": capture.timestamp, "snapshot_id": snapshot_id}
    write_source_state(con, lineage, position_key(url), value, utc_now())


def list_captures(client: HttpClient, url: str, *, archive: str = DEFAULT_ARCHIVE, start: date | None = None,
                  end: date | None = None) -> list[Capture]:
    """The captures of `url` the archive's index lists (identical consecutive ones collapsed), oldest first."""
    query = cdx_query_url(archive, url, start=start, end=end)
    try:
        fetched = client.fetch(query)
    except FetchError as error:
        raise ArchiveError(f"the Wayback Machine at {archive} could not list the captures: {error}") from None
    return parse_cdx(fetched.content, query)


class _MovePosition:
    """The backfill hook (SOTA steps recorded, nobody alerted), then the position, inside the load's transaction."""

    def __init__(self, lineage: str, url: str, capture: Capture):
        self.lineage, self.url, self.capture = lineage, url, capture
        self.sota: NewSotaHook = backfill_hook()

    def before_load(self, con: duckdb.DuckDBPyConnection) -> None:
        self.sota.before_load(con)

    def __call__(self, con: duckdb.DuckDBPyConnection, snapshot_id: int) -> None:
        self.sota(con, snapshot_id)
        _write_position(con, self.lineage, self.url, self.capture, snapshot_id)


def load_capture(open_warehouse: Opener, client: HttpClient, url: str, capture: Capture, *, lineage: str,
                 source: str, archive: str, options: dict | None = None) -> CaptureOutcome:
    """Fetch one capture and load it as a snapshot of `lineage` observed at its capture time; the position moves to
    it whatever became of it, except when the archive could not be reached (ArchiveError: a rerun asks again)."""
    location = capture_url(archive, capture)
    try:
        report = ingest_with_opener(
            open_warehouse, source, location, lineage=lineage, options=options,
            observed_at=capture.observed_at.isoformat(), client=client,
            after_load=_MovePosition(lineage, url, capture),
        )
    except ParseError as error:
        # ingest kept the payload as a failed snapshot; a parser fix re-reads it from there (`sota rebuild`), so the
        # capture is not asked for again.
        outcome = CaptureOutcome(capture, "failed", str(error))
    except FetchError as error:
        refused = isinstance(error, FetchFatalError) and error.status is not None and 400 <= error.status < 500
        if not refused:  # unreachable, overloaded (5xx, or 429 still after the retries): a rerun asks again
            raise ArchiveError(f"capture {capture.timestamp} could not be fetched: {error}") from None
        # The archive refuses this capture (403 for an excluded one, 404): waiting will not change that.
        outcome = CaptureOutcome(capture, "failed", f"not fetched: {error}")
    else:
        outcome = CaptureOutcome(capture, report.status, report.summary(), report.snapshot_id)
        if report.status == "loaded":
            return outcome  # its position moved inside the load's transaction (`_MovePosition`)
    # An unchanged or failed capture commits without the hook (ingest records them by themselves), so its position
    # is written after that commit, in a statement of its own. A crash in between costs nothing: the rerun finds the
    # same bytes already loaded at that time ("already-loaded", nothing written) or, for a failure, records it again.
    with open_warehouse() as con:
        _write_position(con, lineage, url, capture, outcome.snapshot_id)
    return outcome


def backfill_wayback(
    open_warehouse: Opener,
    client: HttpClient,
    url: str,
    *,
    lineage: str,
    source: str = "pwc-page",
    archive: str = DEFAULT_ARCHIVE,
    start: date | None = None,
    end: date | None = None,
    options: dict | None = None,
    on_listed: Callable[[BackfillSummary, int], None] | None = None,
    on_capture: Callable[[CaptureOutcome], None] | None = None,
) -> BackfillSummary:
    """List the captures of `url` from `start` to `end` and load each one the lineage does not hold yet, oldest first.

    `on_listed(summary, to_load)` is called once the captures are listed and the position read; `on_capture(outcome)`
    after each capture (a progress bar). Raises ArchiveError when the index or a capture cannot be fetched."""
    captures = list_captures(client, url, archive=archive, start=start, end=end)
    summary = BackfillSummary(url, lineage, listed=len(captures), position=read_position(open_warehouse, lineage, url))
    with open_warehouse() as con:
        held = held_locations(con, lineage, [capture_url(archive, c) for c in captures])
    pending = [c for c in captures if capture_url(archive, c) not in held]
    summary.skipped = len(captures) - len(pending)
    if on_listed is not None:
        on_listed(summary, len(pending))
    for capture in pending:
        outcome = load_capture(open_warehouse, client, url, capture, lineage=lineage, source=source,
                               archive=archive, options=options)
        summary.count(outcome.status)
        if on_capture is not None:
            on_capture(outcome)
    return summary
