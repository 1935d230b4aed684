"""OpenCodePapers benchmark files: the continuation of the Papers with Code leaderboards that keeps papers with open
code only, one JSON file per board (`dataset/benchmarks/<slug>.json`).

URL: a path, a file:// URL or an http(s) URL of one benchmark file. The raw GitHub file of a slug is
`benchmark_url(slug)`, `https://raw.githubusercontent.com/DanBmh/OpenCodePapers/main/dataset/benchmarks/<slug>.json`
(the repository's default branch is assumed to be `main`); `default_url` is that of
`image-classification-on-imagenet`, the board whose payload is recorded in ../shared/data/opencodepapers. The version
history of a file (one payload per commit) is a dated series of snapshots of one board: load each version under the
same lineage with `--observed-at` set to its commit date, since the file itself carries no date.

Limits: one board per file, one request per board (the generic fetch; raw.githubusercontent.com needs no key).
Nothing is ranked by rank number: the order of `benchmark.items` is the board's.

Relies on: a JSON object with `benchmark.fields` (a list of `{key, label, sortable}`) naming the keys of
`benchmark.items`; in each item `p` the paper (`{name, link}`, or in an older version a Markdown link
`[name](url)`), `c` the code URL (or a Markdown link), `n` the model name, `d` the release date "YYYY-MM-DD", and every
other field key (`m1`..`mN`) a metric whose name is the field's label, its value a string such as "91.0%" or "2100M".
A missing value is an absent key, null or "" (all three occur across versions): it gives no row. The board's task is
the last entry of `task-hierarchy`, its dataset the `-on-<dataset>` part of the slug (`title`, else the file name),
both mapped onto the existing names through the alias registry; the options `task` and `dataset` override them, and
`benchmark` names the slug where the file does not. Every metric value present is one raw row; the file does not say
whether a result used extra training data (None); `has_code` is true on every row, since the board keeps only papers
with open code (the `c` link, where given, is kept as `code_url`).

Ranked: in the recorded ImageNet board the items run best first by the first metric (Top 1 Accuracy, 1,055 values
non-increasing), as Papers with Code listed them; the other metrics are not sorted, so each metric is one listing and
only a listing whose order is clear counts as evidence of direction (`pipelines.directions.order_evidence`).
"""
from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import PurePosixPath
from urllib.parse import urlparse

from pipelines.aliases import BOARD_SLUG_SEPARATOR, board_from_slug, canonical_dataset, canonical_task, slug_words
from pipelines.source import ParseError, RawRow, SourceSpec, json_document

NAME = "opencodepapers"
RAW_BASE = "https://raw.githubusercontent.com/DanBmh/OpenCodePapers/main/dataset/benchmarks/"
DEFAULT_SLUG = "image-classification-on-imagenet"
# the keys of `benchmark.items` that are not metrics: paper, code, model name, release date
NON_METRIC_KEYS = frozenset({"p", "c", "n", "d"})
_MARKDOWN_LINK = re.compile(r"^\[(?P<name>.*)\]\((?P<link>[^()\s]*)\)$", re.DOTALL)


def benchmark_url(slug: str) -> str:
    """The raw GitHub URL of one benchmark file of OpenCodePapers."""
    return f"{RAW_BASE}{slug}.json"


def location_of(options: Mapping[str, str]) -> str | None:
    """A configured entry's file: that of its `benchmark` slug, if it names one."""
    slug = (options.get("benchmark") or "").strip()
    return benchmark_url(slug) if slug else None


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: object) -> str | None:
    if _missing(value):
        return None
    return value.strip() if isinstance(value, str) else json.dumps(value)


def _link(value: object) -> tuple[str | None, str | None]:
    """(name, url) of a paper or code cell: an object `{name, link}`, a Markdown link `[name](url)`, or a bare text
    (a URL if it looks like one, else a name)."""
    if isinstance(value, dict):
        return _text(value.get("name")), _text(value.get("link"))
    text = _text(value)
    if text is None:
        return None, None
    match = _MARKDOWN_LINK.match(text)
    if match:
        return _text(match["name"]), _text(match["link"])
    return (None, text) if text.startswith(("http://", "https://")) else (text, None)


