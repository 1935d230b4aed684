"""Opening the warehouse: one DuckDB file, its numbered migrations applied on connect, and the SQL kept in files.

Every statement the package runs lives in `warehouse/sql/NAME.sql` with bound parameters; table and column names come
from those fixed files, never from input. A file locked by another process gives `DatabaseLockedError` with one line
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

DEFAULT_DB = "sota.duckdb"
_MIGRATION_NAME = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")


class WarehouseError(Exception):
    """A problem with the database file itself; the message is one line."""


class LoadError(Exception):
    """A load that cannot proceed; nothing was written. The message is one line. (Here rather than in
    `warehouse.load`, which imports pandas: the CLI names it in every error it reports.)"""


class DatabaseLockedError(WarehouseError):
    pass


class DatabaseMissingError(WarehouseError):
    pass


def database_path(explicit: str | os.PathLike | None = None) -> Path:
    """`--db`, else `SOTA_DB`, else `sota.duckdb` in the working directory."""
    return Path(explicit or os.environ.get("SOTA_DB") or DEFAULT_DB)


@cache
def sql(name: str) -> str:
    """The text of `warehouse/sql/<name>.sql`."""
    return resources.files("warehouse").joinpath("sql", f"{name}.sql").read_text(encoding="utf-8")


_PARAMETER = re.compile(r"\$([a-z_][a-z0-9_]*)")


@cache
def _parameters(name: str) -> frozenset[str]:
    return frozenset(_PARAMETER.findall(sql(name)))


def _execute(con: duckdb.DuckDBPyConnection, name: str, params: dict | None) -> duckdb.DuckDBPyConnection:
    wanted = _parameters(name)
    missing = wanted - set(params or {})
    if missing:
        raise KeyError(f"{name}.sql needs parameters {sorted(missing)}")
    return con.execute(sql(name), {key: value for key, value in (params or {}).items() if key in wanted})


def run(con: duckdb.DuckDBPyConnection, name: str, params: dict | None = None) -> list[tuple]:
    """Run `warehouse/sql/<name>.sql`, binding from `params` exactly the `$names` the statement uses; its rows.

    The result is always read to the end: DuckDB refuses further work on a connection with an unfinished result.
    """
    return _execute(con, name, params).fetchall()


def dict_rows(con: duckdb.DuckDBPyConnection, name: str, params: dict | None = None) -> list[dict]:
    """Like `run`, each row as a dict keyed by column name."""
    relation = _execute(con, name, params)
    columns = [d[0] for d in relation.description]
    return [dict(zip(columns, row)) for row in relation.fetchall()]


# DuckDB's words for an OS error on one of its files ('Could not write file "PATH": No space left on device'); also
# found inside the "database has been invalidated ... Original error: ..." that every later statement gets.
_CANNOT_WRITE = re.compile(r'Could not (?:write|fsync|truncate)\b[^"]*"(?P<file>[^"]+)": (?P<reason>[^"\n]+)')


def _storage_failure(error: duckdb.Error) -> WarehouseError | None:
    """The one-line error for DuckDB failing to write its files (a full disk) or giving up on the database; else None.

    A fatal error invalidates the database for the rest of the process, so whatever DuckDB raises next (the ROLLBACK,
    the next statement) says "invalidated" and not why: this names the file and the OS's reason instead.
    """
    text = str(error)
    found = _CANNOT_WRITE.search(text)
    if found:
        reason = found["reason"].strip()
        if "No space left" in reason:
            reason += " (the disk is full)"
        return WarehouseError(f"cannot write {found['file']}: {reason}")
    if isinstance(error, duckdb.FatalException):
        # after the first fatal error DuckDB answers "invalidated" to everything, quoting that first error at the end
        original = re.search(r'\nOriginal error: "(.*)"\s*$', text, re.S)
        cause = original[1] if original else text.removeprefix("FATAL Error: ")
        return WarehouseError(f"the warehouse failed fatally: {cause.strip().splitlines()[0]}")
    return None


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Everything inside is one transaction: committed if the block ends, rolled back if anything escapes it.

    DuckDB failing to write its files, at any step, raises `WarehouseError` naming the file and the OS's reason (see
    `_storage_failure`); every other error escapes as it was raised.
    """
    with _storage_failures_named():
        con.execute("BEGIN TRANSACTION")
        try:
            yield
        except BaseException:
            try:
                con.execute("ROLLBACK")
            except duckdb.Error:
                pass  # a database DuckDB has invalidated (a full disk) rolls back by itself; the first error says why
            raise
        # A big commit checkpoints into the database file: a full disk fails it here, fatally, and nothing of it is
        # kept; a small one fails writing the WAL and rolls back. Either way the error is the first cause.
        con.execute("COMMIT")


@contextmanager
def _storage_failures_named() -> Iterator[None]:
    try:
        yield
    except duckdb.Error as error:
        failure = _storage_failure(error)
        if failure is None:
            raise
        raise failure from error


def first_row(con: duckdb.DuckDBPyConnection, name: str, params: dict | None = None) -> tuple | None:
    """The first row of `warehouse/sql/<name>.sql` (the result is read to the end, as DuckDB requires)."""
    rows = run(con, name, params)
    return rows[0] if rows else None


def in_transaction(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether `con` has a transaction open: asked twice, the transaction id is the same only inside one (in
    autocommit mode every statement is a transaction of its own)."""
    return first_row(con, "detect_transaction_id")[0] == first_row(con, "detect_transaction_id")[0]


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
    done = {row[0] for row in con.execute("SELECT version FROM schema_migrations").fetchall()}
    applied = []
    for version, name, text in migrations():
        if version in done:
            continue
        with transaction(con):
            con.execute(text)
            con.execute("INSERT INTO schema_migrations (version, name) VALUES (?, ?)", [version, name])
        applied.append(name)
    if any(name.startswith("004_") for name in applied):
        # a file made before the frontier existed: derive it once from the results it already holds
        from warehouse.frontier import rebuild_frontier

        rebuild_frontier(con)
    return applied


def connect(
    path: str | os.PathLike | None = None, *, read_only: bool = False, wait_seconds: float = 10.0
) -> duckdb.DuckDBPyConnection:
    """Open the warehouse. Writers create the file and migrate it; readers need an existing, migrated file."""
    target = database_path(path)
    if read_only:
        if not target.exists():
            raise DatabaseMissingError(f"no warehouse at {target}: load something first (sota load ...)")
        con = _open(target, True, wait_seconds)
        known = {v for v, _, _ in migrations()}
        try:
            with _closed_on_storage_failure(con):
                seen = {row[0] for row in con.execute("SELECT version FROM schema_migrations").fetchall()}
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
        con.execute("SET TimeZone = 'UTC'")
        con.execute("SET enable_progress_bar = false")
        apply_migrations(con)
    return con


@contextmanager
def _closed_on_storage_failure(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    # DuckDB keeps one database per file and process: after a fatal error (a full disk) a new connection gets the
    # invalidated one, whose "invalidated" names the first error; closed, it no longer holds that database open.
    try:
        with _storage_failures_named():
            yield
    except WarehouseError:
        con.close()
        raise
