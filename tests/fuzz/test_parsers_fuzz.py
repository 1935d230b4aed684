"""Every registered parser under hypothesis: real payloads mutated (truncated, bytes flipped, junk inserted, JSON and
YAML nodes swapped for other values) and generated text. Nothing escapes but the documented `ParseError`; what a
parser returns goes on through normalisation and validation, where bad values become rejects, never exceptions.

The examples are bounded (`max_examples`, no deadline) so the whole file runs in well under a minute.
"""
from __future__ import annotations

import json
import os

import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.claims import extract_claims
from pipelines.source import ParseError
from pipelines.values import ValueProblem, parse_value
from pipelines.normalize import normalize_rows
from pipelines.registry import get_source, source_names
from schemas.results import validate_results
from tests.conftest import shared_data_dir
from tests.pipelines.test_source_contract import SAMPLES
from tests.support.doc_examples import sample_file, sample_payload

# CI runs the bounded counts; SOTA_FUZZ_SCALE=20 (say) runs a longer hunt by hand.
SCALE = float(os.environ.get("SOTA_FUZZ_SCALE", "1"))


def fuzz(max_examples: int) -> settings:
    return settings(
        max_examples=max(1, int(max_examples * SCALE)), deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
TODAY = pd.Timestamp("2026-01-01").date()
# Larger payloads are cut to their first part, so each example stays fast; truncation is a mutation anyway.
SEED_BYTES = 24_000


def _seeds() -> list[tuple[str, str, dict, bytes]]:
    seeds = []
    for name in source_names():
        for path, options in SAMPLES[name]:
            seeds.append((name, path, options, sample_payload(shared_data_dir(), path)[:SEED_BYTES]))
    return seeds


SEEDS = _seeds()


def parse_and_load_path(name: str, payload: bytes, options: dict) -> None:
    """Parse; a ParseError is the documented failure. Rows go on through normalise and validate without raising."""
    spec = get_source(name)
    try:
        rows = spec.parse(payload, f"fuzz://{name}", **options)
    except ParseError:
        return
    assert isinstance(rows, list)
    if rows:
        normalized = normalize_rows(rows)
        outcome = validate_results(normalized.results, TODAY)
        accounted = len(outcome.valid) + len(outcome.failures) + len(normalized.rejects) + normalized.duplicates
        assert accounted == len(rows)


@st.composite
def mutated(draw, payload: bytes) -> bytes:
    data = bytearray(payload)
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["truncate", "flip", "insert", "delete", "repeat"]))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if kind == "truncate":
            del data[at:]
        elif kind == "flip" and data:
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif kind == "insert":
            junk = draw(st.one_of(
                st.binary(min_size=1, max_size=16),
                st.sampled_from([b",", b"\"", b"\n", b"<", b"</table>", b"<td>", b"{", b"]", b"\x00", b"\xff\xfe",
                                 b"\xe2\x80\x94", b"NaN", b"-", b"1e309", b"%", b"\r", b":", b"- ", b"---\n"]),
            ))
            data[at:at] = junk
        elif kind == "delete":
            del data[at:at + draw(st.integers(1, 64))]
        elif kind == "repeat":
            data[at:at] = data[at:at + draw(st.integers(1, 200))]
    return bytes(data)


@pytest.mark.parametrize(("name", "path", "options", "payload"), SEEDS, ids=[f"{s[0]}:{s[1]}" for s in SEEDS])
@fuzz(40)
@given(data=st.data())
def test_mutated_real_payloads_raise_only_parse_errors(name, path, options, payload, data):
    parse_and_load_path(name, data.draw(mutated(payload)), options)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-10**20, 10**20) | st.floats(allow_nan=True) | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)


def _node_paths(node, path=()):
    yield path
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _node_paths(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node[:20]):  # the first items are enough: the layout repeats
            yield from _node_paths(value, (*path, index))


def _replaced(node, path, value):
    if not path:
        return value
    head, *rest = path
    copy = dict(node) if isinstance(node, dict) else list(node)
    copy[head] = _replaced(node[head], rest, value)
    return copy


# The 190 kB SQuAD file is left out (its older, 79 kB version has the same layout): rewriting it per example is slow.
STRUCTURED = [
    (name, path, options) for name in source_names() for path, options in SAMPLES[name]
    if path.endswith((".json", ".yml", ".yaml")) or "#yaml:" in path
    if (shared_data_dir() / sample_file(path)).stat().st_size < 100_000
]


@pytest.mark.parametrize(("name", "path", "options"), STRUCTURED, ids=[f"{s[0]}:{s[1]}" for s in STRUCTURED])
@fuzz(60)
@given(data=st.data())
def test_real_json_and_yaml_with_a_node_swapped_raise_only_parse_errors(name, path, options, data):
    text = sample_payload(shared_data_dir(), path).decode("utf-8")
    is_yaml = path.endswith((".yml", ".yaml")) or "#yaml" in path
    document = yaml.safe_load(text) if is_yaml else json.loads(text)
    paths = list(_node_paths(document))
    for _ in range(data.draw(st.integers(1, 3))):
        where = paths[data.draw(st.integers(0, len(paths) - 1))]
        try:
            document = _replaced(document, where, data.draw(JSON_VALUES))
        except (KeyError, IndexError, TypeError):
            pass  # an earlier swap removed this path
    payload = (yaml.safe_dump(document) if is_yaml else json.dumps(document)).encode()
    parse_and_load_path(name, payload, options)


