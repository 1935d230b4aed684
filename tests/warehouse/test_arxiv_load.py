"""arXiv claims in the warehouse: the harvest cursor commits with the rows (and only with them), a new version of a
paper is a new version of its claims, and a feed of the dev abstracts answers `sota asof` from arXiv alone.

A real DuckDB file, the real client against a real server on 127.0.0.1, a fake clock (no real sleeping). Feeds are
built in the test from the shared abstracts (read in place, never copied into the repository).
"""
from __future__ import annotations

import json
from datetime import date, datetime, timezone
from urllib.parse import parse_qs, urlsplit

import pytest

from flows.ingest import ingest, prepare_snapshot, source_state_hook
from pipelines.arxiv import SOURCE, fetch_arxiv
from pipelines.arxiv_client import cursor_key
from pipelines.http import FetchResult, HttpClient
from tests.support.arxiv_feeds import dev_entry, dev_records, entry_xml, feed_xml, v1_day
from tests.support.clock import FakeClock
from tests.support.http_server import Reply, serve
from warehouse.load import load_snapshot
from warehouse.source_state import read_source_state

UTC = timezone.utc
QUERY = "abs:ImageNet"
KEY = cursor_key(QUERY, "submittedDate")
IMAGENET_TOP1 = ("Image Classification", "ImageNet", "Top 1 Accuracy")


def table(con, sql: str, params=None) -> list[tuple]:
    return con.execute(sql, params or []).fetchall()


def read_cursor(con, key: str) -> dict | None:
    """The harvest cursor stored in the warehouse (the arXiv source's `source_state` entry)."""
    return read_source_state(con, SOURCE.name, key)


@pytest.fixture
def arxiv():
    """A loopback arXiv whose answers the test sets, and a polite client on a fake clock."""
    clock = FakeClock()
    with serve() as server, HttpClient(clock=clock, sleep=clock.sleep, jitter=lambda: 1.0) as client:
        server.clock, server.client = clock, client
        yield server


def harvest(con, arxiv, answer: bytes, now: datetime, **options) -> bytes:
    """One nightly fetch: the loopback arXiv answers `answer`; the client reads the cursor from the warehouse."""
    arxiv.route("/api/query", [Reply(200, body=answer)])
    return fetch_arxiv(QUERY, arxiv.client, read_state=lambda key: read_cursor(con, key),
                       base_url=arxiv.url("/api/query"), now=now, lookback_days=1, **options)


def load(con, payload: bytes, now: datetime, after_load=None):
    """Parse, validate and load a payload as the ingest does, the state the source declares written inside the load's
    transaction."""
    naive = now.astimezone(UTC).replace(tzinfo=None)
    fetched = FetchResult("arxiv-harvest", "arxiv-harvest", 200, payload, None, None, None, now, 1)
    snapshot = prepare_snapshot(SOURCE, fetched, "arxiv-harvest", {}, naive, naive.date())
    return load_snapshot(con, snapshot, naive, after_load=after_load or source_state_hook(SOURCE, payload, naive))


def asked_search(arxiv) -> str:
    return parse_qs(urlsplit(arxiv.requests[-1].path).query)["search_query"][0]


@pytest.fixture
def papers(shared_data):
    """Three dev papers with ImageNet claims, re-dated as a week of submissions."""
    by_id = {r["arxiv_id"]: r for r in dev_records(shared_data)}
    return {
        "A": dev_entry(by_id["1905.11946"], "2024-01-02T10:00:00Z"),
        "B": dev_entry(by_id["2003.08237"], "2024-01-05T09:30:00Z"),
        "C": dev_entry(by_id["2106.04803"], "2024-01-07T16:45:00Z"),
    }


# --------------------------------------------------------------------------------------------------------------
# The cursor


