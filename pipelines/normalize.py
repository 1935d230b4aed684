"""From raw rows to results: canonical benchmark names, numbers with units, dates with precision, claim keys, and the
evidence a payload gives of which way each metric points.

Pure. Rows that cannot be normalised become `Reject`s with a reason; rows that repeat another row exactly (the PwC
dump lists the same board under several parent tasks) are folded into one and counted, so the count is reported
rather than the row silently lost. A value far outside its board's spread is kept, flagged `is_suspect` with its
reason (`pipelines.suspects`).
"""
from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date
from functools import lru_cache

import pandas as pd
import pyarrow as pa

from pipelines.aliases import canonical_benchmark, canonical_metric, fold, metric_unit
from pipelines.directions import (
    Decision,
    Evidence,
    Settlements,
    decide_benchmark,
    header_flag_evidence,
    name_evidence,
    order_evidence,
)
from pipelines.source import RawRow
from pipelines.suspects import flag_suspects
from pipelines.values import ValueProblem, arxiv_id_from_url, collapse_whitespace, parse_date, parse_value

RESULT_COLUMNS = [
    "claim_key", "benchmark_key", "board_key", "task", "dataset", "metric", "direction", "unit", "model", "value", "is_estimate",
    "is_suspect", "paper_title", "paper_url", "arxiv_id", "published_on", "published_precision", "uses_additional_data",
    "has_code", "row_ref", "attributes",
]


@dataclass(frozen=True)
class Reject:
    row_ref: str
    reason: str
    raw: str  # the raw row as JSON, so a person can see what came in

    @classmethod
    def of(cls, row: RawRow, reason: str) -> "Reject":
        return cls(row.row_ref, reason, json.dumps(asdict(row), ensure_ascii=False, default=str))


@dataclass
class Normalized:
    results: pd.DataFrame
    rejects: list[Reject]
    duplicates: int  # exact repeats folded into one row
    # per benchmark_key: the evidence this payload gives of its metric's direction (header flags, ranked listings),
    # and the decision it supports on its own (the ingest decides again with what the warehouse already holds)
    evidence: dict[str, tuple[Evidence, ...]] = field(default_factory=dict)
    decisions: dict[str, Decision] = field(default_factory=dict)


def paper_key(arxiv_id: str | None, paper_url: str | None, paper_title: str | None) -> str:
    """Which paper a claim comes from, stable across URL versions (v1, v4) and http/https."""
    if arxiv_id:
        return f"arxiv:{arxiv_id}"
    if paper_url:
        url = paper_url.strip().lower().removeprefix("https://").removeprefix("http://").removeprefix("www.")
        return "url:" + url.rstrip("/")
    if paper_title:
        return "title:" + collapse_whitespace(paper_title).lower()
    return ""


@lru_cache(maxsize=1 << 16)
def benchmark_key(*names: str) -> str:
    """Spelling-blind identity of a benchmark (task, dataset, metric) or a board (task, dataset)."""
    return "\x1f".join(fold(name) for name in names)


def claim_key(task: str, dataset: str, metric: str, model: str, paper: str, setting: str | None = None) -> str:
    """One claim = a model's value on a benchmark from a paper; the key is what stays the same across versions.

    `setting` tells apart entries a source lists under one name (timm's two image sizes of one model, RobustBench's
    several architectures of one paper).
    """
    return "\x1f".join((benchmark_key(task, dataset, metric), model, paper, setting or ""))


# Cells and dates repeat across a payload's rows ("88.5%", "2020-03-18"): read once each. Values and dates are
# immutable; a cell that does not parse raises every time (exceptions are not cached).
_parse_value = lru_cache(maxsize=1 << 16)(parse_value)
# a model repeats on every metric of its row (`_model_and_paper`), a header on every row of its column
_collapsed = lru_cache(maxsize=1 << 16)(collapse_whitespace)
_header_flag = lru_cache(maxsize=1 << 12)(header_flag_evidence)


class _Record:
    """One normalised result while its payload is normalised: the columns of RESULT_COLUMNS as slots, read and
    written as `record["value"]`, as a dict would be (a tenfold dump makes 440,000 of them: as dicts they were half a
    gigabyte, as slots a fifth of that)."""

    __slots__ = tuple(RESULT_COLUMNS)
    __getitem__ = object.__getattribute__
    __setitem__ = object.__setattr__


