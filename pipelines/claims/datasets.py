"""Which dataset a result is on.

In this order: the dataset inside its metric phrase; "DATASET (number)"; the first evaluation dataset to its right
before a comparison ("outperforming", "than", ...) or the clause's end; the nearest one to its left in the sentence;
the dataset of the result it continues, or of the previous result; the nearest earlier mention in the abstract; a
mention in the title. Pre-training corpora (ImageNet-21K/22K, JFT, Instagram, LAION, ...) are never evaluation sets,
and a dataset must suit the metric (mIoU never lands on COCO detection, top-1 never on ADE20K). A result with no
dataset is not a claim. "2.86% and 15.85% on CIFAR-10 and CIFAR-100 respectively" pairs values and datasets in order.
"""
from __future__ import annotations

from pipelines.claims.cues import RIGHT_STOP
from pipelines.claims.document import Abstract, DatasetBinding, Num, Side, Status
from pipelines.claims.tokens import Kind, Tok
from pipelines.claims.vocabulary import Role, families_measured, find_datasets

_DATASET_PREPOSITIONS = {"on", "in", "for", "of", "at", "across", "the", "using", "over"}


def _fits(tok: Tok, families: frozenset[str] | None) -> bool:
    return tok.role is Role.EVAL and (families is None or bool(tok.families & families))


def _suits(binding: DatasetBinding | None, families: frozenset[str] | None) -> bool:
    return binding is not None and bool(binding.label) and (families is None or bool(binding.families & families))


def _bound_to(doc: Abstract, k: int) -> DatasetBinding:
    t = doc.toks[k]
    return DatasetBinding(t.label, t.families, k)


def resolve_dataset(doc: Abstract, num: Num, resolved: list[Num]) -> DatasetBinding | None:
    """The dataset of a number whose metric is read, in the order the module docstring lists. None: none fits."""
    fam = families_measured(num.metric.base)
    k = _dataset_in_sentence(doc, num, fam)
    if k is not None:
        return _bound_to(doc, k)
    antecedent = num.metric.antecedent
    if antecedent is not None and _suits(antecedent.dataset, fam):
        return DatasetBinding(antecedent.dataset.label, antecedent.dataset.families)
    for r in reversed(resolved):
        if _suits(r.dataset, fam):
            return DatasetBinding(r.dataset.label, r.dataset.families)
    for k in range(num.sent[0] - 1, -1, -1):
        t = doc.toks[k]
        if t.kind is Kind.DS and _fits(t, fam):
            return DatasetBinding(t.label, t.families)
    for _, name in find_datasets(doc.title):
        if name.role is Role.EVAL and (fam is None or name.families & fam):
            return DatasetBinding(name.label, name.families)
    return None


def _dataset_in_sentence(doc: Abstract, num: Num, fam: frozenset[str] | None) -> int | None:
    """The token of a fitting dataset named in the number's own sentence: in its metric phrase or just before its
    bracket (for the "to" side of "from ... to", first where the "from" side's is), then to its right, then to its
    left."""
    candidates = [num.metric.ds, doc.bracket_dataset(num.i)]
    if num.side is Side.TO and num.partner is not None and num.partner.dataset is not None \
            and num.partner.dataset.tok is not None:
        candidates.insert(0, num.partner.dataset.tok)
    for k in candidates:
        if k is not None and _fits(doc.toks[k], fam):
            return k
    k = _scan_right(doc, num, fam)
    if k is not None:
        return k
    first = num.metric.first
    start = first if first is not None and first < num.i else num.i
    for k in range(start - 1, num.sent[0] - 1, -1):
        t = doc.toks[k]
        if t.kind is Kind.DS and _fits(t, fam):
            return k
    return None


