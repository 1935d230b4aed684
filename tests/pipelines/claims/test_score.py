"""Precision and recall of extracted claims against a small hand-written gold file."""
from __future__ import annotations

import json

import pytest

from pipelines.claims import SCOPE_ALL, SCOPE_IMAGENET, Claim, GoldFileError, format_report, parse_gold, score_claims


def gold_line(arxiv_id: str, *claims: dict) -> str:
    return json.dumps({"arxiv_id": arxiv_id, "title": "T", "abstract": "A", "claims": list(claims)})


def claim(arxiv_id: str, dataset: str, metric: str, value: float, baseline: bool = False) -> Claim:
    return Claim(arxiv_id, dataset, metric, value, "%", None, None, baseline, f"{value}")


GOLD = "\n".join([
    gold_line("1", {"dataset_canonical": "ImageNet-1K", "metric": "top1_accuracy", "value": 84.3, "quote": "84.3%"},
              {"dataset": "ImageNet-1K", "metric": "top1_accuracy", "value": 81.8, "is_baseline": True}),
    gold_line("2", {"dataset_canonical": "COCO", "metric": "box_AP", "value": 58.7, "quote": "58.7 box AP"}),
    "",
])


def test_own_claims_are_scored_per_scope_with_every_miss_and_false_hit():
    gold = parse_gold(GOLD, "gold.jsonl")
    report = score_claims(gold, [
        claim("1", "ImageNet-1K", "top1_accuracy", 84.3),
        claim("1", "ImageNet-1K", "top1_accuracy", 81.8),  # the gold's baseline, claimed as the paper's own
        claim("1", "ImageNet-1K", "top5_accuracy", 97.0, baseline=True),  # baselines count on neither side
        claim("2", "COCO", "mask_AP", 58.7),
    ])
    imagenet, every = report.scores[SCOPE_IMAGENET], report.scores[SCOPE_ALL]
    assert (imagenet.gold, imagenet.predicted, imagenet.true_positives) == (1, 2, 1)
    assert (every.gold, every.predicted, every.true_positives, every.false_negatives) == (2, 3, 1, 1)
    assert every.precision == pytest.approx(1 / 3) and every.recall == 0.5 and every.f1 == pytest.approx(0.4)
    [miss] = report.misses
    assert miss.key == ("2", "COCO", "box_AP", 58.7) and [c.metric for c in miss.extracted_instead] == ["mask_AP"]
    assert [(f.key[2], f.key[3], f.gold_note) for f in report.false_hits] == [
        ("top1_accuracy", 81.8, "the gold marks this number as a baseline"), ("mask_AP", 58.7, None)]
    text = format_report(report)
    assert "misses (1):" in text and "extracted instead: COCO / mask_AP / 58.7" in text


def test_nothing_predicted_and_nothing_labelled():
    report = score_claims([], [])
    assert report.scores[SCOPE_ALL].precision == report.scores[SCOPE_ALL].recall == 1.0


@pytest.mark.parametrize("text, message", [
    ("", "gold.jsonl: no labelled abstracts"),
    ("[1]", "gold.jsonl:1: expected a JSON object"),
    ('{"arxiv_id": "1", "title": "T", "abstract": "A"}', "gold.jsonl:1: field 'claims' missing"),
    (gold_line("1", {"dataset": "D", "metric": "m", "value": "84"}), "gold.jsonl:1: claim 1 has a non-numeric value"),
])
def test_a_bad_gold_file_names_the_line(text, message):
    with pytest.raises(GoldFileError, match=message):
        parse_gold(text, "gold.jsonl")