@lru_cache(maxsize=1 << 16)
def _model_and_paper(
    model: str, paper_title: str | None, paper_url: str | None, arxiv_id: str | None, published: str | None
) -> tuple[str, str | None, str | None, str | None, date | None, str, str]:
    """A row's model and paper as stored, and the paper's key: the same for every metric of a source's row, so read
    once for all of them."""
    published_on, precision = parse_date(published)
    arxiv_id = arxiv_id or arxiv_id_from_url(paper_url)
    paper_title = collapse_whitespace(paper_title) or None
    paper_url = (paper_url or "").strip() or None
    paper = paper_key(arxiv_id, paper_url, paper_title)
    return collapse_whitespace(model), paper_title, paper_url, arxiv_id, published_on, precision, paper


def _normalize_row(row: RawRow) -> _Record:
    task, dataset, metric, scale = canonical_benchmark(row.task, row.dataset, row.metric)
    parsed = _parse_value(row.value)
    model, paper_title, paper_url, arxiv_id, published_on, precision, paper = _model_and_paper(
        row.model, row.paper_title, row.paper_url, row.arxiv_id, row.published
    )
    record = _Record()
    record.claim_key = claim_key(task, dataset, metric, model, paper, row.attributes.get("setting"))
    record.benchmark_key = benchmark_key(task, dataset, metric)
    record.board_key = benchmark_key(task, dataset)
    record.task, record.dataset, record.metric = task, dataset, metric
    record.direction = "unknown"  # decided per benchmark from the evidence of the whole payload (`_decide_directions`)
    record.unit = "percent" if scale == 100.0 else parsed.unit
    record.model = model
    record.value = round(parsed.value * scale, 10) if scale != 1.0 else parsed.value
    record.is_estimate = parsed.is_estimate or row.is_estimate
    record.is_suspect = False  # judged on the whole board (`flag_suspects`)
    record.paper_title, record.paper_url, record.arxiv_id = paper_title, paper_url, arxiv_id
    record.published_on, record.published_precision = published_on, precision
    record.uses_additional_data, record.has_code = row.uses_additional_data, row.has_code
    record.row_ref = row.row_ref
    record.attributes = (
        json.dumps(row.attributes, ensure_ascii=False, sort_keys=True, default=str) if row.attributes else None
    )
    return record


def _reject_reason(row: RawRow, problem: ValueProblem) -> str:
    metric = collapse_whitespace(row.metric)
    described = name_evidence(canonical_metric(row.metric))
    if str(problem).startswith("not a number") and described is not None and described.direction == "none":
        # A column such as "Pre-Training Dataset" describes the model; its words are not a score to rank.
        return f"{metric}: a descriptive column, not a score ({str(problem).removeprefix('not a number: ')})"
    return f"{metric}: {problem}"


def _harmonise_units(records: list[_Record], known_units: dict[str, str]) -> None:
    """A unit belongs to a benchmark, not to a cell: a board that writes "88.5%" on most rows and "88.1" on a few
    means percent on all of them, and so does a metric the alias registry (or the warehouse, `known_units`) knows
    to be a percentage, whatever its cells look like, so that 500 on it is out of range rather than a plain 500."""
    percent_boards = {record["benchmark_key"] for record in records if record["unit"] == "percent"}
    for record in records:
        if record["unit"] is not None:
            continue
        key = record["benchmark_key"]
        if key in percent_boards or (known_units.get(key) or metric_unit(record["metric"])) == "percent":
            record["unit"] = "percent"


def _direction_evidence(
    records: list[_Record], sightings: list[tuple[str, str | None]], label: str
) -> dict[str, tuple[Evidence, ...]]:
    """Per benchmark: the direction flags in its column headers and, for a source that ranks, the order of each of
    its listings. `sightings[i]` is the column header and the listing (None: not ranked) of `records[i]`."""
    found: dict[str, dict[Evidence, None]] = defaultdict(dict)
    listings: dict[tuple[str, str], list[float]] = defaultdict(list)
    for (header, listing), record in zip(sightings, records):
        flag = _header_flag(header)
        if flag is not None:
            found[record["benchmark_key"]][flag] = None
        if listing is not None:
            listings[(record["benchmark_key"], listing)].append(record["value"])
    for (key, _), values in listings.items():
        order = order_evidence(values, label)
        if order is not None:
            found[key][order] = None  # a board listed under several parent tasks says the same thing once
    return {key: tuple(evidence) for key, evidence in found.items()}


