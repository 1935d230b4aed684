"""The contract every source keeps: what it declares (`SOURCE = SourceSpec(...)`), what its `parse_*` returns
(`RawRow`s) and which errors it may raise.

A source module turns payload bytes into `RawRow`s with a pure function (no clock, no I/O). Names and values stay as
the source wrote them; `pipelines.normalize` maps them onto canonical benchmarks, numbers and dates. The loader and the
flows read the `SourceSpec`; a source never touches the warehouse.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Callable

import orjson


class SourceError(Exception):
    """Base of the typed errors a source can raise; the message is one line a person can act on."""


class ParseError(SourceError):
    """The payload does not have the layout the parser relies on (names the source, the location and what is missing)."""

    def __init__(self, source: str, location: str, problem: str):
        self.source, self.location, self.problem = source, location, problem
        super().__init__(f"{source}: cannot parse {location}: {problem}")


def json_document(payload: bytes, source: str, location: str) -> Any:
    """The JSON of a UTF-8 payload (a byte-order mark allowed); a `ParseError` naming the line and column if it is not.

    orjson reads it (about three times as fast as the standard library, straight from the bytes); whatever orjson
    refuses is read again by the standard library, which accepts the same documents it always did (NaN, integers
    beyond 64 bits) and words its errors the way these messages promise.
    """
    try:
        return orjson.loads(payload[3:] if payload.startswith(b"\xef\xbb\xbf") else payload)
    except orjson.JSONDecodeError:
        pass
    try:
        return json.loads(payload.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        raise ParseError(source, location, f"not UTF-8 text: {error}") from None
    except json.JSONDecodeError as error:
        where = f"line {error.lineno} column {error.colno}"
        raise ParseError(source, location, f"invalid JSON at {where}: {error.msg}") from None


@dataclass(frozen=True, slots=True)  # slots: a dump at ten times 2020's size makes 440,000 of them
class RawRow:
    """One metric value of one model on one board, as the source wrote it.

    `value` and `published` are the source's own text ("88.5%", "1,014.45", "Jun 2024", "2020-03-18");
    `uses_additional_data` is True/False when the source says, None when it does not; so is `has_code`, whether the
    paper (or the model) has code one can run.
    `row_ref` says where in the payload the row came from, so a reject can be found again.
    `attributes` carries source-specific facts worth keeping (rank, architecture, venue, setting, is_estimate, ...).
    Some are read by the normaliser: `setting`, how the result was obtained (zero-shot, an image size, a reasoning
    effort), which tells claims apart and is compared across sources; `claim`, the source's own id of the claim (an
    Epoch run), which tells claims apart and nothing else; `stderr` and `interval` ([lower, upper]), the score's
    standard error and confidence interval in the unit the score is written in; `score_range` ([min, max]), outside
    which a score is rejected; and `lower_is_better`, a source's own flag of the metric's direction (True or False),
    which is evidence of it.
    """

    task: str
    dataset: str
    metric: str
    model: str
    value: str
    row_ref: str
    paper_title: str | None = None
    paper_url: str | None = None
    arxiv_id: str | None = None
    published: str | None = None
    uses_additional_data: bool | None = None
    is_estimate: bool = False
    has_code: bool | None = None
    attributes: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SourceSpec:
    """A registered source.

    `parse` is pure: payload bytes, the URL or path they came from (for error messages only) and the user's options
    (task, dataset, ...) in, raw rows out. `full_listing` says whether a payload lists a whole board, so that a result
    missing from a later payload of the same board counts as removed (leaderboards: yes; arXiv: no).
    `default_url` is where a configured entry without a url or path reads; `location_for(options)`, where given, picks
    that location from the entry's options (OpenCodePapers: the file of its `benchmark` slug) and returns None to fall
    back on `default_url`.
    `required_options` are options the user must give (the csv source needs task and dataset).
    `fetch` is a source-specific fetcher, `fetch(location, client, **options) -> bytes`, for a source whose payload
    takes more than one request (a paginated API): it does the I/O through the shared client and returns one payload.
    None means the generic single fetch of `location`; a fetcher with a `read_state` parameter also gets
    `read_state(key) -> dict | None`, which reads one entry of its source's `source_state` (an incremental source's
    cursor) without the fetch holding the warehouse open.
    `state_after` is pure, as `parse` is: payload bytes in, the `source_state` entries the payload leaves out
    (`{key: value}`, each value a JSON object; None or empty for none), such as an incremental source's cursor. The
    ingest writes them inside the load's transaction, each with the `snapshot_id` it stands for, so that state moves
    only when the rows it stands for commit (as dlt keeps its incremental state); a payload that fails to parse or
    changes nothing leaves none. `state_advances(stored, new)` says whether an entry may replace the one stored under
    its key (a cursor never moves back); None means it always may.
    `ranked_listing(row)` is for a source whose boards list their rows best first (Papers with Code, RobustBench): it
    names the listing a row belongs to, and the rows of one listing come in rank order, which is evidence of which way
    a metric points (`pipelines.directions`). None: the source's row order says nothing.
    `stream` is for a source whose payloads are large (the Papers with Code dump): the same pure function as `parse`,
    giving the same rows one by one (raising the same ParseErrors, maybe after some rows), so that a payload's rows
    need not all be held at once; `parse` is then the list of them. None: `parse` is read.
    """

    name: str
    description: str
    parse: Callable[..., list[RawRow]]
    full_listing: bool = True
    default_url: str | None = None
    location_for: Callable[[Mapping[str, str]], str | None] | None = None
    required_options: tuple[str, ...] = field(default_factory=tuple)
    fetch: Callable[..., bytes] | None = None
    state_after: Callable[[bytes], dict[str, dict] | None] | None = None
    state_advances: Callable[[dict, dict], bool] | None = None
    ranked_listing: Callable[[RawRow], str] | None = None
    stream: Callable[..., Iterable[RawRow]] | None = None
