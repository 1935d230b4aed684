"""The alias registry: every source's spelling of a task, dataset or metric mapped onto one canonical benchmark name.

Canonical names follow Papers with Code where it has the benchmark (task "Image Classification", dataset "ImageNet",
metric "Top 1 Accuracy"). Names that are not in the registry are kept as they come (whitespace collapsed), never
dropped. The registry also says which way a metric points: higher is better, lower is better, or "none" for
descriptive columns (parameter counts, FLOPs, pre-training data) that describe a model but rank nothing.
"""
from __future__ import annotations

import re

from pipelines.values import collapse_whitespace

# Keys are compared case-insensitively after collapsing whitespace and unifying dashes/underscores to spaces.
TASK_ALIASES: dict[str, str] = {
    "image classification": "Image Classification",
    "imagenet classification": "Image Classification",
    "question answering": "Question Answering",
}

DATASET_ALIASES: dict[str, str] = {
    "imagenet": "ImageNet",
    "imagenet 1k": "ImageNet",
    "imagenet1k": "ImageNet",
    "in 1k": "ImageNet",
    "in1k": "ImageNet",
    "ilsvrc 2012": "ImageNet",
    "ilsvrc2012": "ImageNet",
    "ilsvrc": "ImageNet",
    "imagenet val": "ImageNet",
    "imagenet real": "ImageNet ReaL",
    "imagenet v2": "ImageNet V2",
    "imagenetv2": "ImageNet V2",
    "imagenet v2 matched frequency": "ImageNet V2",
}

METRIC_ALIASES: dict[str, str] = {
    "top 1 accuracy": "Top 1 Accuracy",
    "top1 accuracy": "Top 1 Accuracy",
    "top 1 acc": "Top 1 Accuracy",
    "top1": "Top 1 Accuracy",
    "top 1": "Top 1 Accuracy",
    "acc@1": "Top 1 Accuracy",
    "top 5 accuracy": "Top 5 Accuracy",
    "top5 accuracy": "Top 5 Accuracy",
    "top 5 acc": "Top 5 Accuracy",
    "top5": "Top 5 Accuracy",
    "top 5": "Top 5 Accuracy",
    "acc@5": "Top 5 Accuracy",
    "top 1 error": "Top 1 Error",
    "top1 error": "Top 1 Error",
    "top1 err": "Top 1 Error",
    "top 5 error": "Top 5 Error",
    "top5 error": "Top 5 Error",
    "top5 err": "Top 5 Error",
    "number of params": "Number of params",
    "params": "Number of params",
    "parameters": "Number of params",
    "param count": "Number of params",
}

# Explicit directions for canonical metrics whose name alone would mislead the keyword rules below.
METRIC_DIRECTIONS: dict[str, str] = {
    "Top 1 Accuracy": "higher",
    "Top 5 Accuracy": "higher",
    "Top 1 Error": "lower",
    "Top 5 Error": "lower",
    "Number of params": "none",
    "Percentage error": "lower",
    "Percentage correct": "higher",
    "Rank-1": "higher",
    "Speed (FPS)": "higher",
    "Time horizon": "higher",  # METR: minutes of work a model completes; longer is better
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


def _key(name: str) -> str:
    return collapse_whitespace(re.sub(r"[-_]", " ", name)).lower()


def canonical_task(name: str) -> str:
    return TASK_ALIASES.get(_key(name), collapse_whitespace(name))


def canonical_dataset(name: str) -> str:
    return DATASET_ALIASES.get(_key(name), collapse_whitespace(name))


def canonical_metric(name: str) -> str:
    return METRIC_ALIASES.get(_key(name), collapse_whitespace(name))


def metric_direction(canonical_name: str) -> str:
    """'higher', 'lower' or 'none' (descriptive, never ranked) for a canonical metric name."""
    if canonical_name in METRIC_DIRECTIONS:
        return METRIC_DIRECTIONS[canonical_name]
    if _DESCRIPTIVE.search(canonical_name):
        return "none"
    return "lower" if _LOWER_IS_BETTER.search(canonical_name) else "higher"
