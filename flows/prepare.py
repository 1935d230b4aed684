"""From fetched bytes to the snapshot the loader writes: parse, normalise (with what the warehouse already knows of its
benchmarks) and validate. Used by every load (`flows.ingest`) and by replays of stored payloads (`flows.replay`).
"""

from __future__ import annotations

import gc
import os
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from flows.config import ConfigError
from pipelines.directions import Evidence, SettlementError, decide_benchmark, parse_settlements
from pipelines.http import FetchResult
from pipelines.normalize import Knowledge, Normalized, normalize_rows
from pipelines.source import ParseError, SourceSpec
from schemas.results import validate_results
from warehouse.load import DIRECTION_COLUMNS, EVIDENCE_COLUMNS, SnapshotInput, read_benchmark_knowledge, read_board_values


SETTLEMENTS_VARIABLE = "SOTA_DIRECTIONS"


def read_knowledge(con: duckdb.DuckDBPyConnection, lineage: str | None = None) -> Knowledge:
    """What the warehouse holds of its benchmarks (units, direction evidence, directions still to decide from
    evidence, and, asked for while `con` is open, the values its boards show), and the directions the user settled in
    the file named by SOTA_DIRECTIONS (if set). The evidence `lineage` gave is kept apart: a payload of that lineage
    that gives evidence of a benchmark replaces it."""
    benchmarks, evidence = read_benchmark_knowledge(con)
    found: dict[str, list[Evidence]] = {}
    own: dict[str, list[Evidence]] = {}
    for key, kind, direction, detail, source in evidence:
        (own if source == lineage else found).setdefault(key, []).append(Evidence(kind, direction, detail))
    return Knowledge(
        units={key: unit for key, _, _, _, unit, _ in benchmarks if unit},
        evidence={key: tuple(items) for key, items in found.items()},
        lineage_evidence={key: tuple(items) for key, items in own.items()},
        settlements=_user_settlements(),
        undecided={key: (task, dataset, metric) for key, task, dataset, metric, _, undecided in benchmarks if undecided},
        board_values=lambda keys: read_board_values(con, keys),
    )


def _user_settlements() -> dict:
    path = os.environ.get(SETTLEMENTS_VARIABLE)
    if not path:
        return {}
    try:
        return parse_settlements(Path(path).read_text(encoding="utf-8"), path)
    except OSError as error:
        raise ConfigError(f"{SETTLEMENTS_VARIABLE}={path}: cannot read it ({error.strerror or error})") from None
    except SettlementError as error:
        raise ConfigError(str(error)) from None


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Python's cycle collector paused for the block. Parsing a payload allocates millions of small objects (a dump's
    dicts and strings, a row per value) and none of them form cycles, yet every few hundred allocations wake the
    collector, which walks everything still alive: at ten times the 2020 dump that walk was half the time of parsing.
    Objects are freed by their reference counts as before; the collector runs again when the block ends."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def arrow_memory_returned() -> None:
    """pyarrow allocates with mimalloc by default, which keeps the pages of freed tables for reuse: the intermediate
    tables of a tenfold dump (its 440,000 results before repeats are folded, the copy they are folded into) stayed
    resident after they were freed, 200 MB of them. jemalloc without decay hands freed pages back at once. The pool is
    the process's; a pyarrow built without jemalloc keeps its own."""
    try:
        pool = pa.jemalloc_memory_pool()
    except NotImplementedError:
        return
    if pa.default_memory_pool().backend_name != pool.backend_name:
        pa.set_memory_pool(pool)
        pa.jemalloc_set_decay_ms(0)


def prepare_snapshot(
    spec: SourceSpec, fetched: FetchResult, location: str, options: dict, observed_at: datetime, today: date,
    knowledge: Knowledge | None = None, lineage: str | None = None,
) -> SnapshotInput:
    """Parse, normalise and validate a fetched payload (pure but for the clock passed in). `knowledge` is what the
    warehouse holds of the benchmarks already (`read_knowledge`): their units, their direction evidence, and the
    benchmarks whose direction an earlier version decided by name alone, to be decided again now."""
    arrow_memory_returned()
    with cyclic_gc_paused():
        return _prepared(spec, fetched, location, options, observed_at, today, knowledge, lineage)


