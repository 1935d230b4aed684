"""The Papers with Code page parser, against the real "Image Classification on ImageNet" page of 2023-12-07."""
from collections import Counter
from datetime import datetime

import pytest

from flows.ingest import ingest
from pipelines.pwc_page import SOURCE, board_of, listing_of, parse_pwc_page
from pipelines.registry import get_source
from pipelines.source import ParseError, RawRow
from warehouse.db import connect

PAGE = "pwc-sota-page/image-classification-on-imagenet@2023-12-07.json"
OMNIVEC = RawRow(
    task="Image Classification",
    dataset="ImageNet",
    metric="Top 1 Accuracy",
    model="OmniVec",
    value="92.4%",
    row_ref="Image Classification on ImageNet / Top 1 Accuracy / row 0",
    paper_title="OmniVec: Learning robust representations with cross modal sharing",
    paper_url="https://paperswithcode.com/paper/omnivec-learning-robust-representations-with",
    published="2023-11-07T00:00:00.000000",
    uses_additional_data=False,
    has_code=False,
    attributes={"rank": 1, "code_url": None, "tags": []},
)


@pytest.fixture(scope="module")
def page(shared_data):
    path = shared_data / PAGE
    return path.read_bytes(), str(path)


@pytest.fixture(scope="module")
def rows(page):
    return parse_pwc_page(*page)


def test_every_metric_value_of_every_row_is_one_raw_row(rows):
    # 943 rows; a metric the page shows as a dash (null in both metrics and raw_metrics) is no value
    assert len(rows) == 2056
    assert len({r.row_ref.rsplit(" / row ", 1)[1] for r in rows}) == 943
    assert Counter(r.metric for r in rows) == {
        "Top 1 Accuracy": 940, "Number of params": 621, "GFLOPs": 481, "Hardware Burden": 7,
        "Operations per network pass": 7,
    }
    assert {(r.task, r.dataset) for r in rows} == {("Image Classification", "ImageNet")}


def test_first_rows_are_read_whole(rows):
    assert rows[0] == OMNIVEC
    assert rows[1] == RawRow(
        task="Image Classification",
        dataset="ImageNet",
        metric="Top 1 Accuracy",
        model="BASIC-L (Lion, fine-tuned)",
        value="91.1%",
        row_ref="Image Classification on ImageNet / Top 1 Accuracy / row 1",
        uses_additional_data=False,
        has_code=False,
        attributes={"rank": 2, "code_url": None, "tags": ["Conv+Transformer", "ALIGN", "JFT-3B"]},
    )
    coca = [r for r in rows if r.model == "CoCa (finetuned)"]
    paper = {
        "task": "Image Classification",
        "dataset": "ImageNet",
        "model": "CoCa (finetuned)",
        "paper_title": "CoCa: Contrastive Captioners are Image-Text Foundation Models",
        "paper_url": "https://paperswithcode.com/paper/coca-contrastive-captioners-are-image-text",
        "published": "2022-05-04T00:00:00.000000",
        "uses_additional_data": False,
        "has_code": True,
        "attributes": {"rank": 3, "code_url": None, "tags": ["ALIGN", "Transformer", "JFT-3B"]},
    }
    assert coca == [
        RawRow(metric="Top 1 Accuracy", value="91.0%", row_ref="Image Classification on ImageNet / Top 1 Accuracy / row 2", **paper),
        RawRow(metric="Number of params", value="2100M", row_ref="Image Classification on ImageNet / Number of params / row 2", **paper),
    ]


def test_attributes_and_flags_across_the_page(rows):
    top1 = [r for r in rows if r.metric == "Top 1 Accuracy"]
    assert [r.attributes["rank"] for r in top1][:5] == [1, 2, 3, 4, 5]
    assert Counter(r.has_code for r in top1) == {True: 870, False: 70}  # paper.code: a boolean on every row
    assert {type(r.has_code) for r in rows} == {bool} and all("has_code" not in r.attributes for r in rows)
    assert Counter(r.uses_additional_data for r in top1) == {False: 865, True: 75}
    assert Counter(bool(r.attributes["tags"]) for r in top1) == {True: 630, False: 310}
    assert {type(r.uses_additional_data) for r in rows} == {bool}
    assert {r.attributes["code_url"] for r in rows} == {None}  # the 2023 page says only whether code exists
    # 16 rows have no paper and no evaluation date: no publication date either
    assert sum(1 for r in top1 if r.published is None) == sum(1 for r in top1 if r.paper_title is None) == 16


def test_ranked_listing_is_one_per_metric_in_rank_order(rows):
    assert SOURCE.ranked_listing is listing_of and get_source("pwc-page") is SOURCE
    assert {listing_of(r) for r in rows} == {
        f"Image Classification on ImageNet / {m}" for m in
        ("Top 1 Accuracy", "Number of params", "GFLOPs", "Hardware Burden", "Operations per network pass")
    }
    ranks = [r.attributes["rank"] for r in rows if listing_of(r) == "Image Classification on ImageNet / Top 1 Accuracy"]
    assert ranks == sorted(ranks)


