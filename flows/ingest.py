"""One source, one payload, end to end: fetch -> parse -> normalize -> validate -> load, as plain functions.

The CLI and the Prefect flows both call these; tests call them directly. Each step raises a typed error whose
message is one line; a payload that fails to parse is kept and recorded as a failed snapshot, touching no result.

The state a source declares its payload leaves (`SourceSpec.state_after`: arXiv's cursor) is written in
`source_state` inside the load's transaction, so it moves only when the rows it stands for commit.

Two extras for the nightly run: an `after_load` hook that runs inside the load's transaction (new-SOTA detection and
its outbox rows), and `conditional=True`, which keeps a URL's ETag / Last-Modified in `source_state` in the same
transaction as the load and sends them with the next fetch, so an unchanged payload costs one small request (304)
and writes nothing.
"""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypedDict, Unpack
from urllib.parse import urlsplit

import duckdb

from flows.dates import UsageError, parse_day, parse_instant, utc_now
from flows.prepare import prepare_snapshot, read_knowledge
from flows.replay import load_observed_earlier
from pipelines.source import ParseError, SourceSpec
from pipelines.http import FetchFatalError, FetchResult, HttpClient, Validators
from pipelines.registry import get_source
from warehouse.errors import WarehouseError
from warehouse.load import (
    LoadReport,
    SnapshotInput,
    find_same_snapshot,
    find_unchanged,
    later_observation,
    load_snapshot,
    payload_sha256,
    record_failure,
    record_unchanged,
)
from warehouse.source_state import read_source_state, write_source_state
from warehouse.statements import retried_on_conflict, transaction

_DATED_NAME = re.compile(r"@(\d{4}-\d{2}-\d{2})(?:[T_](\d{2})[:-]?(\d{2}))?")


def lineage_name(location: str) -> str:
    """The lineage a payload loaded without `--name` belongs to: its file's name less the `@DATE` part and the
    extensions (`squad@2019-01-03.json` -> `squad`), or for a URL without a file name, its host."""
    parts = urlsplit(location)
    path = parts.path if parts.scheme.lower() in ("http", "https", "file") else location
    stem = _DATED_NAME.sub("", Path(path.rstrip("/")).name).split(".")[0].strip()
    return stem or parts.hostname or location


def observed_at_for(location: str, given: str | None, now: datetime) -> datetime:
    """When the payload was current: the date given, else a `NAME@YYYY-MM-DD` file name's date, else now."""
    if given:
        return parse_instant(given, what="--observed-at")
    match = _DATED_NAME.search(Path(location.split("?")[0]).name)
    if match:
        day = parse_day(match[1], what="date in the file name")
        try:
            return datetime(day.year, day.month, day.day, int(match[2] or 0), int(match[3] or 0))
        except ValueError as error:  # "@2019-01-03T25-00": a time that does not exist
            raise UsageError(f"bad time in the file name {Path(location).name!r}: {error}") from None
    return now


if TYPE_CHECKING:
    # For type checkers only: evaluated, the alias would sit in typing's cache holding DuckDB's connection type past
    # DuckDB's teardown at exit, which nanobind reports as a wall of "leaked" warnings.
    AfterLoad = Callable[[duckdb.DuckDBPyConnection, int], object]


@dataclass(frozen=True)
class KeptValidators:
    """What the last committed fetch of a URL left in `source_state`: its validators and the snapshot they stand for."""

    validators: Validators
    snapshot_id: int


def _validators_key(location: str, options: dict) -> str:
    # Per URL and options: one URL read with two sets of options is two payloads as far as the warehouse knows.
    return "http-validators " + json.dumps({"location": location, "options": options}, sort_keys=True)


def read_validators(con: duckdb.DuckDBPyConnection, source: str, location: str, options: dict) -> KeptValidators | None:
    kept = read_source_state(con, source, _validators_key(location, options))
    if kept is None:
        return None
    if not kept.get("etag") and not kept.get("last_modified"):
        return None
    return KeptValidators(Validators(kept.get("etag"), kept.get("last_modified")), int(kept["snapshot_id"]))


def _write_validators(con, source: str, location: str, options: dict, fetched: FetchResult, snapshot_id: int,
                      now: datetime) -> None:
    value = {"etag": fetched.etag, "last_modified": fetched.last_modified, "snapshot_id": snapshot_id}
    write_source_state(con, source, _validators_key(location, options), value, now)


