"""A DuckLake with a PostgreSQL catalog and a local data folder, as this machine runs it (issue 16): opened from a
warehouse location string, written by two processes at once without losing a row, and read as it stood at an earlier
snapshot."""
from __future__ import annotations

import multiprocessing

import pytest

from warehouse.lake import LakeUnavailableError, open_lake, parse_lake_location


def _write_rows(url: str, writer: int, rows: int) -> None:
    """One writer process: `rows` inserts, each its own commit, retried on a commit conflict."""
    con = open_lake(parse_lake_location(url))
    try:
        for n in range(rows):
            for attempt in range(20):
                try:
                    con.execute("INSERT INTO events VALUES (?, ?)", [writer, n])
                    break
                except Exception as error:  # noqa: BLE001 - a concurrent commit's conflict: try again
                    if "conflict" not in str(error).lower() or attempt == 19:
                        raise
    finally:
        con.close()


def test_a_lake_opens_from_its_location_and_travels_back_in_time(lake_url):
    con = open_lake(parse_lake_location(lake_url))
    con.execute("CREATE TABLE facts (id BIGINT NOT NULL, value DOUBLE)")
    con.execute("INSERT INTO facts VALUES (1, 88.5)")
    before = con.execute("SELECT max(snapshot_id) FROM lake.snapshots()").fetchone()[0]
    con.execute("UPDATE facts SET value = 90.2 WHERE id = 1")
    assert con.execute("SELECT value FROM facts").fetchall() == [(90.2,)]
    assert con.execute(f"SELECT value FROM facts AT (VERSION => {int(before)})").fetchall() == [(88.5,)]
    con.close()


def test_two_writer_processes_at_once_lose_nothing(lake_url):
    con = open_lake(parse_lake_location(lake_url))
    con.execute("CREATE TABLE events (writer INTEGER NOT NULL, n INTEGER NOT NULL)")
    con.close()
    context = multiprocessing.get_context("spawn")
    writers = [context.Process(target=_write_rows, args=(lake_url, writer, 25)) for writer in (1, 2)]
    for process in writers:
        process.start()
    for process in writers:
        process.join(timeout=300)
    assert [process.exitcode for process in writers] == [0, 0]
    con = open_lake(parse_lake_location(lake_url))
    assert con.execute("SELECT writer, count(*), count(DISTINCT n) FROM events GROUP BY writer ORDER BY writer"
                       ).fetchall() == [(1, 25, 25), (2, 25, 25)]
    con.close()


def test_a_lake_that_cannot_be_reached_is_one_line(postgres, tmp_path):
    url = f"ducklake:postgres:{postgres.conninfo('no_such_database')} data_path={tmp_path}"
    with pytest.raises(LakeUnavailableError) as caught:
        open_lake(parse_lake_location(url))
    message = str(caught.value)
    assert "\n" not in message and "no_such_database" in message and message.startswith("cannot open DuckLake")