def _slug(document: dict, location: str, options: dict) -> str | None:
    for candidate in (options.get("benchmark"), document.get("title")):
        if isinstance(candidate, str) and candidate.strip():
            return candidate.strip()
    stem = PurePosixPath(urlparse(location).path or location).stem
    return stem.split("@", 1)[0] or None  # history files are named <slug>@<date>.json


def _slugify(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def _board(document: dict, location: str, options: dict) -> tuple[str, str]:
    """The board's task and dataset: the options, else the file's task hierarchy and the slug's `-on-` part."""
    slug = _slug(document, location, options)
    hierarchy = document.get("task-hierarchy")
    file_task = None
    if isinstance(hierarchy, list) and hierarchy and isinstance(hierarchy[-1], str) and hierarchy[-1].strip():
        file_task = hierarchy[-1].strip()
    task, dataset = options.get("task"), options.get("dataset")
    if not task:
        if file_task is None and slug and board_from_slug(slug) is not None:
            file_task = slug_words(slug.partition(BOARD_SLUG_SEPARATOR)[0])
        if file_task is None:
            raise ParseError(NAME, location, "no 'task-hierarchy' and no task in the slug: give --task")
        task = canonical_task(file_task)
    if not dataset:
        part = None
        prefix = _slugify(file_task) + BOARD_SLUG_SEPARATOR if file_task else None
        if slug and prefix and slug.startswith(prefix):
            part = slug[len(prefix):]  # the file's own task may hold an "-on-" of its own
        elif slug and board_from_slug(slug) is not None:
            part = slug.partition(BOARD_SLUG_SEPARATOR)[2]
        if not part:
            raise ParseError(NAME, location, f"slug {slug!r} has no '-on-<dataset>' part: give --dataset")
        dataset = canonical_dataset(slug_words(part))
    return task, dataset


def parse_opencodepapers(payload: bytes, location: str, **options: str) -> list[RawRow]:
    document = json_document(payload, NAME, location)
    if not isinstance(document, dict):
        raise ParseError(NAME, location, "expected a JSON object at the top level")
    benchmark = document.get("benchmark")
    if not isinstance(benchmark, dict):
        raise ParseError(NAME, location, "no 'benchmark' object")
    fields, items = benchmark.get("fields"), benchmark.get("items")
    if not isinstance(items, list):
        raise ParseError(NAME, location, "no 'benchmark.items' list")
    if not isinstance(fields, list) or not all(isinstance(f, dict) and "key" in f for f in fields):
        raise ParseError(NAME, location, "no 'benchmark.fields' list of {key, label}")
    metrics = [(str(f["key"]), str(f.get("label") or f["key"])) for f in fields if f["key"] not in NON_METRIC_KEYS]
    if not metrics:
        raise ParseError(NAME, location, "'benchmark.fields' names no metric column")
    task, dataset = _board(document, location, options)
    slug = _slug(document, location, options) or f"{task} on {dataset}"
    out: list[RawRow] = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise ParseError(NAME, location, f"benchmark.items[{index}] is not an object")
        paper_title, paper_url = _link(item.get("p"))
        _, code_url = _link(item.get("c"))
        # Papers with Code showed the paper's title where a row named no model; so does the record
        model = _text(item.get("n")) or paper_title or ""
        for key, label in metrics:
            value = item.get(key)
            if _missing(value):
                continue
            out.append(
                RawRow(
                    task=task,
                    dataset=dataset,
                    metric=label,
                    model=model,
                    value=value.strip() if isinstance(value, str) else json.dumps(value),
                    row_ref=f"{slug} / {label} / item {index}",
                    paper_title=paper_title,
                    paper_url=paper_url,
                    published=_text(item.get("d")),
                    uses_additional_data=None,
                    has_code=True,
                    attributes={"code_url": code_url},
                )
            )
    if not out:
        raise ParseError(NAME, location, "no metric values in 'benchmark.items'")
    return out


def listing_of(row: RawRow) -> str:
    """The listing a row belongs to: its board's metric column, whose rows come in the board's order."""
    return row.row_ref.rsplit(" / item ", 1)[0]


SOURCE = SourceSpec(
    name=NAME,
    description="OpenCodePapers benchmark JSON (Papers with Code boards continued, papers with open code only)",
    parse=parse_opencodepapers,
    full_listing=True,
    default_url=benchmark_url(DEFAULT_SLUG),
    location_for=location_of,
    ranked_listing=listing_of,
)
