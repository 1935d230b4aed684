"""paperswithcode.co's read-only API (`pwc-api`): one dataset's leaderboard, harvested page by page into one payload.

URL: https://paperswithcode.co/api/v1 (the 2026 relaunch; `../shared/docs/pwc-co-api.md` says what is known of it).
No real response of this API has been recorded, so the parser is lenient wherever that document is unsure. It also
reads the old paperswithcode.com API v1 (2021), whose responses are real.

A paginated API does not fit "one fetch, one payload", so the source brings its own fetcher (`SourceSpec.fetch`):

- `fetch_pwc_api(location, client, **options)` does the I/O. Given the API base URL and a `dataset` option (a name or
  an id) it resolves the dataset id at run time (`GET datasets/?q=NAME`; the id is never hard-coded), then walks
  `GET datasets/{id}/evaluations/?page=N&page_size=100&ordering=best_rank` from page 1 until a page has no rows, the
  envelope's `next_page` (or DRF-style `next`) is null or absent, the rows gathered reach `count` (or `total`), or page
  100, the API's page cap. It returns ONE canonical JSON document (`FORMAT`): every page's rows in order, the dataset it
  resolved and the requests it made (URL, page, rows, count, next), written with sorted keys and no clock, so that an
  unchanged leaderboard gives the same bytes and the warehouse keeps one snapshot per harvest. A location that already
  names a list (`.../evaluations/`, `.../results/`) is walked as it is; a file path, a file:// URL or a `.json` URL
  is read with one plain fetch (saved documents and pages, for history).
  Limits respected: one request at a time and about one a second (the document advises at most ~0.9 req/s on list
  endpoints: the host gets a `POLITE_INTERVAL` in the client's `min_interval_per_host` unless one is configured),
  and 429/5xx retried by the shared client, honouring Retry-After.
- `parse_pwc_api(payload, location, **options)` is pure. It reads that document, a single raw page
  (`{"results"|"items": [...], "count"|"total", "next_page"|"next"}`), a bare list of rows, or one evaluation object.

What a row gets (fields of an evaluation row, §3 of the document, or of a v1 result):
- one raw row per entry of `metrics` (numbers written as their JSON text, strings as written: "85.1%", "1,234";
  a null is kept as "null" and rejected downstream as no value); rows that the API splits per metric simply give
  one raw row each;
- task from `task_name` (`task`, `task_slug`), else the `task` option; dataset from `dataset_name` (`dataset`,
  `dataset_slug`), else the dataset the harvest resolved, else the `dataset` option when it is a name. When the rows
  name their task, a `task` option keeps only that task's rows (a dataset's evaluations span several tasks);
- model from `model_name`, else `method`, else `methodology`. In v1 `methodology` is the model; in the relaunch it
  is the protocol ("5-shot"), which then goes with `harness` into the `setting` that tells claims apart;
- paper: `paper_title`, `paper_arxiv_id`, `paper_url`, or a nested `paper` object; a v1 `paper` slug becomes its
  legacy page https://paperswithcode.com/paper/{slug} (the slug is an id of that site);
- `published` from `evaluated_on` when it is a date, else the paper's date (`paper_published_date`, `paper_date`);
  a non-date `evaluated_on` is a split name and is kept in the attributes;
- `uses_additional_data` when it is a boolean, None otherwise; `has_code` true when the row gives a `code_url`, None
  otherwise (the document saw the field empty in real use, so its absence does not say there is no code);
- attributes: evaluation id, best rank and best metric, ids of the task, dataset and paper, harness, split, openness,
  parameter count and the result/code URLs, as given. Rows repeated under one `id` (a page shifted while it was being
  walked) are read once.
"""
from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from pipelines.aliases import canonical_dataset, fold
from pipelines.source import ParseError, RawRow, SourceSpec, json_document
from pipelines.http import HttpClient, redact_secrets

