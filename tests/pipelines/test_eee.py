"""The Every Eval Ever parser against the three real records (HELM Lite, Global MMLU Lite, SimpleQA Verified): whole
outputs, the same records as a JSON list and as a zip, broken payloads, and one record through ingest into a real
warehouse."""
import dataclasses
import io
import json
import zipfile
from datetime import datetime

import pandas as pd
import pytest

from flows.ingest import ingest
from pipelines.eee import SOURCE, parse_eee
from pipelines.normalize import normalize_rows
from pipelines.registry import get_source
from pipelines.source import ParseError, RawRow
from schemas.results import RAW_ROW_SCHEMA, validate_results

FOLDER = "every-eval-ever"
HELM = "helm_lite__01-ai__yi-34b__3b8567cf-40f0-4d63-ad12-9b1712a2c503.json"
MMLU = "global-mmlu-lite__Anthropic__Claude-Opus-4.1__562a23d0-d80a-4564-a68b-6b478817fa0e.json"
SIMPLEQA = "SimpleQA-Verified__anthropic__claude-opus-4-6__0d03a117-82c9-4823-a256-439a728d0ead.json"
RECORDS = (HELM, MMLU, SIMPLEQA)

SIMPLEQA_ROWS = [
    RawRow(
        task="SimpleQA-Verified",
        dataset="SimpleQA-Verified",
        metric="accuracy",
        model="claude-opus-4-6",
        value="0.431",
        row_ref="SimpleQA-Verified/anthropic_claude-opus-4-6/1770344141.0 / evaluation_results[0] simpleqa_scorer",
        published="2026-02-06",
        attributes={
            "evaluator": "third-party",
            "model_id": "anthropic/claude-opus-4-6",
            "developer": "anthropic",
            "inference_platform": "anthropic",
            "evaluation_id": "SimpleQA-Verified/anthropic_claude-opus-4-6/1770344141.0",
            "source_name": "inspect_ai",
            "source_organization": "unknown",
            "source_type": "evaluation_run",
            "schema_version": "0.2.0",
            "evaluation_name": "simpleqa_scorer",
            "lower_is_better": False,
            "score_range": [0.0, 1.0],
            "interval": [0.40029082880318007, 0.4617091711968199],
        },
    )
]

HELM_BOARDS = [
    ("Mean win rate", "Score", "0.57"),
    ("NarrativeQA", "F1", "0.782"),
    ("NaturalQuestions (closed-book)", "F1", "0.443"),
    ("OpenbookQA", "EM", "0.92"),
    ("MMLU", "EM", "0.65"),
    ("MATH", "Equivalent (CoT)", "0.375"),
    ("GSM8K", "EM", "0.648"),
    ("LegalBench", "EM", "0.618"),
    ("MedQA", "EM", "0.656"),
    ("WMT 2014", "BLEU-4", "0.172"),
]

MMLU_DATASETS = [
    "Global MMLU Lite", "Global MMLU Lite Culturally Sensitive", "Global MMLU Lite Culturally Agnostic", "Arabic",
    "English", "Bengali", "German", "French", "Hindi", "Indonesian", "Italian", "Japanese", "Korean", "Portuguese",
    "Spanish", "Swahili", "Yoruba", "Chinese", "Burmese",
]


@pytest.fixture(scope="module")
def payloads(shared_data):
    return {name: (shared_data / FOLDER / name).read_bytes() for name in RECORDS}


@pytest.fixture(scope="module")
def parsed(payloads):
    return {name: parse_eee(payload, name) for name, payload in payloads.items()}


def zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def parse_error(payload: bytes, location: str = "broken.json") -> ParseError:
    with pytest.raises(ParseError) as caught:
        parse_eee(payload, location)
    message = str(caught.value)
    assert "\n" not in message and message.startswith(f"eee: cannot parse {location}: ")
    return caught.value


def test_registered_as_a_source_of_single_runs():
    assert get_source("eee") is SOURCE
    assert SOURCE.full_listing is False


