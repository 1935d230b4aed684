"""The alias registry (`pipelines/aliases.py` and its data, `pipelines/aliases.toml`): folding, canonical names,
whole-benchmark aliases and the metrics known to be percentages. (Which way a metric points is
`pipelines/directions.py`'s business, tested beside it.)"""
from __future__ import annotations

import tomllib
from importlib import resources

import pytest

from pipelines.aliases import (
    BENCHMARK_ALIASES,
    CANONICAL_NAMES,
    METRIC_UNITS,
    canonical_benchmark,
    canonical_dataset,
    canonical_metric,
    canonical_task,
    fold,
    metric_unit,
)


@pytest.fixture(scope="module")
def registry() -> dict:
    """aliases.toml as written, read independently of the module under test."""
    return tomllib.loads(resources.files("pipelines").joinpath("aliases.toml").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("name", "folded"),
    [
        ("Top 1 Accuracy", "top 1 accuracy"),
        ("Top-1_Accuracy", "top 1 accuracy"),
        ("  TOP_1   accuracy\t", "top 1 accuracy"),
        ("ImageNet-1K", "imagenet 1k"),
        ("IN_1K", "in 1k"),
        # only dashes and underscores fold; other punctuation is part of the name
        ("Top-1 Accuracy (%)", "top 1 accuracy (%)"),
        ("Acc@1", "acc@1"),
        ("", ""),
    ],
)
def test_fold_ignores_case_white_space_dashes_and_underscores(name, folded):
    assert fold(name) == folded


@pytest.mark.parametrize(
    ("canonical_of", "name", "canonical"),
    [
        (canonical_task, "Image Classification", "Image Classification"),
        (canonical_task, "ImageNet classification", "Image Classification"),
        (canonical_task, "IMAGENET-CLASSIFICATION", "Image Classification"),
        (canonical_task, "Question answering", "Question Answering"),  # sota-extractor's spelling of a canonical name
        (canonical_task, "  Object   Detection ", "Object Detection"),  # unknown: kept, white space collapsed
        (canonical_dataset, "ImageNet-1K", "ImageNet"),
        (canonical_dataset, "in1k", "ImageNet"),
        (canonical_dataset, "ILSVRC-2012 val", "ImageNet"),
        # the challenge's test set is a benchmark of its own, never the validation board
        (canonical_dataset, "ILSVRC test", "ILSVRC"),
        (canonical_dataset, "ImageNet test (ILSVRC)", "ILSVRC"),
        (canonical_dataset, "imagenet_real", "ImageNet ReaL"),
        (canonical_dataset, "ImageNetV2 matched-frequency", "ImageNet V2"),
        (canonical_dataset, "  SQuAD1.1 ", "SQuAD1.1"),
        (canonical_metric, "Acc@1", "Top 1 Accuracy"),
        (canonical_metric, "TOP-5", "Top 5 Accuracy"),
        (canonical_metric, "top1_err", "Top 1 Error"),
        (canonical_metric, "param_count", "Number of params"),
        (canonical_metric, "# params", "Number of params"),
        (canonical_metric, "Top-1 Accuracy (%)", "Top-1 Accuracy (%)"),  # not listed: kept as written
    ],
    ids=lambda value: value.__name__ if callable(value) else None,
)
def test_canonical_names_of_tasks_datasets_and_metrics(canonical_of, name, canonical):
    assert canonical_of(name) == canonical