GENERATED = st.one_of(
    st.binary(max_size=600),
    st.text(max_size=600).map(str.encode),
    st.lists(st.lists(st.text(max_size=10), max_size=6), max_size=8).map(
        lambda rows: "\n".join(",".join(row) for row in rows).encode()
    ),
    JSON_VALUES.map(lambda value: json.dumps(value).encode()),
)


@pytest.mark.parametrize("name", source_names())
@fuzz(60)
@given(payload=GENERATED)
def test_generated_payloads_raise_only_parse_errors(name, payload):
    options = dict(SAMPLES[name][0][1])
    parse_and_load_path(name, payload, options)


@pytest.mark.parametrize("name", ["csv", "html-table"])
@fuzz(60)
@given(header=st.lists(st.text(max_size=12), min_size=1, max_size=5),
       rows=st.lists(st.lists(st.text(max_size=12), max_size=5), max_size=6))
def test_generated_tables_raise_only_parse_errors(name, header, rows):
    if name == "csv":
        payload = "\n".join(",".join(json.dumps(cell) for cell in row) for row in [["Model", *header], *rows])
    else:
        def cells(tag, row):
            return "".join(f"<{tag}>{cell}</{tag}>" for cell in row)
        body = "".join(f"<tr>{cells('td', row)}</tr>" for row in rows)
        payload = f"<table><tr>{cells('th', ['Model', *header])}</tr>{body}</table>"
    parse_and_load_path(name, payload.encode(), {"task": "Image Classification", "dataset": "ImageNet"})


@fuzz(150)
@given(title=st.text(max_size=80), abstract=st.one_of(
    st.text(max_size=400),
    st.lists(st.sampled_from([
        "We achieve", "state-of-the-art", "91.2%", "top-1 accuracy", "on ImageNet", "(", ")", "/", "±", "0.3",
        "BLEU", "on WMT14 En-De", "F1", "SQuAD", "1,014.45", "-", ".", "outperforming", "by 2.1 points", "CIFAR-10",
        "error rate of", "3.1", "%", "mAP", "COCO", "test-dev", "vs.", "e.g.", "\n",
    ]), max_size=40).map(" ".join),
))
def test_the_claims_extractor_never_raises(title, abstract):
    claims = extract_claims(title, abstract, "2101.00001")
    assert isinstance(claims, list)


# Crashes the fuzzing found, kept as regular tests.


def test_found_a_number_pasted_twice_is_a_value_problem_not_a_crash():
    with pytest.raises(ValueProblem, match="not a number: '0.0.28191'"):
        parse_value("0.0.28191")


def test_found_a_pasted_twice_cell_in_a_real_board_becomes_a_reject(shared_data):
    payload = (shared_data / "ilsvrc-winners/imagenet.csv").read_bytes().replace(b"0.2577", b"0.0.28191", 1)
    rows = get_source("ilsvrc-csv").parse(payload, "imagenet.csv")
    normalized = normalize_rows(rows)
    assert any("not a number: '0.0.28191'" in reject.reason for reject in normalized.rejects)


@pytest.mark.parametrize(("swap", "problem"), [
    (lambda doc: doc[0]["datasets"][0]["sota"]["sota_rows"].__setitem__(1, None), "row 1: not an object"),
    (lambda doc: doc[0]["datasets"][0].__setitem__("sota", [1]), "'sota' is not an object"),
    (lambda doc: doc[0]["datasets"][0]["sota"].__setitem__("sota_rows", 7), "sota rows is not a list"),
    (lambda doc: doc[0].__setitem__("datasets", 7), "'datasets' is not a list"),
    (lambda doc: doc[0].__setitem__("subtasks", "x"), "'subtasks' is not a list"),
    (lambda doc: doc[0]["datasets"][0].__setitem__("subdatasets", 1.5), "'subdatasets' is not a list"),
])
def test_found_a_pwc_dump_node_of_the_wrong_type_is_a_parse_error(shared_data, swap, problem):
    document = json.loads((shared_data / "pwc-sota-extractor/history/squad@2019-01-03.json").read_text())
    document = document if isinstance(document, list) else [document]
    swap(document)
    with pytest.raises(ParseError, match=problem):
        get_source("pwc-dump").parse(json.dumps(document).encode(), "squad.json")


def test_found_a_pwc_dump_text_field_of_another_json_type_is_kept_as_text(shared_data):
    document = json.loads((shared_data / "pwc-sota-extractor/history/squad@2019-01-03.json").read_text())
    row = document[0]["datasets"][0]["sota"]["sota_rows"][0]
    row.update(paper_title=[None], paper_url=7, paper_date={"y": 2019})
    rows = get_source("pwc-dump").parse(json.dumps(document).encode(), "squad.json")
    assert (rows[0].paper_title, rows[0].paper_url, rows[0].published) == ("[null]", "7", '{"y": 2019}')
    normalize_rows(rows)  # raised AttributeError before


def test_found_model_index_collections_that_are_not_a_list_are_a_parse_error(shared_data):
    text = (shared_data / "pwc-model-index-examples/examples/option2-yaml/model-index.yml").read_text()
    document = yaml.safe_load(text)
    document["Collections"] = True
    with pytest.raises(ParseError, match="'Collections' is not a list"):
        get_source("model-index").parse(yaml.safe_dump(document).encode(), "model-index.yml")
