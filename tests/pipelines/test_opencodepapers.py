"""The OpenCodePapers parser, against the recorded ImageNet benchmark file and small variants of it (the older
Markdown-link layout, missing values written three ways), and through ingest into a real warehouse."""
import copy
import json
from collections import Counter
from datetime import datetime

import pytest

from flows.ingest import ingest
from pipelines.opencodepapers import SOURCE, benchmark_url, listing_of, parse_opencodepapers
from pipelines.registry import get_source
from pipelines.source import ParseError, RawRow
from warehouse.db import connect

BOARD = "opencodepapers/image-classification-on-imagenet.json"
FIRST_FOUR = [
    ("CoCa (finetuned)", "91.0%"),
    ("Model soups (BASIC-L)", "90.98%"),
    ("Model soups (ViT-G/14)", "90.94%"),
    ("DaViT-G", "90.4%"),
]


@pytest.fixture(scope="module")
def document(shared_data):
    return json.loads((shared_data / BOARD).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def rows(shared_data):
    path = shared_data / BOARD
    return parse_opencodepapers(path.read_bytes(), str(path))


def parse(document, location="variant/image-classification-on-imagenet.json", **options):
    return parse_opencodepapers(json.dumps(document).encode("utf-8"), location, **options)


def variant(document, items):
    changed = copy.deepcopy(document)
    changed["benchmark"]["items"] = items
    return changed


def test_registered():
    assert get_source("opencodepapers") is SOURCE
    assert SOURCE.default_url == benchmark_url("image-classification-on-imagenet") == (
        "https://raw.githubusercontent.com/DanBmh/OpenCodePapers/main/dataset/benchmarks/image-classification-on-imagenet.json"
    )
    assert SOURCE.full_listing and SOURCE.ranked_listing is listing_of


def test_every_metric_value_present_is_one_row(rows):
    # 1,060 items; absent keys and nulls give no row
    assert len(rows) == 2296
    assert Counter(r.metric for r in rows) == {
        "Top 1 Accuracy": 1055, "Number of params": 668, "GFLOPs": 544,
        "Top 5 Accuracy": 15, "Hardware Burden": 7, "Operations per network pass": 7,
    }
    assert {(r.task, r.dataset) for r in rows} == {("Image Classification", "ImageNet")}
    assert {r.uses_additional_data for r in rows} == {None}
    assert {r.has_code for r in rows} == {True}  # the board keeps papers with open code only


def test_first_row_is_read_whole(rows):
    assert rows[0] == RawRow(
        task="Image Classification",
        dataset="ImageNet",
        metric="Top 1 Accuracy",
        model="CoCa (finetuned)",
        value="91.0%",
        row_ref="image-classification-on-imagenet / Top 1 Accuracy / item 0",
        paper_title="CoCa: Contrastive Captioners are Image-Text Foundation Models",
        paper_url="https://arxiv.org/abs/2205.01917v2",
        published="2022-05-04",
        uses_additional_data=None,
        has_code=True,
        attributes={"code_url": "https://github.com/mlfoundations/open_clip"},
    )
    assert (rows[1].metric, rows[1].value, rows[1].row_ref) == (
        "Number of params", "2100M", "image-classification-on-imagenet / Number of params / item 0"
    )


def test_board_runs_best_first_by_top_1(rows):
    top1 = [r for r in rows if r.metric == "Top 1 Accuracy"]
    assert [(r.model, r.value) for r in top1[:4]] == FIRST_FOUR
    values = [float(r.value.rstrip("%")) for r in top1]
    assert values == sorted(values, reverse=True)
    assert {listing_of(r) for r in top1} == {"image-classification-on-imagenet / Top 1 Accuracy"}


def test_markdown_links_read_as_objects(document, rows):
    items = copy.deepcopy(document["benchmark"]["items"][:4])
    for item in items:
        item["p"] = f"[{item['p']['name']}]({item['p']['link']})"
        item["c"] = f"[code]({item['c']})"
    old = parse(variant(document, items))
    assert old == [r for r in rows if int(r.row_ref.rsplit(" ", 1)[1]) < 4]


def test_missing_values_absent_null_or_empty(document):
    first = copy.deepcopy(document["benchmark"]["items"][0])  # m1 91.0%, m2 2100M, m4 and m6 null
    absent = {k: v for k, v in first.items() if k not in ("m2", "d", "c")}
    empty = {**first, "m2": "", "m3": "", "d": "", "c": ""}
    nulls = {**first, "m2": None, "m3": None, "d": None, "c": None}
    parsed = parse(variant(document, [absent, empty, nulls]))
    assert [(r.row_ref.rsplit(" / ", 1)[1], r.metric, r.value) for r in parsed] == [
        ("item 0", "Top 1 Accuracy", "91.0%"),
        ("item 1", "Top 1 Accuracy", "91.0%"),
        ("item 2", "Top 1 Accuracy", "91.0%"),
    ]
    assert {(r.published, r.attributes["code_url"]) for r in parsed} == {(None, None)}
    assert {r.has_code for r in parsed} == {True}


def test_board_from_options_or_slug(document):
    item = document["benchmark"]["items"][:1]
    given = parse(variant(document, item), task="Image Classification", dataset="ImageNet ReaL")
    assert {(r.task, r.dataset) for r in given} == {("Image Classification", "ImageNet ReaL")}
    # no title and no hierarchy: the file name's slug names both, mapped through the alias registry
    bare = {k: v for k, v in variant(document, item).items() if k not in ("title", "task-hierarchy")}
    from_name = parse(bare, "history/image-classification-on-imagenet@2025-10-01.json")
    assert {(r.task, r.dataset) for r in from_name} == {("Image Classification", "ImageNet")}
    with pytest.raises(ParseError, match="give --dataset"):
        parse(bare, "somewhere/benchmark.json", task="Image Classification")


@pytest.mark.parametrize(
    "change, problem",
    [
        (lambda d: d["benchmark"].pop("items"), "no 'benchmark.items' list"),
        (lambda d: d.pop("benchmark"), "no 'benchmark' object"),
        (lambda d: d["benchmark"].update(items=[]), "no metric values in 'benchmark.items'"),
        (lambda d: d["benchmark"].update(items=["row"]), r"benchmark.items\[0\] is not an object"),
        (lambda d: d["benchmark"].update(fields=[{"key": "p"}, {"key": "n"}]), "names no metric column"),
    ],
)
def test_layout_changes_are_parse_errors(document, change, problem):
    changed = copy.deepcopy(document)
    change(changed)
    with pytest.raises(ParseError, match=problem) as raised:
        parse(changed, "https://example.org/board.json")
    assert raised.value.source == "opencodepapers" and raised.value.location == "https://example.org/board.json"


def test_ingested_board_begins_with_the_four(shared_data, tmp_path):
    now = datetime(2026, 1, 1)  # naive UTC, as the ingest keeps it
    with connect(tmp_path / "sota.duckdb") as con:
        ingest(con, "opencodepapers", str(shared_data / BOARD), lineage="opencodepapers", observed_at="2025-11-30",
               now=now)
        board = con.execute(
            "SELECT model, value FROM leaderboard_as_of('Image Classification', 'ImageNet', 'Top 1 Accuracy', "
            "DATE '2025-11-30') ORDER BY rank LIMIT 4"
        ).fetchall()
    assert [(model, pytest.approx(value)) for model, value in board] == [
        (model, float(value.rstrip("%"))) for model, value in FIRST_FOUR
    ]
