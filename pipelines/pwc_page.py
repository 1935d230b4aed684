"""One Papers with Code leaderboard page ("Image Classification on ImageNet"): the JSON of its evaluation table
alone, or the page around it (a saved page or a Wayback capture).

URL form: `https://paperswithcode.com/sota/<task>-on-<dataset>` (the site was shut down in July 2025, so in practice
a Wayback capture, `https://web.archive.org/web/<timestamp>/https://paperswithcode.com/sota/<slug>`, or a saved file
such as `image-classification-on-imagenet@2023-12-07.json`). There is no default URL: each page is one board. Limits:
one request per page through the shared HTTP client (its per-host interval and retries are what spare the Wayback
Machine); nothing here sleeps or fetches.

Relies on: in an HTML page, the element `<script id="evaluation-table-data">` whose text is the JSON; the JSON is a
list of row objects in the page's rank order (sorted by the board's primary metric), each with `rank`, `method`,
`metrics` {name: "92.4%" | null}, `raw_metrics` {name: 92.4 | null}, `evaluation_date`, `uses_additional_data`,
`paper` {title, url "/paper/<slug>", published, code} and `tags` [{name}]. Every non-null metric value of every row
is one raw row, valued by its `metrics` text where there is one, else by its `raw_metrics` number. `paper.code` is
`has_code`: a boolean on the 2023 pages (a code URL, where a page gives one, means true and is kept as `code_url`).

The JSON does not name its board: the task and dataset come from the `task` / `dataset` options, else from the
page's slug in the location's file name (`image-classification-on-imagenet` -> "Image Classification" on "ImageNet"
through the alias registry), else the payload is a parse error naming what is missing.
"""
from __future__ import annotations

import json
import re
from pathlib import PurePosixPath
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup

from pipelines.aliases import board_from_slug, canonical_dataset, canonical_task
from pipelines.source import ParseError, RawRow, SourceSpec, json_document

NAME = "pwc-page"
SITE = "https://paperswithcode.com"
SCRIPT_ID = "evaluation-table-data"


def _text(value: object) -> str | None:
    """A field as text: RawRow promises str or None whatever JSON type the file (re-saved by pandas) put there."""
    return value if value is None or isinstance(value, str) else json.dumps(value)


def _slug_of(location: str) -> str:
    """The page slug a location names: its last path segment less an `@DATE` part and the extensions."""
    parts = urlsplit(location)
    path = parts.path if parts.scheme.lower() in ("http", "https", "file") else location
    name = PurePosixPath(path.replace("\\", "/").rstrip("/")).name
    return re.sub(r"@[^.]*", "", name).split(".")[0].strip()


def board_of(location: str, options: dict) -> tuple[str, str]:
    """(task, dataset) of the page: the options where given, else the slug `<task>-on-<dataset>`, canonicalised."""
    task, dataset = options.get("task"), options.get("dataset")
    if not (task and dataset):
        from_slug = board_from_slug(_slug_of(location))
        if from_slug is not None:
            task, dataset = task or from_slug[0], dataset or from_slug[1]
    missing = [name for name, value in (("task", task), ("dataset", dataset)) if not value]
    if missing:
        raise ParseError(
            NAME, location,
            f"no {' and no '.join(missing)} for the board: the JSON does not name it; give the option(s) "
            f"{', '.join('--' + m for m in missing)} or a file name like '<task>-on-<dataset>.json'",
        )
    return canonical_task(str(task)), canonical_dataset(str(dataset))


def _table_json(payload: bytes, location: str) -> object:
    """The evaluation table's JSON: the payload itself, or the text of the page's `evaluation-table-data` script."""
    head = payload.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if head in (b"[", b"{") or not head:
        return json_document(payload, NAME, location)
    soup = BeautifulSoup(payload, "lxml")
    script = soup.find("script", id=SCRIPT_ID)
    if script is None:
        raise ParseError(NAME, location, f'no <script id="{SCRIPT_ID}"> element in the page')
    text = script.string
    if not text or not text.strip():
        raise ParseError(NAME, location, f'<script id="{SCRIPT_ID}"> is empty')
    return json_document(text.encode("utf-8"), NAME, f"{location} <script id={SCRIPT_ID}>")


def _value(text: object, raw: object) -> str | None:
    """The metric's value as the page showed it ("92.4%"); its number where the page gave no text."""
    if text is not None and str(text).strip():
        return text if isinstance(text, str) else json.dumps(text)
    if raw is not None:
        return json.dumps(raw)
    return None


def _has_code(code: object) -> bool | None:
    """`paper.code` as a flag: the page's boolean, true for a code URL; None where the page says nothing."""
    if isinstance(code, bool):
        return code
    return True if isinstance(code, str) and code.strip() else None


def parse_pwc_page(payload: bytes, location: str, **options: str) -> list[RawRow]:
    document = _table_json(payload, location)
    if not isinstance(document, list):
        raise ParseError(NAME, location, "expected a JSON list of leaderboard rows")
    task, dataset = board_of(location, options)
    board = f"{task} on {dataset}"
    out: list[RawRow] = []
    for index, row in enumerate(document):
        if not isinstance(row, dict):
            raise ParseError(NAME, location, f"row {index}: not an object")
        metrics, raw_metrics = row.get("metrics") or {}, row.get("raw_metrics") or {}
        if not isinstance(metrics, dict) or not isinstance(raw_metrics, dict):
            raise ParseError(NAME, location, f"row {index}: 'metrics' or 'raw_metrics' is not an object")
        paper = row.get("paper") or {}
        if not isinstance(paper, dict):
            raise ParseError(NAME, location, f"row {index}: 'paper' is not an object")
        additional = row.get("uses_additional_data")
        code = paper.get("code")
        tags = row.get("tags") or []
        attributes = {
            "rank": row.get("rank"),
            # the 2023 pages say only whether code exists; a page that links it gives the URL
            "code_url": code if isinstance(code, str) else None,
            "tags": [tag.get("name") if isinstance(tag, dict) else tag for tag in tags] if isinstance(tags, list) else [],
        }
        paper_url = _text(paper.get("url"))
        for metric in dict.fromkeys([*metrics, *raw_metrics]):
            value = _value(metrics.get(metric), raw_metrics.get(metric))
            if value is None:  # the page shows a dash: this row reports no such metric
                continue
            out.append(
                RawRow(
                    task=task,
                    dataset=dataset,
                    metric=str(metric),
                    # Papers with Code shows the paper's title where a row names no model
                    model=str(row.get("method") or paper.get("title") or ""),
                    value=value,
                    row_ref=f"{board} / {metric} / row {index}",
                    paper_title=_text(paper.get("title")),
                    paper_url=urljoin(SITE, paper_url) if paper_url else None,
                    published=_text(paper.get("published") or row.get("evaluation_date")),
                    uses_additional_data=additional if isinstance(additional, bool) else None,
                    has_code=_has_code(code),
                    attributes=dict(attributes),
                )
            )
    if not out:
        raise ParseError(NAME, location, "no leaderboard rows with a metric value found")
    return out


def listing_of(row: RawRow) -> str:
    """The listing a row belongs to (its board and metric): the page lists its rows in rank order."""
    return row.row_ref.rsplit(" / row ", 1)[0]


SOURCE = SourceSpec(
    name=NAME,
    description="One Papers with Code leaderboard page: its evaluation-table JSON, or the saved / Wayback page around it",
    parse=parse_pwc_page,
    full_listing=True,
    ranked_listing=listing_of,
)
