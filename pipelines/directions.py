"""Which way a metric points, decided from evidence, with the evidence kept (its data is `directions.toml`).

A direction is "higher" or "lower" (is better), "none" for a column that describes a model rather than scores it
(parameters, FLOPs, pre-training data), or "unknown". Four kinds of evidence speak, strongest first:

- settled: a person settled the benchmark in `directions.toml` [settled];
- flag: the source says so ("FID ↓" or "(lower is better)" in a column header, a `lower_is_better` field);
- order: a source that ranks lists a board's rows best first, so a listing of 3 or more rows that runs one way over
  its whole length, first and last differing, says which way is best. Papers with Code sorts a board by one metric,
  so the other columns are mostly unsorted: they give no evidence, which is right;
- name: the metric's name read with the lexicon of `directions.toml` ("MPJPE" is an error, "mAP" a precision).

Where name and order disagree, or the name disagrees with itself, the direction is "unknown" and `why` names both
sides; where nothing speaks it is "unknown" too. Never a guess of "higher": a board of unknown direction is neither
ranked nor alerted on until the evidence grows or someone settles it.

Pure: no clock, no I/O but reading `directions.toml` at import.
"""
from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from itertools import pairwise

from pipelines.aliases import fold

DIRECTIONS = ("higher", "lower", "none")
EVIDENCE_KINDS = ("settled", "flag", "order", "name")
MIN_ORDERED_ROWS = 3

_SAYS = {"higher": "higher-is-better", "lower": "lower-is-better", "none": "descriptive"}
_OPPOSITE = {"higher": "lower", "lower": "higher", "none": "none"}


@dataclass(frozen=True)
class Evidence:
    kind: str  # "settled" | "flag" | "order" | "name"
    direction: str  # "higher" | "lower" | "none"
    detail: str  # one short sentence a person reads

    def __post_init__(self):
        if self.kind not in EVIDENCE_KINDS or self.direction not in DIRECTIONS:
            raise ValueError(f"not evidence of a direction: {self.kind!r} says {self.direction!r}")


@dataclass(frozen=True)
class Decision:
    direction: str  # "higher" | "lower" | "none" | "unknown"
    evidence: tuple[Evidence, ...]
    why: str  # the line `sota benchmarks --why` prints


# ---- the lexicon -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Term:
    direction: str  # a direction, "neutral" (hides shorter terms, says nothing) or, for modifiers, "reverse"
    pattern: re.Pattern


@dataclass(frozen=True)
class _Match:
    direction: str
    text: str
    start: int
    end: int


def _terms(direction: str, words: Iterable[str] = (), acronyms: Iterable[str] = ()) -> list[_Term]:
    """Whole-word terms: no letter right before or after; `words` in any case, `acronyms` as written."""
    bounded = r"(?<![A-Za-z])(?:{})(?![A-Za-z])"
    return [_Term(direction, re.compile(bounded.format(word), re.IGNORECASE)) for word in words] + [
        _Term(direction, re.compile(bounded.format(acronym))) for acronym in acronyms
    ]


def _load_lexicon() -> dict:
    """The data file, checked: a mistake in it fails at import, never as a silently wrong direction."""
    data = tomllib.loads(resources.files("pipelines").joinpath("directions.toml").read_text(encoding="utf-8"))
    for key, entry in data["settled"].items():
        if len(key.split("|")) != 3 or entry.get("direction") not in DIRECTIONS or not entry.get("why"):
            raise ValueError(
                f"directions.toml [settled] {key!r}: want \"task | dataset | metric\" = "
                f"{{ direction = one of {DIRECTIONS}, why = \"...\" }}"
            )
    return data


