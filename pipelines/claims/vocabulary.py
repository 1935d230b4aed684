"""The datasets and metrics the claims extractor can name, read from `vocabulary.toml`, and their names on the board.

The data file says how abstracts spell each dataset and metric; this module compiles those spellings into the two
patterns the tokenizer runs (`find_datasets`, `find_metrics`) and answers what the extractor asks of a name: which
task families a metric is measured on, whether a bare "AP" on a dataset means box AP. The board names of the
extractor's labels come from the alias registry (`pipelines.aliases`), the one place where a benchmark's canonical
name and its other spellings are kept: `registry_dataset_name` and `registry_metric_name`.
"""
from __future__ import annotations

import enum
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from typing import Any

from pipelines.aliases import DATASET_ALIASES, METRIC_ALIASES, fold

CLASSIFICATION = "cls"


class Role(enum.Enum):
    """What a dataset is when an abstract names it."""

    EVAL = "eval"  # a test set: a result can be measured on it
    PRETRAIN = "pretrain"  # training data only (ImageNet-21K, JFT): never where a result is measured
    MULTI = "multi"  # several test sets at once (ImageNet-{A,R,V2}): never one benchmark


@dataclass(frozen=True)
class DatasetName:
    label: str
    families: frozenset[str]
    role: Role
    bare_ap_is_box: bool
    pattern: str


@dataclass(frozen=True)
class MetricName:
    qualifiers: tuple[str, ...]
    base: str | None
    pattern: str


class VocabularyError(ValueError):
    """`vocabulary.toml` holds an entry the extractor cannot use; the message names it."""


_DATASET_KEYS = {"label", "families", "role", "bare_ap_is_box", "any_case", "exact_case"}
_METRIC_KEYS = {"base", "qualifiers", "any_case", "exact_case"}


def _alternatives(entry: dict[str, Any], where: str) -> str:
    """One regular expression for an entry's spellings, in their order: `exact_case` ones keep their letter case."""
    spellings = [*entry.get("any_case", []), *(f"(?-i:{p})" for p in entry.get("exact_case", []))]
    if not spellings:
        raise VocabularyError(f"{where}: no spellings (any_case or exact_case)")
    for pattern in spellings:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise VocabularyError(f"{where}: bad pattern {pattern!r} ({exc})") from None
    return "|".join(spellings)


def _dataset(entry: dict[str, Any], n: int) -> DatasetName:
    where = f"vocabulary.toml dataset {n + 1} ({entry.get('label')!r})"
    if set(entry) - _DATASET_KEYS or not isinstance(entry.get("label"), str) or not entry.get("families"):
        raise VocabularyError(f"{where}: needs a label and families, and only the keys {sorted(_DATASET_KEYS)}")
    try:
        role = Role(entry.get("role", Role.EVAL.value))
    except ValueError:
        raise VocabularyError(f"{where}: unknown role {entry['role']!r}") from None
    return DatasetName(entry["label"], frozenset(entry["families"]), role, bool(entry.get("bare_ap_is_box")),
                       _alternatives(entry, where))


def _metric(entry: dict[str, Any], n: int) -> MetricName:
    where = f"vocabulary.toml metric {n + 1} ({entry.get('base')!r})"
    if set(entry) - _METRIC_KEYS or not (entry.get("base") or entry.get("qualifiers")):
        raise VocabularyError(f"{where}: needs a base or qualifiers, and only the keys {sorted(_METRIC_KEYS)}")
    return MetricName(tuple(entry.get("qualifiers", ())), entry.get("base"), _alternatives(entry, where))


def _load() -> dict[str, Any]:
    return tomllib.loads(resources.files(__package__).joinpath("vocabulary.toml").read_text(encoding="utf-8"))


def _whole_words(kind: str, names: tuple[DatasetName, ...] | tuple[MetricName, ...]) -> re.Pattern[str]:
    """One pattern for all names, a named group per entry (`d0`, `m3`, ...) so that a match says which entry it is.
    A name is never a piece of a longer word ("COCOA", "mAPping") nor the tail of a hyphenated one."""
    groups = "|".join(f"(?P<{kind}{n}>{name.pattern})" for n, name in enumerate(names))
    return re.compile(r"(?<![\w-])(?:" + groups + r")(?![\w])", re.IGNORECASE)


_DATA = _load()
DATASETS: tuple[DatasetName, ...] = tuple(_dataset(e, n) for n, e in enumerate(_DATA["dataset"]))
METRICS: tuple[MetricName, ...] = tuple(_metric(e, n) for n, e in enumerate(_DATA["metric"]))
# Which families a metric base is measured on; a base that is not listed fits any family.
_MEASURES: dict[str, frozenset[str]] = {base: frozenset(f) for base, f in _DATA["measures"].items()}
_BARE_AP_IS_BOX = frozenset(d.label for d in DATASETS if d.bare_ap_is_box)
_DATASET_RE = _whole_words("d", DATASETS)
_METRIC_RE = _whole_words("m", METRICS)


def find_datasets(text: str) -> Iterator[tuple[re.Match[str], DatasetName]]:
    """Every dataset name in the text, left to right, with the vocabulary entry it matched."""
    for m in _DATASET_RE.finditer(text):
        yield m, DATASETS[int(m.lastgroup[1:])]


def find_metrics(text: str) -> Iterator[tuple[re.Match[str], MetricName]]:
    """Every metric phrase in the text, left to right, with the vocabulary entry it matched."""
    for m in _METRIC_RE.finditer(text):
        yield m, METRICS[int(m.lastgroup[1:])]


def families_measured(base: str | None) -> frozenset[str] | None:
    """The dataset families a metric base is measured on (None: any). A qualifier alone (top-1) is an accuracy."""
    return _MEASURES.get(base if base is not None else "accuracy")


def bare_ap_is_box(label: str) -> bool:
    return label in _BARE_AP_IS_BOX


def registry_dataset_name(label: str) -> str:
    """The board's name for a dataset label: the alias registry's canonical name where the registry knows the set
    under another name ("ImageNet-1K" is PwC's "ImageNet"). A label the registry only spells differently
    ("ImageNet-V2" for "ImageNet V2") is already that name to the registry, which folds spelling, and is kept."""
    name = DATASET_ALIASES.get(fold(label), label)
    return name if fold(name) != fold(label) else label


def registry_metric_name(label: str) -> str:
    """The board's name for a metric label. Metric labels are identifiers (top1_accuracy, box_AP), so every one the
    alias registry knows is shown by the registry's name ("Top 1 Accuracy", "box AP"); others are kept."""
    return METRIC_ALIASES.get(fold(label), label)
