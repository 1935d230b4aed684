"""One payload end to end (`flows/ingest.py`): when it was current, preparing a snapshot from a real payload, loading
it into a real DuckDB file, the message for an HTML page served instead of data, and the user's mistakes."""
from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime

import pytest

from flows.dates import UsageError
from flows.ingest import ingest, observed_at_for, prepare_snapshot
from pipelines.http import FetchResult, HttpClient
from pipelines.registry import UnknownSourceError, get_source, source_names
from pipelines.source import ParseError
from tests.support.http_server import Reply, serve
from warehouse.statements import in_transaction

NOW = datetime(2024, 1, 1, 12, 0)
SQUAD = "pwc-sota-extractor/history/squad@2019-01-03.json"
RECORD = "pwc-sota-extractor/record.json"


def table(con, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def nothing_written(con) -> bool:
    return table(con, "SELECT (SELECT count(*) FROM snapshots) + (SELECT count(*) FROM payloads)") == [(0,)]


def fetched_as(body: bytes, content_type: str | None, location: str = "https://example.org/evaluation-tables.json") -> FetchResult:
    """What the client returns for `body` answered with 200 and `content_type`."""
    return FetchResult(
        location=location, final_url=location, status=200, content=body, content_type=content_type, etag=None,
        last_modified=None, fetched_at=datetime(2024, 1, 1, tzinfo=UTC), attempts=1,
    )


# ----------------------------------------------------------------------------------------------- observed_at_for


@pytest.mark.parametrize(
    ("location", "given", "expected"),
    [
        ("/data/history/squad@2019-01-03.json", None, datetime(2019, 1, 3)),
        ("/data/history/squad@2019-01-03T08-30.json", None, datetime(2019, 1, 3, 8, 30)),
        ("/data/history/squad@2019-01-03_0830.json", None, datetime(2019, 1, 3, 8, 30)),
        ("/data/history/squad@2019-01-03T08:30.json", None, datetime(2019, 1, 3, 8, 30)),
        ("file:///data/results-imagenet@2021-05-11.csv", None, datetime(2021, 5, 11)),
        # only the file name counts, never the query string
        ("https://example.org/board@2020-05-06.json?since=@2021-01-01", None, datetime(2020, 5, 6)),
        ("https://example.org/board.json?since=@2021-01-01", None, NOW),
        ("/data/pwc-sota-extractor/squad.json", None, NOW),
        # a date given wins over the file name's; a timestamp with an offset becomes naive UTC
        ("/data/history/squad@2019-01-03.json", "2020-02-02", datetime(2020, 2, 2)),
        ("/data/squad.json", "2020-02-02T10:00+02:00", datetime(2020, 2, 2, 8, 0)),
        ("/data/squad.json", "2020-02-02 10:00:30", datetime(2020, 2, 2, 10, 0, 30)),
        ("/data/squad@2019-01-03.json", "", datetime(2019, 1, 3)),  # an empty option is no option
    ],
)
def test_observed_at_is_the_date_given_else_the_file_names_else_now(location, given, expected):
    assert observed_at_for(location, given, NOW) == expected


@pytest.mark.parametrize(
    ("location", "given", "message"),
    [
        ("/data/squad@2019-13-01.json", None, "bad date in the file name '2019-13-01': expected YYYY-MM-DD"),
        ("/data/squad.json", "yesterday", "bad --observed-at 'yesterday': expected YYYY-MM-DD or an ISO timestamp"),
        ("/data/squad.json", "2019-02-30", "bad --observed-at '2019-02-30': expected YYYY-MM-DD or an ISO timestamp"),
    ],
)
def test_a_bad_date_is_a_usage_error_in_one_line(location, given, message):
    with pytest.raises(UsageError) as raised:
        observed_at_for(location, given, NOW)
    assert str(raised.value) == message


@pytest.mark.parametrize(
    ("name", "given", "shown"),
    [
        ("board@2030-01-01.json", None, "the date in the file name 2030-01-01 00:00"),
        ("board.json", "2024-01-01T12:01", "--observed-at 2024-01-01 12:01"),
    ],
)
def test_a_future_observation_is_refused_before_anything_is_fetched_or_written(db, tmp_path, name, given, shown):
    missing = tmp_path / name  # never read: the date is checked first
    with pytest.raises(UsageError) as raised:
        ingest(db, "pwc-dump", str(missing), observed_at=given, now=NOW)
    assert str(raised.value) == f"{shown} is in the future"
    assert nothing_written(db)


def test_an_impossible_time_in_a_file_name_is_a_usage_error(db, tmp_path):
    with pytest.raises(UsageError) as raised:
        ingest(db, "pwc-dump", str(tmp_path / "board@2019-01-03T25-00.json"), now=NOW)
    assert str(raised.value) == "bad time in the file name 'board@2019-01-03T25-00.json': hour must be in 0..23"
    assert nothing_written(db)


def test_an_observation_at_this_very_moment_is_not_in_the_future(db, shared_data):
    report = ingest(db, "pwc-dump", str(shared_data / RECORD), observed_at="2024-01-01T12:00", now=NOW)
    assert (report.status, report.observed_at) == ("loaded", NOW)


# ------------------------------------------------------------------------------------------------ prepare_snapshot


def test_prepare_snapshot_parses_normalises_and_validates_a_real_payload(shared_data):
    location = str(shared_data / RECORD)
    fetched = HttpClient().fetch(location)
    spec = get_source("pwc-dump")
    # the day before GraphBert's and GraphBert-NELL's papers (2020-10-08): their four values are in the future
    snapshot = prepare_snapshot(spec, fetched, location, {}, datetime(2020, 10, 7, 9), date(2020, 10, 7))
    assert (snapshot.source, snapshot.source_description, snapshot.full_listing) == ("pwc-dump", spec.description, True)
    assert (snapshot.location, snapshot.options, snapshot.observed_at) == (location, {}, datetime(2020, 10, 7, 9))
    assert snapshot.payload == (shared_data / RECORD).read_bytes()
    assert snapshot.sha256 == hashlib.sha256(snapshot.payload).hexdigest()
    assert (snapshot.rows_parsed, len(snapshot.results), snapshot.duplicates) == (24, 20, 0)

    def future(row: int, model: str, metric: str, value: str) -> tuple[str, str, str]:
        return (
            f"Common Sense Reasoning / ReCoRD / row {row}",
            f"{metric}: published_on: failed check 'not in the future' (value datetime.date(2020, 10, 8))",
            (f'{{"model":"{model}","value":{value},"task":"Common Sense Reasoning","dataset":"ReCoRD","metric":"{metric}",'
             '"paper_title":null,"published_on":"2020-10-08T00:00:00.000"}'),
        )

    assert snapshot.rejects == [
        future(8, "GraphBert (single)", "EM", "60.8"), future(8, "GraphBert (single)", "F1", "62.986"),
        future(10, "GraphBert-NELL (single)", "EM", "59.41"), future(10, "GraphBert-NELL (single)", "F1", "61.515"),
    ]
    assert list(snapshot.results[["model", "metric", "value"]].head(4).itertuples(index=False, name=None)) == [
        ("LUKE (single model)", "EM", 90.64), ("LUKE (single model)", "F1", 91.209),
        ("XLNet + MTL + Verifier (ensemble)", "EM", 83.09), ("XLNet + MTL + Verifier (ensemble)", "F1", 83.737),
    ]
    assert "GraphBert (single)" not in set(snapshot.results["model"])


# -------------------------------------------------------------------------------------------------------- ingest


def test_ingest_loads_a_file_as_one_snapshot(db, shared_data):
    path = shared_data / SQUAD
    report = ingest(db, "pwc-dump", str(path), now=NOW)
    assert report.summary() == (
        "snapshot 1 of pwc-dump observed 2019-01-03 00:00: 342 rows loaded, 74 rejected, 0 exact repeats folded; "
        "results 342 new, 0 changed, 0 unchanged, 0 removed"
    )
    assert (report.snapshot_id, report.source, report.location, report.observed_at, report.status, report.rows_parsed) == (
        1, "pwc-dump", str(path), datetime(2019, 1, 3), "loaded", 416,
    )
    assert table(db, "SELECT source, location, observed_at, loaded_at, status, rows_loaded, rows_rejected, error FROM snapshots") == [
        ("pwc-dump", str(path), datetime(2019, 1, 3), NOW, "loaded", 342, 74, None),
    ]
    assert table(db, "SELECT sha256 FROM payloads") == [(hashlib.sha256(path.read_bytes()).hexdigest(),)]
    assert table(db, "SELECT count(*), min(first_seen_at), count(*) FILTER (WHERE removed_at IS NULL) FROM results") == [
        (342, datetime(2019, 1, 3), 342),
    ]
    assert table(db, "SELECT count(*), count(DISTINCT snapshot_id) FROM rejects") == [(74, 1)]
    assert table(db, "SELECT DISTINCT task, dataset FROM benchmarks ORDER BY ALL") == [
        ("Question Answering", "SQuAD1.1"), ("Question Answering", "SQuAD2.0"),
    ]


def test_hooks_run_before_the_load_and_inside_its_transaction_and_not_for_the_same_bytes(db, shared_data):
    seen = []

    class Hook:
        def before_load(self, con):
            seen.append(("before", in_transaction(con), table(con, "SELECT count(*) FROM snapshots")[0][0]))

        def __call__(self, con, snapshot_id):
            seen.append(("after", in_transaction(con), snapshot_id, table(con, "SELECT count(*) FROM results")[0][0]))

    ingest(db, "pwc-dump", str(shared_data / RECORD), observed_at="2021-01-01", now=NOW, after_load=Hook())
    again = ingest(db, "pwc-dump", str(shared_data / RECORD), observed_at="2021-01-01", now=NOW, after_load=Hook())
    assert again.status == "already-loaded"
    assert seen == [("before", False, 0), ("after", True, 1, 24)]


def test_an_html_page_served_instead_of_data_is_named_and_kept_as_a_failed_snapshot(db, shared_data):
    login = b"<!DOCTYPE html>\n<html><head><title>Sign in \n  to GitHub</title></head><body>...</body></html>"
    with serve(shared_data) as server:
        server.route("/" + RECORD, [Reply(200, {"Content-Type": "text/html; charset=utf-8"}, login)])
        url = server.url("/" + RECORD)
        with pytest.raises(ParseError) as raised:
            ingest(db, "pwc-dump", url, now=NOW)
    message = (
        f"pwc-dump: cannot parse {url}: invalid JSON at line 1 column 1: Expecting value "
        "(the server sent an HTML page titled 'Sign in to GitHub' instead)"
    )
    assert str(raised.value) == message
    assert (raised.value.source, raised.value.location) == ("pwc-dump", url)
    assert table(db, "SELECT location, observed_at, status, error FROM snapshots") == [(url, NOW, "failed", message)]
    assert table(db, "SELECT count(*) FROM results") == [(0,)]


@pytest.mark.parametrize(
    ("content_type", "body", "sent"),
    [
        # by its declared type, with or without a title
        ("text/html", b"<p>Moved</p>", "an HTML page"),
        ("application/xhtml+xml", b"<html><head><title>Error</title></head></html>", "an HTML page titled 'Error'"),
        # by its first bytes, whatever the server declares: a byte-order mark and comments before it are allowed
        ("application/json", b"\xef\xbb\xbf  <!-- proxy -->\n<HTML><title>502 Bad Gateway</title>",
         "an HTML page titled '502 Bad Gateway'"),
        (None, b"<!doctype html><title>" + b"x" * 150 + b"</title>", "an HTML page titled '" + "x" * 100 + "'"),
    ],
)
def test_an_html_page_is_recognised_by_its_type_or_its_first_bytes(content_type, body, sent):
    location = "https://example.org/evaluation-tables.json"
    with pytest.raises(ParseError) as raised:
        prepare_snapshot(get_source("pwc-dump"), fetched_as(body, content_type), location, {}, NOW, NOW.date())
    assert str(raised.value).endswith(f" (the server sent {sent} instead)")
    assert str(raised.value).startswith(f"pwc-dump: cannot parse {location}: invalid JSON at line 1 column ")


def test_a_broken_payload_that_is_not_html_keeps_the_parsers_own_words():
    location = "https://example.org/evaluation-tables.json"
    with pytest.raises(ParseError) as raised:
        prepare_snapshot(get_source("pwc-dump"), fetched_as(b'[{"task": "x", "datasets": [', "application/json"),
                         location, {}, NOW, NOW.date())
    assert str(raised.value) == (
        f"pwc-dump: cannot parse {location}: invalid JSON at line 1 column 29: Expecting value"
    )


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({}, "source csv needs --task and --dataset"),
        ({"task": "Image Classification"}, "source csv needs --dataset"),
        ({"task": None, "dataset": ""}, "source csv needs --task and --dataset"),  # unset and empty count as missing
    ],
)
def test_a_required_option_missing_is_a_usage_error_before_anything_is_fetched(db, tmp_path, options, message):
    with pytest.raises(UsageError) as raised:
        ingest(db, "csv", str(tmp_path / "never-read.csv"), options=options, now=NOW)
    assert str(raised.value) == message
    assert nothing_written(db)


def test_options_reach_the_parser_and_are_kept_with_the_snapshot(db, shared_data):
    path = shared_data / "timm-results/history/results-imagenet@2019-07-25.csv"
    options = {"task": "Image Classification", "dataset": "ImageNet", "unused": None}
    report = ingest(db, "csv", str(path), options=options, now=NOW)
    assert (report.status, report.observed_at, report.rows_parsed, report.rows_loaded) == ("loaded", datetime(2019, 7, 25), 602, 602)
    assert table(db, "SELECT options FROM snapshots") == [('{"dataset": "ImageNet", "task": "Image Classification"}',)]
    assert table(db, "SELECT DISTINCT task, dataset FROM benchmarks") == [("Image Classification", "ImageNet")]


def test_an_unknown_source_is_named_with_the_known_ones(db, tmp_path):
    with pytest.raises(UnknownSourceError) as raised:
        ingest(db, "pwc", str(tmp_path / "never-read.json"), now=NOW)
    assert str(raised.value) == f"unknown source 'pwc' (known: {', '.join(source_names())})"
    assert nothing_written(db)
