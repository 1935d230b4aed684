"""The `sota` command as a user runs it: a real process, a real database file, one-line errors, exit codes."""
import json
import os
import socket
import subprocess
import sys
import textwrap

import pytest

from flows.cli import main
from tests.support.boards import board_file


def sota_process(*args, cwd):
    """The command in a process of its own, as a user's shell starts it."""
    environment = {**os.environ, "SOTA_LOCK_TIMEOUT": "1"}
    return subprocess.run(
        [sys.executable, "-m", "flows.cli", *args], cwd=cwd, env=environment, capture_output=True, text=True,
        timeout=120,
    )


@pytest.fixture
def sota(capsys, monkeypatch):
    """The command in this process (fast): same entry point, same exit codes, same output streams."""

    def invoke(*args, cwd):
        monkeypatch.chdir(cwd)
        monkeypatch.setenv("SOTA_LOCK_TIMEOUT", "1")
        monkeypatch.delenv("SOTA_DB", raising=False)
        capsys.readouterr()
        code = main(list(args))
        captured = capsys.readouterr()
        return subprocess.CompletedProcess(args, code, captured.out, captured.err)

    return invoke


def assert_one_line_error(result, code, text):
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and text in lines[0], result.stderr


@pytest.fixture
def loaded(tmp_path, sota):
    board = board_file(
        tmp_path, "board@2021-01-01.json",
        {("Image Classification", "ImageNet"): [
            {"model": "A", "metrics": {"Top 1 Accuracy": "80%"}, "date": "2020-01-01", "extra": False},
            {"model": "B", "metrics": {"Top 1 Accuracy": "85%"}, "date": "2020-06-01", "extra": True},
            {"model": "C", "metrics": {"Top 1 Accuracy": "N/A"}, "date": "2020-06-01"},
        ]},
    )
    result = sota("load", str(board), "--source", "pwc-dump", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    return tmp_path, json.loads(result.stdout)


def test_load_reports_and_queries_answer_in_json(sota, loaded):
    folder, report = loaded
    assert (folder / "sota.duckdb").exists()  # the default warehouse is in the working directory
    assert {k: report[k] for k in ("status", "observed_at", "rows_loaded", "rows_rejected")} == {
        "status": "loaded", "observed_at": "2021-01-01T00:00:00", "rows_loaded": 2, "rows_rejected": 1,
    }
    asof = json.loads(sota("asof", "2020-12-31", "--json", cwd=folder).stdout)
    # loaded without --name: the lineage is the file's name less its @DATE part
    assert [(r["model"], r["value"], r["source"]) for r in asof] == [("B", 85.0, "board")]
    clean = json.loads(sota("asof", "2020-12-31", "--no-extra-data", "--json", cwd=folder).stdout)
    assert [r["model"] for r in clean] == ["A"]
    board = json.loads(sota("leaderboard", "--task", "Image Classification", "--dataset", "ImageNet",
                            "--metric", "Top 1 Accuracy", "--as-of", "2020-12-31", "--json", cwd=folder).stdout)
    assert [(r["rank"], r["model"]) for r in board] == [(1, "B"), (2, "A")]
    steps = json.loads(sota("history", "--task", "Image Classification", "--dataset", "ImageNet",
                            "--metric", "Top 1 Accuracy", "--json", cwd=folder).stdout)
    assert [(s["model"], s["previous_value"]) for s in steps] == [("A", None), ("B", 80.0)]
    rejects = json.loads(sota("rejects", "--json", cwd=folder).stdout)
    assert [r["reason"] for r in rejects] == ["Top 1 Accuracy: no value reported ('N/A')"]
    rows = json.loads(sota("sql", "SELECT count(*) AS n FROM results", "--json", cwd=folder).stdout)
    assert rows == [{"n": 2}]


def test_tables_for_people(sota, loaded):
    folder, _ = loaded
    result = sota("asof", "2020-12-31", "--dataset", "ImageNet", cwd=folder)
    assert result.returncode == 0 and "B" in result.stdout and "85" in result.stdout and "SOTA as of 2020-12-31" in result.stdout


@pytest.mark.parametrize(
    "query",
    ["INSERT INTO sources VALUES ('x', 'x', true, now())", "DROP TABLE results", "ATTACH 'other.duckdb' AS o",
     "COPY results TO 'out.csv'", "INSTALL httpfs", "SELECT * FROM read_csv('/etc/passwd')", "SET lock_configuration = false"],
)
def test_sql_is_read_only_and_cannot_reach_files(sota, loaded, query):
    folder, _ = loaded
    result = sota("sql", query, cwd=folder)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert not (folder / "out.csv").exists() and not (folder / "other.duckdb").exists()
    assert json.loads(sota("sql", "SELECT count(*) AS n FROM results", "--json", cwd=folder).stdout) == [{"n": 2}]


def test_errors_are_one_line(tmp_path, loaded, sota):
    folder, _ = loaded
    assert_one_line_error(sota("asof", "2020-13-01", cwd=folder), 2, "bad DATE '2020-13-01'")
    assert_one_line_error(sota("asof", "2020-01-01", "--known-at", "yesterday", cwd=folder), 2, "bad --known-at")
    assert_one_line_error(sota("load", "x.json", "--source", "nope", cwd=folder), 2, "unknown source 'nope'")
    assert_one_line_error(sota("load", "missing.json", "--source", "pwc-dump", cwd=folder), 1, "no such file")
    assert_one_line_error(sota("load", "x.csv", "--source", "csv", cwd=folder), 2, "needs --task and --dataset")
    assert_one_line_error(sota("asof", "2020-01-01", "--db", str(tmp_path / "none.duckdb"), cwd=folder), 1, "no warehouse at")
    assert_one_line_error(sota("leaderboard", cwd=folder), 2, "Missing option")
    assert_one_line_error(sota("load", "x.csv", "--source", "csv", "-o", "selector", cwd=folder), 2, "expected KEY=VALUE")
    # and the same from a process of its own: no traceback reaches the shell
    assert_one_line_error(sota_process("asof", "2020-13-01", cwd=folder), 2, "bad DATE '2020-13-01'")


def test_unreachable_source_says_which(tmp_path):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/evaluation-tables.json.gz"
    result = sota_process("load", url, "--source", "pwc-dump", "--retries", "0", cwd=tmp_path)
    assert_one_line_error(result, 1, f"source pwc-dump could not be reached: GET {url} failed after 1 attempt")


def test_a_locked_database_is_reported_not_crashed_on(loaded):
    folder, _ = loaded
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent("""
            import duckdb, sys, time
            con = duckdb.connect("sota.duckdb")
            print("ready", flush=True)
            sys.stdin.read()
        """)],
        cwd=folder, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        assert_one_line_error(sota_process("asof", "2020-12-31", cwd=folder), 1, "is busy")
    finally:
        holder.communicate("", timeout=30)


def test_sql_json_writes_every_type_duckdb_returns(sota, loaded):
    folder, _ = loaded
    query = ("SELECT 1.5 AS exact, 2.0 AS whole, uuid() IS NOT NULL AS flag, '6d1b3c1e-4c3a-4f59-9a7e-2f0c1c6f2b11'::UUID"
             " AS id, DATE '2020-01-01' AS day, TIME '10:00' AS clock, 'ab'::BLOB AS bytes, {'a': [1, 2]} AS nested")
    result = sota("sql", query, "--json", cwd=folder)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [{
        "exact": 1.5, "whole": 2, "flag": True, "id": "6d1b3c1e-4c3a-4f59-9a7e-2f0c1c6f2b11", "day": "2020-01-01",
        "clock": "10:00:00", "bytes": "6162", "nested": {"a": [1, 2]},
    }]
