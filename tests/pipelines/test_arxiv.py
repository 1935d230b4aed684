"""arxiv: the Atom parser against every recorded arXiv API response (both output styles), the claims it turns into
rows, and the polite client against a real server on 127.0.0.1 that replays recorded responses by URL.

As in arxiv.py's own tests, a recorded response a test expects must be asked for, exactly as recorded, and every
one of them must be used (`Recordings.assert_all_used`). Time is a fake clock: the 3-second rule and the backoff are
asserted as the sleeps the client asked for; nothing really waits.
"""
from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

import pytest

from pipelines.arxiv import (
    API_URL,
    ARXIV_HOST,
    SOURCE,
    ArxivEntry,
    ArxivUnknownIdError,
    EmptyPageError,
    arxiv_client,
    arxiv_request,
    benchmark_of,
    fetch_arxiv,
    parse_arxiv_feed,
    read_arxiv_feed,
)
from pipelines.source import ParseError, RawRow
from pipelines.http import FetchFatalError, FetchRetryableError, HttpClient
from pipelines.normalize import normalize_rows
from pipelines.registry import get_source
from schemas.results import validate_results
from tests.support.http_server import Reply, reset, serve
from tests.support.clock import FakeClock

ATOM_2016 = "arxiv-atom/arxiv.py-fixtures-2016"
ATOM_2026 = "arxiv-atom/arxiv.py-fixtures-2026"
DEV = "arxiv-abstracts/dev.jsonl"
UTC = timezone.utc

# Every recorded response -> (totalResults, startIndex, entries, the first entry's id, version, v1 day), or the error
# it fails with. None of these papers (physics, cryptography, software testing) states a benchmark result: no rows.
RECORDED = {
    f"{ATOM_2016}/id_list=1111.2011v2.xml": (1, 0, 1, "1111.2011", 2, "2011-11-08"),
    f"{ATOM_2016}/search_query=au_del_maestro+AND+ti_checkerboard.xml": (1, 0, 1, "cond-mat/0603029", 1, "2006-03-02"),
    f"{ATOM_2016}/search_query=au_del_maestro+AND+ti_quantum+criticality.xml": (2, 0, 2, "1111.2011", 2, "2011-11-08"),
    f"{ATOM_2016}/search_query=au_del_maestro+ANDNOT+(ti_checkerboard+OR+ti_Pyrochlore).xml":
        (24, 0, 10, "1201.4869", 1, "2012-01-23"),
    f"{ATOM_2016}/search_query=au_del_maestro.xml": (31, 0, 10, "1201.4869", 1, "2012-01-23"),
    f"{ATOM_2026}/id_0000.0000_s0_m100_8b51d9633a68.json": (0, 0, 0, None, None, None),
    f"{ATOM_2026}/id_0808.05394_1707.08567_s0_m100_42e5aa0ec3af.json": (1, 0, 1, "1707.08567", 1, "2017-07-27"),
    f"{ATOM_2026}/id_0808.05394_s0_m100_7b0c7d0a7cdd.json": (0, 0, 0, None, None, None),
    f"{ATOM_2026}/id_1605.08386_s0_m100_199195aa31ad.json": (1, 0, 1, "1605.08386", 1, "2016-05-26"),
    f"{ATOM_2026}/id_1707.08567_s0_m100_6a1afebfc6a3.json": (1, 0, 1, "1707.08567", 1, "2017-07-27"),
    f"{ATOM_2026}/id_2104.12255v1_s0_m100_6ae69987ffe1.json": (1, 0, 1, "2104.12255", 1, "2021-04-20"),
    f"{ATOM_2026}/id_abc_s0_m100_b79c8dcf6bc3.json": "arXiv answered HTTP 400 to https://export.arxiv.org/api/query?"
        "search_query=&id_list=abc&sortBy=relevance&sortOrder=descending&start=0&max_results=100: "
        "incorrect id format for abc",
    f"{ATOM_2026}/id_astro-ph_0601001_s0_m100_3150dca9dc76.json": (1, 0, 1, "astro-ph/0601001", 1, "2006-01-02"),
    f"{ATOM_2026}/id_quant-ph_0201082v1_s0_m100_86989fe779ef.json": (1, 0, 1, "quant-ph/0201082", 1, "2002-01-18"),
    f"{ATOM_2026}/q_testing_s0_m100_cfe7536492ca.json": (214881, 0, 100, "2202.12139", 1, "2022-02-24"),
    f"{ATOM_2026}/q_testing_s0_m10_bc5a6c384fe9.json": (214881, 0, 10, "2202.12139", 1, "2022-02-24"),
    f"{ATOM_2026}/q_testing_s0_m15_80c242b59d59.json": (214881, 0, 15, "2202.12139", 1, "2022-02-24"),
    f"{ATOM_2026}/q_testing_s10_m10_34e56e15aaac.json": (214881, 10, 10, "2403.16981", 2, "2024-03-25"),
    f"{ATOM_2026}/q_testing_s20_m10_348a237fecab.json": (214881, 20, 10, "2008.01944", 1, "2020-08-05"),
    f"{ATOM_2026}/q_testing_s30_m10_f2e39f0143dc.json": (214881, 30, 10, "2101.12036", 1, "2021-01-27"),
    f"{ATOM_2026}/q_testing_s40_m10_96dd32eb854c.json": (214881, 40, 10, "1704.08347", 1, "2017-04-26"),
    f"{ATOM_2026}/q_testing_s50_m10_7f488ab8598c.json": (214881, 50, 10, "1709.03221", 1, "2017-09-11"),
    f"{ATOM_2026}/q_testing_s5_m10_c0e94a259d4a.json": (214881, 5, 10, "1202.4527", 1, "2012-02-21"),
    f"{ATOM_2026}/q_testing_s5_m15_bbcf6b23085b.json": (214881, 5, 15, "1202.4527", 1, "2012-02-21"),
    f"{ATOM_2026}/q_testing_s9_m15_0b78d4b4d476.json": (214881, 9, 15, "1812.11470", 1, "2018-12-30"),
}


