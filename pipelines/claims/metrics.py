"""What a candidate number measures: the metric phrase next to it, or the metric of the result it continues.

A number next to a metric phrase takes it ("84.3% top-1 accuracy", "top-1 accuracy of 90.2%", "GLUE score to
80.5%", "(top-5: 98.0%)"). Values joined by "/", "," or "and" share the phrase after the last one ("83.9% / 96.6%
top-5", "63.1/54.4 box/mask mAP"). The "to" side of "from 61.0% to 83.7%" takes the metric of the "from" side. A bare
percentage in a result position (after "achieves", coordinated with a result as in "and 79.8%", "DATASET (98.8%)",
or cited in a comparison as in "outperforming DeiT (81.8%)") takes its metric from the result before it. Anything
else is not a result.

Each reading is returned as a `MetricReading`; `canonical_metric` turns a reading and its dataset into the label of
the gold files (`top1_accuracy`, `box_AP`, `error_unspecified`, ...).
"""
from __future__ import annotations

import enum
import itertools
import re
from typing import NamedTuple

from pipelines.claims.cues import COMPARISON, RESULT_VERB
from pipelines.claims.document import Abstract, DatasetBinding, MetricReading, Num, Side, Status
from pipelines.claims.tokens import Kind
from pipelines.claims.vocabulary import CLASSIFICATION, Role, bare_ap_is_box

# Words that sit between a number and its metric ("90.0 fine-tuning top-1 accuracy", "top-1 classification acc").
_MOD_WORDS = {
    "fine-tuning", "finetuning", "fine-tuned", "finetuned", "fine", "tuning", "tuned", "zero-shot", "zeroshot",
    "few-shot", "one-shot", "linear", "probing", "probe", "linear-probe", "linear-probing", "eval", "evaluation",
    "test", "testing", "validation", "val", "classification", "recognition", "single-crop", "center-crop",
    "single", "crop", "image", "video", "transfer", "knn", "k-nn", "frozen", "average", "averaged", "mean",
    "overall", "ensemble", "semi-supervised", "self-supervised", "supervised", "unsupervised", "state-of-the-art",
    "new", "best", "final", "in-distribution", "clean", "top",
}
_AVERAGE_WORDS = {"average", "averaged", "mean", "overall"}
# Words between a metric and its number on the left ("accuracy of 90.2%", "F1 to 93.2", "top-5: 98.0%").
_LEFT_CONNECTORS = {
    "of", "to", "at", "is", "was", "be", "reaching", "reaches", "reached", "reach", "achieving", "up", "about",
    "around", "approximately", "nearly", "almost", "as", "high", "from", "date", "=", ":", "(", "roughly",
}
# Words that may follow a value whose metric is elsewhere; any other word says what the number counts.
_AFTER_BARE_VALUE = {"on", "in", "for", "at", "and", "or", "with", "while", "which", "when", "using", "by", "after",
                     "without", "as", "among", "over", "compared", "than", "respectively", "outperforming",
                     "surpassing", "establishing", "setting", "under", "from", "to", "only", "even", "across",
                     "within", "top", "of"}
_CHANGE_WORDS = {"gain", "gains", "improvement", "improvements", "increase", "boost", "drop", "decrease", "reduction",
                 "lift", "better", "higher", "lower", "worse"}
# The other half of a pair of qualifiers, for "83.9% / 96.6% top-5": the first value is top-1.
_OTHER_HALF = {"top1": "top5", "top5": "top1", "box": "mask", "mask": "box"}


class Phrase(NamedTuple):
    """A metric phrase found next to a number: its qualifiers and base, a dataset named inside it, the span of
    tokens that states the metric (`first` to `last`, the number excluded), and the modifiers read on the way."""

    quals: tuple[str, ...]
    base: str | None
    ds: int | None
    first: int | None
    last: int | None
    mods: tuple[str, ...]


class BarePosition(enum.Enum):
    """Why a bare percentage (no metric word next to it) reads as a result."""

    DATASET_BRACKET = "DATASET (98.8%)"
    COMPARISON = "outperforming DeiT (81.8%)"
    COORDINATED = "and 79.8%"
    RESULT_VERB = "achieves 79.8%"


