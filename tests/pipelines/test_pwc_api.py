"""pwc-api: the paperswithcode.co API harvest and its parser.

Two kinds of evidence, kept apart by the test names:
- `test_real_v1_...`: the old paperswithcode.com API v1 responses in `pwc-api-v1-2021/` are real recordings; whole
  raw rows are asserted from them.
- `test_built_from_doc_...`: no real response of the 2026 API exists, so these serve responses BUILT FROM
  `../shared/docs/pwc-co-api.md` (its envelope, its evaluation-row fields, its test-double values) from a real HTTP
  server on 127.0.0.1. They prove the paging, politeness and leniency rules, not the live API's exact shape.

Time is faked (the client's clock and sleep), so the ~1 s interval and Retry-After are asserted as the sleeps the
client asked for and nothing really waits.
"""
from __future__ import annotations

import json
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

import pytest

from flows.ingest import ingest
from pipelines.source import ParseError, RawRow
from pipelines.http import FetchRetryableError, HttpClient
from pipelines.pwc_api import (
    DEFAULT_URL,
    FORMAT,
    POLITE_INTERVAL,
    SOURCE,
    fetch_pwc_api,
    parse_pwc_api,
)
from pipelines.registry import get_source
from tests.support.http_server import Reply, serve
from tests.support.clock import FakeClock

V1 = "pwc-api-v1-2021"
DATASETS = "/api/v1/datasets/"
EVALUATIONS = "/api/v1/datasets/72/evaluations/"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def client(clock):
    with HttpClient(timeout=(2.0, 5.0), clock=clock, sleep=clock.sleep, jitter=lambda: 1.0) as made:
        yield made


@pytest.fixture
def server():
    with serve() as running:
        yield running


def body(document: object) -> Reply:
    return Reply(200, {"Content-Type": "application/json"}, json.dumps(document).encode())


# --- responses built from the document (§3 evaluation fields, §5 ImageNet test doubles) ----------------------------

IMAGENET_1K = {"id": "72", "name": "ImageNet-1k", "slug": "imagenet-1k", "full_name": "ImageNet-1k", "paper_count": 900}
IMAGENET_REAL = {"id": "73", "name": "ImageNet ReaL", "slug": "imagenet-real", "full_name": "ImageNet ReaL"}
TINY_IMAGENET = {"id": "80", "name": "Tiny ImageNet", "slug": "tiny-imagenet", "full_name": "Tiny ImageNet"}


def evaluation(eval_id: int, model: str, metrics: dict, **fields) -> dict:
    """An evaluation row with the fields §3 of the document lists, in its value styles."""
    row = {
        "id": str(eval_id),
        "paper_id": str(100 + eval_id),
        "paper_title": f"Paper {eval_id}",
        "paper_arxiv_id": f"2601.{10000 + eval_id}",
        "paper_published_date": "2026-01-20",
        "task_id": "3",
        "task_name": "Image Classification",
        "task_slug": "image-classification",
        "dataset_id": "72",
        "dataset_name": "ImageNet-1k",
        "dataset_slug": "imagenet-1k",
        "model_name": model,
        "harness": None,
        "metrics": metrics,
        "best_metric": "Top 1 Accuracy",
        "best_rank": eval_id,
        "is_open": True,
        "num_parameters": 86000000,
        "uses_additional_data": False,
        "result_url": f"/result/{eval_id}",
        "code_url": None,
    }
    row.update(fields)
    return row


def page(rows: list, *, count=None, next_page=None, **extra) -> dict:
    envelope = {"next_page": next_page, "previous_page": None, "results": rows}
    if count is not None:
        envelope["count"] = count
    envelope.update(extra)
    return envelope


def queries(server, path):
    return [parse_qs(urlsplit(request.path).query) for request in server.requests_to(path)]


def harvest(client, server, **options) -> dict:
    payload = fetch_pwc_api(server.url("/api/v1"), client, **options)
    return json.loads(payload)


# --- registration ---------------------------------------------------------------------------------------------------