def _prepared(
    spec: SourceSpec, fetched: FetchResult, location: str, options: dict, observed_at: datetime, today: date,
    knowledge: Knowledge | None, lineage: str | None,
) -> SnapshotInput:
    knowledge = knowledge or Knowledge()
    try:
        rows = (spec.stream or spec.parse)(fetched.content, location, **options)
        normalized: Normalized = normalize_rows(
            _let_go(rows), ranked_listing=spec.ranked_listing,
            evidence_label=f"{lineage or spec.name} seen {observed_at:%Y-%m-%d}",
            knowledge=knowledge,
        )
    except ParseError as error:
        page = _html_page(fetched)
        if page is None:
            raise
        # A server's error page answered with 200 (a proxy, a login wall, a moved file) fails any parser in its own
        # words ("invalid JSON at line 1"); say what came instead.
        raise ParseError(error.source, error.location, f"{error.problem} (the server sent {page} instead)") from None
    outcome = validate_results(normalized.results, today)
    rejects = [(r.row_ref, r.reason, r.raw) for r in normalized.rejects]
    for position, reason in outcome.failures:
        record = normalized.results.iloc[position]
        raw = record[["model", "value", "task", "dataset", "metric", "paper_title", "published_on"]].to_json(
            force_ascii=False, date_format="iso"
        )
        rejects.append((record["row_ref"], f"{record['metric']}: {reason}", raw))
    return SnapshotInput(
        source=lineage or spec.name,
        kind=spec.name,
        source_description=spec.description,
        full_listing=spec.full_listing,
        location=location,
        options=options,
        observed_at=observed_at,
        payload=fetched.content,
        rows_parsed=normalized.rows_read,
        results=outcome.valid,
        rejects=rejects,
        duplicates=normalized.duplicates,
        directions=_directions_frame(normalized, knowledge),
        evidence=pd.DataFrame(
            [(key, e.kind, e.direction, e.detail) for key, found in normalized.evidence.items() for e in found],
            columns=EVIDENCE_COLUMNS,
        ),
    )


def _let_go(rows: Iterable) -> Iterator:
    """The rows one by one, each let go of once read (from a list, which `parse` returns; a stream lets go of its
    own): a payload's raw rows need not outlive their normalising."""
    if not isinstance(rows, list):
        yield from rows
        return
    for index in range(len(rows)):
        row, rows[index] = rows[index], None
        yield row


def _directions_frame(normalized: Normalized, knowledge: Knowledge) -> pd.DataFrame:
    """The decisions of this payload's benchmarks, and of those an earlier version decided by name alone."""
    decided = {key: (decision.direction, decision.why) for key, decision in normalized.decisions.items()}
    for key, (task, dataset, metric) in knowledge.undecided.items():
        if key not in decided:
            earlier = [*knowledge.lineage_evidence.get(key, ()), *knowledge.evidence.get(key, ())]
            again = decide_benchmark(task, dataset, metric, earlier, knowledge.settlements)
            decided[key] = (again.direction, again.why)
    return pd.DataFrame([(key, *pair) for key, pair in decided.items()], columns=DIRECTION_COLUMNS)


_HTML_START = re.compile(rb"^(?:\xef\xbb\xbf)?\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)\b", re.I | re.S)
_HTML_TITLE = re.compile(rb"<title[^>]*>(.*?)</title", re.I | re.S)


def _html_page(fetched: FetchResult) -> str | None:
    """'an HTML page titled "..."' when the payload is an HTML page (by its Content-Type or its first bytes), else None."""
    head = fetched.content[:4096]
    declared = (fetched.content_type or "").split(";")[0].strip().lower() in ("text/html", "application/xhtml+xml")
    if not declared and not _HTML_START.match(head):
        return None
    title = _HTML_TITLE.search(head)
    text = " ".join(title[1].decode("utf-8", "replace").split())[:100] if title else ""
    return f"an HTML page titled {text!r}" if text else "an HTML page"
