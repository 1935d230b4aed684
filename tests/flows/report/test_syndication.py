"""The Atom feeds and SVG badges of the real record, read back by feedparser and an XML parser.

The record is the 2019 hand copy of the PwC ImageNet board (seen 2019-11-13) then the 2020 dump (2020-08-28), loaded
as `sota load` loads them, so that the dump's FixEfficientNet-L2 88.5 over Noisy Student 87.4 is a recorded backfill
step. A crafted CSV board adds a hostile model name and a "javascript:" paper link on top of a copy of it.
"""
from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from datetime import date, datetime

import feedparser
import pytest

from flows.ingest import ingest
from flows.new_sota import NewSotaHook, backfill_hook
from flows.report.site import build_report, page_name
from flows.report.syndication import badge_svg, benchmark_badge, feed_slug, records_feed, write_syndication
from warehouse import queries
from warehouse.db import connect
from warehouse.sota_detect import Rule

TOP1 = ("Image Classification", "ImageNet", "Top 1 Accuracy")
GENERATED = datetime(2026, 12, 6, 12, 0)
TODAY = date(2026, 12, 6)
EVIL = "</text><script>alert(1)</script> & Co"
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def warehouse(shared_data, tmp_path_factory):
    """The record's warehouse file, closed; each test opens it (or a copy) itself."""
    path = tmp_path_factory.mktemp("syndication") / "sota.duckdb"
    with connect(path) as con:
        ingest(con, "csv", str(shared_data / "pwc-imagenet-2019-handcopy/imagenet_table.csv"),
               options={"task": "Image Classification", "dataset": "ImageNet"}, observed_at="2019-11-13",
               after_load=backfill_hook())
        ingest(con, "pwc-dump", str(shared_data / "pwc-dump-2020-08-28/evaluation-tables.json.gz"),
               observed_at="2020-08-28", after_load=backfill_hook())
    return path


@pytest.fixture
def con(warehouse):
    with connect(warehouse, read_only=True) as connection:
        yield connection


@pytest.fixture
def hostile(warehouse, tmp_path):
    """A copy of the record with a hostile board on top: a model named like markup beats FixEfficientNet-L2 on Top 1
    and the best on Top 5 (a second benchmark with a record), loaded as a nightly run would (not a backfill)."""
    path = tmp_path / "hostile.duckdb"
    shutil.copy(warehouse, path)
    board = tmp_path / "hostile.csv"
    board.write_text('Method,Top 1 Accuracy,Top 5 Accuracy,date,paper link\n'
                     f'"{EVIL}",88.6%,99.1%,2020-09-01,javascript:alert(2)\n')
    with connect(path) as connection:
        ingest(connection, "csv", str(board), lineage="hostile", observed_at="2020-09-02",
               options={"task": "Image Classification", "dataset": "ImageNet"},
               after_load=NewSotaHook([Rule()], channels=(), backfill=False))
        yield connection


def fix_record(con) -> dict:
    columns = ["alert_id", "paper_url", "detected_at"]
    row = con.execute(
        "SELECT alert_id, paper_url, detected_at FROM sota_records WHERE model = 'FixEfficientNet-L2'"
        " AND task = $1 AND dataset = $2 AND metric = $3", list(TOP1)).fetchone()
    return dict(zip(columns, row))


