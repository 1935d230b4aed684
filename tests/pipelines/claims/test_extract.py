"""The abstract claim extractor against real arXiv abstracts (the labelled dev set, read in place) and edge cases.

Whole outputs are asserted for a few real abstracts, each chosen for a trap: a slash pair with one label, pre-training
data next to the result, values without a percent sign, deltas, LaTeX numbers, non-ImageNet benchmarks.
"""
from __future__ import annotations

import json
import time
from dataclasses import FrozenInstanceError
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.claims import SCOPE_ALL, SCOPE_IMAGENET, Claim, extract_claims, parse_gold, score_claims

IN1K = "ImageNet-1K"


@pytest.fixture(scope="module")
def dev_path(shared_data: Path) -> Path:
    return shared_data / "arxiv-abstracts" / "dev.jsonl"


@pytest.fixture(scope="module")
def dev(dev_path: Path) -> dict[str, dict]:
    return {r["arxiv_id"]: r for r in map(json.loads, dev_path.read_text(encoding="utf-8").splitlines())}


def claims_of(dev: dict[str, dict], arxiv_id: str) -> list[Claim]:
    record = dev[arxiv_id]
    return extract_claims(record["title"], record["abstract"], arxiv_id)


def own(text: str, title: str = "") -> list[tuple[str, str, float]]:
    return [(c.dataset, c.metric, c.value) for c in extract_claims(title, text) if not c.is_baseline]


# -- whole outputs on real abstracts -------------------------------------------------------------------------------

def test_amoebanet_slash_pair_labels_only_the_second_value_top5(dev):
    assert claims_of(dev, "1802.01548") == [
        Claim("1802.01548", IN1K, "top1_accuracy", 83.9, "%", None, "AmoebaNet-A", False,
              "AmoebaNet-A sets a new state-of-the-art 83.9% / 96.6% top-5 ImageNet accuracy"),
        Claim("1802.01548", IN1K, "top5_accuracy", 96.6, "%", None, "AmoebaNet-A", False,
              "96.6% top-5 ImageNet accuracy"),
    ]


def test_coatnet_results_after_pretraining_on_21k_and_jft_are_imagenet_1k(dev):
    assert claims_of(dev, "2106.04803") == [
        Claim("2106.04803", IN1K, "top1_accuracy", 86.0, "%", "from-scratch", "CoAtNet", False,
              "CoAtNet achieves 86.0% ImageNet top-1 accuracy"),
        Claim("2106.04803", IN1K, "top1_accuracy", 88.56, "%", None, "CoAtNet", False,
              "our CoAtNet achieves 88.56% top-1 accuracy"),
        Claim("2106.04803", IN1K, "top1_accuracy", 90.88, "%", None, "CoAtNet", False,
              "it achieves 90.88% top-1 accuracy on ImageNet"),
    ]


def test_swin_values_without_percent_and_deltas_left_out(dev):
    assert claims_of(dev, "2103.14030") == [
        Claim("2103.14030", IN1K, "top1_accuracy", 87.3, None, None, "Swin Transformer", False,
              "(87.3 top-1 accuracy on ImageNet-1K)"),
        Claim("2103.14030", "COCO test-dev", "box_AP", 58.7, None, None, "Swin Transformer", False,
              "(58.7 box AP and 51.1 mask AP on COCO test-dev)"),
        Claim("2103.14030", "COCO test-dev", "mask_AP", 51.1, None, None, "Swin Transformer", False,
              "(58.7 box AP and 51.1 mask AP on COCO test-dev)"),
        Claim("2103.14030", "ADE20K", "mIoU", 53.5, None, None, "Swin Transformer", False,
              "(53.5 mIoU on ADE20K val)"),
    ]


def test_resnet_bare_error_on_imagenet_is_unspecified_and_relative_improvement_is_no_claim(dev):
    assert claims_of(dev, "1512.03385") == [
        Claim("1512.03385", IN1K, "error_unspecified", 3.57, "%", "ensemble", None, False,
              "An ensemble of these residual nets achieves 3.57% error on the ImageNet test set"),
    ]


def test_batch_norm_qualifier_carries_into_the_bracket(dev):
    assert claims_of(dev, "1502.03167") == [
        Claim("1502.03167", IN1K, "top5_error", 4.9, "%", "ensemble", "Batch Normalization", False,
              "reaching 4.9% top-5 validation error"),
        Claim("1502.03167", IN1K, "top5_error", 4.8, "%", "ensemble", "Batch Normalization", False,
              "(and 4.8% test error)"),
    ]


