"""arXiv (`arxiv`): benchmark results claimed in paper abstracts, read from the arXiv API's Atom feed.

API: https://export.arxiv.org/api/query (`search_query`, `id_list`, `start`, `max_results`, `sortBy`, `sortOrder`).
Limits respected (arXiv's terms of use): at most one request every 3 seconds to export.arxiv.org, whatever client the
caller passes (`fetch_arxiv` raises the host's minimum interval on it to `delay_seconds`); pages of at most
`page_size` results; at most `max_total` results per run; retries on 429/5xx/connection errors with backoff (the
shared `HttpClient`); a User-Agent naming the project. arXiv sometimes answers a page with no entries although the
query has more: such a page is asked again (`empty_page_retries`), never taken for the end.

Two steps, as for every source:

- `fetch_arxiv(location_or_query, client, **options) -> bytes` does the I/O: a search (the default covers image
  classification on ImageNet; any `query` and `categories`), an `id_list`, or a full API URL, paged with
  `start`/`max_results` up to the feed's total or `max_total`, returned as ONE combined Atom feed (entries in the
  order received, one per paper). A path or a file:// URL (a saved feed) is read as it is, so `sota load FEED.xml
  --source arxiv` and a live harvest go through the same parser.
- `parse_arxiv_feed(payload, location) -> list[RawRow]` is pure. It reads both styles of arXiv output: the raw Atom
  feed (2016: `<link rel="self">`, opensearch namespace declared per element, summaries hard-wrapped with leading
  blanks; 2026: no self link, "arXiv Query:" title) and a recorded response `{"url", "status_code", "body"}`.

Page elements relied on: the Atom `feed` root; `opensearch:totalResults` and `opensearch:startIndex`; per `entry`:
`id` (`.../abs/<id>v<n>`), `title`, `summary`, `published` (v1) and `updated` (this version). An error answer (HTTP
400, or an entry whose id is under `/api/errors`) is a `ParseError` carrying arXiv's message; a feed that says it has
results from its start index but holds no entries is an `EmptyPageError`. A feed with no entries whose total is 0 is
a well-formed "nothing matched" (an unknown id, a quiet night): it parses to no rows. `fetch_arxiv` does not let
that pass silently for an id lookup: ids that arXiv does not know raise `ArxivUnknownIdError`, and a malformed id
fails before any request is made.

Rows: `pipelines.arxiv_claims.extract_claims` reads each abstract; each claim of the paper's own (baselines it cites
are not rows) becomes one `RawRow` on a canonical benchmark (ImageNet-1K top-1 accuracy is PwC's Image
Classification / ImageNet / Top 1 Accuracy; other datasets and metrics keep their names, the task from a small
table or "Unknown task"). The arXiv id is stored without its version; `published` (v1, day precision) is the row's
date, and `attributes` = {setting, version, version_date, quote}. The setting (zero-shot, linear-probe, ...) is part
of the claim's identity, so a zero-shot number is never the same claim as a fine-tuned one; a later version that
changes a number is a new version of the same claim. Two own claims of one paper on the same benchmark, model and
setting cannot both be a claim: the best is kept, the others listed in its `attributes["also_stated"]`.

Incremental harvest: a search sorted by submission (or last-update) date, ascending, asks only for papers from the
cursor (the latest date seen for that query, read from `source_state` when `fetch_arxiv` is given `read_state`, a
reader of it) minus `lookback_days` (papers held in moderation are announced days after their submission date);
a run cut short by `max_total` resumes exactly where it stopped. The cursor is written by an `after_load` hook of
`warehouse.load.load_snapshot` (`cursor_hook(payload, now)`, or `cursor_after_load`, which reads the payload the load
has just stored): it runs inside the load's transaction, so a failed load never moves the cursor, and a cursor never
moves back. The cursor is read and written with the warehouse's own `source_state_read` / `source_state_write`; the
one statement of its own joins `snapshots` and `payloads`, values bound.
"""
from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlencode, urlsplit

from bs4 import BeautifulSoup, Tag
from lxml import etree

