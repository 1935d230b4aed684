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

import pandas as pd

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


def benchmark_key(*names: str) -> str:
    """Spelling-blind identity of a benchmark (task, dataset, metric) or a board (task, dataset)."""
    return "\x1f".join(fold(name) for name in names)


def claim_key(task: str, dataset: str, metric: str, model: str, paper: str, setting: str | None = None) -> str:
    """One claim = a model's value on a benchmark from a paper; the key is what stays the same across versions.

    `setting` tells apart entries a source lists under one name (timm's two image sizes of one model, RobustBench's
    several architectures of one paper).
    """
    return "\x1f".join((benchmark_key(task, dataset, metric), model, paper, setting or ""))


def _normalize_row(row: RawRow) -> dict:
    task, dataset, metric, scale = canonical_benchmark(row.task, row.dataset, row.metric)
    model = collapse_whitespace(row.model)
    parsed = parse_value(row.value)
    published_on, precision = parse_date(row.published)
    arxiv_id = row.arxiv_id or arxiv_id_from_url(row.paper_url)
    paper_title = collapse_whitespace(row.paper_title) or None
    paper_url = (row.paper_url or "").strip() or None
    return {
        "claim_key": claim_key(
            task, dataset, metric, model, paper_key(arxiv_id, paper_url, paper_title), row.attributes.get("setting")
        ),
        "benchmark_key": benchmark_key(task, dataset, metric),
        "board_key": benchmark_key(task, dataset),
        "task": task,
        "dataset": dataset,
        "metric": metric,
        "direction": "unknown",  # decided per benchmark from the evidence of the whole payload (`_decide_directions`)
        "unit": "percent" if scale == 100.0 else parsed.unit,
        "model": model,
        "value": round(parsed.value * scale, 10) if scale != 1.0 else parsed.value,
        "is_estimate": parsed.is_estimate or row.is_estimate,
        "paper_title": paper_title,
        "paper_url": paper_url,
        "arxiv_id": arxiv_id,
        "published_on": published_on,
        "published_precision": precision,
        "uses_additional_data": row.uses_additional_data,
        "has_code": row.has_code,
        "row_ref": row.row_ref,
        "attributes": json.dumps(row.attributes, ensure_ascii=False, sort_keys=True, default=str)
        if row.attributes
        else None,
    }


def _reject_reason(row: RawRow, problem: ValueProblem) -> str:
    metric = collapse_whitespace(row.metric)
    described = name_evidence(canonical_metric(row.metric))
    if str(problem).startswith("not a number") and described is not None and described.direction == "none":
        # A column such as "Pre-Training Dataset" describes the model; its words are not a score to rank.
        return f"{metric}: a descriptive column, not a score ({str(problem).removeprefix('not a number: ')})"
    return f"{metric}: {problem}"


def _harmonise_units(records: list[dict], known_units: dict[str, str]) -> None:
    """A unit belongs to a benchmark, not to a cell: a board that writes "88.5%" on most rows and "88.1" on a few
    means percent on all of them, and so does a metric the alias registry (or the warehouse, `known_units`) knows
    to be a percentage, whatever its cells look like, so that 500 on it is out of range rather than a plain 500."""
    units_by_metric: dict[tuple, set] = defaultdict(set)
    for record in records:
        units_by_metric[record["benchmark_key"]].add(record["unit"])
    for record in records:
        units = units_by_metric[record["benchmark_key"]]
        declared = known_units.get(record["benchmark_key"]) or metric_unit(record["metric"])
        if record["unit"] is None and ("percent" in units or declared == "percent"):
            record["unit"] = "percent"


def _direction_evidence(
    rows: list[RawRow], records: list[dict], ranked_listing: Callable[[RawRow], str] | None, label: str
) -> dict[str, tuple[Evidence, ...]]:
    """Per benchmark: the direction flags in its column headers and, for a source that ranks, the order of each of
    its listings. `rows[i]` is the raw row of `records[i]`."""
    found: dict[str, dict[Evidence, None]] = defaultdict(dict)
    listings: dict[tuple[str, str], list[float]] = defaultdict(list)
    for row, record in zip(rows, records):
        flag = header_flag_evidence(row.metric)
        if flag is not None:
            found[record["benchmark_key"]][flag] = None
        if ranked_listing is not None:
            listings[(record["benchmark_key"], ranked_listing(row))].append(record["value"])
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
    records: list[dict], evidence: dict[str, tuple[Evidence, ...]], knowledge: Knowledge
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
    rows: list[RawRow],
    *,
    ranked_listing: Callable[[RawRow], str] | None = None,
    evidence_label: str = "this payload",
    knowledge: Knowledge | None = None,
) -> Normalized:
    """Raw rows as results and rejects, each benchmark with the direction its evidence decides. `ranked_listing` is the
    source's (`SourceSpec.ranked_listing`): its listings' order is evidence of direction, named `evidence_label`;
    `knowledge` is what the warehouse already holds (units, earlier evidence) and what people settled."""
    knowledge = knowledge or Knowledge()
    records: list[dict] = []
    kept_rows: list[RawRow] = []
    rejects: list[Reject] = []
    for row in rows:
        if not collapse_whitespace(row.model):
            rejects.append(Reject.of(row, f"{collapse_whitespace(row.metric)}: the row has no model name"))
            continue
        try:
            records.append(_normalize_row(row))
            kept_rows.append(row)
        except ValueProblem as problem:
            rejects.append(Reject.of(row, _reject_reason(row, problem)))
    _harmonise_units(records, knowledge.units)
    evidence = _direction_evidence(kept_rows, records, ranked_listing, evidence_label)
    decisions = _decide_directions(records, evidence, knowledge)

    # Fold exact repeats; a claim listed twice with different values cannot be told apart: reject both.
    by_key: dict[str, list[dict]] = defaultdict(list)
    for record in records:
        by_key[record["claim_key"]].append(record)
    kept: list[dict] = []
    duplicates = 0
    for same_claim in by_key.values():
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
    results = pd.DataFrame(kept, columns=RESULT_COLUMNS)
    return Normalized(results, rejects, duplicates, evidence, decisions)
