"""A polite client of the arXiv API, in the style of arxiv.py's `Client(page_size, delay_seconds, num_retries)`.

URL: https://export.arxiv.org/api/query (`search_query`, `id_list`, `start`, `max_results`, `sortBy`, `sortOrder`).
Limits respected (arXiv's terms of use): at most one request every `delay_seconds` (3 s) to the API's host, whatever
HTTP client `ArxivClient` is given (it raises that host's minimum interval on it; the shared `HttpClient` remembers
when it last asked and sleeps only the remaining gap, retries included); pages of at most `page_size` results; at
most `max_total` results per harvest; retries on 429/5xx/connection errors with backoff (the `HttpClient`'s own); a
User-Agent naming the project. arXiv sometimes answers a page with no entries although the query has more: such a
page is asked again (`num_retries` times), never taken for the end.

`arxiv_request(location, **options)` says, without I/O, what a location and options ask of the API: a search (the
default covers image classification on ImageNet; any `query` and `categories`), an `id_list`, or a full API URL.
`ArxivClient.harvest(request)` asks it page by page with `start`/`max_results`, up to the feed's total or
`max_total`, and returns ONE combined Atom feed (`pipelines.arxiv_atom.combine_pages`: entries in the order
received, one per paper, and what was asked). Ids that arXiv does not know raise `ArxivUnknownIdError`, and a
malformed id fails before any request is made. Every error carries the URL and the try number.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from pipelines.arxiv_atom import ArxivFeed, EmptyPageError, combine_pages, read_arxiv_feed
from pipelines.http import USER_AGENT, FetchFatalError, FetchRetryableError, HttpClient
from pipelines.source import ParseError
from pipelines.values import collapse_whitespace

API_URL = "https://export.arxiv.org/api/query"
ARXIV_HOST = "export.arxiv.org"
DELAY_SECONDS = 3.0  # arXiv: "no more than one request every three seconds"

# The default harvest: image-classification papers that name ImageNet in their abstract, in the vision and learning
# categories. Any other query and categories can be configured.
DEFAULT_QUERY = "abs:ImageNet AND abs:classification"
DEFAULT_CATEGORIES = ("cs.CV", "cs.LG")
DEFAULT_PAGE_SIZE = 100
DEFAULT_MAX_TOTAL = 1000
DEFAULT_EMPTY_PAGE_RETRIES = 3
CURSOR_FIELDS = ("submittedDate", "lastUpdatedDate")

ARXIV_ID = re.compile(r"^(?P<id>\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})(?:v(?P<version>\d+))?$")
_CATEGORY = re.compile(r"[A-Za-z\-]+(?:\.[A-Za-z\-]+)?")
_FEED_SUFFIXES = {".xml", ".atom", ".json"}


class ArxivUnknownIdError(FetchFatalError):
    """An id lookup that arXiv answered without some of the ids (arXiv has no such paper)."""


def arxiv_http_client(**settings: Any) -> HttpClient:
    """An HttpClient that keeps arXiv's 3-second interval (share one per process)."""
    intervals = {ARXIV_HOST: DELAY_SECONDS, **settings.pop("min_interval_per_host", {})}
    return HttpClient(user_agent=settings.pop("user_agent", USER_AGENT), min_interval_per_host=intervals, **settings)


