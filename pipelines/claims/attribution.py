"""Whose number a result is, in which setting, by which model, and the words that state it.

A number is a baseline (cited, not the paper's own) when it is the "from" side of "from A to B" or its clause holds a
comparison ("outperforming DeiT (81.8%)", "than the previous record of 83.1%") not followed by "we"/"our". The
setting (zero-shot, linear-probe, fine-tuned, ...) and the model are read nearest the number first, then further
out. The quote is the number's clause with its metric phrase and, when named nearby, its dataset: always an exact
substring of the abstract.
"""
from __future__ import annotations

import itertools
import re

from pipelines.claims.cues import COMPARISON, RESULT_VERB, RIGHT_STOP
from pipelines.claims.document import Abstract, Num, Side, Status
from pipelines.claims.tokens import Kind, Tok

_GAIN_WORD = re.compile(r"^(?:improv\w*|gains?|better|advantage|margin|lead|boost\w*)$")
_FIRST_PERSON = {"we", "our", "ours", "us"}

_SETTINGS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("zero-shot", re.compile(r"zero[- ]?shot", re.IGNORECASE)),
    ("linear-probe", re.compile(r"linear[- ](?:prob\w*|eval\w*|classifier\w*|protocol)|linear classification",
                                re.IGNORECASE)),
    ("frozen-encoder", re.compile(r"frozen\s+(?:\w+\s+)?(?:encoder|backbone|features|trunk|representations?|weights)",
                                  re.IGNORECASE)),
    ("few-shot", re.compile(r"few[- ]shot|\b(?:\d+|one|two|five|ten)[- ]shot|\b(?:\d+|one|two|five|ten)\s+"
                            r"(?:labell?ed\s+)?(?:examples?|images?|samples?|shots?)\s+per\s+class", re.IGNORECASE)),
    ("from-scratch", re.compile(
        r"from[- ]scratch|without\s+(?:any\s+)?(?:extra|external|additional)\s+(?:training\s+)?(?:data|images|labels)"
        r"|\bno\s+(?:extra|external|additional)\s+(?:training\s+)?(?:data|images)", re.IGNORECASE)),
    ("finetuned", re.compile(r"fine[- ]?tun\w*|finetun\w*", re.IGNORECASE)),
    ("ensemble", re.compile(r"\bensembl\w*", re.IGNORECASE)),
    ("single-model", re.compile(r"single[- ]model", re.IGNORECASE)),
)
# "1% of the labels" is semi-supervised training, not few-shot evaluation.
_LABEL_FRACTION = re.compile(r"\d+(?:\.\d+)?\s*\\?%\s+(?:of\s+(?:the\s+)?)?(?:labels|labell?ed)", re.IGNORECASE)

# Capitalised words that look like model names (two capitals, or a capital and a digit) but are not.
_MODEL_STOP = {
    "CNN", "CNNs", "GPU", "GPUs", "TPU", "TPUs", "CPU", "CPUs", "NLP", "SOTA", "FLOPs", "FLOPS", "GFLOPs", "MLP",
    "MLPs", "API", "ConvNet", "ConvNets", "RGB", "NAS", "ViTs", "AI", "ML", "SGD", "LR", "BN", "OOD", "SSL", "We",
    "Our", "In", "On", "For", "With", "By", "The", "This", "These", "Notably", "Moreover", "Furthermore",
    "Transformers", "Transformer", "MFLOPs", "TFLOPs", "LeViT's",
}
_MODEL_RE = re.compile(r"^(?=[A-Za-z][\w\-/.]{2})(?=(?:.*[A-Z]){2}|.*[A-Z].*\d|.*\d.*[A-Z])[\w\-/.]+$")
# Words that may follow a dataset's name and still belong to it in a quote ("ADE20K val", "COCO test-dev set").
_DATASET_TAIL = {"test", "val", "validation", "set", "dataset", "benchmark", "challenge", "task", "split",
                 "test-dev", "classification"}


# -- the number's clause -----------------------------------------------------------------------------------------

def scope_end(doc: Abstract, num: Num) -> int:
    """Token index (exclusive) where a number's clause ends on the right."""
    s1 = num.sent[1]
    depth = 0
    for k in range(num.i + 1, s1):
        t = doc.toks[k]
        if t.kind is Kind.PUNCT and t.text == "(":
            depth += 1
        elif t.kind is Kind.PUNCT and t.text == ")":
            depth -= 1
            if depth < 0:
                return k
        elif depth == 0 and t.kind is Kind.PUNCT and t.text in ",;":
            return k
        elif t.kind is Kind.WORD and RIGHT_STOP.match(t.low):
            return k
        elif doc.status_at(k) is Status.RESULT:
            return k
    return s1


