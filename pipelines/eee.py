"""Every Eval Ever records (`eee`): one JSON document per (benchmark, model, run), as the evaleval/every_eval_ever
repository keeps them under `data/<benchmark>/<developer>/<model>/<uuid>.json` (and the Hugging Face dataset
evaleval/EEE_datastore since); three real records and the schema are in ../shared/data/every-eval-ever.

URL: a path, a file:// URL or an http(s) URL of one payload, or a local folder of records (read as a zip of its files:
`fetch_eee`); there is no default. Three kinds of payload:
- one record (a JSON object);
- a JSON list of records (a folder gathered into one document);
- a zip of record files, read from the bytes: members whose names do not end in `.json` are skipped (the
  instance-level `.jsonl` files, READMEs, macOS `__MACOSX/` and `._*` companions), and so is a JSON Schema document
  (an object with `$schema`, such as the repository's `eval.schema.json`); any other `.json` member that is not a
  record is a parse error naming the member, so a new kind of file is noticed rather than silently dropped.
One plain GET per payload; the politeness lives in the shared HTTP client. A record is one run, not a whole board:
a result missing from a later payload is not a removal (`full_listing=False`).

Relies on (schema versions 0.1.0 to 0.3.0): a record is an object with `model_info` (an object with `id`, else
`name`) and `evaluation_results` (a list of objects with `evaluation_name` and `score_details.score`). One raw row per
evaluation result:
- task: the benchmark, the first segment of `evaluation_id` (the schema asks for `eval_name/model_id/timestamp`:
  "helm_lite", "global-mmlu-lite", "SimpleQA-Verified"), else `source_metadata.source_name`;
- dataset and metric: HELM names a result "<scenario> - <metric>" ("NarrativeQA - F1"): split there. Otherwise, where
  the result's `source_data` is an object naming another dataset than the result (inspect_ai runs: `dataset_name`
  "SimpleQA-Verified", `evaluation_name` the scorer "simpleqa_scorer"), that dataset; else the `evaluation_name`
  itself ("Global MMLU Lite", "Arabic", "Mean win rate"). The metric is `metric_config.metric_name` (schema 0.3.0),
  else the HELM suffix, else `evaluation_description` when it is a metric's name rather than a sentence ("accuracy"),
  else "Score". Names stay as written; the alias registry maps them;
- model: `model_info.id` ("openai/gpt-4o", "01-ai/yi-34b") without its vendor prefix and setting suffix
  (`pipelines.llm_names`: "gpt-4o", "yi-34b"), so that one model from several sources is one model; the id as written
  (as `model_id`), its display `name` ("Yi (34B)", as `model_name`, when it differs from the id), `developer` (else
  the id's vendor), `inference_platform` and a setting read from the id (as `setting`) go to attributes;
- value: `score_details.score` as written (JSON numbers give Python's shortest text for them, the text a JSON writer
  wrote: 0.94296875 -> "0.94296875"; a string as given, for the normalizer to read or reject); a null score gives
  no row, a list, object or boolean is a parse error; the records' scores are fractions 0..1;
- published: the day (UTC) of the result's `evaluation_timestamp`, else the record's, else the record's
  `retrieved_timestamp` (when EEE made the record: an upper bound, marked `published_from: "retrieved"`);
  timestamps are Unix seconds in strings ("1770344141.0").
- attributes: `evaluator` ("first-party" / "third-party" from `evaluator_relationship`, other values as given),
  `lower_is_better` (when a bool: evidence of the direction), `score_range` ([min_score, max_score] when either is
  given: the normaliser rejects a score outside it), `stderr`
  (`uncertainty.standard_error.value`), `interval` ([lower, upper] of `confidence_interval`, found in
  `score_details` in schema 0.2.0 and in `score_details.uncertainty` in 0.3.0) with `confidence_level` where given,
  and the ids: `evaluation_id`, `evaluation_result_id`, `evaluation_name`, `source_name`, `source_organization`,
  `source_type`, `schema_version`.
`row_ref` is "<evaluation_id> / evaluation_results[<i>] <evaluation_name>", the same whatever container the record
came in, so a reject is found again by the run's id.

Limits: no setting is derived (reasoning on/off, tools): two runs of one model on one benchmark in one payload are
one claim listed twice (a conflicting duplicate if their values differ). Nothing is ranked. The extra-training-data
flag and open code are unknown (None).
"""
from __future__ import annotations