from pipelines.aliases import canonical_dataset, canonical_metric, canonical_task, fold, metric_direction
from pipelines.arxiv_claims import Claim, extract_claims
from pipelines.source import ParseError, RawRow, SourceSpec
from pipelines.http import USER_AGENT, FetchFatalError, FetchRetryableError, HttpClient
from pipelines.values import collapse_whitespace
from warehouse.source_state import read_source_state, write_source_state

if TYPE_CHECKING:
    import duckdb

SOURCE_NAME = "arxiv"
API_URL = "https://export.arxiv.org/api/query"
ARXIV_HOST = "export.arxiv.org"
DELAY_SECONDS = 3.0  # arXiv: "no more than one request every three seconds"

# The default harvest: image-classification papers that name ImageNet in their abstract, in the vision and learning
# categories. Any other query and categories can be configured.
DEFAULT_QUERY = "abs:ImageNet AND abs:classification"
DEFAULT_CATEGORIES = ("cs.CV", "cs.LG")
DEFAULT_PAGE_SIZE = 100
DEFAULT_MAX_TOTAL = 1000
# How far behind the cursor (or behind now, with no cursor) a harvest starts: papers held in moderation are announced
# days after their submission date, so a cursor taken at face value would skip them. Re-reading a few days costs one
# request and changes nothing in the warehouse (the same claims are "unchanged").
DEFAULT_LOOKBACK_DAYS = 3.0
DEFAULT_EMPTY_PAGE_RETRIES = 3
CURSOR_FIELDS = ("submittedDate", "lastUpdatedDate")

ATOM = "http://www.w3.org/2005/Atom"
OPENSEARCH = "http://a9.com/-/spec/opensearch/1.1/"
ARXIV_NS = "http://arxiv.org/schemas/atom"
HARVEST_NS = "https://github.com/sotawatch/sotawatch/ns/arxiv-harvest"

_ENTRY_ID = re.compile(r"arxiv\.org/abs/(?P<id>.+?)v(?P<version>\d+)$")
_ID = re.compile(r"^(?P<id>\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})(?:v(?P<version>\d+))?$")
_CATEGORY = re.compile(r"[A-Za-z\-]+(?:\.[A-Za-z\-]+)?")
_FEED_SUFFIXES = {".xml", ".atom", ".json"}


class EmptyPageError(ParseError):
    """A feed says it has results from its start index on but holds no entry: arXiv's known empty-page glitch."""


class ArxivUnknownIdError(FetchFatalError):
    """An id lookup that arXiv answered without some of the ids (arXiv has no such paper)."""


# --------------------------------------------------------------------------------------------------------------
# Reading a feed (pure)


@dataclass(frozen=True)
class ArxivEntry:
    """One paper as one feed entry shows it (one version of it)."""

    arxiv_id: str  # without the version
    version: int
    title: str
    abstract: str
    published: datetime  # v1, aware UTC
    updated: datetime  # this version, aware UTC
    categories: tuple[str, ...] = ()

    @property
    def abs_url(self) -> str:
        return f"https://arxiv.org/abs/{self.arxiv_id}"


@dataclass(frozen=True)
class ArxivFeed:
    """What a feed says: its totals, its entries, and for a combined harvest what was asked."""

    total: int
    start: int
    entries: tuple[ArxivEntry, ...]  # one per paper (its latest version in the feed)
    count: int = 0  # entries as the feed lists them, repeats included (what paging advances by)
    harvest: dict[str, str] = field(default_factory=dict)  # the attributes of <sotawatch:harvest>, if any


def _unwrap(payload: bytes, location: str) -> tuple[bytes, int | None, str]:
    """The Atom bytes of a payload: as is, or the body of a recorded `{"url", "status_code", "body"}` response."""
    head = payload.lstrip()[:1]
    if head != b"{":
        return payload, None, location
    try:
        record = json.loads(payload)
    except (ValueError, UnicodeDecodeError) as error:
        raise ParseError(SOURCE_NAME, location, f"not a recorded response (invalid JSON: {error})") from None
    if not isinstance(record, dict) or not isinstance(record.get("body"), str):
        raise ParseError(SOURCE_NAME, location, "a JSON payload must be a recorded response with a string 'body'")
    status = record.get("status_code")
    url = str(record.get("url") or location)
    return record["body"].encode("utf-8"), status if isinstance(status, int) else None, url


