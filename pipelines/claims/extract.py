"""Benchmark-result claims read from an arXiv abstract: a pure, rule-based extractor, explainable by its quote.

`extract_claims(title, abstract)` returns every number the abstract states as a result on a named benchmark
("84.3% top-1 accuracy on ImageNet", "58.7 box AP ... on COCO test-dev", "(top-5: 98.0%)"), with the dataset and
metric in the canonical names of the labelled gold files (`ImageNet-1K`, `top1_accuracy`, `COCO test-dev`,
`box_AP`, ...), the evaluation setting, the model when one is named, whether the number is the paper's own or a
baseline it cites, and the exact quote (a substring of the abstract) it came from.

The passes, each in its own module:

1. Tokens (`tokens.py`, with the names of `vocabulary.toml`): dataset names with their spelling variants
   (ILSVRC-2012, ImageNet-1k, ImageNet val are ImageNet-1K), metric phrases, numbers (with `%`, `\\%` or "percent"),
   URLs, words and punctuation, each with its span in the text; sentences.
2. What each number is (`numbers.py`): a quantity, a delta, or a candidate result.
3. The candidates in the order of the text, each leaning on the results before it: its metric (`metrics.py`), then
   its dataset (`datasets.py`), then whether it is a baseline (`attribution.py`). A candidate without either, or an
   average over several test sets, is not a claim.
4. What needs the final reading of the numbers after it (`attribution.py`): its setting, model and quote.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from pipelines.claims.attribution import is_baseline, model, quote, setting
from pipelines.claims.datasets import resolve_dataset, respectively
from pipelines.claims.document import Abstract, MetricReading, Num, Side, Status
from pipelines.claims.metrics import canonical_metric, delta_after_metric, metric_groups, resolve_metric
from pipelines.claims.numbers import classify, from_to_pairs


@dataclass(frozen=True)
class Claim:
    """One benchmark number stated in an abstract. `quote` is an exact substring of the abstract."""

    arxiv_id: str | None
    dataset: str
    metric: str
    value: float
    unit: str | None
    setting: str | None
    model: str | None
    is_baseline: bool
    quote: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def extract_claims(title: str, abstract: str, arxiv_id: str | None = None) -> list[Claim]:
    """Every benchmark result stated in an abstract, in the order of the text (see the module docstring)."""
    doc = Abstract(title or "", abstract or "")
    for num in doc.nums.values():
        num.status = classify(doc, num)
    results = _read_results(doc)
    claims: list[Claim] = []
    for num in results:
        num.setting = setting(doc, num)
        num.model = model(doc, num)
        claims.append(Claim(
            arxiv_id=arxiv_id, dataset=num.dataset.label, metric=canonical_metric(num.metric, num.dataset),
            value=num.tok.value, unit="%" if num.tok.pct else None, setting=num.setting, model=num.model,
            is_baseline=num.is_baseline, quote=quote(doc, num)))
    return _dedupe(claims)


def _read_results(doc: Abstract) -> list[Num]:
    """Every candidate's metric, dataset and owner, in the order of the text; the results, in that order."""
    grouped: dict[int, MetricReading] = {}
    for sent in doc.sents:
        grouped.update(metric_groups(doc, sent))
    candidates = [n for n in doc.nums.values() if n.status is Status.CANDIDATE]
    # A value that shares a grouped metric ("83.9% / 96.6% top-5") has its reading already: it opens no pair.
    for a, b in from_to_pairs(doc, [n for n in candidates if n.i not in grouped]):
        a.side, a.partner, b.side, b.partner = Side.FROM, b, Side.TO, a
    results: list[Num] = []
    for num in candidates:
        num.metric = reading = grouped.get(num.i) or resolve_metric(doc, num, results)
        if reading is None:
            num.status = Status.NOT_RESULT
        elif delta_after_metric(doc, num, reading):
            num.status = Status.DELTA
        elif reading.average or (binding := resolve_dataset(doc, num, results)) is None:
            num.status = Status.NOT_RESULT
        else:
            num.dataset = binding
            num.is_baseline = is_baseline(doc, num)
            num.status = Status.RESULT
            results.append(num)
    # "2.86% and 15.85% on CIFAR-10 and CIFAR-100 respectively" rebinds values already bound one by one.
    for sent in doc.sents:
        for num, binding in respectively(doc, sent, results):
            num.dataset = binding
    return results


def _dedupe(claims: list[Claim]) -> list[Claim]:
    """A number stated twice on one benchmark (in a result and again in a summary) is one claim: the first."""
    seen, out = set(), []
    for c in claims:
        key = (c.dataset, c.metric, c.value, c.is_baseline)
        if key not in seen:
            seen.add(key)
            out.append(c)
    return out