@dataclass(frozen=True)
class Knowledge:
    """What the warehouse already holds about benchmarks, by benchmark_key: their units and the direction evidence
    earlier payloads gave; and the directions people settled."""

    units: dict[str, str] = field(default_factory=dict)
    evidence: dict[str, tuple[Evidence, ...]] = field(default_factory=dict)
    # the evidence the payload's own lineage gave earlier: it counts only where the payload gives none, since the
    # payload's evidence replaces it (a lineage says what its newest payload says)
    lineage_evidence: dict[str, tuple[Evidence, ...]] = field(default_factory=dict)
    settlements: Settlements = field(default_factory=dict)
    # benchmarks an earlier version decided by name alone: (task, dataset, metric) by benchmark_key
    undecided: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    # the values the warehouse shows now on the boards asked for (benchmark_keys): (claim_key, value) pairs by
    # benchmark_key, read only for the boards a payload reports, so that its values are judged against the whole board
    board_values: Callable[[list[str]], Mapping[str, Iterable[tuple[str, float]]]] | None = None


def _decide_directions(
    records: list[_Record], evidence: dict[str, tuple[Evidence, ...]], knowledge: Knowledge
) -> dict[str, Decision]:
    """One decision per benchmark, from this payload's evidence and what the warehouse kept of earlier ones."""
    names = {record["benchmark_key"]: (record["task"], record["dataset"], record["metric"]) for record in records}
    decisions = {
        key: decide_benchmark(
            *name,
            [*(evidence.get(key) or knowledge.lineage_evidence.get(key, ())), *knowledge.evidence.get(key, ())],
            knowledge.settlements,
        )
        for key, name in names.items()
    }
    for record in records:
        record["direction"] = decisions[record["benchmark_key"]].direction
    return decisions


def normalize_rows(
    rows: Iterable[RawRow],
    *,
    ranked_listing: Callable[[RawRow], str] | None = None,
    evidence_label: str = "this payload",
    knowledge: Knowledge | None = None,
) -> Normalized:
    """Raw rows as results and rejects, each benchmark with the direction its evidence decides. `ranked_listing` is the
    source's (`SourceSpec.ranked_listing`): its listings' order is evidence of direction, named `evidence_label`;
    `knowledge` is what the warehouse already holds (units, earlier evidence) and what people settled."""
    knowledge = knowledge or Knowledge()
    records: list[_Record] = []
    # what evidence of direction needs of each kept raw row, so that the rows themselves need not be kept (`rows` may
    # be an iterator that lets each go once read: a tenfold dump's 440,000 rows are 300 MB)
    sightings: list[tuple[str, str | None]] = []
    rejects: list[Reject] = []
    for row in rows:
        if not _collapsed(row.model):
            rejects.append(Reject.of(row, f"{collapse_whitespace(row.metric)}: the row has no model name"))
            continue
        try:
            records.append(_normalize_row(row))
            sightings.append((row.metric, ranked_listing(row) if ranked_listing is not None else None))
        except ValueProblem as problem:
            rejects.append(Reject.of(row, _reject_reason(row, problem)))
    _harmonise_units(records, knowledge.units)
    evidence = _direction_evidence(records, sightings, evidence_label)
    del sightings
    decisions = _decide_directions(records, evidence, knowledge)

    # Fold exact repeats; a claim listed twice with different values cannot be told apart: reject both. Most claims
    # are listed once: only those listed again get a list of their listings.
    first: dict[str, _Record] = {}
    again: dict[str, list[_Record]] = {}
    for record in records:
        seen = first.setdefault(record["claim_key"], record)
        if seen is not record:
            again.setdefault(record["claim_key"], [seen]).append(record)
    kept: list[_Record] = []
    duplicates = 0
    for key, record in first.items():
        same_claim = again.get(key)
        if same_claim is None:
            kept.append(record)
            continue
        values = {(r["value"], r["unit"]) for r in same_claim}
        if len(values) == 1:
            kept.append(same_claim[0])
            duplicates += len(same_claim) - 1
            continue
        listed = sorted({f"{v:g}" for v, _ in values})
        shown = ", ".join(listed[:4]) + (f", ... ({len(listed)} values)" if len(listed) > 4 else "")
        for record in same_claim:
            rejects.append(
                Reject(
                    record["row_ref"],
                    f"conflicting duplicate: {record['model']!r} is listed {len(same_claim)} times on "
                    f"{record['dataset']} / {record['metric']} with the same paper (or none) and different values "
                    f"({shown}); cannot tell which is which",
                    json.dumps({k: record[k] for k in ("model", "value", "paper_title", "paper_url")}, default=str),
                )
            )
    boards = sorted({record["benchmark_key"] for record in kept})
    flag_suspects(kept, knowledge.board_values(boards) if knowledge.board_values and boards else None)
    # through Arrow, which makes the same frame (Arrow-backed strings, nullable flags as objects) in half the time
    columns = {column: [record[column] for record in kept] for column in RESULT_COLUMNS}
    results = pa.table(columns).to_pandas() if kept else pd.DataFrame(columns, columns=RESULT_COLUMNS)
    return Normalized(results, rejects, duplicates, evidence, decisions)