_DATA = _load_lexicon()
_STRONG = [
    term
    for direction in ("lower", "higher", "none", "neutral")
    for term in _terms(direction, _DATA[direction].get("words", []), _DATA[direction].get("acronyms", []))
]
_MODIFIERS = [term for direction, words in _DATA["modifiers"].items() for term in _terms(direction, words)]
_WEAK = [term for direction, words in _DATA["weak"].items() for term in _terms(direction, words)]
_SETTLED = {tuple(fold(part) for part in key.split("|")): entry for key, entry in _DATA["settled"].items()}
_SETTLED_METRICS = {fold(metric): entry for metric, entry in _DATA.get("settled_metrics", {}).items()}


def _matches(text: str, terms: list[_Term]) -> list[_Match]:
    """Every term found, less those inside a longer one found ("time" in "training time")."""
    found = [
        _Match(term.direction, match.group(), match.start(), match.end())
        for term in terms
        for match in term.pattern.finditer(text)
        if match.end() > match.start()
    ]
    return [
        inner
        for inner in found
        if not any(
            outer.start <= inner.start and inner.end <= outer.end and outer.end - outer.start > inner.end - inner.start
            for outer in found
        )
    ]


def _qualifier_spans(name: str) -> list[tuple[int, int]]:
    """Where a name qualifies its measure: inside brackets, and after an "@" outside them."""
    spans, depth, opened = [], 0, 0
    for index, char in enumerate(name):
        if char in "([{":
            opened = index if depth == 0 else opened
            depth += 1
        elif char in ")]}" and depth:
            depth -= 1
            if depth == 0:
                spans.append((opened, index + 1))
        elif char == "@" and depth == 0:
            spans.append((index, len(name)))
            break
    if depth:
        spans.append((opened, len(name)))
    return spans


def _measure_terms(name: str, terms: list[_Term]) -> tuple[list[_Match], bool]:
    """The terms that speak for the measure (the head's, else the qualifiers'), and whether they are qualifiers."""
    spans = _qualifier_spans(name)
    found = [match for match in _matches(name, terms) if match.direction != "neutral"]
    head = [match for match in found if not any(start <= match.start < end for start, end in spans)]
    return (head, False) if head else (found, bool(found))


def _directions(found: list[_Match]) -> set[str]:
    """The directions terms speak for; a description only where no term of a direction speaks."""
    directions = {match.direction for match in found}
    return directions - {"none"} if directions - {"none"} else directions


def _terms_of(found: list[_Match], direction: str) -> str:
    texts = list(dict.fromkeys(match.text for match in found if match.direction == direction))
    return ", ".join(repr(text) for text in texts)


def _changed(directions: set[str], modifiers: list[_Match]) -> set[str]:
    """The directions of a change of the measure: a "reverse" modifier (reduction, drop) turns the measure's own."""
    return {
        changed
        for modifier in modifiers
        for changed in ({_OPPOSITE[d] for d in directions} if modifier.direction == "reverse" else {modifier.direction})
    }


@lru_cache(maxsize=8192)  # a warehouse has a few thousand metric names, each read for every benchmark
def _name_reading(metric: str) -> tuple[Evidence, ...]:
    """What the name alone says: nothing, one direction, or both sides of a name that says both."""
    found, in_qualifier = _measure_terms(metric, _STRONG)
    directions = _directions(found)
    where = "the name's qualifier" if in_qualifier else "the name"
    said = {d: f"{where} matches {_SAYS[d]} term {_terms_of(found, d)}" for d in directions}
    modifiers = _matches(metric, _MODIFIERS)
    changed = _changed(directions, modifiers)
    if changed:
        turned = ", ".join(repr(m.text) for m in modifiers)
        measure = " and ".join(f"{_SAYS[d]} {_terms_of(found, d)}" for d in sorted(directions)) or "the measure"
        directions, said = changed, {d: f"the name's {turned} turns {measure} into {_SAYS[d]}" for d in changed}
    if not directions:
        weak, _ = _measure_terms(metric, _WEAK)
        directions = {match.direction for match in weak}
        said = {d: f"the name matches only the generic {_SAYS[d]} term {_terms_of(weak, d)}" for d in directions}
    if directions == {"none"}:
        return (Evidence("name", "none", f"{said['none']}: it describes, it does not rank"),)
    return tuple(Evidence("name", d, said[d]) for d in DIRECTIONS if d in directions)


