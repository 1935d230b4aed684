"""Where the warehouse lives: an embedded DuckDB file (the default), or a DuckLake (issue 16: a catalog in PostgreSQL,
the data as Parquet files in a folder or on object storage), which many processes read and write at once.

A location is one string, as `--db`, `SOTA_DB` and the configuration's `[warehouse] path` give it:
- `sota.duckdb` (any path): the embedded file;
- `ducklake:postgres:dbname=sota host=127.0.0.1 port=5432 user=sota data_path=/srv/sota-lake/`: a lake. After
  `ducklake:postgres:` comes a libpq connection string; its `data_path=` (a folder, or `s3://bucket/prefix/`) is not
  libpq's but where the lake keeps its Parquet files, and is required. A password is never written here: libpq reads
  PGPASSWORD or ~/.pgpass.

A lake needs DuckDB's `ducklake` and `postgres_scanner` extensions (and `httpfs` for s3://), which cannot be
downloaded here: `pip install sotawatch[lake]` brings them as wheels (they pin duckdb 1.5.5), and `open_lake` installs
them from the wheels into a local extension folder. The base install keeps duckdb 2.0 and the embedded file.
"""
from __future__ import annotations

import os
import re
import shlex
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import duckdb

from warehouse.errors import DatabaseMissingError, LakeUnavailableError, WarehouseError, first_line
from warehouse.lake_s3 import apply_s3_secret
from warehouse.lake_schema import LakeMigration, connection_objects, lake_migration
from warehouse.statements import run, sql_literal, use_session_settings

LAKE_PREFIX = "ducklake:postgres:"
LAKE_EXTENSIONS = ("ducklake", "postgres_scanner")
LAKE_NAME = "lake"  # the attached catalog's name in a connection
_KEY = re.compile(r"^[A-Za-z_]+$")


@dataclass(frozen=True)
class LakeLocation:
    """A DuckLake: its PostgreSQL catalog (a libpq connection string, without data_path) and its data path."""

    catalog: str
    data_path: str

    @property
    def attach_target(self) -> str:
        return LAKE_PREFIX + self.catalog

    def describe(self) -> str:
        """The location for messages: the catalog's database and host, never a password."""
        fields = dict(_pairs(self.catalog))
        where = f"{fields.get('dbname', '?')} on {fields.get('host', 'localhost')}:{fields.get('port', '5432')}"
        return f"DuckLake {where}, data at {self.data_path}"


def is_lake(location: str | os.PathLike | None) -> bool:
    return isinstance(location, str) and location.strip().startswith(LAKE_PREFIX)


def _pairs(conninfo: str) -> list[tuple[str, str]]:
    """The `key=value` pairs of a libpq connection string (values may be single-quoted, as libpq allows)."""
    try:
        words = shlex.split(conninfo)
    except ValueError as error:
        raise LakeUnavailableError(f"the lake's connection string cannot be read: {error}") from None
    pairs = []
    for word in words:
        key, separator, value = word.partition("=")
        if not separator or not _KEY.match(key):
            raise LakeUnavailableError(f"the lake's connection string has {word!r}, not key=value")
        pairs.append((key, value))
    return pairs


def parse_lake_location(text: str) -> LakeLocation:
    """The catalog and data path of a `ducklake:postgres:...` location; a one-line error if it is not one."""
    text = text.strip()
    if not text.startswith(LAKE_PREFIX):
        raise LakeUnavailableError(f"not a lake location (expected {LAKE_PREFIX}...): {text[:40]!r}")
    pairs = _pairs(text[len(LAKE_PREFIX):])
    if any(key == "password" for key, _ in pairs):
        raise LakeUnavailableError("the lake's location must not hold a password: libpq reads PGPASSWORD or ~/.pgpass")
    data = [value for key, value in pairs if key == "data_path"]
    if len(data) != 1 or not data[0]:
        raise LakeUnavailableError("the lake's location needs one data_path=FOLDER (or s3://bucket/prefix/)")
    catalog = " ".join(f"{key}={shlex.quote(value)}" for key, value in pairs if key != "data_path")
    if not catalog:
        raise LakeUnavailableError("the lake's location names no catalog database (dbname=... host=...)")
    data_path = data[0] if data[0].endswith("/") else data[0] + "/"
    return LakeLocation(catalog, data_path)


def extension_folder() -> Path:
    """Where the lake's extensions are installed from their wheels: SOTA_DUCKDB_EXTENSIONS, else a folder in the
    user's cache (DuckDB's own default would try to download them)."""
    chosen = os.environ.get("SOTA_DUCKDB_EXTENSIONS")
    return Path(chosen) if chosen else Path.home() / ".cache" / "sotawatch" / "duckdb-extensions"