def _scan_right(doc: Abstract, num: Num, fam: frozenset[str] | None) -> int | None:
    """The first fitting evaluation dataset after the number, before its bracket closes, a ";", a comparison
    ("outperforming", "than", ...) or a metric of another kind."""
    s0, s1 = num.sent
    start = max(num.i, num.metric.last or num.i)
    paren = doc.enclosing_paren(num.i, s0)
    if paren is not None:
        close = doc.closing_paren(paren, s1)
        # "(87.8%)" right after a metric is transparent: read on after the bracket.
        inner = [k for k in range(paren + 1, close if close is not None else s1) if not doc.skippable(k)]
        if close is not None and inner == [num.i]:
            start = close
    depth = 0
    for k in range(start + 1, s1):
        t = doc.toks[k]
        if t.kind is Kind.PUNCT:
            if t.text == "(":
                depth += 1
            elif t.text == ")":
                if depth == 0:
                    return None
                depth -= 1
            elif t.text == ";":
                return None
        elif t.kind is Kind.WORD and RIGHT_STOP.match(t.low):
            return None
        elif t.kind is Kind.MET and t.base is not None and fam is not None and not _measured_on(t.base, fam):
            return None
        elif t.kind is Kind.DS and _fits(t, fam) and not _heads_next_result(doc, k, s1):
            return k
    return None


def _measured_on(base: str, fam: frozenset[str]) -> bool:
    measured = families_measured(base)
    return measured is None or bool(measured & fam)


def _heads_next_result(doc: Abstract, k: int, end: int) -> bool:
    """A dataset named after "and" or a comma and followed by its own metric or value ("..., and SQuAD v2.0 Test F1
    to 83.1") belongs to the result that follows, not to the one before."""
    before = doc.prev(k, doc.sent_of[k][0])
    if before is not None and doc.toks[before].low in _DATASET_PREPOSITIONS:
        return False
    j = doc.next(k, end)
    for _ in range(4):
        if j is None:
            return False
        t = doc.toks[j]
        if t.kind is Kind.MET or (t.kind is Kind.NUM and doc.status_at(j) is Status.CANDIDATE):
            return True
        if t.kind is Kind.PUNCT:
            return False
        j = doc.next(j, end)
    return False


def _joined(doc: Abstract, a: int, b: int, joiners: tuple[str, ...]) -> bool:
    """Whether only commas, slashes, typesetting and the given words stand between tokens a and b."""
    return all(doc.skippable(m) or doc.toks[m].text in (",", "/") or doc.toks[m].low in joiners for m in range(a + 1, b))


def respectively(doc: Abstract, sent: tuple[int, int], resolved: list[Num]) -> list[tuple[Num, DatasetBinding]]:
    """ "2.86% and 15.85% on CIFAR-10 and CIFAR-100 respectively": a list of values and a list of datasets of the
    same length pair up in order. The new dataset of each value so paired."""
    s0, s1 = sent
    marks = [k for k in range(s0, s1) if doc.toks[k].low == "respectively"]
    if not marks:
        return []
    r = marks[0]
    runs: list[list[Num]] = []
    for n in resolved:
        if not (s0 <= n.i < r) or n.is_baseline:
            continue
        if runs and _joined(doc, runs[-1][-1].i, n.i, ("and", "or")):
            runs[-1].append(n)
        else:
            runs.append([n])
    runs = [run for run in runs if len(run) > 1]
    if not runs:
        return []
    run = runs[-1]
    lists: list[list[int]] = []
    for k in range(s0, r):
        t = doc.toks[k]
        if t.kind is not Kind.DS or t.role is not Role.EVAL:
            continue
        if lists and _joined(doc, lists[-1][-1], k, ("and", "the")):
            lists[-1].append(k)
        else:
            lists.append([k])
    fitting = [ds for ds in lists if len(ds) == len(run)]
    if not fitting:
        return []
    chosen = min(fitting, key=lambda ds: abs(ds[0] - run[0].i))
    fam = families_measured(run[0].metric.base)
    if not all(_fits(doc.toks[k], fam) for k in chosen):
        return []
    return [(n, _bound_to(doc, k)) for n, k in zip(run, chosen)]
