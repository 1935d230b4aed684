"""arXiv (`arxiv`): benchmark results claimed in paper abstracts, read from the arXiv API's Atom feed.

URL: https://export.arxiv.org/api/query, asked by `pipelines.arxiv_client.ArxivClient`, which keeps arXiv's limits
(its terms of use): one request every 3 seconds (`delay_seconds`), pages of `page_size` results, at most `max_total`
results a run, retries with backoff, a User-Agent naming the project, and a page answered empty although the query
has more asked again (`empty_page_retries`). Page elements relied on, read by `pipelines.arxiv_atom`: the Atom
`feed` root, `opensearch:totalResults` and `opensearch:startIndex`, and per `entry` its `id` (`.../abs/<id>v<n>`),
`title`, `summary`, `published` (v1) and `updated` (this version).

The source, in the steps every source has:

- `fetch_arxiv(location_or_query, client, read_state=..., **options) -> bytes` does the I/O: a search (the default
  covers image classification on ImageNet; any `query` and `categories`), an `id_list`, or a full API URL, returned
  as ONE combined Atom feed. A path or a file:// URL (a saved feed) is read as it is, so `sota load FEED.xml --source
  arxiv` and a live harvest go through the same parser.
- `parse_arxiv_feed(payload, location) -> list[RawRow]` is pure; it reads the raw Atom feed of either style (2016,
  2026) and a recorded response `{"url", "status_code", "body"}`. A feed with no entries whose total is 0 (an unknown
  id, a quiet night) parses to no rows; `fetch_arxiv` does not let that pass for an id lookup (ids that arXiv does not
  know raise `ArxivUnknownIdError`).
- `cursor_after(payload)` is pure too: the state a harvest leaves (`SourceSpec.state_after`), its cursor.

Rows: `pipelines.claims.extract_claims` reads each abstract; each claim of the paper's own (baselines it cites
are not rows) becomes one `RawRow` on a canonical benchmark (ImageNet-1K top-1 accuracy is PwC's Image
Classification / ImageNet / Top 1 Accuracy; other datasets and metrics keep their names, the task from a small
table or "Unknown task"). The arXiv id is stored without its version; `published` (v1, day precision) is the row's
date, and `attributes` = {setting, version, version_date, quote}. The setting (zero-shot, linear-probe, ...) is part
of the claim's identity, so a zero-shot number is never the same claim as a fine-tuned one; a later version that
changes a number is a new version of the same claim. Two own claims of one paper on the same benchmark, model and
setting cannot both be a claim: the best is kept, the others listed in its `attributes["also_stated"]`.

Incremental harvest: a search sorted by submission (or last-update) date, ascending, asks only for papers from the
cursor (the latest date seen for that query, read through the `read_state` the ingest gives `fetch_arxiv`) minus
`lookback_days` (papers held in moderation are announced days after their submission date); a run cut short by
`max_total` resumes exactly where it stopped. The cursor a payload leaves is a pure function of it (`cursor_after`);
the ingest writes it inside the load's transaction, so a failed load never moves the cursor, and `cursor_advances`
keeps it from ever moving back.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

from pipelines.aliases import canonical_dataset, canonical_metric, canonical_task, fold
from pipelines.directions import decide
from pipelines.arxiv_atom import SOURCE_NAME, ArxivEntry, read_arxiv_feed
from pipelines.arxiv_client import (
    API_URL,
    CURSOR_FIELDS,
    DEFAULT_EMPTY_PAGE_RETRIES,
    DEFAULT_PAGE_SIZE,
    DELAY_SECONDS,
    ArxivClient,
    arxiv_http_client,
    arxiv_request,
)
from pipelines.claims import Claim, extract_claims, registry_dataset_name, registry_metric_name
from pipelines.http import HttpClient
from pipelines.source import RawRow, SourceSpec
from pipelines.values import collapse_whitespace

# How far behind the cursor (or behind now, with no cursor) a harvest starts: papers held in moderation are announced
# days after their submission date, so a cursor taken at face value would skip them. Re-reading a few days costs one
# request and changes nothing in the warehouse (the same claims are "unchanged").
DEFAULT_LOOKBACK_DAYS = 3.0


# --------------------------------------------------------------------------------------------------------------
# Claims onto canonical benchmarks (pure)

_IMAGE_CLASSIFICATION = {
    "ImageNet-1K", "ImageNet-V2", "ImageNet-ReaL", "ImageNet-A", "ImageNet-R", "ImageNet-Sketch", "ImageNet-C",
    "ImageNet-P", "ImageNet-5K", "ImageNet-100", "ImageNet-LT", "ImageNet-O", "Tiny ImageNet", "ObjectNet",
    "CIFAR-10", "CIFAR-100", "CIFAR", "SVHN", "MNIST", "Fashion-MNIST", "STL-10", "Caltech-101", "Caltech-256",
    "Food-101", "Oxford Flowers-102", "Oxford-IIIT Pets", "Stanford Cars", "FGVC-Aircraft", "DTD", "SUN397",
    "CUB-200-2011", "iNaturalist", "Places365", "VTAB",
}
_ACTION = {"Kinetics-400", "Kinetics-600", "Kinetics-700", "Moments in Time", "Something-Something V2", "UCF101",
           "HMDB51"}
_DETECTION = {"COCO", "COCO test-dev", "COCO minival", "LVIS v1.0", "Objects365", "PASCAL VOC", "PASCAL VOC 2007",
              "PASCAL VOC 2012", "ImageNet detection", "ImageNet VID"}
_SEGMENTATION = {"ADE20K", "Cityscapes", "PASCAL Context", "COCO-Stuff"}
_TASK_OF_DATASET = {
    "WMT14 En-De": "Machine Translation", "WMT14 En-Fr": "Machine Translation",
    "SQuAD": "Question Answering", "SQuAD v1.1": "Question Answering", "SQuAD v2.0": "Question Answering",
    "MultiNLI": "Natural Language Inference", "VQA v2": "Visual Question Answering",
    "WikiText-103": "Language Modelling", "Penn Treebank": "Language Modelling",
    "LibriSpeech": "Speech Recognition", "ImageNet generation": "Image Generation",
    "ImageNet localization": "Object Localization", "NoCaps": "Image Captioning",
}
UNKNOWN_TASK = "Unknown task"


def benchmark_of(dataset: str, metric: str) -> tuple[str, str, str]:
    """(task, dataset, metric) of a claim, from the extractor's canonical dataset and metric names."""
    metric_name = registry_metric_name(metric)
    dataset_name = registry_dataset_name(dataset)
    if dataset in _IMAGE_CLASSIFICATION:
        task = "Image Classification"
    elif dataset in _ACTION:
        task = "Action Classification"
    elif metric == "PQ":
        task = "Panoptic Segmentation"
    elif metric in ("CIDEr", "BLEU") and (dataset.startswith("COCO") or dataset in ("NoCaps", "Flickr30K")):
        task = "Image Captioning"
    elif metric == "mIoU" or dataset in _SEGMENTATION:
        task = "Semantic Segmentation"
    elif metric.startswith("mask_"):
        task = "Instance Segmentation"
    elif dataset in _DETECTION:
        task = "Object Detection"
    else:
        task = _TASK_OF_DATASET.get(dataset, UNKNOWN_TASK)
    return task, dataset_name, metric_name