def test_the_records_feed_names_the_record(con):
    record = fix_record(con)
    text = records_feed(con, base_url="http://127.0.0.1:8000/", generated=GENERATED)
    feed = feedparser.parse(text)
    assert feed.bozo == 0 and feed.version == "atom10"
    assert feed.feed.id == "urn:sotawatch:records" and feed.feed.title == "New SOTA records"
    assert {link.rel: link.href for link in feed.feed.links} == {
        "self": "http://127.0.0.1:8000/feeds/records.atom", "alternate": "http://127.0.0.1:8000/index.html"}
    newest = con.execute("SELECT max(detected_at) FROM sota_records").fetchone()[0]
    assert feed.feed.updated == newest.replace(microsecond=0).isoformat() + "Z"

    [entry] = [e for e in feed.entries if e.id == f"urn:uuid:{record['alert_id']}"]
    assert entry.title == "New SOTA on Image Classification / ImageNet / Top 1 Accuracy: FixEfficientNet-L2 88.5"
    assert entry.summary == (
        "FixEfficientNet-L2 reached 88.5%, beating the previous SOTA, Noisy Student (EfficientNet-L2) 87.4%, by 1.1"
        " percentage points. Paper: Fixing the train-test resolution discrepancy: FixEfficientNet."
        " Published 2020-03-18. Found while loading history (a backfill): recorded, nobody was alerted.")
    assert entry.published == record["detected_at"].replace(microsecond=0).isoformat() + "Z"
    assert {link.rel: link.href for link in entry.links} == {
        "alternate": record["paper_url"],
        "related": f"http://127.0.0.1:8000/benchmarks/{page_name(*TOP1)}"}
    # rendered again, the same ids and the same text: readers never see a record twice
    assert records_feed(con, base_url="http://127.0.0.1:8000/", generated=GENERATED) == text
    assert [e.id for e in feed.entries] == [e.id for e in feedparser.parse(records_feed(con)).entries]


def test_a_benchmark_feed_holds_only_its_benchmark(hostile):
    con = hostile
    feed = feedparser.parse(records_feed(con, names=TOP1, generated=GENERATED))
    assert feed.bozo == 0 and feed.version == "atom10"
    assert feed.feed.id == f"urn:sotawatch:records:{feed_slug(*TOP1)}"
    assert feed.feed.title == "New SOTA records: Image Classification / ImageNet / Top 1 Accuracy"
    ids = con.execute("SELECT 'urn:uuid:' || alert_id FROM sota_records WHERE task = $1 AND dataset = $2"
                      " AND metric = $3 ORDER BY detected_at DESC, record_id DESC", list(TOP1)).fetchall()
    assert [e.id for e in feed.entries] == [i for (i,) in ids] and len(ids) == 2
    everything = con.execute("SELECT count(*) FROM sota_records").fetchone()[0]
    assert len(feedparser.parse(records_feed(con)).entries) == everything == 3

    quiet = feedparser.parse(records_feed(con, names=("Image Classification", "ImageNet", "No Such Metric"),
                                          generated=GENERATED))
    assert quiet.bozo == 0 and quiet.entries == [] and quiet.feed.updated == "2026-12-06T12:00:00Z"


def badge_texts(svg: str) -> tuple[str, list[str]]:
    root = ET.fromstring(svg)
    return root.find(f"{SVG}title").text, [t.text for t in root.iter(f"{SVG}text")]


def test_the_badge_names_the_sota(con):
    svg = benchmark_badge(con, TOP1, today=TODAY)
    title, texts = badge_texts(svg)
    assert title == "SOTA: FixEfficientNet-L2 88.5%"
    assert texts == ["SOTA", "SOTA", "FixEfficientNet-L2 88.5%", "FixEfficientNet-L2 88.5%"]
    assert svg == badge_svg("SOTA", "FixEfficientNet-L2 88.5%") == (
        '<svg xmlns="http://www.w3.org/2000/svg" width="192" height="20" role="img" '
        'aria-label="SOTA: FixEfficientNet-L2 88.5%"><title>SOTA: FixEfficientNet-L2 88.5%</title>'
        '<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/>'
        '<stop offset="1" stop-opacity=".1"/></linearGradient>'
        '<clipPath id="r"><rect width="192" height="20" rx="3" fill="#fff"/></clipPath>'
        '<g clip-path="url(#r)"><rect width="40" height="20" fill="#555"/>'
        '<rect x="40" width="152" height="20" fill="#4c1"/><rect width="192" height="20" fill="url(#s)"/></g>'
        '<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" '
        'text-rendering="geometricPrecision" font-size="110">'
        '<text x="200" y="150" fill="#010101" fill-opacity=".3" transform="scale(.1)" textLength="300">SOTA</text>'
        '<text x="200" y="140" transform="scale(.1)" textLength="300">SOTA</text>'
        '<text x="1160" y="150" fill="#010101" fill-opacity=".3" transform="scale(.1)" textLength="1420">'
        'FixEfficientNet-L2 88.5%</text>'
        '<text x="1160" y="140" transform="scale(.1)" textLength="1420">FixEfficientNet-L2 88.5%</text></g></svg>\n'
    )
    assert badge_texts(benchmark_badge(con, ("Image Classification", "ImageNet", "No Such Metric"),
                                       today=TODAY))[1][2] == "no results"


