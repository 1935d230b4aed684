"""Running the SQL files of `warehouse/sql/` with bound parameters, and transactions that name a storage failure.

Every statement the package runs is a fixed file; values are bound as `$name` parameters, never written into text.
"""
from __future__ import annotations

import random
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from importlib import resources
from typing import TypeVar

import duckdb

from warehouse.errors import CommitConflictError, WarehouseError

T = TypeVar("T")


@cache
def sql(name: str) -> str:
    """The text of `warehouse/sql/<name>.sql`."""
    return resources.files("warehouse").joinpath("sql", f"{name}.sql").read_text(encoding="utf-8")


def sql_literal(text: str) -> str:
    """A string as a SQL literal, quotes doubled: only for the statements DuckDB takes no bound parameters in (ATTACH,
    CREATE SECRET)."""
    return "'" + text.replace("'", "''") + "'"


def use_session_settings(con: duckdb.DuckDBPyConnection) -> None:
    """The settings every writing or lake connection works under: times in UTC (the record's times are UTC, whatever
    the machine's zone), and no progress bar drawn on the terminal of a command or a worker."""
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET enable_progress_bar = false")


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
    `_storage_failure`); every other error escapes as it was raised. On a lake, the transaction first takes the lake's
    commit turn (`_take_commit_turn`), so two writers' transactions that overlap conflict on commit, and the loser gets
    `CommitConflictError` with nothing of it kept (`retried_on_conflict` does it again).
    """
    with storage_failures_named():
        lake = on_lake(con)
        con.execute("BEGIN TRANSACTION")
        try:
            if lake:
                _open_on_lake.add(id(con))
                _take_commit_turn(con)
            yield
        except BaseException:
            try:
                con.execute("ROLLBACK")
            except duckdb.Error:
                pass  # a database DuckDB has invalidated (a full disk) rolls back by itself; the first error says why
            raise
        finally:
            _open_on_lake.discard(id(con))
        # A big commit checkpoints into the database file: a full disk fails it here, fatally, and nothing of it is
        # kept; a small one fails writing the WAL and rolls back. Either way the error is the first cause.
        try:
            con.execute("COMMIT")
        except duckdb.TransactionException as error:
            if not lake:
                raise
            raise CommitConflictError(f"another writer committed to the lake first; nothing of this was kept "
                                      f"({str(error).splitlines()[0]})") from None
        if lake:
            _turn_taken()


# The lake connections inside `transaction` now: a lake cannot say so itself (txid_current() is the file's alone).
_open_on_lake: set[int] = set()

# The lake's commit turn a unit of work read before its first transaction (`retried_on_conflict`), or None: any turn.
_expected_turn: ContextVar[int | None] = ContextVar("sotawatch_expected_turn", default=None)


def on_lake(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether `con` works in a DuckLake (`warehouse.lake`) rather than a DuckDB file."""
    return bool(first_row(con, "on_lake")[0])


def _take_commit_turn(con: duckdb.DuckDBPyConnection) -> None:
    """Inside a lake transaction: move the lake's one commit-turn row on. DuckLake has no locks and no keys; what it
    does have is a conflict between two transactions updating one row, so every write transaction updating this row
    makes overlapping writers take turns, each judging the state the one before it left (its constraints, its SOTA).
    A unit of work that read the lake before its transaction began (`retried_on_conflict`) also finds here whether
    another writer committed since those reads: then the turn has moved, and it is a conflict too."""
    expected = _expected_turn.get()
    if expected is None:
        run(con, "lake_take_turn")
    elif first_row(con, "lake_take_expected_turn", {"expected": expected})[0] == 0:
        raise CommitConflictError("another writer committed to the lake since this load read it; nothing was kept")


def _turn_taken() -> None:
    expected = _expected_turn.get()
    if expected is not None:
        _expected_turn.set(expected + 1)  # our own commit moved it: the unit's next transaction expects that


COMMIT_ATTEMPTS = 12


def retried_on_conflict(con: duckdb.DuckDBPyConnection, work: Callable[[], T], attempts: int = COMMIT_ATTEMPTS) -> T:
    """`work()`, done again (from its reads on) while it loses a lake commit to another writer: its reads then saw a
    state that no longer stands. On a DuckDB file, where one process holds the file, it runs once."""
    if not on_lake(con):
        return work()
    for attempt in range(1, attempts + 1):
        token = _expected_turn.set(first_row(con, "lake_turn")[0])
        try:
            return work()
        except CommitConflictError:
            if attempt == attempts:
                raise
            time.sleep(random.uniform(0.05, 0.25) * attempt)  # apart, so the same two do not collide again
        finally:
            _expected_turn.reset(token)
    raise AssertionError("unreachable")


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
    autocommit mode every statement is a transaction of its own). A lake has no transaction ids: there, whether
    `transaction` has one open."""
    if on_lake(con):
        return id(con) in _open_on_lake
    return first_row(con, "detect_transaction_id")[0] == first_row(con, "detect_transaction_id")[0]
