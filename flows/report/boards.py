"""The data of the report's browsable parts: each benchmark's full board (with its code links and the extra columns its
sources give), the task index, and the search index, as plain values the templates render and the pages' own script
(`flows/report/static/site.js`) reads back as JSON.

Data never becomes markup: the templates escape every string, and the JSON a page carries is written by `json_text`,
which escapes "<", ">" and "&" so that no name can close the `<script type="application/json">` block holding it; the
script reads it with JSON.parse and writes it with textContent only.
"""
from __future__ import annotations

import json
import math
from collections import Counter
from itertools import groupby

from flows.report.cells import number, paper_link, published, safe_link, yes_no

PAGE_ROWS = 50  # rows of a full board per page (the first page is also the page's plain HTML)
MAX_EXTRA_COLUMNS = 4


def json_text(value) -> str:
    """JSON safe inside a `<script type="application/json">` element: no "<", ">" or "&" as such, so neither
    "</script>" nor "<!--" can appear, whatever the data holds."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def amount(value, unit: str | None) -> str:
    """A value as its source wrote it: a count with its K/M/B suffix (2100000000 as "2.1B"), anything else as is."""
    if value is None or unit != "count":
        return number(value)
    for scale, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if abs(value) >= scale:
            return f"{value / scale:.6g}{suffix}"
    return number(value)


def extra_columns(extras: list[dict]) -> list[dict]:
    """The sibling metrics a board shows as extra columns: those with a value for some row, the most filled first (at
    most MAX_EXTRA_COLUMNS), then by name."""
    counts = Counter((row["metric"], row["unit"]) for row in extras)
    chosen = sorted(counts.items(), key=lambda item: (-item[1], item[0][0].lower(), item[0][0]))[:MAX_EXTRA_COLUMNS]
    return [{"metric": metric, "unit": unit} for (metric, unit), _ in chosen]


def full_board(rows: list[dict], extras: list[dict]) -> dict:
    """One benchmark's full board as the page shows it and its script reads it: the extra columns and one row per
    consolidated result (rank, model and setting, value with its standard error, extra columns, published, extra data,
    lineages, paper and code links)."""
    columns = extra_columns(extras)
    position = {(c["metric"], c["unit"]): i for i, c in enumerate(columns)}
    values: dict[int, list] = {}
    for extra in extras:
        at = position.get((extra["metric"], extra["unit"]))
        if at is not None:
            values.setdefault(extra["consolidated_id"], [None] * len(columns))[at] = extra["value"]
    board = []
    for row in rows:
        cells = values.get(row["consolidated_id"], [None] * len(columns))
        code = safe_link(row.get("code_url"))
        board.append({
            # two settings of one model are two rows: the setting says which (an image size, a reasoning effort)
            "rank": row["rank"], "model": row["model"] + (f" ({row['setting']})" if row.get("setting") else ""),
            "estimate": bool(row["is_estimate"]),
            "value": _finite(row["value"]),
            # "88 ± 2" where the source gives a standard error (evaluation runs)
            "shown": number(row["value"]) + (f" ± {number(row['stderr'])}" if row.get("stderr") is not None else ""),
            "extras": [_finite(v) for v in cells], "extrasShown": [amount(v, c["unit"]) for v, c in zip(cells, columns)],
            "published": published(row),
            "day": row["published_on"].isoformat() if row["published_on"] else None,
            "extra": yes_no(row["uses_additional_data"]),
            "sources": list(row["sources"] or []),
            "paper": paper_link(row), "code": code,
            "hasCode": "yes" if code is None and row["has_code"] else "",
        })
    return {"columns": [c["metric"] for c in columns], "rows": board, "pageRows": PAGE_ROWS}


def task_index(benchmarks: list[dict], pages: dict[tuple[str, str, str], str]) -> list[dict]:
    """Every ranked benchmark grouped for the task index. No area is stored for a task (the dump's parent task is not
    kept), so tasks are grouped alphabetically by their first letter ("#" for any other first character). `pages`
    maps (task, dataset, metric) to a page's link from the report's root."""
    groups = []
    for letter, in_letter in groupby(benchmarks, key=lambda b: _letter(b["task"])):
        tasks = []
        for task, in_task in groupby(in_letter, key=lambda b: b["task"]):
            datasets = [{"dataset": dataset,
                         "benchmarks": [{"metric": b["metric"], "results": b["results"],
                                         "href": pages.get((task, dataset, b["metric"]))} for b in in_dataset]}
                        for dataset, in_dataset in groupby(in_task, key=lambda b: b["dataset"])]
            tasks.append({"task": task, "datasets": datasets})
        groups.append({"letter": letter, "tasks": tasks})
    merged: dict[str, dict] = {}
    for group in groups:  # "#" may come back after letters, in case-folded order
        merged.setdefault(group["letter"], {"letter": group["letter"], "tasks": []})["tasks"] += group["tasks"]
    return sorted(merged.values(), key=lambda g: (g["letter"] == "#", g["letter"]))


def search_index(benchmarks: list[dict], pages: dict[tuple[str, str, str], str]) -> list[list]:
    """The search box's index: [task, dataset, metric, results, link from the root or ""] per ranked benchmark."""
    return [[b["task"], b["dataset"], b["metric"], b["results"], pages.get((b["task"], b["dataset"], b["metric"]), "")]
            for b in benchmarks]


def _finite(value):
    """A number JSON can hold (NaN and infinities are not JSON): sorted last, as an unknown value."""
    return value if value is None or math.isfinite(value) else None


def _letter(task: str) -> str:
    first = task.strip()[:1].upper()
    return first if first.isalpha() and first.isascii() else "#"
