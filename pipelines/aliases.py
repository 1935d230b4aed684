"""The alias registry (its data is `aliases.toml`): every source's spelling of a task, dataset or metric mapped onto one canonical benchmark name.

Canonical names follow Papers with Code where it has the benchmark (task "Image Classification", dataset "ImageNet",
metric "Top 1 Accuracy"). Names that are not in the registry are kept as they come (whitespace collapsed), never
dropped. The registry also says which metrics are percentages whatever their cells look like. Which way a metric
points is decided from evidence by `pipelines.directions`, not here.
"""
from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from importlib import resources

from pipelines.values import collapse_whitespace


# The names of a payload repeat on every one of its rows (a dump's 44,000 rows name 4,500 benchmarks): the pure
# mappings below are cached, which halves the time of normalising a payload.
@lru_cache(maxsize=1 << 16)
def fold(name: str) -> str:
    """The spelling-blind form of a name: case, runs of white space and dashes/underscores do not count."""
    return collapse_whitespace(re.sub(r"[-_]", " ", name)).lower()


def _load_registry() -> dict:
    return tomllib.loads(resources.files("pipelines").joinpath("aliases.toml").read_text(encoding="utf-8"))


def _lookup(section: dict[str, list[str]]) -> dict[str, str]:
    table = {}
    for canonical, spellings in section.items():
        for spelling in [canonical, *spellings]:
            table[fold(spelling)] = canonical
    return table


_REGISTRY = _load_registry()
TASK_ALIASES = _lookup(_REGISTRY["tasks"])
DATASET_ALIASES = _lookup(_REGISTRY["datasets"])
METRIC_ALIASES = _lookup(_REGISTRY["metrics"])
METRIC_UNITS: dict[str, str] = {fold(name): unit for name, unit in _REGISTRY.get("units", {}).items()}
# (task, dataset, metric) folded -> (task, dataset, metric, scale): scale 100 where the source writes fractions
BENCHMARK_ALIASES: dict[tuple[str, str, str], tuple[str, str, str, float]] = {}
for _source, _target in _REGISTRY.get("benchmarks", {}).items():
    _parts = [part.strip() for part in _target.split("|")]
    _scale = 100.0 if _parts[3:] == ["fraction"] else 1.0
    BENCHMARK_ALIASES[tuple(fold(part) for part in _source.split("|"))] = (*_parts[:3], _scale)
CANONICAL_NAMES = {
    "task": set(_REGISTRY["tasks"]),
    "dataset": set(_REGISTRY["datasets"]),
    "metric": set(_REGISTRY["metrics"]),
}

def canonical_task(name: str) -> str:
    return TASK_ALIASES.get(fold(name), collapse_whitespace(name))


def canonical_dataset(name: str) -> str:
    return DATASET_ALIASES.get(fold(name), collapse_whitespace(name))


def canonical_metric(name: str) -> str:
    return METRIC_ALIASES.get(fold(name), collapse_whitespace(name))


@lru_cache(maxsize=1 << 16)
def canonical_benchmark(task: str, dataset: str, metric: str) -> tuple[str, str, str, float]:
    """Canonical (task, dataset, metric) and the scale of the source's values (100 where it writes fractions of a
    percent metric), where the registry maps a whole benchmark rather than one name."""
    task, dataset, metric = canonical_task(task), canonical_dataset(dataset), canonical_metric(metric)
    return BENCHMARK_ALIASES.get((fold(task), fold(dataset), fold(metric)), (task, dataset, metric, 1.0))


def metric_unit(canonical_name: str) -> str | None:
    """"percent" for a metric the registry knows to be a percentage (its values must lie within 0..100), else None."""
    return METRIC_UNITS.get(fold(canonical_name))


BOARD_SLUG_SEPARATOR = "-on-"


def slug_words(part: str) -> str:
    """A slug's words as a name: `image-classification` -> "Image Classification" (the registry then canonicalises)."""
    return " ".join(word[:1].upper() + word[1:] for word in part.split("-") if word)


def board_from_slug(slug: str) -> tuple[str, str] | None:
    """Papers with Code's board slug `<task>-on-<dataset>` (split at its first `-on-`) as canonical (task, dataset):
    `image-classification-on-imagenet` -> ("Image Classification", "ImageNet"); None without both parts."""
    task, separator, dataset = slug.partition(BOARD_SLUG_SEPARATOR)
    if not (separator and task and dataset):
        return None
    return canonical_task(slug_words(task)), canonical_dataset(slug_words(dataset))