def source_state_hook(
    spec: SourceSpec, payload: bytes, now: datetime, *, lineage: str | None = None
) -> AfterLoad | None:
    """The `after_load` hook that writes the `source_state` entries `spec.state_after` says the payload leaves, each
    with the snapshot it stands for, unless `spec.state_advances` keeps the stored one; None when it leaves none."""
    entries = spec.state_after(payload) if spec.state_after is not None else None
    if not entries:
        return None

    def write_state(con: duckdb.DuckDBPyConnection, snapshot_id: int) -> None:
        for key, value in entries.items():
            stored = read_source_state(con, lineage or spec.name, key)
            if stored is not None and spec.state_advances is not None and not spec.state_advances(stored, value):
                continue
            write_source_state(con, lineage or spec.name, key, {**value, "snapshot_id": snapshot_id}, now)

    return write_state


def _is_http(location: str) -> bool:
    return urlsplit(location).scheme.lower() in ("http", "https")


class IngestSettings(TypedDict, total=False):
    """The keywords `ingest` and `ingest_with_opener` take besides the source and the location."""

    lineage: str | None  # the named lineage the payload belongs to (default: the source kind's name)
    options: dict | None
    observed_at: str | None
    client: HttpClient | None
    now: datetime | None
    after_load: AfterLoad | None
    conditional: bool


def ingest(
    con: duckdb.DuckDBPyConnection, source_name: str, location: str, **settings: Unpack[IngestSettings]
) -> LoadReport:
    """Fetch one payload and load it as a snapshot. Raises FetchError, ParseError, UsageError or LoadError.

    `lineage` names the record the payload belongs to (a configured entry, a board's history): its claims, removals,
    cursors and validators are that lineage's; without one, the source kind's name. `after_load(con, snapshot_id)`
    runs inside the load's transaction (see `load_snapshot`); if the hook also has a `before_load(con)` method, that
    is called first, outside any transaction and only when a load will happen (not for a 304 or the same bytes
    again): the place to take the SOTA before the load. With `conditional`, an http(s) location is fetched with the
    validators the last committed load of it kept, and a 304 returns a report with status `not-modified` having
    written nothing.
    """
    return ingest_with_opener(lambda: nullcontext(con), source_name, location, **settings)


@dataclass(frozen=True)
class _Job:
    """One payload on its way in: which source parses it, which lineage it belongs to, and how it is loaded."""

    spec: SourceSpec
    lineage: str
    location: str
    options: dict
    observed_at: datetime
    now: datetime
    keep_validators: bool
    after_load: AfterLoad | None


def ingest_with_opener(
    open_warehouse: Callable[[], AbstractContextManager[duckdb.DuckDBPyConnection]],
    source_name: str,
    location: str,
    **settings: Unpack[IngestSettings],
) -> LoadReport:
    """`ingest`, holding the warehouse only while it is used: `open_warehouse()` is entered to read a source's state
    (HTTP validators, arXiv's cursor) and for the load, not during a download, which can take minutes (arXiv asks
    for 3 s between pages): meanwhile other processes can query the file (DuckDB lets one process hold it).
    """
    job = _job(source_name, location, settings)
    spec, client = job.spec, settings.get("client") or HttpClient()
    kept = None
    if job.keep_validators:
        with open_warehouse() as con:
            kept = read_validators(con, job.lineage, location, job.options)
    if spec.fetch is not None:
        # A source whose payload takes several requests (a paginated API) fetches it itself, as one payload.
        def read_state(key: str) -> dict | None:
            with open_warehouse() as con:
                return read_source_state(con, job.lineage, key)

        wants_state = "read_state" in inspect.signature(spec.fetch).parameters
        content = spec.fetch(location, client, **({"read_state": read_state} if wants_state else {}), **job.options)
        fetched = FetchResult.of_content(location, content)
    else:
        fetched = client.fetch(location, previous=kept.validators if kept else None)
    if fetched.not_modified:
        if kept is None:
            raise FetchFatalError(location, "answered 304 Not Modified to a request that was not conditional",
                                  attempts=fetched.attempts, status=304)
        return LoadReport(kept.snapshot_id, job.lineage, location, job.observed_at, "not-modified", kind=spec.name)
    with open_warehouse() as con:
        # on a lake, a load that lost its commit to another writer is judged again against what that writer left
        return retried_on_conflict(con, lambda: _load_fetched(con, job, fetched))


