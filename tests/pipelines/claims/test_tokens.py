"""Tokens and sentences of an abstract: kinds, spans, number values."""
from __future__ import annotations

import pytest

from pipelines.claims.tokens import Kind, sentences, tokenize
from pipelines.claims.vocabulary import Role


def kinds(text: str) -> list[tuple[str, str]]:
    return [(t.kind.name, t.text) for t in tokenize(text)]


def test_tokens_keep_their_spans_and_names():
    text = "BYOL reaches $74.3\\%$ top-1 accuracy on ImageNet-21K (see https://x.org/a)."
    toks = tokenize(text)
    assert all(text[t.start:t.end] == t.text for t in toks)
    assert kinds(text) == [
        ("WORD", "BYOL"), ("WORD", "reaches"), ("PUNCT", "$"), ("NUM", "74.3\\%"), ("PUNCT", "$"), ("MET", "top-1"),
        ("MET", "accuracy"), ("WORD", "on"), ("DS", "ImageNet-21K"), ("PUNCT", "("), ("WORD", "see"),
        ("URL", "https://x.org/a)."),
    ]
    [ds] = [t for t in toks if t.kind is Kind.DS]
    assert (ds.label, ds.role, ds.families) == ("ImageNet-21K", Role.PRETRAIN, {"cls"})
    [top1] = [t for t in toks if t.text == "top-1"]
    assert (top1.quals, top1.base) == (("top1",), None)


@pytest.mark.parametrize("text, value, pct", [
    ("1,014.45", 1014.45, False), ("84.3%", 84.3, True), ("84.3 \\%", 84.3, True), ("4.0 percent", 4.0, True),
    ("58", 58.0, False),
])
def test_number_values(text, value, pct):
    [num] = [t for t in tokenize(f"it gets {text} here") if t.kind is Kind.NUM]
    assert (num.value, num.pct) == (value, pct)


def test_a_number_after_a_slash_is_a_value_only_in_a_pair_of_values():
    assert [t.text for t in tokenize("ViT-B/16 gets 83.9% / 96.6% and 63.1/54.4") if t.kind is Kind.NUM] == [
        "83.9%", "96.6%", "63.1", "54.4"]


def test_sentences_do_not_end_after_abbreviations():
    toks = tokenize("We use e.g. the ResNet. It works! 85% is ours (see Fig. 2). and v2.")
    assert [" ".join(t.text for t in toks[a:b]) for a, b in sentences(toks)] == [
        "We use e.g . the ResNet .", "It works !", "85% is ours ( see Fig . 2 ) . and v2 ."]
