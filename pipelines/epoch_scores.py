"""The `Scores` cell of Epoch AI's `benchmarks_runs.csv`: each scorer of a run as "name:score±stderr", comma-separated
("choice:0.85±0.02", "model_graded:0.84±0.05,model_extracted_exact_match:0.85±0.05"), scores and standard errors as
fractions of 1 rounded to two decimals. Read by `epoch-runs` (a row per scorer) and `epoch-csv` (the run's best score,
with the standard error of the scorer that gave it). Pure: the caller turns a `ScoresError` into its own ParseError.
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

_SCORE = re.compile(r"^(?P<name>[^:±]+):(?P<score>[^±]*)(?:±(?P<stderr>.*))?$")


class ScoresError(ValueError):
    """A part of the cell that does not have the layout read here; the message names the part."""


class Score(NamedTuple):
    name: str
    score: str  # as written, a fraction ("0.85"); not checked (the normaliser reads or rejects it)
    stderr: float | None  # in percent points (0.02 -> 2.0); None without a "±"


def stderr_percent(text: str) -> float | None:
    """A standard error written as a fraction ("0.02") in percent points (2.0), exactly; None if not a finite number."""
    try:
        number = Decimal(text.strip())
    except InvalidOperation:
        return None
    return float(number.scaleb(2)) if number.is_finite() else None


def parse_scores(cell: str) -> list[Score]:
    """Every scorer of a `Scores` cell, in order."""
    scores = []
    for part in (part.strip() for part in cell.split(",")):
        match = _SCORE.match(part)
        if not match or not match["name"].strip():
            raise ScoresError(f"Scores part {part!r} is not 'name:score±stderr'")
        stderr = None
        if match["stderr"] is not None:
            stderr = stderr_percent(match["stderr"])
            if stderr is None:
                raise ScoresError(f"Scores part {part!r} has a standard error that is not a number")
        scores.append(Score(match["name"].strip(), match["score"].strip(), stderr))
    return scores


def best_score_stderr(cell: str) -> float | None:
    """The standard error of the run's best score: that of the scorer with the highest score (the largest of their
    errors where several share it, the cautious one); None where the cell gives none or cannot be read."""
    try:
        scores = [(Decimal(s.score), s.stderr) for s in parse_scores(cell) if s.stderr is not None]
    except (ScoresError, InvalidOperation):
        return None
    if not scores:
        return None
    best = max(score for score, _ in scores)
    return max(stderr for score, stderr in scores if score == best)
