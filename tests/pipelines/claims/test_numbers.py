"""What a number is before its metric is read: a quantity, a delta or a candidate; and "from A to B" pairs."""
from __future__ import annotations

import pytest

from pipelines.claims.document import Abstract, Status
from pipelines.claims.numbers import classify, from_to_pairs


def statuses(text: str) -> list[tuple[str, Status]]:
    doc = Abstract("", text)
    return [(n.tok.text, classify(doc, n)) for n in doc.nums.values()]


@pytest.mark.parametrize("text, status", [
    ("It reaches 84.3% on ImageNet.", Status.CANDIDATE),
    ("It has 13M parameters.", Status.QUANTITY),
    ("It won in 2015 on ImageNet.", Status.QUANTITY),
    ("It uses a 16-layer net.", Status.QUANTITY),
    ("It trains at 224x224.", Status.QUANTITY),
    ("It masks 75% of the patches.", Status.QUANTITY),
    ("It applies 75% masking.", Status.QUANTITY),
    ("It has a masking ratio 75%.", Status.QUANTITY),
    ("It takes 300 epochs.", Status.QUANTITY),
    ("It gains +1.2% on ImageNet.", Status.DELTA),
    ("It improves accuracy by up to 4.0%.", Status.DELTA),
    ("It is 1.6% better.", Status.DELTA),
    ("a relative improvement of ~25%", Status.DELTA),
    ("It is within 0.3% mAP of AutoAugment.", Status.DELTA),
])
def test_classify(text, status):
    [(_, found)] = statuses(text)
    assert found is status


def test_ranges_are_quantities_at_both_ends():
    assert statuses("Drops of 3% - 15% were seen.") == [("3%", Status.QUANTITY), ("15%", Status.QUANTITY)]


def test_from_to_pairs():
    doc = Abstract("", "It improves top-1 accuracy from 61.0% to 83.7%, and to 85.0% later.")
    for num in doc.nums.values():
        num.status = classify(doc, num)
    pairs = from_to_pairs(doc, list(doc.nums.values()))
    assert [(a.tok.text, b.tok.text) for a, b in pairs] == [("61.0%", "83.7%")]
