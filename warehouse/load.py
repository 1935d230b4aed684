"""Loading one payload as one snapshot, in one transaction: either all of it is visible or none of it.

The loader compares the payload's validated results with the current versions of the same source's claims: an
unchanged claim is seen again (last_seen_at moves), a changed one gets a new version and the old one's interval
ends, a new one starts, and, for full-listing sources, a claim missing from a board the payload lists is removed.
The same bytes loaded again change nothing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime

import duckdb
import pandas as pd

from warehouse.errors import CommitConflictError, WarehouseError
from warehouse.statements import first_row, run, transaction
from warehouse.frontier import refresh_frontier_for_snapshot


# DuckDB caches up to 80% of the machine's memory by default, and a load keeps cached what its transaction wrote: a
# tenfold dump's load took 600 MB over the frame it was given. Capped while one payload is written, the blocks go to
# the file (and the temp folder beside it) as they fill: 250 MB over the frame, for a tenth more time on that load.
# Spilling operators stay within it; the cap is lifted when the load ends.
LOAD_MEMORY_LIMIT = "320MB"

DIRECTION_COLUMNS = ["benchmark_key", "direction", "why"]
EVIDENCE_COLUMNS = ["benchmark_key", "kind", "direction", "detail"]


@dataclass(frozen=True)
class SnapshotInput:
    """Everything the loader needs about one payload; built by the ingest step from a fetch, a parse and a validation."""

    source: str  # the lineage: claims, removals and state are its own
    source_description: str
    full_listing: bool
    location: str
    options: dict
    observed_at: datetime
    payload: bytes
    rows_parsed: int
    results: pd.DataFrame  # validated results (pipelines.normalize.RESULT_COLUMNS)
    rejects: list[tuple[str, str, str]]  # (row_ref, reason, raw JSON)
    duplicates: int
    # the direction decided for each benchmark this load touches (and any decided again), and the evidence the
    # payload gave: DIRECTION_COLUMNS and EVIDENCE_COLUMNS
    directions: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=DIRECTION_COLUMNS))
    evidence: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=EVIDENCE_COLUMNS))
    kind: str | None = None  # the registered source that parsed the payload (default: the lineage's name)

    @property
    def sha256(self) -> str:
        return payload_sha256(self.payload)


@dataclass(frozen=True)
class LoadReport:
    snapshot_id: int
    source: str
    location: str
    observed_at: datetime
    status: str  # loaded | unchanged | already-loaded
    rows_parsed: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    rows_duplicate: int = 0
    results_new: int = 0
    results_changed: int = 0
    results_unchanged: int = 0
    results_removed: int = 0
    kind: str | None = None  # the registered source that parsed the payload, where it is not the lineage's name

    def summary(self) -> str:
        named = self.source if self.kind in (None, self.source) else f"{self.source} ({self.kind})"
        if self.status != "loaded":
            return f"snapshot {self.snapshot_id} of {named}: {self.status} (same bytes as before), nothing new"
        return (
            f"snapshot {self.snapshot_id} of {named} observed {self.observed_at:%Y-%m-%d %H:%M}: "
            f"{self.rows_loaded} rows loaded, {self.rows_rejected} rejected, {self.rows_duplicate} exact repeats folded; "
            f"results {self.results_new} new, {self.results_changed} changed, {self.results_unchanged} unchanged, "
            f"{self.results_removed} removed"
        )


def payload_sha256(payload: bytes) -> str:
    return hashlib.sha256(payload).hexdigest()


def _options_json(options: dict) -> str:
    return json.dumps(options or {}, sort_keys=True)


def find_unchanged(
    con: duckdb.DuckDBPyConnection, source: str, sha256: str, options: dict
) -> tuple[int, datetime] | None:
    """The snapshot these same bytes already produced, if loading them again would change nothing."""
    row = first_row(
        con, "find_unchanged_snapshot", {"source": source, "sha256": sha256, "options": _options_json(options)}
    )
    return (row[0], row[1]) if row else None


def find_same_snapshot(
    con: duckdb.DuckDBPyConnection, source: str, sha256: str, options: dict, observed_at: datetime
) -> int | None:
    """The snapshot these bytes, options and observation time already made in this lineage, if any."""
    row = first_row(
        con, "find_same_snapshot",
        {"source": source, "sha256": sha256, "options": _options_json(options), "observed_at": observed_at},
    )
    return row[0] if row else None


def held_locations(con: duckdb.DuckDBPyConnection, source: str, locations: list[str]) -> set[str]:
    """Those of `locations` the lineage `source` already holds a snapshot of (of any status): what a resumed backfill
    need not fetch again."""
    return {row[0] for row in run(con, "snapshot_locations", {"source": source, "locations": locations})}


def later_observation(con: duckdb.DuckDBPyConnection, source: str, observed_at: datetime) -> datetime | None:
    """When the lineage's newest snapshot was observed, if after `observed_at`: a payload observed before what its
    lineage holds is loaded by replaying the lineage (`flows.replay`), not appended."""
    return first_row(con, "later_observation", {"source": source, "observed_at": observed_at})[0]


def _insert_snapshot(
    con, *, options: dict, error: str | None = None, rows_parsed: int = 0, snapshot_id: int | None = None, **columns
) -> int:
    """One row of `snapshots`; returns its id (`snapshot_id` when a replay writes a snapshot again)."""
    if snapshot_id is None:
        snapshot_id = first_row(con, "next_snapshot_id")[0]
    row = {**columns, "error": error, "rows_parsed": rows_parsed, "options": _options_json(options),
           "snapshot_id": snapshot_id}
    run(con, "insert_snapshot", row)
    return snapshot_id


def _register_and_store(
    con, source: str, description: str, full_listing: bool, payload: bytes, sha: str, now: datetime
):
    run(con, "register_source", {"name": source, "description": description, "full_listing": full_listing, "now": now})
    if not first_row(con, "payload_exists", {"sha256": sha})[0]:
        run(con, "store_payload", {"sha256": sha, "size_bytes": len(payload), "content": payload, "now": now})


def record_unchanged(
    con: duckdb.DuckDBPyConnection,
    *,
    source: str,
    kind: str | None = None,
    location: str,
    options: dict,
    observed_at: datetime,
    sha256: str,
    previous: tuple[int, datetime],
    now: datetime,
) -> LoadReport:
    """The same bytes again: no new versions; a later observation says the claims were still shown then.

    At the same time or earlier than the snapshot they already made, nothing at all is written.
    """
    previous_id, previous_observed = previous
    if observed_at <= previous_observed:
        return LoadReport(previous_id, source, location, previous_observed, "already-loaded", kind=kind)
    with transaction(con):
        snapshot_id = _write_unchanged(
            con, source=source, kind=kind, location=location, options=options, observed_at=observed_at,
            sha256=sha256, previous_id=previous_id, now=now,
        )
    return LoadReport(snapshot_id, source, location, observed_at, "unchanged", kind=kind)


def _write_unchanged(
    con: duckdb.DuckDBPyConnection, *, source: str, kind: str | None, location: str, options: dict,
    observed_at: datetime, sha256: str, previous_id: int, now: datetime, snapshot_id: int | None = None,
) -> int:
    """Inside the caller's transaction: the snapshot of bytes seen again, its boards, and its claims seen again."""
    snapshot_id = _insert_snapshot(
            con,
            options=options,
            source=source,
            location=location,
            observed_at=observed_at,
            loaded_at=now,
            sha256=sha256,
            status="unchanged",
            kind=kind or source,
            snapshot_id=snapshot_id,
        )
    run(con, "copy_snapshot_boards", {"snapshot_id": snapshot_id, "previous_snapshot_id": previous_id})
    run(
        con,
        "mark_seen_again",
        {"observed_at": observed_at, "snapshot_id": snapshot_id, "source": source, "previous_snapshot_id": previous_id},
    )
    return snapshot_id