def test_registered_with_its_own_fetcher():
    assert get_source("pwc-api") is SOURCE
    assert SOURCE.fetch is fetch_pwc_api
    assert SOURCE.parse is parse_pwc_api
    assert SOURCE.default_url == DEFAULT_URL == "https://paperswithcode.co/api/v1"
    assert SOURCE.full_listing


# --- paging, built from the document ---------------------------------------------------------------------------------


def test_built_from_doc_resolves_imagenet_at_run_time_and_pages_to_the_end(client, clock, server):
    server.route(DATASETS, [body(page([TINY_IMAGENET, IMAGENET_1K, IMAGENET_REAL], count=3))])
    server.route(EVALUATIONS, [
        body(page([evaluation(1, "ViT-G", {"Top 1 Accuracy": 90.45}),
                   evaluation(2, "CoAtNet-7", {"Top 1 Accuracy": "90.88%"})], count=5, next_page=2)),
        body(page([evaluation(3, "EVA", {"Top 1 Accuracy": 89.7}),
                   evaluation(4, "BEiT", {"Top 1 Accuracy": 89.6})], count=5, next_page=3)),
        body(page([evaluation(5, "ResNet-50", {"Top 1 Accuracy": 76.1})], count=5, next_page=None)),
    ])

    document = harvest(client, server, dataset="ImageNet")

    # "ImageNet" is no dataset's exact name here: the alias registry finds ImageNet-1k, and its id is used.
    assert queries(server, DATASETS) == [{"q": ["ImageNet"], "page": ["1"], "page_size": ["100"]}]
    assert queries(server, EVALUATIONS) == [
        {"ordering": ["best_rank"], "page": [str(n)], "page_size": ["100"]} for n in (1, 2, 3)
    ]
    assert document["format"] == FORMAT
    assert document["dataset"] == {
        "query": "ImageNet", "id": "72", "name": "ImageNet-1k", "slug": "imagenet-1k", "full_name": "ImageNet-1k"
    }
    assert document["stopped_because"] == "count reached"
    assert [(r["purpose"], r.get("page"), r["rows"]) for r in document["requests"]] == [
        ("dataset lookup", None, 3), ("page", 1, 2), ("page", 2, 2), ("page", 3, 1)
    ]
    assert [row["id"] for row in document["results"]] == ["1", "2", "3", "4", "5"]
    # One request at a time, about one a second: each of the 3 requests after the first waited the interval.
    assert clock.sleeps == pytest.approx([POLITE_INTERVAL] * 3)

    rows = parse_pwc_api(json.dumps(document).encode(), DEFAULT_URL)
    assert [(r.model, r.value) for r in rows] == [
        ("ViT-G", "90.45"), ("CoAtNet-7", "90.88%"), ("EVA", "89.7"), ("BEiT", "89.6"), ("ResNet-50", "76.1")
    ]
    assert rows[1] == RawRow(
        task="Image Classification",
        dataset="ImageNet-1k",
        metric="Top 1 Accuracy",
        model="CoAtNet-7",
        value="90.88%",
        row_ref="Image Classification / ImageNet-1k / evaluation 2",
        paper_title="Paper 2",
        arxiv_id="2601.10002",
        published="2026-01-20",
        uses_additional_data=False,
        attributes={
            "evaluation_id": "2", "best_rank": 2, "best_metric": "Top 1 Accuracy", "task_id": "3",
            "task_slug": "image-classification", "dataset_id": "72", "dataset_slug": "imagenet-1k",
            "is_open": True, "num_parameters": 86000000, "result_url": "/result/2", "paper_id": "102",
        },
    )


def test_built_from_doc_stops_on_an_empty_page(client, server):
    server.route(EVALUATIONS, [
        body(page([evaluation(1, "A", {"Top 1 Accuracy": 80})], next_page=2)),
        body(page([], next_page=3)),  # says there is more, but has no rows: stop
    ])
    document = harvest(client, server, dataset="72")
    assert (document["stopped_because"], len(server.requests_to(EVALUATIONS))) == ("empty page", 2)
    assert [row["id"] for row in document["results"]] == ["1"]