@pytest.mark.parametrize("name", RECORDS)
def test_each_real_record_keeps_the_source_contract(name, payloads):
    # what tests/pipelines/test_source_contract.py checks once its SAMPLES name these records
    rows = parse_eee(payloads[name], name)
    assert rows and rows == parse_eee(payloads[name], name)
    RAW_ROW_SCHEMA.validate(pd.DataFrame([dataclasses.asdict(r) for r in rows]), lazy=True)
    normalized = normalize_rows(rows)
    outcome = validate_results(normalized.results, pd.Timestamp.today().date())
    assert len(outcome.valid) == len(rows) and not outcome.failures and not normalized.rejects
    assert outcome.valid["claim_key"].is_unique


def test_simpleqa_record_is_one_row_with_its_interval(parsed):
    assert parsed[SIMPLEQA] == SIMPLEQA_ROWS


def test_helm_record_splits_scenario_and_metric(parsed):
    rows = parsed[HELM]
    assert [(r.dataset, r.metric, r.value) for r in rows] == HELM_BOARDS
    assert {(r.task, r.model, r.published) for r in rows} == {("helm_lite", "yi-34b", "2026-01-05")}
    first = rows[0]
    assert first.row_ref == "helm_lite/01-ai_yi-34b/1767657482.092302 / evaluation_results[0] Mean win rate"
    assert first.attributes == {
        "evaluator": "third-party",
        "model_id": "01-ai/yi-34b",
        "model_name": "Yi (34B)",
        "developer": "01-ai",
        "inference_platform": "unknown",
        "evaluation_id": "helm_lite/01-ai_yi-34b/1767657482.092302",
        "source_name": "helm_lite",
        "source_organization": "crfm",
        "source_type": "documentation",
        "schema_version": "0.1.0",
        "evaluation_name": "Mean win rate",
        "lower_is_better": False,
        "score_range": [0.0, 1.0],
        "published_from": "retrieved",  # the record has no evaluation timestamp
    }
    assert all(r.uses_additional_data is None and r.has_code is None and r.paper_url is None for r in rows)


def test_global_mmlu_record_is_nineteen_rows(parsed):
    rows = parsed[MMLU]
    assert [r.dataset for r in rows] == MMLU_DATASETS
    assert {(r.task, r.metric, r.model, r.published) for r in rows} == {
        ("global-mmlu-lite", "Score", "claude-opus-41", "2025-11-28")
    }
    assert rows[0].value == "0.94296875" and rows[3].value == "0.945"
    assert {r.attributes["model_name"] for r in rows} == {"Claude Opus 4.1"}
    assert {r.attributes["source_name"] for r in rows} == {"Kaggle Global MMLU Lite Leaderboard"}


def test_attributes_say_who_evaluated_which_way_and_the_range(parsed):
    rows = [row for name in RECORDS for row in parsed[name]]
    assert len(rows) == 10 + 19 + 1
    assert {r.attributes["evaluator"] for r in rows} == {"third-party"}
    assert {r.attributes["lower_is_better"] for r in rows} == {False}
    assert {tuple(r.attributes["score_range"]) for r in rows} == {(0.0, 1.0)}
    assert [r for r in rows if "interval" in r.attributes] == SIMPLEQA_ROWS
    json.dumps([r.attributes for r in rows])  # serialisable as stored


def test_first_party_stderr_and_schema_0_3_names(payloads):
    record = json.loads(payloads[SIMPLEQA])
    record["source_metadata"]["evaluator_relationship"] = "first_party"
    result = record["evaluation_results"][0]
    result["metric_config"].update(metric_name="Accuracy", lower_is_better=True, min_score=None)
    details = result["score_details"]
    details["uncertainty"] = {"standard_error": {"value": 0.0157, "method": "analytic"},
                              "confidence_interval": {"lower": 0.40, "upper": 0.46, "confidence_level": 0.95}}
    del details["confidence_interval"]
    (row,) = parse_eee(json.dumps(record).encode(), "variant.json")
    assert (row.dataset, row.metric) == ("SimpleQA-Verified", "Accuracy")
    assert {key: row.attributes[key] for key in ("evaluator", "lower_is_better", "score_range", "stderr", "interval",
                                                  "confidence_level")} == {
        "evaluator": "first-party", "lower_is_better": True, "score_range": [None, 1.0], "stderr": 0.0157,
        "interval": [0.40, 0.46], "confidence_level": 0.95}


def test_a_list_of_records_is_the_records_one_by_one(payloads, parsed):
    listing = b"[" + b",".join(payloads[name] for name in RECORDS) + b"]"
    assert parse_eee(listing, "folder.json") == [row for name in RECORDS for row in parsed[name]]