# --------------------------------------------------------------------------------------------------------------
# Helpers


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make_client(clock):
    """Plain HttpClients (no arXiv interval configured) on the fake clock, jitter pinned: backoff is base * 2**n."""
    clients: list[HttpClient] = []

    def make(**options) -> HttpClient:
        client = HttpClient(**{"timeout": (2.0, 2.0), "clock": clock, "sleep": clock.sleep, "jitter": lambda: 1.0,
                               **options})
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def server():
    with serve() as running:
        yield running


def recording(shared_data: Path, name: str) -> dict:
    return json.loads((shared_data / ATOM_2026 / name).read_text(encoding="utf-8"))


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query, keep_blank_values=True)


class Recordings:
    """Recorded responses replayed at one path, in the order the client must ask for them; each must be asked for
    with the recorded URL's query, and none may be left unused."""

    PATH = "/api/query"

    def __init__(self, server, shared_data: Path):
        self.server, self.shared_data = server, shared_data
        self.expected: list[dict] = []

    @property
    def base_url(self) -> str:
        return self.server.url(self.PATH)

    def local(self, recorded_url: str) -> str:
        """The recorded URL with the loopback server in place of export.arxiv.org."""
        return f"{self.base_url}?{urlsplit(recorded_url).query}"

    def expect(self, *names: str) -> list[dict]:
        self.expected += [recording(self.shared_data, name) for name in names]
        self.server.route(
            self.PATH, [Reply(r["status_code"], {"Content-Type": "application/atom+xml"}, r["body"].encode())
                        for r in self.expected],
        )
        return self.expected

    def assert_all_used(self) -> None:
        asked = [query_of(request.path) for request in self.server.requests_to(self.PATH)]
        assert asked == [query_of(r["url"]) for r in self.expected], "recorded responses unused or asked otherwise"


@pytest.fixture
def recorded(server, shared_data):
    recordings = Recordings(server, shared_data)
    yield recordings
    recordings.assert_all_used()


def entry_xml(
    arxiv_id: str, version: int, title: str, abstract: str, published: str, updated: str | None = None
) -> str:
    return (
        f"<entry><id>http://arxiv.org/abs/{arxiv_id}v{version}</id><updated>{updated or published}</updated>"
        f"<link href=\"https://arxiv.org/abs/{arxiv_id}v{version}\" rel=\"alternate\" type=\"text/html\"/>"
        f"<summary>{escape(abstract)}</summary><category term=\"cs.CV\" scheme=\"http://arxiv.org/schemas/atom\"/>"
        f"<published>{published}</published><title>{escape(title)}</title>"
        f"<author><name>A. Author</name></author></entry>"
    )