def test_built_from_doc_stops_when_next_page_is_absent(client, server):
    # papers/search "sends no total" and a page may carry no pagination keys at all: absent means last.
    server.route(EVALUATIONS, [body({"results": [evaluation(1, "A", {"Top 1 Accuracy": 80})]})])
    document = harvest(client, server, dataset="72")
    assert (document["stopped_because"], len(server.requests_to(EVALUATIONS))) == ("no next page", 1)


def test_built_from_doc_stops_when_count_is_reached_even_if_next_page_says_more(client, server):
    server.route(EVALUATIONS, [
        body(page([evaluation(1, "A", {"Top 1 Accuracy": 80})], count=2, next_page=2)),
        body(page([evaluation(2, "B", {"Top 1 Accuracy": 79})], count=2, next_page=3)),
    ])
    document = harvest(client, server, dataset="72")
    assert (document["stopped_because"], len(server.requests_to(EVALUATIONS))) == ("count reached", 2)


def test_built_from_doc_stops_at_the_page_cap_100(client, clock, server):
    # A leaderboard longer than 100 pages: the same page forever, always pointing to a next one.
    server.route(EVALUATIONS, [body(page([evaluation(1, "A", {"Top 1 Accuracy": 80})], count=10**6, next_page=2))])
    document = harvest(client, server, dataset="72")

    pages = [int(query["page"][0]) for query in queries(server, EVALUATIONS)]
    assert pages == list(range(1, 101))
    assert document["stopped_because"] == "page cap 100"
    assert len(document["results"]) == 100
    assert clock.sleeps == pytest.approx([POLITE_INTERVAL] * 99)
    # The rows repeat one evaluation id (a page that shifted while walked): read once.
    assert len(parse_pwc_api(json.dumps(document).encode(), "x")) == 1


def test_built_from_doc_honours_retry_after_on_429(client, clock, server):
    server.route(EVALUATIONS, [
        Reply(429, {"Retry-After": "7"}, b'{"detail": "rate limited"}'),
        body(page([evaluation(1, "A", {"Top 1 Accuracy": 80})], next_page=None)),
    ])
    document = harvest(client, server, dataset="72")
    assert len(server.requests_to(EVALUATIONS)) == 2
    # The retry waited what the server asked; 7 s is longer than the interval, so no extra wait was added.
    assert clock.sleeps == [7.0]
    assert [row["id"] for row in document["results"]] == ["1"]


def test_built_from_doc_a_429_that_never_passes_is_retryable(clock, server):
    server.route(EVALUATIONS, [Reply(429, {"Retry-After": "2"}, b"")])
    with (
        HttpClient(max_retries=2, clock=clock, sleep=clock.sleep) as client,
        pytest.raises(FetchRetryableError) as caught,
    ):
        fetch_pwc_api(server.url("/api/v1"), client, dataset="72")
    assert caught.value.status == 429 and caught.value.attempts == 3
    assert clock.sleeps == [2.0, 2.0]


def test_built_from_doc_an_interval_the_operator_configured_wins(clock, server):
    server.route(EVALUATIONS, [
        body(page([evaluation(1, "A", {"Top 1 Accuracy": 80})], next_page=2)),
        body(page([evaluation(2, "B", {"Top 1 Accuracy": 79})], next_page=None)),
    ])
    with HttpClient(min_interval_per_host={"127.0.0.1": 3.0}, clock=clock, sleep=clock.sleep) as client:
        fetch_pwc_api(server.url("/api/v1"), client, dataset="72")
    assert clock.sleeps == [3.0]


# --- leniency, built from the document --------------------------------------------------------------------------------


def test_built_from_doc_drf_style_envelope_items_total_and_next_urls(client, server):
    # The legacy-compatible shape: `next` as a URL string, `items` instead of `results`, `total` instead of `count`.
    next_url = server.url(EVALUATIONS + "?page=2")
    server.route(EVALUATIONS, [
        body({"total": 3, "next": next_url, "previous": None, "items": [evaluation(1, "A", {"Top 1 Accuracy": 80})]}),
        body({"total": 3, "next": next_url, "previous": None, "items": [evaluation(2, "B", {"Top 1 Accuracy": 79})]}),
        body({"total": 3, "next": None, "previous": None, "items": [evaluation(3, "C", {"Top 1 Accuracy": 78})]}),
    ])
    document = harvest(client, server, dataset="72")
    assert [row["id"] for row in document["results"]] == ["1", "2", "3"]
    assert document["stopped_because"] == "count reached"
    assert [r["next"] for r in document["requests"]] == [next_url, next_url, None]
    assert [r.model for r in parse_pwc_api(json.dumps(document).encode(), "x")] == ["A", "B", "C"]


