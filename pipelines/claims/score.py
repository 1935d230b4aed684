"""Precision, recall and F1 of extracted claims against a labelled gold file, and every miss and false hit.

The gold file is JSON lines, one abstract a line (`arxiv_id`, `title`, `abstract`, `claims`; the labels are described
in the gold folder's PROVENANCE.txt). A claim counts by its key (arxiv_id, dataset, metric, value), micro-averaged
over the whole file, for the paper's own claims only: numbers labelled `is_baseline` in the gold, and numbers the
extractor marks as baselines, are left out of both sides. Two scopes are scored: ImageNet-1K top-1/top-5 claims
(dataset `ImageNet-1K`, metric top-1/top-5 accuracy or error) and all claims.

Pure: `parse_gold` takes the text of the file, `score_claims` takes parsed gold and predicted claims.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pipelines.claims.extract import Claim

IMAGENET = "ImageNet-1K"
TOPK_METRICS = frozenset({"top1_accuracy", "top5_accuracy", "top1_error", "top5_error"})
SCOPE_IMAGENET = "ImageNet-1K top-1/top-5"
SCOPE_ALL = "all claims"


class GoldFileError(ValueError):
    """The gold file cannot be read as labelled abstracts; the message names the line and what is wrong."""


@dataclass(frozen=True)
class GoldClaim:
    dataset: str
    metric: str
    value: float
    is_baseline: bool
    quote: str


@dataclass(frozen=True)
class GoldPaper:
    arxiv_id: str
    title: str
    abstract: str
    claims: tuple[GoldClaim, ...]


Key = tuple[str, str, str, float]


def claim_key(arxiv_id: str, dataset: str, metric: str, value: float) -> Key:
    return (arxiv_id, dataset, metric, round(float(value), 4))


def in_imagenet_scope(key: Key) -> bool:
    return key[1] == IMAGENET and key[2] in TOPK_METRICS


SCOPES: dict[str, Callable[[Key], bool]] = {
    SCOPE_IMAGENET: in_imagenet_scope,
    SCOPE_ALL: lambda key: True,
}


@dataclass(frozen=True)
class Score:
    gold: int
    predicted: int
    true_positives: int

    @property
    def false_positives(self) -> int:
        return self.predicted - self.true_positives

    @property
    def false_negatives(self) -> int:
        return self.gold - self.true_positives

    @property
    def precision(self) -> float:
        return self.true_positives / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.gold if self.gold else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(frozen=True)
class Miss:
    """A gold claim the extractor did not produce; `extracted_instead` lists own claims of the same paper and value."""

    key: Key
    quote: str
    extracted_instead: tuple[Claim, ...] = ()


@dataclass(frozen=True)
class FalseHit:
    """An extracted own claim that is not in the gold; `gold_note` says when the gold has it as a baseline."""

    key: Key
    claim: Claim
    gold_note: str | None = None


@dataclass(frozen=True)
class ScoreReport:
    scores: dict[str, Score]
    misses: tuple[Miss, ...] = field(default_factory=tuple)
    false_hits: tuple[FalseHit, ...] = field(default_factory=tuple)


def json_objects(text: str, location: str, error: type[Exception]) -> Iterable[tuple[str, dict]]:
    """(`file:line`, object) for every non-blank line of a JSON-lines text; `error` names the first bad line."""
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{location}:{number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise error(f"{where}: not valid JSON ({exc.msg})") from None
        if not isinstance(record, dict):
            raise error(f"{where}: expected a JSON object")
        yield where, record


def parse_gold(text: str, location: str = "<gold>") -> list[GoldPaper]:
    """Labelled abstracts from the text of a JSON-lines gold file; raises `GoldFileError` naming the bad line."""
    papers: list[GoldPaper] = []
    for where, record in json_objects(text, location, GoldFileError):
        papers.append(_gold_paper(record, where))
    if not papers:
        raise GoldFileError(f"{location}: no labelled abstracts in the file")
    return papers


def _gold_paper(record: Mapping[str, Any], where: str) -> GoldPaper:
    for name in ("arxiv_id", "title", "abstract"):
        if not isinstance(record.get(name), str):
            raise GoldFileError(f"{where}: field {name!r} missing or not a string")
    raw_claims = record.get("claims")
    if not isinstance(raw_claims, list):
        raise GoldFileError(f"{where}: field 'claims' missing or not a list")
    claims = []
    for n, raw in enumerate(raw_claims, start=1):
        if not isinstance(raw, dict):
            raise GoldFileError(f"{where}: claim {n} is not an object")
        dataset = raw.get("dataset_canonical", raw.get("dataset"))
        metric, value = raw.get("metric"), raw.get("value")
        if not isinstance(dataset, str) or not isinstance(metric, str):
            raise GoldFileError(f"{where}: claim {n} lacks a dataset or metric name")
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise GoldFileError(f"{where}: claim {n} has a non-numeric value {value!r}")
        claims.append(GoldClaim(dataset, metric, float(value), bool(raw.get("is_baseline", False)),
                                str(raw.get("quote") or "")))
    return GoldPaper(record["arxiv_id"], record["title"], record["abstract"], tuple(claims))


def score_claims(gold: Sequence[GoldPaper], predicted: Iterable[Claim]) -> ScoreReport:
    """Micro precision/recall/F1 of the paper's own claims per scope, with every miss and false hit."""
    gold_own: dict[Key, GoldClaim] = {}
    gold_baseline: set[Key] = set()
    for paper in gold:
        for c in paper.claims:
            key = claim_key(paper.arxiv_id, c.dataset, c.metric, c.value)
            if c.is_baseline:
                gold_baseline.add(key)
            else:
                gold_own.setdefault(key, c)
    predicted_own: dict[Key, Claim] = {}
    for claim in predicted:
        if claim.is_baseline:
            continue
        key = claim_key(claim.arxiv_id or "", claim.dataset, claim.metric, claim.value)
        predicted_own.setdefault(key, claim)
    scores = {}
    for name, within in SCOPES.items():
        g = {k for k in gold_own if within(k)}
        p = {k for k in predicted_own if within(k)}
        scores[name] = Score(gold=len(g), predicted=len(p), true_positives=len(g & p))
    misses = tuple(
        Miss(key, gold_own[key].quote,
             tuple(c for k, c in predicted_own.items() if k[0] == key[0] and k[3] == key[3]))
        for key in _ordered(gold_own, gold) if key not in predicted_own)
    false_hits = tuple(
        FalseHit(key, predicted_own[key], "the gold marks this number as a baseline" if key in gold_baseline else None)
        for key in _ordered(predicted_own, gold) if key not in gold_own)
    return ScoreReport(scores, misses, false_hits)


