"""New-SOTA detection: a watched benchmark's best result before and after a load; a better, different claim is a record.

Used around `load_snapshot`, so that records and their outbox rows commit with the load or not at all:

    before = best_per_benchmark(con)                      # before the load's transaction starts
    hook = RecordNewSota(before, rules, channels=["slack", "mail"], backfill=False, now=now)
    load_snapshot(con, snapshot, now, after_load=hook)    # the hook runs inside the load's transaction
    hook.records                                          # what moved, committed with the snapshot

"Best" is latest knowledge (the result versions still shown, whatever their date), through the `sota_as_of` macro,
so an alert says what `sota asof` says. A benchmark with no best before the load (seen for the first time, or for
the first time under a rule's filters) becomes the baseline and makes no record. A new version of the claim that
was already best (a corrected value) is not a new SOTA: only a different claim is. A backfill keeps the records
(the SOTA steps of history) but queues no alerts.

Noise (issue 15), judged by the warehouse's own rule (migration 011's macros, through detect_noise.sql, so that a
record and `sota_history` never disagree). Where both bests have a standard error, the margin is also counted in
combined standard errors (z = margin / sqrt(se_new^2 + se_old^2)). A move whose margin is below two of them is within
the noise of the old best: it is recorded as kind 'tied within noise' and queues no alert, since nobody can tell the
two apart. Where a standard error is missing but both bests give a confidence interval, overlapping intervals are a
tie the same way. A rule's `min_z` asks more of a move before it is recorded at all, as `min_margin` does, where both
errors are known; where one is not, z is unknown and only `min_margin` applies (the message says so).
"""
from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from decimal import Decimal
from fnmatch import fnmatchcase
from typing import NamedTuple

import duckdb

from warehouse.errors import WarehouseError
from warehouse.statements import dict_rows, first_row, in_transaction, run


class RuleError(ValueError):
    """A rule that cannot be applied (negative margin, empty pattern); the message is one line."""


class NotInTransactionError(WarehouseError):
    """Records and outbox rows were asked for outside an open transaction: they would not commit with the load."""


@dataclass(frozen=True)
class Rule:
    """Which benchmarks to watch and what counts as a move.

    Patterns are shell-style (`*`, `?`, `[...]`), matched case-insensitively against the canonical names. The first
    rule that matches a benchmark decides for it, so put narrow rules before broad ones. `min_margin` is in the
    metric's own unit (1.0 on a percent metric is one point) and a move must reach it. `extra_data`: results that
    used extra training data count (when false, only those known to use it are left out: a source that does not
    say counts, as in `sota_as_of(..., extra_data := false)`); `estimates`: values marked as estimates (~) count.
    """

    task: str = "*"
    dataset: str = "*"
    metric: str = "*"
    min_margin: float = 0.0
    extra_data: bool = True
    estimates: bool = False
    min_z: float = 0.0  # the least margin in combined standard errors, where both are known

    def __post_init__(self) -> None:
        for name in ("task", "dataset", "metric"):
            pattern = getattr(self, name)
            if not isinstance(pattern, str) or not pattern.strip():
                raise RuleError(f"rule {name} pattern must be a non-empty string (use '*' for any), got {pattern!r}")
        if not isinstance(self.min_margin, (int, float)) or isinstance(self.min_margin, bool) or self.min_margin < 0:
            raise RuleError(f"rule min_margin must be a number >= 0, got {self.min_margin!r}")
        if not isinstance(self.min_z, (int, float)) or isinstance(self.min_z, bool) or not self.min_z >= 0:
            raise RuleError(f"rule min_z must be a number >= 0 (standard errors), got {self.min_z!r}")

    def matches(self, task: str, dataset: str, metric: str) -> bool:
        # casefold on both sides: a user writes "imagenet" for "ImageNet"; fnmatchcase keeps it the same on every OS
        return all(
            fnmatchcase(value.casefold(), pattern.casefold())
            for value, pattern in ((task, self.task), (dataset, self.dataset), (metric, self.metric))
        )


def rule_for(rules: Sequence[Rule], task: str, dataset: str, metric: str) -> Rule | None:
    """The first rule watching this benchmark, or None."""
    return next((rule for rule in rules if rule.matches(task, dataset, metric)), None)


class BestKey(NamedTuple):
    benchmark_id: int
    extra_data: bool  # results with extra training data counted
    estimates: bool  # estimated values counted


