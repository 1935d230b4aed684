"""`sota lake migrate --from FILE --to LAKE` (issue 16): a real record (two real payloads loaded into a DuckDB file by
this environment's DuckDB) moved into a fresh lake, checked by comparing answers, asked again through `sota asof` on
both, and loaded into afterwards with ids above the copied ones; a lake holding a record, a missing file, a file a
newer DuckDB wrote and one older than the migrations are each refused in one line, the lake left as it was."""
from __future__ import annotations

import subprocess
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from flows.cli import main
from flows.ingest import ingest
from tests.conftest import REPO
from warehouse.db import connect
from warehouse.errors import WarehouseError
from warehouse.lake import open_lake, parse_lake_location
from warehouse.lake_copy import compare_answers

NOW = datetime(2025, 12, 1, 12, 0)
HANDCOPY = "pwc-imagenet-2019-handcopy/imagenet_table.csv"
OPENCODEPAPERS = "opencodepapers/image-classification-on-imagenet.json"
TIMM = "timm-results/history/results-imagenet@2019-07-25.csv"
IMAGENET = {"task": "Image Classification", "dataset": "ImageNet"}


@pytest.fixture(scope="module")
def record(tmp_path_factory, shared_data) -> Path:
    """A warehouse file holding two real loads: a 2019 hand copy of the ImageNet board and OpenCodePapers' in 2025."""
    path = tmp_path_factory.mktemp("record") / "sota.duckdb"
    with connect(path) as con:
        ingest(con, "csv", str(shared_data / HANDCOPY), options=IMAGENET, observed_at="2019-11-13", now=NOW)
        ingest(con, "opencodepapers", str(shared_data / OPENCODEPAPERS), observed_at="2025-11-30", now=NOW)
    return path


def _counts(con: duckdb.DuckDBPyConnection, tables: list[str]) -> dict[str, int]:
    return {table: con.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] for table in tables}


