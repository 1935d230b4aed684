"""Running the SQL files of `warehouse/sql/` with bound parameters, and transactions that name a storage failure.

Every statement the package runs is a fixed file; values are bound as `$name` parameters, never written into text.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from importlib import resources

import duckdb

from warehouse.errors import WarehouseError


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
    with storage_failures_named():
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
def storage_failures_named() -> Iterator[None]:
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
