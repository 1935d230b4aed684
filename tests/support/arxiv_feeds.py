"""arXiv feeds for the tests: the recorded API responses in ../shared/data (read in place), feeds built from the dev
abstracts, and `Recordings`, which replays recorded responses on a loopback server and fails a test that leaves one
unused (as arxiv.py's own tests do). The fixtures that serve them are in tests/pipelines/conftest.py.
"""
from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

from tests.support.http_server import Reply

ATOM_2016 = "arxiv-atom/arxiv.py-fixtures-2016"
ATOM_2026 = "arxiv-atom/arxiv.py-fixtures-2026"
DEV = "arxiv-abstracts/dev.jsonl"


def entry_xml(
    arxiv_id: str, version: int, title: str, abstract: str, published: str, updated: str | None = None
) -> str:
    return (
        f"<entry><id>http://arxiv.org/abs/{arxiv_id}v{version}</id><updated>{updated or published}</updated>"
        f"<link href=\"https://arxiv.org/abs/{arxiv_id}v{version}\" rel=\"alternate\" type=\"text/html\"/>"
        f"<summary>{escape(abstract)}</summary><category term=\"cs.CV\" scheme=\"http://arxiv.org/schemas/atom\"/>"
        f"<published>{published}</published><title>{escape(title)}</title>"
        f"<author><name>A. Author</name></author></entry>"
    )


def feed_xml(entries: list[str], *, total: int | None = None, start: int = 0) -> bytes:
    """A 2026-style feed (no self link, opensearch namespace on the root)."""
    total = len(entries) if total is None else total
    return (
        "<?xml version='1.0' encoding='UTF-8'?>\n"
        '<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" xmlns:arxiv="http://arxiv.org/schemas/atom" '
        'xmlns="http://www.w3.org/2005/Atom"><id>https://arxiv.org/api/test</id><title>arXiv Query: test</title>'
        f"<updated>2026-01-01T00:00:00Z</updated><opensearch:itemsPerPage>{len(entries)}</opensearch:itemsPerPage>"
        f"<opensearch:totalResults>{total}</opensearch:totalResults>"
        f"<opensearch:startIndex>{start}</opensearch:startIndex>{''.join(entries)}</feed>"
    ).encode()


def dev_records(shared_data: Path) -> list[dict]:
    return [json.loads(line) for line in (shared_data / DEV).read_text(encoding="utf-8").splitlines() if line.strip()]


def v1_day(record: dict) -> str:
    """The labelled submission day; for the papers without one, the 1st of the month their id names."""
    return record["submitted"] or f"20{record['arxiv_id'][:2]}-{record['arxiv_id'][2:4]}-01"


def dev_entry(record: dict, published: str | None = None) -> str:
    return entry_xml(record["arxiv_id"], 1, record["title"], record["abstract"],
                     published or f"{v1_day(record)}T12:00:00Z")


def dev_entries(shared_data: Path) -> list[str]:
    """The dev abstracts as feed entries, v1 on the labelled submission day (else the 1st of the id's month)."""
    return [dev_entry(record) for record in dev_records(shared_data)]


def recording(shared_data: Path, name: str) -> dict:
    return json.loads((shared_data / ATOM_2026 / name).read_text(encoding="utf-8"))


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query, keep_blank_values=True)


class Recordings:
    """Recorded responses replayed at one path, in the order the client must ask for them; each must be asked for
    with the recorded URL's query, and none may be left unused."""

    PATH = "/api/query"

    def __init__(self, server, shared_data: Path):
        self.server, self.shared_data = server, shared_data
        self.expected: list[dict] = []

    @property
    def base_url(self) -> str:
        return self.server.url(self.PATH)

    def local(self, recorded_url: str) -> str:
        """The recorded URL with the loopback server in place of export.arxiv.org."""
        return f"{self.base_url}?{urlsplit(recorded_url).query}"

    def expect(self, *names: str) -> list[dict]:
        self.expected += [recording(self.shared_data, name) for name in names]
        self.server.route(
            self.PATH, [Reply(r["status_code"], {"Content-Type": "application/atom+xml"}, r["body"].encode())
                        for r in self.expected],
        )
        return self.expected

    def assert_all_used(self) -> None:
        asked = [query_of(request.path) for request in self.server.requests_to(self.PATH)]
        assert asked == [query_of(r["url"]) for r in self.expected], "recorded responses unused or asked otherwise"
