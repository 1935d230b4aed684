"""One contract over every registered source (as Singer SDK's standard tests do): a source added to the registry is
tested the day it is added, and fails here until it names a real payload to be tested on."""
import dataclasses
import json

import pandas as pd
import pytest

from pipelines.normalize import normalize_rows
from pipelines.registry import get_source, source_names
from schemas.results import RAW_ROW_SCHEMA, validate_results
from tests.support.doc_examples import sample_file, sample_payload

IMAGENET = {"task": "Image Classification", "dataset": "ImageNet"}

# source -> real payloads in ../shared/data (path, options); every folder carries a PROVENANCE.txt. A path with `#`
# names examples in a specification (tests/support/doc_examples.py), for a source whose folder holds no recording.
SAMPLES = {
    "pwc-dump": [("pwc-sota-extractor/squad.json", {}), ("pwc-sota-extractor/history/squad@2019-01-03.json", {})],
    "pwc-page": [("pwc-sota-page/image-classification-on-imagenet@2023-12-07.json", {})],
    "csv": [("pwc-imagenet-2019-handcopy/imagenet_table.csv", IMAGENET)],
    "timm-csv": [("timm-results/results-imagenet-real.csv", {}), ("timm-results/history/results-imagenet@2021-05-11.csv", {})],
    "robustbench-html": [("robustbench/html-head/imagenet_Linf.html", {}), ("robustbench/history/cifar10_Linf@2021-04-08.html", {})],
    "html-table": [("robustbench/html-head/imagenet_Linf.html", {"task": "Adversarial Defense", "dataset": "ImageNet (Linf)"})],
    "model-index": [("timm-model-index/resnet.mdx", {}), ("pwc-model-index-examples/examples/option2-yaml/model-index.yml", {})],
    "epoch-csv": [("epoch-benchmarks-2025/external_benchmark_mmlu.csv", {}), ("epoch-benchmarks-2025/benchmarks_runs.csv", {})],
    "ilsvrc-csv": [("ilsvrc-winners/imagenet.csv", {})],
    "arxiv": [("arxiv-atom/arxiv.py-fixtures-2016/search_query=au_del_maestro.xml", {})],
    # v1 results of a paper name no board: the caller says which
    "pwc-api": [("pwc-api-v1-2021/paper_result_list.json", {"task": "Semantic Segmentation", "dataset": "Cityscapes test"})],
    "opencodepapers": [("opencodepapers/image-classification-on-imagenet.json", {})],
    "epoch-runs": [("epoch-benchmarks-2025/benchmarks_runs.csv", {})],
    "eee": [(f"every-eval-ever/{name}", {}) for name in (
        "SimpleQA-Verified__anthropic__claude-opus-4-6__0d03a117-82c9-4823-a256-439a728d0ead.json",
        "global-mmlu-lite__Anthropic__Claude-Opus-4.1__562a23d0-d80a-4564-a68b-6b478817fa0e.json",
        "helm_lite__01-ai__yi-34b__3b8567cf-40f0-4d63-ad12-9b1712a2c503.json",
    )],
    # the two .eval_results examples of the Hub's eval-results.md (no real file was recorded); a file names no model
    "hf-eval-results": [("hf-eval-results/eval-results.md#yaml:0,1", {"model": "openai/gpt-oss-120b"})],
}

# a feed of papers whose abstracts make no result claim is a real, empty answer for arXiv
MAY_BE_EMPTY = {"arxiv"}

def assert_valid_state(spec, payload: bytes) -> None:
    """The state a source declares its payload leaves: none, or JSON objects by text key, the same every time."""
    if spec.state_after is None:
        return
    state = spec.state_after(payload)
    assert state == spec.state_after(payload), "the state a payload leaves is a pure function of it"
    for key, value in (state or {}).items():
        assert isinstance(key, str) and key and isinstance(value, dict)
        assert json.loads(json.dumps(value)) == value, f"state {key!r} is not plain JSON"


CASES = [(name, path, options) for name in source_names() for path, options in SAMPLES.get(name, [(None, {})])]


@pytest.mark.parametrize("name", source_names())
def test_every_registered_source_names_real_payloads(name, shared_data):
    assert SAMPLES.get(name), f"source {name} is registered but names no real payload in SAMPLES"
    for path, _ in SAMPLES[name]:
        payload = shared_data / sample_file(path)
        assert payload.is_file(), payload
        assert (payload.parent / "PROVENANCE.txt").is_file() or any(
            (parent / "PROVENANCE.txt").is_file() for parent in payload.parents if shared_data in parent.parents
        ), f"{path} has no provenance"


@pytest.mark.parametrize("name, path, options", [c for c in CASES if c[1]])
def test_source_contract(name, path, options, shared_data):
    spec = get_source(name)
    payload = sample_payload(shared_data, path)
    rows = spec.parse(payload, str(shared_data / path), **options)
    assert_valid_state(spec, payload)
    if name in MAY_BE_EMPTY and not rows:
        return
    assert rows, "a real payload gives rows"
    assert rows == spec.parse(payload, str(shared_data / path), **options), "parsing twice gives the same rows"
    frame = pd.DataFrame([dataclasses.asdict(r) for r in rows])
    RAW_ROW_SCHEMA.validate(frame, lazy=True)
    normalized = normalize_rows(rows)
    outcome = validate_results(normalized.results, pd.Timestamp.today().date())
    assert not outcome.valid.empty
    assert outcome.valid["claim_key"].is_unique
    accounted = len(outcome.valid) + len(outcome.failures) + len(normalized.rejects) + normalized.duplicates
    assert accounted == len(rows), "every raw row is loaded, rejected with a reason, or folded as an exact repeat"