def phrase_right(doc: Abstract, i: int, end: int) -> Phrase | None:
    """The metric phrase right after token i ("84.3% top-1 accuracy", "58.7 box AP", "80.1% ImageNet top-1")."""
    quals: list[str] = []
    base: str | None = None
    ds: int | None = None
    mods: list[str] = []
    last = None
    first = j = doc.next(i, end)
    steps = 0
    while j is not None and steps < 7:
        t = doc.toks[j]
        steps += 1
        if t.kind is Kind.MET:
            if t.quals and base is None:
                quals.extend(t.quals)
            last = j
            if t.base is not None:
                base = t.base
                break
        elif t.kind is Kind.DS and ds is None and t.role is not Role.MULTI:
            ds = j
        elif t.kind is Kind.WORD and t.low in _MOD_WORDS:
            mods.append(t.low)
        elif quals and ((t.kind is Kind.PUNCT and t.text in "/,") or (t.kind is Kind.WORD and t.low == "and")):
            k = doc.next(j, end)
            if k is not None and doc.toks[k].kind is Kind.MET and doc.toks[k].quals:
                j = k
                continue
            break
        else:
            break
        j = doc.next(j, end)
    if last is None:
        return None
    return Phrase(tuple(quals), base, ds if ds is None or ds < last else None, first, last, tuple(mods))


def phrase_left(doc: Abstract, i: int, start: int) -> Phrase | None:
    """The metric phrase before token i, joined to it by "of", "to", ":", "(", ... ("top-1 accuracy of 90.2%",
    "F1 on SQuAD to 93.2")."""
    j = doc.prev(i, start)
    hops = 0
    ds = None
    while j is not None:
        t = doc.toks[j]
        if (t.kind is Kind.WORD and t.low in _LEFT_CONNECTORS) or (t.kind is Kind.PUNCT and t.text in ":=("):
            hops += 1
            if hops > 4:
                return None
            j = doc.prev(j, start)
            continue
        if t.kind is Kind.DS and ds is None:
            k = doc.prev(j, start)
            if k is not None and doc.toks[k].kind is Kind.WORD and doc.toks[k].low in ("on", "in", "for"):
                ds = j
                j = doc.prev(k, start)
                continue
        break
    if j is None or doc.toks[j].kind is not Kind.MET:
        return None
    return _phrase_ending_at(doc, j, start, ds, doc.prev(i, start))


def _phrase_ending_at(doc: Abstract, j: int, start: int, ds: int | None, last: int | None) -> Phrase:
    """The metric phrase whose last metric token is j, read leftwards ("ImageNet top-1 / top-5 accuracy")."""
    quals: list[str] = []
    base = None
    mods: list[str] = []
    first = j
    while j is not None:
        t = doc.toks[j]
        if t.kind is Kind.MET:
            if t.base is not None:
                if base is not None:
                    break
                base = t.base
            quals[:0] = list(t.quals)
            first = j
        elif t.kind is Kind.DS and t.role is not Role.MULTI and ds is None:
            ds = j
            first = j
            break
        elif t.kind is Kind.WORD and t.low in _MOD_WORDS:
            mods.append(t.low)
            first = j
        elif t.kind is Kind.PUNCT and t.text == "," and mods:
            pass
        elif (t.text == "/" or t.low == "and") and quals:
            k = doc.prev(j, start)
            if k is None or doc.toks[k].kind is not Kind.MET or not doc.toks[k].quals:
                break
        else:
            break
        j = doc.prev(j, start)
    return Phrase(tuple(quals), base, ds, first, last, tuple(mods))


def _nearest_phrase_left(doc: Abstract, i: int, start: int) -> Phrase | None:
    """For "from A to B": the nearest metric before A, however many words away (up to eight)."""
    j = doc.prev(i, start)
    hops = 0
    while j is not None and hops < 8:
        t = doc.toks[j]
        if t.kind is Kind.MET and t.base is not None:
            quals = t.quals
            k = doc.prev(j, start)
            if not quals and k is not None and doc.toks[k].kind is Kind.MET and doc.toks[k].quals:
                quals = doc.toks[k].quals
            return Phrase(quals, t.base, None, j, doc.prev(i, start), ())
        j = doc.prev(j, start)
        hops += 1
    return None