def test_the_cursor_commits_with_the_rows_and_the_next_run_asks_only_for_what_is_new(db, arxiv, papers):
    first = harvest(db, arxiv, feed_xml([papers["A"], papers["B"]]), datetime(2024, 1, 6, 3, tzinfo=UTC),
                    since="2024-01-01")
    assert asked_search(arxiv) == f"({QUERY}) AND submittedDate:[202401010000 TO 202401070300]"
    report = load(db, first, datetime(2024, 1, 6, 3, tzinfo=UTC))
    assert report.results_new > 0
    assert read_cursor(db, KEY) == {"query": QUERY, "by": "submittedDate", "last": "2024-01-05T09:30:00Z",
                                    "arxiv_id": "2003.08237", "complete": True, "snapshot_id": report.snapshot_id}
    assert table(db, "SELECT source, updated_at FROM source_state") == [("arxiv", datetime(2024, 1, 6, 3))]

    second = harvest(db, arxiv, feed_xml([papers["B"], papers["C"]]), datetime(2024, 1, 8, 3, tzinfo=UTC))
    # from the cursor, less a day of lookback (papers held in moderation): B again, unchanged; C new
    assert asked_search(arxiv) == f"({QUERY}) AND submittedDate:[202401040930 TO 202401090300]"
    report = load(db, second, datetime(2024, 1, 8, 3, tzinfo=UTC))
    assert report.results_unchanged > 0 and report.results_new > 0
    assert read_cursor(db, KEY)["last"] == "2024-01-07T16:45:00Z"


def test_a_failed_load_never_moves_the_cursor(db, arxiv, papers):
    load(db, harvest(db, arxiv, feed_xml([papers["A"]]), datetime(2024, 1, 3, tzinfo=UTC), since="2024-01-01"),
         datetime(2024, 1, 3, tzinfo=UTC))
    before = read_cursor(db, KEY)
    results_before = table(db, "SELECT * FROM results ORDER BY result_id")
    assert before["last"] == "2024-01-02T10:00:00Z"

    newer = harvest(db, arxiv, feed_xml([papers["B"], papers["C"]]), datetime(2024, 1, 8, tzinfo=UTC))
    asked_first = asked_search(arxiv)
    seen_inside: list[dict] = []

    def cursor_then_failure(con, snapshot_id):
        source_state_hook(SOURCE, newer, datetime(2024, 1, 8))(con, snapshot_id)
        seen_inside.append(read_cursor(con, KEY))  # written, inside the load's transaction ...
        raise RuntimeError("the disk is full")  # ... which then fails

    with pytest.raises(RuntimeError, match="the disk is full"):
        load(db, newer, datetime(2024, 1, 8, tzinfo=UTC), after_load=cursor_then_failure)
    assert seen_inside[0]["last"] == "2024-01-07T16:45:00Z"
    assert read_cursor(db, KEY) == before  # ... and rolled back with the rows
    assert table(db, "SELECT * FROM results ORDER BY result_id") == results_before
    assert table(db, "SELECT count(*) FROM snapshots") == [(1,)]

    # the next run asks again from the old cursor, so no paper is skipped
    again = harvest(db, arxiv, feed_xml([papers["B"], papers["C"]]), datetime(2024, 1, 9, tzinfo=UTC))
    assert asked_search(arxiv).split(" TO ")[0] == asked_first.split(" TO ")[0]
    load(db, again, datetime(2024, 1, 9, tzinfo=UTC))
    assert read_cursor(db, KEY)["last"] == "2024-01-07T16:45:00Z"
    assert {"2003.08237", "2106.04803"} <= {r[0] for r in table(db, "SELECT arxiv_id FROM results")}


def test_a_cursor_never_moves_back(db, arxiv, papers):
    load(db, harvest(db, arxiv, feed_xml([papers["C"]]), datetime(2024, 1, 8, tzinfo=UTC), since="2024-01-01"),
         datetime(2024, 1, 8, tzinfo=UTC))
    older = harvest(db, arxiv, feed_xml([papers["A"]]), datetime(2024, 1, 9, tzinfo=UTC))
    load(db, older, datetime(2024, 1, 9, tzinfo=UTC))
    assert read_cursor(db, KEY)["last"] == "2024-01-07T16:45:00Z"