def load_lake_extensions(con: duckdb.DuckDBPyConnection, *, s3: bool = False) -> None:
    """Install the lake's extensions from their wheels (once per folder) and load them; LakeUnavailableError when the
    install has none (the base install: `pip install sotawatch[lake]`)."""
    try:
        import duckdb_extensions  # the `lake` extra's wheels
    except ImportError:
        raise LakeUnavailableError(
            "this install cannot open a DuckLake: install the lake extra (pip install 'sotawatch[lake]')") from None
    folder = extension_folder()
    folder.mkdir(parents=True, exist_ok=True)
    con.execute("SET extension_directory = $folder", {"folder": str(folder)})
    for name in (*LAKE_EXTENSIONS, *(("httpfs",) if s3 else ())):
        duckdb_extensions.import_extension(name, con=con)
        con.execute(f"LOAD {name}")  # fixed names from the tuple above


def open_lake(location: LakeLocation, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with the lake attached as LAKE_NAME and in use; `read_only`, attached so (a
    reader, `sota sql` among them, cannot write to the lake whatever it runs)."""
    con = duckdb.connect()
    with _closed_on_failure(con, LakeUnavailableError, f"cannot open {location.describe()}"):
        load_lake_extensions(con, s3=location.data_path.startswith("s3://"))
        if location.data_path.startswith("s3://"):
            apply_s3_secret(con, os.environ, location.data_path)
        # ATTACH takes no bound parameters: the two strings are written as SQL literals, quotes doubled
        target, data = sql_literal(location.attach_target), sql_literal(location.data_path)
        con.execute(f"ATTACH {target} AS {LAKE_NAME} (DATA_PATH {data}{', READ_ONLY' if read_only else ''})")
        con.execute(f"USE {LAKE_NAME}")
    return con


@contextmanager
def _closed_on_failure(con: duckdb.DuckDBPyConnection, error_type: type[WarehouseError], doing: str) -> Iterator[None]:
    """The block, `con` closed if it fails: a DuckDB error becomes one line of `error_type` ("<doing>: <why>"), any
    other escapes as it was raised."""
    try:
        yield
    except duckdb.Error as error:
        con.close()
        raise error_type(f"{doing}: {first_line(error)}") from None
    except BaseException:
        con.close()
        raise


def migrate_lake(con: duckdb.DuckDBPyConnection, migrations: Iterable[tuple[int, str, str]]) -> list[str]:
    """Inside an opened lake: apply the migrations (`warehouse.db.migrations()`: version, name, text) it has not seen,
    translated for a lake (`warehouse.lake_schema`), each in its own transaction, then create this connection's macros
    and views; the names applied. A migration two processes apply at once conflicts in one of them, which then sees it
    applied."""
    migrations = tuple(migrations)
    run(con, "lake_bookkeeping")
    done = _versions(con)
    applied = []
    for (version, name, _), migration in zip(migrations, _translated(migrations)):
        if version in done:
            continue
        con.execute("BEGIN")
        try:
            for statement in migration.stored:
                con.execute(statement)
            for sequence in migration.sequences:  # a lake has no sequences: ids are claimed in blocks
                run(con, "lake_add_sequence", {"name": sequence})
            run(con, "lake_record_migration", {"version": version, "name": name})
            con.execute("COMMIT")
        except BaseException:
            _rollback(con)
            raise
        applied.append(name)
    for statement in _connection_statements(migrations):
        con.execute(statement)
    return applied


@cache
def _translated(migrations: tuple[tuple[int, str, str], ...]) -> tuple[LakeMigration, ...]:
    """The migrations translated for a lake, once per process: every connection would otherwise parse them again."""
    return tuple(lake_migration(text) for _, _, text in migrations)


@cache
def _connection_statements(migrations: tuple[tuple[int, str, str], ...]) -> tuple[str, ...]:
    return tuple(connection_objects(_translated(migrations)))


def _versions(con: duckdb.DuckDBPyConnection) -> set[int]:
    return {row[0] for row in run(con, "schema_versions")}


def prepare_reader(con: duckdb.DuckDBPyConnection, location: LakeLocation,
                   migrations: Iterable[tuple[int, str, str]]) -> None:
    """A reading connection's macros and views, once the lake is known to hold every migration (a reader writes
    nothing: a lake never loaded, or migrated by an older sotawatch, is a one-line error)."""
    migrations = tuple(migrations)
    try:
        seen = _versions(con)
    except duckdb.CatalogException:
        raise DatabaseMissingError(f"no warehouse in {location.describe()}: load something first") from None
    if not {version for version, _, _ in migrations} <= seen:
        raise WarehouseError(f"{location.describe()} predates this version of sotawatch: run any loading command "
                             "to migrate it")
    for statement in _connection_statements(migrations):
        con.execute(statement)


# Ids a writing connection claims for each sequence when it opens (any it leaves unused are never given out): results
# and rejects come by the million in one load, the rest by the handful. BIGINT ids last 9 * 10^9 such connections.
ID_BLOCKS = {"result_ids": 1_000_000_000, "reject_ids": 1_000_000_000}
ID_BLOCK = 1_000_000


def connect_lake(location: LakeLocation, migrations: Iterable[tuple[int, str, str]], *,
                 read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """The lake opened for the warehouse's SQL: in UTC, migrated (a writer) or checked (a reader), its macros and views
    made for this connection, and, for a writer, a block of ids claimed for every sequence (`use_id_block`)."""
    migrations = tuple(migrations)
    con = _opened_and_migrated(location, migrations, read_only)
    if read_only:
        return con
    with _closed_on_failure(con, WarehouseError, f"cannot prepare {location.describe()}"):
        sequences = [name for migration in _translated(migrations) for name in migration.sequences]
        counts = {name: ID_BLOCKS.get(name, ID_BLOCK) for name in sequences}
        for name, first in claim_id_blocks(con, counts).items():
            use_id_block(con, name, first, counts[name])
    return con


SETUP_ATTEMPTS = 5


def _opened_and_migrated(location: LakeLocation, migrations: tuple[tuple[int, str, str], ...],
                         read_only: bool) -> duckdb.DuckDBPyConnection:
    """The lake opened and migrated (a writer) or checked (a reader). Writers opening a new lake at once race to
    create its catalog, or to apply one migration: the losers fail, and find it done when they try again."""
    for attempt in range(1, SETUP_ATTEMPTS + 1):
        try:
            con = open_lake(location, read_only=read_only)
        except LakeUnavailableError as error:
            if "Failed to initialize DuckLake" not in str(error) or attempt == SETUP_ATTEMPTS:
                raise
            time.sleep(0.2 * attempt)
            continue
        with _closed_on_failure(con, WarehouseError, f"cannot prepare {location.describe()}"):
            try:
                use_session_settings(con)
                if read_only:
                    prepare_reader(con, location, migrations)
                else:
                    migrate_lake(con, migrations)
                return con
            except duckdb.Error as error:
                if attempt == SETUP_ATTEMPTS or not _lost_a_race(error):
                    raise
        # another writer applied a migration between our reading what was done and doing it: read again
        con.close()
        time.sleep(0.2 * attempt)
    raise AssertionError("unreachable")


def _lost_a_race(error: duckdb.Error) -> bool:
    return isinstance(error, duckdb.TransactionException) or (
        isinstance(error, duckdb.CatalogException) and "already exists" in str(error))


CLAIM_ATTEMPTS = 50


def claim_id_blocks(con: duckdb.DuckDBPyConnection, counts: dict[str, int]) -> dict[str, int]:
    """For each sequence, the first of `counts[sequence]` ids no other writer of the lake will ever get: its
    `id_blocks` row moved on by that count, all in one transaction of its own. Two writers moving them at once
    conflict on commit, and the loser tries again: DuckLake has no sequences, and this is what stands in for them."""
    if any(count < 1 for count in counts.values()):
        raise ValueError(f"claim at least one id of each, not {counts}")
    for _ in range(CLAIM_ATTEMPTS):
        con.execute("BEGIN")
        try:
            firsts = {}
            for sequence, count in counts.items():
                rows = run(con, "lake_id_block_next", {"name": sequence})
                if not rows:
                    raise LakeUnavailableError(f"the lake has no id sequence {sequence!r}: is it migrated?")
                run(con, "lake_id_block_move", {"next": rows[0][0] + count, "name": sequence})
                firsts[sequence] = rows[0][0]
            con.execute("COMMIT")
            return firsts
        except duckdb.TransactionException:
            _rollback(con)  # another writer moved them first (a conflict on commit): read them again
        except BaseException:
            _rollback(con)
            raise
    raise LakeUnavailableError(f"could not claim ids of {sorted(counts)}: {CLAIM_ATTEMPTS} commits in a row conflicted")


def _rollback(con: duckdb.DuckDBPyConnection) -> None:
    """Roll back what is open; a commit that failed on a conflict has already ended its transaction."""
    try:
        con.execute("ROLLBACK")
    except duckdb.TransactionException:
        pass


def use_id_block(con: duckdb.DuckDBPyConnection, sequence: str, first: int, count: int) -> None:
    """This connection's `nextval(sequence)` gives the claimed block's ids, and fails rather than leave it: a TEMP
    sequence of that name, which the warehouse's SQL reads as it reads the file's own."""
    con.execute(f"CREATE OR REPLACE TEMP SEQUENCE {_identifier(sequence)} START WITH {int(first)} "
                f"MINVALUE {int(first)} MAXVALUE {int(first) + int(count) - 1}")


def _identifier(name: str) -> str:
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise ValueError(f"not a sequence name: {name!r}")
    return name
