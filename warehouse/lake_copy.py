"""Moving an embedded record (a DuckDB file) into a DuckLake (issue 16), checked by its answers: `sota lake migrate`.

Every stored table of the file is copied into a lake that `warehouse.db.connect` has migrated, column by column by
name (the lake's columns may come in another order), in one transaction: all of it or none. In that transaction the
lake's id sequences (`id_blocks`) move past the largest id the copied rows use, so what later writers load never takes
an id the copy holds. Then the file and the lake are asked the same questions (what `sota asof`, `leaderboard`,
`history`, `snapshots`, `rejects` and `conflicts` ask, and each table's rows, counted and hashed) and must answer alike.

The file is read by this install's DuckDB (the lake extra pins 1.5.5), which cannot read a file a newer DuckDB wrote:
that is a one-line error saying how the base install copies it into a file this one reads.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import partial
from pathlib import Path

import duckdb

from warehouse import queries
from warehouse.db import connect, migrations
from warehouse.errors import WarehouseError, first_line
from warehouse.lake import LAKE_NAME, is_lake, parse_lake_location
from warehouse.statements import run, sql_literal, transaction

SOURCE = "source_file"  # the file's name in the lake's connection while it is copied

# The column holding the ids each sequence of the migrations gives (on a lake, a row of id_blocks).
ID_COLUMNS = {
    "alert_outbox_ids": ("alert_outbox", "outbox_id"),
    "benchmark_ids": ("benchmarks", "benchmark_id"),
    "reject_ids": ("rejects", "reject_id"),
    "result_ids": ("results", "result_id"),
    "snapshot_ids": ("snapshots", "snapshot_id"),
    "sota_record_ids": ("sota_records", "record_id"),
}

# How many moments of transaction time `sota asof` is compared at: a long record has thousands of snapshots, and a
# few spread over its life show whether the copy kept when each result was seen.
KNOWN_AT_MOMENTS = 10
# How many benchmarks' boards and histories are compared, spread over them in name order: every row is compared already
# (each table's hash), and the SOTA as of today covers every benchmark at once; the boards ask the macros themselves,
# two lake queries each, which for the 2020 dump's 4,470 benchmarks took six minutes.
BOARDS_ASKED = 50


@dataclass(frozen=True)
class CopiedTable:
    name: str
    rows: int


@dataclass(frozen=True)
class MigrationReport:
    """What `migrate_file_to_lake` did: the lake (as messages name it), each table copied with its rows, and how many
    answers the file and the lake were compared on (a difference raises, so a report says they were all equal)."""

    lake: str
    tables: tuple[CopiedTable, ...]
    questions: int
    all_equal: bool = True

    @property
    def rows(self) -> int:
        return sum(table.rows for table in self.tables)

    def line(self) -> str:
        equal = "all equal" if self.all_equal else "some differ"
        return (f"moved {self.rows} rows of {len(self.tables)} tables to {self.lake}; "
                f"{self.questions} answers compared, {equal}")


def migrate_file_to_lake(
    path: str | Path, location: str, *, on_copied: Callable[[tuple[CopiedTable, ...]], None] | None = None,
) -> MigrationReport:
    """Copy the warehouse file at `path` into the empty lake at `location` (`copy_file_into_lake`), call `on_copied`
    with the tables copied, then compare the answers of both (`compare_answers`); a one-line WarehouseError for a file
    that cannot be moved, a lake that already holds a record, or answers that differ."""
    if is_lake(str(path)):
        raise WarehouseError("the record to move must be a warehouse file (a DuckDB file), not a lake")
    path = Path(path)
    lake = parse_lake_location(location)
    check_source_file(path)
    con = connect(location)
    try:
        copied = copy_file_into_lake(con, path, lake=lake.describe())
    finally:
        # its id blocks were claimed before the copy and may hold copied ids: later writers claim fresh ones
        con.close()
    if on_copied is not None:
        on_copied(copied)
    with connect(path, read_only=True) as mine, connect(location, read_only=True) as theirs:
        asked = compare_answers(mine, theirs, source=str(path), lake=lake.describe())
    return MigrationReport(lake.describe(), copied, asked)


def check_source_file(path: Path) -> None:
    """The file at `path` is a warehouse this install's DuckDB reads, with every migration this version knows; else a
    one-line WarehouseError saying what to do."""
    if not path.is_file():
        raise WarehouseError(f"no warehouse file at {path}: nothing to migrate")
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as error:
        raise _unreadable(path, error) from None
    try:
        seen = {row[0] for row in run(con, "schema_versions")}
    except duckdb.CatalogException:
        raise WarehouseError(f"{path} is not a sotawatch warehouse: it has no schema_migrations table") from None
    finally:
        con.close()
    if not {version for version, _, _ in migrations()} <= seen:
        raise WarehouseError(f"{path} predates this version of sotawatch: run any loading command on it first")


def _unreadable(path: Path, error: duckdb.Error) -> WarehouseError:
    text = str(error)
    if "newer version of DuckDB" not in text and "version number" not in text:
        return WarehouseError(f"cannot open {path}: {first_line(error)}")
    # the base install's DuckDB writes a file in an older storage version when asked: COPY FROM DATABASE keeps all
    major, minor = duckdb.__version__.split(".")[:2]
    older = path.with_name(f"{path.stem}-duckdb{major}.{minor}{path.suffix}")
    return WarehouseError(
        f"{path} was written by a newer DuckDB than this install's {duckdb.__version__}: with the base install run "
        f"\"ATTACH {sql_literal(str(path))} AS record (READ_ONLY); ATTACH {sql_literal(str(older))} AS older "
        f"(STORAGE_VERSION 'v{major}.{minor}.0'); COPY FROM DATABASE record TO older\" and migrate {older}")


def copy_file_into_lake(
    con: duckdb.DuckDBPyConnection, path: Path, *, lake: str = "the lake",
) -> tuple[CopiedTable, ...]:
    """Every stored table of the warehouse file at `path` copied into the lake `con` has open (migrated by
    `warehouse.db.connect`, holding no record yet: else a one-line error, nothing copied), the lake's id sequences
    moved past the copied ids, all in one transaction. `con`'s own id blocks were claimed before the copy and may
    cover copied ids: they are dropped, so `con` gives no more ids (close it: later writers claim fresh blocks)."""
    try:
        # ATTACH takes no bound parameters: the path is written as a SQL literal, quotes doubled
        con.execute(f"ATTACH {sql_literal(str(path))} AS {SOURCE} (READ_ONLY)")
    except duckdb.Error as error:
        raise _unreadable(path, error) from None
    try:
        tables = _tables_to_copy(con, path, lake)
        with transaction(con):
            _refuse_a_second_record(con, tables, lake)
            copied = tuple(CopiedTable(name, _copy_table(con, name, columns)) for name, columns in tables.items())
            _move_id_blocks(con, lake)
    finally:
        con.execute(f"DETACH {SOURCE}")
    for sequence in ID_COLUMNS:  # the TEMP sequences warehouse.lake.use_id_block made
        con.execute(f"DROP SEQUENCE IF EXISTS temp.main.{_quoted(sequence)}")
    return copied


def _columns(con: duckdb.DuckDBPyConnection, database: str) -> dict[str, list[str]]:
    """Each stored table of `database` (the lake's bookkeeping left out) and its columns, in order."""
    found: dict[str, list[str]] = {}
    for table, column in run(con, "lake_copy_tables", {"database": database}):
        found.setdefault(table, []).append(column)
    return found


def _tables_to_copy(con: duckdb.DuckDBPyConnection, path: Path, lake: str) -> dict[str, list[str]]:
    """The lake's tables and columns, which must be the file's: a table or column only one of them has would be lost
    or left empty by the copy."""
    theirs, mine = _columns(con, LAKE_NAME), _columns(con, SOURCE)
    for table in sorted(set(theirs) | set(mine)):
        only_mine = [c for c in mine.get(table, []) if c not in theirs.get(table, [])]
        only_theirs = [c for c in theirs.get(table, []) if c not in mine.get(table, [])]
        if table not in theirs or table not in mine or only_mine or only_theirs:
            where = ("only in the file" if table not in theirs else "only in the lake" if table not in mine else
                     f"columns {', '.join(only_mine) or '-'} only in the file, {', '.join(only_theirs) or '-'} "
                     "only in the lake")
            raise WarehouseError(f"{path} does not match the schema of {lake}: table {table} has {where}; "
                                 "nothing was copied")
    return theirs


def _refuse_a_second_record(con: duckdb.DuckDBPyConnection, tables: dict[str, list[str]], lake: str) -> None:
    held = [table for table in tables
            if con.execute(f"SELECT EXISTS (FROM {LAKE_NAME}.main.{_quoted(table)})").fetchone()[0]]
    if held:
        named = ", ".join(held[:3]) + (f" and {len(held) - 3} more" if len(held) > 3 else "")
        raise WarehouseError(f"{lake} already holds a record (rows in {named}): refusing to merge two records; "
                             "nothing was copied (migrate into an empty lake)")


def _copy_table(con: duckdb.DuckDBPyConnection, table: str, columns: list[str]) -> int:
    """The rows of one table copied, by column name; how many."""
    names = ", ".join(_quoted(column) for column in columns)
    quoted = _quoted(table)
    return con.execute(f"INSERT INTO {LAKE_NAME}.main.{quoted} ({names}) "
                       f"SELECT {names} FROM {SOURCE}.main.{quoted}").fetchone()[0]


def _move_id_blocks(con: duckdb.DuckDBPyConnection, lake: str) -> None:
    for (sequence,) in run(con, "lake_copy_id_blocks"):
        if sequence not in ID_COLUMNS:
            raise WarehouseError(f"{lake} has an id sequence {sequence!r} this version cannot move past the copied "
                                 "ids; nothing was copied")
        table, column = ID_COLUMNS[sequence]
        largest = con.execute(f"SELECT coalesce(max({_quoted(column)}), 0) FROM {LAKE_NAME}.main.{_quoted(table)}"
                              ).fetchone()[0]
        run(con, "lake_copy_move_ids", {"name": sequence, "past": largest + 1})


# ----------------------------------------------------------------------------------------------- the comparison


@dataclass(frozen=True)
class Question:
    """One question both warehouses answer: its name (for the message), how it is asked, and whether its rows come in
    one order only (else they are compared as a multiset)."""

    name: str
    ask: Callable[[duckdb.DuckDBPyConnection], list]
    ordered: bool = True


def compare_answers(mine: duckdb.DuckDBPyConnection, theirs: duckdb.DuckDBPyConnection, *, source: str = "the file",
                    lake: str = "the lake") -> int:
    """Ask the file (`mine`) and the lake (`theirs`) the same questions (`questions`); how many were asked, or a
    one-line WarehouseError naming the first answer that differs."""
    asked = questions(mine, _columns(theirs, LAKE_NAME))
    for question in asked:
        file_rows, lake_rows = question.ask(mine), question.ask(theirs)
        if not question.ordered:
            file_rows, lake_rows = sorted(file_rows, key=repr), sorted(lake_rows, key=repr)
        if repr(file_rows) != repr(lake_rows):  # repr: a NaN equals itself, a float its exact bits
            raise WarehouseError(f"the answers of {source} and {lake} differ: {question.name}: "
                                 f"{_first_difference(file_rows, lake_rows)}; the lake holds a copy that did not "
                                 "check out")
    return len(asked)


def questions(con: duckdb.DuckDBPyConnection, tables: dict[str, list[str]]) -> list[Question]:
    """The questions compared, from what the file `con` holds: each table's rows, the SOTA as of today by latest
    knowledge (with the results within its noise) and as known when the snapshots were current, the boards and
    histories of up to BOARDS_ASKED benchmarks, and the listings of snapshots, rejects and conflicts."""
    today = datetime.now(timezone.utc).date()
    asked = [Question(f"the rows of {table}", partial(_fingerprint, table=table, columns=columns))
             for table, columns in tables.items()]
    asked.append(Question(f"sota_as_of({today})", _asking(queries.sota_as_of, today)))
    asked.append(Question(f"sota_as_of({today}) within noise",
                          _asking(queries.sota_as_of, today, within_noise=True), ordered=False))
    for moment in _spread([row[0] for row in run(con, "lake_copy_observed")], KNOWN_AT_MOMENTS):
        asked.append(Question(f"sota_as_of({today}) known at {moment}",
                              _asking(queries.sota_as_of, today, known_at=moment)))
    for task, dataset, metric in _spread(run(con, "benchmark_names"), BOARDS_ASKED):
        named = f"{task} / {dataset} / {metric}"
        asked.append(Question(f"the leaderboard of {named}",
                              _asking(queries.leaderboard, task, dataset, metric, today, top=None)))
        asked.append(Question(f"the history of {named}", _asking(queries.sota_history, task, dataset, metric)))
    asked.append(Question("the snapshots", _asking(queries.snapshots, limit=None)))
    asked.append(Question("the rejects", _asking(queries.rejects, limit=None)))
    asked.append(Question("the conflicts", _asking(queries.conflicts, limit=None)))
    return asked


def _asking(query: Callable[..., list[dict]], *args, **kwargs) -> Callable[[duckdb.DuckDBPyConnection], list]:
    """`query(con, *args, **kwargs)` for a connection to come, its rows each as (column, value) pairs: a difference
    then names its column."""
    return lambda con: [tuple(row.items()) for row in query(con, *args, **kwargs)]


def _fingerprint(con: duckdb.DuckDBPyConnection, *, table: str, columns: list[str]) -> list:
    """A table's rows, counted and hashed in any order: equal for equal rows (the same DuckDB hashes both)."""
    names = ", ".join(_quoted(column) for column in columns)
    count, hashed = con.execute(f"SELECT count(*), sum(hash({names})) FROM main.{_quoted(table)}").fetchone()
    return [(("rows", count), ("hash", hashed))]


def _spread(moments: list, most: int) -> list:
    """At most `most` of `moments`, evenly spread, the last always among them."""
    if len(moments) <= most:
        return moments
    step = len(moments) / most
    return [moments[len(moments) - 1 - int(step * n)] for n in reversed(range(most))]


def _first_difference(file_rows: list, lake_rows: list) -> str:
    for at, (a, b) in enumerate(zip(file_rows, lake_rows), start=1):
        if repr(a) == repr(b):
            continue
        for (column, mine), (_, theirs) in zip(a, b):
            if repr(mine) != repr(theirs):
                return f"row {at}, {column}: {_short(mine)} in the file, {_short(theirs)} in the lake"
        return f"row {at}: {_short(a)} in the file, {_short(b)} in the lake"
    return f"{len(file_rows)} rows in the file, {len(lake_rows)} in the lake"


def _short(value: object) -> str:
    text = repr(value)  # repr writes a newline as \n: the message stays one line
    return text if len(text) <= 80 else text[:77] + "..."


def _quoted(name: str) -> str:
    """A table or column name read from the catalog, as a SQL identifier."""
    return '"' + name.replace('"', '""') + '"'