def test_a_zip_of_records_is_the_records_one_by_one(payloads, parsed, shared_data):
    # repository paths, the schema and a README beside them, as a zip of the data folder would hold
    members = {f"data/{name.replace('__', '/')}": payloads[name] for name in RECORDS}
    members["eval.schema.json"] = (shared_data / FOLDER / "eval.schema.json").read_bytes()
    members["README.md"] = b"# records\n"
    members["data/helm_lite/01-ai/yi-34b/3b8567cf.jsonl"] = b'{"sample": 1}\n'
    members["__MACOSX/data/._x.json"] = b"\x00\x05\x16\x07"
    rows = parse_eee(zipped(members), "records.zip")
    by_member_order = sorted(RECORDS, key=lambda name: f"data/{name.replace('__', '/')}")
    assert rows == [row for name in by_member_order for row in parsed[name]]
    assert sorted(rows, key=repr) == sorted((r for name in RECORDS for r in parsed[name]), key=repr)


def test_a_null_score_gives_no_row_and_a_string_score_is_kept_as_written(payloads):
    record = json.loads(payloads[HELM])
    record["evaluation_results"][0]["score_details"]["score"] = None
    record["evaluation_results"][1]["score_details"]["score"] = " 78.2% "
    rows = parse_eee(json.dumps(record).encode(), "variant.json")
    assert [r.dataset for r in rows] == [dataset for dataset, _, _ in HELM_BOARDS[1:]]
    assert rows[0].value == "78.2%"


@pytest.mark.parametrize(
    "payload, problem",
    [
        (b"", "empty payload"),
        (b"  \n", "empty payload"),
        (b"<html>not json</html>", "invalid JSON at line 1 column 1"),
        (b'{"leaderboard": []}', "the payload is a JSON object, not an Every Eval Ever record"),
        (b"[]", "an empty list of records"),
        (b'[{"evaluation_id": "b/m/1", "model_info": {"id": "m"}, "evaluation_results": []}, 3]',
         "records[1] is a JSON int, not an Every"),
        (b'{"evaluation_id": "b/m/1", "model_info": {"id": "m"}, "evaluation_results": []}',
         "no scored evaluation results"),
        (b'{"evaluation_id": "b/m/1", "model_info": {}, "evaluation_results": []}', "'model_info' has no 'id'"),
        (b'{"evaluation_id": "b/m/1", "model_info": {"id": "m"}, "evaluation_results": [{"evaluation_name": "x"}]}',
         "the payload evaluation_results[0] (x) has no 'score_details.score'"),
        ((b'{"evaluation_id": "b/m/1", "model_info": {"id": "m"}, "evaluation_results": '
          b'[{"evaluation_name": "x", "score_details": {"score": [0.5, 0.6]}}]}'), "score is not a number: [0.5, 0.6]"),
        ((b'{"evaluation_id": "b/m/1", "retrieved_timestamp": "yesterday", "model_info": {"id": "m"}, '
          b'"evaluation_results": []}'), "retrieved_timestamp: not a Unix timestamp: 'yesterday'"),
        ((b'{"model_info": {"id": "m"}, "evaluation_results": [{"evaluation_name": "x", "score_details": '
          b'{"score": 1}}]}'), "no benchmark"),
    ],
)
def test_broken_payloads_give_one_line_errors(payload, problem):
    assert problem in parse_error(payload).problem


def test_broken_zips_name_the_member(payloads):
    not_a_record = zipped({"a/good.json": payloads[SIMPLEQA], "a/board.json": b'{"rows": []}'})
    assert parse_error(not_a_record, "r.zip").problem.startswith(
        "zip member a/board.json is a JSON object, not an Every Eval Ever record")
    not_json = zipped({"a/good.json": payloads[SIMPLEQA], "a/bad.json": b"{truncated"})
    assert parse_error(not_json, "r.zip").problem.startswith("zip member a/bad.json: invalid JSON at line 1")
    assert parse_error(zipped({"README.md": b"hi"}), "r.zip").problem == "the zip holds no .json record files"
    assert parse_error(b"PK\x03\x04 not really a zip", "r.zip").problem.startswith("corrupt zip")