def test_byol_latex_percentages_and_linear_evaluation(dev):
    assert claims_of(dev, "2006.07733") == [
        Claim("2006.07733", IN1K, "top1_accuracy", 74.3, "%", "linear-probe", "BYOL", False,
              "BYOL reaches $74.3\\%$ top-1 classification accuracy on ImageNet"),
        Claim("2006.07733", IN1K, "top1_accuracy", 79.6, "%", "linear-probe", "ResNet", False,
              "$79.6\\%$ with a larger ResNet"),
    ]


def test_bert_benchmarks_by_name_and_point_improvements_left_out(dev):
    assert claims_of(dev, "1810.04805") == [
        Claim("1810.04805", "GLUE", "glue_score", 80.5, "%", None, "BERT", False,
              "including pushing the GLUE score to 80.5%"),
        Claim("1810.04805", "MultiNLI", "accuracy", 86.7, "%", None, "BERT", False, "MultiNLI accuracy to 86.7%"),
        Claim("1810.04805", "SQuAD v1.1", "F1", 93.2, None, None, "BERT", False,
              "SQuAD v1.1 question answering Test F1 to 93.2"),
        Claim("1810.04805", "SQuAD v2.0", "F1", 83.1, None, None, "BERT", False, "SQuAD v2.0 Test F1 to 83.1"),
    ]


@pytest.mark.parametrize("arxiv_id", [
    "1409.1556",   # VGG: (3x3), 16-19 weight layers, 2014, places
    "1409.4842",   # GoogLeNet: SOTA wording, 22 layers
    "2010.11929",  # ViT: ImageNet named, no number
    "2211.07636",  # EVA: one billion parameters, a thousand categories
    "1611.05431",  # ResNeXt: 2nd place, ImageNet-5K
    "1608.06993",  # DenseNet: L(L+1)/2
    "2003.13678",  # RegNet: 5x faster
    "1610.02357",  # Xception: 350 million images, 17,000 classes
    "1605.07146",  # WRN: 16-layer-deep
    "2005.12872",  # DETR: no numbers
    "1703.06870",  # Mask R-CNN: 5 fps, COCO 2016
    "2111.09883",  # Swin V2: 3 billion, 1,536$\times$1,536, 40 times
    "2102.05918",  # ALIGN: one billion pairs
])
def test_abstracts_without_results_give_no_claims(dev, arxiv_id):
    assert claims_of(dev, arxiv_id) == []


def test_the_seed_sentence_from_coca(dev):
    text = ("Notably on ImageNet classification, CoCa obtains 86.3% zero-shot top-1 accuracy, 90.6% with a frozen "
            "encoder and learned classification head, and new state-of-the-art 91.0% top-1 accuracy on ImageNet with "
            "a finetuned encoder.")
    claims = extract_claims("CoCa: Contrastive Captioners are Image-Text Foundation Models", text, "2205.01917")
    assert [(c.dataset, c.metric, c.value, c.setting, c.model, c.is_baseline) for c in claims] == [
        (IN1K, "top1_accuracy", 86.3, "zero-shot", "CoCa", False),
        (IN1K, "top1_accuracy", 90.6, "frozen-encoder", "CoCa", False),
        (IN1K, "top1_accuracy", 91.0, "finetuned", "CoCa", False),
    ]
    assert claims[2].quote == "and new state-of-the-art 91.0% top-1 accuracy on ImageNet"


# -- the whole dev set ---------------------------------------------------------------------------------------------

def test_dev_set_meets_the_targets(dev_path):
    gold = parse_gold(dev_path.read_text(encoding="utf-8"), str(dev_path))
    predicted = [c for p in gold for c in extract_claims(p.title, p.abstract, p.arxiv_id)]
    report = score_claims(gold, predicted)
    imagenet = report.scores[SCOPE_IMAGENET]
    assert imagenet.gold == 31
    assert imagenet.precision >= 0.95 and imagenet.recall >= 0.90
    assert report.scores[SCOPE_ALL].f1 >= 0.90


def test_every_quote_is_a_substring_holding_its_value(dev):
    for record in dev.values():
        for claim in extract_claims(record["title"], record["abstract"], record["arxiv_id"]):
            assert claim.quote in record["abstract"]
            assert f"{claim.value:g}" in claim.quote.replace(",", "")


def test_the_whole_dev_set_takes_well_under_a_second(dev):
    extract_claims("warm-up", "It achieves 80.0% top-1 accuracy on ImageNet.")
    started = time.perf_counter()
    for record in dev.values():
        extract_claims(record["title"], record["abstract"], record["arxiv_id"])
    assert time.perf_counter() - started < 0.5