NAME = "pwc-api"
DEFAULT_URL = "https://paperswithcode.co/api/v1"
LEGACY_SITE = "https://paperswithcode.com"
FORMAT = "sotawatch/pwc-api-harvest/1"
PAGE_SIZE = 100
PAGE_CAP = 100  # the CLI bounds `page` to 1-100 and a third-party client calls 100 the upstream's cap
POLITE_INTERVAL = 1.1  # seconds between requests to the API host: about 0.9 requests a second
DATASET_SEARCH_PAGE_SIZE = 100

_LIST_SEGMENTS = {"evaluations", "results"}
_DATE_LIKE = re.compile(r"^\d{4}-\d{1,2}(?:-\d{1,2})?(?:[T ].*)?$")
_BRACKETS = re.compile(r"[\[\](){}]")


# ---------------------------------------------------------------------------------------------------------- fetch


def fetch_pwc_api(location: str, client: HttpClient, **options: str) -> bytes:
    """Harvest one leaderboard into the canonical document (see the module docstring); files are read as they are."""
    location = str(location)
    parts = urlsplit(location)
    if parts.scheme.lower() not in ("http", "https") or parts.path.lower().endswith((".json", ".json.gz")):
        return client.fetch(location).content
    host = (parts.hostname or "").lower()
    # Politeness is the client's configuration; an interval the operator set for this host wins.
    client.min_interval_per_host.setdefault(host, POLITE_INTERVAL)

    requests: list[dict[str, Any]] = []
    segments = [segment for segment in parts.path.split("/") if segment]
    task = (options.get("task") or "").strip() or None
    wanted = (options.get("dataset") or "").strip()
    if segments and segments[-1].lower() in _LIST_SEGMENTS:
        base_url = None
        list_url = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
        params = dict(parse_qsl(parts.query))
        dataset = {"query": wanted, "id": None, "name": None} if wanted else None
    else:
        base_url = location.split("?", 1)[0].rstrip("/")
        if not wanted:
            raise ParseError(
                NAME, redact_secrets(location),
                "no dataset to harvest: give the dataset option (a name such as ImageNet, or the API's dataset id)",
            )
        dataset = _resolve_dataset(client, base_url, wanted, requests)
        list_url = f"{base_url}/datasets/{dataset['id']}/evaluations/"
        params = {"ordering": "best_rank"}

    rows, stopped_because = _walk_pages(client, list_url, params, requests)
    document = {
        "format": FORMAT,
        "base_url": base_url,
        "list_url": list_url,
        "dataset": dataset,
        "task": task,
        "page_size": PAGE_SIZE,
        "page_cap": PAGE_CAP,
        "stopped_because": stopped_because,
        "requests": requests,
        "results": rows,
    }
    return (json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n").encode("utf-8")


def _get_json(client: HttpClient, url: str) -> Any:
    return json_document(client.fetch(url).content, NAME, redact_secrets(url))


def _with_query(url: str, params: Mapping[str, object]) -> str:
    return f"{url}?{urlencode(params)}"


def _resolve_dataset(client: HttpClient, base_url: str, wanted: str, requests: list[dict]) -> dict[str, Any]:
    """The API's dataset for a name (or an id, used as given): looked up at run time, never hard-coded."""
    if wanted.isdigit():
        return {"query": wanted, "id": wanted, "name": None}
    url = _with_query(f"{base_url}/datasets/", {"q": wanted, "page": 1, "page_size": DATASET_SEARCH_PAGE_SIZE})
    page = _get_json(client, url)
    candidates = [row for row in _page_rows(page, url) if isinstance(row, dict) and row.get("id") is not None]
    requests.append({"purpose": "dataset lookup", "url": redact_secrets(url), "rows": len(candidates)})

    def names(row: dict) -> list[str]:
        return [str(row[key]) for key in ("slug", "name", "full_name") if row.get(key)]

    # First the exact spelling (case, dashes and brackets aside), then the alias registry's canonical dataset, so that
    # "ImageNet" finds "ImageNet-1k" or "ImageNet [1K]" when the API has no dataset spelled "ImageNet".
    exact = [row for row in candidates if _fold(wanted) in {_fold(name) for name in names(row)}]
    canonical = canonical_dataset(_BRACKETS.sub(" ", wanted))
    aliased = [
        row for row in candidates
        if canonical in {canonical_dataset(_BRACKETS.sub(" ", name)) for name in names(row)}
    ]
    for matches in (exact, aliased):
        by_id = {str(row["id"]): row for row in matches}
        if len(by_id) == 1:
            row = next(iter(by_id.values()))
            return {
                "query": wanted,
                "id": str(row["id"]),
                "name": row.get("name"),
                "slug": row.get("slug"),
                "full_name": row.get("full_name"),
            }
        if len(by_id) > 1:
            listed = "; ".join(_describe_dataset(row) for row in by_id.values())
            raise ParseError(
                NAME, redact_secrets(url),
                f"dataset {wanted!r} is ambiguous, it matches {listed}: give the dataset option as one of these ids",
            )
    listed = "; ".join(_describe_dataset(row) for row in candidates[:10]) or "none"
    more = f" (and {len(candidates) - 10} more)" if len(candidates) > 10 else ""
    raise ParseError(
        NAME, redact_secrets(url),
        f"no dataset named {wanted!r}; the search lists {listed}{more}",
    )


def _describe_dataset(row: dict) -> str:
    return f"{row.get('name') or row.get('full_name') or '?'} (slug {row.get('slug')!s}, id {row.get('id')!s})"


def _walk_pages(client: HttpClient, list_url: str, params: dict, requests: list[dict]) -> tuple[list, str]:
    """Every page's rows, in order, and why the walk stopped."""
    collected: list = []
    page_number = 1
    while True:
        url = _with_query(list_url, {**params, "page": page_number, "page_size": PAGE_SIZE})
        page = _get_json(client, url)
        rows = _page_rows(page, url)
        count = _count_of(page)
        has_next, next_value = _next_of(page)
        requests.append(
            {"purpose": "page", "url": redact_secrets(url), "page": page_number, "rows": len(rows), "count": count,
             "next": next_value}
        )
        collected.extend(rows)
        if not rows:
            return collected, "empty page"
        if count is not None and len(collected) >= count:
            return collected, "count reached"
        if not has_next:
            return collected, "no next page"
        if page_number >= PAGE_CAP:
            return collected, f"page cap {PAGE_CAP}"
        page_number += 1


def _count_of(page: Any) -> int | None:
    if not isinstance(page, dict):
        return None
    for key in ("count", "total"):
        value = page.get(key)
        if isinstance(value, bool):
            continue
        if isinstance(value, int):
            return value
        if isinstance(value, str) and value.strip().isdigit():
            return int(value)
    return None


def _next_of(page: Any) -> tuple[bool, Any]:
    """Whether the envelope points to another page (`next_page` or DRF's `next`; null or absent means no)."""
    if not isinstance(page, dict):
        return False, None
    for key in ("next_page", "next"):
        if page.get(key) not in (None, "", False):
            return True, page[key]
    return False, None


# ---------------------------------------------------------------------------------------------------------- parse


def _page_rows(page: Any, location: str) -> list:
    """The rows of one page: `results` or `items`, or the page itself when it is a bare list."""
    if isinstance(page, list):
        return page
    if isinstance(page, dict):
        for key in ("results", "items"):
            if key in page:
                rows = page[key]
                if not isinstance(rows, list):
                    raise ParseError(NAME, location, f"'{key}' is not a list")
                return rows
        keys = ", ".join(sorted(map(str, page))[:12]) or "none"
        raise ParseError(NAME, location, f"not a page of rows: no 'results' or 'items' (its keys: {keys})")
    raise ParseError(NAME, location, f"expected a JSON object or list, found {type(page).__name__}")


def _fold(name: str) -> str:
    return fold(_BRACKETS.sub(" ", name))


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    text = str(value).strip()
    return text or None


def _first(row: Mapping, *keys: str) -> str | None:
    for key in keys:
        text = _text(row.get(key))
        if text is not None:
            return text
    return None


def _value_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _metrics_of(row: dict, where: str, location: str) -> list[tuple[str, Any]]:
    metrics = row.get("metrics")
    if isinstance(metrics, dict):
        return [(str(name), value) for name, value in metrics.items()]
    if isinstance(metrics, list) and all(isinstance(m, dict) for m in metrics):
        # Not seen in any client, but cheap to read: [{"name"|"metric": ..., "value": ...}].
        pairs = [(_first(m, "name", "metric"), m.get("value")) for m in metrics]
        if all(name for name, _ in pairs):
            return [(str(name), value) for name, value in pairs]
    if "metrics" not in row:
        keys = ", ".join(sorted(map(str, row))[:12])
        raise ParseError(
            NAME, location, f"{where} has no 'metrics': not evaluation rows (a list of papers, tasks or methods?; keys: {keys})"
        )
    raise ParseError(NAME, location, f"{where}: 'metrics' is not an object of metric name to value")


def _paper_of(row: dict) -> tuple[str | None, str | None, str | None, str | None, Any]:
    """(title, url, arxiv id, paper date, paper id) from flat `paper_*` fields or a nested `paper`."""
    nested = row.get("paper") if isinstance(row.get("paper"), dict) else {}
    title = _first(row, "paper_title") or _first(nested, "title")
    arxiv_id = _first(row, "paper_arxiv_id", "arxiv_id") or _first(nested, "arxiv_id")
    url = _first(row, "paper_url") or _first(nested, "url_abs", "url")
    date = _first(row, "paper_published_date", "paper_date") or _first(nested, "published", "date_published")
    paper_id = row.get("paper_id") if row.get("paper_id") is not None else nested.get("id")
    slug = row.get("paper")
    if isinstance(slug, str) and slug.strip():
        paper_id = paper_id if paper_id is not None else slug.strip()
        if url is None and not slug.strip().isdigit():
            url = f"{LEGACY_SITE}/paper/{slug.strip()}"
    return title, url, arxiv_id, date, paper_id


_ATTRIBUTE_FIELDS = (
    ("id", "evaluation_id"),
    ("best_rank", "best_rank"),
    ("best_metric", "best_metric"),
    ("task_id", "task_id"),
    ("task_slug", "task_slug"),
    ("dataset_id", "dataset_id"),
    ("dataset_slug", "dataset_slug"),
    ("harness", "harness"),
    ("split", "split"),
    ("split_name", "split_name"),
    ("is_open", "is_open"),
    ("num_parameters", "num_parameters"),
    ("result_url", "result_url"),
    ("source_url", "source_url"),
    ("external_source_url", "external_source_url"),
    ("code_url", "code_url"),
    ("hf_model_url", "hf_model_url"),
)


def _task_matches(row: dict, wanted: str) -> bool:
    names = [_text(row.get(key)) for key in ("task_name", "task", "task_slug", "task_id")]
    return _fold(wanted) in {_fold(name) for name in names if name}


def _row_task(row: dict) -> str | None:
    return _first(row, "task_name", "task", "task_slug")


def _rows_of(row: dict, index: int, context: dict, location: str) -> list[RawRow]:
    where = f"row {index}" + (f" (id {row['id']})" if row.get("id") is not None else "")
    metrics = _metrics_of(row, where, location)
    task = _row_task(row) or context["task"]
    if task is None:
        raise ParseError(NAME, location, f"{where} names no task: give the task option (v1 results carry none)")
    dataset = _first(row, "dataset_name", "dataset", "dataset_slug") or context["dataset"]
    if dataset is None:
        raise ParseError(NAME, location, f"{where} names no dataset: give the dataset option by name")

    model = _first(row, "model_name", "method")
    methodology = _first(row, "methodology")
    protocol = None
    if model is None:
        model = methodology
    else:
        protocol = methodology
    title, url, arxiv_id, paper_date, paper_id = _paper_of(row)
    evaluated_on = _first(row, "evaluated_on")
    evaluated_on_is_date = evaluated_on is not None and _DATE_LIKE.match(evaluated_on) is not None
    published = evaluated_on if evaluated_on_is_date else paper_date
    additional = row.get("uses_additional_data")

    attributes: dict[str, Any] = {}
    for key, name in _ATTRIBUTE_FIELDS:
        if row.get(key) is not None and not isinstance(row.get(key), (dict, list)):
            attributes[name] = row[key]
    if paper_id is not None:
        attributes["paper_id"] = paper_id
    if protocol is not None:
        attributes["methodology"] = protocol
    if evaluated_on is not None and not evaluated_on_is_date:
        attributes["evaluated_on"] = evaluated_on
    if evaluated_on_is_date and paper_date is not None and paper_date != evaluated_on:
        attributes["paper_published_date"] = paper_date
    setting = "; ".join(part for part in (_text(row.get("harness")), protocol) if part)
    if setting:
        attributes["setting"] = setting

    ref = f"evaluation {row['id']}" if row.get("id") is not None else f"row {index}"
    return [
        RawRow(
            task=task,
            dataset=dataset,
            metric=metric,
            model=model or "",
            value=_value_text(value),
            row_ref=f"{task} / {dataset} / {ref}",
            paper_title=title,
            paper_url=url,
            arxiv_id=arxiv_id,
            published=published,
            uses_additional_data=additional if isinstance(additional, bool) else None,
            has_code=True if isinstance(row.get("code_url"), str) and row["code_url"].strip() else None,
            attributes=dict(attributes),
        )
        for metric, value in metrics
    ]


def parse_pwc_api(payload: bytes, location: str, **options: str) -> list[RawRow]:
    document = json_document(payload, NAME, location)
    task_option = (options.get("task") or "").strip() or None
    dataset_option = (options.get("dataset") or "").strip() or None
    context_dataset = None
    if isinstance(document, dict) and document.get("format") == FORMAT:
        resolved = document.get("dataset") or {}
        context_dataset = _text(resolved.get("name"))
        task_option = task_option or _text(document.get("task"))
        rows = document.get("results")
        if not isinstance(rows, list):
            raise ParseError(NAME, location, "the harvest document has no 'results' list")
    elif isinstance(document, dict) and "metrics" in document and not any(k in document for k in ("results", "items")):
        rows = [document]  # one evaluation, e.g. GET evaluations/{id}
    else:
        rows = _page_rows(document, location)
    if dataset_option and not dataset_option.isdigit():
        context_dataset = context_dataset or dataset_option
    if not rows:
        raise ParseError(NAME, location, "no evaluation rows (the page lists none)")

    seen: set[str] = set()
    unique: list[tuple[int, dict]] = []
    for index, row in enumerate(rows):
        if not isinstance(row, dict):
            raise ParseError(NAME, location, f"row {index} is not an object")
        if row.get("id") is not None:
            key = str(row["id"])
            if key in seen:
                continue
            seen.add(key)
        unique.append((index, row))

    if task_option and any(_row_task(row) for _, row in unique):
        kept = [(index, row) for index, row in unique if _task_matches(row, task_option)]
        if not kept:
            present = sorted({_row_task(row) or "(none)" for _, row in unique})
            raise ParseError(
                NAME, location, f"no rows of task {task_option!r}; the rows' tasks are: {', '.join(present)}"
            )
        unique = kept

    context = {"task": task_option, "dataset": context_dataset}
    out: list[RawRow] = []
    for index, row in unique:
        out.extend(_rows_of(row, index, context, location))
    if not out:
        raise ParseError(NAME, location, "no metric values: every row has an empty 'metrics'")
    return out


SOURCE = SourceSpec(
    name=NAME,
    description="paperswithcode.co API: one dataset's evaluations, every page (also reads old paperswithcode.com API v1 pages)",
    parse=parse_pwc_api,
    fetch=fetch_pwc_api,
    full_listing=True,
    default_url=DEFAULT_URL,
)