def metric_groups(doc: Abstract, sent: tuple[int, int]) -> dict[int, MetricReading]:
    """Values joined only by "/", "," or "and" share the metric that follows the last one ("83.9% / 96.6% top-5",
    "63.1/54.4 box/mask mAP"): the reading of each, by token index."""
    s0, s1 = sent
    readings: dict[int, MetricReading] = {}
    for g in _joined_values(doc, sent):
        found = phrase_right(doc, g[-1], s1)
        if len(g) < 2 or found is None:
            continue
        if any(phrase_right(doc, k, s1) is not None or phrase_left(doc, k, s0) is not None for k in g[:-1]):
            continue  # each value has its own metric ("82.7% top-1 / 96.2% top-5" is read one by one)
        slashed = all(any(doc.toks[m].text == "/" for m in range(a + 1, b)) for a, b in itertools.pairwise(g))
        if len(found.quals) == len(g):
            assigned = [(q,) for q in found.quals]
        elif len(found.quals) == 1 and slashed:
            other = _OTHER_HALF.get(found.quals[0])
            assigned = [((other,) if other else ()) for _ in g[:-1]] + [found.quals]
        else:
            assigned = [found.quals for _ in g]
        average = any(w in _AVERAGE_WORDS for w in found.mods)
        for k, quals in zip(g, assigned):
            readings[k] = MetricReading(quals, found.base, first=found.first, last=found.last, ds=found.ds,
                                        average=average, coordinated=k != g[0])
    return readings


def _joined_values(doc: Abstract, sent: tuple[int, int]) -> list[list[int]]:
    """The candidates of a sentence in runs joined by "/", "," or "and" (at least one "/", "and" or "or")."""
    s0, s1 = sent
    groups: list[list[int]] = []
    for k in range(s0, s1):
        if doc.status_at(k) is not Status.CANDIDATE:
            continue
        if groups:
            between = [doc.toks[m] for m in range(groups[-1][-1] + 1, k) if not doc.skippable(m)]
            if between and all(t.text in ("/", ",") or t.low in ("and", "or") for t in between) \
                    and any(t.text == "/" or t.low in ("and", "or") for t in between):
                groups[-1].append(k)
                continue
        groups.append([k])
    return groups


def resolve_metric(doc: Abstract, num: Num, resolved: list[Num]) -> MetricReading | None:
    """A candidate's metric: the other side's of "from ... to", a phrase to its right or left, or (for a bare
    percentage in a result position) the metric of the previous result. None: not a result."""
    if num.side is Side.TO and num.partner is not None:
        return _partner_metric(num.partner)
    s0, s1 = num.sent
    right = phrase_right(doc, num.i, s1)
    left = phrase_left(doc, num.i, s0)
    if num.side is Side.FROM and right is None and left is None:
        left = _nearest_phrase_left(doc, num.i, s0)
    if right is None and left is not None and not num.tok.pct:
        k = doc.next(num.i, s1)
        if k is not None and doc.toks[k].kind is Kind.WORD and doc.toks[k].low not in _AFTER_BARE_VALUE:
            left = None  # "accuracy of 76 layers": the word after the number says what it counts
    if right is not None or left is not None:
        return _phrase_metric(doc, num, right, left, resolved)
    if num.tok.pct:
        return _bare_metric(doc, num, resolved)
    return None


def _partner_metric(partner: Num) -> MetricReading | None:
    """ "from 61.0% to 83.7%": the "to" side measures what the "from" side measures."""
    p = partner.metric
    if p is None or (p.base is None and not p.quals):
        return None
    return MetricReading(p.quals, p.base, first=p.first, last=p.last, ds=p.ds)


def _phrase_metric(doc: Abstract, num: Num, right: Phrase | None, left: Phrase | None,
                   resolved: list[Num]) -> MetricReading:
    """The reading of a number with a metric phrase on one side or both; the right one wins where both say."""
    phrases = [p for p in (right, left) if p is not None]
    quals = next((p.quals for p in phrases if p.quals), ())
    base = next((p.base for p in phrases if p.base), None)
    ds = next((p.ds for p in phrases if p.ds is not None), None)
    first = left.first if left is not None else right.first
    last = right.last if right is not None else left.last
    average = any(w in _AVERAGE_WORDS for p in phrases for w in p.mods)
    coordinated = False
    if base is None:
        base = _base_from_following(doc, num, last) or _base_from(resolved) or "accuracy"
    elif not quals and base in ("accuracy", "error"):
        # "(and 4.8% test error)" after "4.9% top-5 validation error": the qualifier carries over.
        ante = resolved[-1].metric if resolved else None
        j = doc.prev(num.i, num.sent[0])
        if ante is not None and resolved[-1].sent == num.sent and ante.base == base and ante.quals \
                and j is not None and (doc.toks[j].text in ("(", ",") or doc.toks[j].low in ("and", "or")):
            quals, coordinated = ante.quals, True
    return MetricReading(quals, base, first=first, last=last, ds=ds, average=average, coordinated=coordinated)


