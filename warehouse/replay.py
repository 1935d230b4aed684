"""The warehouse's side of a replay: forgetting what some lineages derived and listing their stored snapshots in the
order they were observed, so that `flows.replay` can derive it again from the payloads (the parsers live there).

A replay runs inside one transaction: until it commits, every other reader sees the record as it was. Snapshot ids,
payloads, source state, benchmarks and the new-SOTA records stay; result versions, rejects, listed boards and
direction evidence are derived again.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import duckdb

from warehouse.statements import first_row, run


@dataclass(frozen=True)
class StoredSnapshot:
    """A snapshot as the warehouse keeps it: enough to parse and load its payload again."""

    snapshot_id: int
    lineage: str
    kind: str  # the registered source that parses the payload
    location: str
    options: dict
    observed_at: datetime
    loaded_at: datetime
    sha256: str


def forget_lineages(con: duckdb.DuckDBPyConnection, lineages: list[str] | None) -> list[StoredSnapshot]:
    """Inside the caller's transaction: forget what these lineages (None: every lineage) derived, and return their
    snapshots in observed order (ties in load order), to be applied again with `warehouse.load.apply_snapshot` and
    finished with `warehouse.frontier.refresh_frontier_after_replay`."""
    run(con, "replay_lineages", {"lineages": lineages})
    stored = [
        StoredSnapshot(snapshot_id, lineage, kind, location, json.loads(options) if options else {}, observed,
                       loaded, sha)
        for snapshot_id, lineage, kind, location, options, observed, loaded, sha in run(con, "replay_snapshots")
    ]
    run(con, "replay_forget")
    return stored


def payload_content(con: duckdb.DuckDBPyConnection, sha256: str) -> bytes:
    return bytes(first_row(con, "payload_content", {"sha256": sha256})[0])
