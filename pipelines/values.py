"""Turning the text of a leaderboard cell into a number, a unit, a date with its precision, or a yes/no flag.

Pure functions shared by every source. A value that cannot be read raises `ValueProblem` whose message is the reject
reason a person reads later ("no value reported ('-')", "not a number: 'Kinetics400'"), so nothing is dropped silently.
"""
from __future__ import annotations

import calendar
import math
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation


class ValueProblem(ValueError):
    """A cell that cannot become a number or a date; the message is the reject reason."""


@dataclass(frozen=True)
class ParsedValue:
    value: float
    unit: str | None  # "percent", "count" (a K/M/B suffix), or None for a plain number
    is_estimate: bool = False


# Cells that say "not reported" in the ways leaderboards and spreadsheets write it.
_MISSING = {"", "-", "--", "---", "–", "—", "n/a", "na", "nan", "none", "null", "?", "--*", "-*", "tbd"}
_MULTIPLIERS = {"k": 1e3, "m": 1e6, "b": 1e9, "g": 1e9, "t": 1e12}
_NUMBER = r"[-+−]?(?:\d+(?:[.,]\d+)*|\.\d+)(?:[eE][-+]?\d+)?"
_VALUE_RE = re.compile(
    rf"^(?P<approx>~|≈|approx\.?\s*|about\s+)?\s*(?P<num>{_NUMBER})\s*(?P<suffix>[kKmMbBgGtT](?![a-zA-Z]))?\s*(?P<pct>%+)?$"
)
_THOUSANDS_RE = re.compile(r"^[-+]?\d{1,3}(,\d{3})+(\.\d+)?$")
_DECIMAL_COMMA_RE = re.compile(r"^[-+]?\d+,\d+$")


def _clean_cell(text: str) -> str:
    text = text.replace("\ufeff", "").replace("\u00a0", " ").strip()
    # Markdown emphasis and footnote marks decorate numbers on some boards ("**91.2**", "88.1*", "85.0†").
    text = re.sub(r"^\*\*(.*)\*\*$", r"\1", text).strip()
    text = re.sub(r"[*†‡§]+$", "", text).strip()
    return text


def _head_of(text: str) -> str:
    """The claim before any qualifier: "91.0% (9.0% error)" -> "91.0%", "85.2 ± 0.3" -> "85.2"."""
    for separator in ("(", "±", "+/-", "+-"):
        head, found, _ = text.partition(separator)
        if found and head.strip():
            text = head.strip()
    return text


def _to_float(number: str) -> float:
    number = number.replace("−", "-")
    if "," in number:
        if _THOUSANDS_RE.match(number):
            number = number.replace(",", "")
        elif _DECIMAL_COMMA_RE.match(number):
            # "99,45" or "91,0": a decimal comma, as European spreadsheets write it.
            number = number.replace(",", ".")
        else:
            raise ValueProblem(f"ambiguous number: {number!r}")
    try:
        return float(number)
    except ValueError:  # the pattern lets "0.0.28191" (a cell pasted twice) through: not one number
        raise ValueProblem(f"not a number: {number!r}") from None


def parse_value(cell: object) -> ParsedValue:
    """Read one metric cell: "88.5%", "480M", "1,014.45", "~99.5% (<0.5% error)", 17.3 (a JSON number)."""
    if isinstance(cell, bool) or cell is None:
        raise ValueProblem(f"no value reported ({cell!r})")
    if isinstance(cell, (int, float)):
        if not math.isfinite(cell):
            raise ValueProblem(f"not a finite number: {cell!r}")
        return ParsedValue(float(cell), None)
    text = _clean_cell(str(cell))
    if text.lower() in _MISSING:
        raise ValueProblem(f"no value reported ({str(cell).strip()!r})")
    match = _VALUE_RE.match(_head_of(text))
    if not match:
        raise ValueProblem(f"not a number: {str(cell).strip()[:80]!r}")
    value = _to_float(match["num"])
    unit = None
    if match["suffix"]:
        value *= _MULTIPLIERS[match["suffix"].lower()]
        unit = "count"
    if match["pct"]:
        unit = "percent"
    if not math.isfinite(value):
        raise ValueProblem(f"not a finite number: {str(cell).strip()!r}")
    return ParsedValue(value, unit, is_estimate=bool(match["approx"]))


def fraction_to_percent(text: str) -> str:
    """ "0.16422" -> "16.422%", exactly (the decimal point moves, no float rounding); text that is not a finite number
    is returned as written (a reject later)."""
    try:
        number = Decimal(text)
    except InvalidOperation:
        return text
    return f"{number.scaleb(2):f}%" if number.is_finite() else text


_MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_abbr) if name}
_MONTHS.update({name.lower(): number for number, name in enumerate(calendar.month_name) if name})
_MONTHS["sept"] = 9
_ISO_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$")
_ISO_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_MONTH_YEAR = re.compile(r"\b([A-Za-z]{3,9})\.?,?\s+(\d{4})\b")
_YEAR = re.compile(r"\b(19[5-9]\d|20\d{2})\b")


def parse_date(text: object) -> tuple[date | None, str]:
    """A publication date and its precision: ("2020-03-18" -> day), ("arXiv, Jun 2024" -> month), ("NeurIPS 2020" -> year).

    Month and year precision are stored as the first day of the period; the precision says how much to trust it.
    """
    if text is None:
        return None, "unknown"
    if isinstance(text, date):
        return text, "day"
    raw = str(text).replace("\ufeff", "").strip()
    if raw.lower() in _MISSING:
        return None, "unknown"
    try:
        if m := _ISO_DAY.match(raw):
            return date(int(m[1]), int(m[2]), int(m[3])), "day"
        if m := _ISO_MONTH.match(raw):
            return date(int(m[1]), int(m[2]), 1), "month"
    except ValueError:
        raise ValueProblem(f"not a calendar date: {raw!r}") from None
    for m in _MONTH_YEAR.finditer(raw):
        month = _MONTHS.get(m[1].lower())
        if month:
            return date(int(m[2]), month, 1), "month"
    if m := _YEAR.search(raw):
        return date(int(m[1]), 1, 1), "year"
    raise ValueProblem(f"not a date: {raw[:80]!r}")


_TRUE = {"x", "✓", "✔", "☑", "yes", "y", "true", "1", "t"}
_FALSE = {"×", "✗", "✘", "no", "n", "false", "0", "f"}


def parse_flag(cell: object, *, blank: bool | None = None) -> bool | None:
    """A yes/no cell ("X", "✓", "×", "yes"); `blank` says what an empty cell means for this source."""
    if cell is None:
        return blank
    if isinstance(cell, bool):
        return cell
    text = str(cell).strip().lower()
    if not text:
        return blank
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueProblem(f"not a yes/no mark: {str(cell).strip()[:40]!r}")


_ARXIV_URL = re.compile(
    r"arxiv\.org/(?:abs|pdf|html)/(?P<id>\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?", re.IGNORECASE
)


def arxiv_id_from_url(url: str | None) -> str | None:
    """The arXiv id without its version ("https://arxiv.org/abs/2003.08237v4" -> "2003.08237")."""
    if not url:
        return None
    m = _ARXIV_URL.search(url)
    return m["id"] if m else None


def collapse_whitespace(text: str | None) -> str:
    return " ".join((text or "").split())
