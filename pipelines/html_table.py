"""A leaderboard in a plain HTML `<table>` of a blog post or web page (`html-table`), with the task and dataset given.

URL: any page or saved file (no default); one GET per page and run, through the shared HTTP client, which keeps the
politeness (timeouts, retries, per-host interval, conditional requests). The parser itself is pure.

Options (strings, as the CLI or a config gives them):
- `task`, `dataset` (required): the board the table is, since an article seldom says it in a form we could read;
- `selector`: a CSS selector for the table (the first match is used; a match that is not a `<table>`, such as an
  `<article>`, narrows the search below to its own tables). Without it, the first table whose header has a model
  column and at least one column of mostly numbers is read, so a page's layout or contents tables are passed over;
- `columns`: `name=header` pairs separated by commas, for headers that are not obvious ("model=Method,
  Top 1 Accuracy=Acc@1"). A name that is a role of `pipelines.csv_table.ROLE_PATTERNS` (model, date, year, extra,
  paper_title, paper_url, rank) picks that role's column; any other name is a metric read from that column under
  that name. A header may hold a comma, but not a comma followed by text with an "=" before the next comma;
- `metrics`: comma-separated metric columns to read (header names, or names given in `columns`).
If `columns` or `metrics` name any metric, only those are read; otherwise every column that plays no role and whose
cells are mostly numbers is a metric (as in the csv source), so a "2.1B" params column comes in as a metric that the
normaliser marks descriptive (direction "none"), and text columns (notes) go to attributes.

Page elements relied on:
- a `<table>`; its header is the `<thead>` rows, else the leading rows made only of `<th>`, else the first row. Under a
  multi-row header a column's name joins its header cells top to bottom ("Accuracy Top-1");
- `colspan` and `rowspan`, expanded to a grid so that every value stays under its own header;
- cell text, whitespace-collapsed, with a space where a `<br>` or a block element breaks it ("GitHub,<br>Oct 2019");
- the first link (`<a href>`) in the paper-url, paper-title or model cell, in that order, as the paper URL (relative
  links are resolved against an http(s) location); the arXiv id is taken from it by `pipelines.normalize`.

Values are kept as written ("91.0% (9.0% error)"); the claim is the number before the parenthesis. A "~" (or "≈",
"approx.") before a value marks an estimate: the row gets `is_estimate=True`, read with the same rule as
`pipelines.values.parse_value`, so an estimate is never mixed with reported values unless asked.

Limits: one table per payload; rows made of one cell across the whole table (section headings) are skipped, since
they hold no value; a note written inside the model cell stays part of the model name; entries that share a model
name on one board cannot be told apart (no setting), so the normaliser rejects them as conflicting duplicates if their
values differ. A page without a matching table is a `ParseError` naming the selector or saying that no table has a
model column, never an empty list.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from urllib.parse import urljoin

from bs4 import BeautifulSoup, CData, NavigableString, Tag
from soupsieve import SelectorSyntaxError

from pipelines.source import ParseError, RawRow, SourceSpec
from pipelines.csv_table import ROLE_PATTERNS, find_role_columns, numeric_columns, repeats_header, table_rows
from pipelines.values import ValueProblem, collapse_whitespace, parse_value

NAME = "html-table"

# Elements that start a new line on the page: their text must not run into the text before them.
_BREAKING = frozenset({
    "br", "p", "div", "li", "ul", "ol", "dl", "dt", "dd", "table", "tr", "td", "th", "hr", "blockquote", "pre",
    "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "header", "footer", "figure", "figcaption",
})
# A stray "rowspan=100000" must not blow a page up to a huge grid.
_MAX_SPAN = 1000
# Split "a=b,c=d" at the commas that start a new "name=" pair, so that a header such as "Params (M, est.)" survives.
_PAIR_SEPARATOR = re.compile(r",\s*(?=[^,=]+=)")


@dataclass(frozen=True)
class _Table:
    label: str  # "table#<id>" or "table <n>" (its position on the page), for row references and errors
    header: list[str]
    records: list[list[str]]
    links: list[dict[int, str]]  # per record: column -> the first link in that cell
    unnamed: frozenset[int]  # columns whose header cell is empty, named "column <n>" so attributes can keep them


class _Unusable(Exception):
    """This table lacks what the options ask for; the message says what."""


def _markup(payload: bytes) -> str | bytes:
    try:
        return payload.decode("utf-8")
    except UnicodeDecodeError:
        return payload  # let BeautifulSoup sniff the encoding (a <meta charset>, a byte-order mark)


def _cell_text(cell: Tag) -> str:
    # get_text(" ") would also split inline markup ("<b>91</b>.0" -> "91 .0", "B7<sup>†</sup>" -> "B7 †"), so
    # spaces go only where the page breaks the line; comments and scripts are not text.
    parts: list[str] = []
    for node in cell.descendants:
        if isinstance(node, Tag):
            if node.name in _BREAKING:
                parts.append(" ")
        elif type(node) in (NavigableString, CData):
            parts.append(str(node))
    return collapse_whitespace("".join(parts))


def _first_link(cell: Tag, location: str) -> str | None:
    for anchor in cell.find_all("a", href=True):
        href = anchor["href"].strip()
        if not href or href.startswith(("#", "javascript:", "mailto:")):
            continue  # in-page anchors (footnotes) and scripts are not the paper
        return urljoin(location, href) if location.startswith(("http://", "https://")) else href
    return None


def _span(cell: Tag, attribute: str) -> int:
    try:
        return min(max(int(str(cell.get(attribute, "1")).strip()), 1), _MAX_SPAN)
    except ValueError:
        return 1


def _own_rows(table: Tag) -> list[Tag]:
    """The table's rows in page order (thead, tbody, tfoot or bare), without the rows of tables nested in its cells."""
    return [tr for tr in table.find_all("tr") if tr.find_parent("table") is table]