_NO_EXTRA_DATA = re.compile(
    r"without\s+(?:any\s+)?(?:extra|external|additional)\s+(?:training\s+)?(?:data|images|labels)"
    r"|\bno\s+(?:extra|external|additional)\s+(?:training\s+)?(?:data|images)",
    re.IGNORECASE,
)
_EXTRA_DATA = re.compile(
    r"ImageNet[- ]?2[12][kK]|\bIN-?2[12][kK]\b|\bJFT|Instagram|\bIG-\d|LAION|YFCC|WebLI|DataComp"
    r"|(?:extra|external|additional)\s+(?:training\s+)?data",
    re.IGNORECASE,
)


def _uses_additional_data(claim: Claim) -> bool | None:
    """What the claim's own words say about extra training data; None when they say nothing."""
    if claim.setting == "from-scratch" or _NO_EXTRA_DATA.search(claim.quote):
        return False
    if _EXTRA_DATA.search(claim.quote):
        return True
    return None


def _value_text(claim: Claim) -> str:
    return f"{claim.value}%" if claim.unit == "%" else f"{claim.value}"


def _better(value: float, than: float, metric: str) -> bool:
    # a metric of unknown direction (or none) ranks nothing: the first claim stays, the others are listed with it
    direction = decide(canonical_metric(metric), ()).direction
    return value < than if direction == "lower" else value > than if direction == "higher" else False


