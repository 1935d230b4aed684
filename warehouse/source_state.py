"""A source's incremental state in `source_state`: one JSON value per (source, key), such as arXiv's cursor or the
HTTP validators of a URL. Written inside the transaction of the load it describes, so that it moves only when the
rows it stands for commit."""
from __future__ import annotations

import json
from datetime import datetime

import duckdb

from warehouse.statements import first_row, run


def read_source_state(con: duckdb.DuckDBPyConnection, source: str, key: str) -> dict | None:
    """One entry of a source's `source_state`, or None."""
    row = first_row(con, "source_state_read", {"source": source, "key": key})
    return json.loads(row[0]) if row is not None and row[0] is not None else None


def write_source_state(con: duckdb.DuckDBPyConnection, source: str, key: str, value: dict, now: datetime) -> None:
    run(con, "source_state_write", {"source": source, "key": key, "value": json.dumps(value, sort_keys=True),
                                    "now": now})
