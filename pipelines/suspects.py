"""Values far outside their board's spread (issue 12): flagged as suspect, kept, and left out of SOTA unless asked for.

Pure. A mis-scaled or mistyped value (0.885 on a board of percents, 885 for 88.5 on a board without a declared unit)
must not become SOTA silently, and must not be dropped either; a real advance must never be taken for one. The rule
is measured on each board (benchmark) of a payload, together with the values the warehouse already shows on it:

- Spread is measured in orders of magnitude (log10 of the values): mistakes of scale are multiplicative (a fraction
  for a percent is 100x, a slipped decimal point 10x), and score boards with no ceiling (Atari: 2 to 1,000,000) are
  spread over decades, where a spread in points calls their record holders outliers. Only boards whose values are all
  of one sign are judged (zeros, a legitimate score, are left aside); a board of both signs has no magnitude to
  slip. Descriptive columns (direction `none`) are not judged.
- A board needs `MIN_BOARD` values before its spread means anything. The spread is the median absolute deviation
  (x 1.4826, the normal-consistent scale); where more than half the values are equal it is nil, and the interquartile
  range (/ 1.349) stands in; where that is nil too, the board is flat and only the factor below speaks.
- A value is suspect when all three hold: it lies more than `SPREAD_LIMIT` robust spreads from the board's median,
  it is at least `MIN_FACTOR` times off that median (so old results on a tight board, ImageNet's 50% among 88%,
  never are: a slip of scale moves a value 10x or more), and no other paper's value on the board comes within
  `COMPANY_FACTOR` of it (MuZero's 269,358 on Atari Krull is 30x the board's median, but R2D2's 218,448 is beside it:
  a real advance is seldom alone, a typo is).

Measured on the 2020 PwC dump (tests/warehouse/test_suspects.py): a robust z > 10 in points (median and MAD of the
values themselves) flags 240 values there, 45 of them the record holders of their boards (MuZero, R2D2, Go-Explore on
38 Atari boards; GPT-2 on the Children's Book Test); this rule flags 22, every one on the losing side of its board
(baselines of another protocol: SARSA and 100k-step agents on Atari, the trivial inverse model and the corrected
CapsE on FB15k-237, a log loss of another dataset), and none in timm's results or their history.
"""
from __future__ import annotations

import json
import math
import statistics
from collections.abc import Iterable

import numpy as np

MIN_BOARD = 8
SPREAD_LIMIT = 10.0
MIN_FACTOR = 5.0
COMPANY_FACTOR = 2.0
_NORMAL_MAD = 1.4826  # MAD x this estimates a normal standard deviation
_NORMAL_IQR = 1.349  # IQR / this likewise


def _spread(logs: list[float], centre: float) -> float:
    """The robust scale of `logs` around `centre`: MAD, else IQR where more than half the values are equal."""
    mad = statistics.median(abs(x - centre) for x in logs)
    if mad > 0:
        return _NORMAL_MAD * mad
    q1, _, q3 = statistics.quantiles(logs, n=4, method="inclusive")
    return (q3 - q1) / _NORMAL_IQR


def _author(claim_key: str) -> str:
    """Who a claim comes from: its paper (the claim key's paper part), else its model (a source without papers)."""
    parts = claim_key.split("\x1f")
    model, paper = (parts[3], parts[4]) if len(parts) >= 5 else (claim_key, "")
    return paper or f"model:{model}"


def judged_mask(values: np.ndarray, is_percent: np.ndarray, is_descriptive: np.ndarray) -> np.ndarray:
    """Which of a payload's values are judged at all: not zero (a legitimate score with no magnitude), finite, not in a
    descriptive column (direction `none`), and not a percent outside 0..100 (rejected by validation whatever its
    board says)."""
    with np.errstate(invalid="ignore"):
        in_range = ~is_percent | ((values >= 0) & (values <= 100))
        return ~is_descriptive & (values != 0) & np.isfinite(values) & in_range


def board_suspects(
    board: list[tuple[str, float]], known: Iterable[tuple[str, float]] = ()
) -> list[tuple[int, str]]:
    """The suspects among one board's judged values, (claim_key, value) pairs, as (position in `board`, reason).

    `known` is what the warehouse shows now on the board: (claim_key, value) pairs; a claim the payload gives again
    counts once, with the payload's value.
    """
    given = {claim for claim, _ in board}
    values = board + [(claim, value) for claim, value in known
                      if claim not in given and value != 0 and math.isfinite(value)]
    if len(values) < MIN_BOARD:
        return []
    signs = {value > 0 for _, value in values}
    if len(signs) > 1:
        return []  # both signs: no magnitude to slip
    logs = [math.log10(abs(value)) for _, value in values]
    centre = statistics.median(logs)
    spread = _spread(logs, centre)
    near = math.log10(COMPANY_FACTOR)
    found = []
    for position, (claim_key, value) in enumerate(board):
        at = math.log10(abs(value))
        off = abs(at - centre)
        if off < math.log10(MIN_FACTOR) or (spread > 0 and off <= SPREAD_LIMIT * spread):
            continue
        author = _author(claim_key)
        if any(abs(math.log10(abs(other)) - at) <= near for claim, other in values if _author(claim) != author):
            continue  # another paper reaches about the same: not a slip
        median = statistics.median(other for _, other in values)
        z = f"robust z {off / spread:.1f}" if spread > 0 else "its board's values nearly all equal"
        found.append((position, (
            f"far outside its board's spread: {value:g} is {10 ** off:.3g}x off the median {median:g} of "
            f"{len(values)} values ({z}, in orders of magnitude), and no other paper's value is within "
            f"{COMPANY_FACTOR:g}x of it"
        )))
    return found


def with_suspect_reason(attributes: str | None, reason: str) -> str:
    """A result's attributes (JSON text or None) with the reason it is suspect under `suspect`."""
    found = json.loads(attributes) if attributes else {}
    found["suspect"] = reason
    return json.dumps(found, ensure_ascii=False, sort_keys=True, default=str)
