"""A leaderboard exported as CSV (a spreadsheet, a hand copy of a web board), with the task and dataset given by the user.

Reads any path or URL. Relies on a header row only: the model, date, year, extra-data, paper and rank columns are
found by name; every other column whose cells are mostly numbers is a metric (or the `metrics` option names them).
Spreadsheet debris is tolerated: a byte-order mark, empty trailing columns and repeated header blocks to the right
(only the first block of named columns is read), header rows repeated inside the data, newlines inside quoted names.

The reading of a header and its rows (`find_role_columns`, `numeric_columns`, `repeats_header`, `table_rows`) is
shared with the other generic table source, `pipelines.html_table`, so both find columns by the same names.
"""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping

from pipelines.source import ParseError, RawRow, SourceSpec
from pipelines.values import ValueProblem, collapse_whitespace, parse_flag, parse_value

NAME = "csv"

# The parts a column can play besides being a metric, recognised by the (lower-cased) header name.
ROLE_PATTERNS: dict[str, re.Pattern] = {
    "model": re.compile(r"^(method|model|model name|model_name|name|system|approach)$"),
    "date": re.compile(r"^(date|paper date|paper_date|published|published on|publication date|release date)$"),
    "year": re.compile(r"^year$"),
    "extra": re.compile(r"extra|additional data|uses_additional_data"),
    "paper_title": re.compile(r"^(paper|paper title|paper_title|title)$"),
    "paper_url": re.compile(r"^(paper link|paper url|paper_url|url|link|arxiv)$"),
    "rank": re.compile(r"^(rank|#)$"),
}


_STRAY_BYTES = re.compile("[\udc80-\udcff]+")


def decode_text(payload: bytes) -> str:
    """UTF-8 (with or without a byte-order mark); spreadsheets saved as Windows-1252 still read.

    Only the bytes that are not UTF-8 are read as Windows-1252: a UTF-8 file with one pasted Windows-1252 cell keeps
    its other cells right ("—" stays "—", not "â€”")."""
    text = payload.decode("utf-8-sig", errors="surrogateescape")
    return _STRAY_BYTES.sub(
        lambda stray: bytes(ord(char) - 0xDC00 for char in stray.group()).decode("cp1252", errors="replace"), text
    )


def _first_block(header: list[str]) -> list[str]:
    """Header names up to the first empty one: the columns right of it are export debris."""
    names: list[str] = []
    for cell in header:
        name = collapse_whitespace(cell)
        if not name:
            break
        names.append(name)
    return names


def _lowered(names: Iterable[str]) -> list[str]:
    return [collapse_whitespace(name).lower() for name in names]


def find_role_columns(header: list[str], chosen: Mapping[str, str | None] | None = None) -> dict[str, int]:
    """The column index of each role (`ROLE_PATTERNS`) a header has.

    `chosen` maps a role to the header name the user picked for it; such a role is that column or nothing, never a
    guess by pattern, so a renamed column shows up as missing. Other roles take the first column whose name fits.
    """
    lowered = _lowered(header)
    wanted = {role: collapse_whitespace(name).lower() for role, name in (chosen or {}).items() if name}
    roles: dict[str, int] = {}
    for role, pattern in ROLE_PATTERNS.items():
        for index, name in enumerate(lowered):
            if (name == wanted[role]) if role in wanted else bool(pattern.search(name)):
                roles.setdefault(role, index)
    return roles


def repeats_header(header: list[str], record: list[str]) -> bool:
    """A data row that only repeats the header (spreadsheets and long web tables restate it every screenful)."""
    return _lowered(record[: len(header)]) == _lowered(header)


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


def numeric_columns(header: list[str], records: list[list[str]], skip: Iterable[int] = ()) -> list[int]:
    """Columns (outside `skip`) whose filled cells are mostly numbers: the metrics of a board nobody described."""
    skipped = set(skip)
    return [
        i for i in range(len(header))
        if i not in skipped and _mostly_numbers([r[i] if i < len(r) else "" for r in records])
    ]


