"""The arXiv API's Atom feed, read and written (pure: bytes in, values out; no clock, no I/O).

`read_arxiv_feed(payload, location) -> ArxivFeed` reads both styles of arXiv output: the raw Atom feed (2016:
`<link rel="self">`, opensearch namespace declared per element, summaries hard-wrapped with leading blanks; 2026: no
self link, "arXiv Query:" title) and a recorded response `{"url", "status_code", "body"}`. `combine_pages` writes the
pages of one harvest as one feed, which reads back the same way.

Page elements relied on: the Atom `feed` root; `opensearch:totalResults` and `opensearch:startIndex`; per `entry`:
`id` (`.../abs/<id>v<n>`), `title`, `summary`, `published` (v1) and `updated` (this version). An error answer (HTTP
400, or an entry whose id is under `/api/errors`) is a `ParseError` carrying arXiv's message; a feed that says it has
results from its start index but holds no entries is an `EmptyPageError`. A feed with no entries whose total is 0 is
a well-formed "nothing matched" (an unknown id, a quiet night). A combined harvest also carries what was asked, as
the attributes of its `<sotawatch:harvest>` element.
"""
from __future__ import annotations

import copy
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import NoReturn

from bs4 import BeautifulSoup, Tag
from lxml import etree

from pipelines.source import ParseError
from pipelines.values import collapse_whitespace

SOURCE_NAME = "arxiv"

ATOM = "http://www.w3.org/2005/Atom"
OPENSEARCH = "http://a9.com/-/spec/opensearch/1.1/"
ARXIV_NS = "http://arxiv.org/schemas/atom"
HARVEST_NS = "https://github.com/sotawatch/sotawatch/ns/arxiv-harvest"

ENTRY_ID = re.compile(r"arxiv\.org/abs/(?P<id>.+?)v(?P<version>\d+)$")


class EmptyPageError(ParseError):
    """A feed says it has results from its start index on but holds no entry: arXiv's known empty-page glitch."""


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
    match = ENTRY_ID.search(entry_id)
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


def _refuse_an_error_answer(body: bytes, status: int, url: str, location: str) -> NoReturn:
    """The ParseError of a recorded answer other than 200, with arXiv's message when its body has one."""
    message = None
    try:
        soup = BeautifulSoup(body, "xml")
        feed = soup.find("feed")
        message = _error_message(feed) if feed is not None else None
    except Exception:  # noqa: BLE001 - the status alone is the message then
        message = None
    detail = f": {message}" if message else ""
    raise ParseError(SOURCE_NAME, location, f"arXiv answered HTTP {status} to {url}{detail}")


def _totals(feed: Tag, location: str) -> dict[str, int]:
    totals: dict[str, int] = {}
    for name in ("totalResults", "startIndex"):
        tag = _child(feed, name, OPENSEARCH)
        if tag is None:
            raise ParseError(SOURCE_NAME, location, f"no <opensearch:{name}>: not an arXiv API feed")
        try:
            totals[name] = int(_text(tag))
        except ValueError:
            raise ParseError(SOURCE_NAME, location, f"<opensearch:{name}> is not a number: {_text(tag)!r}") from None
    return totals


def read_arxiv_feed(payload: bytes, location: str) -> ArxivFeed:
    """The totals and entries of an arXiv API answer, in either style; raises ParseError (see the module docstring)."""
    body, status, url = _unwrap(payload, location)
    if status is not None and status != 200:
        _refuse_an_error_answer(body, status, url, location)
    _strict_xml(body, location)
    soup = BeautifulSoup(body, "xml")
    feed = soup.find("feed")
    if feed is None or feed.namespace != ATOM or feed.parent is not soup:
        root = next((t.name for t in soup.find_all(recursive=False)), None)
        raise ParseError(SOURCE_NAME, location, f"not an Atom feed (the root element is <{root}>)")
    message = _error_message(feed)
    if message is not None:
        raise ParseError(SOURCE_NAME, location, f"arXiv API error: {message}")
    totals = _totals(feed, location)
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
            match = ENTRY_ID.search(entry.findtext(f"{{{ATOM}}}id", "").strip())
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
