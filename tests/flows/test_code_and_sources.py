"""Papers with code, and a board as one lineage published it (issue 17), on the real payloads: the Papers with Code
ImageNet page of 2023-12-07 (lineage `pwc-page`) and OpenCodePapers' ImageNet board (lineage `opencodepapers`,
observed 2025-11-30), through the macros and the commands (`--with-code`, `--source-name`)."""
from __future__ import annotations

import json
from datetime import datetime

import pytest

from flows.cli import main
from flows.ingest import ingest
from warehouse.db import connect

PAGE = "pwc-sota-page/image-classification-on-imagenet@2023-12-07.json"
OPENCODEPAPERS = "opencodepapers/image-classification-on-imagenet.json"
TOP1 = ("Image Classification", "ImageNet", "Top 1 Accuracy")
NAMES = ["--task", TOP1[0], "--dataset", TOP1[1], "--metric", TOP1[2]]
WHERE = f"WHERE task = '{TOP1[0]}' AND dataset = '{TOP1[1]}' AND metric = '{TOP1[2]}'"
BOARD = f"leaderboard_as_of('{TOP1[0]}', '{TOP1[1]}', '{TOP1[2]}', DATE '2025-11-30', known_at := DATE '2025-11-30'{{}})"
THE_FOUR = [("CoCa (finetuned)", 91.0), ("Model soups (BASIC-L)", 90.98), ("Model soups (ViT-G/14)", 90.94),
            ("DaViT-G", 90.4)]


@pytest.fixture(scope="module")
def record(shared_data, tmp_path_factory):
    path = tmp_path_factory.mktemp("code") / "sota.duckdb"
    with connect(path) as con:
        ingest(con, "pwc-page", str(shared_data / PAGE), now=datetime(2026, 1, 1))
        ingest(con, "opencodepapers", str(shared_data / OPENCODEPAPERS), lineage="opencodepapers",
               observed_at="2025-11-30", now=datetime(2026, 1, 1))
    return path


@pytest.fixture
def ask(record):
    con = connect(record, read_only=True)
    yield lambda sql: con.execute(sql).fetchall()
    con.close()


def test_as_known_on_2023_12_10_the_leader_is_omnivec_and_with_code_coca(ask):
    asof = "SELECT model, value, has_code FROM sota_as_of(DATE '2023-12-10', known_at := DATE '2023-12-10'{}) " + WHERE
    assert ask(asof.format("")) == [("OmniVec", 92.4, False)]
    assert ask(asof.format(", with_code := true")) == [("CoCa (finetuned)", 91.0, True)]


def test_opencodepapers_board_as_it_published_it_against_the_consolidated_board(ask):
    own = ask("SELECT model, value, sources, consolidated_id, has_code FROM "
              + BOARD.format(", sources := ['opencodepapers']"))
    assert [row[:2] for row in own[:4]] == THE_FOUR
    assert {(tuple(row[2]), row[3], row[4]) for row in own} == {(("opencodepapers",), None, True)}
    merged = ask(f"SELECT model, value, sources FROM {BOARD.format(', with_code := true')}")
    assert [row[:2] for row in merged[:5]] == [*THE_FOUR[:3], ("ViT-e", 90.9), ("CoAtNet-7", 90.88)]
    assert merged[0][2] == ["opencodepapers", "pwc-page"]
    # where the boards differ: results with code on the 2023 page that OpenCodePapers' board does not list
    missing = {(model, value) for model, value, _ in merged} - {row[:2] for row in own}
    assert {("ViT-e", 90.9), ("CoAtNet-7", 90.88)} <= missing
    # the consolidated board without the filter is led by the page's OmniVec (no code)
    assert ask(f"SELECT model FROM {BOARD.format('')} LIMIT 1") == [("OmniVec",)]


def test_each_question_takes_both_filters(ask):
    history = f"SELECT model, value, sources FROM sota_history('{TOP1[0]}', '{TOP1[1]}', '{TOP1[2]}'{{}})"
    assert ask(history.format(", sources := ['opencodepapers']"))[-1] == ("CoCa (finetuned)", 91.0, ["opencodepapers"])
    assert ask(history.format(", with_code := true"))[-1][:2] == ("CoCa (finetuned)", 91.0)
    assert ask(history.format(""))[-1][:2] == ("OmniVec", 92.4)
    assert ask("SELECT model, source, consolidated_id FROM sota_as_of(DATE '2025-11-30', "
               f"sources := ['pwc-page', 'opencodepapers'], with_code := true) {WHERE}") == [
        ("CoCa (finetuned)", "pwc-page", None)]  # two claims, not merged: the one seen first (2023) wins the tie
    # the same columns, in the same order, whichever layer answers
    columns = "SELECT * FROM sota_as_of(DATE '2025-11-30'{}) LIMIT 0"
    described = [ask(f"DESCRIBE {columns.format(extra)}") for extra in ("", ", with_code := true", ", sources := ['x']")]
    assert described[0] == described[1] == described[2]
    assert [c[0] for c in described[0]][-6:] == ["is_suspect", "has_code", "stderr", "setting", "interval_low",
                                                 "interval_high"]


def sota(*args: str) -> int:
    return main([str(a) for a in args])


def test_the_commands_take_with_code_and_source_name(record, capsys):
    capsys.readouterr()
    assert sota("asof", "2023-12-10", "--known-at", "2023-12-10", *NAMES, "--with-code", "--json", "--db", record) == 0
    assert [(r["model"], r["value"], r["has_code"]) for r in json.loads(capsys.readouterr().out)] == [
        ("CoCa (finetuned)", 91.0, True)]
    assert sota("leaderboard", *NAMES, "--as-of", "2025-11-30", "--top", "4", "--source-name", "opencodepapers",
                "--json", "--db", record) == 0
    assert [(r["model"], r["value"], r["sources"]) for r in json.loads(capsys.readouterr().out)] == [
        (model, value, ["opencodepapers"]) for model, value in THE_FOUR]
    assert sota("history", *NAMES, "--source-name", "pwc-page", "--source-name", "opencodepapers", "--with-code",
                "--json", "--db", record) == 0
    assert json.loads(capsys.readouterr().out)[-1]["model"] == "CoCa (finetuned)"
    # a table says which filters it kept
    assert sota("leaderboard", *NAMES, "--top", "1", "--source-name", "opencodepapers", "--with-code", "--db",
                record) == 0
    shown = capsys.readouterr().out
    assert "with code, as opencodepapers published it" in shown and "CoCa (finetuned)" in shown


def test_an_unknown_lineage_is_one_line_naming_those_held(record, capsys):
    capsys.readouterr()
    assert sota("asof", "2025-11-30", "--source-name", "opencodepaper", "--db", record) == 1
    captured = capsys.readouterr()
    assert captured.err.strip() == "error: no lineage 'opencodepaper': the warehouse holds opencodepapers, pwc-page"
    assert captured.out == ""