def _job(source_name: str, location: str, settings: IngestSettings) -> _Job:
    """The job `settings` describe, checked before anything is fetched or written."""
    spec = get_source(source_name)
    options = {k: v for k, v in (settings.get("options") or {}).items() if v is not None}
    missing = [name for name in spec.required_options if not options.get(name)]
    if missing:
        raise UsageError(f"source {source_name} needs " + " and ".join(f"--{name}" for name in missing))
    now = settings.get("now") or utc_now()
    given = settings.get("observed_at")
    when = observed_at_for(location, given, now)
    if when > now:
        said = "--observed-at" if given else "the date in the file name"
        raise UsageError(f"{said} {when:%Y-%m-%d %H:%M} is in the future")
    lineage = settings.get("lineage") or spec.name
    keep_validators = bool(settings.get("conditional")) and spec.fetch is None and _is_http(location)
    return _Job(spec, lineage, location, options, when, now, keep_validators, settings.get("after_load"))


def _load_fetched(con: duckdb.DuckDBPyConnection, job: _Job, fetched: FetchResult) -> LoadReport:
    spec, sha = job.spec, payload_sha256(fetched.content)
    same = find_same_snapshot(con, job.lineage, sha, job.options, job.observed_at)
    if same is not None:
        return LoadReport(same, job.lineage, job.location, job.observed_at, "already-loaded", kind=spec.name)
    # Observed before the newest snapshot of its lineage (a capture found later, history loaded after today's): the
    # lineage is replayed with it in its place, so the record ends as if loaded in observed order.
    observed_earlier = later_observation(con, job.lineage, job.observed_at) is not None
    previous = None if observed_earlier else find_unchanged(con, job.lineage, sha, job.options)
    if previous:
        # The same bytes as a snapshot already loaded: nothing to parse, no new version.
        report = record_unchanged(
            con, source=job.lineage, kind=spec.name, location=job.location, options=job.options,
            observed_at=job.observed_at, sha256=sha, previous=previous, now=job.now,
        )
        if job.keep_validators:
            # After that commit, in a transaction of its own: validators for bytes already loaded are safe to keep
            # whenever they are written (at worst a crash in between costs one full fetch of the same bytes).
            def keep_validators() -> None:
                with transaction(con):
                    _write_validators(con, job.lineage, job.location, job.options, fetched, report.snapshot_id,
                                      job.now)

            retried_on_conflict(con, keep_validators)
        return report
    snapshot = None if observed_earlier else _prepared_or_recorded_failure(con, job, fetched)
    write_state = source_state_hook(spec, fetched.content, job.now, lineage=job.lineage)
    before_load = getattr(job.after_load, "before_load", None)
    if before_load is not None:
        before_load(con)

    def inside_the_load(con: duckdb.DuckDBPyConnection, snapshot_id: int) -> None:
        if write_state is not None:
            write_state(con, snapshot_id)
        if job.after_load is not None:
            job.after_load(con, snapshot_id)
        if job.keep_validators:
            _write_validators(con, job.lineage, job.location, job.options, fetched, snapshot_id, job.now)

    if snapshot is not None:
        return load_snapshot(con, snapshot, job.now, after_load=inside_the_load)
    try:
        return load_observed_earlier(con, spec, job.lineage, job.options, job.observed_at, fetched, job.now,
                                     after_load=inside_the_load)
    except ParseError as error:
        _record_failure(con, job, fetched, error)
        raise


def _prepared_or_recorded_failure(con: duckdb.DuckDBPyConnection, job: _Job, fetched: FetchResult) -> SnapshotInput:
    """The snapshot to load; a payload that does not parse is kept as a failed snapshot and its ParseError raised."""
    try:
        return prepare_snapshot(job.spec, fetched, job.location, job.options, job.observed_at, job.now.date(),
                                read_knowledge(con, job.lineage), lineage=job.lineage)
    except ParseError as error:
        _record_failure(con, job, fetched, error)
        raise


def _record_failure(con: duckdb.DuckDBPyConnection, job: _Job, fetched: FetchResult, error: ParseError) -> None:
    """Keep a payload that does not parse as a failed snapshot (no validators: the next run fetches it in full and
    says what is wrong again); the caller raises `error`."""
    spec = job.spec
    try:
        record_failure(
            con, source=job.lineage, kind=spec.name, description=spec.description,
            full_listing=spec.full_listing, location=job.location, options=job.options,
            observed_at=job.observed_at, payload=fetched.content, error=str(error), now=job.now,
        )
    except WarehouseError as unrecorded:
        # The payload's own problem is the first cause and stays the error, type and all; that the warehouse could
        # not keep it (a full disk, a database DuckDB invalidated) is said after it, not instead of it.
        raise type(error)(
            error.source, error.location, f"{error.problem}; the failed snapshot could not be recorded: {unrecorded}"
        ) from unrecorded