def record_failure(
    con: duckdb.DuckDBPyConnection,
    *,
    source: str,
    kind: str | None = None,
    description: str,
    full_listing: bool,
    location: str,
    options: dict,
    observed_at: datetime,
    payload: bytes,
    error: str,
    now: datetime,
) -> int:
    """A payload that could not be parsed: its bytes are kept for later, no result is touched."""
    sha = payload_sha256(payload)
    with transaction(con):
        _register_and_store(con, source, description, full_listing, payload, sha, now)
        return _insert_snapshot(
            con, options=options, source=source, location=location, observed_at=observed_at, loaded_at=now,
            sha256=sha, status="failed", error=error, kind=kind or source,
        )


def record_failure_again(
    con: duckdb.DuckDBPyConnection, *, snapshot_id: int, source: str, kind: str, location: str, options: dict,
    observed_at: datetime, loaded_at: datetime, sha256: str, error: str,
) -> None:
    """Inside a replay's transaction: a stored payload that does not parse (any more, or still) is a failed snapshot
    again under its id; its bytes and its lineage are kept already."""
    _insert_snapshot(
        con, options=options, source=source, location=location, observed_at=observed_at, loaded_at=loaded_at,
        sha256=sha256, status="failed", error=error, kind=kind, snapshot_id=snapshot_id,
    )


