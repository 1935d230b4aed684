"""The alias registry (its data is `aliases.toml`): every source's spelling of a task, dataset or metric mapped onto one canonical benchmark name.

Canonical names follow Papers with Code where it has the benchmark (task "Image Classification", dataset "ImageNet",
metric "Top 1 Accuracy"). Names that are not in the registry are kept as they come (whitespace collapsed), never
dropped. The registry also says which way a metric points: higher is better, lower is better, or "none" for
descriptive columns (parameter counts, FLOPs, pre-training data) that describe a model but rank nothing.
"""
from __future__ import annotations

import re
import tomllib
from importlib import resources

from pipelines.values import collapse_whitespace


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
METRIC_DIRECTIONS: dict[str, str] = dict(_REGISTRY["directions"])
# (task, dataset, metric) folded -> (task, dataset, metric, scale): scale 100 where the source writes fractions
BENCHMARK_ALIASES: dict[tuple[str, str, str], tuple[str, str, str, float]] = {}
for _source, _target in _REGISTRY.get("benchmarks", {}).items():
    _parts = [part.strip() for part in _target.split("|")]
    _scale = 100.0 if _parts[3:] == ["fraction"] else 1.0
    BENCHMARK_ALIASES[tuple(fold(part) for part in _source.split("|"))] = (*_parts[:3], _scale)
CANONICAL_NAMES = {
    "task": set(_REGISTRY["tasks"]),
    "dataset": set(_REGISTRY["datasets"]),
    "metric": set(_REGISTRY["metrics"]) | set(METRIC_DIRECTIONS),
}

# Columns that describe a model rather than score it: kept, never ranked.
_DESCRIPTIVE = re.compile(
    r"\b(params?|parameters?|#\s*params|flops|gflops|macs|model size|pre-?training data(set)?|extra (training )?data|"
    r"hardware|gpus?|training time|backbone|architecture|input size|resolution|training split|"
    r"using .*|multi-view or monocular)\b",
    re.IGNORECASE,
)
_LOWER_IS_BETTER = re.compile(
    r"(error|\berr\b|loss|perplexity|\bppl\b|\bwer\b|\bcer\b|\bper\b|\bfid\b|\bkid\b|\bmae\b|\bmse\b|\brmse\b|\bmad\b|"
    r"\bnll\b|\bnme\b|\beer\b|\bfpr\b|\bfnr\b|miss rate|distance|\bbits? per|\bbpc\b|\bbpd\b|\bbpb\b|latency|"
    r"inference time|runtime|run time|seconds|\btime\b|\blpips\b|chamfer|\bepe\b|\bate\b|\brpe\b|\bmr\b|mean rank|"
    r"median rank|hamming|\babs ?rel\b|\bsq ?rel\b|log10|\bade\b|\bfde\b|\bter\b|\bdecay\b|memory)",
    re.IGNORECASE,
)


def canonical_task(name: str) -> str:
    return TASK_ALIASES.get(fold(name), collapse_whitespace(name))


def canonical_dataset(name: str) -> str:
    return DATASET_ALIASES.get(fold(name), collapse_whitespace(name))


def canonical_metric(name: str) -> str:
    return METRIC_ALIASES.get(fold(name), collapse_whitespace(name))


def canonical_benchmark(task: str, dataset: str, metric: str) -> tuple[str, str, str, float]:
    """Canonical (task, dataset, metric) and the scale of the source's values (100 where it writes fractions of a
    percent metric), where the registry maps a whole benchmark rather than one name."""
    task, dataset, metric = canonical_task(task), canonical_dataset(dataset), canonical_metric(metric)
    return BENCHMARK_ALIASES.get((fold(task), fold(dataset), fold(metric)), (task, dataset, metric, 1.0))


def metric_direction(canonical_name: str) -> str:
    """'higher', 'lower' or 'none' (descriptive, never ranked) for a canonical metric name."""
    if canonical_name in METRIC_DIRECTIONS:
        return METRIC_DIRECTIONS[canonical_name]
    if _DESCRIPTIVE.search(canonical_name):
        return "none"
    return "lower" if _LOWER_IS_BETTER.search(canonical_name) else "higher"