@dataclass(frozen=True)
class Best:
    """The best result of one benchmark under one filter."""

    benchmark_id: int
    task: str
    dataset: str
    metric: str
    direction: str  # higher | lower
    unit: str | None
    result_id: int
    claim_key: str
    model: str
    value: float
    better_key: float  # larger is better, whatever the direction
    paper_title: str | None
    paper_url: str | None
    published_on: date | None
    stderr: float | None = None  # in the metric's unit; None where the source gives none
    interval_low: float | None = None  # a confidence interval, where the source gives one
    interval_high: float | None = None


NEW_SOTA = "new SOTA"
TIED_WITHIN_NOISE = "tied within noise"


@dataclass(frozen=True)
class Record:
    """A new SOTA: the new best, the best before it, and by how much (always positive, in the metric's unit)."""

    record_id: int
    alert_id: str  # a UUID, stable across retries and channels (receivers drop repeats by it)
    snapshot_id: int
    benchmark_id: int
    task: str
    dataset: str
    metric: str
    result_id: int
    model: str
    value: float
    paper_title: str | None
    paper_url: str | None
    published_on: date | None
    previous_result_id: int
    previous_model: str
    previous_value: float
    margin: float
    detected_at: datetime
    is_backfill: bool
    direction: str | None = None  # from the benchmark, for messages
    unit: str | None = None
    kind: str = NEW_SOTA  # or TIED_WITHIN_NOISE: recorded, never alerted
    stderr: float | None = None
    previous_stderr: float | None = None
    z: float | None = None  # the margin in combined standard errors; None when either is unknown (or both are 0)
    basis: str | None = None  # what decided the kind: "standard errors", "intervals", None (unknown: a new SOTA)

    @classmethod
    def from_mapping(cls, row: dict) -> Record:
        values = {f.name: row[f.name] for f in fields(cls) if f.name in row}
        values["alert_id"] = str(values["alert_id"])
        return cls(**values)


def best_per_benchmark(con: duckdb.DuckDBPyConnection) -> dict[BestKey, Best]:
    """The best result of every ranked benchmark, by latest knowledge, under each extra-data/estimates filter.

    Call it before the load (for `before`); detection calls it again inside the load's transaction for "after".
    """
    best = {}
    for row in dict_rows(con, "detect_best_per_benchmark"):
        key = BestKey(row.pop("benchmark_id"), row.pop("extra_data"), row.pop("estimates"))
        best[key] = Best(benchmark_id=key.benchmark_id, **row)
    return best


def margin_between(new: Best, old: Best) -> float:
    """How much better `new` is, as a positive number in the metric's unit.

    Values were parsed from decimal text, so their shortest repr is that text; subtracting those decimals gives the
    1.1 a person expects for 88.5 - 87.4 (binary doubles give 1.0999999999999943, which would miss a 1.1 minimum).
    """
    new_value, old_value = Decimal(repr(new.value)), Decimal(repr(old.value))
    difference = old_value - new_value if new.direction == "lower" else new_value - old_value
    return float(difference)


def noise_of_move(con: duckdb.DuckDBPyConnection, margin: float, new: Best, old: Best) -> dict:
    """How a move stands to the noise, by the warehouse's own rule (warehouse/sql/detect_noise.sql): `z`, the margin
    in combined standard errors (None unless both are known and not both 0); `kind`, TIED_WITHIN_NOISE or NEW_SOTA;
    `basis`, what decided it ("standard errors", "intervals", or None: unknown, a new SOTA)."""
    z, by_errors, tie = first_row(con, "detect_noise", {
        "margin": margin, "stderr": new.stderr, "previous_stderr": old.stderr,
        "low": new.interval_low, "high": new.interval_high,
        "previous_low": old.interval_low, "previous_high": old.interval_high,
    })
    basis = "standard errors" if by_errors else ("intervals" if tie is not None else None)
    return {"z": z, "kind": TIED_WITHIN_NOISE if tie else NEW_SOTA, "basis": basis}


def require_open_transaction(con: duckdb.DuckDBPyConnection) -> None:
    """Refuse to write unless the caller's transaction is open (in autocommit each statement is its own)."""
    if not in_transaction(con):
        raise NotInTransactionError(
            "new SOTA records must be written inside the load's open transaction (BEGIN ... COMMIT) so that they "
            "commit with it; pass the hook to load_snapshot(after_load=...)"
        )


