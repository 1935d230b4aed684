"""Language-model names as evaluation sources write them, split into the model and the setting it was run in.

One model appears as "gpt-5.1_medium" (Epoch's runs), "GPT-5.1 (medium)" (Epoch's display names), "openai/gpt-5.1"
(a Hugging Face repository, Every Eval Ever's ids). The vendor prefix names who published the model, and a reasoning
effort, a thinking budget or tool use is how it was run: a setting of one model, not another model. So a source gives
`split_llm_name(name)` its model name and stores `model` as the model and `setting` as the claim's setting; the
warehouse then folds the model name (case and punctuation) and maps it through the alias registry
(`warehouse/model_aliases.csv`), so that claims of one model and setting from several sources are one result.

What is read, and nothing else (a name is never guessed at):
- a vendor prefix: one leading `owner/` (a repository id), kept as `vendor`;
- Epoch's suffixes: `_high`, `_medium`, `_low`, `_minimal`, `_xhigh` (a reasoning effort) and `_16K` (a thinking
  budget in thousands of tokens), last in the name, after an underscore;
- a parenthesised last part whose every comma-separated piece is a known setting: "(medium)", "(16k thinking)",
  "(high, with tools)", "(no tools)". A parenthesis holding anything else ("Yi (34B)", "ZFNet (ensemble, 6 convnets)")
  is part of the name and stays.
Dates and version numbers stay in the name: "claude-3-5-sonnet-20240620" and "-20241022" are two models. An undated
name is one model with a dated one only where the alias registry says so.

Settings are written one way whatever the source's spelling, so that they compare equal: "effort high",
"thinking 16K", "thinking", "no thinking", "tools", "no tools", joined by ", " in that order.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

EFFORTS = ("minimal", "low", "medium", "high", "xhigh")
_VENDOR = re.compile(r"^(?P<vendor>[A-Za-z0-9][\w.\-]*)/(?P<name>[^/]+)$")
_EPOCH_SUFFIX = re.compile(rf"^(?P<name>.+?)_(?:(?P<effort>{'|'.join(EFFORTS)})|(?P<budget>\d+)[kK])$")
_PARENTHESIS = re.compile(r"^(?P<name>.+?)\s*\((?P<inside>[^()]*)\)$")
_BUDGET = re.compile(r"^(?:(?P<a>\d+)\s*k(?:\s+(?:thinking|reasoning)(?:\s+(?:budget|tokens))?)?"
                     r"|(?:thinking|reasoning)(?:\s+budget)?\s*:?\s*(?P<b>\d+)\s*k(?:\s+tokens)?)$")
_EFFORT = re.compile(rf"^(?:(?:reasoning\s+)?effort\s*:?\s*|reasoning\s*:?\s*)?(?P<e>{'|'.join(EFFORTS)})"
                     r"(?:\s+(?:effort|reasoning|reasoning effort))?$")
_WORDS = {
    "thinking": ("thinking", "thinking"), "reasoning": ("thinking", "thinking"),
    "extended thinking": ("thinking", "thinking"),
    "no thinking": ("thinking", "no thinking"), "non-thinking": ("thinking", "no thinking"),
    "non-reasoning": ("thinking", "no thinking"), "no reasoning": ("thinking", "no thinking"),
    "tools": ("tools", "tools"), "with tools": ("tools", "tools"), "tool use": ("tools", "tools"),
    "no tools": ("tools", "no tools"), "no-tools": ("tools", "no tools"), "without tools": ("tools", "no tools"),
}
_ORDER = ("effort", "thinking", "tools")


@dataclass(frozen=True, slots=True)
class LlmName:
    model: str
    setting: str | None = None
    vendor: str | None = None


def _piece(text: str) -> tuple[str, str] | None:
    """One setting piece as (kind, canonical text), or None when it is not a setting this module knows."""
    piece = re.sub(r"\s+", " ", text.strip().lower())
    if piece in _WORDS:
        return _WORDS[piece]
    if match := _EFFORT.match(piece):
        return "effort", f"effort {match['e']}"
    if match := _BUDGET.match(piece):
        return "thinking", f"thinking {match['a'] or match['b']}K"
    return None


def _read_setting(text: str) -> dict[str, str] | None:
    """A setting's pieces by kind, in this module's spelling; None when a piece is not a known setting, or two
    pieces are of one kind ("high, low")."""
    found: dict[str, str] = {}
    for part in text.split(","):
        piece = _piece(part)
        if piece is None or piece[0] in found:
            return None
        found[piece[0]] = piece[1]
    return found


def _written(found: dict[str, str]) -> str:
    return ", ".join(found[kind] for kind in _ORDER if kind in found)


def parse_setting(text: str | None) -> str | None:
    """A setting as written by a source ("high", "16k thinking", "no-tools", "high, with tools") in the one spelling
    of this module; None when it is empty or any piece of it is not a known setting (the caller keeps it as written)."""
    if not text or not text.strip():
        return None
    found = _read_setting(text)
    return _written(found) if found is not None else None


@lru_cache(maxsize=1 << 14)
def split_llm_name(name: str) -> LlmName:
    """The model, its setting and its vendor from a language model's name as a source writes it."""
    name = name.strip()
    vendor = None
    if match := _VENDOR.match(name):
        vendor, name = match["vendor"], match["name"].strip()
    setting = None
    if match := _EPOCH_SUFFIX.match(name):
        name = match["name"]
        setting = f"effort {match['effort']}" if match["effort"] else f"thinking {int(match['budget'])}K"
    elif (match := _PARENTHESIS.match(name)) and (read := parse_setting(match["inside"])):
        name, setting = match["name"], read
    return LlmName(model=name, setting=setting, vendor=vendor)


def combined_setting(*settings: str | None) -> str | None:
    """Settings from several places of one row (the name's and a note's) as one, in this module's order; a piece of
    a kind already given is not repeated. Unknown text is kept as written, after the known pieces."""
    found: dict[str, str] = {}
    unknown: list[str] = []
    for setting in settings:
        if not setting or not setting.strip():
            continue
        read = _read_setting(setting)
        if read is None:
            unknown.append(setting.strip())
        else:
            found = {**read, **found}  # the first place to give a kind keeps it
    return ", ".join(filter(None, [_written(found), *unknown])) or None
