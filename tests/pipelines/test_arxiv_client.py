"""arxiv_client: the polite client against a real server on 127.0.0.1 that replays recorded responses by URL, asked
through the source's fetch, and what a location asks of the API.

As in arxiv.py's own tests, a recorded response a test expects must be asked for, exactly as recorded, and every
one of them must be used (`Recordings.assert_all_used`). Time is a fake clock: the 3-second rule and the backoff are
asserted as the sleeps the client asked for; nothing really waits.
"""
from __future__ import annotations

import pytest

from pipelines.arxiv import fetch_arxiv, parse_arxiv_feed
from pipelines.arxiv_atom import read_arxiv_feed
from pipelines.arxiv_client import (
    API_URL,
    ARXIV_HOST,
    ArxivClient,
    ArxivUnknownIdError,
    arxiv_http_client,
    arxiv_request,
)
from pipelines.http import FetchFatalError, FetchRetryableError
from tests.support.arxiv_feeds import dev_entries, feed_xml, query_of, recording
from tests.support.http_server import Reply, reset

# --------------------------------------------------------------------------------------------------------------
# Paging, politeness and failures


def test_paging_asks_every_recorded_page_once_in_order_three_seconds_apart(recorded, make_client, clock, shared_data):
    recorded.expect(*[f"q_testing_s{start}_m10_{suffix}.json" for start, suffix in (
        (0, "bc5a6c384fe9"), (10, "34e56e15aaac"), (20, "348a237fecab"), (30, "f2e39f0143dc"), (40, "96dd32eb854c"),
        (50, "7f488ab8598c"))])
    payload = fetch_arxiv("search_query=testing", make_client(), sort_by="relevance", sort_order="descending",
                          page_size=10, max_total=60, base_url=recorded.base_url)
    feed = read_arxiv_feed(payload, "harvest")
    one_page = read_arxiv_feed(recording(shared_data, "q_testing_s0_m100_cfe7536492ca.json")["body"].encode(), "m100")
    assert [e.arxiv_id for e in feed.entries] == [e.arxiv_id for e in one_page.entries[:60]]
    assert (feed.total, feed.start) == (60, 0)
    # sorted by relevance: no cursor; 60 of 214881 asked for: not complete
    assert feed.harvest == {"query": "testing", "pages": "6", "upstream_total": "214881", "complete": "false"}
    assert clock.sleeps == [3.0] * 5



@pytest.mark.parametrize(
    "name",
    [
        "q_testing_s0_m100_cfe7536492ca.json", "q_testing_s0_m15_80c242b59d59.json",
        "q_testing_s5_m10_c0e94a259d4a.json", "q_testing_s5_m15_bbcf6b23085b.json",
        "q_testing_s9_m15_0b78d4b4d476.json", "id_1605.08386_s0_m100_199195aa31ad.json",
        "id_1707.08567_s0_m100_6a1afebfc6a3.json", "id_2104.12255v1_s0_m100_6ae69987ffe1.json",
        "id_astro-ph_0601001_s0_m100_3150dca9dc76.json", "id_quant-ph_0201082v1_s0_m100_86989fe779ef.json",
    ],
)
def test_a_recorded_url_is_asked_as_recorded(recorded, make_client, name):
    [expected] = recorded.expect(name)
    payload = fetch_arxiv(recorded.local(expected["url"]), make_client())
    recorded_feed = read_arxiv_feed(expected["body"].encode(), name)
    fetched = read_arxiv_feed(payload, "harvest")
    assert [e.arxiv_id for e in fetched.entries] == [e.arxiv_id for e in recorded_feed.entries]



def test_an_id_list_is_asked_as_arxiv_py_asks_it(recorded, make_client):
    recorded.expect("id_astro-ph_0601001_s0_m100_3150dca9dc76.json")
    payload = fetch_arxiv("id_list=astro-ph/0601001", make_client(), page_size=100, base_url=recorded.base_url)
    assert [e.arxiv_id for e in read_arxiv_feed(payload, "ids").entries] == ["astro-ph/0601001"]