def rows_of_entry(entry: ArxivEntry) -> list[RawRow]:
    """The paper's own claims in one entry, as raw rows (see the module docstring)."""
    claims = [c for c in extract_claims(entry.title, entry.abstract, entry.arxiv_id) if not c.is_baseline]
    chosen: dict[tuple, tuple[int, Claim, list[Claim]]] = {}
    for index, claim in enumerate(claims, start=1):
        task, dataset, metric = benchmark_of(claim.dataset, claim.metric)
        model = collapse_whitespace(claim.model) or entry.title
        # The same identity the warehouse gives a claim (pipelines.normalize.claim_key), so no two rows collide there.
        key = (fold(canonical_task(task)), fold(canonical_dataset(dataset)), fold(canonical_metric(metric)), model,
               claim.setting or "")
        if key not in chosen:
            chosen[key] = (index, claim, [])
            continue
        _, kept, others = chosen[key]
        if _better(claim.value, kept.value, metric):
            chosen[key] = (index, claim, [*others, kept])
        else:
            others.append(claim)
    rows = []
    for index, claim, others in sorted(chosen.values(), key=lambda item: item[0]):
        task, dataset, metric = benchmark_of(claim.dataset, claim.metric)
        attributes: dict[str, Any] = {
            "setting": claim.setting or None,
            "version": entry.version,
            "version_date": entry.updated.date().isoformat(),
            "quote": claim.quote,
        }
        if others:
            attributes["also_stated"] = [{"value": _value_text(o), "quote": o.quote} for o in others]
        rows.append(
            RawRow(
                task=task,
                dataset=dataset,
                metric=metric,
                model=collapse_whitespace(claim.model) or entry.title,
                value=_value_text(claim),
                row_ref=f"{entry.arxiv_id}v{entry.version}#claim{index}",
                paper_title=entry.title,
                paper_url=entry.abs_url,
                arxiv_id=entry.arxiv_id,
                published=entry.published.date().isoformat(),
                uses_additional_data=_uses_additional_data(claim),
                attributes=attributes,
            )
        )
    return rows


def parse_arxiv_feed(payload: bytes, location: str, **options: object) -> list[RawRow]:
    """Raw rows of every own claim in the feed's abstracts. Options (the fetch's: query, categories, ...) are unused.

    Raises ParseError for an error answer (with arXiv's message), a page that is not an arXiv Atom feed, an entry
    missing an element, and EmptyPageError for an empty page of a non-empty result. A feed whose total is 0 has no
    rows (nothing matched); so has a feed whose papers state no benchmark number.
    """
    feed = read_arxiv_feed(payload, location)
    return [row for entry in feed.entries for row in rows_of_entry(entry)]


# --------------------------------------------------------------------------------------------------------------
# Incremental harvest: where a search starts, and the cursor a payload leaves (pure)


def _instant(value: str | datetime | None, what: str) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(str(value).strip())
        except ValueError:
            raise ValueError(f"arxiv: bad {what} {value!r}: expected YYYY-MM-DD or an ISO timestamp") from None
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def harvest_window(
    cursor: dict | None, since: str | datetime | None, lookback_days: float | str, now: datetime
) -> tuple[datetime, datetime]:
    """The dates an incremental search asks for: from the cursor less `lookback_days`; with no cursor, from `since`,
    else from now less `lookback_days`; up to a day after now."""
    lookback = timedelta(days=float(lookback_days))
    if cursor is not None:
        # The lookback re-reads late announcements; after a run cut short by max_total it is not needed (the rest
        # is newer than the cursor) and would stall a harvest whose lookback window holds more than max_total.
        begin = _instant(cursor["last"], "cursor") - (lookback if cursor.get("complete", True) else timedelta(0))
    else:
        begin = _instant(since, "since") or (now - lookback)  # a first run starts where it is told to
    return begin, now + timedelta(days=1)