def _text(tag: Tag | None) -> str:
    return collapse_whitespace(tag.get_text()) if tag is not None else ""


def _child(tag: Tag, name: str, namespace: str = ATOM) -> Tag | None:
    for child in tag.find_all(name, recursive=False):
        if child.namespace == namespace:
            return child
    return None


def _timestamp(text: str) -> datetime:
    moment = datetime.fromisoformat(text.strip())
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def _error_message(feed: Tag) -> str | None:
    """arXiv's own explanation when the feed is an error answer (its one entry sits under /api/errors)."""
    for entry in feed.find_all("entry", recursive=False):
        if "/api/errors" in _text(_child(entry, "id")):
            return _text(_child(entry, "summary")) or _text(_child(entry, "title")) or "unspecified error"
    return None


def _strict_xml(body: bytes, location: str) -> None:
    """Refuse what is not well-formed XML: bs4's lxml parser recovers, and would read half a truncated page."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        etree.fromstring(body, parser)
    except etree.XMLSyntaxError as error:
        raise ParseError(SOURCE_NAME, location, f"not well-formed XML ({error})") from None


def _read_entry(entry: Tag, position: int, location: str) -> ArxivEntry:
    where = f"entry {position}"
    entry_id = _text(_child(entry, "id"))
    match = _ENTRY_ID.search(entry_id)
    if not match:
        raise ParseError(SOURCE_NAME, location, f"{where}: id {entry_id!r} is not an arXiv abs URL with a version")
    where = f"entry {position} ({match['id']})"
    values: dict[str, str] = {}
    for name in ("title", "summary", "published", "updated"):
        tag = _child(entry, name)
        if tag is None:
            raise ParseError(SOURCE_NAME, location, f"{where}: no <{name}>")
        values[name] = _text(tag)
    try:
        published, updated = _timestamp(values["published"]), _timestamp(values["updated"])
    except ValueError as error:
        raise ParseError(SOURCE_NAME, location, f"{where}: bad date ({error})") from None
    categories = tuple(
        c.get("term", "") for c in entry.find_all("category", recursive=False) if c.namespace == ATOM and c.get("term")
    )
    return ArxivEntry(
        arxiv_id=match["id"],
        version=int(match["version"]),
        title=values["title"],
        abstract=values["summary"],
        published=published,
        updated=updated,
        categories=categories,
    )


def read_arxiv_feed(payload: bytes, location: str) -> ArxivFeed:
    """The totals and entries of an arXiv API answer, in either style; raises ParseError (see the module docstring)."""
    body, status, url = _unwrap(payload, location)
    if status is not None and status != 200:
        message = None
        try:
            soup = BeautifulSoup(body, "xml")
            feed = soup.find("feed")
            message = _error_message(feed) if feed is not None else None
        except Exception:  # noqa: BLE001 - the status alone is the message then
            message = None
        detail = f": {message}" if message else ""
        raise ParseError(SOURCE_NAME, location, f"arXiv answered HTTP {status} to {url}{detail}")
    _strict_xml(body, location)
    soup = BeautifulSoup(body, "xml")
    feed = soup.find("feed")
    if feed is None or feed.namespace != ATOM or feed.parent is not soup:
        root = next((t.name for t in soup.find_all(recursive=False)), None)
        raise ParseError(SOURCE_NAME, location, f"not an Atom feed (the root element is <{root}>)")
    message = _error_message(feed)
    if message is not None:
        raise ParseError(SOURCE_NAME, location, f"arXiv API error: {message}")
    totals: dict[str, int] = {}
    for name in ("totalResults", "startIndex"):
        tag = _child(feed, name, OPENSEARCH)
        if tag is None:
            raise ParseError(SOURCE_NAME, location, f"no <opensearch:{name}>: not an arXiv API feed")
        try:
            totals[name] = int(_text(tag))
        except ValueError:
            raise ParseError(SOURCE_NAME, location, f"<opensearch:{name}> is not a number: {_text(tag)!r}") from None
    tags = [t for t in feed.find_all("entry", recursive=False) if t.namespace == ATOM]
    if not tags and totals["totalResults"] > totals["startIndex"]:
        raise EmptyPageError(
            SOURCE_NAME,
            location,
            f"the feed has no entries although it says it has {totals['totalResults']} results and starts at "
            f"{totals['startIndex']} (arXiv's empty-page glitch: ask again)",
        )
    entries: dict[str, ArxivEntry] = {}
    for position, tag in enumerate(tags, start=1):
        entry = _read_entry(tag, position, location)
        known = entries.get(entry.arxiv_id)
        if known is None or entry.version > known.version:
            entries[entry.arxiv_id] = entry
    harvest_tag = _child(feed, "harvest", HARVEST_NS)
    harvest = {k: str(v) for k, v in harvest_tag.attrs.items()} if harvest_tag is not None else {}
    return ArxivFeed(totals["totalResults"], totals["startIndex"], tuple(entries.values()), len(tags), harvest)


# --------------------------------------------------------------------------------------------------------------
# Claims onto canonical benchmarks (pure)

METRIC_NAMES = {
    "top1_accuracy": "Top 1 Accuracy",
    "top5_accuracy": "Top 5 Accuracy",
    "top1_error": "Top 1 Error",
    "top5_error": "Top 5 Error",
    "box_AP": "box AP",
    "mask_AP": "mask AP",
}
# The ILSVRC-2012 validation set under PwC's name; the other datasets keep the extractor's canonical spelling, which
# the alias registry folds further where it knows them (ImageNet-V2 -> ImageNet V2).
DATASET_NAMES = {"ImageNet-1K": "ImageNet"}

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
    metric_name = METRIC_NAMES.get(metric, metric)
    dataset_name = DATASET_NAMES.get(dataset, dataset)
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
    return value < than if metric_direction(canonical_metric(metric)) == "lower" else value > than


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
# Fetching (I/O)


def arxiv_client(**settings: Any) -> HttpClient:
    """An HttpClient that keeps arXiv's 3-second interval (share one per process)."""
    intervals = {ARXIV_HOST: DELAY_SECONDS, **settings.pop("min_interval_per_host", {})}
    return HttpClient(user_agent=settings.pop("user_agent", USER_AGENT), min_interval_per_host=intervals, **settings)