def test_a_run_cut_short_by_max_total_resumes_exactly_where_it_stopped(db, arxiv, papers):
    """The lookback is for late announcements: after a truncated run it would re-read the same window forever."""
    first_two = feed_xml([papers["A"], papers["B"]], total=3)
    payload = harvest(db, arxiv, first_two, datetime(2024, 1, 8, tzinfo=UTC), since="2024-01-01", max_total=2)
    load(db, payload, datetime(2024, 1, 8, tzinfo=UTC))
    assert read_cursor(db, KEY)["complete"] is False
    harvest(db, arxiv, feed_xml([papers["C"]]), datetime(2024, 1, 8, 1, tzinfo=UTC), max_total=2)
    assert asked_search(arxiv) == f"({QUERY}) AND submittedDate:[202401050930 TO 202401090100]"


def test_the_ingest_writes_the_state_the_source_declares_with_the_loads_snapshot_and_time(db, arxiv, papers, tmp_path):
    """The source says which state its payload leaves (`SOURCE.state_after`, pure); the ingest, which has the payload,
    writes it in the load's transaction, stamped with the snapshot and the time of the load."""
    payload = harvest(db, arxiv, feed_xml([papers["A"], papers["B"]]), datetime(2024, 1, 6, tzinfo=UTC),
                      since="2024-01-01")
    saved = tmp_path / "harvest.xml"
    saved.write_bytes(payload)
    report = ingest(db, "arxiv", str(saved), now=datetime(2024, 1, 6, 3))
    assert read_cursor(db, KEY) == {"query": QUERY, "by": "submittedDate", "last": "2024-01-05T09:30:00Z",
                                    "arxiv_id": "2003.08237", "complete": True, "snapshot_id": report.snapshot_id}
    assert table(db, "SELECT updated_at FROM source_state") == [(datetime(2024, 1, 6, 3),)]


def test_a_quiet_night_loads_nothing_and_keeps_the_cursor(db, arxiv, papers):
    load(db, harvest(db, arxiv, feed_xml([papers["A"]]), datetime(2024, 1, 3, tzinfo=UTC), since="2024-01-01"),
         datetime(2024, 1, 3, tzinfo=UTC))
    quiet = harvest(db, arxiv, feed_xml([]), datetime(2024, 1, 4, tzinfo=UTC))
    report = load(db, quiet, datetime(2024, 1, 4, tzinfo=UTC))
    assert (report.status, report.rows_parsed, report.results_removed) == ("loaded", 0, 0)
    assert read_cursor(db, KEY)["last"] == "2024-01-02T10:00:00Z"


# --------------------------------------------------------------------------------------------------------------
# Versions


def paper(version: int, abstract: str, updated: str) -> bytes:
    return feed_xml([entry_xml("2101.00001", version, "NetX: better nets", abstract, "2021-01-04T10:00:00Z", updated)])


V1 = "Our model, NetX, achieves 84.3% top-1 accuracy on ImageNet, outperforming DeiT-B (81.8%)."
V2 = "Our model, NetX, achieves 84.7% top-1 accuracy on ImageNet, outperforming DeiT-B (81.8%)."


