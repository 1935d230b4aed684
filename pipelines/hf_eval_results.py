"""Hugging Face's evaluation results (`hf-eval-results`): scores that model repositories publish about themselves, and
the leaderboards the Hub builds from them on benchmark datasets. No real payload has been recorded: this module is
built from the Hub's documents (../shared/data/hf-eval-results: `eval_results.yaml`, `eval-results.md`,
`leaderboard-data-guide.md`, hub-docs of 2026), so it reads what they specify and is strict where they are.

Two kinds of payload, told apart by their content:

1. A model repository's `.eval_results/*.yaml` file: a YAML list of entries
   `{dataset: {id, task_id, revision?}, value, verifyToken?, date?, source?: {url, name?, user?, org?}, notes?}`.
   Location: a path, a file:// URL, or the file on the Hub
   (`https://huggingface.co/{owner}/{name}/resolve/{revision}/.eval_results/{file}.yaml`, or `/raw/`; a `/blob/` URL
   is fetched as its `/resolve/` file). The file does not name its model: the `model` option does (the repository id,
   `openai/gpt-oss-120b`), else the Hub URL's repository; neither is a `ParseError` asking for `model`.
2. A benchmark dataset's leaderboard, `GET https://huggingface.co/api/datasets/{dataset_id}/leaderboard`: a JSON list
   of entries `{rank, model_id, value, verified, author, source, filename, pull_request, notes}`. Location: that URL
   (the dataset comes from its path), or the Hub's root (`https://huggingface.co`, or `.../api`) with the `dataset`
   option (`Idavidrein/gpqa`). The optional `task_id` option (one of the benchmark's leaderboards, `gpqa_diamond`) is
   sent as a `task_id` query parameter: an ASSUMPTION, the documents name no such parameter of the API (the embed
   page's is `leaderboard_task_id`), so the Hub may ignore it; the rows are filed under it all the same.

Fetching (`fetch_hf_eval_results`, the source's own fetcher, through the shared client):
- a leaderboard is walked page by page, following the RFC 8288 `Link: <url>; rel="next"` response header until a
  page has none (the documents say nothing of paging; the Hub's list APIs page so, with an opaque cursor, and a
  leaderboard answered in one page simply has no such link). A next link to another origin, or back to a page
  already read, is an error, and so is a walk past `PAGE_CAP` pages (a cursor that never ends), rather than paging
  forever. It returns ONE JSON document (`FORMAT`): the dataset and task asked for, the first URL, the number of
  pages and every entry in order, with sorted keys and no clock, so an unchanged leaderboard gives the same bytes;
  the parser stays pure;
- anything else (a model's file, a saved document) is one plain fetch;
- politeness: one request at a time and about one a second to the host asked (`POLITE_INTERVAL` in the client's
  `min_interval_per_host`, unless one is configured); 429/5xx are retried by the shared client, honouring Retry-After;
- a bearer token for gated datasets and models: the `token` option, written `env:NAME` (options are stored with each
  snapshot, so the token itself is refused there), or else the `HF_TOKEN` environment variable, sent to the Hub's
  own hosts only. It goes in the Authorization header to the origin asked (never to a redirect elsewhere), and never
  into the payload, an error or a log line.

What a row says (one per entry):
- task "Language Model Evaluation"; dataset: the entry's `task_id` ("gpqa_diamond"), unless it is "default" or none,
  then the dataset repository's name (`cais/hle` -> "hle"); metric "Score" (the files do not name the metric). Names
  stay as written: the alias registry maps them;
- model: `split_llm_name` of the repository id: the model without its vendor, the vendor as `developer`, and the
  setting (`combined_setting` of the name's and the `notes`') as `setting`;
- value: as written (YAML and JSON numbers as Python's text for them: 0.412 -> "0.412", 20.90 -> "20.9"; strings as
  given), never rescaled: the documents' own examples mix fractions (0.412) and percents (20.90). A value that is
  present but not a number is a row with its text ("n/a"), which the normaliser rejects with its reason; a missing
  value, or a boolean, list or mapping, is a `ParseError` naming the entry, as is a missing `dataset.id` or
  `dataset.task_id` (the layout changed, or the file is the template with its `{placeholders}` unfilled);
- published: the date part of the entry's `date` ("2025-01-15"; other text as written), else none;
- attributes, where given: `developer`, `setting`, `notes`, `evaluator`, `verified`, `dataset_id`, `task_id`,
  `revision` (the dataset's), `source_url`, `source_name`, `source_user`, `source_org`, `source`, `author`,
  `pull_request`, `filename`, `rank`. A `verifyToken` is kept only as `verified: true` (a token is present; its
  signature is the Hub's to check, not this module's), `verified: false` without one: the token itself is never kept.
- `evaluator`, who ran the evaluation, is written only when known. A model's own file: "first-party", unless the
  `evaluator` option says otherwise (a community pull request's file: `evaluator = "third-party"`), or the file's
  Hub URL is a pull request's revision (`refs/pr/N`: anyone may open one), then unknown. A leaderboard entry: its
  `source` "model card" (or "model-card", "model_card", "modelcard") without a pull request -> "first-party" (the
  model's own repository says it); "external" -> "third-party" (the model's repository does not say it); any other
  source, or a model card's entry with a pull request, -> unknown, left out. The `source` is kept as written (an
  attribution mapping, as in the files, as `source_*`). The `evaluator` option is read for a model's file only.
- row_ref: "entries[i] {dataset_id}/{task_id}" (a leaderboard's: "entries[i] {dataset_id}[/{task_id}] {model_id}").

`full_listing` is False. A model's file is not a board. A leaderboard is one, but `full_listing` is one flag per
source, and a leaderboard's entries come and go with pull requests opened and closed (the Hub shows community scores
while their PR is open), so an entry missing from a later harvest is not taken as a removed result.
"""
from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlencode, urljoin, urlsplit, urlunsplit

