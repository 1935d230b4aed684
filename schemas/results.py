"""pandera schemas of raw rows (what a parser returns) and of results (what the warehouse loads).

Validation is lazy: every failing row is reported, with the check it failed, so that the loader can write it to the
rejects table with a reason and load the rest. `validate_results` is the one entry point the loader uses.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
import pandera.pandas as pa

DIRECTIONS = ("higher", "lower", "none", "unknown")
PRECISIONS = ("day", "month", "year", "unknown")
UNITS = ("percent", "count")
# New-style ids (2003.08237) and old-style ones (hep-th/9901001, math.GT/0309136), always without the version.
ARXIV_ID_PATTERN = r"^(\d{4}\.\d{4,5}|[a-z\-]+(\.[A-Z]{2})?/\d{7})$"


def _text(**kwargs) -> pa.Column:
    return pa.Column(str, pa.Check.str_length(min_value=1, error="must not be empty"), **kwargs)


RAW_ROW_SCHEMA = pa.DataFrameSchema(
    {
        "task": _text(),
        "dataset": _text(),
        "metric": _text(),
        "model": pa.Column(str),
        "value": pa.Column(None, nullable=True),
        "row_ref": _text(),
        "uses_additional_data": pa.Column(None, pa.Check.isin([True, False]), nullable=True),
        "has_code": pa.Column(None, pa.Check.isin([True, False]), nullable=True),
    },
    strict=False,
    name="raw row",
)


def result_schema(today: date) -> pa.DataFrameSchema:
    """The result schema; `today` is passed in so that "not in the future" stays a pure check."""
    return pa.DataFrameSchema(
        {
            "claim_key": pa.Column(str, unique=True, report_duplicates="all"),
            "task": _text(),
            "dataset": _text(),
            "metric": _text(),
            "direction": pa.Column(str, pa.Check.isin(DIRECTIONS)),
            "unit": pa.Column(str, pa.Check.isin(UNITS), nullable=True),
            "model": _text(),
            "value": pa.Column(float, pa.Check(lambda v: np.isfinite(v), name="finite"), coerce=True),
            # in the result's unit; absent where the source gives none (pipelines.normalize refuses a negative one)
            "stderr": pa.Column(float, pa.Check(lambda v: np.isfinite(v) & (v >= 0), name="finite, at least 0"),
                                nullable=True, coerce=True),
            # a confidence interval where the source gives one, in the result's unit (lower <= upper: the normaliser)
            "interval_low": pa.Column(float, pa.Check(lambda v: np.isfinite(v), name="finite"), nullable=True,
                                      coerce=True),
            "interval_high": pa.Column(float, pa.Check(lambda v: np.isfinite(v), name="finite"), nullable=True,
                                       coerce=True),
            "is_estimate": pa.Column(bool, coerce=True),
            # far outside its board's spread: kept, left out of SOTA unless asked for (pipelines.suspects)
            "is_suspect": pa.Column(bool, coerce=True),
            "arxiv_id": pa.Column(str, pa.Check.str_matches(ARXIV_ID_PATTERN, error="arXiv id format"), nullable=True),
            "published_on": pa.Column(
                None,
                # compared by columns, not a Python call per row: a missing date stands in as today
                pa.Check(lambda s: s.where(s.notna(), today) <= today, name="not in the future"),
                nullable=True,
            ),
            "published_precision": pa.Column(str, pa.Check.isin(PRECISIONS)),
            "uses_additional_data": pa.Column(None, pa.Check.isin([True, False]), nullable=True),
            "has_code": pa.Column(None, pa.Check.isin([True, False]), nullable=True),
            "row_ref": _text(),
        },
        checks=[
            pa.Check(
                lambda df: ~((df["unit"] == "percent") & ((df["value"] < 0) | (df["value"] > 100))),
                name="percent within 0..100",
            ),
        ],
        strict=False,
        name="result",
    )


@dataclass
class ValidationOutcome:
    valid: pd.DataFrame
    failures: list[tuple[int, str]]  # (position in the input frame, reason)


def _reason(failure: pd.Series, frame: pd.DataFrame) -> str:
    check = str(failure["check"])
    if failure["schema_context"] == "DataFrameSchema":
        # A check across columns reports every column of the row: one reason, with the value it is about.
        return f"value {frame.at[int(failure['index']), 'value']:g} fails '{check}'"
    column = failure["column"]
    where = f"{column}: " if isinstance(column, str) else ""
    if check == "field_uniqueness":
        return f"{where}duplicate claim (the same model, paper and benchmark twice in one payload)"
    if check.startswith("not_nullable"):
        return f"{where}missing"
    if check == "must not be empty":
        return f"{where}must not be empty"
    return f"{where}failed check '{check}' (value {failure['failure_case']!r})"


def validate_results(results: pd.DataFrame, today: date) -> ValidationOutcome:
    """Split results into the rows that pass and the rows that fail, with one reason per failing row."""
    frame = results.reset_index(drop=True)
    if frame.empty:
        return ValidationOutcome(frame, [])
    try:
        result_schema(today).validate(frame, lazy=True)
        return ValidationOutcome(frame, [])
    except pa.errors.SchemaErrors as errors:
        cases = errors.failure_cases
    reasons: dict[int, list[str]] = {}
    for _, failure in cases.iterrows():
        index = failure["index"]
        if index is None or (isinstance(index, float) and math.isnan(index)):
            # A schema-level failure (a missing column, a wrong dtype) concerns every row: that is a bug, not data.
            # pandera names the schema in `column` and the missing column in `failure_case`
            raise ValueError(
                f"results do not match the schema: {failure['check']} on {failure['column']}"
                f" ({failure['failure_case']})"
            )
        reasons.setdefault(int(index), []).append(_reason(failure, frame))
    failures = sorted((index, "; ".join(dict.fromkeys(texts))) for index, texts in reasons.items())
    valid = frame.drop(index=[index for index, _ in failures])
    return ValidationOutcome(valid, failures)