def _base_from_following(doc: Abstract, num: Num, last: int | None) -> str | None:
    """ "21.2% top-1 and 5.6% top-5 error": a qualifier without a base takes the next value's base."""
    s1 = num.sent[1]
    j = doc.next(last if last is not None else num.i, s1)
    while j is not None and (doc.toks[j].low in ("and", "or") or doc.toks[j].text in ",/"):
        j = doc.next(j, s1)
    if j is None or j not in doc.nums:
        return None
    found = phrase_right(doc, j, s1)
    return found.base if found else None


def _base_from(resolved: list[Num]) -> str | None:
    """ "(top-5: 98.0%)": a qualifier alone takes the base of the last result."""
    for r in reversed(resolved):
        if r.metric.base in ("accuracy", "error"):
            return r.metric.base
    return None


def _bare_metric(doc: Abstract, num: Num, resolved: list[Num]) -> MetricReading | None:
    """A bare percentage in a result position measures what the result before it measures; coordinated with it
    ("80.1% and 95.2%" after "top-1 and top-5 accuracies"), it takes the next of its qualifiers."""
    why = _bare_position(doc, num)
    if why is None or not resolved:
        return None
    ante = resolved[-1]
    a = ante.metric
    coordinated = why is BarePosition.COORDINATED
    qual_index = a.qual_index + 1 if coordinated and ante.sent == num.sent and len(a.quals) > a.qual_index + 1 else 0
    return MetricReading(a.quals, a.base, antecedent=ante, coordinated=coordinated, qual_index=qual_index)


def _bare_position(doc: Abstract, num: Num) -> BarePosition | None:
    """Why a bare percentage (no metric word next to it) reads as a result, if it does."""
    s0, s1 = num.sent
    i = num.i
    after = doc.next(i, s1)
    if after is not None and doc.toks[after].kind is Kind.WORD and doc.toks[after].low not in _AFTER_BARE_VALUE:
        return None  # "a 30% speedup", "30% sparsity": the word after says what the number counts
    j = doc.prev(i, s0)
    while j is not None and doc.toks[j].kind is Kind.WORD and doc.toks[j].low in (
            "up", "to", "about", "around", "nearly", "approximately"):
        j = doc.prev(j, s0)
    before = doc.toks[j] if j is not None else None
    words = [doc.toks[k] for k in range(doc.scope_start(i), i)]
    if doc.bracket_dataset(i) is not None:
        return BarePosition.DATASET_BRACKET
    compared = any(w.kind is Kind.WORD and COMPARISON.match(w.low) for w in words)
    if compared and before is not None and (
            before.text in ("(", ",") and doc.enclosing_paren(i, s0) is not None or before.low == "of"):
        return BarePosition.COMPARISON
    earlier_result = any(doc.status_at(k) is Status.RESULT for k in range(s0, i))
    if before is not None and (before.text in (",", "/", "(") or before.low in ("and", "or")) and earlier_result:
        return BarePosition.COORDINATED
    if any(w.kind is Kind.WORD and RESULT_VERB.match(w.low) for w in words):
        return BarePosition.RESULT_VERB
    return None


def delta_after_metric(doc: Abstract, num: Num, reading: MetricReading) -> bool:
    """ "1.5% top-1 accuracy gain": a delta whose change word comes after the metric."""
    if reading.last is None or reading.last < num.i:
        return False
    j = doc.next(reading.last, num.sent[1])
    return j is not None and doc.toks[j].kind is Kind.WORD and doc.toks[j].low in _CHANGE_WORDS


def canonical_metric(reading: MetricReading, dataset: DatasetBinding) -> str:
    """The gold files' label of a metric. A bare "accuracy" on an image-classification set is top-1; a bare "error"
    on ImageNet-1K stays `error_unspecified` (ILSVRC reported top-5 error, so it is ambiguous), on other
    classification sets it is top-1; a bare AP on a detection set is box AP."""
    q = reading.qualifier
    base = reading.base or "accuracy"
    classification = CLASSIFICATION in dataset.families
    if base == "accuracy":
        if q in ("top1", "top5"):
            return f"{q}_accuracy"
        return "top1_accuracy" if classification else "accuracy"
    if base == "error":
        if q in ("top1", "top5"):
            return f"{q}_error"
        if dataset.label == "ImageNet-1K":
            return "error_unspecified"
        return "top1_error" if classification else "error"
    if base in ("AP", "mAP", "AP50", "AP75"):
        if q in ("box", "mask"):
            return f"{q}_{base}"
        return f"box_{base}" if bare_ap_is_box(dataset.label) else base
    if base == "score":
        return f"{re.sub(r'[^a-z0-9]+', '_', dataset.label.lower()).strip('_')}_score" if dataset.label else "score"
    return base
