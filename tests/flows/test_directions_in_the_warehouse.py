"""Directions as the warehouse keeps them: decided per benchmark from all the evidence its payloads gave, decided
again when new evidence comes (and the board ranked anew in the same load), and settled by a user's file."""
from __future__ import annotations

from datetime import datetime

import pytest

from flows.config import ConfigError
from flows.ingest import ingest
from tests.support.boards import board_file
from warehouse.db import connect

BOARD = ("Some Task", "Some Data")
NOW = datetime(2021, 6, 1)


def rows(*values):
    return {BOARD: [{"model": f"M{v}", "metrics": {"Qux": f"{v}"}, "date": "2020-01-01"} for v in values]}


def direction(con):
    return con.execute("SELECT direction, direction_why FROM benchmarks WHERE metric = 'Qux'").fetchone()


def best(con):
    return con.execute("SELECT model FROM sota_as_of(DATE '2021-01-01') WHERE metric = 'Qux'").fetchall()


def test_an_unknown_board_is_not_ranked_until_evidence_comes_then_it_is_ranked_in_that_load(tmp_path):
    with connect(tmp_path / "sota.duckdb") as con:
        # two rows say nothing about order, and 'Qux' means nothing to the lexicon: unknown, not ranked
        ingest(con, "pwc-dump", str(board_file(tmp_path, "a@2020-06-01.json", rows(5, 9))), now=NOW)
        assert direction(con) == (
            "unknown",
            "unknown: no evidence: the name 'Qux' matches no term of the lexicon and no ranked listing of 3 rows or "
            "more runs in a clear order",
        )
        assert best(con) == []
        # a later listing of the board, best first, runs ascending: lower is better, and the board is ranked now
        ingest(con, "pwc-dump", str(board_file(tmp_path, "a@2020-07-01.json", rows(2, 5, 9))), now=NOW)
        assert direction(con) == ("lower", "lower: rows of pwc-dump seen 2020-07-01 run ascending (3 rows: 2 .. 9)")
        assert best(con) == [("M2",)]
        # the evidence is kept: a later listing too short to say anything does not undo it
        ingest(con, "pwc-dump", str(board_file(tmp_path, "a@2020-08-01.json", rows(2, 9))), now=NOW)
        assert direction(con)[0] == "lower" and best(con) == [("M2",)]


def test_a_users_settlement_decides_and_says_so(tmp_path, monkeypatch):
    settled = tmp_path / "directions.toml"
    settled.write_text('[settled]\n"some task | some data | qux" = { direction = "higher", why = "our lab says so" }\n')
    monkeypatch.setenv("SOTA_DIRECTIONS", str(settled))
    with connect(tmp_path / "sota.duckdb") as con:
        ingest(con, "pwc-dump", str(board_file(tmp_path, "a@2020-06-01.json", rows(5, 9))), now=NOW)
        assert direction(con) == ("higher", f"higher: settled in {settled}: our lab says so")
        assert best(con) == [("M9",)]


def test_a_bad_settlements_file_is_one_line_naming_it(tmp_path, monkeypatch):
    settled = tmp_path / "directions.toml"
    settled.write_text('[settled]\n"only | two" = { direction = "up", why = "" }\n')
    monkeypatch.setenv("SOTA_DIRECTIONS", str(settled))
    with connect(tmp_path / "sota.duckdb") as con, pytest.raises(ConfigError) as raised:
        ingest(con, "pwc-dump", str(board_file(tmp_path, "a@2020-06-01.json", rows(5, 9))), now=NOW)
    assert str(raised.value).startswith(f"{settled}: [settled] 'only | two': expected \"task | dataset | metric\"")