def test_built_from_doc_metrics_as_numbers_or_strings_and_rows_split_per_metric():
    # §3: the same paper and model once per metric, each with its own best_metric and rank; values in every style.
    raw = page([
        evaluation(1, "Agent | One", {"Top 1 Accuracy": 88.5}, best_metric="Top 1 Accuracy", best_rank=1),
        evaluation(2, "Agent | One", {"Top 5 Accuracy": "98.7"}, best_metric="Top 5 Accuracy", best_rank=3),
        evaluation(3, "Other", {"Top 1 Accuracy": "85%", "Params": "1,234", "FPS": 100, "GFLOPs": None}),
    ], count=3)
    rows = parse_pwc_api(json.dumps(raw).encode(), "built-page.json")
    assert [(r.model, r.metric, r.value, r.attributes.get("best_rank")) for r in rows] == [
        ("Agent | One", "Top 1 Accuracy", "88.5", 1),
        ("Agent | One", "Top 5 Accuracy", "98.7", 3),
        ("Other", "Top 1 Accuracy", "85%", 3),
        ("Other", "Params", "1,234", 3),
        ("Other", "FPS", "100", 3),
        ("Other", "GFLOPs", "null", 3),  # kept: normalize rejects it visibly as "no value"
    ]


def test_built_from_doc_model_paper_and_date_fields_in_their_variants():
    raw = [
        # The relaunch: `methodology` is a protocol, so it goes with the harness into the claim's setting.
        evaluation(1, "Model A", {"Accuracy": 80}, methodology="5-shot", harness="timm",
                   evaluated_on="test", paper_published_date="2025-12-01"),
        # No model_name: `method`, then `methodology` (v1's model field); a date-like evaluated_on is the date.
        evaluation(2, None, {"Accuracy": 79}, method="Model B", evaluated_on="2026-02-03",
                   uses_additional_data=None, code_url=""),
        evaluation(3, None, {"Accuracy": 78}, methodology="Model C", uses_additional_data=True,
                   paper_title=None, paper_arxiv_id=None, paper_published_date=None,
                   paper={"title": "Nested Paper", "arxiv_id": "2602.00001", "published": "2026-02-01"},
                   code_url="https://github.com/example/model-c"),
    ]
    rows = parse_pwc_api(json.dumps(raw).encode(), "bare-list.json")
    assert [(r.model, r.published, r.uses_additional_data) for r in rows] == [
        ("Model A", "2025-12-01", False), ("Model B", "2026-02-03", None), ("Model C", "2026-02-01", True)
    ]
    # a code URL says the model has code; none (null, or empty as seen in real use) says nothing
    assert [r.has_code for r in rows] == [None, None, True]
    first, second, third = rows
    assert (first.attributes["setting"], first.attributes["methodology"], first.attributes["evaluated_on"]) == (
        "timm; 5-shot", "5-shot", "test"
    )
    assert second.attributes["paper_published_date"] == "2026-01-20"
    assert (third.paper_title, third.arxiv_id, "setting" in third.attributes) == ("Nested Paper", "2602.00001", False)


def test_built_from_doc_task_option_keeps_that_tasks_rows():
    raw = page([
        evaluation(1, "A", {"Top 1 Accuracy": 80}),
        evaluation(2, "B", {"Accuracy": 70}, task_id="9", task_name="Self-Supervised Image Classification",
                   task_slug="self-supervised-image-classification"),
    ])
    payload = json.dumps(raw).encode()
    assert [r.model for r in parse_pwc_api(payload, "p", task="image-classification")] == ["A"]
    assert [r.model for r in parse_pwc_api(payload, "p")] == ["A", "B"]
    with pytest.raises(ParseError, match="no rows of task 'Object Detection'; the rows' tasks are: Image Classification, Self"):
        parse_pwc_api(payload, "p", task="Object Detection")


