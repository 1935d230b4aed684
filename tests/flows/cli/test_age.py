"""Every answer says how old its data is (issue 12, point 7): the observation date of the newest snapshot behind it,
and a warning when that is older than SOTA_STALE_DAYS (default 90).

The record is the 2019 hand copy of the PwC ImageNet board and the 2020 dump (tests/support/report_record.py).
"""
from __future__ import annotations

import json
from datetime import date, datetime

import pytest

from flows.cli.age import staleness_warning, stale_days
from flows.config import ConfigError
from tests.support.report_record import record, sota  # noqa: F401 - fixtures

TOP1_ARGS = ["--task", "Image Classification", "--dataset", "ImageNet", "--metric", "Top 1 Accuracy"]


def test_todays_answer_names_the_dump_date_and_warns(record, sota):  # noqa: F811 - fixtures
    today = datetime.now().date().isoformat()
    result = sota("asof", today, *TOP1_ARGS, "--json", "--db", record)
    assert result.returncode == 0, result.stderr
    (row,) = json.loads(result.stdout)
    assert (row["model"], row["value"], row["data_observed_at"]) == ("FixEfficientNet-L2", 88.5, "2020-08-28T00:00:00")
    assert result.stderr.startswith("warning: the newest data behind this answer was observed 2020-08-28, ")
    assert "(more than 90; SOTA_STALE_DAYS sets the limit)" in result.stderr


def test_an_answer_as_known_then_is_aged_from_then(record, sota):  # noqa: F811 - fixtures
    result = sota("leaderboard", *TOP1_ARGS, "--as-of", "2019-12-01", "--known-at", "2019-12-01", "--top", "1",
                  "--db", record)
    assert result.returncode == 0, result.stderr
    assert "(newest data observed 2019-11-13)" in result.stdout  # the hand copy was all that was known then
    # 18 days old on 2019-12-01: fresh enough, no warning; --top 1 cut the board, which is said
    assert result.stderr.strip() == "1 of 113 results shown; --top N shows more"


def test_the_threshold_is_configurable(monkeypatch):
    rows = [{"data_observed_at": datetime(2020, 8, 28)}]
    now = datetime(2020, 10, 1)
    assert staleness_warning(rows, None, now) is None  # 34 days
    monkeypatch.setenv("SOTA_STALE_DAYS", "30")
    assert staleness_warning(rows, None, now) == (
        "warning: the newest data behind this answer was observed 2020-08-28, 34 days before 2020-10-01 "
        "(more than 30; SOTA_STALE_DAYS sets the limit)"
    )
    assert staleness_warning(rows, date(2020, 9, 1), now) is None  # as known on 2020-09-01: 4 days old
    monkeypatch.setenv("SOTA_STALE_DAYS", "soon")
    with pytest.raises(ConfigError, match="SOTA_STALE_DAYS must be a number of days, not 'soon'"):
        stale_days()
