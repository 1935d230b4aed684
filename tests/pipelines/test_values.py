"""The cell readers every source shares: numbers, units, estimates, dates with precision, yes/no marks."""
from datetime import date

import pytest

from pipelines.values import ParsedValue, ValueProblem, arxiv_id_from_url, parse_date, parse_flag, parse_value


@pytest.mark.parametrize(
    "cell, expected",
    [
        ("88.5%", ParsedValue(88.5, "percent")),
        ("88.5 %", ParsedValue(88.5, "percent")),
        ("91,0 %", ParsedValue(91.0, "percent")),
        ("99,45", ParsedValue(99.45, None)),
        ("2,200", ParsedValue(2200.0, None)),
        ("1,014.45", ParsedValue(1014.45, None)),
        ("480M", ParsedValue(480e6, "count")),
        ("1.2B", ParsedValue(1.2e9, "count")),
        ("580k", ParsedValue(580e3, "count")),
        ("1e3", ParsedValue(1000.0, None)),
        ("-170.9", ParsedValue(-170.9, None)),
        ("**91.2**", ParsedValue(91.2, None)),
        ("88.1*", ParsedValue(88.1, None)),
        ("85.2 ± 0.3", ParsedValue(85.2, None)),
        ("91.0% (9.0% error)", ParsedValue(91.0, "percent")),
        ("~99.5% (<0.5% error)", ParsedValue(99.5, "percent", is_estimate=True)),
        ("\ufeff75.3", ParsedValue(75.3, None)),
        ("88.5%%", ParsedValue(88.5, "percent")),
        (17.3, ParsedValue(17.3, None)),
        (3, ParsedValue(3.0, None)),
    ],
)
def test_parse_value_reads_the_claim(cell, expected):
    assert parse_value(cell) == expected


@pytest.mark.parametrize(
    "cell, reason",
    [
        ("-", "no value reported ('-')"),
        ("—", "no value reported ('—')"),
        ("N/A", "no value reported ('N/A')"),
        ("", "no value reported ('')"),
        (None, "no value reported (None)"),
        ("Kinetics400", "not a number: 'Kinetics400'"),
        ("O.9", "not a number: 'O.9'"),
        ("0.33s/img", "not a number: '0.33s/img'"),
        (float("nan"), "not a finite number: nan"),
    ],
)
def test_parse_value_explains_what_it_cannot_read(cell, reason):
    with pytest.raises(ValueProblem) as problem:
        parse_value(cell)
    assert str(problem.value) == reason


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2020-03-18", (date(2020, 3, 18), "day")),
        ("2020-03", (date(2020, 3, 1), "month")),
        ("arXiv, Jun 2024", (date(2024, 6, 1), "month")),
        ("ICML, July 2019", (date(2019, 7, 1), "month")),
        ("NeurIPS 2020", (date(2020, 1, 1), "year")),
        ("2012", (date(2012, 1, 1), "year")),
        (None, (None, "unknown")),
        ("", (None, "unknown")),
    ],
)
def test_parse_date_keeps_precision(text, expected):
    assert parse_date(text) == expected


def test_parse_date_rejects_impossible_dates():
    with pytest.raises(ValueProblem, match="not a calendar date"):
        parse_date("2020-02-30")
    with pytest.raises(ValueProblem, match="not a date"):
        parse_date("soon")


def test_flags_and_arxiv_ids():
    assert [parse_flag(c) for c in ("X", "✓", "×", "yes", "no")] == [True, True, False, True, False]
    assert parse_flag("", blank=False) is False and parse_flag(None) is None
    assert arxiv_id_from_url("https://arxiv.org/abs/2003.08237v4") == "2003.08237"
    assert arxiv_id_from_url("http://arxiv.org/pdf/hep-th/9901001v2") == "hep-th/9901001"
    assert arxiv_id_from_url("https://openreview.net/forum?id=x") is None