def _categories(value: str | Sequence[str] | None) -> tuple[str, ...]:
    """Categories from a list or from text ("cs.CV, cs.LG"; a config's str(list) reads the same)."""
    if value is None:
        return ()
    text = value if isinstance(value, str) else " ".join(str(v) for v in value)
    return tuple(_CATEGORY.findall(text))


def _ids(value: str | Sequence[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    parts = value.split(",") if isinstance(value, str) else [str(v) for v in value]
    return tuple(p.strip() for p in parts if p.strip())


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


def search_query_for(query: str | None, categories: Sequence[str]) -> str:
    """The search_query of a query restricted to categories ("(q) AND (cat:a OR cat:b)")."""
    query = collapse_whitespace(query)
    if not categories:
        return query
    cats = " OR ".join(f"cat:{c}" for c in categories)
    return f"({query}) AND ({cats})" if query else f"({cats})"


def cursor_key(search_query: str, by: str) -> str:
    """The `source_state` key of a query's harvest cursor."""
    return f"cursor:{by}:{search_query}"


@dataclass(frozen=True)
class ArxivRequest:
    """One harvest: what to ask and how to page through it."""

    base_url: str
    search_query: str
    id_list: tuple[str, ...]
    sort_by: str
    sort_order: str
    start: int
    page_size: int
    max_total: int | None

    @property
    def by(self) -> str | None:
        """The date field the harvest can keep a cursor on (a search in ascending order of that date), else None."""
        if self.id_list or self.sort_by not in CURSOR_FIELDS or self.sort_order != "ascending":
            return None
        return self.sort_by

    def url(self, search_query: str, start: int, max_results: int) -> str:
        # The parameter order of arxiv.py's requests (and of the recorded responses).
        params = {
            "search_query": search_query,
            "id_list": ",".join(self.id_list),
            "sortBy": self.sort_by,
            "sortOrder": self.sort_order,
            "start": start,
            "max_results": max_results,
        }
        return f"{self.base_url}?{urlencode(params)}"


def _looks_like_a_file(location: str) -> bool:
    try:
        exists = Path(location).exists()
    except OSError:  # a long query is no file name (ENAMETOOLONG)
        exists = False
    return exists or Path(location).suffix.lower() in _FEED_SUFFIXES


def _positive(value: object, what: str, *, allow_none: bool = False) -> int | None:
    if value is None or value == "":
        if allow_none:
            return None
        raise ValueError(f"arxiv: {what} is required")
    number = int(value)
    if number < 0 or (number == 0 and what != "start"):
        raise ValueError(f"arxiv: {what} must be positive, not {value!r}")
    return number


def arxiv_request(
    location_or_query: str | None,
    *,
    query: str | None = None,
    categories: str | Sequence[str] | None = None,
    id_list: str | Sequence[str] | None = None,
    sort_by: str | None = None,
    sort_order: str | None = None,
    start: int | str | None = None,
    page_size: int | str = DEFAULT_PAGE_SIZE,
    max_total: int | str | None = DEFAULT_MAX_TOTAL,
    base_url: str | None = None,
) -> ArxivRequest | None:
    """What a location and options ask of the API; None when the location is a file or a non-API URL to read as is.

    A location is an API URL (its search_query, id_list, start, max_results, sortBy and sortOrder are taken as
    given, with arXiv's defaults for what it leaves out; a URL with max_results asks for that many results),
    "search_query=..." / "id_list=..." parameters, ids ("2003.08237,1905.11946"), a bare search query
    ("abs:ImageNet AND cat:cs.CV"), or empty (the options, else the default query). Our searches are sorted by
    submission date, ascending, unless told otherwise.
    """
    location = (location_or_query or "").strip()
    params: dict[str, str] = {}
    base = base_url or API_URL
    scheme = urlsplit(location).scheme.lower()
    if scheme in ("http", "https"):
        parts = urlsplit(location)
        if not parts.path.rstrip("/").endswith("/api/query"):
            return None
        base = f"{parts.scheme}://{parts.netloc}{parts.path}"
        params = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
    elif scheme == "file":
        return None
    elif re.match(r"^(?:search_query|id_list)=", location):
        params = {k: v[0] for k, v in parse_qs(location, keep_blank_values=True).items()}
    elif location and all(_ID.match(part.strip()) for part in location.split(",")):
        params = {"id_list": location}
    elif location and _looks_like_a_file(location):
        return None
    elif location:
        params = {"search_query": location}

    ids = _ids(params.get("id_list")) or _ids(id_list)
    asked = params.get("search_query", "")
    if not asked and not ids:
        if query or categories:
            asked = search_query_for(query, _categories(categories))
        else:
            asked = search_query_for(DEFAULT_QUERY, DEFAULT_CATEGORIES)
    elif categories and asked:
        asked = search_query_for(asked, _categories(categories))
    # Our harvest order for our searches; what arXiv itself assumes for ids and for a URL that leaves it out.
    as_given = bool(params.get("search_query")) and scheme in ("http", "https")
    searching = bool(asked) and not ids and not as_given
    default_sort = ("submittedDate", "ascending") if searching else ("relevance", "descending")
    sort_by = params.get("sortBy") or sort_by or default_sort[0]
    sort_order = params.get("sortOrder") or sort_order or default_sort[1]
    if sort_by not in ("relevance", *CURSOR_FIELDS):
        raise ValueError(f"arxiv: sort_by must be relevance, submittedDate or lastUpdatedDate, not {sort_by!r}")
    if sort_order not in ("ascending", "descending"):
        raise ValueError(f"arxiv: sort_order must be ascending or descending, not {sort_order!r}")
    first = _positive(params.get("start") or start or 0, "start")
    size = _positive(page_size, "page_size")
    total = _positive(max_total, "max_total", allow_none=True)
    if "max_results" in params:
        size = total = _positive(params["max_results"], "max_results")
    elif ids:
        total = None  # an id lookup ends at the feed's total (the ids arXiv found), as arxiv.py asks: full pages
    return ArxivRequest(base, asked, ids, sort_by, sort_order, first or 0, size or 1, total)


def _check_ids(ids: Sequence[str], url: str) -> None:
    malformed = [i for i in ids if not _ID.match(i)]
    if malformed:
        raise FetchFatalError(url, f"malformed arXiv id {', '.join(map(repr, malformed))}: not asked", attempts=0)


def _date_filter(by: str, since: datetime, until: datetime) -> str:
    return f"{by}:[{since:%Y%m%d%H%M} TO {until:%Y%m%d%H%M}]"


def _fetch_page(client: HttpClient, url: str, retries: int) -> tuple[bytes, ArxivFeed]:
    """One page, asked again while arXiv answers it empty although the query has results there."""
    for attempt in range(1, retries + 2):
        body = client.fetch(url).content
        try:
            return body, read_arxiv_feed(body, url)
        except EmptyPageError as error:
            if attempt > retries:
                raise FetchRetryableError(url, error.problem, attempts=attempt) from None
        except ParseError as error:
            raise FetchFatalError(url, error.problem, attempts=attempt) from None
    raise AssertionError("unreachable")


def read_cursor(con: duckdb.DuckDBPyConnection, key: str) -> dict | None:
    """The stored cursor of a harvest (`cursor_key`), or None."""
    return read_source_state(con, SOURCE_NAME, key)


def fetch_arxiv(
    location_or_query: str | None = None,
    client: HttpClient | None = None,
    *,
    read_state: Callable[[str], dict | None] | None = None,
    query: str | None = None,
    categories: str | Sequence[str] | None = None,
    id_list: str | Sequence[str] | None = None,
    since: str | datetime | None = None,
    lookback_days: float | str = DEFAULT_LOOKBACK_DAYS,
    sort_by: str | None = None,
    sort_order: str | None = None,
    start: int | str | None = None,
    page_size: int | str = DEFAULT_PAGE_SIZE,
    max_total: int | str | None = DEFAULT_MAX_TOTAL,
    delay_seconds: float | str = DELAY_SECONDS,
    empty_page_retries: int | str = DEFAULT_EMPTY_PAGE_RETRIES,
    base_url: str | None = None,
    now: datetime | None = None,
    **_parse_options: object,
) -> bytes:
    """Ask arXiv (politely, page by page) and return one combined Atom feed; a file or non-API URL is read as is.

    Incremental (a search sorted ascending by `submittedDate` or `lastUpdatedDate`): the harvest asks from the
    cursor stored for this query (`read_state(cursor_key)`, from `source_state`) minus `lookback_days`; with no cursor, from
    `since`, else from now minus `lookback_days`. The cursor itself moves only through `cursor_hook`, when the load
    commits. Raises FetchFatalError (HTTP 4xx, a malformed id, an unreadable page), ArxivUnknownIdError (ids arXiv
    does not know) and FetchRetryableError (5xx, connection errors, empty pages after every retry).
    """
    client = client or arxiv_client()
    request = arxiv_request(
        location_or_query, query=query, categories=categories, id_list=id_list, sort_by=sort_by,
        sort_order=sort_order, start=start, page_size=page_size, max_total=max_total, base_url=base_url,
    )
    if request is None:
        return client.fetch(str(location_or_query)).content
    host = (urlsplit(request.base_url).hostname or "").lower()
    delay = float(delay_seconds)
    if client.min_interval_per_host.get(host, 0.0) < delay:
        # arXiv's rule holds for whatever client the caller passes: the client sleeps only the remaining gap.
        client.min_interval_per_host[host] = delay
    _check_ids(request.id_list, request.url(request.search_query, request.start, request.page_size))

    asked = request.search_query
    harvest: dict[str, str] = {"query": request.search_query}
    if request.id_list:
        harvest["id_list"] = ",".join(request.id_list)
    by = request.by
    if by is not None:
        now = now or datetime.now(timezone.utc)
        key = cursor_key(request.search_query, by)
        cursor = read_state(key) if read_state is not None else None
        lookback = timedelta(days=float(lookback_days))
        if cursor is not None:
            # The lookback re-reads late announcements; after a run cut short by max_total it is not needed (the rest
            # is newer than the cursor) and would stall a harvest whose lookback window holds more than max_total.
            begin = _instant(cursor["last"], "cursor") - (lookback if cursor.get("complete", True) else timedelta(0))
        else:
            begin = _instant(since, "since") or (now - lookback)  # a first run starts where it is told to
        asked = f"({request.search_query}) AND {_date_filter(by, begin, now + timedelta(days=1))}"
        harvest.update({"by": by, "cursor_key": key, "since": begin.strftime("%Y-%m-%dT%H:%MZ")})

    pages: list[bytes] = []
    position, received, total = request.start, 0, 0
    retries = int(empty_page_retries)
    while request.max_total is None or received < request.max_total:
        want = request.page_size if request.max_total is None else min(request.page_size, request.max_total - received)
        body, feed = _fetch_page(client, request.url(asked, position, want), retries)
        pages.append(body)
        total = feed.total
        received += feed.count
        position += feed.count
        if feed.count == 0 or position >= total:
            break
    complete = position >= total or (request.max_total is not None and received < request.max_total)
    harvest.update({"pages": str(len(pages)), "upstream_total": str(total), "complete": str(complete).lower()})
    combined = combine_pages(pages, harvest)
    if request.id_list:
        found = {entry.arxiv_id for entry in read_arxiv_feed(combined, request.base_url).entries}
        missing = [i for i in request.id_list if _ID.match(i)["id"] not in found]
        if missing:
            raise ArxivUnknownIdError(
                request.url(asked, request.start, request.page_size),
                f"arXiv has no paper {', '.join(missing)} (asked for {', '.join(request.id_list)})",
                attempts=1,
            )
    return combined


def combine_pages(pages: Sequence[bytes], harvest: dict[str, str]) -> bytes:
    """One Atom feed holding every entry of the pages (one per paper, its latest version), in the order received.

    The feed's own id, title and updated are derived from what it holds, not from the time of asking, so the same
    harvest gives the same bytes (and loads as "unchanged").
    """
    nsmap = {None: ATOM, "opensearch": OPENSEARCH, "arxiv": ARXIV_NS, "sotawatch": HARVEST_NS}
    root = etree.Element(f"{{{ATOM}}}feed", nsmap=nsmap)
    entries: dict[str, etree._Element] = {}
    versions: dict[str, int] = {}
    for page in pages:
        parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=True)
        for entry in etree.fromstring(page, parser).findall(f"{{{ATOM}}}entry"):
            match = _ENTRY_ID.search(entry.findtext(f"{{{ATOM}}}id", "").strip())
            if not match:
                continue
            paper, version = match["id"], int(match["version"])
            if paper not in entries or version > versions[paper]:
                entries[paper], versions[paper] = copy.deepcopy(entry), version
    updated = max((e.findtext(f"{{{ATOM}}}updated", "").strip() for e in entries.values()), default="")
    etree.SubElement(root, f"{{{ATOM}}}id").text = "sotawatch:arxiv-harvest:" + harvest.get(
        "cursor_key", harvest.get("id_list", harvest.get("query", ""))
    )
    etree.SubElement(root, f"{{{ATOM}}}title").text = f"sotawatch arXiv harvest: {harvest.get('query', '')}"
    etree.SubElement(root, f"{{{ATOM}}}updated").text = updated or "1970-01-01T00:00:00Z"
    etree.SubElement(root, f"{{{HARVEST_NS}}}harvest", {k: v for k, v in sorted(harvest.items())})
    etree.SubElement(root, f"{{{OPENSEARCH}}}totalResults").text = str(len(entries))
    etree.SubElement(root, f"{{{OPENSEARCH}}}startIndex").text = "0"
    etree.SubElement(root, f"{{{OPENSEARCH}}}itemsPerPage").text = str(len(entries))
    for entry in entries.values():
        root.append(entry)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


# --------------------------------------------------------------------------------------------------------------
# The harvest cursor, written in the load's transaction


def harvest_cursor(payload: bytes, location: str = "payload") -> tuple[str, dict] | None:
    """(key, value) of the cursor a harvest payload moves to: the latest date of its entries on the harvest's date
    field. None for a payload that is not an incremental harvest (a saved feed, an id lookup) or has no entries."""
    feed = read_arxiv_feed(payload, location)
    by, key = feed.harvest.get("by"), feed.harvest.get("cursor_key")
    if by not in CURSOR_FIELDS or not key or not feed.entries:
        return None
    date_of = (lambda e: e.published) if by == "submittedDate" else (lambda e: e.updated)
    last = max(feed.entries, key=lambda e: (date_of(e), e.arxiv_id))
    value = {
        "query": feed.harvest.get("query", ""),
        "by": by,
        "last": date_of(last).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "arxiv_id": last.arxiv_id,
        "complete": feed.harvest.get("complete", "true") != "false",  # False: max_total cut the harvest short
    }
    return key, value


def store_cursor(con: duckdb.DuckDBPyConnection, key: str, value: dict, now: datetime) -> bool:
    """Move a cursor forward (never back); True when it moved. Call it inside the load's transaction."""
    current = read_cursor(con, key)
    if current is not None and _instant(current.get("last"), "cursor") >= _instant(value["last"], "cursor"):
        return False
    write_source_state(con, SOURCE_NAME, key, value, now)
    return True


def cursor_hook(payload: bytes, now: datetime) -> Callable[[duckdb.DuckDBPyConnection, int], None] | None:
    """An `after_load` hook for `load_snapshot` that stores the harvest's cursor in the load's own transaction (so it
    commits with the rows or not at all); None when the payload moves no cursor."""
    cursor = harvest_cursor(payload)
    if cursor is None:
        return None
    key, value = cursor

    def after_load(con: duckdb.DuckDBPyConnection, snapshot_id: int) -> None:
        store_cursor(con, key, {**value, "snapshot_id": snapshot_id}, now)

    return after_load


def cursor_after_load(con: duckdb.DuckDBPyConnection, snapshot_id: int) -> None:
    """The same as `cursor_hook`, for a caller that builds its hook before the payload exists (`ingest(...,
    after_load=cursor_after_load)`): it reads the snapshot's payload, stored earlier in the same transaction."""
    row = con.execute(
        "SELECT p.content, s.loaded_at FROM snapshots AS s JOIN payloads AS p ON p.sha256 = s.sha256 "
        "WHERE s.snapshot_id = $snapshot_id AND s.source = $source",
        {"snapshot_id": snapshot_id, "source": SOURCE_NAME},
    ).fetchone()
    if row is None:
        return
    cursor = harvest_cursor(bytes(row[0]), f"snapshot {snapshot_id}")
    if cursor is not None:
        key, value = cursor
        store_cursor(con, key, {**value, "snapshot_id": snapshot_id}, row[1])


SOURCE = SourceSpec(
    name=SOURCE_NAME,
    description="Benchmark results claimed in arXiv abstracts (arXiv API Atom feed; claims extracted by rules)",
    parse=parse_arxiv_feed,
    full_listing=False,  # a feed lists some papers, never a whole board: nothing missing from it is removed
    default_url=API_URL,
    fetch=fetch_arxiv,
    after_load=cursor_after_load,
)
