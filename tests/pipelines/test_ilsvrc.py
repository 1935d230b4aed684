"""ilsvrc-csv against the real ILSVRC winners file (skaltman/ai-progress), read in place from the shared data folder."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from pipelines.source import ParseError, RawRow
from pipelines.ilsvrc import DEFAULT_URL, SOURCE, fraction_to_percent, parse_ilsvrc_csv
from pipelines.normalize import normalize_rows
from pipelines.registry import get_source

TOP5_EVALUATION = "ILSVRC test set (challenge results)"
TOP1_EVALUATION = "not stated by the file (figures from the entry's paper, on varied evaluation sets)"


@pytest.fixture(scope="module")
def path(shared_data: Path) -> Path:
    return shared_data / "ilsvrc-winners" / "imagenet.csv"


@pytest.fixture(scope="module")
def rows(path: Path) -> list[RawRow]:
    return parse_ilsvrc_csv(path.read_bytes(), str(path))


def test_source_is_registered():
    assert get_source("ilsvrc-csv") is SOURCE
    assert SOURCE.parse is parse_ilsvrc_csv
    assert SOURCE.full_listing is True
    assert SOURCE.required_options == ()
    assert SOURCE.default_url == DEFAULT_URL


def test_first_and_last_rows_are_whole(rows: list[RawRow]):
    assert rows[:2] == [
        RawRow(task="Image Classification", dataset="ILSVRC", metric="Top 1 Error", model="NEC-UIUC", value="47.1%",
               row_ref="line 2", published="2010",
               attributes={"compute": "8.7e-4", "evaluation": TOP1_EVALUATION}),
        RawRow(task="Image Classification", dataset="ILSVRC", metric="Top 5 Error", model="NEC-UIUC",
               value="28.191%", row_ref="line 2", published="2010",
               attributes={"compute": "8.7e-4", "evaluation": TOP5_EVALUATION}),
    ]
    assert rows[-2:] == [
        RawRow(task="Image Classification", dataset="ILSVRC", metric="Top 1 Error", model="SENet (WMW)",
               value="17.28%", row_ref="line 9", published="2017",
               attributes={"compute": "0.1935", "evaluation": TOP1_EVALUATION}),
        RawRow(task="Image Classification", dataset="ILSVRC", metric="Top 5 Error", model="SENet (WMW)",
               value="2.251%", row_ref="line 9", published="2017",
               attributes={"compute": "0.1935", "evaluation": TOP5_EVALUATION}),
    ]


def test_every_year_two_rows_named_after_the_entry_whose_figures_they_carry(rows: list[RawRow]):
    assert len(rows) == 16
    top5 = {(r.published, r.model, r.value) for r in rows if r.metric == "Top 5 Error"}
    assert top5 == {
        ("2010", "NEC-UIUC", "28.191%"),
        ("2011", "XRCE", "25.77%"),
        ("2012", "AlexNet (SuperVision)", "16.422%"),
        ("2013", "ZFNet (Clarifai)", "11.743%"),
        ("2014", "VGG", "7.405%"),  # VGG's figure; GoogLeNet's winning 6.656% is not in the file
        ("2015", "ResNet (MSRA)", "3.567%"),
        ("2016", "Trimps-Soushen", "2.991%"),
        ("2017", "SENet (WMW)", "2.251%"),
    }
    # 2016's compute is NaN in the file: not known, so not kept.
    assert [r.attributes for r in rows if r.published == "2016"] == [
        {"evaluation": TOP1_EVALUATION}, {"evaluation": TOP5_EVALUATION}]


def test_normalized_rows_are_lower_is_better_percents_with_year_dates(rows: list[RawRow]):
    normalized = normalize_rows(rows)
    assert normalized.rejects == [] and normalized.duplicates == 0
    results = normalized.results
    assert len(results) == 16
    assert set(results["direction"]) == {"lower"}
    assert set(results["unit"]) == {"percent"}
    assert set(results["published_precision"]) == {"year"}
    first = results.iloc[1]
    assert (first["metric"], first["value"], first["published_on"]) == ("Top 5 Error", 28.191, date(2010, 1, 1))


def test_fractions_become_percent_text_exactly():
    assert [fraction_to_percent(t) for t in ("0.16422", "0.36", "0.1938", "0.16", "1.5e-4")] == [
        "16.422%", "36%", "19.38%", "16%", "0.015%"]
    # Not a number: left as written, so that normalisation rejects it with the reason.
    assert fraction_to_percent("NaN") == "NaN" and fraction_to_percent("n/a") == "n/a"


def test_an_unknown_year_is_named_generically():
    rows = parse_ilsvrc_csv(b"year,t5error,t1error\n2018,0.02,0.15\n", "imagenet.csv")
    assert {r.model for r in rows} == {"ILSVRC 2018 winner"}


def test_parsing_twice_gives_the_same_rows(path: Path):
    assert parse_ilsvrc_csv(path.read_bytes(), str(path)) == parse_ilsvrc_csv(path.read_bytes(), str(path))


# --- broken payloads -------------------------------------------------------------------------------------------


def test_the_compute_file_beside_it_is_a_parse_error_naming_source_location_and_column(shared_data: Path):
    # compute_sota.csv (date, petaflop-days, result) is a real file from the same folder that is not this table.
    other = shared_data / "ilsvrc-winners" / "compute_sota.csv"
    with pytest.raises(ParseError) as caught:
        parse_ilsvrc_csv(other.read_bytes(), str(other))
    error = caught.value
    assert (error.source, error.location) == ("ilsvrc-csv", str(other))
    assert error.problem.startswith("header has no 'year' column")
    assert str(error).startswith(f"ilsvrc-csv: cannot parse {other}: ")


def test_a_renamed_error_column_is_a_parse_error(path: Path):
    payload = path.read_bytes().replace(b"t1error", b"top1", 1)
    with pytest.raises(ParseError, match="no 't1error' column"):
        parse_ilsvrc_csv(payload, "imagenet.csv")


def test_no_rows_or_a_short_line_is_a_parse_error(path: Path):
    header = path.read_bytes().split(b"\n", 1)[0] + b"\n"
    with pytest.raises(ParseError, match="no data rows"):
        parse_ilsvrc_csv(header, "imagenet.csv")
    with pytest.raises(ParseError, match="no header"):
        parse_ilsvrc_csv(b"", "imagenet.csv")
    cut = path.read_bytes().replace(b"2013,0.0062,0.11743,0.36,", b"2013,0.0062,", 1)
    with pytest.raises(ParseError, match="line 5 has 3 fields, the header has 5"):
        parse_ilsvrc_csv(cut, "imagenet.csv")
