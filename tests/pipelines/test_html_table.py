"""html-table: a second reader of RobustBench's real pages, an article table like the seeds' HiringNet post, and the
pages it must refuse."""
from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.source import ParseError, RawRow
from pipelines.html_table import SOURCE, parse_html_table
from pipelines.normalize import normalize_rows
from pipelines.registry import get_source
from pipelines.robustbench import parse_robustbench

IMAGENET = {"task": "Image Classification", "dataset": "ImageNet"}


def test_source_is_registered():
    assert get_source("html-table") is SOURCE
    assert (SOURCE.name, SOURCE.parse, SOURCE.full_listing) == ("html-table", parse_html_table, True)
    assert SOURCE.required_options == ("task", "dataset")


# --- RobustBench's real pages, read as any table ----------------------------------------------------------------

# The metric names of the dedicated source, mapped onto RobustBench's own headers; the venue stands for the date.
ROBUSTBENCH_COLUMNS = ("model=Method,date=Venue,Clean Accuracy=Standard accuracy,"
                       "AutoAttack Robust Accuracy=AutoAttack robust accuracy")


@pytest.mark.parametrize("board, dataset, entries", [("imagenet_Linf", "ImageNet (Linf)", 30),
                                                     ("cifar10_Linf", "CIFAR-10 (Linf)", 99)])
def test_numbers_agree_with_the_dedicated_robustbench_source(shared_data: Path, board: str, dataset: str, entries: int):
    path = shared_data / "robustbench" / "html-head" / f"{board}.html"
    key = board.split("_")[0]
    generic = parse_html_table(path.read_bytes(), str(path), task="Adversarial Defense", dataset=dataset,
                               selector=f"table#{key}_leaderboard_Linf", columns=ROBUSTBENCH_COLUMNS)
    dedicated = parse_robustbench(path.read_bytes(), str(path))
    assert len(generic) == len(dedicated) == 2 * entries
    for ours, theirs in zip(generic, dedicated, strict=True):
        # Every entry, clean then AutoAttack accuracy: the same cell text, board, paper link, extra-data mark, rank.
        assert (ours.task, ours.dataset, ours.metric, ours.value) == (theirs.task, theirs.dataset, theirs.metric,
                                                                      theirs.value), theirs.row_ref
        assert (ours.paper_url, ours.uses_additional_data, ours.attributes["rank"], ours.is_estimate) == (
            theirs.paper_url, theirs.uses_additional_data, theirs.attributes["rank"], False), theirs.row_ref
        # The generic reader keeps the venue as the date text; RobustBench's own baselines say "N/A" (no date).
        assert ours.published == (theirs.published or "N/A"), theirs.row_ref
        # A note under the title stays in the generic model name (the dedicated source knows the footer span).
        assert ours.model == " ".join(filter(None, (theirs.model, theirs.attributes.get("note")))), theirs.row_ref
        assert ours.row_ref == f"table#{key}_leaderboard_Linf row {theirs.attributes['rank']}"


def test_without_options_the_robustbench_table_is_found_and_its_columns_recognised(shared_data: Path):
    path = shared_data / "robustbench" / "html-head" / "imagenet_Linf.html"
    rows = parse_html_table(path.read_bytes(), str(path), task="Adversarial Defense", dataset="ImageNet (Linf)")
    title = "MIMIR: Masked Image Modeling for Mutual Information-based Adversarial Robustness"
    common = {
        "task": "Adversarial Defense", "dataset": "ImageNet (Linf)", "model": title,
        "row_ref": "table#imagenet_leaderboard_Linf row 1", "paper_url": "https://arxiv.org/abs/2312.04960",
        "uses_additional_data": False,  # the "Extra data" column's &#215;
        "attributes": {"AA eval. potentially unreliable": "\u00d7", "Architecture": "Swin-L",
                       "Venue": "arXiv, Dec 2023", "rank": "1"},
    }
    # Every mostly-numeric column that is not rank is a metric, under the page's own header (the <br>s are spaces).
    assert rows[:3] == [RawRow(metric="Standard accuracy", value="78.62%", **common),
                        RawRow(metric="AutoAttack robust accuracy", value="59.68%", **common),
                        RawRow(metric="Best known robust accuracy", value="59.68%", **common)]
    assert len(rows) == 3 * 30
    mixednuts = next(r for r in rows if r.row_ref == "table#imagenet_leaderboard_Linf row 4")
    assert mixednuts.uses_additional_data is True  # &#9745;


# --- an article table in the layout of the seeds' HiringNet post ------------------------------------------------

