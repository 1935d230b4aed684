"""An abstract as the extractor reads it: tokens, sentences, its numbers and what has been decided about each.

The passes of `extract.py` fill in each number's record (`Num`) step by step, in the order of the text: first its
status (could it be a result?), then its metric (`MetricReading`), its dataset (`DatasetBinding`), whose number it
is, its setting and model. Later numbers may lean on earlier ones, so the questions "is there a result before this
one?" and "where does this number's clause begin?" are asked of the record as it stands (`Abstract.scope_start`).
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field

from pipelines.claims.tokens import Kind, Tok, sentences, tokenize
from pipelines.claims.vocabulary import Role

# Tokens that are typesetting, not words: "$\sim$85%", "\textbf{85.1}".
_SKIP_WORDS = {"sim", "approx", "le", "leq", "ge", "geq", "mathbf", "textbf", "bf"}
_SKIP_PUNCT = {"$", "\\", "~", "{", "}"}


class Status(enum.Enum):
    """What a number is. Every number starts as a quantity, a delta or a candidate; the candidates are then read in
    the order of the text, and each becomes a result or not. So a candidate is always a number not read yet."""

    CANDIDATE = "candidate"  # may be a result, not read yet
    RESULT = "result"
    DELTA = "delta"  # a difference between results ("+1.2", "by 4.0%")
    QUANTITY = "quantity"  # a size, a count, a year, a range
    NOT_RESULT = "not a result"  # a candidate with no metric or no dataset, or an average over several sets


class Side(enum.Enum):
    """The side of a number in "from A to B": A is the number improved upon, B the paper's own."""

    FROM = "from"
    TO = "to"


@dataclass(frozen=True)
class MetricReading:
    """What a number measures: qualifiers (top1, box, ...) and a base (accuracy, AP, ...), and where it was read."""

    quals: tuple[str, ...]
    base: str | None
    first: int | None = None  # the tokens of the metric phrase, first to last
    last: int | None = None
    ds: int | None = None  # a dataset named inside the phrase ("ImageNet top-1 accuracy")
    average: bool = False  # an average over several sets: no single benchmark
    coordinated: bool = False  # joined by "and", "," or "/" to the result before it
    antecedent: Num | None = None  # the result a bare value took its metric from ("and 79.8%")
    qual_index: int = 0  # which of several qualifiers is this number's ("top-1 and top-5 ... 80.1% and 95.2%")

    @property
    def qualifier(self) -> str | None:
        return self.quals[min(self.qual_index, len(self.quals) - 1)] if self.quals else None


@dataclass(frozen=True)
class DatasetBinding:
    """The dataset a number is on: its label, families, and the token that names it when it is in the sentence."""

    label: str
    families: frozenset[str]
    tok: int | None = None


@dataclass(eq=False)
class Num:
    i: int
    sent: tuple[int, int]
    tok: Tok
    status: Status = Status.CANDIDATE
    side: Side | None = None
    partner: Num | None = None  # the other side of "from A to B"
    metric: MetricReading | None = None
    dataset: DatasetBinding | None = None
    is_baseline: bool = False
    setting: str | None = None
    model: str | None = None


@dataclass
class Abstract:
    title: str
    text: str
    toks: list[Tok] = field(init=False)
    sents: list[tuple[int, int]] = field(init=False)
    sent_of: dict[int, tuple[int, int]] = field(init=False)
    nums: dict[int, Num] = field(init=False)

    def __post_init__(self) -> None:
        self.toks = tokenize(self.text)
        self.sents = sentences(self.toks)
        self.sent_of = {i: s for s in self.sents for i in range(*s)}
        self.nums = {i: Num(i, s, self.toks[i]) for s in self.sents for i in range(*s)
                     if self.toks[i].kind is Kind.NUM}

    # -- navigation --------------------------------------------------------------------------------------------
    def skippable(self, i: int) -> bool:
        t = self.toks[i]
        return (t.kind is Kind.PUNCT and t.text in _SKIP_PUNCT) or (t.kind is Kind.WORD and t.low in _SKIP_WORDS)

    def next(self, i: int, end: int) -> int | None:
        j = i + 1
        while j < end and self.skippable(j):
            j += 1
        return j if j < end else None

    def prev(self, i: int, start: int) -> int | None:
        j = i - 1
        while j >= start and self.skippable(j):
            j -= 1
        return j if j >= start else None

    def words_before(self, i: int, start: int, n: int) -> list[Tok]:
        out, j = [], self.prev(i, start)
        while j is not None and len(out) < n:
            out.append(self.toks[j])
            j = self.prev(j, start)
        return out

    def words_after(self, i: int, end: int, n: int) -> list[Tok]:
        out, j = [], self.next(i, end)
        while j is not None and len(out) < n:
            out.append(self.toks[j])
            j = self.next(j, end)
        return out

    def enclosing_paren(self, i: int, start: int) -> int | None:
        """The "(" still open at token i, looking back no further than `start`."""
        return self._unmatched(range(i - 1, start - 1, -1), "(")

    def closing_paren(self, j: int, end: int) -> int | None:
        """The ")" that closes the bracket opened at token j, before `end`."""
        return self._unmatched(range(j + 1, end), ")")

    def _unmatched(self, positions: range, bracket: str) -> int | None:
        """The first token in `positions` that is a `bracket` not matched by one passed on the way."""
        other = ")" if bracket == "(" else "("
        depth = 0
        for k in positions:
            t = self.toks[k]
            if t.kind is Kind.PUNCT and t.text == other:
                depth += 1
            elif t.kind is Kind.PUNCT and t.text == bracket:
                if depth == 0:
                    return k
                depth -= 1
        return None

    def bracket_dataset(self, i: int) -> int | None:
        """ "Flowers (98.8%)", "Imagenet (where we obtain up to 85.2% accuracy)": the evaluation set named just
        before the bracket that holds token i."""
        s0 = self.sent_of[i][0]
        paren = self.enclosing_paren(i, s0)
        before = self.prev(paren, s0) if paren is not None else None
        if before is not None and self.toks[before].kind is Kind.DS and self.toks[before].role is Role.EVAL:
            return before
        return None

    # -- the numbers as read so far ------------------------------------------------------------------------------
    def status_at(self, k: int) -> Status | None:
        """The status of the number at token k (None: not a number)."""
        num = self.nums.get(k)
        return num.status if num is not None else None

    def holds_result(self, close: int, start: int) -> bool:
        """Whether the bracket group ending at token `close` contains a result or a delta."""
        opening = self.enclosing_paren(close, start)
        first = start if opening is None else opening + 1
        return any(self.status_at(k) in (Status.RESULT, Status.DELTA) for k in range(first, close))

    def scope_start(self, i: int) -> int:
        """First token of the clause a number belongs to: back to a comma, colon or semicolon outside brackets,
        or to the previous result or delta, or to the sentence start. A number in brackets takes the clause of
        the bracket."""
        s0, _ = self.sent_of[i]
        j = self.enclosing_paren(i, s0)
        anchor = j if j is not None else i
        depth = 0
        k = anchor - 1
        while k >= s0:
            t = self.toks[k]
            if t.kind is Kind.PUNCT and t.text == ")":
                if depth == 0 and self.holds_result(k, s0):
                    break
                depth += 1
            elif t.kind is Kind.PUNCT and t.text == "(":
                if depth == 0:
                    break
                depth -= 1
            elif depth == 0 and t.kind is Kind.PUNCT and t.text in ",;:":
                break
            elif depth == 0 and t.kind is Kind.NUM and self.status_at(k) in (Status.RESULT, Status.DELTA):
                break
            k -= 1
        return k + 1
