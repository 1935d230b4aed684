"""arxiv: the claims the source's parser turns into rows, where its fetch starts an incremental harvest, and the
cursor a harvest payload leaves (its declared state).
"""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from pipelines.arxiv import (
    SOURCE,
    benchmark_of,
    cursor_advances,
    cursor_after,
    fetch_arxiv,
    parse_arxiv_feed,
)
from pipelines.arxiv_atom import read_arxiv_feed
from pipelines.arxiv_client import API_URL
from pipelines.normalize import normalize_rows
from pipelines.registry import get_source
from pipelines.source import RawRow
from schemas.results import validate_results
from tests.support.arxiv_feeds import ATOM_2016, dev_entries, dev_records, entry_xml, feed_xml, query_of
from tests.support.http_server import Reply

UTC = timezone.utc


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
# The fetch: where a harvest starts


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



def test_a_saved_feed_is_read_as_it_is(server, make_client, shared_data, tmp_path):
    saved = shared_data / ATOM_2016 / "search_query=au_del_maestro.xml"
    assert fetch_arxiv(str(saved), make_client()) == saved.read_bytes()
    assert fetch_arxiv(saved.as_uri(), make_client()) == saved.read_bytes()
    assert server.requests == []


# --------------------------------------------------------------------------------------------------------------
# The state a harvest leaves


def test_a_harvest_leaves_its_cursor_and_a_saved_feed_none(server, make_client, shared_data):
    """The state the source declares (`SOURCE.state_after`), a pure function of the payload: under its query's key,
    the latest submission date of the harvest's papers and whether max_total cut it short. A feed that is no
    incremental harvest (saved from elsewhere, or an id lookup) leaves none."""
    server.route("/api/query", [Reply(200, body=feed_xml([
        entry_xml("2101.00001", 1, "T", "A", "2024-01-02T10:00:00Z"),
        entry_xml("2101.00002", 1, "T", "A", "2024-01-05T09:30:00Z"),
    ], total=3))])
    payload = fetch_arxiv("abs:ImageNet", make_client(), since="2024-01-01", max_total=2,
                          now=datetime(2024, 1, 6, tzinfo=UTC), base_url=server.url("/api/query"))
    assert SOURCE.state_after is cursor_after
    assert cursor_after(payload) == {"cursor:submittedDate:abs:ImageNet": {
        "query": "abs:ImageNet", "by": "submittedDate", "last": "2024-01-05T09:30:00Z", "arxiv_id": "2101.00002",
        "complete": False,
    }}
    assert cursor_after(payload) == cursor_after(payload)
    assert cursor_after((shared_data / ATOM_2016 / "search_query=au_del_maestro.xml").read_bytes()) is None
    assert cursor_after(feed_xml([entry_xml("2101.00001", 1, "T", "A", "2024-01-02T10:00:00Z")])) is None


def test_a_cursor_only_moves_forward():
    older, newer = {"last": "2024-01-02T10:00:00Z"}, {"last": "2024-01-05T09:30:00Z"}
    assert SOURCE.state_advances is cursor_advances
    assert cursor_advances(older, newer) and not cursor_advances(newer, older) and not cursor_advances(newer, newer)