def table_rows(
    header: list[str],
    records: list[list[str]],
    *,
    roles: Mapping[str, int],
    metrics: Mapping[int, str],
    task: str,
    dataset: str,
    row_refs: list[str],
    links: list[Mapping[int, str]] | None = None,
) -> list[RawRow]:
    """One `RawRow` per filled metric cell of each record; columns that are neither roles nor metrics are attributes.

    `metrics` maps a column to the metric name its rows carry. `links` (one per record, column -> URL) are the links a
    web table puts in its cells: the paper column's link, else the paper title's, else the model name's, is the paper
    URL; a CSV has none and takes the paper URL column's text.
    """
    other_columns = [i for i in range(len(header)) if i not in roles.values() and i not in metrics]

    rows: list[RawRow] = []
    for number, record in enumerate(records):
        cells = {role: record[i].strip() for role, i in roles.items() if i < len(record) and record[i].strip()}
        cell_links = links[number] if links else {}
        urls = {role: cell_links[i] for role, i in roles.items() if i in cell_links}
        extra_cell = cells.get("extra")
        try:
            # The column marks rows that used extra data; a blank cell in that column means they did not.
            extra = parse_flag(extra_cell, blank=False) if "extra" in roles else None
        except ValueProblem:
            extra = None
        attributes = {header[i]: record[i].strip() for i in other_columns if i < len(record) and record[i].strip()}
        if "rank" in cells:
            attributes["rank"] = cells["rank"]
        if extra_cell is not None and extra is None:
            attributes["extra_data_mark"] = extra_cell
        paper_url = urls.get("paper_url") or cells.get("paper_url") or urls.get("paper_title") or urls.get("model")
        for index, metric in metrics.items():
            value = record[index] if index < len(record) else ""
            if not value.strip():
                continue  # a blank cell in a wide table: this row makes no claim on that metric
            rows.append(
                RawRow(
                    task=task,
                    dataset=dataset,
                    metric=metric,
                    model=cells.get("model", ""),
                    value=value,
                    row_ref=row_refs[number],
                    paper_title=cells.get("paper_title"),
                    paper_url=paper_url,
                    published=cells.get("date") or cells.get("year"),
                    uses_additional_data=extra,
                    attributes=attributes,
                )
            )
    return rows


def parse_csv_table(payload: bytes, location: str, **options: str) -> list[RawRow]:
    task, dataset = options.get("task"), options.get("dataset")
    if not task or not dataset:
        raise ParseError(NAME, location, "the csv source needs --task and --dataset")
    records = list(csv.reader(io.StringIO(decode_text(payload), newline="")))
    records = [r for r in records if any(cell.strip() for cell in r)]
    if not records:
        raise ParseError(NAME, location, "empty file: no header row")
    header = _first_block(records[0])
    lowered = _lowered(header)
    roles = find_role_columns(header, {role: options.get(f"{role}_column") for role in ROLE_PATTERNS})
    if "model" not in roles:
        raise ParseError(NAME, location, f"no model column in the header {header} (expected Method, Model or Name)")
    data = [r for r in records[1:] if not repeats_header(header, r)]

    if options.get("metrics"):
        wanted_metrics = [m.strip().lower() for m in options["metrics"].split(",")]
        missing = [m for m in wanted_metrics if m not in lowered]
        if missing:
            raise ParseError(NAME, location, f"metric columns {missing} are not in the header {header}")
        metric_columns = [lowered.index(m) for m in wanted_metrics]
    else:
        metric_columns = numeric_columns(header, data, skip=roles.values())
    if not metric_columns:
        raise ParseError(NAME, location, f"no metric columns found in the header {header}")

    rows = table_rows(
        header,
        data,
        roles=roles,
        metrics={i: header[i] for i in metric_columns},
        task=task,
        dataset=dataset,
        row_refs=[f"data row {n}" for n in range(1, len(data) + 1)],
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
