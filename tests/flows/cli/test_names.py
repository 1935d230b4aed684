"""Questions resolve names as loads do (issue 12, point 6): spelling-blind and through the alias registry, and a name
that resolves to nothing exits 1 with the closest known names instead of an empty answer.

The record is the 2019 hand copy of the PwC ImageNet board and the 2020 dump (tests/support/report_record.py).
"""
from __future__ import annotations

import json

import pytest

from flows.cli.names import UnknownNameError, resolve_names
from tests.support.report_record import assert_one_line_error, record, sota  # noqa: F401 - fixtures
from warehouse.db import connect


def test_other_spellings_and_aliases_answer_as_the_canonical_names(record, sota):  # noqa: F811 - fixtures
    canonical = sota("leaderboard", "--task", "Image Classification", "--dataset", "ImageNet",
                     "--metric", "Top 1 Accuracy", "--top", "3", "--json", "--db", record)
    typed = sota("leaderboard", "--task", "image classification", "--dataset", "Imagenet",
                 "--metric", "Top-1 Accuracy", "--top", "3", "--json", "--db", record)
    aliased = sota("leaderboard", "--task", "Image Classification", "--dataset", "ImageNet-1K",
                   "--metric", "Acc@1", "--top", "3", "--json", "--db", record)
    assert canonical.returncode == typed.returncode == aliased.returncode == 0, typed.stderr
    assert json.loads(typed.stdout) == json.loads(canonical.stdout) == json.loads(aliased.stdout)
    assert len(json.loads(canonical.stdout)) == 3


def test_asof_with_a_misspelt_dataset_suggests_the_closest(record, sota):  # noqa: F811 - fixtures
    result = sota("asof", "2020-01-01", "--dataset", "ImageNett", "--db", record)
    assert_one_line_error(result, 1, "no benchmark ImageNett: no dataset 'ImageNett'; did you mean 'ImageNet'")


def test_a_metric_is_looked_for_on_its_own_board(record, sota):  # noqa: F811 - fixtures
    result = sota("history", "--task", "Image Classification", "--dataset", "ImageNet", "--metric", "Top-1 Acuracy",
                  "--db", record)
    assert_one_line_error(
        result, 1, "no metric 'Top-1 Acuracy' under Image Classification / ImageNet; did you mean 'Top 1 Accuracy'"
    )


def test_benchmarks_by_part_of_a_name_and_any_spelling(record, sota):  # noqa: F811 - fixtures
    found = sota("benchmarks", "--dataset", "imagenet", "--search", "top-5", "--json", "--db", record)
    assert found.returncode == 0, found.stderr
    rows = json.loads(found.stdout)
    assert [(r["task"], r["dataset"], r["metric"]) for r in rows] == [
        ("Image Classification", "ImageNet", "Top 5 Accuracy"),
        ("Self-Supervised Image Classification", "ImageNet", "Top 5 Accuracy"),
    ]


def test_resolve_names_directly(record):  # noqa: F811 - fixtures
    with connect(record, read_only=True) as con:
        names = resolve_names(con, "IMAGE classification", "imagenet", "top_1 accuracy")
        assert (names.task, names.dataset, names.metric) == ("Image Classification", "ImageNet", "Top 1 Accuracy")
        assert resolve_names(con, None, None, None).task is None
        with pytest.raises(UnknownNameError, match=r"no task 'Nothing Like It' \(\d+ known; `sota benchmarks"):
            resolve_names(con, "Nothing Like It", None, None)
