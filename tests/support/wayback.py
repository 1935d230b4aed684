"""A Wayback Machine on a loopback server, for the backfill's tests: its capture index (CDX, JSON output) honouring
`url`, `from`/`to` (timestamp prefixes, both ends included) and `collapse=digest` (consecutive captures with one
digest listed once), and each capture's raw bytes at `/web/<timestamp>id_/<original>`.

The captures are pages built from the real Papers with Code payload (`pwc_page_html`): the evaluation table's JSON in
its `<script id="evaluation-table-data">`, as a capture of the live page carried it.
"""
from __future__ import annotations

import base64
import hashlib
import json
import threading
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from tests.support.http_server import LoopbackServer, RecordedRequest, Reply, held

PAGE = "https://paperswithcode.com/sota/image-classification-on-imagenet"
CDX_PATH = "/cdx/search/cdx"
CDX_FIELDS = ["urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length"]


def pwc_page_html(rows: list[dict]) -> bytes:
    """A leaderboard page around its rows, slashes escaped as the site's JSON had them (so no `</` ends the script)."""
    table = json.dumps(rows, ensure_ascii=False).replace("/", "\\/")
    return (
        "<!DOCTYPE html>\n<html><head><title>Image Classification on ImageNet | Papers With Code</title></head>\n"
        f'<body><div class="leaderboard"></div>\n<script id="evaluation-table-data" type="application/json">{table}'
        "</script>\n</body></html>\n"
    ).encode()


def wayback_digest(body: bytes) -> str:
    """The archive's content digest: the base32 SHA-1 of the bytes."""
    return base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")


@dataclass(frozen=True)
class Archived:
    timestamp: str
    body: bytes
    digest: str | None = None  # default: the body's; another one stands for a capture stored otherwise (gzip...)

    @property
    def cdx_digest(self) -> str:
        return self.digest or wayback_digest(self.body)


class FakeArchive:
    """The captures of one page, served by `server` (which must have no routes on these paths)."""

    def __init__(self, server: LoopbackServer, captures: list[Archived], page: str = PAGE):
        self.server, self.captures, self.page = server, captures, page
        self._gates: dict[str, threading.Event] = {}
        server.answer(self._answer)

    @property
    def url(self) -> str:
        return self.server.url()

    def capture_path(self, timestamp: str) -> str:
        return f"/web/{timestamp}id_/{self.page}"

    def hold(self, timestamp: str) -> threading.Event:
        """Keep the requests for this capture waiting (a stalled archive) until the returned gate is set."""
        gate = self._gates[timestamp] = threading.Event()
        return gate

    def release(self, timestamp: str) -> None:
        self._gates.pop(timestamp).set()

    def cdx_queries(self) -> list[dict[str, list[str]]]:
        return [parse_qs(urlsplit(r.path).query) for r in self.server.requests_to(CDX_PATH)]

    def _answer(self, request: RecordedRequest) -> Reply | None:
        parts = urlsplit(request.path)
        if parts.path == CDX_PATH:
            return self._index(parse_qs(parts.query))
        for capture in self.captures:
            if parts.path == self.capture_path(capture.timestamp):
                gate = self._gates.get(capture.timestamp)
                body_reply = Reply(200, headers={"Content-Type": "text/html; charset=utf-8"}, body=capture.body)
                return held(gate, capture.body) if gate is not None else body_reply
        return Reply(404, body=b"not in the archive")

    def _index(self, query: dict[str, list[str]]) -> Reply:
        if query.get("url") != [self.page] or query.get("output") != ["json"]:
            return Reply(200, body=b"")  # another page, or text output: nothing this test archive knows
        start, end = query.get("from", [""])[0], query.get("to", [""])[0]
        rows, last_digest = [], None
        for capture in sorted(self.captures, key=lambda c: c.timestamp):
            if capture.timestamp[: len(start)] < start or (end and capture.timestamp[: len(end)] > end):
                continue
            if query.get("collapse") == ["digest"] and capture.cdx_digest == last_digest:
                continue
            last_digest = capture.cdx_digest
            rows.append(["com,paperswithcode)/sota/image-classification-on-imagenet", capture.timestamp, self.page,
                         "text/html", "200", capture.cdx_digest, str(len(capture.body))])
        body = json.dumps([CDX_FIELDS, *rows]).encode() if rows else b"[]"
        return Reply(200, headers={"Content-Type": "application/json"}, body=body)
