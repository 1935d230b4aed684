"""A fatal DuckDB error (a full disk) is reported as its first cause, not as the "invalidated" DuckDB says after it.

A real DuckDB fails its commit fatally when the checkpoint that commit runs is aborted (`debug_checkpoint_abort`,
with a tiny `checkpoint_threshold` so every commit checkpoints): the same path a full disk takes, without root or a
tmpfs. The full-disk wording itself is checked with DuckDB 2.0's own messages, recorded from a full 8 MiB tmpfs (the
whole path through the CLI is tests/stress/test_disk_and_input.py).
"""
from __future__ import annotations

import duckdb
import pytest

from flows.ingest import ingest
from pipelines.source import ParseError
from tests.support.boards import board_file
from warehouse.db import connect
from warehouse.errors import WarehouseError
from warehouse.statements import transaction

BOARD = ("Image Classification", "ImageNet")
ABORTED = "Checkpoint aborted before header write because of PRAGMA checkpoint_abort flag"

FULL_AT_CHECKPOINT = (
    'FATAL Error: Failed to create checkpoint because of error: Could not write file "/data/sota.duckdb": '
    "No space left on device"
)
INVALIDATED = (
    "FATAL Error: Failed: database has been invalidated because of a previous fatal error. The database must be "
    'restarted prior to being used again.\nOriginal error: "Failed to create checkpoint because of error: Could not '
    'write file "/data/sota.duckdb": No space left on device"'
)
FULL_AT_WAL = (
    'TransactionContext Error: Failed to commit: Could not write file "/data/sota.duckdb.wal": No space left on device'
)


def every_commit_fails_fatally(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("SET checkpoint_threshold = '1B'")
    con.execute("PRAGMA debug_checkpoint_abort = 'before_header'")


def one_board(tmp_path):
    rows = [{"model": "A", "metrics": {"Top 1 Accuracy": "80%"}, "date": "2019-01-01"}]
    return board_file(tmp_path, "board@2020-01-01.json", {BOARD: rows})


def test_a_load_whose_commit_fails_fatally_reports_that_failure_and_keeps_nothing(db, tmp_path):
    every_commit_fails_fatally(db)

    with pytest.raises(WarehouseError) as caught:
        ingest(db, "pwc-dump", str(one_board(tmp_path)))

    # not the "database has been invalidated" that unregistering the load's views raised afterwards
    assert str(caught.value) == (
        f"the warehouse failed fatally: Failed to create checkpoint because of error: {ABORTED}; "
        "nothing of this snapshot was kept"
    )
    db.close()
    again = connect(tmp_path / "sota.duckdb")
    assert again.execute("SELECT count(*) FROM snapshots").fetchone() == (0,)
    again.close()


def test_a_new_connection_to_an_invalidated_database_names_the_first_error(db, tmp_path):
    every_commit_fails_fatally(db)
    with pytest.raises(WarehouseError):
        ingest(db, "pwc-dump", str(one_board(tmp_path)))

    # DuckDB hands this process the same, invalidated database while the first connection is open
    with pytest.raises(WarehouseError, match=f"^the warehouse failed fatally: .*{ABORTED}$"):
        connect(tmp_path / "sota.duckdb")


def test_a_payload_that_neither_parses_nor_can_be_recorded_reports_the_parse_error_first(db, tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    every_commit_fails_fatally(db)

    with pytest.raises(ParseError) as caught:
        ingest(db, "pwc-dump", str(broken))

    message = str(caught.value)
    assert message.startswith(f"pwc-dump: cannot parse {broken}: invalid JSON")
    assert message.endswith(
        f"; the failed snapshot could not be recorded: the warehouse failed fatally: "
        f"Failed to create checkpoint because of error: {ABORTED}"
    )


class FillingDisk:
    """A connection that fails as DuckDB 2.0 does on a full disk: `fail` at `failing_statement`, then (after a fatal
    error) "invalidated" for everything."""

    def __init__(self, failing_statement: str, fail: duckdb.Error):
        self.failing_statement, self.fail, self.invalidated = failing_statement, fail, False

    def execute(self, statement: str, *args):
        if self.invalidated:
            raise duckdb.FatalException(INVALIDATED)
        if statement == self.failing_statement:
            self.invalidated = isinstance(self.fail, duckdb.FatalException)
            raise self.fail
        return self

    def fetchall(self) -> list[tuple]:
        return [(False,)]  # the one query with rows a transaction asks: whether this is a lake (it is a file)


def test_a_full_disk_at_the_commits_checkpoint_names_the_file_and_the_full_disk():
    con = FillingDisk("COMMIT", duckdb.FatalException(FULL_AT_CHECKPOINT))

    with pytest.raises(WarehouseError) as caught:
        with transaction(con):
            pass

    assert str(caught.value) == "cannot write /data/sota.duckdb: No space left on device (the disk is full)"
    assert isinstance(caught.value.__cause__, duckdb.FatalException)


def test_a_full_disk_writing_the_wal_names_the_file_and_the_full_disk():
    with pytest.raises(WarehouseError, match=r"^cannot write /data/sota.duckdb.wal: No space left on device \(the"):
        with transaction(FillingDisk("COMMIT", duckdb.TransactionException(FULL_AT_WAL))):
            pass


def test_a_full_disk_inside_the_block_is_not_replaced_by_the_failing_rollback():
    con = FillingDisk("INSERT", duckdb.FatalException(FULL_AT_CHECKPOINT))

    with pytest.raises(WarehouseError, match=r"^cannot write /data/sota.duckdb: No space left on device \(the"):
        with transaction(con):
            con.execute("INSERT")


def test_a_statement_invalidated_earlier_still_names_the_first_cause():
    con = FillingDisk("BEGIN TRANSACTION", duckdb.FatalException(INVALIDATED))

    with pytest.raises(WarehouseError, match=r"^cannot write /data/sota.duckdb: No space left on device \(the"):
        with transaction(con):
            pass


def test_other_errors_inside_a_transaction_escape_as_they_were_raised():
    con = FillingDisk("INSERT", duckdb.ConstraintException("Constraint Error: Duplicate key"))

    with pytest.raises(duckdb.ConstraintException, match="Duplicate key"):
        with transaction(con):
            con.execute("INSERT")
