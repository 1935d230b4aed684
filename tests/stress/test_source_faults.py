"""A source that breaks on the wire or sends the wrong thing, through the real path (loopback server, `ingest`, a real
DuckDB file): what the user sees is one error naming the source, the URL and what is wrong, and what the warehouse
holds afterwards is what it held before, plus a failed snapshot that keeps the payload for a look.
"""
from __future__ import annotations

import duckdb
import pytest

from flows.ingest import ingest
from pipelines.source import ParseError
from tests.support.http_server import Reply, serve

HANDCOPY = "/pwc-imagenet-2019-handcopy/imagenet_table.csv"
DUMP = "/pwc-dump-2020-08-28/evaluation-tables.json.gz"
IMAGENET = {"task": "Image Classification", "dataset": "ImageNet"}
HTML_ERROR_PAGE = (
    b"<!DOCTYPE html>\n<html><head><title>503 Service Temporarily Unavailable</title></head>"
    b"<body><h1>Service Temporarily Unavailable</h1><p>Please try again later.</p></body></html>\n"
)


def warehouse(con: duckdb.DuckDBPyConnection) -> dict:
    return {
        "snapshots": con.execute("SELECT source, status FROM snapshots ORDER BY snapshot_id").fetchall(),
        "results": con.execute("SELECT count(*) FROM results").fetchone()[0],
        "payloads": con.execute("SELECT count(*) FROM payloads").fetchone()[0],
    }


@pytest.fixture
def server(shared_data):
    with serve(shared_data) as running:
        yield running


@pytest.fixture
def loaded(db, server):
    """A warehouse holding the ImageNet hand copy: the data a broken payload must leave alone."""
    assert ingest(db, "csv", server.url(HANDCOPY), options=IMAGENET).status == "loaded"
    return warehouse(db)


def corrupt(gz: bytes) -> bytes:
    middle = len(gz) // 2
    return gz[:middle] + bytes(b ^ 0xFF for b in gz[middle:middle + 64]) + gz[middle + 64:]


def test_a_corrupt_gzip_is_a_parse_error_naming_source_and_url_and_keeps_the_rest(db, server, loaded, shared_data):
    server.route("/dump.json.gz", [Reply(200, {"Content-Type": "application/gzip"},
                                          corrupt((shared_data / DUMP.lstrip("/")).read_bytes()))])
    url = server.url("/dump.json.gz")

    with pytest.raises(ParseError) as caught:
        ingest(db, "pwc-dump", url)

    assert str(caught.value).startswith(f"pwc-dump: cannot parse {url}: corrupt gzip: ")
    after = warehouse(db)
    assert after["results"] == loaded["results"] == 272
    assert after["snapshots"] == [("csv", "loaded"), ("pwc-dump", "failed")]
    assert after["payloads"] == 2  # the broken bytes are kept with the failed snapshot, to be looked at


