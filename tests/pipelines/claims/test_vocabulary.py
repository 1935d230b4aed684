"""The claims vocabulary (`pipelines/claims/vocabulary.toml`) as loaded, and its agreement with the alias registry."""
from __future__ import annotations

import tomllib
from importlib import resources

import pytest

from pipelines.aliases import canonical_dataset
from pipelines.directions import decide
from pipelines.claims import registry_dataset_name, registry_metric_name
from pipelines.claims.vocabulary import DATASETS, METRICS, Role, bare_ap_is_box, families_measured, find_datasets

REGISTRY = tomllib.loads(resources.files("pipelines").joinpath("aliases.toml").read_text(encoding="utf-8"))


def test_the_vocabulary_loads_every_entry():
    labels = [d.label for d in DATASETS]
    assert len(labels) == len(set(labels)) == 84 and len(METRICS) == 32
    assert {d.label for d in DATASETS if d.role is Role.PRETRAIN} >= {"ImageNet-21K", "ImageNet-22K", "JFT", "LAION"}
    assert {d.label for d in DATASETS if d.bare_ap_is_box} == {"COCO", "COCO test-dev", "COCO minival", "LVIS v1.0",
                                                               "Objects365"}
    assert bare_ap_is_box("COCO") and not bare_ap_is_box("PASCAL VOC")


def test_families_measured():
    assert families_measured("mIoU") == {"semseg"}
    assert families_measured(None) == families_measured("accuracy") == {"cls", "nlu", "vqa"}
    assert families_measured("score") is None


@pytest.mark.parametrize("text, labels", [
    ("ImageNet-1k and ILSVRC-2012 val and IN-1K", ["ImageNet-1K", "ImageNet-1K", "ImageNet-1K"]),
    ("COCO test-dev, COCO and MS-COCO minival", ["COCO test-dev", "COCO", "COCO minival"]),
    ("CIFAR-100 then CIFAR-10", ["CIFAR-100", "CIFAR-10"]),
    ("trained in 1K steps on cocoa with flowers and pets", []),  # abbreviations and common words keep their case
    ("pre-trained on JFT-300M", ["JFT"]),
])
def test_dataset_spellings(text, labels):
    assert [name.label for _, name in find_datasets(text)] == labels


# The registry's "ILSVRC" is the challenge's test server; an abstract's "ILSVRC" is ImageNet-1K by the gold files'
# convention (their PROVENANCE.txt), so those spellings are the one place where the two vocabularies differ.
REGISTRY_SPELLINGS = [(canonical, spelling) for canonical, spellings in REGISTRY["datasets"].items()
                      if canonical != "ILSVRC" for spelling in [canonical, *spellings]]


@pytest.mark.parametrize("canonical, spelling", REGISTRY_SPELLINGS)
def test_the_registry_spellings_of_a_dataset_read_as_that_dataset(canonical, spelling):
    first = next(find_datasets(spelling), None)
    assert first is not None, f"the vocabulary does not know {spelling!r}"
    assert canonical_dataset(first[1].label) == canonical


@pytest.mark.parametrize("label, name", [
    ("ImageNet-1K", "ImageNet"), ("ImageNet-V2", "ImageNet-V2"), ("ImageNet-ReaL", "ImageNet-ReaL"),
    ("CIFAR-10", "CIFAR-10"), ("COCO test-dev", "COCO test-dev"),
])
def test_registry_dataset_names(label, name):
    assert registry_dataset_name(label) == name


@pytest.mark.parametrize("label, name", [
    ("top1_accuracy", "Top 1 Accuracy"), ("top5_accuracy", "Top 5 Accuracy"), ("top1_error", "Top 1 Error"),
    ("top5_error", "Top 5 Error"), ("box_AP", "box AP"), ("mask_AP", "mask AP"),
    ("error_unspecified", "error_unspecified"), ("mIoU", "mIoU"), ("glue_score", "glue_score"),
])
def test_registry_metric_names(label, name):
    assert registry_metric_name(label) == name


def test_the_registry_ranks_the_top_k_labels():
    assert [decide(registry_metric_name(f"top{k}_{m}"), ()).direction for m in ("accuracy", "error") for k in (1, 5)] \
        == ["higher", "higher", "lower", "lower"]