# ---- evidence --------------------------------------------------------------------------------------------------------


def name_evidence(metric: str) -> Evidence | None:
    """What the metric's name says by the lexicon; None where it says nothing, or both directions at once (that
    conflict is kept by `decide`, which reads the name itself)."""
    reading = _name_reading(metric)
    return reading[0] if len(reading) == 1 else None


_FLAG_LOWER = re.compile(r"[↓⬇▼]|\b(lower|smaller|less|fewer)\s+(is\s+)?better\b", re.IGNORECASE)
_FLAG_HIGHER = re.compile(r"[↑⬆▲]|\b(higher|larger|greater|bigger|more)\s+(is\s+)?better\b", re.IGNORECASE)


def header_flag_evidence(header_text: str) -> Evidence | None:
    """A column header that marks its direction: "FID ↓", "PSNR (higher is better)". None where it marks none, or
    both (a header spanning two columns)."""
    lower, higher = _FLAG_LOWER.search(header_text), _FLAG_HIGHER.search(header_text)
    if bool(lower) == bool(higher):
        return None
    direction, mark = ("lower", lower) if lower else ("higher", higher)
    detail = f"the header {header_text.strip()!r} marks {direction} is better ({mark.group()!r})"
    return Evidence("flag", direction, detail)


def flag_evidence(lower_is_better: bool | None, source_label: str) -> Evidence | None:
    """A source's explicit flag (every-eval-ever's `lower_is_better`, a higher-is-better field negated)."""
    if lower_is_better is None:
        return None
    direction = "lower" if lower_is_better else "higher"
    return Evidence("flag", direction, f"{source_label} flags the metric {direction} is better")


def order_evidence(values_in_rank_order: Sequence[float | None], source_label: str) -> Evidence | None:
    """What a ranked listing says: rows are listed best first, so a clear order is the direction.

    Clear: at least 3 values, non-increasing (higher is better) or non-decreasing (lower is better) over the whole
    listing, first and last differing; ties allowed. Anything else says nothing. Rows without a value (None, NaN)
    are passed over: they rank nowhere.
    """
    values = [float(value) for value in values_in_rank_order if value is not None and math.isfinite(value)]
    if len(values) < MIN_ORDERED_ROWS or values[0] == values[-1]:
        return None
    if all(a >= b for a, b in pairwise(values)):
        direction, run = "higher", "descending"
    elif all(a <= b for a, b in pairwise(values)):
        direction, run = "lower", "ascending"
    else:
        return None
    shown = f"{len(values)} rows: {values[0]:g} .. {values[-1]:g}"
    return Evidence("order", direction, f"rows of {source_label} run {run} ({shown})")


def settled_evidence(task: str, dataset: str, metric: str) -> Evidence | None:
    """A person's settlement of this benchmark in directions.toml [settled], else of its metric ([settled_metrics])."""
    settled = _SETTLED.get((fold(task), fold(dataset), fold(metric)))
    if settled is not None:
        return Evidence("settled", settled["direction"], f"settled by hand in directions.toml: {settled['why']}")
    for_metric = _SETTLED_METRICS.get(fold(metric))
    if for_metric is not None:
        return Evidence("settled", for_metric["direction"], f"settled for every {metric!r} board: {for_metric['why']}")
    return None


Settlements = dict[tuple[str, str, str], Evidence]


class SettlementError(ValueError):
    """A settlements file that cannot be read; the message names the file and the entry."""