import io
import math
import re
import urllib.request
import zipfile
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from pipelines.http import FetchFatalError
from pipelines.llm_names import split_llm_name
from pipelines.source import ParseError, RawRow, SourceSpec, json_document

NAME = "eee"
HELM_SEPARATOR = " - "
DEFAULT_METRIC = "Score"
EVALUATORS = {"first_party": "first-party", "third_party": "third-party"}
# a description that names a metric ("accuracy", "pass@1", "exact match") rather than describing the evaluation
_METRIC_NAME = re.compile(r"^[\w@%().\-]+(?: [\w@%().\-]+){0,2}$")


def _text(value: object) -> str | None:
    if isinstance(value, str):
        return value.strip() or None
    return None


def _number_text(value: object) -> str | None:
    """A score as text: numbers as a JSON writer wrote them, strings as given; None for a missing score."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return repr(value) if isinstance(value, float) else str(value)
    return _text(value)


def _day(timestamp: object, where: str, location: str) -> str | None:
    """A Unix-seconds timestamp ("1770344141.0", or a number) as its UTC day "YYYY-MM-DD"."""
    if timestamp is None or (isinstance(timestamp, str) and not timestamp.strip()):
        return None
    try:
        seconds = float(timestamp.strip() if isinstance(timestamp, str) else timestamp)
        if isinstance(timestamp, bool) or not math.isfinite(seconds):
            raise ValueError
        return datetime.fromtimestamp(seconds, tz=UTC).strftime("%Y-%m-%d")
    except (TypeError, ValueError, OverflowError, OSError):
        raise ParseError(NAME, location, f"{where}: not a Unix timestamp: {timestamp!r}") from None


def _benchmark(record: dict, where: str, location: str) -> str:
    evaluation_id = _text(record.get("evaluation_id"))
    if evaluation_id and "/" in evaluation_id:
        first = evaluation_id.split("/", 1)[0].strip()
        if first:
            return first
    metadata = record.get("source_metadata")
    name = _text(metadata.get("source_name")) if isinstance(metadata, dict) else None
    if name:
        return name
    raise ParseError(NAME, location, f"{where}: no benchmark: neither 'evaluation_id' (eval/model/time) nor "
                                     "'source_metadata.source_name'")


def _dataset_and_metric(result: dict, evaluation_name: str) -> tuple[str, str]:
    config = result.get("metric_config") if isinstance(result.get("metric_config"), dict) else {}
    metric_name = _text(config.get("metric_name"))
    scenario, separator, suffix = evaluation_name.rpartition(HELM_SEPARATOR)
    if separator and scenario.strip() and suffix.strip():
        return scenario.strip(), metric_name or suffix.strip()
    source_data = result.get("source_data")
    named = _text(source_data.get("dataset_name")) if isinstance(source_data, dict) else None
    dataset = named if named and named.casefold() != evaluation_name.casefold() else evaluation_name
    description = _text(config.get("evaluation_description"))
    short = description if description and _METRIC_NAME.match(description) else None
    return dataset, metric_name or short or DEFAULT_METRIC


def _interval(details: dict) -> tuple[list[Any] | None, Any]:
    uncertainty = details.get("uncertainty") if isinstance(details.get("uncertainty"), dict) else {}
    for interval in (uncertainty.get("confidence_interval"), details.get("confidence_interval")):
        if isinstance(interval, dict) and (interval.get("lower") is not None or interval.get("upper") is not None):
            return [interval.get("lower"), interval.get("upper")], interval.get("confidence_level")
    return None, None


def _stderr(details: dict) -> Any:
    uncertainty = details.get("uncertainty") if isinstance(details.get("uncertainty"), dict) else {}
    standard_error = uncertainty.get("standard_error")
    if isinstance(standard_error, dict):
        return standard_error.get("value")
    if isinstance(standard_error, (int, float)) and not isinstance(standard_error, bool):
        return standard_error
    return None


def is_record(document: object) -> bool:
    """Whether a JSON document has the shape of an Every Eval Ever record."""
    return isinstance(document, dict) and isinstance(document.get("evaluation_results"), list) and isinstance(
        document.get("model_info"), dict)


def _record_rows(record: object, where: str, location: str) -> list[RawRow]:
    """The rows of one record; `where` names it in errors ("the payload", "records[2]", "a.zip member x.json")."""
    if not is_record(record):
        what = "a JSON object" if isinstance(record, dict) else f"a JSON {type(record).__name__}"
        raise ParseError(NAME, location, f"{where} is {what}, not an Every Eval Ever record (expected "
                                         "'model_info' and an 'evaluation_results' list)")
    model_info = record["model_info"]
    model = _text(model_info.get("id")) or _text(model_info.get("name"))
    if model is None:
        raise ParseError(NAME, location, f"{where}: 'model_info' has no 'id' or 'name'")
    task = _benchmark(record, where, location)
    metadata = record.get("source_metadata") if isinstance(record.get("source_metadata"), dict) else {}
    relationship = _text(metadata.get("evaluator_relationship"))
    evaluation_id = _text(record.get("evaluation_id")) or f"{task}/{model}"
    record_day = _day(record.get("evaluation_timestamp"), f"{where} evaluation_timestamp", location)
    retrieved_day = _day(record.get("retrieved_timestamp"), f"{where} retrieved_timestamp", location)
    name = split_llm_name(model)
    common = {
        "evaluator": EVALUATORS.get(relationship, relationship) if relationship else None,
        "model_id": model if name.model != model else None,
        "model_name": _text(model_info.get("name")) if _text(model_info.get("name")) != model else None,
        "developer": _text(model_info.get("developer")) or name.vendor,
        "setting": name.setting,
        "inference_platform": _text(model_info.get("inference_platform")),
        "evaluation_id": _text(record.get("evaluation_id")),
        "source_name": _text(metadata.get("source_name")),
        "source_organization": _text(metadata.get("source_organization_name")),
        "source_type": _text(metadata.get("source_type")),
        "schema_version": _text(record.get("schema_version")),
    }
    rows: list[RawRow] = []
    for index, result in enumerate(record["evaluation_results"]):
        at = f"{where} evaluation_results[{index}]"
        if not isinstance(result, dict):
            raise ParseError(NAME, location, f"{at} is not an object")
        evaluation_name = _text(result.get("evaluation_name"))
        if evaluation_name is None:
            raise ParseError(NAME, location, f"{at} has no 'evaluation_name'")
        details = result.get("score_details")
        if not isinstance(details, dict) or "score" not in details:
            raise ParseError(NAME, location, f"{at} ({evaluation_name}) has no 'score_details.score'")
        score = details["score"]
        value = _number_text(score)
        if value is None:
            if score is None:
                continue  # no score, no claim
            raise ParseError(NAME, location, f"{at} ({evaluation_name}): score is not a number: {score!r}")
        dataset, metric = _dataset_and_metric(result, evaluation_name)
        config = result.get("metric_config") if isinstance(result.get("metric_config"), dict) else {}
        low, high = config.get("min_score"), config.get("max_score")
        interval, level = _interval(details)
        result_day = _day(result.get("evaluation_timestamp"), f"{at} evaluation_timestamp", location)
        published = result_day or record_day or retrieved_day
        attributes = {
            **common,
            "evaluation_name": evaluation_name,
            "evaluation_result_id": _text(result.get("evaluation_result_id")),
            "lower_is_better": config.get("lower_is_better") if isinstance(config.get("lower_is_better"), bool)
            else None,
            "score_range": [low, high] if low is not None or high is not None else None,
            "stderr": _stderr(details),
            "interval": interval,
            "confidence_level": level,
            "published_from": "retrieved" if published and not (result_day or record_day) else None,
        }
        rows.append(
            RawRow(
                task=task,
                dataset=dataset,
                metric=metric,
                model=name.model,
                value=value,
                row_ref=f"{evaluation_id} / evaluation_results[{index}] {evaluation_name}",
                published=published,
                uses_additional_data=None,
                has_code=None,
                attributes={key: item for key, item in attributes.items() if item is not None},
            )
        )
    return rows


def _skipped_member(name: str) -> bool:
    path = PurePosixPath(name)
    return (
        name.endswith("/")
        or path.suffix.lower() != ".json"
        or path.name.startswith("._")
        or "__MACOSX" in path.parts
    )


def _zip_rows(payload: bytes, location: str) -> list[RawRow]:
    rows: list[RawRow] = []
    try:
        with zipfile.ZipFile(io.BytesIO(payload)) as archive:
            names = sorted(info.filename for info in archive.infolist() if not _skipped_member(info.filename))
            for name in names:
                where = f"zip member {name}"
                try:
                    data = archive.read(name)
                # a CRC error is a BadZipFile; an encrypted member a RuntimeError, an unknown method NotImplemented
                except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError) as exc:
                    raise ParseError(NAME, location, f"{where}: unreadable: {exc}") from None
                try:
                    document = json_document(data, NAME, location)
                except ParseError as error:
                    raise ParseError(NAME, location, f"{where}: {error.problem}") from None
                if isinstance(document, dict) and "$schema" in document:
                    continue  # the schema the records follow, shipped beside them
                rows.extend(_record_rows(document, where, location))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as exc:
        raise ParseError(NAME, location, f"corrupt zip: {exc}") from None
    if not names:
        raise ParseError(NAME, location, "the zip holds no .json record files")
    return rows


def parse_eee(payload: bytes, location: str, **_options: str) -> list[RawRow]:
    if not payload.strip():
        raise ParseError(NAME, location, "empty payload")
    if payload.startswith(b"PK"):
        rows = _zip_rows(payload, location)
    else:
        document = json_document(payload, NAME, location)
        if isinstance(document, list):
            if not document:
                raise ParseError(NAME, location, "an empty list of records")
            rows = [row for index, record in enumerate(document)
                    for row in _record_rows(record, f"records[{index}]", location)]
        else:
            rows = _record_rows(document, "the payload", location)
    if not rows:
        raise ParseError(NAME, location, "no scored evaluation results")
    return rows


# A folder read as a zip: its files' times would make the same records another payload every time they are copied.
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def fetch_eee(location: str, client: Any, **_options: str) -> bytes:
    """A local folder of records (a path or a file:// URL; the repository's `data/` tree, or any part of it) as one
    payload: a zip of its files under their relative paths, in sorted order, with fixed times, so that the same
    records are the same bytes and the parser's zip rules (which members are read, which are skipped) apply as to a
    downloaded zip. Any other location is fetched as it is."""
    text = str(location)
    folder = Path(urllib.request.url2pathname(urlsplit(text).path)) if text.lower().startswith("file:") else Path(text)
    if not folder.is_dir():
        return client.fetch(location).content
    files = sorted(path for path in folder.rglob("*") if path.is_file())
    total = sum(path.stat().st_size for path in files)
    if total > client.max_bytes:
        raise FetchFatalError(text, f"folder larger than the {client.max_bytes} bytes cap ({total} bytes)", attempts=1)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            archive.writestr(zipfile.ZipInfo(path.relative_to(folder).as_posix(), _ZIP_EPOCH), path.read_bytes())
    return buffer.getvalue()


SOURCE = SourceSpec(
    name=NAME,
    description="Every Eval Ever records (one run of one model on one benchmark; a record, a JSON list, a zip or a "
                "folder of them)",
    parse=parse_eee,
    fetch=fetch_eee,
    full_listing=False,
)
