"""`validate_results` (schemas/results.py) on results normalised from real payloads: valid rows pass untouched, and every
kind of failure becomes one reason per row that names the column and the check."""
from __future__ import annotations

import math
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest

from pipelines.normalize import normalize_rows
from pipelines.registry import get_source
from schemas.results import DIRECTIONS, PRECISIONS, UNITS, validate_results

TODAY = date(2024, 1, 1)


@pytest.fixture(scope="module")
def real_results(shared_data: Path) -> pd.DataFrame:
    """The ILSVRC winners (percent errors, year dates) and the ReCoRD board (plain scores, one arXiv id), normalised."""
    rows = []
    for source, path in [("ilsvrc-csv", "ilsvrc-winners/imagenet.csv"), ("pwc-dump", "pwc-sota-extractor/record.json")]:
        location = shared_data / path
        rows += get_source(source).parse(location.read_bytes(), str(location))
    normalized = normalize_rows(rows)
    assert (len(normalized.results), normalized.rejects) == (40, [])
    return normalized.results


@pytest.fixture
def results(real_results: pd.DataFrame) -> pd.DataFrame:
    return real_results.copy()


def spoil(frame: pd.DataFrame, position: int, column: str, value: object) -> pd.DataFrame:
    """`frame` with one cell replaced (the column made of objects first, so that any value fits)."""
    frame[column] = frame[column].astype(object)
    frame.iat[position, frame.columns.get_loc(column)] = value
    return frame


def assert_only_failure(results: pd.DataFrame, position: int, reason: str, today: date = TODAY) -> None:
    outcome = validate_results(results, today)
    assert outcome.failures == [(position, reason)]
    assert list(outcome.valid.index) == [i for i in range(len(results)) if i != position]


def test_valid_rows_pass_unchanged(results):
    outcome = validate_results(results, TODAY)
    assert outcome.failures == []
    pd.testing.assert_frame_equal(outcome.valid, results)
    # what passed covers the cases the schema allows: both units and none, every precision seen, an arXiv id or none
    assert set(results["unit"].dropna()) == {"percent"} and results["unit"].isna().sum() == 24
    assert set(results["published_precision"]) == {"year", "day"}
    assert set(results["arxiv_id"].dropna()) == {"1810.04805"}


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        ("task", "", "task: must not be empty"),
        ("task", None, "task: missing"),
        ("dataset", "", "dataset: must not be empty"),
        ("metric", "", "metric: must not be empty"),
        ("model", "", "model: must not be empty"),
        ("model", None, "model: missing"),
        ("row_ref", "", "row_ref: must not be empty"),
        ("claim_key", None, "claim_key: missing"),
        ("direction", "sideways", f"direction: failed check 'isin({DIRECTIONS!r})' (value 'sideways')"),
        ("unit", "furlongs", f"unit: failed check 'isin({UNITS!r})' (value 'furlongs')"),
        ("value", math.nan, "value: missing"),
        ("arxiv_id", "1810.04805v2", "arxiv_id: failed check 'arXiv id format' (value '1810.04805v2')"),
        ("arxiv_id", "arXiv:1810.04805", "arxiv_id: failed check 'arXiv id format' (value 'arXiv:1810.04805')"),
        ("published_on", date(2024, 1, 2), "published_on: failed check 'not in the future' (value datetime.date(2024, 1, 2))"),
        ("published_precision", "week", f"published_precision: failed check 'isin({PRECISIONS!r})' (value 'week')"),
        ("uses_additional_data", "yes", "uses_additional_data: failed check 'isin([True, False])' (value 'yes')"),
    ],
)
def test_each_failing_cell_becomes_a_reason_naming_its_column_and_check(results, column, value, reason):
    assert_only_failure(spoil(results, 30, column, value), 30, reason)


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("arxiv_id", "hep-th/9901001"),  # old-style ids
        ("arxiv_id", "math.GT/0309136"),
        ("arxiv_id", None),
        ("published_on", TODAY),  # today is not the future
        ("published_on", None),
        ("uses_additional_data", True),
        ("uses_additional_data", None),
        ("unit", "count"),
    ],
)
def test_allowed_values_pass(results, column, value):
    assert validate_results(spoil(results, 30, column, value), TODAY).failures == []


@pytest.mark.parametrize("value", [101.0, -0.5])
def test_a_percent_outside_0_to_100_fails_the_check_across_columns(results, value):
    # the ILSVRC rows (0..15) are percent errors
    assert_only_failure(spoil(results, 2, "value", value), 2, f"value {value:g} fails 'percent within 0..100'")


def test_a_value_over_100_without_a_unit_is_not_a_percent(results):
    # the ReCoRD rows (16..39) have no unit: an Elo rating or a count may well be over 100
    assert validate_results(spoil(results, 20, "value", 7537.0), TODAY).failures == []


def test_an_infinite_percent_fails_both_checks_in_one_reason(results):
    assert_only_failure(
        spoil(results, 4, "value", math.inf), 4, "value inf fails 'percent within 0..100'; value: failed check 'finite' (value inf)"
    )


def test_every_failure_of_a_row_is_in_its_one_reason(results):
    spoil(results, 1, "value", 120.0)
    spoil(results, 1, "direction", "up")
    spoil(results, 1, "row_ref", "")
    assert_only_failure(
        results, 1,
        f"value 120 fails 'percent within 0..100'; direction: failed check 'isin({DIRECTIONS!r})' (value 'up'); "
        "row_ref: must not be empty",
    )


def test_a_claim_listed_twice_fails_on_both_rows(results):
    spoil(results, 5, "claim_key", results.at[4, "claim_key"])
    outcome = validate_results(results, TODAY)
    reason = "claim_key: duplicate claim (the same model, paper and benchmark twice in one payload)"
    assert outcome.failures == [(4, reason), (5, reason)]
    assert len(outcome.valid) == 38


def test_failures_are_positions_in_the_frame_given_whatever_its_index(results):
    # every other row, so index labels 0, 2, 4, ... : the failing third row is position 2, label 4
    thinned = spoil(results.iloc[::2].copy(), 2, "model", "")
    assert list(thinned.index[:3]) == [0, 2, 4]
    outcome = validate_results(thinned, TODAY)
    assert outcome.failures == [(2, "model: must not be empty")]
    assert list(outcome.valid.index) == [i for i in range(20) if i != 2]
    assert outcome.valid.iloc[2]["model"] == thinned.iloc[3]["model"]


def test_the_day_passed_in_decides_what_is_in_the_future(results):
    # ReCoRD's latest rows are dated 2020-10-08 (two values: EM and F1); the day before, they are in the future
    latest = max(results["published_on"].dropna())
    assert latest == date(2020, 10, 8)
    day_before = latest - timedelta(days=1)
    outcome = validate_results(results, day_before)
    future = [position for position, published in enumerate(results["published_on"]) if published == latest]
    reason = "published_on: failed check 'not in the future' (value datetime.date(2020, 10, 8))"
    assert outcome.failures == [(position, reason) for position in future]
    assert len(future) == 4 and len(outcome.valid) == 36


def test_no_results_pass_with_no_failures(results):
    outcome = validate_results(results.iloc[:0], TODAY)
    assert (outcome.failures, len(outcome.valid), list(outcome.valid.columns)) == ([], 0, list(results.columns))


def test_a_frame_missing_a_column_is_a_bug_not_a_rejected_row(results):
    with pytest.raises(ValueError, match=r"^results do not match the schema: column_in_dataframe"):
        validate_results(results.drop(columns=["task"]), TODAY)
