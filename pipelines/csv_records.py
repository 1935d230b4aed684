"""Reading a CSV payload as text, record by record, with the line each record starts on, for the sources that read CSV files
by their headers (Epoch's benchmark files and its runs). Problems are ParseErrors in the source's name."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from pipelines.source import ParseError


def csv_text(payload: bytes, *, source: str, location: str, name: str | None = None) -> str:
    """The payload as text: UTF-8, a byte-order mark dropped (it would otherwise stick to the first header name)."""
    try:
        return payload.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        problem = f"not UTF-8 text ({exc})"
        raise ParseError(source, location, f"{name}: {problem}" if name else problem) from None


def csv_records(
    text: str, *, source: str, location: str, name: str | None = None
) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]]]:
    """The header and an iterator of (line, cells) per record, the line being where the record starts (quoted cells
    may hold newlines); blank lines are skipped, and a record whose field count differs from the header's is an error
    (its cells could no longer be matched to the columns). `name` (a file inside the payload) opens each message."""
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if not header:
        raise ParseError(source, location, f"{name}: empty file, no header row" if name else "empty file, no header row")
    columns = [cell.strip() for cell in header]

    def records() -> Iterator[tuple[int, dict[str, str]]]:
        start = reader.line_num + 1
        for record in reader:
            line, start = start, reader.line_num + 1
            if not record or all(not cell.strip() for cell in record):
                continue
            if len(record) != len(columns):
                where = f"{name} line {line}" if name else f"line {line}"
                raise ParseError(source, location, f"{where} has {len(record)} fields, the header has {len(columns)}")
            yield line, dict(zip(columns, (cell.strip() for cell in record)))

    return columns, records()


def require_columns(columns: list[str], needed, *, source: str, location: str, name: str | None = None) -> None:
    """A ParseError naming the first of `needed` the header lacks, and the header."""
    for column in needed:
        if column not in columns:
            missing = f"header has no {column!r} column (header: {','.join(columns)})"
            raise ParseError(source, location, f"{name}: {missing}" if name else missing)
