"""The Wayback Machine's capture index (CDX API) and its raw captures: the URLs to ask and the parsing of the index,
as pure functions (no clock, no I/O). `flows.backfill` fetches through the shared HTTP client and loads each capture.

URLs: the index of a page's captures is
`<archive>/cdx/search/cdx?url=<page>&output=json&collapse=digest&filter=statuscode:200&from=YYYYMMDD&to=YYYYMMDD`;
a capture as the page served it, without the archive's banner and rewritten links, is
`<archive>/web/<timestamp>id_/<original>`. The archive defaults to https://web.archive.org (`SOTA_WAYBACK_URL`
changes it: a mirror, a loopback server in tests). Limits: the archive asks for restraint; the backfill asks once a
second through the shared client (per-host interval, retries with backoff, robots.txt); nothing here sleeps.

Relies on: the JSON output of the index is a list of rows whose first row names the fields
(`urlkey, timestamp, original, mimetype, statuscode, digest, length`), each later row a capture with those fields as
text; a page never captured is an empty body or `[]`. `timestamp` is the capture's UTC time, `YYYYMMDDhhmmss`.
`collapse=digest` drops a capture whose content digest equals the previous one's (consecutive captures only), and
`from`/`to` bound the timestamps by prefix (a bare day covers the whole day).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import quote, urlencode

from pipelines.source import ParseError, json_document

NAME = "wayback-cdx"
DEFAULT_ARCHIVE = "https://web.archive.org"
ARCHIVE_VARIABLE = "SOTA_WAYBACK_URL"
_NEEDED = ("timestamp", "original", "digest")


@dataclass(frozen=True)
class Capture:
    """One capture of a page the index lists."""

    timestamp: str  # YYYYMMDDhhmmss, UTC
    original: str  # the URL as it was captured
    digest: str  # the content digest: equal digests, equal content
    mimetype: str | None = None
    statuscode: str | None = None
    length: int | None = None

    @property
    def observed_at(self) -> datetime:
        """The capture time, naive UTC as the warehouse keeps it."""
        return datetime.strptime(self.timestamp, "%Y%m%d%H%M%S")


def cdx_query_url(archive: str, url: str, *, start: date | None = None, end: date | None = None) -> str:
    """The index query listing the captures of `url` that answered 200, identical consecutive ones collapsed, from
    `start` to `end` (both days included)."""
    query = [("url", url), ("output", "json"), ("collapse", "digest"), ("filter", "statuscode:200")]
    if start is not None:
        query.append(("from", f"{start:%Y%m%d}"))
    if end is not None:
        query.append(("to", f"{end:%Y%m%d}"))
    return f"{archive.rstrip('/')}/cdx/search/cdx?{urlencode(query, quote_via=quote, safe=':/')}"


def capture_url(archive: str, capture: Capture) -> str:
    """Where the capture's own bytes are served (`id_`: as captured, with no banner and no rewritten links)."""
    return f"{archive.rstrip('/')}/web/{capture.timestamp}id_/{capture.original}"


def parse_cdx(payload: bytes, location: str) -> list[Capture]:
    """The captures an index answer lists, oldest first. A ParseError names what is wrong with the answer."""
    if not payload.strip():
        return []  # the index answers a page it never captured with nothing at all
    document = json_document(payload, NAME, location)
    if not isinstance(document, list) or not all(isinstance(row, list) for row in document):
        raise ParseError(NAME, location, "expected a JSON list of rows (was output=json asked for?)")
    if not document:
        return []
    header, *rows = document
    missing = [name for name in _NEEDED if name not in header]
    if missing:
        raise ParseError(NAME, location, f"the header row {header!r} has no {', '.join(missing)} field")
    captures = []
    for number, row in enumerate(rows, start=1):
        if len(row) != len(header):
            raise ParseError(NAME, location, f"row {number} has {len(row)} fields, the header {len(header)}")
        fields = dict(zip(header, row))
        timestamp = str(fields["timestamp"])
        if not (len(timestamp) == 14 and timestamp.isdigit()):
            raise ParseError(NAME, location, f"row {number}: timestamp {timestamp!r} is not YYYYMMDDhhmmss")
        try:
            datetime.strptime(timestamp, "%Y%m%d%H%M%S")
        except ValueError:
            raise ParseError(NAME, location, f"row {number}: timestamp {timestamp!r} is not a time") from None
        length = str(fields.get("length") or "")
        captures.append(
            Capture(
                timestamp=timestamp,
                original=str(fields["original"]),
                digest=str(fields["digest"]),
                mimetype=fields.get("mimetype"),
                statuscode=fields.get("statuscode"),
                length=int(length) if length.isdigit() else None,
            )
        )
    # The index answers in time order; sorted anyway, since resuming relies on it (stable: ties keep their order).
    return sorted(captures, key=lambda capture: capture.timestamp)
