"""Opening the warehouse: one DuckDB file, its numbered migrations applied on connect, and the SQL kept in files.

The statements themselves run through `warehouse.statements`; the errors are `warehouse.errors`. A file locked by another process gives `DatabaseLockedError` with one line
saying so, after waiting up to `wait_seconds` for the other writer to finish.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
import time
from functools import cache
from importlib import resources
from pathlib import Path

import duckdb

from warehouse.errors import DatabaseLockedError, DatabaseMissingError, WarehouseError
from warehouse.frontier import rebuild_frontier
from warehouse.lake import LakeUnavailableError, connect_lake, is_lake, parse_lake_location
from warehouse.statements import run, storage_failures_named, transaction, use_session_settings

DEFAULT_DB = "sota.duckdb"
_MIGRATION_NAME = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")


def warehouse_location(explicit: str | os.PathLike | None = None) -> str:
    """`--db`, else `SOTA_DB`, else `sota.duckdb` in the working directory: a DuckDB file's path, or a DuckLake
    location (`ducklake:postgres:... data_path=...`, warehouse/lake.py)."""
    return str(explicit or os.environ.get("SOTA_DB") or DEFAULT_DB)


def database_path(explicit: str | os.PathLike | None = None) -> Path:
    """The warehouse's file, for what works on a file as such (copying it, locking beside it, serving a copy of it).
    A DuckLake location is refused in one line rather than taken for a file name."""
    chosen = warehouse_location(explicit)
    if is_lake(chosen):
        location = parse_lake_location(chosen)
        raise LakeUnavailableError(f"{location.describe()}: this command works on a DuckDB file, not a lake; "
                                   "give one with --db FILE or SOTA_DB")
    return Path(chosen)


@cache
def migrations() -> tuple[tuple[int, str, str], ...]:
    """(version, file name, text) of every migration, in order; read once per process (`connect` asks every time)."""
    folder = resources.files("warehouse").joinpath("migrations")
    found = []
    for entry in folder.iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append((int(match[1]), entry.name, entry.read_text(encoding="utf-8")))
    return tuple(sorted(found))


def _open(path: Path, read_only: bool, wait_seconds: float) -> duckdb.DuckDBPyConnection:
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as error:
            text = str(error)
            if "lock" not in text.lower():
                raise WarehouseError(f"cannot open {path}: {text.splitlines()[0]}") from None
            if time.monotonic() >= deadline:
                raise DatabaseLockedError(
                    f"{path} is busy: another sota process is writing to it (waited {wait_seconds:g} s); try again"
                ) from None
            time.sleep(0.25)


def apply_migrations(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Apply the migrations this file has not seen, each in its own transaction; returns their names."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL,"
        " applied_at TIMESTAMP NOT NULL DEFAULT (now()::TIMESTAMP))"
    )
    done = {row[0] for row in run(con, "schema_versions")}
    applied = []
    for version, name, text in migrations():
        if version in done:
            continue
        with transaction(con):
            con.execute(text)
            con.execute("INSERT INTO schema_migrations (version, name) VALUES (?, ?)", [version, name])
        applied.append(name)
    if any(name.startswith(("004_", "007_")) for name in applied):
        # a file made before the frontier (004) or the consolidated results (007) existed: derive them once from the
        # results it already holds
        rebuild_frontier(con)
    return applied


def connect(
    path: str | os.PathLike | None = None, *, read_only: bool = False, wait_seconds: float = 10.0
) -> duckdb.DuckDBPyConnection:
    """Open the warehouse. Writers create the file and migrate it; readers need an existing, migrated file. A lake
    location opens the lake (`warehouse.lake.connect_lake`), where many processes read and write at once."""
    chosen = warehouse_location(path)
    if is_lake(chosen):
        return connect_lake(parse_lake_location(chosen), migrations(), read_only=read_only)
    target = Path(chosen)
    if read_only:
        if not target.exists():
            raise DatabaseMissingError(f"no warehouse at {target}: load something first (sota load ...)")
        con = _open(target, True, wait_seconds)
        known = {v for v, _, _ in migrations()}
        try:
            with _closed_on_storage_failure(con):
                seen = {row[0] for row in run(con, "schema_versions")}
        except duckdb.CatalogException:
            seen = set()
        if not known <= seen:
            con.close()
            raise WarehouseError(f"{target} predates this version of sotawatch: run any loading command to migrate it")
        return con
    if not target.parent.exists():
        raise WarehouseError(f"cannot create {target}: the folder {target.parent} does not exist")
    con = _open(target, False, wait_seconds)
    with _closed_on_storage_failure(con):
        use_session_settings(con)
        apply_migrations(con)
    return con


@contextmanager
def _closed_on_storage_failure(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    # DuckDB keeps one database per file and process: after a fatal error (a full disk) a new connection gets the
    # invalidated one, whose "invalidated" names the first error; closed, it no longer holds that database open.
    try:
        with storage_failures_named():
            yield
    except WarehouseError:
        con.close()
        raise
