"""Sizing a year of nightly runs at team scale (issue 16): 10,000 boards x 365 nights, synthetic, on this machine.

    .venv-lake/bin/python bench/scale.py [--boards 10000] [--results 30] [--nights 365]     (after `make test-lake`)

Each board shows `results` results. Every night, 1% of the shown results change value (a new version of the claim,
the old one ended) and 0.3% of them are new; nothing is removed. That is about what Papers with Code's boards did in a
busy year. Three ways of keeping it are written, night by night, each night one commit:
- versions, insert-only: a night adds the new versions and ends the old ones (`results` as the warehouse keeps it,
  but the nightly "seen again" kept as one row per board and night instead of updating every shown row);
- versions with the embedded warehouse's nightly update of `last_seen_at` on every shown row (as `load_snapshot`
  does today): on a lake every update rewrites the rows it touches;
- full copies: every night the whole board again (what a daily-overwritten dump kept as history would be).
Each is written to an embedded DuckDB file and to a DuckLake (PostgreSQL catalog on 127.0.0.1, Parquet in a folder).
Printed: rows, bytes on disk (DuckDB file; Parquet files; catalog database), seconds per night. The figures and what
they mean are in docs/SCALE.md.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.support.postgres import running_postgres  # noqa: E402
from warehouse.lake import open_lake, parse_lake_location  # noqa: E402

CHANGED, ADDED = 0.01, 0.003  # shares of the shown results that change, and that are new, each night

SCHEMA = """
CREATE TABLE versions (result_id BIGINT, board INTEGER, slot INTEGER, value DOUBLE, night_from INTEGER,
                       night_to INTEGER);
CREATE TABLE sightings (board INTEGER, night INTEGER);
CREATE TABLE seen_versions (result_id BIGINT, board INTEGER, slot INTEGER, value DOUBLE, night_from INTEGER,
                            night_to INTEGER, last_seen INTEGER);