def _grid(rows: list[Tag]) -> list[list[Tag | None]]:
    """Rows of cells with colspan and rowspan expanded: a spanning cell stands in every position it covers."""
    grid: list[list[Tag | None]] = []
    carried: dict[int, tuple[Tag, int]] = {}  # column -> (cell spanning down into it, rows it still covers)
    for tr in rows:
        cells = iter(tr.find_all(["td", "th"], recursive=False))
        line: list[Tag | None] = []
        while True:
            column = len(line)
            if column in carried:
                cell, left = carried.pop(column)
                if left > 1:
                    carried[column] = (cell, left - 1)
                line.append(cell)
                continue
            cell = next(cells, None)
            if cell is None:
                if any(c > column for c in carried):
                    line.append(None)  # a short row under a cell spanning down further right
                    continue
                break
            down = _span(cell, "rowspan")
            for _ in range(_span(cell, "colspan")):
                if down > 1:
                    carried[len(line)] = (cell, down - 1)
                line.append(cell)
        grid.append(line)
    return grid


def _header_size(rows: list[Tag]) -> int:
    head = [tr for tr in rows if tr.find_parent(["thead", "table"]).name == "thead"]
    if head:
        return len(head)
    leading = 0
    for tr in rows:
        cells = tr.find_all(["td", "th"], recursive=False)
        if not cells or any(c.name != "th" for c in cells):
            break
        leading += 1
    return max(leading, 1)


def _read_table(table: Tag, label: str, location: str) -> _Table:
    rows = _own_rows(table)
    size = _header_size(rows) if rows else 0
    grid = _grid(rows)
    width = max((len(line) for line in grid), default=0)
    header: list[str] = []
    for column in range(width):
        seen: list[Tag] = []
        for line in grid[:size]:
            cell = line[column] if column < len(line) else None
            # By identity: a header cell spanning down is named once, but two cells that read alike are two.
            if cell is not None and all(cell is not other for other in seen):
                seen.append(cell)
        header.append(collapse_whitespace(" ".join(_cell_text(cell) for cell in seen)) or f"column {column + 1}")
    unnamed = frozenset(i for i, cell in enumerate(header) if cell == f"column {i + 1}")

    records: list[list[str]] = []
    links: list[dict[int, str]] = []
    for line in grid[size:]:
        cells = [cell for cell in line if cell is not None]
        if not cells or (width > 1 and all(cell is cells[0] for cell in cells)):
            continue  # an empty row, or a one-cell section heading ("Trained with extra data"): no values to read
        texts = [_cell_text(cell) if cell is not None else "" for cell in line]
        texts += [""] * (width - len(texts))
        if not any(texts) or repeats_header(header, texts):
            continue
        records.append(texts)
        row_links: dict[int, str] = {}
        for column, cell in enumerate(line):
            url = _first_link(cell, location) if cell is not None else None
            if url:
                row_links[column] = url
        links.append(row_links)
    return _Table(label, header, records, links, unnamed)


def _pairs(text: str | None, location: str) -> dict[str, str]:
    """The `columns` option as {name: header}."""
    if not text:
        return {}
    pairs: dict[str, str] = {}
    for entry in _PAIR_SEPARATOR.split(text.strip().strip(",")):
        name, found, header = entry.partition("=")
        if not found or not name.strip() or not header.strip():
            raise ParseError(NAME, location, f"the columns option wants name=header pairs, got {entry.strip()!r}")
        pairs[collapse_whitespace(name)] = collapse_whitespace(header)
    return pairs