def read_benchmark_knowledge(con: duckdb.DuckDBPyConnection) -> tuple[list[tuple], list[tuple]]:
    """What a load needs of the benchmarks held: (benchmark_key, task, dataset, metric, unit, undecided) rows and
    (benchmark_key, kind, direction, detail, lineage) rows of the direction evidence earlier payloads gave."""
    return run(con, "knowledge_benchmarks"), run(con, "knowledge_evidence")


def read_board_values(con: duckdb.DuckDBPyConnection, benchmark_keys: list[str]) -> dict[str, list[tuple[str, float]]]:
    """The values the warehouse shows now on these boards (suspects left out), as (claim_key, value) pairs by
    benchmark_key: what a payload's values are judged against besides their own board."""
    found: dict[str, list[tuple[str, float]]] = {}
    for key, claim, value in run(con, "knowledge_board_values", {"keys": list(benchmark_keys)}):
        found.setdefault(key, []).append((claim, value))
    return found


def load_snapshot(
    con: duckdb.DuckDBPyConnection,
    snapshot: SnapshotInput,
    now: datetime,
    after_load: Callable[[duckdb.DuckDBPyConnection, int], object] | None = None,
) -> LoadReport:
    """Write one snapshot in one transaction and report what changed.

    `after_load(con, snapshot_id)` runs inside that transaction, after every write of the load and before COMMIT, so
    whatever it writes (new SOTA records, their alert outbox rows) commits with the snapshot or not at all; if it
    raises, the whole load rolls back. It is not called for a payload that changes nothing (unchanged, already loaded).
    """
    sha = snapshot.sha256
    previous = find_unchanged(con, snapshot.source, sha, snapshot.options)
    if previous:
        return record_unchanged(
            con,
            source=snapshot.source,
            kind=snapshot.kind,
            location=snapshot.location,
            options=snapshot.options,
            observed_at=snapshot.observed_at,
            sha256=sha,
            previous=previous,
            now=now,
        )

    _register_incoming(con, snapshot)
    try:
        with memory_capped(con), transaction(con):
            report = _write_snapshot(con, snapshot, now)
            if after_load is not None:
                after_load(con, report.snapshot_id)
    except CommitConflictError:
        raise  # another writer of the lake went first: the caller judges the load again (retried_on_conflict)
    except WarehouseError as error:
        # DuckDB could not write the warehouse (a full disk): the transaction did not become durable
        raise WarehouseError(f"{error}; nothing of this snapshot was kept") from error
    finally:
        _unregister_incoming(con)
    return report


@contextmanager
def memory_capped(con: duckdb.DuckDBPyConnection, limit: str = LOAD_MEMORY_LIMIT) -> Iterator[None]:
    """DuckDB's memory held to `limit` for the block (`LOAD_MEMORY_LIMIT`), then back to its default."""
    con.execute("SET memory_limit = ?", [limit])
    try:
        yield
    finally:
        try:
            con.execute("RESET memory_limit")
        except duckdb.Error:
            pass  # a database DuckDB invalidated (a full disk) refuses even this; the error that did it is the one to say


def store_for_replay(
    con: duckdb.DuckDBPyConnection, *, source: str, kind: str, description: str, full_listing: bool, location: str,
    options: dict, observed_at: datetime, payload: bytes, now: datetime,
) -> int:
    """Inside the caller's transaction: a payload not parsed yet and a snapshot row for it, whose results the replay
    of its lineage that follows derives (`flows.replay`); returns its id."""
    sha = payload_sha256(payload)
    _register_and_store(con, source, description, full_listing, payload, sha, now)
    return _insert_snapshot(
        con, options=options, source=source, location=location, observed_at=observed_at, loaded_at=now, sha256=sha,
        status="loaded", kind=kind,
    )


def apply_snapshot(
    con: duckdb.DuckDBPyConnection, snapshot: SnapshotInput, loaded_at: datetime, snapshot_id: int
) -> LoadReport:
    """Inside the caller's transaction (a replay, `flows.replay`): the load of one snapshot written again under the id
    it keeps, judged against the snapshots of its lineage the replay has applied so far, as `load_snapshot` judges
    it against those loaded before. The derived layers are left to the caller, which refreshes them once."""
    sha = snapshot.sha256
    previous = find_unchanged(con, snapshot.source, sha, snapshot.options)
    if previous:
        # in observed order no earlier snapshot of the same bytes can be as late as this one (that would be the same
        # snapshot), so these bytes are always seen again later here
        _write_unchanged(
            con, source=snapshot.source, kind=snapshot.kind, location=snapshot.location, options=snapshot.options,
            observed_at=snapshot.observed_at, sha256=sha, previous_id=previous[0], now=loaded_at,
            snapshot_id=snapshot_id,
        )
        return LoadReport(snapshot_id, snapshot.source, snapshot.location, snapshot.observed_at, "unchanged",
                          kind=snapshot.kind)
    _register_incoming(con, snapshot)
    try:
        return _write_snapshot(con, snapshot, loaded_at, snapshot_id=snapshot_id)
    finally:
        _unregister_incoming(con)