def parse_settlements(text: str, location: str) -> Settlements:
    """A user's own settlements, a TOML file in the form of directions.toml's [settled] table:
    `"task | dataset | metric" = { direction = "lower", why = "..." }`. Keys are spelling-blind."""
    try:
        table = tomllib.loads(text).get("settled", {})
    except tomllib.TOMLDecodeError as error:
        raise SettlementError(f"{location}: not TOML: {error}") from None
    settled: Settlements = {}
    for key, entry in table.items():
        parts = [part.strip() for part in key.split("|")]
        direction = entry.get("direction") if isinstance(entry, dict) else None
        why = entry.get("why") if isinstance(entry, dict) else None
        if len(parts) != 3 or not all(parts) or direction not in DIRECTIONS or not isinstance(why, str) or not why:
            raise SettlementError(
                f"{location}: [settled] {key!r}: expected \"task | dataset | metric\" = "
                f"{{ direction = \"higher\", \"lower\" or \"none\", why = \"...\" }}"
            )
        settled[tuple(fold(part) for part in parts)] = Evidence("settled", direction, f"settled in {location}: {why}")
    return settled


def decide_benchmark(
    task: str, dataset: str, metric: str, evidence: Iterable[Evidence], settlements: Settlements | None = None
) -> Decision:
    """`decide` for one benchmark, with what people settled for it: a user's settlements first, then the package's."""
    settled = (settlements or {}).get((fold(task), fold(dataset), fold(metric))) or settled_evidence(
        task, dataset, metric
    )
    return decide(metric, [*evidence, *([settled] if settled else [])])


# ---- the decision ----------------------------------------------------------------------------------------------------


def _said(evidence: list[Evidence]) -> str:
    return "; ".join(item.detail for item in evidence)


def _conflict(evidence: list[Evidence]) -> str | None:
    """Why the direction is unknown, where the evidence speaks for more than one direction."""
    if len({item.direction for item in evidence}) < 2:
        return None
    sides = " vs ".join(
        _said([item for item in evidence if item.direction == direction])
        for direction in DIRECTIONS
        if any(item.direction == direction for item in evidence)
    )
    return f"unknown: the evidence conflicts: {sides}"


def decide(metric: str, evidence: Iterable[Evidence]) -> Decision:
    """The direction of a benchmark whose metric is `metric`, from the evidence sources and people give (settled,
    flags, orders) and what the name says (read here, so no caller can forget it).

    Settled wins, then flags; then name and order: agreeing evidence decides, a descriptive name gives "none",
    conflicting or absent evidence gives "unknown" with the reason.
    """
    everything = dict.fromkeys([*evidence, *_name_reading(metric)])  # the same evidence twice counts once
    # in a fixed order (kind, then what it says), so the line that says why reads the same whatever order the
    # payloads giving the evidence were loaded in
    kept = tuple(sorted(everything, key=lambda item: (EVIDENCE_KINDS.index(item.kind), item.direction, item.detail)))
    settled, flags, orders, names = ([item for item in kept if item.kind == kind] for kind in EVIDENCE_KINDS)

    def decided(because: list[Evidence], *noted: Evidence) -> Decision:
        tail = f" (also seen: {_said(list(noted))})" if noted else ""
        return Decision(because[0].direction, kept, f"{because[0].direction}: {_said(because)}{tail}")

    if settled:
        return decided(settled[:1], *flags, *orders, *names)
    if flags:
        conflict = _conflict(flags)
        return Decision("unknown", kept, conflict) if conflict else decided(flags, *orders, *names)
    if [item.direction for item in names] == ["none"]:
        return decided(names, *orders)  # a description is not ranked, whatever order its column happens to show
    conflict = _conflict([*names, *orders])
    if conflict:
        return Decision("unknown", kept, conflict)
    if names or orders:
        return decided([*orders, *names])
    return Decision(
        "unknown",
        kept,
        f"unknown: no evidence: the name {metric!r} matches no term of the lexicon and no ranked listing of "
        f"{MIN_ORDERED_ROWS} rows or more runs in a clear order",
    )