def feed_xml(entries: list[str], *, total: int | None = None, start: int = 0) -> bytes:
    """A 2026-style feed (no self link, opensearch namespace on the root)."""
    total = len(entries) if total is None else total
    return (
        "<?xml version='1.0' encoding='UTF-8'?>\n"
        '<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" xmlns:arxiv="http://arxiv.org/schemas/atom" '
        'xmlns="http://www.w3.org/2005/Atom"><id>https://arxiv.org/api/test</id><title>arXiv Query: test</title>'
        f"<updated>2026-01-01T00:00:00Z</updated><opensearch:itemsPerPage>{len(entries)}</opensearch:itemsPerPage>"
        f"<opensearch:totalResults>{total}</opensearch:totalResults>"
        f"<opensearch:startIndex>{start}</opensearch:startIndex>{''.join(entries)}</feed>"
    ).encode()


def dev_records(shared_data: Path) -> list[dict]:
    return [json.loads(line) for line in (shared_data / DEV).read_text(encoding="utf-8").splitlines() if line.strip()]


def dev_entries(shared_data: Path) -> list[str]:
    """The dev abstracts as feed entries, v1 on the labelled submission day (else the 1st of the id's month)."""
    entries = []
    for record in dev_records(shared_data):
        day = record["submitted"] or f"20{record['arxiv_id'][:2]}-{record['arxiv_id'][2:4]}-01"
        entries.append(entry_xml(record["arxiv_id"], 1, record["title"], record["abstract"], f"{day}T12:00:00Z"))
    return entries


# --------------------------------------------------------------------------------------------------------------
# Every recorded response parses, or fails as documented


def test_the_table_covers_every_recorded_response(shared_data):
    on_disk = {
        str(path.relative_to(shared_data))
        for folder in (ATOM_2016, ATOM_2026)
        for path in (shared_data / folder).iterdir()
        if path.suffix in (".xml", ".json")
    }
    assert on_disk == set(RECORDED)


@pytest.mark.parametrize("name", sorted(RECORDED))
def test_every_recorded_response_parses_or_fails_as_documented(shared_data, name):
    payload = (shared_data / name).read_bytes()
    expected = RECORDED[name]
    if isinstance(expected, str):
        with pytest.raises(ParseError) as raised:
            parse_arxiv_feed(payload, name)
        assert str(raised.value) == f"arxiv: cannot parse {name}: {expected}"
        return
    total, start, count, first_id, first_version, first_day = expected
    feed = read_arxiv_feed(payload, name)
    assert (feed.total, feed.start, len(feed.entries), feed.count) == (total, start, count, count)
    if count:
        first = feed.entries[0]
        day = first.published.date().isoformat()
        assert (first.arxiv_id, first.version, day) == (first_id, first_version, first_day)
    for entry in feed.entries:
        assert entry.title and entry.abstract == " ".join(entry.abstract.split())
        assert entry.published <= entry.updated and entry.published.tzinfo is UTC
    assert parse_arxiv_feed(payload, name) == []


def test_an_old_style_entry_reads_in_full(shared_data):
    """2016: rel="self" link, opensearch declared per element, a hard-wrapped summary with leading blanks."""
    feed = read_arxiv_feed((shared_data / ATOM_2016 / "id_list=1111.2011v2.xml").read_bytes(), "1111.2011v2.xml")
    [entry] = feed.entries
    assert entry == ArxivEntry(
        arxiv_id="1111.2011",
        version=2,
        title="Quantum Criticality for Extended Nodes on a Bethe Lattice in the Large Connectivity Limit",
        abstract=entry.abstract,
        published=datetime(2011, 11, 8, 18, 48, 36, tzinfo=UTC),
        updated=datetime(2012, 4, 2, 12, 38, 54, tzinfo=UTC),
        categories=("cond-mat.str-el", "cond-mat.stat-mech"),
    )
    assert entry.abstract.startswith("Theoretical description of anisotropic systems, such as layered superconductors")
    assert entry.abstract.endswith("adding a single extra dimension to the theory describing a single node.")
    assert feed.harvest == {}


def test_a_new_style_recording_reads_in_full(shared_data):
    name = "id_astro-ph_0601001_s0_m100_3150dca9dc76.json"
    [entry] = read_arxiv_feed((shared_data / ATOM_2026 / name).read_bytes(), name).entries
    assert (entry.arxiv_id, entry.version, entry.published, entry.updated, entry.categories) == (
        "astro-ph/0601001", 1, datetime(2006, 1, 2, 14, 57, 58, tzinfo=UTC),
        datetime(2006, 1, 2, 14, 57, 58, tzinfo=UTC), ("astro-ph",),
    )
    assert entry.title.startswith("Frequency of Hot Jupiters and Very Hot Jupiters")
    assert entry.abs_url == "https://arxiv.org/abs/astro-ph/0601001"