def test_built_from_doc_single_evaluation_object():
    # GET evaluations/{id} answers one row (badge URLs use it).
    rows = parse_pwc_api(json.dumps(evaluation(7, "A", {"Top 1 Accuracy": 80})).encode(), "evaluations/7")
    assert [(r.model, r.row_ref) for r in rows] == [("A", "Image Classification / ImageNet-1k / evaluation 7")]


# --- the dataset, resolved at run time, built from the document ---------------------------------------------------


def test_built_from_doc_unknown_dataset_name_is_a_parse_error_naming_the_search(client, server):
    server.route(DATASETS, [body(page([TINY_IMAGENET, IMAGENET_REAL], count=2))])
    with pytest.raises(ParseError) as caught:
        fetch_pwc_api(server.url("/api/v1"), client, dataset="ImageNet-21k")
    error = caught.value
    assert error.source == "pwc-api" and error.location.endswith("/api/v1/datasets/?q=ImageNet-21k&page=1&page_size=100")
    assert error.problem == (
        "no dataset named 'ImageNet-21k'; the search lists Tiny ImageNet (slug tiny-imagenet, id 80); "
        "ImageNet ReaL (slug imagenet-real, id 73)"
    )
    assert server.requests_to(EVALUATIONS) == []


def test_built_from_doc_ambiguous_dataset_name_asks_for_an_id(client, server):
    twin = {**IMAGENET_1K, "id": "99", "slug": "imagenet-1k-2"}
    server.route(DATASETS, [body(page([IMAGENET_1K, twin]))])
    with pytest.raises(ParseError, match="dataset 'ImageNet-1k' is ambiguous, it matches .*id 72.*id 99"):
        fetch_pwc_api(server.url("/api/v1"), client, dataset="ImageNet-1k")


def test_built_from_doc_cli_double_imagenet_1k_is_found_by_slug(client, server):
    # The CLI's test double spells it {"id": "20", "name": "ImageNet [1K]", "slug": "imagenet"}.
    cli_double = {"id": "20", "name": "ImageNet [1K]", "slug": "imagenet",
                  "full_name": "ImageNet Large Scale Visual Recognition"}
    server.route(DATASETS, [body(page([TINY_IMAGENET, cli_double]))])
    server.route("/api/v1/datasets/20/evaluations/", [body(page([evaluation(1, "A", {"top1": 80})]))])
    document = harvest(client, server, dataset="ImageNet")
    assert document["dataset"]["id"] == "20"
    assert len(server.requests_to("/api/v1/datasets/20/evaluations/")) == 1


def test_built_from_doc_a_dataset_id_skips_the_lookup_and_rows_name_the_dataset(client, server):
    server.route(EVALUATIONS, [body(page([evaluation(1, "A", {"Top 1 Accuracy": 80})]))])
    document = harvest(client, server, dataset="72")
    assert server.requests_to(DATASETS) == []
    assert document["dataset"] == {"query": "72", "id": "72", "name": None}
    assert parse_pwc_api(json.dumps(document).encode(), "x")[0].dataset == "ImageNet-1k"


def test_built_from_doc_no_dataset_option_is_a_clear_error(client, server):
    with pytest.raises(ParseError, match="no dataset to harvest: give the dataset option"):
        fetch_pwc_api(server.url("/api/v1"), client)
    assert server.requests == []


def test_built_from_doc_invalid_json_page_names_its_url(client, server):
    server.route(EVALUATIONS, [Reply(200, {}, b"<html>maintenance</html>")])
    with pytest.raises(ParseError, match=r"datasets/72/evaluations/\?ordering=best_rank&page=1&page_size=100: invalid JSON"):
        fetch_pwc_api(server.url("/api/v1"), client, dataset="72")


# --- end to end through ingest, built from the document -------------------------------------------------------------