def test_a_long_badge_text_is_cut():
    title, texts = badge_texts(badge_svg("SOTA", "x" * 100))
    assert texts[2] == "x" * 59 + "…" and title == "SOTA: " + "x" * 59 + "…"


def test_a_hostile_name_stays_text(hostile):
    text = records_feed(hostile, base_url="http://127.0.0.1:8000", generated=GENERATED)
    assert "<script" not in text and "javascript:" not in text
    feed = feedparser.parse(text)
    assert feed.bozo == 0
    assert sorted(e.title for e in feed.entries if EVIL in e.title) == [
        f"New SOTA on Image Classification / ImageNet / Top 1 Accuracy: {EVIL} 88.6",
        f"New SOTA on Image Classification / ImageNet / Top 5 Accuracy: {EVIL} 99.1"]
    [entry] = [e for e in feed.entries if EVIL in e.title and "Top 1" in e.title]
    assert [link.rel for link in entry.links] == ["related"]  # the javascript: "paper" is not linked
    assert entry.summary == (
        f"{EVIL} reached 88.6%, beating the previous SOTA, FixEfficientNet-L2 88.5%, by 0.1 percentage points."
        " Published 2020-09-01.")  # news of the night, not history: no word of a backfill
    assert entry.content[0].value == entry.summary

    svg = benchmark_badge(hostile, TOP1, today=TODAY)
    assert "<script" not in svg
    assert badge_texts(svg) == (f"SOTA: {EVIL} 88.6%", ["SOTA", "SOTA", f"{EVIL} 88.6%", f"{EVIL} 88.6%"])


def test_write_syndication_writes_and_prunes(con, tmp_path):
    root = tmp_path / "site"
    for stale in ("feeds/old-board-0123abcd.atom", "badges/old-board-0123abcd.svg",
                  "feeds/notes.atom", "badges/my-logo.svg"):
        (root / stale).parent.mkdir(parents=True, exist_ok=True)
        (root / stale).write_text("kept by someone")
    watched = [queries.benchmark(con, *TOP1)]
    written = write_syndication(con, root, watched, generated=GENERATED, today=TODAY)
    slug = feed_slug(*TOP1)
    assert slug == page_name(*TOP1).removesuffix(".html")
    assert written == [root / "feeds/records.atom", root / f"feeds/{slug}.atom", root / f"badges/{slug}.svg"]
    assert sorted(p.relative_to(root).as_posix() for p in root.rglob("*.*")) == sorted(
        ["feeds/records.atom", f"feeds/{slug}.atom", f"badges/{slug}.svg", "feeds/notes.atom", "badges/my-logo.svg"])
    assert (root / "feeds/records.atom").read_text() == records_feed(con, generated=GENERATED)
    assert (root / f"badges/{slug}.svg").read_text() == benchmark_badge(con, TOP1, today=TODAY)


def test_the_report_writes_them(con, tmp_path):
    build_report(con, tmp_path / "site", benchmarks=["/".join(TOP1)], today=TODAY)
    slug = feed_slug(*TOP1)
    for written in ("feeds/records.atom", f"feeds/{slug}.atom", f"badges/{slug}.svg"):
        assert (tmp_path / "site" / written).is_file()