import yaml

from pipelines.epoch_csv import GENERIC_TASK
from pipelines.http import HttpClient, origin, redact_secrets
from pipelines.llm_names import LlmName, combined_setting, split_llm_name
from pipelines.source import ParseError, RawRow, SourceSpec, json_document

NAME = "hf-eval-results"
FORMAT = "sotawatch-hf-leaderboard/1"
METRIC = "Score"
PAGE_CAP = 100  # pages of one leaderboard; a cursor still pointing on after that is an error, not an endless walk
POLITE_INTERVAL = 1.0  # seconds between requests to the host: one a second, as pwc-api asks of its API
HUB_HOSTS = frozenset({"huggingface.co", "hf.co"})  # where HF_TOKEN may be sent unasked
TOKEN_ENV = "HF_TOKEN"
EVALUATORS = ("first-party", "third-party")
FIRST_PARTY_SOURCES = frozenset({"model card", "modelcard"})
THIRD_PARTY_SOURCES = frozenset({"external"})

_LEADERBOARD_PATH = re.compile(r"^(?P<prefix>.*?)/api/datasets/(?P<dataset>[^/]+(?:/[^/]+)?)/leaderboard/?$")
# /{owner}/{name}/{resolve|raw|blob}/{revision}/.eval_results/...: a model repository's file (not a dataset's or
# a Space's); the revision may be a branch, a commit or a pull request's `refs%2Fpr%2F3`
_FILE_PATH = re.compile(
    r"^/(?!(?:datasets|spaces|api)/)(?P<repo>[^/]+(?:/[^/]+)?)/(?P<kind>resolve|raw|blob)/(?P<revision>.+?)"
    r"/(?P<file>\.eval_results/.+)$"
)
_PULL_REQUEST = re.compile(r"^refs/pr/(?P<number>\d+)$")
_LINK = re.compile(r"<(?P<target>[^>]*)>(?P<params>[^,<]*)")
_ISO_DAY = re.compile(r"^(?P<day>\d{4}-\d{2}-\d{2})(?:[T ].*)?$")


# ---------------------------------------------------------------------------------------------------------- fetch


def fetch_hf_eval_results(location: str, client: HttpClient, **options: str) -> bytes:
    """One payload: a leaderboard harvested over all its pages (see the module docstring), or one plain fetch."""
    location = str(location)
    parts = urlsplit(location)
    if parts.scheme.lower() not in ("http", "https"):
        return client.fetch(location).content
    host = (parts.hostname or "").lower()
    # Politeness is the client's configuration; an interval the operator set for this host wins.
    client.min_interval_per_host.setdefault(host, POLITE_INTERVAL)
    headers = _auth_headers(options, host, location)
    board = _leaderboard_target(location, options)
    if board is None:
        return client.fetch(_file_url(location), **_sent(headers)).content
    url, dataset, task_id = board
    return _harvest(client, url, dataset, task_id, headers)


