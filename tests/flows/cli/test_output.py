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
