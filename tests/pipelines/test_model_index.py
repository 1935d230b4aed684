"""model-index against timm's real docs pages (.mdx) and the official paperswithcode/model-index examples, in place."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from pipelines.source import ParseError, RawRow
from pipelines.model_index import SOURCE, parse_model_index
from pipelines.normalize import normalize_rows
from pipelines.registry import get_source

IMAGENET = {"task": "Image Classification", "dataset": "ImageNet"}
RESNET_PAPER = {"paper_title": "Deep Residual Learning for Image Recognition",
                "paper_url": "https://paperswithcode.com/paper/deep-residual-learning-for-image-recognition"}


def parse_file(path: Path) -> list[RawRow]:
    return parse_model_index(path.read_bytes(), str(path))


@pytest.fixture(scope="module")
def timm_pages(shared_data: Path) -> list[Path]:
    return sorted((shared_data / "timm-model-index").glob("*.mdx"))


@pytest.fixture(scope="module")
def examples(shared_data: Path) -> Path:
    return shared_data / "pwc-model-index-examples" / "examples"


@pytest.fixture(scope="module")
def timm_rows(timm_pages: list[Path]) -> list[RawRow]:
    return [row for page in timm_pages for row in parse_file(page)]


def test_source_is_registered_and_is_not_a_full_listing():
    assert get_source("model-index") is SOURCE
    assert SOURCE.parse is parse_model_index
    # A page documents some models of the ImageNet board; the next page loaded must not remove them.
    assert SOURCE.full_listing is False
    assert SOURCE.required_options == ()


def test_timm_docs_carry_the_261_imagenet_results(timm_pages: list[Path], timm_rows: list[RawRow]):
    assert len(timm_pages) == 63
    # 261 results (one per model, all Image Classification / ImageNet), two metrics each.
    assert len(timm_rows) == 522
    assert Counter(r.metric for r in timm_rows) == {"Top 1 Accuracy": 261, "Top 5 Accuracy": 261}
    assert {(r.task, r.dataset) for r in timm_rows} == {("Image Classification", "ImageNet")}
    assert len({r.model for r in timm_rows}) == 261
    assert all(parse_file(page) for page in timm_pages), "every page has at least one result"
    # No dates in timm's blocks: the first sighting stands in.
    assert {r.published for r in timm_rows} == {None}


def test_first_and_last_rows_of_the_resnet_page(shared_data: Path):
    rows = parse_file(shared_data / "timm-model-index" / "resnet.mdx")
    assert len(rows) == 18
    assert rows[0] == RawRow(
        **IMAGENET, metric="Top 1 Accuracy", model="resnet18", value="69.74%",
        row_ref="block at line 99: model 'resnet18' result 1", **RESNET_PAPER, uses_additional_data=False,
        attributes={
            "collection": "ResNet",
            "Code": "https://github.com/rwightman/pytorch-image-models/blob/d8e69206be253892b2956341fea09fdebfaae4e3"
                    "/timm/models/resnet.py#L641",
            "Weights": "https://download.pytorch.org/models/resnet18-5c106cde.pth",
            "FLOPs": 2337073152, "Parameters": 11690000, "File Size": 46827520, "ID": "resnet18", "Crop Pct": "0.875",
            "Image Size": "224", "Interpolation": "bilinear", "Training Data": ["ImageNet"]})
    assert rows[-1] == RawRow(
        **IMAGENET, metric="Top 5 Accuracy", model="tv_resnet50", value="92.88%",
        row_ref="block at line 99: model 'tv_resnet50' result 1", **RESNET_PAPER, uses_additional_data=False,
        attributes={
            "collection": "ResNet",
            "Code": "https://github.com/rwightman/pytorch-image-models/blob/9a25fdf3ad0414b4d66da443fe60ae0aa14edc84"
                    "/timm/models/resnet.py#L753",
            "Weights": "https://download.pytorch.org/models/resnet50-19c8e357.pth",
            "FLOPs": 5282531328, "Parameters": 25560000, "File Size": 102502400, "ID": "tv_resnet50", "LR": 0.1,
            "Epochs": 90, "Crop Pct": "0.875", "LR Gamma": 0.1, "Momentum": 0.9, "Batch Size": 32, "Image Size": "224",
            "LR Step Size": 30, "Weight Decay": 0.0001, "Interpolation": "bilinear", "Training Data": ["ImageNet"]})


def test_training_data_beyond_the_dataset_sets_the_extra_data_flag(timm_rows: list[RawRow]):
    l2_ns = [r for r in timm_rows if r.model == "tf_efficientnet_l2_ns"]
    assert [(r.metric, r.value, r.uses_additional_data) for r in l2_ns] == [
        ("Top 1 Accuracy", "88.35%", True), ("Top 5 Accuracy", "98.66%", True)]
    assert l2_ns[0].attributes["Training Data"] == ["ImageNet", "JFT-300M"]
    # 28 models list more than ImageNet (JFT-300M 16, IG-1B-Targeted 6, IG-3.5B-17k 4, YFCC-100M 2).
    assert Counter(r.uses_additional_data for r in timm_rows) == {False: 466, True: 56}


def test_timm_rows_normalise_without_rejects(timm_rows: list[RawRow]):
    normalized = normalize_rows(timm_rows)
    assert normalized.rejects == [] and normalized.duplicates == 0
    assert len(normalized.results) == 522
    assert set(normalized.results["unit"]) == {"percent"}
    assert set(normalized.results["direction"]) == {"higher"}
    assert set(normalized.results["published_precision"]) == {"unknown"}


def test_official_examples_markdown_comment_and_yaml_file(examples: Path):
    alexnet = parse_file(examples / "option1-markdown" / "docs" / "alexnet.md")
    assert [(r.metric, r.value) for r in alexnet] == [("Top 1 Accuracy", "56.55%"), ("Top 5 Accuracy", "79.09%")]
    # `Paper: '1404.5997'` on the collection is an arXiv id.
    assert {(r.model, r.arxiv_id, r.paper_title, r.paper_url) for r in alexnet} == {("AlexNet", "1404.5997", None, None)}

    resnet = parse_file(examples / "option1-markdown" / "docs" / "resnet.md")
    # "ResNet-101 " is written with a trailing space upstream; the name is stripped.
    assert [(r.model, r.metric, r.value, r.arxiv_id) for r in resnet] == [
        ("ResNet-101", "Top 1 Accuracy", "77.37%", "1512.03385"), ("ResNet-101", "Top 5 Accuracy", "93.56%", "1512.03385"),
        ("ResNet-152", "Top 1 Accuracy", "78.31%", "1512.03385"), ("ResNet-152", "Top 5 Accuracy", "94.06%", "1512.03385")]

    index = parse_file(examples / "option2-yaml" / "model-index.yml")
    assert len(index) == 6
    assert index[0] == RawRow(
        **IMAGENET, metric="Top 1 Accuracy", model="AlexNet", value="56.55%", row_ref="document: model 'AlexNet' result 1",
        arxiv_id="1404.5997",
        attributes={
            "collection": "AlexNet", "README": "docs/alexnet.md",
            "Code": "https://github.com/pytorch/vision/blob/5a315453da5089d66de94604ea49334a66552524/torchvision/models"
                    "/alexnet.py#L53",
            "Config": "https://github.com/pytorch/vision/tree/master/references/classification",
            "Weights": "https://download.pytorch.org/models/alexnet-owt-4df8aa71.pth",
            # A path to a metadata file is kept, not followed, so the training data (and the flag) stay unknown.
            "Metadata": "metadata/alexnet.yml"})
    assert [r.model for r in index[::2]] == ["AlexNet", "ResNet-101", "ResNet-152"]


def test_a_yaml_fence_in_markdown_is_read(examples: Path):
    # The examples' README shows a model-index inside a ```yaml fence (and an Import example that has no Models).
    rows = parse_file(examples / "README.md")
    assert [(r.model, r.metric, r.value, r.row_ref) for r in rows] == [
        ("AlexNet", "Top 1 Accuracy", "56.55%", "block at line 34: model 'AlexNet' result 1"),
        ("AlexNet", "Top 5 Accuracy", "79.09%", "block at line 34: model 'AlexNet' result 1")]


def test_paper_forms_dates_and_extra_data_rules():
    page = b"""# Card