def test_built_from_doc_ingest_loads_one_snapshot_per_harvest_and_same_data_is_unchanged(db, client, server):
    server.route(DATASETS, [body(page([IMAGENET_1K]))])
    server.route(EVALUATIONS, [
        body(page([evaluation(1, "ViT-G", {"Top 1 Accuracy": 90.45, "Top 5 Accuracy": "98.9%"})], next_page=2)),
        body(page([evaluation(2, "ResNet-50", {"Top 1 Accuracy": 76.1})], next_page=None)),
    ])
    options = {"dataset": "ImageNet", "task": "Image Classification"}
    now = datetime(2026, 3, 1)
    first = ingest(db, "pwc-api", server.url("/api/v1"), options=options, client=client, now=now)
    assert (first.status, first.rows_parsed, first.rows_loaded, first.rows_rejected, first.results_new) == (
        "loaded", 3, 3, 0, 3
    )
    stored = db.execute(
        "SELECT b.dataset, b.metric, r.model, r.value FROM results AS r JOIN benchmarks AS b USING (benchmark_id) "
        "WHERE r.source = 'pwc-api' ORDER BY r.model, b.metric"
    ).fetchall()
    assert stored == [
        ("ImageNet", "Top 1 Accuracy", "ResNet-50", 76.1),
        ("ImageNet", "Top 1 Accuracy", "ViT-G", 90.45),
        ("ImageNet", "Top 5 Accuracy", "ViT-G", 98.9),
    ]
    # The routes repeat their last page, so reset them to serve the same leaderboard again.
    server.route(DATASETS, [body(page([IMAGENET_1K]))])
    server.route(EVALUATIONS, [
        body(page([evaluation(1, "ViT-G", {"Top 1 Accuracy": 90.45, "Top 5 Accuracy": "98.9%"})], next_page=2)),
        body(page([evaluation(2, "ResNet-50", {"Top 1 Accuracy": 76.1})], next_page=None)),
    ])
    again = ingest(db, "pwc-api", server.url("/api/v1"), options=options, client=client, now=datetime(2026, 3, 2))
    # Same pages, same document bytes (no clock in it): one snapshot per harvest, nothing new.
    assert again.status == "unchanged"


def test_built_from_doc_a_saved_harvest_document_loads_from_a_file(db, client, server, tmp_path):
    server.route(EVALUATIONS, [body(page([evaluation(1, "ViT-G", {"Top 1 Accuracy": 90.45})]))])
    saved = tmp_path / "imagenet@2026-02-01.json"
    saved.write_bytes(fetch_pwc_api(server.url("/api/v1"), client, dataset="72"))
    assert fetch_pwc_api(str(saved), client, dataset="72") == saved.read_bytes()
    report = ingest(db, "pwc-api", str(saved), options={"dataset": "72"}, client=client, now=datetime(2026, 3, 1))
    assert (report.status, report.rows_loaded, report.observed_at) == ("loaded", 1, datetime(2026, 2, 1))


# --- the real API v1 responses (paperswithcode.com, 2021) -------------------------------------------------------------

V1_RESULTS = [
    RawRow(
        task="Semantic Segmentation",
        dataset="Cityscapes test",
        metric="mean iou (class)",
        model="hrnet-ocr (hierarchical multi-scale attention)",
        value="85.1%",
        row_ref="Semantic Segmentation / Cityscapes test / evaluation 657bb1c5-de55-4afc-ba54-0af74eaab5e2",
        paper_url="https://paperswithcode.com/paper/hierarchical-multi-scale-attention-for",
        published="2020-05-21",
        uses_additional_data=False,
        attributes={
            "evaluation_id": "657bb1c5-de55-4afc-ba54-0af74eaab5e2",
            "best_rank": 1,
            "best_metric": "mean iou (class)",
            "paper_id": "hierarchical-multi-scale-attention-for",
        },
    ),
    RawRow(
        task="Semantic Segmentation",
        dataset="Cityscapes test",
        metric="pq",
        model="hrnet-ocr (hierarchical multi-scale attention)",
        value="17.6",
        row_ref="Semantic Segmentation / Cityscapes test / evaluation a0db982b-68a8-4685-921d-a8a557304c85",
        paper_url="https://paperswithcode.com/paper/hierarchical-multi-scale-attention-for",
        published="2020-05-21",
        uses_additional_data=False,
        attributes={
            "evaluation_id": "a0db982b-68a8-4685-921d-a8a557304c85",
            "paper_id": "hierarchical-multi-scale-attention-for",
        },
    ),
]
# v1 `papers/{id}/results/` rows name no task or dataset; the options supply them (here chosen by the test: the
# payload does not say which boards these two results were on).
V1_OPTIONS = {"task": "Semantic Segmentation", "dataset": "Cityscapes test"}