# Built here (no copy of the article is stored): a contents table first, which has no model column, then the board
# with the article's columns and cell forms: rank, model (linked), "91.0% (9.0% error)", "~99.5% (<0.5% error)",
# "2.1B" params, notes.
ARTICLE = """<!doctype html>
<html><head><meta charset="utf-8"><title>State of the art in image classification</title></head>
<body><article>
  <table class="toc"><tr><td>Contents</td><td><a href="#board">The leaderboard</a></td></tr></table>
  <h2 id="board">ImageNet leaderboard</h2>
  <table class="leaderboard">
    <thead>
      <tr><th>Rank</th><th>Model</th><th>Top-1 Accuracy</th><th>Top-5 Accuracy</th><th>Params</th><th>Notes</th></tr>
    </thead>
    <tbody>
      <tr>
        <td>1</td>
        <td><a href="https://arxiv.org/abs/2205.01917v2">CoCa</a> (finetuned)</td>
        <td>91.0% <small>(9.0% error)</small></td>
        <td>~99.5% (&lt;0.5% error)</td>
        <td>2.1B</td>
        <td>Image-text pre-training<br>on JFT-3B and ALIGN</td>
      </tr>
      <tr>
        <td>2</td>
        <td>ViT-G/14 <a href="#fn1"><sup>1</sup></a></td>
        <td>90.45% (9.55% error)</td>
        <td>&mdash;</td>
        <td>1.8B</td>
        <td></td>
      </tr>
    </tbody>
  </table>
  <p id="fn1">1. Scaling Vision Transformers.</p>
</article></body></html>
"""


@pytest.fixture
def article(tmp_path: Path) -> Path:
    path = tmp_path / "hiringnet-sota.html"
    path.write_text(ARTICLE, encoding="utf-8")
    return path


def parse_article(path: Path, **options: str) -> list[RawRow]:
    return parse_html_table(path.read_bytes(), str(path), **{**IMAGENET, **options})


def test_article_table_whole_rows(article: Path):
    rows = parse_article(article)
    coca = {
        **IMAGENET, "model": "CoCa (finetuned)", "row_ref": "table 2 row 1",
        "paper_url": "https://arxiv.org/abs/2205.01917v2",
        "attributes": {"Notes": "Image-text pre-training on JFT-3B and ALIGN", "rank": "1"},
    }
    # An in-page footnote link is not a paper; the em dash is kept for the normaliser to reject with its reason.
    vit = {**IMAGENET, "model": "ViT-G/14 1", "row_ref": "table 2 row 2", "attributes": {"rank": "2"}}
    assert rows == [
        RawRow(metric="Top-1 Accuracy", value="91.0% (9.0% error)", **coca),
        RawRow(metric="Top-5 Accuracy", value="~99.5% (<0.5% error)", is_estimate=True, **coca),
        RawRow(metric="Params", value="2.1B", **coca),
        RawRow(metric="Top-1 Accuracy", value="90.45% (9.55% error)", **vit),
        RawRow(metric="Top-5 Accuracy", value="\u2014", **vit),
        RawRow(metric="Params", value="1.8B", **vit),
    ]


def test_article_estimates_stay_estimates_after_normalisation(article: Path):
    normalized = normalize_rows(parse_article(article))
    results = normalized.results.set_index(["model", "metric"])
    top1 = results.loc[("CoCa (finetuned)", "Top 1 Accuracy")]
    top5 = results.loc[("CoCa (finetuned)", "Top 5 Accuracy")]
    params = results.loc[("CoCa (finetuned)", "Number of params")]
    assert (top1["value"], top1["unit"], bool(top1["is_estimate"]), top1["arxiv_id"]) == (
        91.0, "percent", False, "2205.01917")
    assert (top5["value"], top5["unit"], bool(top5["is_estimate"]), top5["direction"]) == (
        99.5, "percent", True, "higher")
    # The params column is descriptive: kept as a count, never ranked.
    assert (params["value"], params["unit"], params["direction"]) == (2.1e9, "count", "none")
    assert not results.loc[("ViT-G/14 1", "Top 1 Accuracy")]["is_estimate"]
    assert [(r.row_ref, r.reason) for r in normalized.rejects] == [
        ("table 2 row 2", "Top-5 Accuracy: no value reported ('\u2014')")]