def clause_start(doc: Abstract, num: Num) -> int:
    """Where the words of this number begin: its bracket, or the word after the "and"/"/" that joins it to an
    earlier result ("85.5% ... for fine-tuning and 80.1% ... for linear probing"), or its clause."""
    s0 = num.sent[0]
    start = doc.scope_start(num.i)
    paren = doc.enclosing_paren(num.i, s0)
    if paren is not None and paren >= start:
        return paren
    if _follows_result(doc, start, s0):
        for k in range(num.i - 1, start - 1, -1):
            t = doc.toks[k]
            if t.low in ("and", "or") or t.text in ("/", ","):
                return k + 1
    return start


def _follows_result(doc: Abstract, start: int, s0: int) -> bool:
    """Whether a clause starting at token `start` was cut off by an earlier result rather than by punctuation."""
    return start > s0 and (doc.toks[start - 1].kind is Kind.NUM or doc.toks[start - 1].text == ")")


def _results_before(doc: Abstract, num: Num) -> list[Num]:
    """The results before this number in its sentence, in the order of the text."""
    return [doc.nums[k] for k in range(num.sent[0], num.i) if doc.status_at(k) is Status.RESULT]


# -- whose number -------------------------------------------------------------------------------------------------

def is_baseline(doc: Abstract, num: Num) -> bool:
    """A cited number: the "from" side of "from A to B", or a number whose clause holds a comparison
    ("outperforming DeiT (81.8%)", "than the previous record of 83.1%") not followed by "we"/"our"."""
    if num.side is not None:
        return num.side is Side.FROM
    start = doc.scope_start(num.i)
    last_marker = None
    for k in range(start, num.i):
        t = doc.toks[k]
        if t.kind is Kind.WORD and (COMPARISON.match(t.low) or (
                t.low in ("over", "upon") and k > start and _GAIN_WORD.match(doc.toks[k - 1].low))):
            last_marker = k
    if last_marker is None:
        return False
    after = [doc.toks[k] for k in range(last_marker + 1, num.i)]
    if any(t.kind is Kind.WORD and t.low in _FIRST_PERSON for t in after):
        return False
    for a, b in itertools.pairwise(after):
        if a.low == "and" and b.kind is Kind.WORD and RESULT_VERB.match(b.low):
            return False
    return True


# -- which setting ------------------------------------------------------------------------------------------------

def setting(doc: Abstract, num: Num) -> str | None:
    """The setting named nearest to the number within its words; else one named earlier in the sentence before
    any other result ("Using an ensemble ...: reaching 4.9%"); else the setting of the result it is joined to."""
    s0, _ = num.sent
    start = clause_start(doc, num)
    end = scope_end(doc, num)
    a = doc.toks[start].start if start < num.i else num.tok.start
    b = doc.toks[end - 1].end if end - 1 > num.i else num.tok.end
    found = _nearest_setting(doc.text[a:num.tok.start], doc.text[num.tok.end:b])
    scope = doc.scope_start(num.i)
    if found is None and scope > s0 and not any(doc.status_at(k) is Status.RESULT for k in range(s0, scope)):
        found = _nearest_setting(doc.text[doc.toks[s0].start:doc.toks[scope].start], "")
    coordinated = num.metric.coordinated
    if found is None and (coordinated or _follows_result(doc, scope, s0)):
        before = _results_before(doc, num)
        if before:
            found = before[-1].setting
    if found is None and num.metric.antecedent is not None and coordinated:
        found = num.metric.antecedent.setting
    return found


def _nearest_setting(left: str, right: str) -> str | None:
    best: tuple[int, str] | None = None
    fraction = bool(_LABEL_FRACTION.search(left + " " + right))
    for name, pattern in _SETTINGS:
        if name == "few-shot" and fraction:
            continue
        for m in pattern.finditer(left):
            d = len(left) - m.end()
            if best is None or d < best[0]:
                best = (d, name)
        for m in pattern.finditer(right):
            d = m.start()
            if best is None or d < best[0]:
                best = (d, name)
    return best[1] if best else None


# -- which model --------------------------------------------------------------------------------------------------

def _model_like(t: Tok) -> bool:
    return t.kind is Kind.WORD and t.text not in _MODEL_STOP and bool(_MODEL_RE.match(t.text)) \
        and not t.text.lower().startswith(("state-of", "top-", "single-", "multi-", "pre-", "self-", "semi-"))


