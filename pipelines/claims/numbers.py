"""What a number in an abstract is before anything else is known: a quantity, a delta, or a candidate result.

Quantities are sizes and counts (a letter right after the number as in 13M, 8.4x, 2nd; years; ranges; "% of the
labels"; parameters, images, layers ...). Deltas are differences between results ("+1.2", "by 4.0%", "1.6% better",
"a relative improvement of ~25%", "(absolute 7.8%)"). Everything else may be a result, and is read further. This
module also pairs the two sides of "from 61.0% to 83.7%".
"""
from __future__ import annotations

import re

from pipelines.claims.document import Abstract, Num, Status
from pipelines.claims.tokens import Kind, Tok

_DELTA_AFTER = {
    "better", "higher", "lower", "worse", "more", "less", "fewer", "improvement", "improvements", "gain", "gains",
    "increase", "increases", "boost", "reduction", "decrease", "drop", "drops", "faster", "slower", "smaller",
    "larger", "bigger", "absolute", "relative", "point", "points", "pp", "margin", "lift", "jump", "improved",
}
_DELTA_BEFORE = {
    "improvement", "improvements", "gain", "gains", "increase", "increases", "boost", "boosts", "reduction",
    "reductions", "decrease", "drop", "drops", "margin", "absolute", "relative", "lead", "advantage", "jump",
    "difference", "degradation", "loss",
}
_DELTA_FILLERS = {"of", "a", "an", "the", "up", "to", "about", "around", "nearly", "almost", "roughly", "over",
                  "approximately", "more", "than", "at", "least", "large", "average", "only", "just"}
_PERCENT_NOT_RESULT = {"of", "labels", "labeled", "labelled", "label", "data", "masking", "mask", "masked",
                       "sparsity", "subset", "training", "sampling", "pruning", "compression", "dropout"}
_QUANTITY_BEFORE = {"ratio", "rate", "masking", "mask", "fraction", "proportion", "sparsity", "dropout"}
# Words after a number that make it a size, not a result ("(224 size)", "at 384 resolution").
_QUANTITY_AFTER = {"times", "fold", "million", "billion", "thousand", "size", "resolution", "px", "pixels", "crops",
                   "layers", "parameters", "params", "images", "examples", "classes", "categories", "epochs", "steps",
                   "days", "hours", "gpus", "tpus", "samples", "tokens", "models", "tasks", "datasets", "benchmarks"}


def classify(doc: Abstract, num: Num) -> Status:
    """QUANTITY, DELTA or CANDIDATE, from the characters around the number, then from the words around it."""
    return _by_its_characters(doc, num) or _by_its_words(doc, num)


def _by_its_characters(doc: Abstract, num: Num) -> Status | None:
    t, text = num.tok, doc.text
    if not t.pct:
        if text[t.end:t.end + 1].isalpha():
            return Status.QUANTITY  # 13M, 8.4x, 2nd, 78ms
        if re.fullmatch(r"(?:19|20)\d\d", t.text):
            return Status.QUANTITY  # a year
    rest = text[t.end:]
    if re.match(r"\s*[-–—]\s*\$?\d", rest) or re.match(r"-[A-Za-z]", rest):
        return Status.QUANTITY  # a range (16-19) or a compound (16-layer, 557-million-parameter)
    if re.match(r"\s*(?:\$?\\times|×|[xX]\b)", rest):
        return Status.QUANTITY
    before = text[:t.start].rstrip(" $~")
    if before.endswith(("+", "±")):
        return Status.DELTA
    if re.search(r"\d\s*\\?%?\s*[-–—]$", before):
        return Status.QUANTITY  # second end of a range
    return None


def _by_its_words(doc: Abstract, num: Num) -> Status:
    s0, s1 = num.sent
    left = doc.words_before(num.i, s0, 6)
    right = doc.words_after(num.i, s1, 2)
    first_left = left[0].low if left and left[0].kind is Kind.WORD else None
    first_right = right[0].low if right and right[0].kind is Kind.WORD else None
    if _delta_before(left) or first_right in _DELTA_AFTER:
        return Status.DELTA
    if num.tok.pct and (first_right in _PERCENT_NOT_RESULT or first_left in _QUANTITY_BEFORE):
        return Status.QUANTITY  # 1% of the labels, 75% masking, a masking ratio of 75%
    if first_right in _QUANTITY_AFTER:
        return Status.QUANTITY
    if first_left == "within":
        return Status.DELTA  # "within 0.3% mAP of AutoAugment"
    return Status.CANDIDATE


def _delta_before(left: list[Tok]) -> bool:
    """ "by 4.0%", "by up to 1%", "improvement of 28%", "absolute 7.8%", "a relative improvement of ~25%": a
    change word before the number, with only fillers between."""
    for w in left:
        if w.kind is not Kind.WORD:
            return False
        if w.low == "by" or w.low in _DELTA_BEFORE:
            return True
        if w.low not in _DELTA_FILLERS:
            return False
    return False


def from_to_pairs(doc: Abstract, candidates: list[Num]) -> list[tuple[Num, Num]]:
    """ "from 61.0% to 83.7%": (the number after "from", the number after "to") for each such pair of candidates."""
    pairs = []
    for num in candidates:
        s0, s1 = num.sent
        before = doc.prev(num.i, s0)
        nxt = doc.next(num.i, s1)
        after_to = doc.next(nxt, s1) if nxt is not None else None
        if before is not None and doc.toks[before].low == "from" and nxt is not None and doc.toks[nxt].low == "to" \
                and doc.status_at(after_to) is Status.CANDIDATE:
            pairs.append((num, doc.nums[after_to]))
    return pairs
