"""A leaderboard exported as CSV (a spreadsheet, a hand copy of a web board), with the task and dataset given by the user.

Reads any path or URL. Relies on a header row only: the model, date, year, extra-data, paper and rank columns are
found by name; every other column whose cells are mostly numbers is a metric (or the `metrics` option names them).
Spreadsheet debris is tolerated: a byte-order mark, empty trailing columns and repeated header blocks to the right
(only the first block of named columns is read), header rows repeated inside the data, newlines inside quoted names.
"""
from __future__ import annotations

import csv
import io
import re

from pipelines.base import ParseError, RawRow
from pipelines.source import SourceSpec
from pipelines.values import ValueProblem, collapse_whitespace, parse_flag, parse_value

NAME = "csv"

_ROLES: dict[str, re.Pattern] = {
    "model": re.compile(r"^(method|model|model name|model_name|name|system|approach)$"),
    "date": re.compile(r"^(date|paper date|paper_date|published|published on|publication date|release date)$"),
    "year": re.compile(r"^year$"),
    "extra": re.compile(r"extra|additional data|uses_additional_data"),
    "paper_title": re.compile(r"^(paper|paper title|paper_title|title)$"),
    "paper_url": re.compile(r"^(paper link|paper url|paper_url|url|link|arxiv)$"),
    "rank": re.compile(r"^(rank|#)$"),
}


def decode_text(payload: bytes) -> str:
    """UTF-8 (with or without a byte-order mark); spreadsheets saved as Windows-1252 still read."""
    try:
        return payload.decode("utf-8-sig")
    except UnicodeDecodeError:
        return payload.decode("cp1252", errors="replace")


def _first_block(header: list[str]) -> list[str]:
    """Header names up to the first empty one: the columns right of it are export debris."""
    names: list[str] = []
    for cell in header:
        name = collapse_whitespace(cell)
        if not name:
            break
        names.append(name)
    return names


def _mostly_numbers(cells: list[str]) -> bool:
    filled = [c for c in cells if c.strip()]
    if not filled:
        return False
    numeric = 0
    for cell in filled:
        try:
            parse_value(cell)
            numeric += 1
        except ValueProblem:
            pass
    return numeric >= max(1, len(filled) // 2)


def parse_csv_table(payload: bytes, location: str, **options: str) -> list[RawRow]:
    task, dataset = options.get("task"), options.get("dataset")
    if not task or not dataset:
        raise ParseError(NAME, location, "the csv source needs --task and --dataset")
    records = list(csv.reader(io.StringIO(decode_text(payload), newline="")))
    records = [r for r in records if any(cell.strip() for cell in r)]
    if not records:
        raise ParseError(NAME, location, "empty file: no header row")
    header = _first_block(records[0])
    lowered = [h.lower() for h in header]
    roles: dict[str, int] = {}
    for role, pattern in _ROLES.items():
        wanted = options.get(f"{role}_column")
        for index, name in enumerate(lowered):
            if (wanted and name == wanted.lower()) or (not wanted and pattern.search(name)):
                roles.setdefault(role, index)
    if "model" not in roles:
        raise ParseError(NAME, location, f"no model column in the header {header} (expected Method, Model or Name)")
    data = [r for r in records[1:] if [collapse_whitespace(c).lower() for c in r[: len(header)]] != lowered]

    role_columns = set(roles.values())
    if options.get("metrics"):
        wanted_metrics = [m.strip().lower() for m in options["metrics"].split(",")]
        missing = [m for m in wanted_metrics if m not in lowered]
        if missing:
            raise ParseError(NAME, location, f"metric columns {missing} are not in the header {header}")
        metric_columns = [lowered.index(m) for m in wanted_metrics]
    else:
        metric_columns = [
            i for i in range(len(header))
            if i not in role_columns and _mostly_numbers([r[i] if i < len(r) else "" for r in data])
        ]
    if not metric_columns:
        raise ParseError(NAME, location, f"no metric columns found in the header {header}")
    other_columns = [i for i in range(len(header)) if i not in role_columns and i not in metric_columns]

    def cell(record: list[str], role: str) -> str | None:
        index = roles.get(role)
        if index is None or index >= len(record):
            return None
        return record[index].strip() or None

    rows: list[RawRow] = []
    for line, record in enumerate(data, start=2):
        extra_cell = cell(record, "extra")
        try:
            # The column marks rows that used extra data; a blank cell in that column means they did not.
            extra = parse_flag(extra_cell, blank=False) if "extra" in roles else None
        except ValueProblem:
            extra = None
        attributes = {header[i]: record[i].strip() for i in other_columns if i < len(record) and record[i].strip()}
        if cell(record, "rank"):
            attributes["rank"] = cell(record, "rank")
        if extra_cell is not None and extra is None:
            attributes["extra_data_mark"] = extra_cell
        for index in metric_columns:
            value = record[index] if index < len(record) else ""
            if not value.strip():
                continue  # a blank cell in a wide table: this row makes no claim on that metric
            rows.append(
                RawRow(
                    task=task,
                    dataset=dataset,
                    metric=header[index],
                    model=cell(record, "model") or "",
                    value=value,
                    row_ref=f"data row {line - 1}",
                    paper_title=cell(record, "paper_title"),
                    paper_url=cell(record, "paper_url"),
                    published=cell(record, "date") or cell(record, "year"),
                    uses_additional_data=extra,
                    attributes=attributes,
                )
            )
    if not rows:
        raise ParseError(NAME, location, "a header but no data rows")
    return rows


SOURCE = SourceSpec(
    name=NAME,
    description="A leaderboard exported as CSV; the user gives the task and dataset",
    parse=parse_csv_table,
    full_listing=True,
    required_options=("task", "dataset"),
)