# --------------------------------------------------------------------------------------------------------------
# What to ask (pure)


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
    # An incremental harvest's dates (since, until) on its cursor field `by`; None asks for every date.
    window: tuple[datetime, datetime] | None = None

    @property
    def by(self) -> str | None:
        """The date field the harvest can keep a cursor on (a search in ascending order of that date), else None."""
        if self.id_list or self.sort_by not in CURSOR_FIELDS or self.sort_order != "ascending":
            return None
        return self.sort_by

    @property
    def cursor_key(self) -> str | None:
        return cursor_key(self.search_query, self.by) if self.by is not None else None

    def within(self, since: datetime, until: datetime) -> ArxivRequest:
        """This search, for the papers dated from `since` to `until` on its cursor field."""
        if self.by is None:
            raise ValueError("arxiv: only a search sorted ascending by a date can be asked for a window of dates")
        return replace(self, window=(since, until))

    @property
    def asked(self) -> str:
        """The search_query sent: the query, within the window's dates if there is one."""
        if self.window is None:
            return self.search_query
        since, until = self.window
        return f"({self.search_query}) AND {self.by}:[{since:%Y%m%d%H%M} TO {until:%Y%m%d%H%M}]"

    def described(self) -> dict[str, str]:
        """What was asked, as a combined feed keeps it (`<sotawatch:harvest>`), so that its cursor can be read back."""
        harvest = {"query": self.search_query}
        if self.id_list:
            harvest["id_list"] = ",".join(self.id_list)
        if self.window is not None:
            harvest.update({"by": str(self.by), "cursor_key": str(self.cursor_key),
                            "since": self.window[0].strftime("%Y-%m-%dT%H:%MZ")})
        return harvest

    def url(self, start: int, max_results: int) -> str:
        # The parameter order of arxiv.py's requests (and of the recorded responses).
        params = {
            "search_query": self.asked,
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


def _location_parameters(location: str, base_url: str) -> tuple[str, dict[str, str]] | None:
    """The API's URL and the query parameters a location stands for; None for a file or a non-API URL."""
    scheme = urlsplit(location).scheme.lower()
    if scheme in ("http", "https"):
        parts = urlsplit(location)
        if not parts.path.rstrip("/").endswith("/api/query"):
            return None
        query = parse_qs(parts.query, keep_blank_values=True)
        return f"{parts.scheme}://{parts.netloc}{parts.path}", {k: v[0] for k, v in query.items()}
    if scheme == "file":
        return None
    if re.match(r"^(?:search_query|id_list)=", location):
        return base_url, {k: v[0] for k, v in parse_qs(location, keep_blank_values=True).items()}
    if location and all(ARXIV_ID.match(part.strip()) for part in location.split(",")):
        return base_url, {"id_list": location}
    if location and _looks_like_a_file(location):
        return None
    return base_url, ({"search_query": location} if location else {})


def _search_query(given: str, ids: tuple[str, ...], query: str | None, categories: str | Sequence[str] | None) -> str:
    if not given and not ids:
        if query or categories:
            return search_query_for(query, _categories(categories))
        return search_query_for(DEFAULT_QUERY, DEFAULT_CATEGORIES)
    if categories and given:
        return search_query_for(given, _categories(categories))
    return given


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
    found = _location_parameters(location, base_url or API_URL)
    if found is None:
        return None
    base, params = found
    ids = _ids(params.get("id_list")) or _ids(id_list)
    asked = _search_query(params.get("search_query", ""), ids, query, categories)
    # Our harvest order for our searches; what arXiv itself assumes for ids and for a URL that leaves it out.
    as_given = bool(params.get("search_query")) and urlsplit(location).scheme.lower() in ("http", "https")
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


# --------------------------------------------------------------------------------------------------------------
# Asking (I/O)


@dataclass
class ArxivClient:
    """Asks arXiv politely: pages of `page_size`, `delay_seconds` apart on the API's host, and a page that arXiv
    answers empty although the query has more asked again up to `num_retries` times (HTTP failures are retried by
    the `HttpClient` itself, which the client shares)."""

    http: HttpClient = field(default_factory=arxiv_http_client)
    page_size: int = DEFAULT_PAGE_SIZE
    delay_seconds: float = DELAY_SECONDS
    num_retries: int = DEFAULT_EMPTY_PAGE_RETRIES

    def page(self, url: str) -> tuple[bytes, ArxivFeed]:
        """One page, and what it says. Raises FetchFatalError for a page that is no arXiv feed (HTTP 4xx, an error
        answer), FetchRetryableError for 5xx, connection errors and a page still empty after every retry."""
        host = (urlsplit(url).hostname or "").lower()
        if self.http.min_interval_per_host.get(host, 0.0) < self.delay_seconds:
            # arXiv's rule holds for whatever HTTP client this one is given: that client sleeps the remaining gap.
            self.http.min_interval_per_host[host] = self.delay_seconds
        for attempt in range(1, self.num_retries + 2):
            body = self.http.fetch(url).content
            try:
                return body, read_arxiv_feed(body, url)
            except EmptyPageError as error:
                if attempt > self.num_retries:
                    raise FetchRetryableError(url, error.problem, attempts=attempt) from None
            except ParseError as error:
                raise FetchFatalError(url, error.problem, attempts=attempt) from None
        raise AssertionError("unreachable")

    def harvest(self, request: ArxivRequest) -> bytes:
        """Every page of a request, up to the feed's total or `request.max_total`, as one combined Atom feed that
        says what was asked, how many pages it took and whether it is complete. Raises what `page` raises,
        FetchFatalError for a malformed id (before asking) and ArxivUnknownIdError for ids arXiv does not know."""
        _refuse_malformed_ids(request)
        pages: list[bytes] = []
        position, received, total = request.start, 0, 0
        while request.max_total is None or received < request.max_total:
            want = request.page_size
            if request.max_total is not None:
                want = min(want, request.max_total - received)
            body, feed = self.page(request.url(position, want))
            pages.append(body)
            total = feed.total
            received += feed.count
            position += feed.count
            if feed.count == 0 or position >= total:
                break
        complete = position >= total or (request.max_total is not None and received < request.max_total)
        counts = {"pages": str(len(pages)), "upstream_total": str(total), "complete": str(complete).lower()}
        combined = combine_pages(pages, {**request.described(), **counts})
        if request.id_list:
            _refuse_unknown_ids(request, combined)
        return combined


def _refuse_malformed_ids(request: ArxivRequest) -> None:
    malformed = [i for i in request.id_list if not ARXIV_ID.match(i)]
    if malformed:
        raise FetchFatalError(request.url(request.start, request.page_size),
                              f"malformed arXiv id {', '.join(map(repr, malformed))}: not asked", attempts=0)


def _refuse_unknown_ids(request: ArxivRequest, combined: bytes) -> None:
    found = {entry.arxiv_id for entry in read_arxiv_feed(combined, request.base_url).entries}
    missing = [i for i in request.id_list if ARXIV_ID.match(i)["id"] not in found]
    if missing:
        raise ArxivUnknownIdError(
            request.url(request.start, request.page_size),
            f"arXiv has no paper {', '.join(missing)} (asked for {', '.join(request.id_list)})",
            attempts=1,
        )