def test_real_v1_results_page_parses_to_whole_rows(shared_data):
    path = shared_data / V1 / "paper_result_list.json"
    assert parse_pwc_api(path.read_bytes(), str(path), **V1_OPTIONS) == V1_RESULTS


def test_real_v1_results_page_without_task_option_says_what_is_missing(shared_data):
    path = shared_data / V1 / "paper_result_list.json"
    with pytest.raises(ParseError) as caught:
        parse_pwc_api(path.read_bytes(), str(path), dataset="Cityscapes test")
    assert caught.value.problem == (
        "row 0 (id 657bb1c5-de55-4afc-ba54-0af74eaab5e2) names no task: give the task option (v1 results carry none)"
    )


PAPER_KEYS = (
    "abstract, arxiv_id, authors, conference, conference_url_abs, conference_url_pdf, id, nips_id, proceeding, "
    "published, title, url_abs"
)
NOT_EVALUATIONS = "has no 'metrics': not evaluation rows (a list of papers, tasks or methods?; keys:"


@pytest.mark.parametrize(
    "name, problem",
    [
        ("paper_task_list_response.json", "no evaluation rows (the page lists none)"),
        ("paper_list_response.json", f"row 0 (id neural-networks-and-physical-systems-with) {NOT_EVALUATIONS} {PAPER_KEYS})"),
        ("paper_method_list_response.json", f"row 0 (id gan) {NOT_EVALUATIONS} description, full_name, id, name, paper)"),
        ("paper_get_response.json", f"not a page of rows: no 'results' or 'items' (its keys: {PAPER_KEYS})"),
    ],
)
def test_real_v1_payloads_without_results_are_parse_errors(shared_data, name, problem):
    path = shared_data / V1 / name
    with pytest.raises(ParseError) as caught:
        parse_pwc_api(path.read_bytes(), str(path), **V1_OPTIONS)
    assert (caught.value.source, caught.value.location, caught.value.problem) == ("pwc-api", str(path), problem)


def test_real_v1_results_page_walked_over_http_gives_the_same_rows(client, server, shared_data):
    # The real page, served where the v1 API had it: `next: null` ends the walk after one request.
    real = (shared_data / V1 / "paper_result_list.json").read_bytes()
    results_path = "/api/v1/papers/hierarchical-multi-scale-attention-for/results/"
    server.route(results_path, [Reply(200, {"Content-Type": "application/json"}, real)])
    payload = fetch_pwc_api(server.url(results_path), client, **V1_OPTIONS)
    document = json.loads(payload)
    assert (document["stopped_because"], document["base_url"], len(server.requests)) == ("count reached", None, 1)
    assert queries(server, results_path) == [{"page": ["1"], "page_size": ["100"]}]
    assert document["results"] == json.loads(real)["results"]
    assert parse_pwc_api(payload, server.url(results_path), **V1_OPTIONS) == V1_RESULTS


def test_real_v1_file_read_through_the_fetcher_unchanged(client, shared_data):
    path = shared_data / V1 / "paper_result_list.json"
    assert fetch_pwc_api(str(path), client) == path.read_bytes()
    assert fetch_pwc_api(path.as_uri(), client) == path.read_bytes()


def test_parsing_twice_gives_the_same_rows(shared_data):
    path = shared_data / V1 / "paper_result_list.json"
    assert parse_pwc_api(path.read_bytes(), str(path), **V1_OPTIONS) == parse_pwc_api(
        path.read_bytes(), str(path), **V1_OPTIONS
    )