def detect_new_records(
    con: duckdb.DuckDBPyConnection,
    before: dict[BestKey, Best],
    snapshot_id: int,
    rules: Sequence[Rule],
    *,
    backfill: bool,
    now: datetime,
) -> list[Record]:
    """Compare each watched benchmark's best with `before` and store a record for every move; the stored records.

    Runs inside the caller's open transaction (after the load's writes, before its COMMIT) and neither begins nor
    commits: the records are part of the load. Outbox rows are `enqueue_alerts`'s job.
    """
    require_open_transaction(con)
    after = best_per_benchmark(con)
    names = {key.benchmark_id: best for key, best in after.items()}  # any filter's row names the benchmark
    found = []
    for benchmark_id, named in sorted(names.items()):
        rule = rule_for(rules, named.task, named.dataset, named.metric)
        if rule is None:
            continue
        key = BestKey(benchmark_id, rule.extra_data, rule.estimates)
        new, old = after.get(key), before.get(key)
        if new is None or old is None:
            continue  # nothing to beat yet: this load sets the baseline
        if new.claim_key == old.claim_key or new.better_key <= old.better_key:
            continue  # the same claim (perhaps corrected), a tie, or a step back after a removal
        margin = margin_between(new, old)
        noise = noise_of_move(con, margin, new, old)
        if margin < rule.min_margin or (noise["z"] is not None and noise["z"] < rule.min_z):
            continue
        found.append(_store_record(con, new, old, margin, noise, snapshot_id, backfill, now))
    return found


def _store_record(
    con, new: Best, old: Best, margin: float, noise: dict, snapshot_id: int, backfill: bool, now: datetime
) -> Record:
    values = {
        "alert_id": str(uuid.uuid4()),
        "snapshot_id": snapshot_id,
        "benchmark_id": new.benchmark_id,
        "task": new.task,
        "dataset": new.dataset,
        "metric": new.metric,
        "result_id": new.result_id,
        "model": new.model,
        "value": new.value,
        "paper_title": new.paper_title,
        "paper_url": new.paper_url,
        "published_on": new.published_on,
        "previous_result_id": old.result_id,
        "previous_model": old.model,
        "previous_value": old.value,
        "margin": margin,
        "detected_at": now,
        "is_backfill": backfill,
    }
    record_id = first_row(con, "next_record_id")[0]
    run(con, "detect_insert_record", {**values, "record_id": record_id})
    noise = {**noise, "stderr": new.stderr, "previous_stderr": old.stderr}
    run(con, "detect_insert_noise", {"record_id": record_id, **noise})
    return Record(record_id=record_id, direction=new.direction, unit=new.unit, **values, **noise)


def enqueue_alerts(
    con: duckdb.DuckDBPyConnection, new_records: Iterable[Record], channels: Iterable[str], now: datetime
) -> int:
    """One pending outbox row per record and channel, inside the caller's open transaction; how many were queued.

    Backfill records queue nothing: history is recorded, nobody is paged about it; nor do ties within noise.
    """
    names = list(channels)
    for name in names:
        if not isinstance(name, str) or not name.strip():
            raise ValueError(f"a channel name must be a non-empty string, got {name!r}")
    if len(set(names)) != len(names):
        raise ValueError(f"channel names must be unique: {names}")
    live = [record for record in new_records if not record.is_backfill and record.kind == NEW_SOTA]
    if not live or not names:
        return 0
    require_open_transaction(con)
    for record in live:
        for name in names:
            run(con, "outbox_enqueue", {"record_id": record.record_id, "channel": name, "now": now})
    return len(live) * len(names)


@dataclass
class RecordNewSota:
    """The `after_load` hook of `load_snapshot`: detect, store and queue inside the load's transaction.

    `before` comes from `best_per_benchmark(con)` taken just before the load. After the load, `records` holds what
    was recorded (empty when the load was unchanged or already loaded: the hook is then not called).
    """

    before: dict[BestKey, Best]
    rules: Sequence[Rule]
    channels: Sequence[str]
    backfill: bool
    now: datetime
    records: list[Record] = field(default_factory=list)

    def __call__(self, con: duckdb.DuckDBPyConnection, snapshot_id: int) -> None:
        found = detect_new_records(con, self.before, snapshot_id, self.rules, backfill=self.backfill, now=self.now)
        enqueue_alerts(con, found, self.channels, self.now)
        self.records = found


def records(con: duckdb.DuckDBPyConnection, *, snapshot_id: int | None = None) -> list[Record]:
    """The stored records (backfill ones included), oldest first."""
    return [Record.from_mapping(row) for row in dict_rows(con, "detect_records", {"snapshot_id": snapshot_id})]