def test_claims_are_frozen(dev):
    claim = claims_of(dev, "1512.03385")[0]
    with pytest.raises(FrozenInstanceError):
        claim.value = 1.0  # type: ignore[misc]
    assert list(claim.to_dict()) == ["arxiv_id", "dataset", "metric", "value", "unit", "setting", "model",
                                     "is_baseline", "quote"]


# -- edge cases (constructed sentences) ----------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "Our model is 1.2% better than DeiT on ImageNet.",
    "It improves top-1 accuracy on ImageNet by +1.2%.",
    "It outperforms the previous best by 4.0% top-1 accuracy on ImageNet.",
    "This is a 26% relative improvement on ImageNet.",
    "It has a lower top-1 error (absolute 7.8%) than MobileNet on ImageNet classification.",
    "It yields a 1.5% top-1 accuracy gain on ImageNet.",
    "It is within 0.3% mAP of AutoAugment on COCO.",
    "Our model has 86M parameters, 17.5 GFLOPs and 5.3M parameters in its small version on ImageNet.",
    "It is 8.4x smaller and 6.1x faster, and 5 times faster on CPU than EfficientNet on ImageNet.",
    "We train at 224x224 and test at 320x320 on ImageNet-1K (224 size).",
    "We mask 75% of the patches and fine-tune with 1% of the labels on ImageNet.",
    "Pre-trained on ImageNet-21K (14M images) and JFT-300M, it uses 300M unlabeled images.",
    "It won the 1st place in the ILSVRC 2015 classification task and the 2nd place in 2016.",
    "It obtains a 30% speedup and 40% memory savings on ImageNet.",
    "Accuracy drops of 3% - 15% on ImageNet were measured.",
])
def test_deltas_sizes_ratios_and_pretraining_data_are_no_claims(text):
    assert extract_claims("", text) == []


def test_pretraining_data_is_never_the_evaluation_set():
    text = ("Without extra data, X achieves 86.0% ImageNet top-1 accuracy; when pre-trained on ImageNet-21K, "
            "it achieves 88.6% top-1 accuracy, and with JFT-3B 90.9% top-1 accuracy.")
    assert own(text) == [(IN1K, "top1_accuracy", 86.0), (IN1K, "top1_accuracy", 88.6), (IN1K, "top1_accuracy", 90.9)]
    assert own("Pre-trained on JFT-300M, it achieves 88.6% top-1 accuracy.") == []


@pytest.mark.parametrize("spelling", ["ImageNet", "Imagenet", "ImageNet-1k", "ImageNet-1K", "ILSVRC-2012",
                                      "ILSVRC 2012", "ImageNet val", "ImageNet-2012", "IN-1K",
                                      "the ImageNet ILSVRC-2012 validation set"])
def test_imagenet_1k_spellings(spelling):
    assert own(f"It achieves 85.1% top-1 accuracy on {spelling}.") == [(IN1K, "top1_accuracy", 85.1)]


@pytest.mark.parametrize("spelling, canonical", [
    ("ImageNet-V2", "ImageNet-V2"), ("ImageNetV2", "ImageNet-V2"), ("ImageNet-ReaL", "ImageNet-ReaL"),
    ("ImageNet Real Labels", "ImageNet-ReaL"), ("ImageNet-A", "ImageNet-A"), ("ImageNet-R", "ImageNet-R"),
    ("ImageNet-Sketch", "ImageNet-Sketch"), ("CIFAR-10", "CIFAR-10"), ("CIFAR-100", "CIFAR-100"),
    ("ObjectNet", "ObjectNet"), ("Tiny ImageNet", "Tiny ImageNet"),
])
def test_other_test_sets_keep_their_own_names(spelling, canonical):
    assert own(f"It achieves 85.1% top-1 accuracy on {spelling}.") == [(canonical, "top1_accuracy", 85.1)]


@pytest.mark.parametrize("text, metric", [
    ("It achieves 85.1% accuracy on ImageNet.", "top1_accuracy"),
    ("It reaches a top-5 accuracy of 85.1% on ImageNet.", "top5_accuracy"),
    ("It achieves 85.1% top-1 error on ImageNet.", "top1_error"),
    ("It achieves a Top-5 error rate of 85.1% on ImageNet.", "top5_error"),
    ("It achieves 85.1% error on ImageNet.", "error_unspecified"),
    ("It achieves a 85.1% error rate on CIFAR-10.", "top1_error"),
    ("It achieves 85.1 box AP on COCO test-dev.", "box_AP"),
    ("It achieves 85.1 mAP on COCO.", "box_mAP"),
    ("It achieves 85.1 mIoU on ADE20K.", "mIoU"),
    ("It achieves 85.1 BLEU on WMT 2014 English-to-German.", "BLEU"),
    ("It reaches an Acc@5 of 85.1% on ImageNet-1K.", "top5_accuracy"),
])
def test_metric_names(text, metric):
    assert [c.metric for c in extract_claims("", text)] == [metric]