def _lake_tables(url: str) -> list[str]:
    con = open_lake(parse_lake_location(url))
    try:
        return sorted(row[0] for row in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = 'lake'").fetchall())
    finally:
        con.close()


def _migrated(record: Path, lake_url: str, capsys) -> tuple[int, list[str], str]:
    status = main(["lake", "migrate", "--from", str(record), "--to", lake_url])
    said = capsys.readouterr()
    return status, said.out.splitlines(), said.err


def test_a_record_moves_into_a_lake_answers_alike_and_takes_later_loads(record, lake_url, shared_data, capsys):
    status, lines, errors = _migrated(record, lake_url, capsys)
    assert (status, errors) == (0, "")

    lake = parse_lake_location(lake_url)
    tables = [table for table in _lake_tables(lake_url)
              if table not in ("schema_migrations", "id_blocks", "commit_turns")]
    with connect(record, read_only=True) as con:
        held = _counts(con, tables)
    assert (held["results"], held["snapshots"], held["rejects"], held["benchmarks"]) == (2560, 2, 10, 6)
    questions = len(tables) + 2 + 2 + 2 * held["benchmarks"] + 3  # rows, asof (+ noise, + known at), boards, listings
    assert lines == [f"copied {table}: {held[table]} row{'' if held[table] == 1 else 's'}" for table in tables] + [
        f"moved {sum(held.values())} rows of {len(tables)} tables to {lake.describe()}; "
        f"{questions} answers compared, all equal"]
    with connect(lake_url, read_only=True) as con:
        assert _counts(con, tables) == held

    for question in (["asof", "2025-12-01"], ["asof", "2019-12-01", "--known-at", "2019-12-01"],
                     ["leaderboard", *("--task", "Image Classification", "--dataset", "ImageNet"),
                      *("--metric", "Top 1 Accuracy", "--as-of", "2025-12-01", "--top", "5")]):
        answers = []
        for db in (str(record), lake_url):
            assert main([*question, "--db", db]) == 0
            answers.append(capsys.readouterr())
        assert answers[0] == answers[1] and "Top 1 Accuracy" in answers[0].out

    with connect(lake_url) as con:  # a writer claims fresh id blocks: above everything copied
        report = ingest(con, "csv", str(shared_data / TIMM), options=IMAGENET, lineage="timm", now=NOW)
        assert (report.status, report.rows_loaded) == ("loaded", 602) and report.snapshot_id > 2
        new, copied, ids, distinct = con.execute(
            "SELECT min(result_id) FILTER (first_snapshot_id = $new), max(result_id) FILTER (first_snapshot_id <> "
            "$new), count(*), count(DISTINCT result_id) FROM results", {"new": report.snapshot_id}).fetchone()
        assert new > copied == 2560 and ids == distinct == 2560 + 602
        assert con.execute("SELECT count(*), count(DISTINCT benchmark_id) FROM benchmarks").fetchone() == (10, 10)

    with connect(record, read_only=True) as mine, connect(lake_url, read_only=True) as theirs:
        with pytest.raises(WarehouseError) as differ:  # the lake holds more now: the check says where first
            compare_answers(mine, theirs, source=str(record), lake=lake.describe())
    assert str(differ.value) == (f"the answers of {record} and {lake.describe()} differ: the rows of benchmarks: "
                                 "row 1, rows: 6 in the file, 10 in the lake; the lake holds a copy that did not "
                                 "check out")


def test_a_lake_that_holds_a_record_is_refused_and_keeps_its_own(record, lake_url, shared_data, capsys):
    with connect(lake_url) as con:
        ingest(con, "csv", str(shared_data / HANDCOPY), options=IMAGENET, observed_at="2019-11-13", now=NOW)
        before = _counts(con, ["snapshots", "results", "benchmarks"])
    status, lines, errors = _migrated(record, lake_url, capsys)
    lake = parse_lake_location(lake_url).describe()
    assert (status, lines) == (1, [])
    assert errors == (f"error: {lake} already holds a record (rows in benchmarks, consolidated_results, "
                      "model_alias_file and 8 more): refusing to merge two records; nothing was copied (migrate "
                      "into an empty lake)\n")
    with connect(lake_url, read_only=True) as con:
        assert _counts(con, ["snapshots", "results", "benchmarks"]) == before == {
            "snapshots": 1, "results": 272, "benchmarks": 3}


def _refused(arguments: list[str], capsys) -> str:
    assert main(["lake", "migrate", *arguments]) == 1
    said = capsys.readouterr()
    assert said.out == "" and said.err.count("\n") == 1
    return said.err


def test_a_missing_file_or_a_location_of_the_wrong_kind_is_one_line_and_touches_no_lake(tmp_path, lake_url, capsys):
    missing = tmp_path / "nowhere.duckdb"
    assert _refused(["--from", str(missing), "--to", lake_url], capsys) == (
        f"error: no warehouse file at {missing}: nothing to migrate\n")
    assert _refused(["--from", str(missing), "--to", str(tmp_path / "other.duckdb")], capsys) == (
        f"error: not a lake location (expected ducklake:postgres:...): {str(tmp_path / 'other.duckdb')[:40]!r}\n")
    assert _refused(["--from", lake_url, "--to", lake_url], capsys) == (
        "error: the record to move must be a warehouse file (a DuckDB file), not a lake\n")
    assert _lake_tables(lake_url) == []


def test_a_file_older_than_the_migrations_is_refused_in_one_line(tmp_path, lake_url, capsys):
    old = tmp_path / "old.duckdb"
    with duckdb.connect(str(old)) as con:
        con.execute("CREATE TABLE schema_migrations (version INTEGER, name VARCHAR, applied_at TIMESTAMP)")
        con.execute("INSERT INTO schema_migrations VALUES (1, '001_core.sql', TIMESTAMP '2024-01-01')")
    assert _refused(["--from", str(old), "--to", lake_url], capsys) == (
        f"error: {old} predates this version of sotawatch: run any loading command on it first\n")
    assert _lake_tables(lake_url) == []


BASE_PYTHON = REPO / ".venv" / "bin" / "python"


@pytest.mark.skipif(not BASE_PYTHON.exists(), reason="the base environment (.venv, a newer DuckDB) is not built")
def test_a_file_a_newer_duckdb_wrote_is_one_line_saying_how_to_copy_it(tmp_path, lake_url, capsys):
    newer = tmp_path / "newer.duckdb"
    made = f"import duckdb; duckdb.connect({str(newer)!r}).execute('CREATE TABLE t (a INT)')"
    subprocess.run([str(BASE_PYTHON), "-c", made], check=True, timeout=60)
    older = tmp_path / f"newer-duckdb{'.'.join(duckdb.__version__.split('.')[:2])}.duckdb"
    version = "v" + ".".join(duckdb.__version__.split(".")[:2]) + ".0"
    assert _refused(["--from", str(newer), "--to", lake_url], capsys) == (
        f"error: {newer} was written by a newer DuckDB than this install's {duckdb.__version__}: with the base "
        f"install run \"ATTACH '{newer}' AS record (READ_ONLY); ATTACH '{older}' AS older (STORAGE_VERSION "
        f"'{version}'); COPY FROM DATABASE record TO older\" and migrate {older}\n")
    assert _lake_tables(lake_url) == []