@dataclass(frozen=True)
class _Wanted:
    """What the options ask of a table's header."""

    roles: dict[str, str]  # role -> header name
    metrics: list[tuple[str, str]]  # (metric name, header name), in the order given

    @classmethod
    def of(cls, options: Mapping[str, str], location: str) -> _Wanted:
        roles: dict[str, str] = {}
        metrics: dict[str, tuple[str, str]] = {}  # by lower-cased metric name, so "metrics" can refer to a mapped one
        for name, header in _pairs(options.get("columns"), location).items():
            if name.lower() in ROLE_PATTERNS:
                roles[name.lower()] = header
            else:
                metrics[name.lower()] = (name, header)
        for name in filter(None, map(collapse_whitespace, (options.get("metrics") or "").split(","))):
            metrics.setdefault(name.lower(), (name, name))
        return cls(roles, list(metrics.values()))


def _columns(table: _Table, wanted: _Wanted) -> tuple[dict[str, int], dict[int, str]]:
    """The table's role columns and metric columns (column -> metric name), or `_Unusable` saying what is missing."""
    lowered = [name.lower() for name in table.header]
    missing = [h for h in [*wanted.roles.values(), *(h for _, h in wanted.metrics)] if h.lower() not in lowered]
    if missing:
        raise _Unusable(f"{table.label}: columns {missing} are not in the header {table.header}")
    roles = find_role_columns(table.header, wanted.roles)
    if "model" not in roles:
        raise _Unusable(f"{table.label}: no model column in the header {table.header} "
                        "(expected Method, Model or Name, or give columns=\"model=<header>\")")
    if wanted.metrics:
        named: dict[int, str] = {}
        for name, header in wanted.metrics:
            named.setdefault(lowered.index(header.lower()), name)  # a column listed twice keeps its first name
        return roles, named
    # A column the page leaves unnamed (row numbers, icons) gives no metric name: it stays an attribute.
    skip = {*roles.values(), *table.unnamed}
    metrics = {i: table.header[i] for i in numeric_columns(table.header, table.records, skip)}
    if not metrics:
        raise _Unusable(f"{table.label}: no metric columns (none mostly numbers) in the header {table.header}")
    return roles, metrics


def _is_estimate(value: str) -> bool:
    try:
        return parse_value(value).is_estimate
    except ValueProblem:
        return False  # the normaliser rejects the cell with its reason; there is no estimate to flag


def parse_html_table(payload: bytes, location: str, **options: str) -> list[RawRow]:
    """Read the leaderboard table of a page into raw rows: one per filled metric cell, values as written."""
    task, dataset = options.get("task"), options.get("dataset")
    if not task or not dataset:
        raise ParseError(NAME, location, "the html-table source needs --task and --dataset")
    wanted = _Wanted.of(options, location)
    soup = BeautifulSoup(_markup(payload), "lxml")
    tables = soup.find_all("table")
    labels = {id(t): (f"table#{t['id']}" if t.get("id") else f"table {n}") for n, t in enumerate(tables, start=1)}

    selector = options.get("selector")
    where = f" (selected by {selector!r})" if selector else ""
    if selector:
        try:
            found = soup.select_one(selector)
        except SelectorSyntaxError as error:
            raise ParseError(NAME, location, f"the selector {selector!r} is not valid CSS ({error})") from None
        if found is None:
            raise ParseError(NAME, location, f"the selector {selector!r} matches nothing")
        # A selected container (an article, a div) narrows the search to its own tables.
        candidates = [found] if found.name == "table" else found.find_all("table")
        if not candidates:
            raise ParseError(NAME, location, f"the selector {selector!r} matches no <table>")
    else:
        candidates = tables
        if not candidates:
            raise ParseError(NAME, location, "no <table> in the page")
    problems: list[str] = []
    for table in candidates:
        read = _read_table(table, labels[id(table)], location)
        try:
            roles, metrics = _columns(read, wanted)
            break
        except _Unusable as problem:
            problems.append(str(problem))
    else:
        if len(problems) == 1 and selector and found.name == "table":  # the user chose this very table
            raise ParseError(NAME, location, f"{problems[0]}{where}")
        raise ParseError(NAME, location,
                         f"no table with a model column and a metric column{where}: " + "; ".join(problems))

    if not read.records:
        raise ParseError(NAME, location, f"{read.label}: a header but no data rows")
    rows = table_rows(
        read.header,
        read.records,
        roles=roles,
        metrics=metrics,
        task=task,
        dataset=dataset,
        row_refs=[f"{read.label} row {n}" for n in range(1, len(read.records) + 1)],
        links=read.links,
    )
    if not rows:
        raise ParseError(NAME, location, f"{read.label}: no filled metric cells")
    return [replace(row, is_estimate=True) if _is_estimate(row.value) else row for row in rows]


SOURCE = SourceSpec(
    name=NAME,
    description="A leaderboard in a plain HTML table (a blog post, an article); the user gives the task and dataset",
    parse=parse_html_table,
    full_listing=True,
    required_options=("task", "dataset"),
)