@pytest.mark.parametrize("text, setting", [
    ("It achieves 85.1% zero-shot top-1 accuracy on ImageNet.", "zero-shot"),
    ("It achieves 85.1% top-1 accuracy on ImageNet under linear probing.", "linear-probe"),
    ("It achieves 85.1% top-1 accuracy on ImageNet with a frozen backbone.", "frozen-encoder"),
    ("It achieves 85.1% fine-tuning top-1 accuracy on ImageNet.", "finetuned"),
    ("It achieves 85.1% top-1 accuracy on ImageNet with 10 examples per class.", "few-shot"),
    ("Trained from scratch, it achieves 85.1% top-1 accuracy on ImageNet.", "from-scratch"),
    ("It achieves 85.1% top-1 accuracy on ImageNet without extra training data.", "from-scratch"),
    ("An ensemble achieves 85.1% top-1 accuracy on ImageNet.", "ensemble"),
    ("Our single-model result is 85.1% top-1 accuracy on ImageNet.", "single-model"),
    ("It achieves 85.1% top-1 accuracy on ImageNet.", None),
])
def test_settings(text, setting):
    assert [c.setting for c in extract_claims("", text)] == [setting]


def test_cited_numbers_are_baselines():
    text = ("It achieves 83.2% top-1 accuracy on ImageNet-1K, outperforming DeiT (81.8%). "
            "It improves ImageNet-A top-1 accuracy from 61.0% to 83.7%. "
            "We attain a top-1 accuracy of 83.5% on ImageNet which is better than the previous record of 83.1%.")
    assert [(c.dataset, c.value, c.is_baseline, c.model) for c in extract_claims("", text)] == [
        (IN1K, 83.2, False, None), (IN1K, 81.8, True, "DeiT"), ("ImageNet-A", 61.0, True, None),
        ("ImageNet-A", 83.7, False, None), (IN1K, 83.5, False, None), (IN1K, 83.1, True, None),
    ]


def test_values_listed_with_datasets_respectively():
    text = "We report test errors of 2.86% and 15.85% on CIFAR-10 and CIFAR-100, respectively."
    assert own(text) == [("CIFAR-10", "top1_error", 2.86), ("CIFAR-100", "top1_error", 15.85)]


def test_qualifier_lists_pair_up():
    assert own("It reaches top-1 and top-5 accuracies of 80.1% and 95.2% on ImageNet.") == [
        (IN1K, "top1_accuracy", 80.1), (IN1K, "top5_accuracy", 95.2)]
    assert own("It reaches 84.4% top-1 / 97.1% top-5 accuracy on ImageNet.") == [
        (IN1K, "top1_accuracy", 84.4), (IN1K, "top5_accuracy", 97.1)]


def test_averages_over_several_test_sets_are_not_single_benchmark_claims():
    text = "On ImageNet-{A,R,V2,Sketch} and ObjectNet, our model achieves 84.3% top-1 average accuracy."
    assert extract_claims("", text) == []


def test_empty_and_numberless_input():
    assert extract_claims("", "") == []
    assert extract_claims("A title", "We study things. It works well on ImageNet!") == []


_FRAGMENTS = st.sampled_from([
    "We achieve", "85.1%", "84.3", "top-1", "top-5", "accuracy", "error", "on", "ImageNet", "ImageNet-21K", "COCO",
    "(", ")", ",", ".", ";", ":", "/", "and", "from", "to", "by", "+1.2%", "86M", "parameters", "8.4x", "$", "\\%",
    "respectively", "outperforming", "DeiT", "(81.8%)", "zero-shot", "mAP", "box AP", "of", "the", "1%", "labels",
    "224x224", "ILSVRC-2012", "CIFAR-10", "than", "our", "e.g.", "2015", "-", "~",
])


@settings(max_examples=300, deadline=None)
@given(st.lists(_FRAGMENTS, max_size=40), st.sampled_from([" ", ""]))
def test_any_text_gives_claims_quoted_from_it(fragments, joiner):
    text = joiner.join(fragments)
    for claim in extract_claims("Some title: with words", text):
        assert claim.quote and claim.quote in text
        assert claim.dataset and claim.metric
