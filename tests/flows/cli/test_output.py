"""What a new user meets (issue 18): every cut listing says so and how to see the rest, an empty query is a one-line
error, and a bad --known-at names both forms it takes.

The record is the 2019 hand copy of the PwC ImageNet board and the 2020 dump (tests/support/report_record.py).
"""
from __future__ import annotations

import json

from tests.support.report_record import assert_one_line_error, record, sota  # noqa: F401 - fixtures


def test_a_cut_listing_says_how_many_of_how_many_and_how_to_see_more(record, sota):  # noqa: F811 - fixtures
    cut = sota("rejects", "--snapshot", "2", "--json", "--db", record)
    assert cut.returncode == 0
    assert len(json.loads(cut.stdout)) == 200
    assert cut.stderr.strip() == "200 of 545 rejects shown; --limit N or --all shows more"
    everything = sota("rejects", "--snapshot", "2", "--all", "--json", "--db", record)
    assert len(json.loads(everything.stdout)) == 545 and everything.stderr == ""
    few = sota("benchmarks", "--limit", "3", "--json", "--db", record)
    (notice,) = few.stderr.strip().splitlines()
    assert len(json.loads(few.stdout)) == 3 and notice.startswith("3 of ") and notice.endswith(" benchmarks shown; "
                                                                                               "--limit N or --all shows more")
    whole = sota("snapshots", "--json", "--db", record)
    assert len(json.loads(whole.stdout)) == 2 and whole.stderr == ""  # nothing cut, nothing said


def test_an_empty_query_is_one_line(record, sota):  # noqa: F811 - fixtures
    assert_one_line_error(sota("sql", "", "--db", record), 1, 'no query given: sota sql "SELECT ..."')
    assert_one_line_error(sota("sql", "  ", "--db", record), 1, "no query given")


def test_a_bad_known_at_names_both_forms(record, sota):  # noqa: F811 - fixtures
    result = sota("asof", "2020-01-01", "--known-at", "2020-13-45", "--db", record)
    assert_one_line_error(result, 2, "bad --known-at '2020-13-45': expected YYYY-MM-DD or an ISO timestamp")


def test_a_result_too_wide_for_the_terminal_is_one_block_per_row_unless_wide(record, sota):  # noqa: F811 - fixtures
    query = "FROM sota_as_of(DATE '2021-06-01', known_at := DATE '2021-06-01') WHERE dataset = 'ImageNet' LIMIT 2"
    blocks = sota("sql", query, "--db", record)
    assert blocks.returncode == 0, blocks.stderr
    lines = blocks.stdout.splitlines()
    assert [line.split(" ")[2] for line in lines if line.startswith("-- row ")] == ["1", "2"]
    assert sum(1 for line in lines if line.strip().startswith("model: ")) == 2
    assert "┃" not in blocks.stdout  # no table squeezed into 200 columns
    table = sota("sql", query, "--wide", "--db", record)
    assert table.returncode == 0 and "┃ task" in table.stdout and "-- row " not in table.stdout
    narrow = sota("sql", "SELECT 1 AS one, 'two' AS two", "--db", record)
    assert "┃ one ┃ two ┃" in narrow.stdout  # what fits stays a table