def model(doc: Abstract, num: Num) -> str | None:
    """The model a number belongs to: a model-like name in its own words, else after "with"/"using" to its right,
    else in its clause, else the model of the result it follows in the same sentence, else the nearest name before
    it in the sentence (not one being compared with), else the name a short title gives the paper. A baseline gets
    only a name from its own clause."""
    s0, _ = num.sent
    own = clause_start(doc, num)
    start = doc.scope_start(num.i)
    for k in range(own, num.i):
        if _model_like(doc.toks[k]):
            return doc.toks[k].text
    end = scope_end(doc, num)
    for k in range(num.i + 1, end):
        if doc.toks[k].kind is Kind.WORD and doc.toks[k].low in ("with", "using", "by"):
            for m in range(k + 1, min(k + 6, end)):
                if _model_like(doc.toks[m]):
                    return doc.toks[m].text
    for k in range(start, own):
        if _model_like(doc.toks[k]):
            return doc.toks[k].text
    if num.is_baseline:
        return None
    earlier = [n for n in _results_before(doc, num) if not n.is_baseline]
    if earlier and earlier[-1].model is not None:
        return earlier[-1].model
    for k in range(start - 1, s0 - 1, -1):
        if _model_like(doc.toks[k]) and not any(
                t.kind is Kind.WORD and (COMPARISON.match(t.low) or RIGHT_STOP.match(t.low))
                for t in doc.words_before(k, s0, 5)):
            return doc.toks[k].text
    return model_from_title(doc.title)


def model_from_title(title: str) -> str | None:
    """ "CoCa: Contrastive Captioners ..." -> "CoCa"; "...: FixEfficientNet" -> "FixEfficientNet"; "Mask R-CNN"."""
    parts = [p.strip() for p in title.split(":")]
    if len(parts) > 1:
        if 0 < len(parts[0].split()) <= 3:
            return parts[0]
        tail = parts[-1]
        if 0 < len(tail.split()) <= 3 and any(_MODEL_RE.match(w) for w in tail.split()):
            return tail
        return None
    words = title.split()
    return title.strip() if 0 < len(words) <= 3 and any(_MODEL_RE.match(w) for w in words) else None


# -- which words --------------------------------------------------------------------------------------------------

def quote(doc: Abstract, num: Num) -> str:
    """The words that state the claim: the number's clause (from its bracket, or from the word after the
    "and"/"/" that joins it to an earlier result), its metric phrase and its dataset when named nearby."""
    s1 = num.sent[1]
    start = clause_start(doc, num)
    while start < num.i and doc.toks[start].kind is Kind.PUNCT and doc.toks[start].text in ",;:/":
        start += 1
    a = doc.toks[start].start if start < num.i else num.tok.start
    b = num.tok.end
    if doc.text[b:b + 1] == "$":
        b += 1
    for k in (num.metric.first, num.metric.last):
        if k is not None:
            a, b = min(a, doc.toks[k].start), max(b, doc.toks[k].end)
    if num.metric.antecedent is not None:
        end = scope_end(doc, num)
        if end - 1 > num.i:
            b = max(b, doc.toks[end - 1].end)
    a, b = _with_dataset(doc, num, a, b)
    if doc.text[a:b].count("(") > doc.text[a:b].count(")"):
        close = doc.text.find(")", b)
        if close != -1 and close < doc.toks[s1 - 1].end:
            b = close + 1
    return doc.text[a:b].strip().rstrip(".,;:").rstrip()


def _with_dataset(doc: Abstract, num: Num, a: int, b: int) -> tuple[int, int]:
    """The character span [a, b) of a quote widened to the dataset's name, where it is named in the sentence and
    belongs with the number: after it (with "val", "test set", ...), before its bracket, or heading the sentence
    ("On CIFAR-10 itself, NASNet achieves 2.4% error rate")."""
    s0, s1 = num.sent
    ds = num.dataset.tok
    if ds is None or not s0 <= ds < s1:
        return a, b
    if ds > num.i:
        last = ds
        while last + 1 < s1 and doc.toks[last + 1].low in _DATASET_TAIL:
            last += 1
        return a, max(b, doc.toks[last].end)
    if doc.toks[ds].start >= a:
        return a, b
    if ds == doc.bracket_dataset(num.i):
        return doc.toks[ds].start, b
    if doc.prev(ds, s0) == s0 and doc.toks[s0].low in ("on", "for", "in") and not any(
            doc.status_at(k) is Status.RESULT for k in range(ds, num.i)):
        return doc.toks[s0].start, b
    return a, b