def test_the_error_feed_fails_with_arxivs_message_also_without_its_wrapper(shared_data):
    body = recording(shared_data, "id_abc_s0_m100_b79c8dcf6bc3.json")["body"].encode()
    message = r"^arxiv: cannot parse abc.xml: arXiv API error: incorrect id format for abc$"
    with pytest.raises(ParseError, match=message):
        parse_arxiv_feed(body, "abc.xml")


def test_the_empty_feed_of_an_unknown_id_has_no_rows(shared_data):
    """totalResults 0 and no entry is arXiv's well-formed "nothing matched": no rows, not an error (the client, which
    knows it asked for an id, reports the unknown id; see test_ids_arxiv_does_not_know_are_an_error)."""
    payload = (shared_data / ATOM_2026 / "id_0000.0000_s0_m100_8b51d9633a68.json").read_bytes()
    assert read_arxiv_feed(payload, "0000.0000").total == 0
    assert parse_arxiv_feed(payload, "0000.0000") == []


def test_an_empty_page_of_a_non_empty_result_is_an_error(shared_data):
    body = recording(shared_data, "id_0000.0000_s0_m100_8b51d9633a68.json")["body"]
    glitch = body.replace("<opensearch:totalResults>0<", "<opensearch:totalResults>5<").encode()
    with pytest.raises(EmptyPageError, match="no entries although it says it has 5 results and starts at 0"):
        parse_arxiv_feed(glitch, "page")
    assert issubclass(EmptyPageError, ParseError)


ENTRY = entry_xml("2101.00001", 1, "T", "A", "2021-01-01T00:00:00Z")


@pytest.mark.parametrize(
    ("payload", "problem"),
    [
        (b"<html><body>Service Unavailable</body></html>", "not an Atom feed (the root element is <html>)"),
        (b"", "not well-formed XML"),
        (b'{"url": "x", "status_code": 200}', "a recorded response with a string 'body'"),
        (b"{not json", "not a recorded response (invalid JSON"),
        (feed_xml([]).replace(b"<opensearch:totalResults>0</opensearch:totalResults>", b""),
         "no <opensearch:totalResults>: not an arXiv API feed"),
        (feed_xml([ENTRY.replace("<published>2021-01-01T00:00:00Z</published>", "")]),
         "entry 1 (2101.00001): no <published>"),
        (feed_xml([ENTRY.replace("v1</id>", "</id>")]),
         "entry 1: id 'http://arxiv.org/abs/2101.00001' is not an arXiv abs URL with a version"),
        (feed_xml([entry_xml("2101.00001", 1, "T", "A", "yesterday")]), "entry 1 (2101.00001): bad date"),
    ],
    ids=["html", "empty", "wrapper-without-body", "bad-json", "no-total", "no-published", "no-version", "bad-date"],
)
def test_a_page_that_is_not_an_arxiv_feed_is_a_parse_error_naming_what_is_missing(payload, problem):
    with pytest.raises(ParseError) as raised:
        parse_arxiv_feed(payload, "https://export.arxiv.org/api/query?x")
    assert raised.value.source == "arxiv" and problem in raised.value.problem


