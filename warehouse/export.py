"""The record as files others can load: results (the claims, partitioned by source), benchmarks, snapshots, the SOTA
history and the leaderboards (one row per consolidated result, with its witnesses) as Parquet or CSV, written by DuckDB's COPY on a read-only connection that may write to the target folder only."""
from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import duckdb

from warehouse import queries
from warehouse.db import connect
from warehouse.errors import WarehouseError
from warehouse.statements import sql

FORMATS = ("parquet", "csv")
_EXPORTS = (  # (file or folder name, SQL file, partitioned by source)
    ("results", "export_results", True),
    ("benchmarks", "export_benchmarks", False),
    ("snapshots", "export_snapshots", False),
    ("sota_history", "export_sota_history", False),
    ("leaderboards", "export_leaderboards", False),
)
_COPY_OPTIONS = {"parquet": "FORMAT parquet", "csv": "FORMAT csv, HEADER true"}


class ExportError(WarehouseError):
    """An export that cannot be made (an unknown format, a folder that cannot be written); the message is one line."""


def export_record(
    db_path: str | os.PathLike | None, out_dir: str | os.PathLike, *, fmt: str = "parquet",
    as_of: date | None = None, wait_seconds: float = 10.0,
) -> list[Path]:
    """Copy results (a folder per source: results/source=NAME/), benchmarks, snapshots and the SOTA history of every
    ranked benchmark to `out_dir` as Parquet or CSV; with `as_of`, the record as it stood at the end of that day.

    The connection is read-only, and before any COPY runs it is locked to writing under `out_dir` only.
    """
    if fmt not in FORMATS:
        raise ExportError(f"--format {fmt!r}: expected one of {', '.join(FORMATS)}")
    target = Path(out_dir).resolve()
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ExportError(f"cannot write the export to {target}: {error.strerror or error}") from None
    written = []
    with connect(db_path, read_only=True, wait_seconds=wait_seconds) as con:
        con.execute("SET allowed_directories = $folders", {"folders": [str(target)]})
        queries.lock_down(con)  # only `target` stays reachable, and the settings cannot be undone
        for name, query, partitioned in _EXPORTS:
            # the statement is a fixed SQL file inside fixed COPY options; the values and the path are bound
            options = _COPY_OPTIONS[fmt] + (", PARTITION_BY (source), OVERWRITE true" if partitioned else "")
            path = target / name if partitioned else target / f"{name}.{fmt}"
            statement = f"COPY (\n{sql(query)}\n) TO $path ({options})"
            try:
                con.execute(statement, {"path": str(path), "as_of": as_of})
            except duckdb.Error as error:
                raise ExportError(f"cannot export {name} to {path}: {str(error).strip().splitlines()[0]}") from None
            written.append(path)
    return written