CREATE TABLE copies (night INTEGER, board INTEGER, slot INTEGER, value DOUBLE);
"""

FIRST_NIGHT = """
INSERT INTO versions SELECT b * $results + s, b, s, random() * 100, 0, NULL
FROM range($boards) AS t(b), range($results) AS u(s);
INSERT INTO sightings SELECT b, 0 FROM range($boards) AS t(b);
INSERT INTO seen_versions SELECT *, 0 FROM versions;
INSERT INTO copies SELECT 0, board, slot, value FROM versions;
"""

# The night's changes: a sample of the shown results (their slot numbers), and new slots past the highest.
NIGHT = """
CREATE OR REPLACE TEMP TABLE night_changes AS
SELECT v.result_id, v.board, v.slot FROM versions AS v
WHERE v.night_to IS NULL AND hash(v.result_id, $night) % 1000 < $changed_per_mille;
CREATE OR REPLACE TEMP TABLE night_new AS
SELECT b AS board, $results + $night * 10 + k AS slot
FROM range($boards) AS t(b), range(10) AS u(k)
WHERE hash(b, k, $night) % 10000 < $added_per_10000;
"""

INSERT_ONLY = """
UPDATE versions SET night_to = $night WHERE result_id IN (SELECT result_id FROM night_changes);
INSERT INTO versions
SELECT $next_id + row_number() OVER (), board, slot, random() * 100, $night, NULL
FROM (SELECT board, slot FROM night_changes UNION ALL SELECT board, slot FROM night_new);
INSERT INTO sightings SELECT b, $night FROM range($boards) AS t(b);
"""

SEEN_UPDATE = """
UPDATE seen_versions SET night_to = $night WHERE result_id IN (SELECT result_id FROM night_changes);
UPDATE seen_versions SET last_seen = $night WHERE night_to IS NULL;
INSERT INTO seen_versions
SELECT $next_id + row_number() OVER (), board, slot, random() * 100, $night, NULL, $night
FROM (SELECT board, slot FROM night_changes UNION ALL SELECT board, slot FROM night_new);
"""

COPY = """
INSERT INTO copies SELECT $night, board, slot, value FROM versions WHERE night_to IS NULL;
"""


def _run(con: duckdb.DuckDBPyConnection, script: str, params: dict) -> None:
    for statement in (s.strip() for s in script.split(";")):
        if statement:
            wanted = {k: v for k, v in params.items() if f"${k}" in statement}
            con.execute(statement, wanted)


def _folder_bytes(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def simulate(con: duckdb.DuckDBPyConnection, boards: int, results: int, nights: int, *, lake: bool) -> dict:
    """Write every night as its own transaction(s); seconds per night for each way of keeping it."""
    params = {"boards": boards, "results": results, "changed_per_mille": int(CHANGED * 1000),
              "added_per_10000": int(ADDED * results * 10000 / 10)}
    _run(con, SCHEMA, {})
    _run(con, FIRST_NIGHT, params)
    seconds = {"insert-only": 0.0, "last_seen update": 0.0, "full copies": 0.0}
    for night in range(1, nights + 1):
        next_id = con.execute("SELECT max(result_id) FROM versions").fetchone()[0] + 1
        step = {**params, "night": night, "next_id": next_id}
        _run(con, NIGHT, step)
        for name, script in (("insert-only", INSERT_ONLY), ("last_seen update", SEEN_UPDATE), ("full copies", COPY)):
            started = time.perf_counter()
            con.execute("BEGIN")
            _run(con, script, step)
            con.execute("COMMIT")
            seconds[name] += time.perf_counter() - started
    rows = {table: con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("versions", "sightings", "seen_versions", "copies")}
    return {"seconds_per_night": {k: v / nights for k, v in seconds.items()}, "rows": rows, "lake": lake}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--boards", type=int, default=10_000)
    parser.add_argument("--results", type=int, default=30)
    parser.add_argument("--nights", type=int, default=365)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="sotawatch-scale-"))
    os.environ.setdefault("SOTA_DUCKDB_EXTENSIONS", str(work / "extensions"))

    embedded_path = work / "embedded.duckdb"
    con = duckdb.connect(str(embedded_path))
    started = time.perf_counter()
    embedded = simulate(con, args.boards, args.results, args.nights, lake=False)
    con.close()
    print(f"embedded: {time.perf_counter() - started:.1f} s; file {embedded_path.stat().st_size / 2**20:.1f} MiB;"
          f" rows {embedded['rows']}; seconds a night {embedded['seconds_per_night']}")
    for table in ("versions", "sightings", "seen_versions", "copies"):
        single = duckdb.connect()
        single.execute(f"ATTACH '{embedded_path}' AS e (READ_ONLY)")
        out = work / f"{table}.parquet"
        single.execute(f"COPY e.{table} TO '{out}' (FORMAT parquet)")
        print(f"  {table}: {out.stat().st_size / 2**20:.1f} MiB as one Parquet file")
        single.close()

    with running_postgres() as postgres:
        postgres.create_database("scale")
        data = work / "lake-data"
        data.mkdir()
        lake_con = open_lake(parse_lake_location(f"ducklake:postgres:{postgres.conninfo('scale')} data_path={data}"))
        started = time.perf_counter()
        lake = simulate(lake_con, args.boards, args.results, args.nights, lake=True)
        snapshots = lake_con.execute("SELECT count(*) FROM lake.snapshots()").fetchone()[0]
        catalog = postgres.database_size("scale") / 2**20
        print(f"lake: {time.perf_counter() - started:.1f} s; catalog {catalog:.1f} MiB;"
              f" {snapshots} snapshots; rows {lake['rows']}; seconds a night {lake['seconds_per_night']}")
        _print_tables(data, "  as written")
        # the maintenance a lake needs: merge the nights' small files, expire the snapshots (the record keeps its own
        # transaction times, so "as known at" does not need them), delete the files no snapshot refers to
        started = time.perf_counter()
        lake_con.execute("CALL ducklake_merge_adjacent_files('lake')")
        lake_con.execute("CALL ducklake_expire_snapshots('lake', older_than => now())")
        lake_con.execute("CALL ducklake_cleanup_old_files('lake', cleanup_all => true)")
        lake_con.close()
        catalog = postgres.database_size("scale") / 2**20
        print(f"  maintenance: {time.perf_counter() - started:.1f} s; catalog {catalog:.1f} MiB")
        _print_tables(data, "  after maintenance")


def _print_tables(data: Path, label: str) -> None:
    for table in sorted(path for path in (data / "main").iterdir() if path.is_dir()):
        files = [path for path in table.rglob("*") if path.is_file()]
        print(f"{label}: {table.name} {sum(f.stat().st_size for f in files) / 2**20:.1f} MiB in {len(files)} files")


if __name__ == "__main__":
    main()