def cursor_after(payload: bytes) -> dict[str, dict] | None:
    """`SOURCE.state_after`: `{cursor_key: cursor}` for a harvest payload, the cursor being the latest date of its
    entries on the harvest's date field. None for a payload that is not an incremental harvest (a saved feed, an id
    lookup) or has no entries."""
    feed = read_arxiv_feed(payload, "payload")
    by, key = feed.harvest.get("by"), feed.harvest.get("cursor_key")
    if by not in CURSOR_FIELDS or not key or not feed.entries:
        return None
    date_of = (lambda e: e.published) if by == "submittedDate" else (lambda e: e.updated)
    last = max(feed.entries, key=lambda e: (date_of(e), e.arxiv_id))
    cursor = {
        "query": feed.harvest.get("query", ""),
        "by": by,
        "last": date_of(last).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "arxiv_id": last.arxiv_id,
        "complete": feed.harvest.get("complete", "true") != "false",  # False: max_total cut the harvest short
    }
    return {key: cursor}


def cursor_advances(stored: dict, new: dict) -> bool:
    """`SOURCE.state_advances`: a cursor moves forward, never back, not for a saved older harvest loaded later nor
    for a night whose lookback found only papers older than the cursor."""
    return _instant(stored.get("last"), "cursor") < _instant(new["last"], "cursor")


# --------------------------------------------------------------------------------------------------------------
# Fetching (I/O)

# The options `arxiv_request` takes; the others are the client's, the harvest window's or the parser's.
_REQUEST_OPTIONS = ("query", "categories", "id_list", "sort_by", "sort_order", "start", "max_total", "base_url")


def fetch_arxiv(
    location_or_query: str | None = None,
    client: HttpClient | None = None,
    *,
    read_state: Callable[[str], dict | None] | None = None,
    **options: Any,
) -> bytes:
    """`SOURCE.fetch`: ask arXiv (politely, page by page) and return one combined Atom feed; a file or non-API URL is
    read as is.

    Options, as a config or `--option` gives them (text): the client's `page_size`, `delay_seconds` and
    `empty_page_retries`; what to ask, as `arxiv_request` takes it (query, categories, id_list, sort_by, sort_order,
    start, max_total, base_url); where an incremental search starts: `since` and `lookback_days` (see
    `harvest_window`; `now` for tests). The parser's options are ignored. An incremental search (sorted ascending by
    `submittedDate` or `lastUpdatedDate`) starts from the cursor `read_state(key)` reads from `source_state`. Raises
    what `ArxivClient.harvest` raises, and ValueError for an option it cannot read.
    """
    arxiv = ArxivClient(
        client or arxiv_http_client(),
        page_size=int(options.get("page_size", DEFAULT_PAGE_SIZE)),
        delay_seconds=float(options.get("delay_seconds", DELAY_SECONDS)),
        num_retries=int(options.get("empty_page_retries", DEFAULT_EMPTY_PAGE_RETRIES)),
    )
    asked = {name: options[name] for name in _REQUEST_OPTIONS if name in options}
    request = arxiv_request(location_or_query, page_size=arxiv.page_size, **asked)
    if request is None:
        return arxiv.http.fetch(str(location_or_query)).content
    if request.cursor_key is not None:
        cursor = read_state(request.cursor_key) if read_state is not None else None
        now = _instant(options.get("now"), "now") or datetime.now(timezone.utc)
        lookback_days = options.get("lookback_days", DEFAULT_LOOKBACK_DAYS)
        request = request.within(*harvest_window(cursor, options.get("since"), lookback_days, now))
    return arxiv.harvest(request)


SOURCE = SourceSpec(
    name=SOURCE_NAME,
    description="Benchmark results claimed in arXiv abstracts (arXiv API Atom feed; claims extracted by rules)",
    parse=parse_arxiv_feed,
    full_listing=False,  # a feed lists some papers, never a whole board: nothing missing from it is removed
    default_url=API_URL,
    fetch=fetch_arxiv,
    state_after=cursor_after,
    state_advances=cursor_advances,
)