def test_a_later_version_that_changes_a_number_is_a_new_version_of_the_same_claim(db):
    load(db, paper(1, V1, "2021-01-04T10:00:00Z"), datetime(2021, 1, 6, tzinfo=UTC))
    report = load(db, paper(2, V2, "2021-03-01T08:00:00Z"), datetime(2021, 3, 3, tzinfo=UTC))
    assert (report.results_new, report.results_changed) == (0, 1)
    rows = table(
        db,
        "SELECT claim_key, model, value, published_on, first_seen_at::DATE, removed_at::DATE, "
        "attributes->>'version', attributes->>'version_date', arxiv_id, paper_url FROM results ORDER BY first_seen_at",
    )
    assert len({row[0] for row in rows}) == 1  # one claim, two versions of it
    assert [row[1:] for row in rows] == [
        ("NetX", 84.3, date(2021, 1, 4), date(2021, 1, 6), date(2021, 3, 3), "1", "2021-01-04", "2101.00001",
         "https://arxiv.org/abs/2101.00001"),
        ("NetX", 84.7, date(2021, 1, 4), date(2021, 3, 3), None, "2", "2021-03-01", "2101.00001",
         "https://arxiv.org/abs/2101.00001"),
    ]
    # the baseline it cites (DeiT-B 81.8%) is no result of this paper
    assert table(db, "SELECT count(*) FROM results WHERE model = 'DeiT-B'") == [(0,)]
    # v1's date stands, the number is v2's; what was known before v2 still answers with v1's number
    [now] = table(db, "SELECT model, value, published_on FROM sota_as_of(DATE '2021-02-01')")
    assert now == ("NetX", 84.7, date(2021, 1, 4))
    [then] = table(db, "SELECT value FROM sota_as_of(DATE '2021-02-01', known_at := DATE '2021-02-01')")
    assert then == (84.3,)

    # a v3 that repeats v2's number changes nothing
    report = load(db, paper(3, V2, "2021-06-01T08:00:00Z"), datetime(2021, 6, 2, tzinfo=UTC))
    assert (report.results_changed, report.results_unchanged) == (0, 1)
    assert table(db, "SELECT count(*) FROM results") == [(2,)]


def test_a_claim_a_later_version_no_longer_states_is_not_removed(db):
    """arXiv lists some papers, never a whole board: nothing missing from a feed is removed (full_listing False)."""
    both = V1.replace(".", ", and 79.0% zero-shot top-1 accuracy on ImageNet.", 1)
    load(db, paper(1, both, "2021-01-04T10:00:00Z"), datetime(2021, 1, 6, tzinfo=UTC))
    assert table(db, "SELECT attributes->>'setting' FROM results ORDER BY value") == [("zero-shot",), (None,)]
    report = load(db, paper(2, V1, "2021-03-01T08:00:00Z"), datetime(2021, 3, 3, tzinfo=UTC))
    assert report.results_removed == 0
    assert table(db, "SELECT count(*) FROM results WHERE removed_at IS NULL") == [(2,)]


# --------------------------------------------------------------------------------------------------------------
# The dev abstracts as a feed: on the boards with their dates, and `sota asof` from arXiv alone


def sota(*args: str, capsys) -> str:
    """The `sota` command in this process (its entry point, exit code and output streams)."""
    from flows.cli import main

    capsys.readouterr()
    code = main(list(args))
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return captured.out


