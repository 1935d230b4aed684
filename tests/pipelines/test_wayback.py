"""The Wayback Machine's index (CDX) as the backfill reads it, and the URLs it asks: pure functions, no network."""
from datetime import date, datetime
from urllib.parse import parse_qs, urlsplit

import pytest

from pipelines.source import ParseError
from pipelines.wayback import Capture, capture_url, cdx_query_url, parse_cdx

PAGE = "https://paperswithcode.com/sota/image-classification-on-imagenet"
QUERY = "https://web.archive.org/cdx/search/cdx?url=..."

# An index answer as the archive gives it (output=json): the header row, then one row per capture, every field text.
CDX_ANSWER = b"""[["urlkey","timestamp","original","mimetype","statuscode","digest","length"],
["com,paperswithcode)/sota/image-classification-on-imagenet","20210126052218","https://paperswithcode.com/sota/image-classification-on-imagenet","text/html","200","L3YGR3MCY6OYIXSB3DGKBBSLCEXRQ4ZD","99417"],
["com,paperswithcode)/sota/image-classification-on-imagenet","20220301101010","https://paperswithcode.com/sota/image-classification-on-imagenet/","text/html","200","Q6WXKB5NKN4OSUEN5G4WGJ3HR5S5BVQB","121034"],
["com,paperswithcode)/sota/image-classification-on-imagenet","20231207153000","http://paperswithcode.com:80/sota/image-classification-on-imagenet","text/html","200","ZPVK3KQJ2N7WX6MIZ6JYJHXOGXBZ5G5G","-"]]
"""


def test_an_index_answer_is_one_capture_per_row_oldest_first_with_its_time():
    assert parse_cdx(CDX_ANSWER, QUERY) == [
        Capture("20210126052218", PAGE, "L3YGR3MCY6OYIXSB3DGKBBSLCEXRQ4ZD", "text/html", "200", 99417),
        Capture("20220301101010", PAGE + "/", "Q6WXKB5NKN4OSUEN5G4WGJ3HR5S5BVQB", "text/html", "200", 121034),
        Capture("20231207153000", "http://paperswithcode.com:80/sota/image-classification-on-imagenet",
                "ZPVK3KQJ2N7WX6MIZ6JYJHXOGXBZ5G5G", "text/html", "200", None),
    ]
    assert parse_cdx(CDX_ANSWER, QUERY)[0].observed_at == datetime(2021, 1, 26, 5, 22, 18)


def test_fields_are_found_by_the_header_and_rows_sorted_by_time():
    answer = b'[["timestamp","digest","original"],["20230102000000","B","u"],["20230101000000","A","u"]]'
    assert [(c.timestamp, c.digest, c.length) for c in parse_cdx(answer, QUERY)] == [
        ("20230101000000", "A", None), ("20230102000000", "B", None)]


@pytest.mark.parametrize("answer", [b"", b"\n", b"[]"])
def test_a_page_never_captured_lists_nothing(answer):
    assert parse_cdx(answer, QUERY) == []


@pytest.mark.parametrize(
    ("answer", "problem"),
    [
        (b"com,paperswithcode)/sota/x 20210126052218 https://x text/html 200 DIGEST 1", "invalid JSON at line 1"),
        (b'{"error": "x"}', "expected a JSON list of rows"),
        (b'[["urlkey","original","digest"],["k","u","D"]]', "has no timestamp field"),
        (b'[["timestamp","original","digest"],["20210126","u","D"]]', "row 1: timestamp '20210126' is not YYYYMMDDhhmmss"),
        (b'[["timestamp","original","digest"],["20211326000000","u","D"]]', "is not a time"),
        (b'[["timestamp","original","digest"],["20210126000000","u"]]', "row 1 has 2 fields, the header 3"),
    ],
)
def test_an_answer_of_another_shape_is_a_parse_error_naming_the_query(answer, problem):
    with pytest.raises(ParseError, match="wayback-cdx: cannot parse https://web.archive.org/cdx") as raised:
        parse_cdx(answer, QUERY)
    assert problem in str(raised.value)


def test_the_index_query_asks_for_json_distinct_successful_captures_in_the_range():
    url = cdx_query_url("https://web.archive.org/", PAGE, start=date(2021, 1, 1), end=date(2023, 12, 31))
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "web.archive.org", "/cdx/search/cdx")
    assert parse_qs(parts.query) == {
        "url": [PAGE], "output": ["json"], "collapse": ["digest"], "filter": ["statuscode:200"],
        "from": ["20210101"], "to": ["20231231"],
    }
    assert "filter=statuscode:200" in url  # as the archive documents it, the colon unescaped
    assert "from" not in parse_qs(urlsplit(cdx_query_url("http://127.0.0.1:8000", PAGE)).query)


def test_a_page_url_with_a_query_of_its_own_stays_one_parameter():
    url = cdx_query_url("https://web.archive.org", "https://example.org/board?sort=top&page=2")
    assert parse_qs(urlsplit(url).query)["url"] == ["https://example.org/board?sort=top&page=2"]


def test_a_capture_is_fetched_raw_at_its_timestamp():
    capture = Capture("20231207153000", PAGE, "D")
    assert capture_url("https://web.archive.org/", capture) == (
        "https://web.archive.org/web/20231207153000id_/https://paperswithcode.com/sota/image-classification-on-imagenet"
    )