def _sent(headers: dict[str, str]) -> dict[str, Any]:
    return {"headers": headers} if headers else {}


def _auth_headers(options: Mapping[str, str], host: str, location: str) -> dict[str, str]:
    """The Authorization header, when there is a token; the token never appears in what this raises."""
    reference = (options.get("token") or "").strip()
    if reference:
        if not reference.startswith("env:") or not reference[4:].strip():
            raise ParseError(NAME, redact_secrets(location), "the token option must name an environment variable "
                             '(token = "env:HF_TOKEN"): options are stored with each snapshot, a token must not be')
        variable = reference[4:].strip()
        token = os.environ.get(variable, "").strip()
        if not token:
            raise ParseError(NAME, redact_secrets(location),
                             f"the token option names the environment variable {variable}, which is not set")
    else:
        token = os.environ.get(TOKEN_ENV, "").strip() if host in HUB_HOSTS else ""
    return {"Authorization": f"Bearer {token}"} if token else {}


def _leaderboard_target(location: str, options: Mapping[str, str]) -> tuple[str, str, str | None] | None:
    """(first URL, dataset id, task id) when the location is a leaderboard, or the Hub's root with a dataset option;
    None for anything else (a model's file)."""
    parts = urlsplit(location)
    wanted = (options.get("dataset") or "").strip().strip("/")
    query = dict(parse_qsl(parts.query))
    task_id = (options.get("task_id") or "").strip() or query.get("task_id") or None
    match = _LEADERBOARD_PATH.match(parts.path)
    if match:
        dataset = unquote(match["dataset"])
        if wanted and wanted != dataset:
            raise ParseError(NAME, redact_secrets(location),
                             f"the dataset option {wanted!r} is not the URL's dataset {dataset!r}: give one of them")
        path = parts.path
    elif wanted and (parts.path.rstrip("/") == "" or parts.path.rstrip("/").endswith("/api")):
        dataset = wanted
        prefix = parts.path.rstrip("/").removesuffix("/api")
        path = f"{prefix}/api/datasets/{quote(dataset, safe='/')}/leaderboard"
    else:
        return None
    if task_id:
        query["task_id"] = task_id
    url = urlunsplit((parts.scheme, parts.netloc, path, urlencode(query), ""))
    return url, dataset, task_id


def _file_url(location: str) -> str:
    """A Hub `/blob/` URL (the file's web page) as its `/resolve/` URL (the file); any other location as it is."""
    parts = urlsplit(location)
    match = _FILE_PATH.match(parts.path)
    if not match or match["kind"] != "blob":
        return location
    path = f"/{match['repo']}/resolve/{match['revision']}/{match['file']}"
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))


def _harvest(client: HttpClient, first_url: str, dataset: str, task_id: str | None, headers: dict) -> bytes:
    entries: list[Any] = []
    seen: set[str] = set()
    url: str | None = first_url
    pages = 0
    while url is not None:
        if pages >= PAGE_CAP:
            raise ParseError(NAME, redact_secrets(first_url), f"more than {PAGE_CAP} pages: the next links do not "
                             "end (a cursor that never stops?); stopped rather than page on")
        seen.add(url)
        fetched = client.fetch(url, **_sent(headers))
        page = json_document(fetched.content, NAME, redact_secrets(url))
        pages += 1
        if not isinstance(page, list):
            raise ParseError(NAME, redact_secrets(url), f"page {pages} is {_described(page)}, not a JSON list of "
                             "leaderboard entries")
        entries.extend(page)
        url = _next_link(fetched.headers.get("Link"), url)
        if url is not None and origin(url) != origin(first_url):
            raise ParseError(NAME, redact_secrets(first_url), f"the next link of page {pages} leaves the host asked "
                             f"({redact_secrets(url)}): not followed")
        if url in seen:
            raise ParseError(NAME, redact_secrets(first_url), f"the next link of page {pages} leads back to a page "
                             "already read: a cursor loop")
    document = {"format": FORMAT, "dataset": dataset, "task_id": task_id, "url": redact_secrets(first_url),
                "pages": pages, "entries": entries}
    return (json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n").encode("utf-8")


def _next_link(header: str | None, base: str) -> str | None:
    """The target of an RFC 8288 Link header's `rel="next"` (a relation list may name several), resolved on `base`."""
    for match in _LINK.finditer(header or ""):
        for param in match["params"].split(";"):
            key, _, value = param.partition("=")
            if key.strip().lower() == "rel" and "next" in value.strip().strip('"').lower().split():
                return urljoin(base, match["target"].strip())
    return None


# ---------------------------------------------------------------------------------------------------------- parse


def _document(payload: bytes, location: str) -> Any:
    """JSON (a harvest, a saved page) or YAML (a model's file); YAML errors name the line and column."""
    if not payload.strip():
        raise ParseError(NAME, location, "empty payload")
    json_error = None
    if payload.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"["):
        try:
            return json_document(payload, NAME, location)
        except ParseError as error:
            json_error = error  # maybe a YAML flow list: read below, and this error given if that fails too
    try:
        text = payload.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ParseError(NAME, location, f"not UTF-8 text: {error}") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        if json_error is not None:
            raise json_error from None
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1} column {mark.column + 1}" if mark is not None else ""
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise ParseError(NAME, location, f"invalid YAML{where}: {problem}") from None
    except (ValueError, TypeError, OverflowError, RecursionError) as error:  # a date such as 2025-13-45
        raise ParseError(NAME, location, f"invalid YAML: {error}") from None