def test_ingest_loads_a_real_record(db, shared_data):
    path = shared_data / FOLDER / MMLU
    report = ingest(db, "eee", str(path), observed_at="2026-02-09", now=datetime(2026, 3, 1))
    assert (report.rows_parsed, report.rows_loaded, report.rows_rejected) == (19, 19, 0)
    assert db.execute("SELECT count(*) FROM results").fetchone() == (19,)
    again = ingest(db, "eee", str(path), observed_at="2026-02-09", now=datetime(2026, 3, 1))
    assert again.status != "loaded"
    assert db.execute("SELECT count(*) FROM results").fetchone() == (19,)


def test_the_records_lower_is_better_decides_the_direction_of_their_boards(db, shared_data):
    # the record's metric_config (lower_is_better: false) is the evidence that decides; a name that also reads as
    # higher-is-better ("Score", "accuracy") is noted beside it, never instead of it
    for name, day in ((MMLU, "2026-02-09"), (SIMPLEQA, "2026-02-10")):
        ingest(db, "eee", str(shared_data / FOLDER / name), observed_at=day, now=datetime(2026, 3, 1))
    decided = db.execute("SELECT task, dataset, metric, direction, direction_why FROM benchmarks ORDER BY ALL").fetchall()
    assert len(decided) == 20 and {direction for *_, direction, _ in decided} == {"higher"}
    why = {(task, dataset): text for task, dataset, _, _, text in decided}
    assert why[("global-mmlu-lite", "Arabic")] == (
        "higher: eee seen 2026-02-09 flags the metric higher is better "
        "(also seen: the name matches only the generic higher-is-better term 'Score')"
    )
    assert all(text.startswith("higher: eee seen 2026-02-") and "flags the metric higher is better" in text
               for text in why.values())


def test_a_records_flag_outweighs_what_the_metrics_name_suggests(db, shared_data, tmp_path):
    # the same record, its metric_config saying lower is better: the source's own flag decides, the name is noted
    record = json.loads((shared_data / FOLDER / MMLU).read_text())
    for result in record["evaluation_results"]:
        result["metric_config"]["lower_is_better"] = True
    edited = tmp_path / "lower.json"
    edited.write_text(json.dumps(record))
    ingest(db, "eee", str(edited), observed_at="2026-02-09", now=datetime(2026, 3, 1))
    assert db.execute("SELECT direction, direction_why FROM benchmarks WHERE dataset = 'Arabic'").fetchall() == [(
        "lower", "lower: eee seen 2026-02-09 flags the metric lower is better "
        "(also seen: the name matches only the generic higher-is-better term 'Score')",
    )]


def test_a_folder_of_records_loads_as_the_records_it_holds_and_the_same_folder_is_the_same_payload(db, shared_data,
                                                                                                    parsed):
    """The shared folder itself: three records, beside the schema, a LICENSE and PROVENANCE.txt (skipped)."""
    folder = shared_data / FOLDER
    report = ingest(db, "eee", str(folder), observed_at="2026-03-01", now=datetime(2026, 3, 2))
    rows = sum(len(parsed[name]) for name in RECORDS)
    assert (report.status, report.rows_parsed, report.rows_loaded, report.rows_rejected) == ("loaded", rows, rows, 0)
    assert sorted(m for (m,) in db.execute("SELECT DISTINCT model FROM results").fetchall()) == [
        "claude-opus-4-6", "claude-opus-41", "yi-34b"]
    again = ingest(db, "eee", folder.as_uri(), observed_at="2026-03-02", now=datetime(2026, 3, 3))
    assert again.status != "loaded"  # the same files make the same bytes: nothing new


def test_a_score_outside_the_range_its_record_declares_is_rejected_with_both(payloads):
    """The real HELM record declares every score within 0..1; one written as a percent (78.2) is refused, the others
    load (a built variant of the real record)."""
    record = json.loads(payloads[HELM])
    assert record["evaluation_results"][1]["metric_config"]["max_score"] == 1.0
    record["evaluation_results"][1]["score_details"]["score"] = 78.2
    normalized = normalize_rows(parse_eee(json.dumps(record).encode(), "variant.json"))
    [reject] = normalized.rejects
    assert reject.row_ref.endswith("evaluation_results[1] NarrativeQA - F1")
    assert "78.2 is outside the range its source declares (0..1)" in reject.reason
    assert len(normalized.results) == len(HELM_BOARDS) - 1
