"""arxiv_atom: the Atom reader against every recorded arXiv API response (both output styles), through the source's
parser, and the ways a page that is not an arXiv feed fails.
"""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from pipelines.arxiv import parse_arxiv_feed
from pipelines.arxiv_atom import ArxivEntry, EmptyPageError, read_arxiv_feed
from pipelines.source import ParseError
from tests.support.arxiv_feeds import ATOM_2016, ATOM_2026, entry_xml, feed_xml, recording

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