def test_a_feed_of_the_dev_abstracts_answers_sota_asof_from_arxiv_alone(shared_data, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("SOTA_LOCK_TIMEOUT", "1")
    records = dev_records(shared_data)
    feed = tmp_path / "dev-feed.xml"
    feed.write_bytes(feed_xml([dev_entry(r) for r in records]))
    database = str(tmp_path / "sota.duckdb")

    loaded = json.loads(sota("load", str(feed), "--source", "arxiv", "--name", "arxiv", "--db", database, "--json",
                             capsys=capsys))
    assert loaded["status"] == "loaded" and loaded["rows_rejected"] == 0 and loaded["results_new"] >= 40

    import duckdb

    with duckdb.connect(database, read_only=True) as con:
        assert table(con, "SELECT DISTINCT source FROM results") == [("arxiv",)]
        on_board = table(
            con,
            "SELECT r.arxiv_id, r.model, r.value, r.published_on, r.published_precision FROM results r "
            "JOIN benchmarks b USING (benchmark_id) WHERE (b.task, b.dataset, b.metric) = (?, ?, ?)",
            list(IMAGENET_TOP1),
        )
        day_of = {r["arxiv_id"]: date.fromisoformat(v1_day(r)) for r in records}
        assert {(arxiv_id, published, precision) for arxiv_id, _, _, published, precision in on_board} == {
            (arxiv_id, day_of[arxiv_id], "day") for arxiv_id, *_ in on_board
        }
        # every dev paper whose labels hold an own ImageNet-1K top-1 number is on the board
        labelled = {
            r["arxiv_id"] for r in records for c in r["claims"]
            if c["dataset_canonical"] == "ImageNet-1K" and c["metric"] == "top1_accuracy" and not c["is_baseline"]
        }
        assert labelled <= {arxiv_id for arxiv_id, *_ in on_board}
        assert ("2106.04803", "CoAtNet", 90.88, date(2021, 6, 1), "day") in on_board
        assert ("2003.10580", "Meta Pseudo Labels", 90.2, date(2020, 3, 1), "day") in on_board
        # the macro, from the file alone
        [holder] = table(
            con,
            "SELECT model, value, published_on, arxiv_id, source FROM sota_as_of(DATE '2020-12-31') "
            "WHERE task = ? AND dataset = ? AND metric = ?",
            list(IMAGENET_TOP1),
        )
        assert holder == ("Meta Pseudo Labels", 90.2, date(2020, 3, 1), "2003.10580", "arxiv")

    def asof(day: str, metric: str = "Top 1 Accuracy") -> tuple:
        out = sota("asof", day, "--task", "Image Classification", "--dataset", "ImageNet", "--metric", metric,
                   "--db", database, "--json", capsys=capsys)
        [row] = json.loads(out)
        return row["model"], row["value"], row["published_on"], row["source"]

    assert asof("2017-12-31") == ("NASNet", 82.7, "2017-07-01", "arxiv")
    assert asof("2018-12-31") == ("AmoebaNet-A", 83.9, "2018-02-05", "arxiv")
    assert asof("2019-12-31") == ("ResNeXt-101", 86.4, "2019-06-14", "arxiv")
    assert asof("2020-12-31") == ("Meta Pseudo Labels", 90.2, "2020-03-01", "arxiv")
    assert asof("2025-12-31") == ("CoAtNet", 90.88, "2021-06-01", "arxiv")
    assert asof("2016-12-31", "Top 5 Error") == ("Inception-v4", 3.08, "2016-02-23", "arxiv")

    # the same feed again is the same snapshot: nothing new
    again = json.loads(sota("load", str(feed), "--source", "arxiv", "--name", "arxiv", "--db", database, "--json",
                            capsys=capsys))
    assert again["status"] in ("unchanged", "already-loaded")


def test_a_saved_harvest_loads_like_the_live_one(db, arxiv, papers, tmp_path, capsys, monkeypatch):
    live = harvest(db, arxiv, feed_xml([papers["A"], papers["B"]]), datetime(2024, 1, 6, tzinfo=UTC),
                   since="2024-01-01")
    load(db, live, datetime(2024, 1, 6, tzinfo=UTC))
    saved = tmp_path / "harvest.xml"
    saved.write_bytes(live)
    monkeypatch.setenv("SOTA_LOCK_TIMEOUT", "1")
    database = str(tmp_path / "other.duckdb")
    sota("load", str(saved), "--source", "arxiv", "--db", database, capsys=capsys)
    import duckdb

    columns = "arxiv_id, model, value, published_on, attributes"
    with duckdb.connect(database, read_only=True) as other:
        assert table(other, f"SELECT {columns} FROM results ORDER BY ALL") == table(
            db, f"SELECT {columns} FROM results ORDER BY ALL"
        )


def test_zero_shot_and_linear_probe_claims_are_kept_but_not_ranked_against_fine_tuned_ones(db, shared_data):
    """The setting travels with the claim into the warehouse, where the default ranking leaves non-standard ones out."""
    records = {r["arxiv_id"]: r for r in dev_records(shared_data)}
    zero_shot = entry_xml("2201.00002", 1, "ViT-Z: zero-shot at scale",
                          "ViT-Z reaches 95.0% zero-shot top-1 accuracy on ImageNet.", "2022-01-03T10:00:00Z")
    load(db, feed_xml([dev_entry(records["2106.04803"]), dev_entry(records["2006.07733"]), zero_shot]),
         datetime(2024, 1, 1, tzinfo=UTC))
    assert table(db, "SELECT arxiv_id, value, setting FROM results WHERE setting IS NOT NULL ORDER BY value") == [
        ("2006.07733", 74.3, "linear-probe"), ("2006.07733", 79.6, "linear-probe"),
        ("2106.04803", 86.0, "from-scratch"), ("2201.00002", 95.0, "zero-shot"),
    ]
    where = "WHERE task = 'Image Classification' AND dataset = 'ImageNet' AND metric = 'Top 1 Accuracy'"
    assert table(db, f"SELECT model, value FROM sota_as_of(DATE '2023-01-01') {where}") == [("CoAtNet", 90.88)]
    assert table(db, f"SELECT model, value FROM sota_as_of(DATE '2023-01-01', all_settings := true) {where}") == [
        ("ViT-Z", 95.0),
    ]



def test_ingest_moves_the_arxiv_cursor_with_the_rows(db, arxiv, papers, tmp_path):
    """Through the same `ingest` the CLI and the nightly flow use: the state the source declares stores the cursor."""
    payload = harvest(db, arxiv, feed_xml([papers["A"], papers["B"]]), datetime(2024, 1, 6, 3, tzinfo=UTC),
                      since="2024-01-01")
    saved = tmp_path / "harvest@2024-01-06.xml"
    saved.write_bytes(payload)
    report = ingest(db, "arxiv", str(saved))
    assert report.status == "loaded" and report.results_new > 0
    assert read_cursor(db, KEY)["last"] == "2024-01-05T09:30:00Z"
    assert read_cursor(db, KEY)["snapshot_id"] == report.snapshot_id


def test_the_nightly_ingest_reads_the_cursor_but_does_not_hold_the_warehouse_while_it_harvests(
    tmp_path, arxiv, papers
):
    """`ingest_with_opener`, as the nightly flow calls it: the warehouse is opened to read the cursor and to load, and is
    closed between, while arXiv is asked (3 s a page); the second run asks from the cursor the first one stored."""
    from flows.ingest import ingest_with_opener
    from warehouse.db import connect

    path = tmp_path / "sota.duckdb"
    opened: list[str] = []

    def open_warehouse():
        opened.append(f"open after {len(arxiv.requests)} requests")
        return connect(path)

    url = arxiv.url("/api/query") + f"?search_query={QUERY}&sortBy=submittedDate&sortOrder=ascending"
    options = {"lookback_days": "1", "since": "2024-01-01"}
    arxiv.route("/api/query", [Reply(200, body=feed_xml([papers["A"], papers["B"]]))])
    first = ingest_with_opener(open_warehouse, "arxiv", url, client=arxiv.client, options=options)
    arxiv.route("/api/query", [Reply(200, body=feed_xml([papers["B"], papers["C"]]))])
    second = ingest_with_opener(open_warehouse, "arxiv", url, client=arxiv.client, options=options)

    assert (first.status, second.status) == ("loaded", "loaded") and second.results_new > 0
    assert asked_search(arxiv).startswith(f"({QUERY}) AND submittedDate:[202401040930 TO ")  # from the cursor
    # each run: once for the cursor before asking, once for the load after; never held across a request
    assert opened == ["open after 0 requests", "open after 1 requests", "open after 1 requests",
                      "open after 2 requests"]
    with connect(path) as con:
        assert read_cursor(con, KEY)["last"] == "2024-01-07T16:45:00Z"