@pytest.mark.parametrize(
    ("names", "benchmark"),
    [
        # one name at a time
        (("ImageNet classification", "IN-1K", "Acc@1"), ("Image Classification", "ImageNet", "Top 1 Accuracy", 1.0)),
        # RobustBench's clean accuracy sits on PwC's ImageNet board, however it is spelt
        (("Adversarial Defense", "ImageNet (Linf)", "Clean Accuracy"), ("Image Classification", "ImageNet", "Top 1 Accuracy", 1.0)),
        (("adversarial-defense", "imagenet (linf)", "clean_accuracy"), ("Image Classification", "ImageNet", "Top 1 Accuracy", 1.0)),
        # sota-extractor's ILSVRC errors are fractions of a percent metric: scale 100
        (("Image Classification", "Imagenet Image Recognition", "Error rate"), ("Image Classification", "ILSVRC", "Top 5 Error", 100.0)),
        # a benchmark the registry does not know keeps its names, collapsed
        (("Question answering", "SQuAD2.0", " EM "), ("Question Answering", "SQuAD2.0", "EM", 1.0)),
    ],
)
def test_canonical_benchmark(names, benchmark):
    assert canonical_benchmark(*names) == benchmark


@pytest.mark.parametrize(
    ("metric", "unit"),
    [
        ("Top 1 Accuracy", "percent"),
        ("top-1 accuracy", "percent"),  # looked up spelling-blind
        ("Top 5 Error", "percent"),
        ("Percentage correct", "percent"),
        ("Number of params", None),
        ("EM", None),
        ("Top-1 Accuracy (%)", None),  # an unmapped name says nothing, whatever it looks like
    ],
)
def test_metric_unit_names_the_metrics_known_to_be_percentages(metric, unit):
    assert metric_unit(metric) == unit


def test_canonical_names_are_the_registry_sections(registry):
    assert CANONICAL_NAMES == {
        "task": set(registry["tasks"]), "dataset": set(registry["datasets"]), "metric": set(registry["metrics"]),
    }
    assert {"Image Classification", "Question Answering"} <= CANONICAL_NAMES["task"]
    assert {"ImageNet", "ImageNet ReaL", "ImageNet V2", "ILSVRC"} <= CANONICAL_NAMES["dataset"]
    # a known name with no other spelling is canonical too
    assert {"Top 1 Accuracy", "Top 5 Error", "Number of params", "Percentage error", "Time horizon"} <= CANONICAL_NAMES["metric"]


def test_every_spelling_in_the_registry_maps_to_its_canonical_name(registry):
    lookups = {"tasks": canonical_task, "datasets": canonical_dataset, "metrics": canonical_metric}
    for section, canonical_of in lookups.items():
        for canonical, spellings in registry[section].items():
            names = [canonical, *spellings]
            assert {name: canonical_of(name) for name in names} == {name: canonical for name in names}, section


def test_no_spelling_is_claimed_by_two_canonical_names(registry):
    for section in ("tasks", "datasets", "metrics"):
        owners: dict[str, set[str]] = {}
        for canonical, spellings in registry[section].items():
            for spelling in [canonical, *spellings]:
                owners.setdefault(fold(spelling), set()).add(canonical)
        assert {folded: names for folded, names in owners.items() if len(names) > 1} == {}, section


def test_every_unit_in_the_registry_is_a_percent_of_a_canonical_metric(registry):
    assert METRIC_UNITS == {fold(name): unit for name, unit in registry["units"].items()}
    assert set(registry["units"].values()) == {"percent"}
    assert set(registry["units"]) <= CANONICAL_NAMES["metric"]


def test_whole_benchmark_aliases_point_at_canonical_names(registry):
    assert BENCHMARK_ALIASES == {
        ("adversarial defense", "imagenet (linf)", "clean accuracy"): ("Image Classification", "ImageNet", "Top 1 Accuracy", 1.0),
        ("image classification", "imagenet image recognition", "error rate"): ("Image Classification", "ILSVRC", "Top 5 Error", 100.0),
        ("language model evaluation", "gpqa diamond", "choice"): ("Language Model Evaluation", "GPQA Diamond", "Accuracy", 1.0),
        ("language model evaluation", "gpqa diamond", "score"): ("Language Model Evaluation", "GPQA Diamond", "Accuracy", 100.0),
    }
    targets = {(task, dataset, metric) for task, dataset, metric, _ in BENCHMARK_ALIASES.values()}
    canonical = {(t, d, m) for t in registry["tasks"] for d in registry["datasets"] for m in registry["metrics"]}
    assert targets <= canonical