def test_a_truncated_gzip_is_a_parse_error_too(db, server, loaded, shared_data):
    whole = (shared_data / DUMP.lstrip("/")).read_bytes()
    server.route("/dump.json.gz", [Reply(200, body=whole[: len(whole) // 3])])  # complete as HTTP, cut as gzip

    with pytest.raises(ParseError, match="corrupt gzip"):
        ingest(db, "pwc-dump", server.url("/dump.json.gz"))

    assert warehouse(db)["results"] == loaded["results"]


@pytest.mark.parametrize("kind, payload, old, new, problem", [
    # the leaderboard table renamed; the model column renamed; the score column renamed
    ("robustbench-html", "robustbench/html-head/imagenet_Linf.html", b'id="imagenet_leaderboard_Linf"',
     b'id="imagenet_board"', "no leaderboard table"),
    ("timm-csv", "timm-results/results-imagenet.csv", b"model,", b"name,", "header has no 'model' column"),
    ("timm-csv", "timm-results/results-imagenet.csv", b",top1,", b",top1_acc,", "'top1'"),
])
def test_a_layout_change_fails_naming_source_url_and_what_is_missing_and_leaves_the_last_load(
    db, server, shared_data, kind, payload, old, new, problem
):
    good = (shared_data / payload).read_bytes()
    route = "/board/" + payload.rsplit("/", 1)[1]  # timm names the dataset in the file name
    server.route(route, [Reply(200, body=good)])
    assert ingest(db, kind, server.url(route)).status == "loaded"
    before = warehouse(db)
    board_before = db.execute("SELECT count(*) FROM results WHERE removed_at IS NULL").fetchone()

    server.route(route, [Reply(200, body=good.replace(old, new, 1))])
    with pytest.raises(ParseError) as caught:
        ingest(db, kind, server.url(route))

    assert str(caught.value).startswith(f"{kind}: cannot parse {server.url(route)}: ")
    assert problem in caught.value.problem
    after = warehouse(db)
    # the last good load still stands: nothing removed, nothing added; the drifted payload kept for a look
    assert after["results"] == before["results"] and after["snapshots"] == before["snapshots"] + [(kind, "failed")]
    assert db.execute("SELECT count(*) FROM results WHERE removed_at IS NULL").fetchone() == board_before


@pytest.mark.parametrize("kind, path, options, problem", [
    ("pwc-dump", "/dump.json", {}, "invalid JSON at line 1 column 1: Expecting value"),
    ("timm-csv", "/results-imagenet.csv", {}, "header has no 'model' column"),
    ("csv", "/board.csv", IMAGENET, "no model column in the header"),
])
@pytest.mark.parametrize("content_type", ["text/html; charset=utf-8", "application/octet-stream"])
def test_an_html_error_page_where_data_was_expected_is_named_as_such(db, server, loaded, kind, path, options, problem,
                                                                     content_type):
    # Answered with 200, as proxies and moved-file pages do; with or without an honest Content-Type.
    server.route(path, [Reply(200, {"Content-Type": content_type}, HTML_ERROR_PAGE)])
    url = server.url(path)

    with pytest.raises(ParseError) as caught:
        ingest(db, kind, url, options=options)

    message = str(caught.value)
    assert message.startswith(f"{kind}: cannot parse {url}: {problem}") and "\n" not in message
    assert message.endswith("(the server sent an HTML page titled '503 Service Temporarily Unavailable' instead)")
    after = warehouse(db)
    assert after["results"] == loaded["results"] and after["snapshots"][-1] == (kind, "failed")


def test_an_html_page_that_is_the_data_still_parses(db, server, shared_data):
    # The HTML sources read pages: the hint is only ever added to a failure.
    page = "/robustbench/html-head/imagenet_Linf.html"
    report = ingest(db, "robustbench-html", server.url(page))
    assert report.status == "loaded" and report.rows_loaded > 0


def test_a_source_answering_503_forever_fails_alone_in_a_run_naming_url_and_attempts(
    prefect_harness, tmp_path, server
):
    from flows.nightly import nightly, run_result

    server.route("/down.json", [Reply(503, body=b"maintenance")])
    config = tmp_path / "sota.toml"
    config.write_text(f"""
[warehouse]
path = "sota.duckdb"

[run]
retries = 0
http_retries = 1

[[sources]]
name = "down"
kind = "pwc-dump"
url = "{server.url('/down.json')}"

[[sources]]
name = "handcopy"
kind = "csv"
url = "{server.url(HANDCOPY)}"
task = "Image Classification"
dataset = "ImageNet"
""")

    state = nightly(str(config), return_state=True)

    assert state.is_failed() and state.message == "1 of 2 sources failed: down"
    down, handcopy = run_result(state).sources
    assert down.error == f"GET {server.url('/down.json')} failed after 2 attempts: HTTP 503 Service Unavailable"
    assert handcopy.report.status == "loaded" and handcopy.report.results_new == 272
    assert len(server.requests_to("/down.json")) == 2
    with duckdb.connect(str(tmp_path / "sota.duckdb"), read_only=True) as con:
        # nothing was fetched from the source that was down, so nothing of it is stored
        assert con.execute("SELECT source, status FROM snapshots").fetchall() == [("handcopy", "loaded")]