<!-- an ordinary comment -->
```yaml
Collections:
- Name: C
  Paper:
    Title: A Paper
    URL: https://arxiv.org/abs/2010.11929v2
    Date: 2020-10-22
Models:
- Name: a
  In Collection: C
  Metadata:
    Training Data: [ImageNet-1k]
  Results:
  - Task: Image Classification
    Dataset: ImageNet
    Metrics: {Top 1 Accuracy: 81.5}
- Name: b
  Paper: https://example.org/b.pdf
  Date: Jun 2021
  Metadata:
    Training Data: [ImageNet]
  Results:
  - Task: Image Classification
    Dataset: ImageNet V2
    Metrics: {Top 1 Accuracy: null}
- Name: c
  Paper: 1905.11940
  Results:
  - {Task: Image Classification, Dataset: ImageNet, Date: 2019-05-28, Metrics: {Top 1 Accuracy: '84.4%'}}
```
"""
    a, b, c = parse_model_index(page, "https://example.org/README.md")
    assert (a.paper_title, a.paper_url, a.arxiv_id, a.published, a.value) == (
        "A Paper", "https://arxiv.org/abs/2010.11929v2", None, "2020-10-22", "81.5")
    # "ImageNet-1k" is ImageNet under another name: trained on the benchmark's own data only.
    assert a.uses_additional_data is False
    # Trained on ImageNet, evaluated on ImageNet V2: that says nothing about extra data.
    assert (b.paper_url, b.published, b.value, b.uses_additional_data) == (
        "https://example.org/b.pdf", "Jun 2021", "", None)
    # An unquoted id is a YAML number (its trailing zero lost): kept as text, never read as an arXiv id.
    assert (c.arxiv_id, c.paper_title, c.published, c.value) == (None, "1905.1194", "2019-05-28", "84.4%")
    normalized = normalize_rows([a, b, c])
    assert [r.reason for r in normalized.rejects] == ["Top 1 Accuracy: no value reported ('')"]
    assert normalized.results["arxiv_id"].iloc[0] == "2010.11929"


def test_parsing_twice_gives_the_same_rows(shared_data: Path):
    page = shared_data / "timm-model-index" / "noisy-student.mdx"
    assert parse_file(page) == parse_file(page)


# --- broken payloads -------------------------------------------------------------------------------------------


def test_pages_and_files_without_results_are_parse_errors_naming_what_is_missing(examples: Path):
    cases = {
        examples / "option1-markdown" / "model-index.yml":
            "an index that only imports other files (Import: ['docs/*.md']); load the imported files instead",
        examples / "option2-yaml" / "docs" / "alexnet.md":
            "no model-index block (an HTML comment or a ```yaml fence with a 'Models' list)",
        examples / "option2-yaml" / "metadata" / "alexnet.yml": "no 'Models' list at the top level (found: Metadata)",
    }
    for path, problem in cases.items():
        with pytest.raises(ParseError) as caught:
            parse_file(path)
        assert (caught.value.source, caught.value.location, caught.value.problem) == ("model-index", str(path), problem)
        assert str(caught.value) == f"model-index: cannot parse {path}: {problem}"


def test_a_broken_block_is_a_parse_error_with_its_line(shared_data: Path):
    page = (shared_data / "timm-model-index" / "resnet.mdx").read_bytes()
    broken = page.replace(b"    Dataset: ImageNet\n", b"    Dataset: [ImageNet\n", 1)
    with pytest.raises(ParseError, match=r"block at line 99: invalid YAML at line \d+ of the block"):
        parse_model_index(broken, "resnet.mdx")


def test_a_result_without_a_task_is_a_parse_error_naming_the_model(shared_data: Path):
    page = (shared_data / "timm-model-index" / "resnet.mdx").read_bytes()
    broken = page.replace(b"  - Task: Image Classification\n    Dataset: ImageNet\n", b"  - Dataset: ImageNet\n", 1)
    with pytest.raises(ParseError, match="block at line 99: model 'resnet18' result 1 has no 'Task'"):
        parse_model_index(broken, "resnet.mdx")


def test_a_model_without_results_everywhere_is_a_parse_error():
    with pytest.raises(ParseError, match="no model has any Results"):
        parse_model_index(b"Models:\n- Name: a\n", "model-index.yml")