def test_selector_columns_and_metrics_options(article: Path):
    rows = parse_article(article, selector="table.leaderboard", columns="model=Model,Top 1 Accuracy=Top-1 Accuracy",
                         metrics="Params")
    assert [(r.metric, r.model, r.value, r.is_estimate) for r in rows] == [
        ("Top 1 Accuracy", "CoCa (finetuned)", "91.0% (9.0% error)", False),
        ("Params", "CoCa (finetuned)", "2.1B", False),
        ("Top 1 Accuracy", "ViT-G/14 1", "90.45% (9.55% error)", False),
        ("Params", "ViT-G/14 1", "1.8B", False),
    ]
    # The unread Top-5 column is kept, as written, with the other descriptive columns.
    assert rows[0].attributes == {"Top-5 Accuracy": "~99.5% (<0.5% error)",
                                  "Notes": "Image-text pre-training on JFT-3B and ALIGN", "rank": "1"}
    # A selector may point at a container: its first table is read.
    assert parse_article(article, selector="article") == parse_article(article, selector="table.toc ~ table") != []


def test_spanning_cells_multi_row_header_and_inline_markup(tmp_path: Path):
    page = """<table id="results">
      <tr><th rowspan="2">Method</th><th colspan="2">ImageNet</th><th rowspan="2">Params (M, approx)</th>
          <th rowspan="2">Year</th></tr>
      <tr><th>Top-1</th><th>Top-5</th></tr>
      <tr><td colspan="5">Without extra data</td></tr>
      <tr><td>ResNet-50</td><td>76.1</td><td>92.9</td><td>25.6</td><td rowspan="2">2016</td></tr>
      <tr><td>ResNet-152<sup>&dagger;</sup></td><td><b>78</b>.3</td><td>94.1</td><td>60.2</td></tr>
    </table>"""
    path = tmp_path / "board.html"
    path.write_text(page, encoding="utf-8")
    rows = parse_html_table(path.read_bytes(), str(path), **IMAGENET,
                            columns="Top 1 Accuracy=ImageNet Top-1,Number of params=Params (M, approx)")
    assert [(r.model, r.metric, r.value, r.published, r.row_ref) for r in rows] == [
        ("ResNet-50", "Top 1 Accuracy", "76.1", "2016", "table#results row 1"),
        ("ResNet-50", "Number of params", "25.6", "2016", "table#results row 1"),
        ("ResNet-152\u2020", "Top 1 Accuracy", "78.3", "2016", "table#results row 2"),
        ("ResNet-152\u2020", "Number of params", "60.2", "2016", "table#results row 2"),
    ]
    assert rows[0].attributes == {"ImageNet Top-5": "92.9"}


def test_parsing_twice_gives_the_same_rows(article: Path):
    assert parse_article(article) == parse_article(article)


# --- pages it must refuse -----------------------------------------------------------------------------------------

NO_MODEL = b"<table><tr><th>Score</th><th>Other</th></tr><tr><td>1</td><td>2</td></tr></table>"


@pytest.mark.parametrize("payload, options, parts", [
    (b"<html><body><p>Results coming soon.</p></body></html>", {}, ["no <table> in the page"]),
    (None, {"selector": "table#sota"}, ["the selector 'table#sota' matches nothing"]),
    (None, {"selector": "h2"}, ["the selector 'h2' matches no <table>"]),
    (None, {"selector": "table["}, ["the selector 'table[' is not valid CSS"]),
    (NO_MODEL, {}, ["no table with a model column", "table 1: no model column in the header ['Score', 'Other']"]),
    (NO_MODEL, {"selector": "table"},
     ["table 1: no model column in the header ['Score', 'Other']", "(selected by 'table')"]),
    # The layout changed: a mapped column was renamed.
    (None, {"selector": "table.leaderboard", "columns": "model=Method"},
     ["table 2: columns ['Method'] are not in the header", "(selected by 'table.leaderboard')"]),
    (b"<table><tr><th>Model</th><th>Notes</th></tr><tr><td>A</td><td>good</td></tr></table>", {},
     ["no table with a model column", "table 1: no metric columns"]),
    (b"<table><tr><th>Model</th><th>Top-1</th></tr></table>", {"columns": "Top 1 Accuracy=Top-1"},
     ["table 1: a header but no data rows"]),
    (None, {"selector": "article", "columns": "model=Method"},
     ["no table with a model column and a metric column (selected by 'article'): table 1: columns ['Method']",
      "table 2: columns ['Method'] are not in the header ['Rank', 'Model',"]),
    (None, {"columns": "model"}, ["the columns option wants name=header pairs, got 'model'"]),
    (None, {"task": ""}, ["needs --task and --dataset"]),
])
def test_pages_it_cannot_read(article: Path, payload: bytes | None, options: dict, parts: list[str]):
    location = "https://example.org/blog/sota.html"
    with pytest.raises(ParseError) as caught:
        parse_html_table(payload if payload is not None else article.read_bytes(), location,
                         **{**IMAGENET, **options})
    error = caught.value
    assert (error.source, error.location) == ("html-table", location)
    assert str(error).startswith(f"html-table: cannot parse {location}: ")
    for part in parts:
        assert part in error.problem
