"""Papers with Code `evaluation-tables.json` (the archive dump, plain or gzip), and sota-extractor task files.

Live URL: the final dump kept by the pwc-archive dataset (jul-28-evaluation-tables.json.gz); the 2020 dump and the
sota-extractor task files load from paths. Relies on: a JSON list (or one object) of tasks with `task`, `datasets`
and recursive `subtasks`; each dataset has `dataset`, `sota.rows` (older files: `sota.sota_rows`) and optional
recursive `subdatasets`; each row has `model_name`, `metrics` {name: "88.5%" | 88.5}, `paper_title`, `paper_url`,
`paper_date` (may be null) and, in some files, `uses_additional_data` and `code_links` (a list of {title, url}). Every
metric of every row is one raw row.
"""
from __future__ import annotations

import gzip
import io
import json
import zlib
from collections.abc import Iterator
from dataclasses import replace

from pipelines.source import ParseError, RawRow, SourceSpec, json_document

NAME = "pwc-dump"
ARCHIVE_URL = "https://huggingface.co/datasets/pwc-archive/files/resolve/main/jul-28-evaluation-tables.json.gz"


def _decode(payload: bytes, location: str) -> object:
    if payload[:2] == b"\x1f\x8b":
        try:
            payload = gzip.decompress(payload)
        except (OSError, EOFError, zlib.error) as error:
            raise ParseError(NAME, location, f"corrupt gzip: {error}") from None
    return json_document(payload, NAME, location)


def _list(value: object, what: str, location: str) -> list:
    """`value` as a list (absent, null or empty: empty); anything else is a layout the parser does not know."""
    if not value:
        return []
    if not isinstance(value, list):
        raise ParseError(NAME, location, f"{what} is not a list")
    return value


def _text(value: object) -> str | None:
    """A row's text field as text: RawRow promises str or None, whatever JSON type the file put there."""
    return value if value is None or isinstance(value, str) else json.dumps(value)


def _has_code(row: dict) -> bool | None:
    """Whether the row's paper has code. The dump lists, per row, every code repository Papers with Code knew of for
    the paper (`code_links`), and the site showed a paper without any as having no code: an empty list is that same
    statement (false), not silence. A row without the key says nothing (None); so does a whole payload that links no
    code at all (`parse_pwc_dump`)."""
    links = row.get("code_links")
    if not isinstance(links, list):
        return None
    return bool(links)


def _rows_of_dataset(task: str, dataset: dict, path: str, location: str, unnamed: str | None = None) -> list[RawRow]:
    if not isinstance(dataset, dict) or ("dataset" not in dataset and unnamed is None):
        raise ParseError(NAME, location, f"{path}: a dataset entry without a 'dataset' name")
    # sota-extractor files have nameless subdatasets (the domains of one benchmark): they are numbered boards
    name = str(dataset.get("dataset") or unnamed)
    sota = dataset.get("sota") or {}
    if not isinstance(sota, dict):
        raise ParseError(NAME, location, f"{path} / {name}: 'sota' is not an object")
    listed = _list(sota.get("rows") if "rows" in sota else sota.get("sota_rows"), f"{path} / {name}: sota rows", location)
    out: list[RawRow] = []
    for index, row in enumerate(listed):
        if not isinstance(row, dict):
            raise ParseError(NAME, location, f"{path} / {name} row {index}: not an object")
        metrics = row.get("metrics") or {}
        if not isinstance(metrics, dict):
            raise ParseError(NAME, location, f"{path} / {name} row {index}: 'metrics' is not an object")
        additional = row.get("uses_additional_data")
        # what every metric of the row shares, read once
        shared = {
            # Papers with Code shows the paper's title where a row names no model; so does the record
            "model": str(row.get("model_name") or row.get("paper_title") or ""),
            "row_ref": f"{path} / {name} / row {index}",
            "paper_title": _text(row.get("paper_title")),
            "paper_url": _text(row.get("paper_url")),
            "published": _text(row.get("paper_date")),
            "uses_additional_data": additional if isinstance(additional, bool) else None,
            "has_code": _has_code(row),
        }
        for metric, value in metrics.items():
            out.append(
                RawRow(
                    task=task, dataset=name, metric=str(metric),
                    value=value if isinstance(value, str) else json.dumps(value), **shared,
                )
            )
    for number, sub in enumerate(_list(dataset.get("subdatasets"), f"{path} / {name}: 'subdatasets'", location), start=1):
        out.extend(_rows_of_dataset(task, sub, f"{path} / {name}", location, unnamed=f"{name} (part {number})"))
    return out


def _rows_of_tasks(tasks: list, parent: str, location: str) -> list[RawRow]:
    out: list[RawRow] = []
    for task in tasks:
        if not isinstance(task, dict) or "task" not in task:
            raise ParseError(NAME, location, f"{parent or 'top level'}: an entry without a 'task' name")
        path = f"{parent} > {task['task']}" if parent else str(task["task"])
        for dataset in _list(task.get("datasets"), f"{path}: 'datasets'", location):
            out.extend(_rows_of_dataset(str(task["task"]), dataset, path, location))
        out.extend(_rows_of_tasks(_list(task.get("subtasks"), f"{path}: 'subtasks'", location), path, location))
    return out