def _described(value: Any) -> str:
    """A value named in an error; an unfilled template placeholder (`{name}` reads as a mapping) is named as such."""
    if isinstance(value, dict) and len(value) == 1 and next(iter(value.values())) is None:
        return f"{{{next(iter(value))}}}, an unfilled template placeholder"
    kinds = {dict: "a mapping", list: "a list", bool: "a boolean", type(None): "null"}
    return kinds.get(type(value), f"a {type(value).__name__}")


def _text(value: Any, where: str, location: str, *, required: bool = False) -> str | None:
    """Text as written (numbers as their text, YAML dates as ISO); none when absent or empty, an error if required."""
    if isinstance(value, str):
        value = value.strip()
    if value is None or value == "":
        if required:
            raise ParseError(NAME, location, f"{where} is missing (required): the layout changed?")
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return repr(value) if isinstance(value, float) else str(value)
    raise ParseError(NAME, location, f"{where} is {_described(value)}, not text")


def _value_text(value: Any, where: str, location: str) -> str:
    """The score as written; a string that is no number is kept (the normaliser rejects it with its reason)."""
    if isinstance(value, str):
        return value
    if value is None:
        raise ParseError(NAME, location, f"{where} has no value (required): the layout changed?")
    if isinstance(value, (bool, dict, list)) or not isinstance(value, (int, float, date)):
        raise ParseError(NAME, location, f"{where}: the value is {_described(value)}, not a number")
    return _text(value, where, location) or ""