def test_a_truncated_page_is_not_read_in_part(shared_data):
    body = recording(shared_data, "q_testing_s0_m10_bc5a6c384fe9.json")["body"].encode()
    with pytest.raises(ParseError, match="not well-formed XML"):
        parse_arxiv_feed(body[: len(body) // 2], "cut")


# --------------------------------------------------------------------------------------------------------------
# Claims -> rows


def test_a_papers_own_claims_become_rows_on_canonical_benchmarks(shared_data):
    [fix] = [r for r in dev_records(shared_data) if r["arxiv_id"] == "2003.08237"]
    payload = feed_xml([entry_xml("2003.08237", 4, fix["title"], fix["abstract"], "2020-03-18T17:58:03Z",
                                  "2020-11-18T09:00:00Z")])
    rows = parse_arxiv_feed(payload, "feed.xml")
    common = {
        "task": "Image Classification", "dataset": "ImageNet", "paper_title": fix["title"],
        "paper_url": "https://arxiv.org/abs/2003.08237", "arxiv_id": "2003.08237", "published": "2020-03-18",
    }
    assert rows == [
        RawRow(metric="Top 1 Accuracy", model="FixEfficientNet-B0", value="79.3%", row_ref="2003.08237v4#claim1",
               uses_additional_data=False, **common,
               attributes={"setting": "from-scratch", "version": 4, "version_date": "2020-11-18",
                           "quote": rows[0].attributes["quote"]}),
        RawRow(metric="Top 1 Accuracy", model="EfficientNet-L2", value="88.5%", row_ref="2003.08237v4#claim2",
               uses_additional_data=None, **common,
               attributes={"setting": None, "version": 4, "version_date": "2020-11-18",
                           "quote": rows[1].attributes["quote"]}),
        RawRow(metric="Top 5 Accuracy", model="EfficientNet-L2", value="98.7%", row_ref="2003.08237v4#claim3",
               uses_additional_data=None, **common,
               attributes={"setting": None, "version": 4, "version_date": "2020-11-18", "quote": "(top-5: 98.7%)"}),
    ]
    for row in rows:
        assert row.attributes["quote"] in fix["abstract"] and row.value.rstrip("%") in row.attributes["quote"]


def test_baselines_are_not_rows_and_settings_keep_claims_apart():
    abstract = ("We present ViT-Q. Fine-tuned, ViT-Q reaches 85.0% top-1 accuracy on ImageNet, outperforming "
                "DeiT-B (81.8%). In the zero-shot setting, ViT-Q obtains 78.0% top-1 accuracy on ImageNet.")
    rows = parse_arxiv_feed(feed_xml([entry_xml("2101.00001", 1, "ViT-Q: a test", abstract, "2021-01-04T10:00:00Z")]),
                            "feed.xml")
    assert [(r.model, r.value, r.attributes["setting"]) for r in rows] == [
        ("ViT-Q", "85.0%", "finetuned"), ("ViT-Q", "78.0%", "zero-shot"),
    ]
    normalized = normalize_rows(rows)
    assert normalized.rejects == [] and normalized.results["claim_key"].nunique() == 2


def test_two_numbers_for_one_claim_keep_the_best_and_list_the_others(shared_data):
    """FixRes states three ResNet-50 top-1 numbers with no setting: one claim, the best, the others kept beside it."""
    [fixres] = [r for r in dev_records(shared_data) if r["arxiv_id"] == "1906.06423"]
    rows = parse_arxiv_feed(
        feed_xml([entry_xml("1906.06423", 1, fixres["title"], fixres["abstract"], "2019-06-14T00:00:00Z")]), "f")
    [resnet50] = [r for r in rows if r.model == "ResNet-50"]
    assert resnet50.value == "82.5%"
    assert [o["value"] for o in resnet50.attributes["also_stated"]] == ["77.1%", "79.8%"]
    assert normalize_rows(rows).rejects == []


@pytest.mark.parametrize(
    ("dataset", "metric", "benchmark"),
    [
        ("ImageNet-1K", "top1_accuracy", ("Image Classification", "ImageNet", "Top 1 Accuracy")),
        ("ImageNet-1K", "top5_accuracy", ("Image Classification", "ImageNet", "Top 5 Accuracy")),
        ("ImageNet-1K", "top1_error", ("Image Classification", "ImageNet", "Top 1 Error")),
        ("ImageNet-1K", "top5_error", ("Image Classification", "ImageNet", "Top 5 Error")),
        ("ImageNet-1K", "error_unspecified", ("Image Classification", "ImageNet", "error_unspecified")),
        ("ImageNet-V2", "top1_accuracy", ("Image Classification", "ImageNet-V2", "Top 1 Accuracy")),
        ("CIFAR-10", "top1_error", ("Image Classification", "CIFAR-10", "Top 1 Error")),
        ("COCO test-dev", "box_AP", ("Object Detection", "COCO test-dev", "box AP")),
        ("COCO test-dev", "mask_AP", ("Instance Segmentation", "COCO test-dev", "mask AP")),
        ("ADE20K", "mIoU", ("Semantic Segmentation", "ADE20K", "mIoU")),
        ("Kinetics-400", "top1_accuracy", ("Action Classification", "Kinetics-400", "Top 1 Accuracy")),
        ("WMT14 En-De", "BLEU", ("Machine Translation", "WMT14 En-De", "BLEU")),
        ("SQuAD v1.1", "F1", ("Question Answering", "SQuAD v1.1", "F1")),
        ("GLUE", "glue_score", ("Unknown task", "GLUE", "glue_score")),
    ],
)
def test_benchmarks_of_claims(dataset, metric, benchmark):
    assert benchmark_of(dataset, metric) == benchmark


def test_the_dev_abstracts_give_valid_unique_results(shared_data):
    """The contract every source keeps: it parses, gives rows, the rows validate, and their claim keys are unique."""
    rows = parse_arxiv_feed(feed_xml(dev_entries(shared_data)), "dev.xml")
    normalized = normalize_rows(rows)
    outcome = validate_results(normalized.results, datetime(2026, 1, 1).date())
    assert len(rows) >= 40 and normalized.rejects == [] and outcome.failures == [] and normalized.duplicates == 0
    assert normalized.results["claim_key"].is_unique
    results = normalized.results
    imagenet = results[results["benchmark_key"] == "image classification\x1fimagenet\x1ftop 1 accuracy"]
    assert {"2003.10580", "2106.04803", "1906.06423", "1905.11946"} <= set(imagenet["arxiv_id"])


def test_the_source_is_registered():
    spec = get_source("arxiv")
    assert spec is SOURCE
    assert (spec.full_listing, spec.fetch, spec.parse) == (False, fetch_arxiv, parse_arxiv_feed)
    assert spec.default_url == API_URL


# --------------------------------------------------------------------------------------------------------------
# The client


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
    with arxiv_client() as client:
        assert client.min_interval_per_host == {ARXIV_HOST: 3.0}
        assert "sotawatch" in client.user_agent


def test_a_search_asks_from_the_given_day_in_submission_order(server, make_client):
    server.route("/api/query", [Reply(200, body=feed_xml([]))])
    now = datetime(2024, 3, 1, 6, 30, tzinfo=UTC)
    payload = fetch_arxiv(None, make_client(), since="2024-01-01", now=now,
                          base_url=server.url("/api/query"))
    [asked] = [query_of(r.path) for r in server.requests]
    assert asked == {
        "search_query": [(
            "((abs:ImageNet AND abs:classification) AND (cat:cs.CV OR cat:cs.LG)) "
            "AND submittedDate:[202401010000 TO 202403020630]"
        )],
        "id_list": [""], "sortBy": ["submittedDate"], "sortOrder": ["ascending"], "start": ["0"],
        "max_results": ["100"],
    }
    assert read_arxiv_feed(payload, "h").harvest == {
        "query": "(abs:ImageNet AND abs:classification) AND (cat:cs.CV OR cat:cs.LG)", "by": "submittedDate",
        "cursor_key": "cursor:submittedDate:(abs:ImageNet AND abs:classification) AND (cat:cs.CV OR cat:cs.LG)",
        "since": "2024-01-01T00:00Z", "pages": "1", "upstream_total": "0", "complete": "true",
    }
    assert parse_arxiv_feed(payload, "h") == []


def test_with_no_cursor_and_no_day_a_search_looks_back_a_few_days(server, make_client):
    server.route("/api/query", [Reply(200, body=feed_xml([]))])
    fetch_arxiv("cat:cs.CV AND abs:ImageNet", make_client(), now=datetime(2024, 3, 10, tzinfo=UTC),
                base_url=server.url("/api/query"))
    [asked] = [query_of(r.path)["search_query"][0] for r in server.requests]
    assert asked == "(cat:cs.CV AND abs:ImageNet) AND submittedDate:[202403070000 TO 202403110000]"


def test_a_harvest_gives_the_same_bytes_for_the_same_answers(server, make_client, shared_data):
    pages = pages_of(dev_entries(shared_data)[:12], 5)
    server.route("/api/query", [Reply(200, body=page) for page in pages + pages])
    ask = {"sort_by": "relevance", "page_size": 5, "base_url": server.url("/api/query")}
    first = fetch_arxiv("search_query=all:x", make_client(), **ask)
    assert first == fetch_arxiv("search_query=all:x", make_client(), **ask)


def test_a_saved_feed_is_read_as_it_is(server, make_client, shared_data, tmp_path):
    saved = shared_data / ATOM_2016 / "search_query=au_del_maestro.xml"
    assert fetch_arxiv(str(saved), make_client()) == saved.read_bytes()
    assert fetch_arxiv(saved.as_uri(), make_client()) == saved.read_bytes()
    assert server.requests == []


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
