"""An abstract cut into tokens (dataset names, metric phrases, numbers, URLs, words, punctuation) and sentences.

Every token keeps its span in the text, so that a claim's quote is always an exact substring of the abstract.
"""
from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from pipelines.claims.vocabulary import Role, find_datasets, find_metrics


class Kind(enum.Enum):
    NUM = "number"
    DS = "dataset"
    MET = "metric"
    WORD = "word"
    PUNCT = "punctuation"
    URL = "url"


@dataclass(frozen=True, slots=True)
class Tok:
    kind: Kind
    start: int
    end: int
    text: str
    low: str
    # NUM
    value: float = 0.0
    pct: bool = False
    # DS
    label: str = ""
    families: frozenset[str] = frozenset()
    role: Role = Role.EVAL
    # MET
    quals: tuple[str, ...] = ()
    base: str | None = None


_WORD_RE = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:['’][A-Za-z]+)?(?:[-/.][A-Za-z0-9]+)*(?:['’][A-Za-z]+)?")
# A number not glued to a word, a version ("v1.2"), a superscript or a handle; with its percent sign if it has one.
_NUM_RE = re.compile(r"(?<![\w.\-^@#])(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
                     r"((?:\s*\\?%)|(?:\s+per\s?cent\b))?")
_URL_RE = re.compile(r"https?://\S+|\\url\{[^}]*\}|www\.\S+|github\.com/\S+")
_ABBREVIATIONS = {"e.g", "i.e", "al", "vs", "cf", "fig", "eq", "approx", "resp", "no", "etc", "ca"}


def read_number(match: re.Match[str]) -> tuple[float, bool]:
    """(value, is a percentage) of a `_NUM_RE` match: "1,014.45" is 1014.45; "84.3%", "84.3\\%" and "84.3 percent"
    are percentages."""
    return float(match.group(1).replace(",", "")), bool((match.group(2) or "").strip())


def tokenize(text: str) -> list[Tok]:
    """URLs, dataset names, metric phrases and numbers, in that priority where they overlap; then words and
    punctuation in the gaps. Tokens come in the order of the text."""
    used = bytearray(len(text))
    toks: list[Tok] = []

    def claim(a: int, b: int) -> bool:
        if any(used[a:b]):
            return False
        used[a:b] = b"\x01" * (b - a)
        return True

    for m in _URL_RE.finditer(text):
        if claim(*m.span()):
            toks.append(Tok(Kind.URL, m.start(), m.end(), m.group(), m.group().lower()))
    for m, ds in find_datasets(text):
        if claim(*m.span()):
            toks.append(Tok(Kind.DS, m.start(), m.end(), m.group(), m.group().lower(), label=ds.label,
                            families=ds.families, role=ds.role))
    for m, met in find_metrics(text):
        if claim(*m.span()):
            toks.append(Tok(Kind.MET, m.start(), m.end(), m.group(), m.group().lower(), quals=met.qualifiers,
                            base=met.base))
    for m in _NUM_RE.finditer(text):
        if m.start() > 0 and text[m.start() - 1] == "/" and not _slash_pair(text, m.start() - 1):
            continue
        if claim(*m.span()):
            value, pct = read_number(m)
            toks.append(Tok(Kind.NUM, m.start(), m.end(), m.group(), m.group().lower(), value=value, pct=pct))
    toks.extend(_words_and_punctuation(text, used))
    toks.sort(key=lambda t: t.start)
    return toks


def _words_and_punctuation(text: str, used: bytearray) -> list[Tok]:
    """The tokens of the text not yet taken: a word stops where a taken span begins ("ResNet" in "ResNet-50%")."""
    toks, i, n = [], 0, len(text)
    while i < n:
        if used[i] or text[i].isspace():
            i += 1
            continue
        m = _WORD_RE.match(text, i)
        if m and not any(used[m.start():m.end()]):
            toks.append(Tok(Kind.WORD, m.start(), m.end(), m.group(), m.group().lower()))
            i = m.end()
        elif m:
            end = i
            while end < m.end() and not used[end]:
                end += 1
            toks.append(Tok(Kind.WORD, i, end, text[i:end], text[i:end].lower()))
            i = end
        else:
            toks.append(Tok(Kind.PUNCT, i, i + 1, text[i], text[i]))
            i += 1
    return toks


def _slash_pair(text: str, slash: int) -> bool:
    """A number after a slash is a value only in a pair of values ("83.9% / 96.6%", "63.1/54.4"), not in "B/16"."""
    before = text[:slash].rstrip()
    return bool(re.search(r"(?:\d\.\d+|\d\s*\\?%)$", before))


def sentences(toks: list[Tok]) -> list[tuple[int, int]]:
    """Token ranges [start, end) of the sentences. A ".", "!" or "?" ends one where what follows can start one (a
    capital, a number, a name, a bracket), but not after an abbreviation ("e.g.") followed by lower case."""
    out, start = [], 0
    for i, t in enumerate(toks):
        if t.kind is Kind.PUNCT and t.text in ".!?":
            prev = toks[i - 1] if i > 0 else None
            nxt = toks[i + 1] if i + 1 < len(toks) else None
            if prev is not None and prev.kind is Kind.WORD and prev.low in _ABBREVIATIONS and nxt is not None \
                    and not nxt.text[:1].isupper():
                continue
            if nxt is None or nxt.text[:1].isupper() or nxt.kind in (Kind.NUM, Kind.DS, Kind.MET) \
                    or nxt.text in "([$\\":
                out.append((start, i + 1))
                start = i + 1
    if start < len(toks):
        out.append((start, len(toks)))
    return out
