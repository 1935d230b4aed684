"""From raw rows to results: canonical benchmark names, numbers with units, dates with precision, claim keys, and the
evidence a payload gives of which way each metric points.

Pure. Rows that cannot be normalised become `Reject`s with a reason; rows that repeat another row exactly (the PwC
dump lists the same board under several parent tasks) are folded into one and counted, so the count is reported
rather than the row silently lost. A value far outside its board's spread is kept, flagged `is_suspect` with its
reason (`pipelines.suspects`).

Rows are normalised one by one into Arrow columns as they stream from the parser; what is decided on the whole
payload (units per board, directions, repeats, suspects) is decided on those columns.
"""
from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date
from functools import lru_cache

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from pipelines.aliases import canonical_benchmark, canonical_metric, fold, metric_unit
from pipelines.directions import (
    Decision,
    Evidence,
    Settlements,
    decide_benchmark,
    flag_evidence,
    header_flag_evidence,
    name_evidence,
    order_evidence,
)
from pipelines.source import RawRow
from pipelines.suspects import MIN_BOARD, board_suspects, judged_mask, with_suspect_reason
from pipelines.values import ValueProblem, arxiv_id_from_url, collapse_whitespace, parse_date, parse_value

RESULT_COLUMNS = [
    "claim_key", "benchmark_key", "board_key", "task", "dataset", "metric", "direction", "unit", "model", "value", "stderr",
    "interval_low", "interval_high",
    "is_estimate",
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
    rows_read: int = 0  # raw rows read, rejects included


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


def _claim_setting(attributes: dict) -> str | None:
    """What tells a row's claim apart from others of the same model and paper: its setting, and the source's own id
    of the claim where it gives one (an Epoch run: one model's two runs in one setting are two claims)."""
    parts = [str(attributes[key]) for key in ("setting", "claim") if attributes.get(key)]
    return "; ".join(parts) or None


# Cells and dates repeat across a payload's rows ("88.5%", "2020-03-18"): read once each. Values and dates are
# immutable; a cell that does not parse raises every time (exceptions are not cached).
_parse_value = lru_cache(maxsize=1 << 16)(parse_value)
# a model repeats on every metric of its row (`_model_and_paper`), a header on every row of its column
_collapsed = lru_cache(maxsize=1 << 16)(collapse_whitespace)
_header_flag = lru_cache(maxsize=1 << 12)(header_flag_evidence)


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


_AT = {column: position for position, column in enumerate(RESULT_COLUMNS)}
_BENCHMARK, _METRIC, _UNIT, _VALUE = _AT["benchmark_key"], _AT["metric"], _AT["unit"], _AT["value"]


def _normalize_row(row: RawRow) -> list:
    """One result, its columns in RESULT_COLUMNS' order; its direction is decided later, per benchmark, from the
    evidence of the whole payload, and whether it is suspect, on its whole board."""
    task, dataset, metric, scale = canonical_benchmark(row.task, row.dataset, row.metric)
    parsed = _parse_value(row.value)
    model, paper_title, paper_url, arxiv_id, published_on, precision, paper = _model_and_paper(
        row.model, row.paper_title, row.paper_url, row.arxiv_id, row.published
    )
    given = row.attributes
    # most rows (a dump's 440,000 at ten times its size) have no attributes: nothing below to read then
    setting, stderr, low, high = (_claim_setting(given), _stderr(given.get("stderr"), scale),
                                  *_interval(given.get("interval"), scale)) if given else _NO_EXTRAS
    if given and given.get("score_range") is not None:
        _within_declared_range(parsed.value, given["score_range"])
    return [
        claim_key(task, dataset, metric, model, paper, setting),
        benchmark_key(task, dataset, metric), benchmark_key(task, dataset), task, dataset, metric,
        "unknown",
        "percent" if scale == 100.0 else parsed.unit,
        model,
        round(parsed.value * scale, 10) if scale != 1.0 else parsed.value,
        stderr, low, high,
        parsed.is_estimate or row.is_estimate,
        False,
        paper_title, paper_url, arxiv_id, published_on, precision,
        row.uses_additional_data, row.has_code, row.row_ref, _attributes_json(given) if given else None,
    ]


_NO_EXTRAS = (None, None, None, None)  # setting, standard error, interval: none


def _attributes_json(attributes: dict) -> str:
    """A row's attributes as JSON text, keys sorted so that the same facts are the same text. JSON keys are text: a
    YAML key such as `on:` arrives as the boolean True, and keys of two types cannot be sorted, so every key is
    written as its text first."""
    def keyed(value: object) -> object:
        if isinstance(value, dict):
            return {str(key): keyed(item) for key, item in value.items()}
        if isinstance(value, (list, tuple)):
            return [keyed(item) for item in value]
        return value

    return json.dumps(keyed(attributes), ensure_ascii=False, sort_keys=True, default=str)


def _is_number(given: object) -> bool:
    """A finite number as JSON or YAML gives one (a boolean is not one)."""
    return isinstance(given, (int, float)) and not isinstance(given, bool) and math.isfinite(given)


def _scaled(number: float, scale: float) -> float:
    """A number in the unit of the score as written, in the result's unit."""
    return round(number * scale, 10) if scale != 1.0 else float(number)


def _stderr(given: object, scale: float) -> float | None:
    """The standard error a source gave with the score (`attributes["stderr"]`, in the unit of the score as written),
    in the result's unit; None where none was given. One that is not a finite number at least 0 rejects the row: a
    score with a wrong error would be judged against noise it does not have."""
    if given is None:
        return None
    if not _is_number(given) or given < 0:
        raise ValueProblem(f"standard error {given!r} is not a number at least 0")
    return _scaled(given, scale)


def _interval(given: object, scale: float) -> tuple[float | None, float | None]:
    """The confidence interval a source gave with the score (`attributes["interval"]`, [lower, upper] in the unit of
    the score as written), in the result's unit; (None, None) where none was given. One that is not two finite
    numbers, lower first, rejects the row, as a wrong standard error does."""
    if given is None:
        return None, None
    numbers = given if isinstance(given, (list, tuple)) else ()
    if len(numbers) != 2 or not all(_is_number(n) for n in numbers) or numbers[0] > numbers[1]:
        raise ValueProblem(f"interval {given!r} is not [lower, upper] with lower <= upper")
    return _scaled(numbers[0], scale), _scaled(numbers[1], scale)


def _within_declared_range(value: float, declared: object) -> None:
    """A source that declares its scores' range (Every Eval Ever's min_score and max_score, in the unit the score is
    written in) vouches that a score outside it is wrong: the row is rejected with both."""
    bounds = declared if isinstance(declared, (list, tuple)) and len(declared) == 2 else None
    if bounds is None:
        raise ValueProblem(f"score range {declared!r} is not [min, max]")
    low, high = (bound if _is_number(bound) else None for bound in bounds)
    if (low is not None and value < low) or (high is not None and value > high):
        shown = "..".join("" if bound is None else f"{bound:g}" for bound in (low, high))
        raise ValueProblem(f"{value:g} is outside the range its source declares ({shown})")


def _reject_reason(row: RawRow, problem: ValueProblem) -> str:
    metric = collapse_whitespace(row.metric)
    described = name_evidence(canonical_metric(row.metric))
    if str(problem).startswith("not a number") and described is not None and described.direction == "none":
        # A column such as "Pre-Training Dataset" describes the model; its words are not a score to rank.
        return f"{metric}: a descriptive column, not a score ({str(problem).removeprefix('not a number: ')})"
    return f"{metric}: {problem}"


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


_BATCH = 16_384  # results held as Python objects before they join the payload's Arrow table


class _Reading:
    """A payload's rows read one by one into an Arrow table of results, a batch at a time, with what the decisions on
    the whole payload need of them (units, direction evidence, names): a tenfold dump's 440,000 results held as
    Python objects were a gigabyte with the raw rows they came from; as Arrow columns they are a seventh of that."""

    def __init__(self, knowledge: Knowledge, ranked_listing: Callable[[RawRow], str] | None, label: str):
        self.knowledge, self.ranked_listing, self.label = knowledge, ranked_listing, label
        self.batches: list[pa.Table] = []
        self.pending: list[list] = []
        self.rejects: list[Reject] = []
        self.names: dict[str, tuple[str, str, str]] = {}  # the last spelling of each benchmark, in order of appearance
        self.percent_boards: set[str] = set()  # benchmarks with a cell written as a percent
        self.known_percent: dict[tuple[str, str], bool] = {}
        self.flags: dict[str, dict[Evidence, None]] = defaultdict(dict)
        self.listings: dict[tuple[str, str], list[float]] = defaultdict(list)
        self.rows_read = 0

    def add(self, row: RawRow) -> None:
        self.rows_read += 1
        if not _collapsed(row.model):
            self.rejects.append(Reject.of(row, f"{collapse_whitespace(row.metric)}: the row has no model name"))
            return
        try:
            result = _normalize_row(row)
        except ValueProblem as problem:
            self.rejects.append(Reject.of(row, _reject_reason(row, problem)))
            return
        key = result[_BENCHMARK]
        self.names[key] = (result[_AT["task"]], result[_AT["dataset"]], result[_METRIC])
        self._harmonise_unit(result, key)
        flag = _header_flag(row.metric)
        if flag is not None:
            self.flags[key][flag] = None
        declared = row.attributes.get("lower_is_better")
        if isinstance(declared, bool):  # a source's own flag (Every Eval Ever's metric_config)
            self.flags[key][flag_evidence(declared, self.label)] = None
        if self.ranked_listing is not None:
            self.listings[(key, self.ranked_listing(row))].append(result[_VALUE])
        self.pending.append(result)
        if len(self.pending) >= _BATCH:
            self._flush()

    def _harmonise_unit(self, result: list, key: str) -> None:
        """A unit belongs to a benchmark, not to a cell: a metric the alias registry (or the warehouse) knows to be a
        percentage is one whatever its cells look like, so that 500 on it is out of range rather than a plain 500; so
        is a board that writes "88.5%" on most rows and "88.1" on a few (`table`, once the whole payload is read)."""
        if result[_UNIT] == "percent":
            self.percent_boards.add(key)
            return
        if result[_UNIT] is not None:
            return
        known = self.known_percent.get((key, result[_METRIC]))
        if known is None:
            known = (self.knowledge.units.get(key) or metric_unit(result[_METRIC])) == "percent"
            self.known_percent[(key, result[_METRIC])] = known
        if known:
            result[_UNIT] = "percent"

    def _flush(self) -> None:
        if self.pending:
            columns = zip(*self.pending)
            self.batches.append(pa.Table.from_arrays([pa.array(list(c)) for c in columns], names=RESULT_COLUMNS))
            self.pending = []

    def table(self) -> pa.Table:
        """Every result read, with units harmonised across each board."""
        self._flush()
        table = pa.concat_tables(self.batches, promote_options="permissive")
        self.batches = []
        if not self.percent_boards:
            return table
        unit = table.column("unit").cast(pa.string())
        boards = pa.array(sorted(self.percent_boards), type=pa.string())
        plain = pc.and_(pc.is_null(unit), pc.is_in(table.column("benchmark_key"), value_set=boards))
        if not pc.any(plain).as_py():
            return table
        return table.set_column(_UNIT, "unit", pc.if_else(plain, pa.scalar("percent"), unit))

    def evidence(self) -> dict[str, tuple[Evidence, ...]]:
        """Per benchmark: the direction flags in its column headers and, for a source that ranks, the order of each of
        its listings."""
        found = self.flags
        for (key, _), values in self.listings.items():
            order = order_evidence(values, self.label)
            if order is not None:
                found[key][order] = None  # a board listed under several parent tasks says the same thing once
        return {key: tuple(evidence) for key, evidence in found.items()}


def _decide_directions(
    names: dict[str, tuple[str, str, str]], evidence: dict[str, tuple[Evidence, ...]], knowledge: Knowledge
) -> dict[str, Decision]:
    """One decision per benchmark, from this payload's evidence and what the warehouse kept of earlier ones."""
    return {
        key: decide_benchmark(
            *name,
            [*(evidence.get(key) or knowledge.lineage_evidence.get(key, ())), *knowledge.evidence.get(key, ())],
            knowledge.settlements,
        )
        for key, name in names.items()
    }


def _with_directions(table: pa.Table, decisions: dict[str, Decision]) -> pa.Table:
    keys = pa.array(list(decisions), type=pa.string())
    directions = pa.array([decision.direction for decision in decisions.values()], type=pa.string())
    chosen = directions.take(pc.index_in(table.column("benchmark_key"), value_set=keys))
    return table.set_column(_AT["direction"], "direction", chosen)


def _fold_repeats(table: pa.Table) -> tuple[np.ndarray | None, int, list[Reject]]:
    """Exact repeats of a claim folded into its first listing (the positions of the rows kept, None for all), and
    their count; a claim listed twice with different values cannot be told apart: each of its listings is rejected.
    Compared by columns: only the listings of such claims (a few) are read back as Python objects."""
    claims = pc.dictionary_encode(table.column("claim_key").combine_chunks())
    codes = claims.indices.to_numpy()  # numbered in order of first appearance
    del claims
    counts = np.bincount(codes)
    if counts.max(initial=0) <= 1:
        return None, 0, []
    _, first = np.unique(codes, return_index=True)
    # a listing again with its claim's first value and unit is a repeat; with another, the claim is in conflict
    values = table.column("value").to_numpy()
    units = pc.dictionary_encode(pc.fill_null(table.column("unit").cast(pa.string()), "").combine_chunks())
    units = units.indices.to_numpy()
    again = np.flatnonzero(counts[codes] > 1)
    firsts = first[codes[again]]
    differs = (values[again] != values[firsts]) | (units[again] != units[firsts])
    conflicting = np.zeros(len(counts), dtype=bool)
    conflicting[codes[again][differs]] = True
    duplicates = int(np.sum(counts[~conflicting & (counts > 1)] - 1))
    listed = np.flatnonzero(conflicting[codes])
    groups: dict[int, list[dict]] = {}
    columns = ["row_ref", "model", "dataset", "metric", "value", "unit", "paper_title", "paper_url"]
    for code, record in zip(codes[listed].tolist(), table.select(columns).take(listed).to_pylist()):
        groups.setdefault(code, []).append(record)
    # in order of first appearance, each claim's listings in their order
    rejects = [_conflict(record, same_claim) for same_claim in groups.values() for record in same_claim]
    return first[~conflicting], duplicates, rejects


def _taken(batches: list[pa.RecordBatch], kept: np.ndarray) -> pa.Table:
    """The rows at `kept` (ascending positions), taken batch by batch, each batch let go once taken from: a tenfold
    dump's table and its copy are not held at once."""
    taken = []
    offset = 0
    batches.reverse()
    while batches:
        batch = batches.pop()
        local = kept[(kept >= offset) & (kept < offset + batch.num_rows)] - offset
        offset += batch.num_rows
        taken.append(batch.take(local))
        del batch
    return pa.Table.from_batches(taken)


def _conflict(record: dict, same_claim: list[dict]) -> Reject:
    listed = sorted({f"{r['value']:g}" for r in same_claim})
    shown = ", ".join(listed[:4]) + (f", ... ({len(listed)} values)" if len(listed) > 4 else "")
    return Reject(
        record["row_ref"],
        f"conflicting duplicate: {record['model']!r} is listed {len(same_claim)} times on "
        f"{record['dataset']} / {record['metric']} with the same paper (or none) and different values "
        f"({shown}); cannot tell which is which",
        json.dumps({k: record[k] for k in ("model", "value", "paper_title", "paper_url")}, default=str),
    )


def _flag_suspects(table: pa.Table, knowledge: Knowledge) -> pa.Table:
    """Each result judged on its whole board, with the values the warehouse shows there (`pipelines.suspects`)."""
    values = table.column("value").to_numpy()
    suspect = np.zeros(table.num_rows, dtype=bool)
    reasons: dict[int, str] = {}
    boards = _boards_to_judge(table, values, knowledge)
    if boards:
        # one read of the claims judged, as Python text (a take per board would combine the column's chunks each time)
        claims = iter(table.column("claim_key").take(np.concatenate([board for board, _ in boards])).to_pylist())
        for positions, on_known in boards:
            board = [(next(claims), value) for value in values[positions].tolist()]
            for at, reason in board_suspects(board, on_known):
                suspect[positions[at]] = True
                reasons[int(positions[at])] = reason
    table = table.set_column(_AT["is_suspect"], "is_suspect", pa.array(suspect))
    if not reasons:
        return table
    attributes = table.column("attributes").to_pylist()
    for position, reason in reasons.items():
        attributes[position] = with_suspect_reason(attributes[position], reason)
    return table.set_column(_AT["attributes"], "attributes", pa.array(attributes))


def _boards_to_judge(
    table: pa.Table, values: np.ndarray, knowledge: Knowledge
) -> list[tuple[np.ndarray, list[tuple[str, float]]]]:
    """Per board with enough values to judge: the positions of its judged values, and the values the warehouse shows
    on it (read once for every board of the payload)."""
    is_percent = pc.fill_null(pc.equal(table.column("unit").cast(pa.string()), "percent"), False).to_numpy()
    is_descriptive = pc.equal(table.column("direction"), "none").to_numpy()
    judged = np.flatnonzero(judged_mask(values, is_percent, is_descriptive))
    boards = pc.dictionary_encode(table.column("benchmark_key").combine_chunks())
    board_keys = boards.dictionary.to_pylist()
    known = (knowledge.board_values(sorted(board_keys)) if knowledge.board_values and board_keys else None) or {}
    codes = boards.indices.to_numpy()[judged]
    order = np.argsort(codes, kind="stable")
    judged, codes = judged[order], codes[order]
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]]) if len(codes) else np.array([], dtype=int)
    found = []
    for start, end in zip(starts.tolist(), [*starts[1:].tolist(), len(codes)]):
        on_known = list(known.get(board_keys[codes[start]], ()))
        if end - start + len(on_known) >= MIN_BOARD:  # fewer values cannot be judged, however they are counted
            found.append((judged[start:end], on_known))
    return found