def _ordered(keys: Iterable[Key], gold: Sequence[GoldPaper]) -> list[Key]:
    """Keys in the order of the gold file, then of value, so that reports are stable."""
    rank = {paper.arxiv_id: n for n, paper in enumerate(gold)}
    return sorted(keys, key=lambda k: (rank.get(k[0], len(rank)), k[0], k[3], k[1], k[2]))


def format_report(report: ScoreReport) -> str:
    """The score table, then every miss and every false hit, as plain text."""
    lines = [f"{'scope':<26}{'gold':>6}{'pred':>6}{'tp':>5}{'fp':>5}{'fn':>5}{'precision':>11}{'recall':>8}{'f1':>8}"]
    for name, s in report.scores.items():
        lines.append(f"{name:<26}{s.gold:>6}{s.predicted:>6}{s.true_positives:>5}{s.false_positives:>5}"
                     f"{s.false_negatives:>5}{s.precision:>11.3f}{s.recall:>8.3f}{s.f1:>8.3f}")
    lines.append("")
    lines.append(f"misses ({len(report.misses)}):")
    for m in report.misses:
        scope = " [ImageNet top-k]" if in_imagenet_scope(m.key) else ""
        lines.append(f"  {_key_text(m.key)}{scope}  gold quote: {m.quote!r}")
        for c in m.extracted_instead:
            lines.append(f"      extracted instead: {c.dataset} / {c.metric} / {_value_text(c.value)}")
    lines.append(f"false hits ({len(report.false_hits)}):")
    for f in report.false_hits:
        scope = " [ImageNet top-k]" if in_imagenet_scope(f.key) else ""
        note = f"  ({f.gold_note})" if f.gold_note else ""
        lines.append(f"  {_key_text(f.key)}{scope}  quote: {f.claim.quote!r}{note}")
    return "\n".join(lines)


def _key_text(key: Key) -> str:
    return f"{key[0]}  {key[1]} / {key[2]} / {_value_text(key[3])}"


def _value_text(value: float) -> str:
    return f"{value:g}"
