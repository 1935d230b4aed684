"""`sota claims extract` and `sota claims score` through Typer's test runner, on the real dev set and on small files."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli.claims import claims_app

runner = CliRunner()
KEYS = ["arxiv_id", "dataset", "metric", "value", "unit", "setting", "model", "is_baseline", "quote"]
RESNET = ("Deeper neural networks are more difficult to train. An ensemble of these residual nets achieves 3.57% error "
          "on the ImageNet test set. We obtain a 28% relative improvement on the COCO object detection dataset.")


@pytest.fixture(scope="module")
def dev_path(shared_data: Path) -> Path:
    return shared_data / "arxiv-abstracts" / "dev.jsonl"


def write_lines(path: Path, *records: object) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records), encoding="utf-8")
    return path


def test_extract_prints_one_json_line_per_claim(tmp_path):
    abstracts = write_lines(
        tmp_path / "abstracts.jsonl",
        {"arxiv_id": "1512.03385", "title": "Deep Residual Learning for Image Recognition", "abstract": RESNET},
        {"arxiv_id": "0000.00000", "title": "Nothing", "abstract": "No numbers here.", "extra": 1},
        {"arxiv_id": "2303.11331", "title": "EVA-02: A Visual Representation for Neon Genesis",
         "abstract": "Our EVA-02-CLIP can reach up to 80.4 zero-shot top-1 on ImageNet-1K."},
    )
    result = runner.invoke(claims_app, ["extract", "--jsonl", str(abstracts)])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert [json.loads(line) for line in result.stdout.splitlines()] == [
        {"arxiv_id": "1512.03385", "dataset": "ImageNet-1K", "metric": "error_unspecified", "value": 3.57,
         "unit": "%", "setting": "ensemble", "model": None, "is_baseline": False,
         "quote": "An ensemble of these residual nets achieves 3.57% error on the ImageNet test set"},
        {"arxiv_id": "2303.11331", "dataset": "ImageNet-1K", "metric": "top1_accuracy", "value": 80.4,
         "unit": None, "setting": "zero-shot", "model": "EVA-02-CLIP", "is_baseline": False,
         "quote": "Our EVA-02-CLIP can reach up to 80.4 zero-shot top-1 on ImageNet-1K"},
    ]


def test_extract_over_the_dev_set(dev_path):
    result = runner.invoke(claims_app, ["extract", "--jsonl", str(dev_path)])
    assert result.exit_code == 0, result.output
    abstracts = {r["arxiv_id"]: r["abstract"] for r in map(json.loads, dev_path.read_text().splitlines())}
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 47
    for row in rows:
        assert list(row) == KEYS
        assert row["quote"] in abstracts[row["arxiv_id"]]


def test_score_on_the_dev_set_prints_the_table_and_no_misses(dev_path):
    result = runner.invoke(claims_app, ["score", "--gold", str(dev_path)])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "scope                       gold  pred   tp   fp   fn  precision  recall      f1",
        "ImageNet-1K top-1/top-5       31    31   31    0    0      1.000   1.000   1.000",
        "all claims                    47    47   47    0    0      1.000   1.000   1.000",
        "",
        "misses (0):",
        "false hits (0):",
    ]


def test_score_lists_every_miss_and_false_hit(tmp_path):
    gold = write_lines(tmp_path / "gold.jsonl", {
        "arxiv_id": "1512.03385", "title": "Deep Residual Learning", "abstract": RESNET,
        "claims": [
            {"dataset_canonical": "ImageNet-1K", "metric": "top5_error", "value": 3.57, "is_baseline": False,
             "quote": "An ensemble of these residual nets achieves 3.57% error"},
            {"dataset_canonical": "ImageNet-1K", "metric": "top1_error", "value": 19.38, "is_baseline": True,
             "quote": "not in this text"},
        ]})
    result = runner.invoke(claims_app, ["score", "--gold", str(gold)])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "scope                       gold  pred   tp   fp   fn  precision  recall      f1",
        "ImageNet-1K top-1/top-5        1     0    0    0    1      1.000   0.000   0.000",
        "all claims                     1     1    0    1    1      0.000   0.000   0.000",
        "",
        "misses (1):",
        "  1512.03385  ImageNet-1K / top5_error / 3.57 [ImageNet top-k]"
        "  gold quote: 'An ensemble of these residual nets achieves 3.57% error'",
        "      extracted instead: ImageNet-1K / error_unspecified / 3.57",
        "false hits (1):",
        "  1512.03385  ImageNet-1K / error_unspecified / 3.57"
        "  quote: 'An ensemble of these residual nets achieves 3.57% error on the ImageNet test set'",
    ]


@pytest.mark.parametrize("command", ["extract --jsonl", "score --gold"])
@pytest.mark.parametrize("content, message", [
    (None, "no such file"),
    ("dir", "is a directory"),
    (b"\xff\xfe not utf-8", "not UTF-8 text"),
    ('{"arxiv_id": "1", "title": "t", "abstract": "a", "claims": []}\n{not json\n', ":2: not valid JSON"),
    ('["a list"]\n', ":1: expected a JSON object"),
    ('{"arxiv_id": "1", "title": "t"}\n', ":1: field 'abstract' missing or not a string"),
])
def test_a_bad_file_is_one_line_on_stderr_and_exit_2(tmp_path, command, content, message):
    path = tmp_path / "input.jsonl"
    if content == "dir":
        path.mkdir()
    elif isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content, encoding="utf-8")
    result = runner.invoke(claims_app, [*command.split(), str(path)])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: ")
    assert message in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize("line, message", [
    ('{"arxiv_id": "1", "title": "t", "abstract": "a"}', "field 'claims' missing or not a list"),
    ('{"arxiv_id": "1", "title": "t", "abstract": "a", "claims": [{"metric": "m", "value": 1}]}',
     "claim 1 lacks a dataset or metric name"),
    ('{"arxiv_id": "1", "title": "t", "abstract": "a", "claims": [{"dataset": "d", "metric": "m", "value": "9"}]}',
     "claim 1 has a non-numeric value '9'"),
])
def test_a_gold_file_with_bad_labels_is_refused(tmp_path, line, message):
    gold = write_lines(tmp_path / "gold.jsonl", line)
    result = runner.invoke(claims_app, ["score", "--gold", str(gold)])
    assert result.exit_code == 2
    assert result.stderr == f"error: {gold}:1: {message}\n"


def test_an_empty_gold_file_is_refused(tmp_path):
    gold = write_lines(tmp_path / "gold.jsonl", "")
    result = runner.invoke(claims_app, ["score", "--gold", str(gold)])
    assert result.exit_code == 2
    assert result.stderr == f"error: {gold}: no labelled abstracts in the file\n"


def test_missing_option_is_a_usage_error():
    result = runner.invoke(claims_app, ["extract"])
    assert result.exit_code == 2
    assert "--jsonl" in result.output


def test_a_bad_file_keeps_exit_status_2_when_the_app_runs_embedded(capsys):
    # The main CLI runs sub-apps with standalone_mode=False, where click would turn typer.Exit into a return value.
    with pytest.raises(SystemExit) as stop:
        claims_app(args=["score", "--gold", "/nonexistent/gold.jsonl"], standalone_mode=False)
    assert stop.value.code == 2
    assert capsys.readouterr().err == "error: /nonexistent/gold.jsonl: no such file\n"


def test_mounted_as_sota_claims(dev_path, capsys):
    from flows.cli import main

    assert main(["claims", "score", "--gold", str(dev_path)]) == 0
    assert "ImageNet-1K top-1/top-5       31    31   31" in capsys.readouterr().out
    assert main(["claims", "extract", "--jsonl", "/nonexistent/abstracts.jsonl"]) == 2
    assert capsys.readouterr().err == "error: /nonexistent/abstracts.jsonl: no such file\n"