@pytest.mark.parametrize(
    ("name", "missing"),
    [("id_0000.0000_s0_m100_8b51d9633a68.json", "0000.0000"),
     ("id_0808.05394_1707.08567_s0_m100_42e5aa0ec3af.json", "0808.05394 (asked for 0808.05394, 1707.08567)")],
)
def test_ids_arxiv_does_not_know_are_an_error(recorded, make_client, name, missing):
    [expected] = recorded.expect(name)
    with pytest.raises(ArxivUnknownIdError, match=rf"arXiv has no paper {missing.replace('(', '.').replace(')', '.')}"):
        fetch_arxiv(recorded.local(expected["url"]), make_client())



def test_a_malformed_id_is_refused_before_asking(server, make_client):
    with pytest.raises(FetchFatalError, match="malformed arXiv id 'abc': not asked"):
        fetch_arxiv("id_list=abc", make_client(), base_url=server.url("/api/query"))
    assert server.requests == []



def test_an_http_400_error_feed_fails_at_once(server, make_client, clock, shared_data):
    refused = recording(shared_data, "id_abc_s0_m100_b79c8dcf6bc3.json")
    server.route("/api/query", [Reply(400, body=refused["body"].encode())])
    with pytest.raises(FetchFatalError) as raised:
        fetch_arxiv("search_query=ti:(unbalanced", make_client(), base_url=server.url("/api/query"))
    assert raised.value.status == 400 and len(server.requests) == 1 and clock.sleeps == []



def test_an_error_feed_answered_with_200_is_fatal_with_arxivs_message(server, make_client, shared_data):
    refused = recording(shared_data, "id_abc_s0_m100_b79c8dcf6bc3.json")
    server.route("/api/query", [Reply(200, body=refused["body"].encode())])
    with pytest.raises(FetchFatalError, match="arXiv API error: incorrect id format for abc"):
        fetch_arxiv("search_query=all:x", make_client(), base_url=server.url("/api/query"))



def pages_of(entries: list[str], size: int, total: int | None = None) -> list[bytes]:
    total = len(entries) if total is None else total
    return [feed_xml(entries[i:i + size], total=total, start=i) for i in range(0, len(entries), size)]



def test_paging_stops_at_the_feeds_total(server, make_client, clock, shared_data):
    entries = dev_entries(shared_data)[:25]
    server.route("/api/query", [Reply(200, body=page) for page in pages_of(entries, 10)])
    payload = fetch_arxiv("search_query=all:imagenet", make_client(), sort_by="relevance", page_size=10,
                          max_total=1000, base_url=server.url("/api/query"))
    asked = [query_of(r.path) for r in server.requests]
    assert [(q["start"], q["max_results"]) for q in asked] == [(["0"], ["10"]), (["10"], ["10"]), (["20"], ["10"])]
    assert len(read_arxiv_feed(payload, "h").entries) == 25 and clock.sleeps == [3.0, 3.0]
    assert len(parse_arxiv_feed(payload, "h")) > 10



def test_an_empty_page_is_asked_again(server, make_client, clock, shared_data):
    first, second = pages_of(dev_entries(shared_data)[:20], 10)
    glitch = feed_xml([], total=20, start=10)
    server.route("/api/query", [Reply(200, body=first), Reply(200, body=glitch), Reply(200, body=second)])
    payload = fetch_arxiv("search_query=all:imagenet", make_client(), sort_by="relevance", page_size=10,
                          base_url=server.url("/api/query"))
    assert [query_of(r.path)["start"] for r in server.requests] == [["0"], ["10"], ["10"]]
    assert len(read_arxiv_feed(payload, "h").entries) == 20 and clock.sleeps == [3.0, 3.0]



def test_empty_pages_every_time_fail_as_retryable(server, make_client, shared_data):
    first, _ = pages_of(dev_entries(shared_data)[:20], 10)
    server.route("/api/query", [Reply(200, body=first), Reply(200, body=feed_xml([], total=20, start=10))])
    with pytest.raises(FetchRetryableError, match="empty-page glitch") as raised:
        fetch_arxiv("search_query=all:imagenet", make_client(), sort_by="relevance", page_size=10,
                    empty_page_retries=2, base_url=server.url("/api/query"))
    assert raised.value.attempts == 3 and len(server.requests) == 4