def _day(value: Any, where: str, location: str) -> str | None:
    """The date part of an ISO date or datetime ("2025-01-15T10:00:00Z" -> "2025-01-15"); other text as written."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    text = _text(value, where, location)
    match = _ISO_DAY.match(text) if text else None
    return match["day"] if match else text


def _scalar(value: Any) -> Any:
    return value if isinstance(value, (str, int, float, bool)) else None


def _board_name(dataset_id: str, task_id: str | None) -> str:
    if task_id and task_id.strip().lower() != "default":
        return task_id
    return dataset_id.rsplit("/", 1)[-1]


def _source_attributes(source: Any, where: str, location: str) -> dict[str, Any]:
    """An attribution (`{url, name?, user?, org?}`, or a bare URL) as `source_*` attributes."""
    if source is None:
        return {}
    if isinstance(source, str):
        return {"source_url": source.strip() or None}
    if not isinstance(source, dict):
        raise ParseError(NAME, location, f"{where} source is {_described(source)}, not a mapping of url, name, ...")
    return {f"source_{key}": _text(source.get(key), f"{where} source.{key}", location)
            for key in ("url", "name", "user", "org")}


def _kept(attributes: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in attributes.items() if value is not None}


def _row(name: LlmName, dataset_id: str, task_id: str | None, value: str, row_ref: str, published: str | None,
         notes: str | None, attributes: dict[str, Any]) -> RawRow:
    """A row of either kind: what both say of the model, the board and the setting."""
    return RawRow(
        task=GENERIC_TASK,
        dataset=_board_name(dataset_id, task_id),
        metric=METRIC,
        model=name.model,
        value=value,
        row_ref=row_ref,
        published=published,
        attributes=_kept({
            "developer": name.vendor,
            "setting": combined_setting(name.setting, notes),
            "notes": notes,
            **attributes,
            "dataset_id": dataset_id,
            "task_id": task_id,
        }),
    )


# --- kind 1: a model repository's .eval_results file


def _file_facts(location: str, options: Mapping[str, str]) -> tuple[str, dict[str, Any]]:
    """The model repository of a file (the `model` option, else its Hub URL's) and what the URL says of the file."""
    parts = urlsplit(location)
    match = _FILE_PATH.match(parts.path) if parts.scheme.lower() in ("http", "https") else None
    facts: dict[str, Any] = {}
    if match:
        facts["filename"] = unquote(match["file"])
        pull_request = _PULL_REQUEST.match(unquote(match["revision"]))
        facts["pull_request"] = int(pull_request["number"]) if pull_request else None
    repo = (options.get("model") or "").strip() or (unquote(match["repo"]) if match else "")
    if not repo:
        raise ParseError(NAME, location, "no model: a .eval_results file does not name its model; give the model "
                         'option (the repository id, model = "openai/gpt-oss-120b") or read the file from its Hub URL '
                         "(https://huggingface.co/{owner}/{name}/resolve/main/.eval_results/{file}.yaml)")
    return repo, facts


def _evaluator(options: Mapping[str, str], facts: Mapping[str, Any], location: str) -> str | None:
    given = (options.get("evaluator") or "").strip()
    if given:
        folded = given.lower().replace("_", "-")
        if folded not in EVALUATORS:
            raise ParseError(NAME, location, f"the evaluator option is {given!r}: give first-party or third-party")
        return folded
    return None if facts.get("pull_request") else "first-party"


def _file_rows(entries: list, location: str, options: Mapping[str, str]) -> list[RawRow]:
    repo, facts = _file_facts(location, options)
    name = split_llm_name(repo)
    common = {"evaluator": _evaluator(options, facts, location), **facts}
    return [_file_row(entry, index, name, common, location) for index, entry in enumerate(entries)]


def _file_row(entry: Any, index: int, name: LlmName, common: dict, location: str) -> RawRow:
    where = f"entries[{index}]"
    if not isinstance(entry, dict):
        raise ParseError(NAME, location, f"{where} is {_described(entry)}, not a mapping with dataset and value")
    dataset = entry.get("dataset")
    if not isinstance(dataset, dict):
        raise ParseError(NAME, location, f"{where} has no dataset mapping (dataset.id and dataset.task_id are "
                         "required): the layout changed?")
    dataset_id = _text(dataset.get("id"), f"{where} dataset.id", location, required=True) or ""
    task_id = _text(dataset.get("task_id"), f"{where} dataset.task_id", location, required=True) or ""
    board = f"{dataset_id}/{task_id}"
    value = _value_text(entry.get("value"), f"{where} ({board})", location)
    attributes = {
        **common,
        "verified": entry.get("verifyToken") not in (None, ""),  # whether a token is present; never the token
        "revision": _text(dataset.get("revision"), f"{where} dataset.revision", location),
        **_source_attributes(entry.get("source"), where, location),
    }
    notes = _text(entry.get("notes"), f"{where} notes", location)
    published = _day(entry.get("date"), f"{where} date", location)
    return _row(name, dataset_id, task_id, value, f"{where} {board}", published, notes, attributes)


# --- kind 2: a benchmark dataset's leaderboard


def _board_evaluator(source: Any, pull_request: Any) -> str | None:
    """Who evaluated, from a leaderboard entry's `source` (the mapping is the module docstring's); None: unknown."""
    if not isinstance(source, str):
        return None
    folded = " ".join(re.split(r"[\s_\-]+", source.strip().lower()))
    if folded in THIRD_PARTY_SOURCES:
        return "third-party"
    if folded in FIRST_PARTY_SOURCES and pull_request in (None, ""):
        return "first-party"
    return None


def _author(author: Any) -> str | None:
    """A User or Organization object as its name (`name`, `user`, `username`, `fullname`), or a name as given."""
    if isinstance(author, dict):
        return next((author[key].strip() for key in ("name", "user", "username", "fullname")
                     if isinstance(author.get(key), str) and author[key].strip()), None)
    if isinstance(author, str):
        return author.strip() or None
    return None


def _board_row(entry: Any, index: int, dataset_id: str, task_id: str | None, location: str) -> RawRow:
    where = f"entries[{index}]"
    if not isinstance(entry, dict):
        raise ParseError(NAME, location, f"{where} is {_described(entry)}, not a leaderboard entry")
    model_id = _text(entry.get("model_id"), f"{where} model_id", location, required=True) or ""
    value = _value_text(entry.get("value"), f"{where} ({model_id})", location)
    task_id = _text(entry.get("task_id"), f"{where} task_id", location) or task_id
    source = entry.get("source")
    attributes = {
        "evaluator": _board_evaluator(source, entry.get("pull_request")),
        "verified": _scalar(entry.get("verified")),
        "rank": _scalar(entry.get("rank")),
        "author": _author(entry.get("author")),
        "pull_request": _scalar(entry.get("pull_request")),
        "filename": _text(entry.get("filename"), f"{where} filename", location),
        **(_source_attributes(source, where, location) if isinstance(source, dict)
           else {"source": _text(source, f"{where} source", location)}),
    }
    notes = _text(entry.get("notes"), f"{where} notes", location)
    published = _day(entry.get("date"), f"{where} date", location)
    board = dataset_id + (f"/{task_id}" if task_id else "")
    return _row(split_llm_name(model_id), dataset_id, task_id, value, f"{where} {board} {model_id}", published,
                notes, attributes)


def _page_board(location: str, options: Mapping[str, str]) -> tuple[str, str | None]:
    """The dataset and task of a bare leaderboard page (saved from the API): the options', else the URL's."""
    parts = urlsplit(location)
    match = _LEADERBOARD_PATH.match(parts.path)
    dataset = (options.get("dataset") or "").strip() or (unquote(match["dataset"]) if match else "")
    if not dataset:
        raise ParseError(NAME, location, "a leaderboard page does not name its dataset: give the dataset option "
                         "(the benchmark's repository id, dataset = \"Idavidrein/gpqa\")")
    task_id = (options.get("task_id") or "").strip() or dict(parse_qsl(parts.query)).get("task_id") or None
    return dataset, task_id


def _board_rows(entries: list, dataset_id: str, task_id: str | None, location: str) -> list[RawRow]:
    return [_board_row(entry, index, dataset_id, task_id, location) for index, entry in enumerate(entries)]


def _harvest_rows(document: dict, location: str) -> list[RawRow]:
    dataset_id = _text(document.get("dataset"), "the harvest's dataset", location, required=True) or ""
    task_id = _text(document.get("task_id"), "the harvest's task_id", location)
    entries = document.get("entries")
    if not isinstance(entries, list):
        raise ParseError(NAME, location, "the harvest document has no 'entries' list")
    if not entries:
        raise ParseError(NAME, location, f"the leaderboard of {dataset_id} lists no entries")
    return _board_rows(entries, dataset_id, task_id, location)


def parse_hf_eval_results(payload: bytes, location: str, **options: str) -> list[RawRow]:
    """One raw row per entry of a model's `.eval_results` file or of a leaderboard (harvest or saved page)."""
    document = _document(payload, location)
    if isinstance(document, dict) and document.get("format") == FORMAT:
        return _harvest_rows(document, location)
    if not isinstance(document, list):
        raise ParseError(NAME, location, f"the payload is {_described(document)}: expected a YAML list of "
                         "evaluation results (.eval_results/*.yaml) or a leaderboard (a JSON list of entries)")
    if not document:
        raise ParseError(NAME, location, "an empty list: no evaluation results")
    first = next((entry for entry in document if isinstance(entry, dict)), {})
    if "model_id" in first and "dataset" not in first:
        return _board_rows(document, *_page_board(location, options), location)
    return _file_rows(document, location, options)


SOURCE = SourceSpec(
    name=NAME,
    description="Hugging Face eval results: a model repository's .eval_results YAML, or a benchmark's leaderboard",
    parse=parse_hf_eval_results,
    fetch=fetch_hf_eval_results,
    full_listing=False,
)