def normalize_rows(
    rows: Iterable[RawRow],
    *,
    ranked_listing: Callable[[RawRow], str] | None = None,
    evidence_label: str = "this payload",
    knowledge: Knowledge | None = None,
) -> Normalized:
    """Raw rows as results and rejects, each benchmark with the direction its evidence decides. `rows` may be a
    stream (`SourceSpec.stream`): each row is let go once read. `ranked_listing` is the source's
    (`SourceSpec.ranked_listing`): its listings' order is evidence of direction, named `evidence_label`; `knowledge` is
    what the warehouse already holds (units, earlier evidence) and what people settled."""
    knowledge = knowledge or Knowledge()
    reading = _Reading(knowledge, ranked_listing, evidence_label)
    for row in rows:
        reading.add(row)
    if not reading.names:
        return Normalized(_empty_results(), reading.rejects, 0, {}, {}, reading.rows_read)
    table = reading.table()
    evidence = reading.evidence()
    decisions = _decide_directions(reading.names, evidence, knowledge)
    table = _with_directions(table, decisions)
    kept, duplicates, conflicts = _fold_repeats(table)
    if kept is not None:
        batches = table.to_batches()
        del table
        table = _taken(batches, kept)
    results = _flag_suspects(table, knowledge).to_pandas() if table.num_rows else _empty_results()
    return Normalized(results, reading.rejects + conflicts, duplicates, evidence, decisions, reading.rows_read)


def _empty_results() -> pd.DataFrame:
    # object columns, which DuckDB reads as untyped NULLs: empty float64 ones would make it compare text keys as numbers
    return pd.DataFrame({column: pd.Series([], dtype=object) for column in RESULT_COLUMNS}, columns=RESULT_COLUMNS)