def test_5xx_and_resets_are_retried_with_backoff_inside_the_3_second_rule(server, make_client, clock, shared_data):
    page = feed_xml(dev_entries(shared_data)[:3])
    server.route("/api/query", [Reply(503), reset(), Reply(200, body=page)])
    payload = fetch_arxiv("search_query=all:imagenet", make_client(), sort_by="relevance",
                          base_url=server.url("/api/query"))
    assert len(read_arxiv_feed(payload, "h").entries) == 3 and len(server.requests) == 3
    # backoff 1 s, then the rest of the 3 s since the first request; backoff 2 s, then the rest of the next 3 s
    assert clock.sleeps == [1.0, 2.0, 2.0, 1.0]



def test_requests_name_the_project(server, make_client, shared_data):
    server.route("/api/query", [Reply(200, body=feed_xml([]))])
    fetch_arxiv("search_query=all:imagenet", make_client(), sort_by="relevance", base_url=server.url("/api/query"))
    assert server.requests[0].headers["User-Agent"].startswith("sotawatch/")



def test_the_default_client_keeps_arxivs_interval():
    with arxiv_http_client() as client:
        assert client.min_interval_per_host == {ARXIV_HOST: 3.0}
        assert "sotawatch" in client.user_agent



def test_a_harvest_gives_the_same_bytes_for_the_same_answers(server, make_client, shared_data):
    pages = pages_of(dev_entries(shared_data)[:12], 5)
    server.route("/api/query", [Reply(200, body=page) for page in pages + pages])
    ask = {"sort_by": "relevance", "page_size": 5, "base_url": server.url("/api/query")}
    first = fetch_arxiv("search_query=all:x", make_client(), **ask)
    assert first == fetch_arxiv("search_query=all:x", make_client(), **ask)


def test_a_client_keeps_its_own_delay_and_its_errors_name_the_url_and_the_try(server, make_client, clock, shared_data):
    """`ArxivClient` on its own, as arxiv.py's `Client(page_size, delay_seconds, num_retries)`: requests `delay_seconds`
    apart (more than arXiv's 3 s if asked), and a page still empty after `num_retries` fails naming its URL and try."""
    first, _ = pages_of(dev_entries(shared_data)[:20], 10)
    server.route("/api/query", [Reply(200, body=first), Reply(200, body=feed_xml([], total=20, start=10))])
    arxiv = ArxivClient(make_client(), page_size=10, delay_seconds=5.0, num_retries=1)
    request = arxiv_request("search_query=all:imagenet", sort_by="relevance", page_size=arxiv.page_size,
                            base_url=server.url("/api/query"))
    with pytest.raises(FetchRetryableError) as raised:
        arxiv.harvest(request)
    assert (raised.value.url, raised.value.attempts) == (request.url(10, 10), 2)
    assert len(server.requests) == 3 and clock.sleeps == [5.0, 5.0]


# --------------------------------------------------------------------------------------------------------------
# What a location asks


@pytest.mark.parametrize(
    ("location", "options", "expected"),
    [
        ("2003.08237, 1905.11946v5", {}, ("", ("2003.08237", "1905.11946v5"), "relevance", "descending", None)),
        ("id_list=hep-th/9901001", {}, ("", ("hep-th/9901001",), "relevance", "descending", None)),
        ("abs:ViT", {"categories": "['cs.CV', 'cs.LG']"},
         ("(abs:ViT) AND (cat:cs.CV OR cat:cs.LG)", (), "submittedDate", "ascending", 1000)),
        (None, {"query": "ti:transformer", "max_total": "50"},
         ("ti:transformer", (), "submittedDate", "ascending", 50)),
        ("https://export.arxiv.org/api/query?search_query=all:electron&sortBy=lastUpdatedDate&start=0&max_results=10",
         {}, ("all:electron", (), "lastUpdatedDate", "descending", 10)),
        (API_URL, {}, ("(abs:ImageNet AND abs:classification) AND (cat:cs.CV OR cat:cs.LG)", (), "submittedDate",
                       "ascending", 1000)),
    ],
)
def test_what_a_location_asks(location, options, expected):
    request = arxiv_request(location, **options)
    assert (request.search_query, request.id_list, request.sort_by, request.sort_order, request.max_total) == expected



def test_files_and_other_urls_are_not_api_requests(tmp_path):
    assert arxiv_request(str(tmp_path / "feed.xml")) is None
    assert arxiv_request("https://example.org/saved/feed.xml") is None
    assert arxiv_request("file:///tmp/feed.xml") is None
