"""Opening the warehouse (`warehouse/db.py`), running its SQL files (`warehouse/statements.py`) and the errors they
raise (`warehouse/errors.py`), on real DuckDB files in a temporary folder; the other process holding a file is a real
process."""
from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from importlib import resources
from pathlib import Path

import duckdb
import pytest

from warehouse.db import DEFAULT_DB, apply_migrations, connect, database_path, migrations
from warehouse.errors import DatabaseLockedError, DatabaseMissingError, LoadError, WarehouseError
from warehouse.statements import dict_rows, first_row, in_transaction, run, sql, transaction

# A process that opens the file for writing, says so, and keeps it until its stdin closes.
HOLDER = "import duckdb, sys; con = duckdb.connect(sys.argv[1]); print('holding', flush=True); sys.stdin.read()"


@contextmanager
def held_by_another_process(path: Path) -> Iterator[subprocess.Popen]:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "holding"
        yield holder
    finally:
        if not holder.stdin.closed:
            holder.stdin.close()
        holder.wait(timeout=30)


def applied(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute("SELECT version, name, applied_at FROM schema_migrations ORDER BY version").fetchall()


def test_migrations_are_the_numbered_files_in_order():
    files = sorted(entry.name for entry in resources.files("warehouse").joinpath("migrations").iterdir()
                   if entry.name.endswith(".sql"))
    assert [(version, name) for version, name, _ in migrations()] == [(int(name[:3]), name) for name in files]
    assert [name for _, name, _ in migrations()][:5] == [
        "001_core.sql", "002_as_of_macros.sql", "003_alerts.sql", "004_sota_frontier.sql", "005_views.sql",
    ]


def test_connect_creates_the_file_and_applies_every_migration(tmp_path):
    path = tmp_path / "new.duckdb"
    with connect(path) as con:
        assert [(version, name) for version, name, _ in applied(con)] == [(v, n) for v, n, _ in migrations()]
        tables = {name for (name,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        assert {"sources", "payloads", "snapshots", "benchmarks", "results", "rejects", "source_state"} <= tables
        # the macros live in the file, for any DuckDB client
        assert con.execute("SELECT count(*) FROM sota_as_of(DATE '2020-01-01')").fetchall() == [(0,)]
        assert con.execute("SELECT current_setting('TimeZone')").fetchall() == [("UTC",)]
    assert path.is_file()


def test_migrations_are_applied_once(tmp_path):
    path = tmp_path / "sota.duckdb"
    with connect(path) as con:
        first = applied(con)
    with connect(path) as con:
        assert applied(con) == first  # the same rows, the same times: nothing ran again
        assert apply_migrations(con) == []
        assert applied(con) == first


def test_a_file_made_by_an_older_version_gets_only_the_migrations_it_lacks(tmp_path):
    path = tmp_path / "old.duckdb"
    with duckdb.connect(str(path)) as old:
        old.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL,"
                    " applied_at TIMESTAMP NOT NULL DEFAULT (now()::TIMESTAMP))")
        for version, name, text in migrations()[:3]:
            old.execute(text)
            old.execute("INSERT INTO schema_migrations (version, name) VALUES (?, ?)", [version, name])
        assert apply_migrations(old) == [name for _, name, _ in migrations()[3:]]
        assert [version for version, _, _ in applied(old)] == [version for version, _, _ in migrations()]


def test_a_reader_needs_an_existing_file_and_does_not_create_one(tmp_path):
    path = tmp_path / "missing.duckdb"
    with pytest.raises(DatabaseMissingError) as raised:
        connect(path, read_only=True)
    assert str(raised.value) == f"no warehouse at {path}: load something first (sota load ...)"
    assert not path.exists()


def test_a_reader_refuses_a_file_that_was_never_migrated(tmp_path):
    path = tmp_path / "plain.duckdb"
    duckdb.connect(str(path)).close()
    with pytest.raises(WarehouseError) as raised:
        connect(path, read_only=True)
    assert str(raised.value) == f"{path} predates this version of sotawatch: run any loading command to migrate it"


def test_a_reader_opens_a_migrated_file_read_only(tmp_path):
    path = tmp_path / "sota.duckdb"
    connect(path).close()
    with connect(path, read_only=True) as reader:
        assert [version for version, _, _ in applied(reader)] == [version for version, _, _ in migrations()]
        with pytest.raises(duckdb.InvalidInputException, match="read-only"):
            reader.execute("DELETE FROM results")


def test_a_writer_refuses_a_missing_folder(tmp_path):
    path = tmp_path / "no-such-folder" / "sota.duckdb"
    with pytest.raises(WarehouseError) as raised:
        connect(path)
    assert str(raised.value) == f"cannot create {path}: the folder {path.parent} does not exist"
    assert type(raised.value) is WarehouseError


def test_a_file_that_is_not_a_database_is_named_in_one_line(tmp_path):
    path = tmp_path / "notes.duckdb"
    path.write_text("not a database\n" * 100)
    with pytest.raises(WarehouseError) as raised:
        connect(path)
    assert str(raised.value) == (
        f'cannot open {path}: IO Error: The file "{path}" exists, but it is not a valid DuckDB database file!'
    )


@pytest.mark.parametrize("read_only", [False, True])
def test_a_file_held_by_another_process_is_busy_after_the_wait(tmp_path, read_only):
    path = tmp_path / "sota.duckdb"
    connect(path).close()
    with held_by_another_process(path):
        started = time.monotonic()
        with pytest.raises(DatabaseLockedError) as raised:
            connect(path, read_only=read_only, wait_seconds=0.6)
        waited = time.monotonic() - started
    assert str(raised.value) == f"{path} is busy: another sota process is writing to it (waited 0.6 s); try again"
    assert 0.6 <= waited < 10


def test_a_file_released_within_the_wait_is_opened(tmp_path):
    path = tmp_path / "sota.duckdb"
    connect(path).close()
    with held_by_another_process(path) as holder:
        releases = threading.Timer(0.5, holder.stdin.close)
        releases.start()
        started = time.monotonic()
        try:
            with connect(path, wait_seconds=20) as con:
                assert con.execute("SELECT count(*) FROM results").fetchall() == [(0,)]
        finally:
            releases.cancel()
        assert 0.5 <= time.monotonic() - started < 20


def test_database_path_is_the_option_else_sota_db_else_the_default(monkeypatch, tmp_path):
    monkeypatch.delenv("SOTA_DB", raising=False)
    assert database_path() == Path(DEFAULT_DB) == Path("sota.duckdb")
    monkeypatch.setenv("SOTA_DB", str(tmp_path / "env.duckdb"))
    assert database_path() == tmp_path / "env.duckdb"
    assert database_path(tmp_path / "given.duckdb") == tmp_path / "given.duckdb"
    monkeypatch.setenv("SOTA_DB", "")
    assert database_path() == Path("sota.duckdb")


# ---------------------------------------------------------------------------------------------------- statements


@pytest.fixture
def scratch(db: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """The migrated warehouse with a table of its own for transaction tests."""
    db.execute("CREATE TABLE scratch (n INTEGER)")
    return db


def numbers(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute("SELECT n FROM scratch ORDER BY n").fetchall()


def test_a_transaction_commits_when_its_block_ends(scratch):
    with transaction(scratch):
        scratch.execute("INSERT INTO scratch VALUES (1), (2)")
        assert in_transaction(scratch)
    assert not in_transaction(scratch)
    assert numbers(scratch) == [(1,), (2,)]


def test_a_transaction_rolls_back_everything_when_an_error_escapes_and_the_error_is_unchanged(scratch):
    scratch.execute("INSERT INTO scratch VALUES (1)")
    failure = RuntimeError("the load went wrong")
    with pytest.raises(RuntimeError) as raised, transaction(scratch):
        scratch.execute("INSERT INTO scratch VALUES (2)")
        scratch.execute("UPDATE scratch SET n = n * 10")
        raise failure
    assert raised.value is failure
    assert numbers(scratch) == [(1,)]
    assert not in_transaction(scratch)


def test_a_failing_statement_rolls_back_the_transaction_and_escapes_as_duckdb_raised_it(scratch):
    with pytest.raises(duckdb.ConversionException), transaction(scratch):
        scratch.execute("INSERT INTO scratch VALUES (3)")
        scratch.execute("INSERT INTO scratch VALUES ('three')")
    assert numbers(scratch) == []
    with transaction(scratch):  # the connection is usable again
        scratch.execute("INSERT INTO scratch VALUES (4)")
    assert numbers(scratch) == [(4,)]


def test_run_refuses_a_statement_whose_parameters_are_missing(db):
    with pytest.raises(KeyError) as raised:
        run(db, "query_rejects", {"limit": 5})
    assert raised.value.args == ("query_rejects.sql needs parameters ['snapshot_id']",)
    with pytest.raises(KeyError) as raised:
        run(db, "query_rejects")
    assert raised.value.args == ("query_rejects.sql needs parameters ['limit', 'snapshot_id']",)


def test_run_binds_only_the_parameters_the_statement_uses(db):
    assert sql("query_snapshots").startswith("-- `sota snapshots`")
    params = {"source": None, "limit": 10, "unused": "ignored", "snapshot_id": 3}
    assert run(db, "query_snapshots", params) == []
    assert dict_rows(db, "query_snapshots", params) == []
    assert first_row(db, "query_snapshots", params) is None
    assert first_row(db, "detect_transaction_id") is not None


def test_values_are_bound_never_written_into_the_statement(db):
    hostile = "x' OR 1 = 1; DROP TABLE results; --"
    run(db, "register_source", {"name": hostile, "description": hostile, "full_listing": True, "now": datetime(2024, 1, 1)})
    assert db.execute("SELECT name, description FROM sources").fetchall() == [(hostile, hostile)]
    assert run(db, "query_snapshots", {"source": hostile, "limit": 10}) == []
    assert db.execute("SELECT count(*) FROM results").fetchall() == [(0,)]


def test_dict_rows_names_each_value_by_its_column(db):
    with transaction(db):
        txid = first_row(db, "detect_transaction_id")[0]
        assert dict_rows(db, "detect_transaction_id") == [{"txid_current()": txid}]


# -------------------------------------------------------------------------------------------------------- errors


def test_error_types():
    assert issubclass(DatabaseLockedError, WarehouseError) and issubclass(DatabaseMissingError, WarehouseError)
    # a load that cannot proceed is not a problem with the file
    assert not issubclass(LoadError, WarehouseError)