def _register_incoming(con: duckdb.DuckDBPyConnection, snapshot: SnapshotInput) -> None:
    """The snapshot's results, the boards it lists in full and its rejects, as views the load's SQL files read."""
    results = snapshot.results
    # the boards this payload lists in full: where a claim it does not show anymore counts as removed
    board_columns = ["task", "dataset", "board_key"]
    listed = (
        results[board_columns].drop_duplicates("board_key")
        if snapshot.full_listing
        else results.iloc[0:0][board_columns]
    )
    boards = pd.DataFrame(listed, columns=board_columns).reset_index(drop=True)
    rejects = pd.DataFrame(snapshot.rejects, columns=["row_ref", "reason", "raw"])
    con.register("incoming", results)
    con.register("incoming_boards", boards)
    con.register("incoming_rejects", rejects)
    con.register("incoming_directions", pd.DataFrame(snapshot.directions, columns=DIRECTION_COLUMNS))
    con.register("incoming_evidence", pd.DataFrame(snapshot.evidence, columns=EVIDENCE_COLUMNS))


def _write_snapshot(
    con: duckdb.DuckDBPyConnection, snapshot: SnapshotInput, now: datetime, snapshot_id: int | None = None
) -> LoadReport:
    """Inside the load's transaction: the payload, the snapshot row, new result versions, removals, rejects and the
    frontier of the benchmarks it touched (not in a replay, given the `snapshot_id` to keep, which refreshes the
    frontier once at its end); the report of what changed."""
    replaying = snapshot_id is not None
    sha = snapshot.sha256
    _register_and_store(
        con, snapshot.source, snapshot.source_description, snapshot.full_listing, snapshot.payload, sha, now
    )
    snapshot_id = _insert_snapshot(
        con,
        options=snapshot.options,
        source=snapshot.source,
        location=snapshot.location,
        observed_at=snapshot.observed_at,
        loaded_at=now,
        sha256=sha,
        status="loaded",
        rows_parsed=snapshot.rows_parsed,
        kind=snapshot.kind or snapshot.source,
        snapshot_id=snapshot_id,
    )
    step = {"source": snapshot.source, "observed_at": snapshot.observed_at, "snapshot_id": snapshot_id}
    run(con, "insert_snapshot_boards", step)
    run(con, "insert_benchmarks")
    run(con, "record_direction_moves")
    run(con, "update_directions")
    run(con, "forget_replaced_evidence", step)
    run(con, "store_direction_evidence", step)
    run(con, "stage_incoming", step)
    counts = dict(run(con, "count_staged"))
    run(con, "touch_unchanged", step)
    run(con, "close_changed", step)
    run(con, "insert_versions", step)
    removed = first_row(con, "remove_unlisted", step)[0] if snapshot.full_listing else 0
    run(con, "insert_rejects", step)
    if replaying:
        run(con, "replay_keep_moves")  # the replay ranks every benchmark it reached once, at its end
    else:
        refresh_frontier_for_snapshot(con, snapshot_id)
    report = LoadReport(
        snapshot_id,
        snapshot.source,
        snapshot.location,
        snapshot.observed_at,
        "loaded",
        rows_parsed=snapshot.rows_parsed,
        rows_loaded=len(snapshot.results),
        rows_rejected=len(snapshot.rejects),
        rows_duplicate=snapshot.duplicates,
        results_new=counts.get("new", 0),
        results_changed=counts.get("changed", 0),
        results_unchanged=counts.get("unchanged", 0),
        results_removed=removed,
        kind=snapshot.kind,
    )
    run(con, "finish_snapshot", asdict(report))
    con.execute("DROP TABLE staged")
    return report


def _unregister_incoming(con: duckdb.DuckDBPyConnection) -> None:
    for view in ("incoming", "incoming_boards", "incoming_rejects", "incoming_directions", "incoming_evidence"):
        try:
            con.unregister(view)
        except duckdb.FatalException:
            # A database DuckDB invalidated (a full disk) refuses even this, with "database has been invalidated";
            # raised here, that would replace the error that invalidated it, which is the one to report.
            pass