def wrap(json_bytes: bytes, script_id: str = "evaluation-table-data") -> bytes:
    return (
        b"<!DOCTYPE html><html><head><title>ImageNet Benchmark (Image Classification) | Papers With Code</title>"
        b'<script id="evaluation-table-metrics" type="application/json">[]</script></head><body>'
        b"<h1>Image Classification on ImageNet</h1><div id=\"leaderboard\"></div>"
        + f'<script id="{script_id}" type="application/json">'.encode()
        + json_bytes
        + b'</script><script id="evaluation-chart-data" type="application/json">{}</script></body></html>'
    )


def test_a_saved_page_around_the_json_gives_the_same_rows(page, rows):
    payload, location = page
    html_location = location.replace(".json", ".html")
    assert parse_pwc_page(wrap(payload), html_location) == rows
    wayback = "https://web.archive.org/web/20231207000000/https://paperswithcode.com/sota/image-classification-on-imagenet"
    assert parse_pwc_page(wrap(payload), wayback) == rows


def test_a_page_without_the_script_names_it(page):
    with pytest.raises(ParseError) as error:
        parse_pwc_page(wrap(page[0], script_id="something-else"), "saved/image-classification-on-imagenet.html")
    assert str(error.value) == (
        'pwc-page: cannot parse saved/image-classification-on-imagenet.html: '
        'no <script id="evaluation-table-data"> element in the page'
    )


@pytest.mark.parametrize(
    "payload, problem",
    [
        (b"", "invalid JSON at line 1 column 1"),
        (b'[{"rank": 1, "metrics": {"Top 1 Accuracy": "92.4%"}', "invalid JSON at line 1 column"),
        (b'{"rows": []}', "expected a JSON list of leaderboard rows"),
        (b"[]", "no leaderboard rows with a metric value found"),
        (b"[1]", "row 0: not an object"),
        (b'[{"metrics": [1]}]', "'metrics' or 'raw_metrics' is not an object"),
        (wrap(b"[{broken"), "<script id=evaluation-table-data>: invalid JSON at line 1 column 3"),
    ],
)
def test_bad_payloads_are_parse_errors(payload, problem):
    with pytest.raises(ParseError) as error:
        parse_pwc_page(payload, "http://example.test/sota/object-detection-on-coco")
    assert str(error.value).startswith("pwc-page: cannot parse http://example.test/sota/object-detection-on-coco")
    assert problem in str(error.value)


def test_the_board_comes_from_options_else_the_slug_else_an_error():
    assert board_of("x/image-classification-on-imagenet@2023-12-07.json", {}) == ("Image Classification", "ImageNet")
    wayback = "https://web.archive.org/web/2023/https://paperswithcode.com/sota/image-classification-on-imagenet-real/"
    assert board_of(wayback, {}) == ("Image Classification", "ImageNet ReaL")
    # names the registry does not know are kept as the slug spells them, title-cased
    assert board_of("https://paperswithcode.com/sota/object-detection-on-coco", {}) == ("Object Detection", "Coco")
    assert board_of("page.json", {"task": "Image Classification", "dataset": "ImageNet"}) == (
        "Image Classification", "ImageNet")
    assert board_of("x/image-classification-on-imagenet.json", {"dataset": "ImageNet ReaL"})[0] == "Image Classification"
    with pytest.raises(ParseError, match=r"no task and no dataset for the board.*--task, --dataset"):
        board_of("/tmp/page.json", {})
    with pytest.raises(ParseError, match=r"no dataset for the board.*--dataset"):
        board_of("/tmp/page.json", {"task": "Image Classification"})
    rows = parse_pwc_page(b'[{"rank": 1, "method": "M", "metrics": {"AP": null}, "raw_metrics": {"AP": 50.5}}]',
                          "page.json", task="Object Detection", dataset="COCO test-dev")
    assert [(r.task, r.dataset, r.metric, r.value, r.has_code, r.attributes) for r in rows] == [
        ("Object Detection", "COCO test-dev", "AP", "50.5", None, {"rank": 1, "code_url": None, "tags": []})
    ]


def test_ingested_page_names_omnivec_as_known_on_2023_12_10(shared_data, tmp_path):
    with connect(tmp_path / "sota.duckdb") as con:
        report = ingest(con, "pwc-page", str(shared_data / PAGE), now=datetime(2026, 1, 1))
        assert report.observed_at == datetime(2023, 12, 7)
        best = con.execute(
            "SELECT model, value FROM sota_as_of(DATE '2023-12-10', known_at := TIMESTAMP '2023-12-10') "
            "WHERE task = 'Image Classification' AND dataset = 'ImageNet' AND metric = 'Top 1 Accuracy'"
        ).fetchall()
        assert best == [("OmniVec", 92.4)]