class _NotStreamable(Exception):
    """The payload is not a plain JSON list of tasks read cleanly from start to end: read it whole instead."""


_CHUNK = 1 << 22  # characters of decompressed text read at a time
_BLANK = " \t\r\n"


def _streamed_tasks(payload: bytes) -> Iterator[object]:
    """The items of the top-level JSON list, each decoded alone as the decompressed text streams past, so that the
    whole document (about four times its text in Python objects: a gigabyte at ten times the 2020 dump) is never
    held at once. Raises _NotStreamable for anything but a clean list (an object, invalid JSON, a bad gzip, not
    UTF-8), which the whole-document reading then reads or words an error for."""
    raw = gzip.GzipFile(fileobj=io.BytesIO(payload)) if payload[:2] == b"\x1f\x8b" else io.BytesIO(payload)
    decoder = json.JSONDecoder()
    text = io.TextIOWrapper(raw, encoding="utf-8-sig")
    buffer, position, ended = "", 0, False

    def read_more() -> None:
        nonlocal buffer, position, ended
        chunk = text.read(_CHUNK)
        ended = not chunk
        buffer, position = buffer[position:] + chunk, 0

    def next_character(skipping: str) -> str | None:
        nonlocal position
        while True:
            while position < len(buffer) and buffer[position] in skipping:
                position += 1
            if position < len(buffer):
                return buffer[position]
            if ended:
                return None
            read_more()

    try:
        if next_character(_BLANK) != "[":
            raise _NotStreamable
        position += 1
        while (character := next_character(_BLANK + ",")) != "]":
            if character is None:
                raise _NotStreamable  # the text ended inside the list
            while True:
                try:
                    item, end = decoder.raw_decode(buffer, position)
                except json.JSONDecodeError:
                    end = None
                if end is not None and (end < len(buffer) or ended):
                    break
                if ended:
                    raise _NotStreamable  # invalid JSON, not a cut
                read_more()  # the item runs past what was read so far
            position = end
            yield item
    except (OSError, EOFError, zlib.error, UnicodeDecodeError) as error:
        raise _NotStreamable from error


def stream_pwc_dump(payload: bytes, location: str, **_options: str) -> Iterator[RawRow]:
    """The rows of the dump one by one, as its tasks stream past (`_streamed_tasks`), so that a large dump's rows need
    not all be held at once; `parse_pwc_dump` is the same rows as a list."""
    read = 0
    try:
        streamed = (row for task in _streamed_tasks(payload) for row in _rows_of_tasks([task], "", location))
        for row in _rows_with_code_known(streamed):
            read += 1
            yield row
    except _NotStreamable:
        document = _decode(payload, location)
        if read:
            # the stream broke where the whole document reads (not seen in practice): its rows would come twice
            raise ParseError(NAME, location, "the JSON list could not be read to its end") from None
        tasks = [document] if isinstance(document, dict) else document
        if not isinstance(tasks, list):
            raise ParseError(NAME, location, "expected a list of tasks at the top level") from None
        for row in _rows_with_code_known(iter(_rows_of_tasks(tasks, "", location))):
            read += 1
            yield row
    if not read:
        raise ParseError(NAME, location, "no leaderboard rows found (no task has datasets with sota rows)")


def _rows_with_code_known(rows: Iterator[RawRow]) -> Iterator[RawRow]:
    """The rows, their code flags kept only if the payload links code somewhere. The sota-extractor task files scraped
    other leaderboards (SQuAD's, NLP-progress) and collected no code links: their empty lists are the scraper's
    silence, not Papers with Code saying a paper has no code. Rows are held back only until the first that links code
    (in a dump, the first few)."""
    held: list[RawRow] = []
    for row in rows:
        held.append(row)
        if row.has_code:
            yield from held
            del held
            yield from rows
            return
    yield from (replace(row, has_code=None) for row in held)


def parse_pwc_dump(payload: bytes, location: str, **options: str) -> list[RawRow]:
    return list(stream_pwc_dump(payload, location, **options))


def listing_of(row: RawRow) -> str:
    """The board listing a row comes from (its path, dataset and metric): Papers with Code lists each best first."""
    return row.row_ref.rsplit(" / row ", 1)[0]


# The JSON null of `value` arrives as the string "null" above and is rejected as "no value reported".
SOURCE = SourceSpec(
    name=NAME,
    description="Papers with Code evaluation-tables.json dump (plain or gzip), or sota-extractor task files",
    parse=parse_pwc_dump,
    stream=stream_pwc_dump,
    full_listing=True,
    default_url=ARCHIVE_URL,
    ranked_listing=listing_of,
)
