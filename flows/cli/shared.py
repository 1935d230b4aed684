"""What every `sota` command shares: the consoles, the common options, output as a table or JSON, and opening the
warehouse with the lock wait (SOTA_LOCK_TIMEOUT).

Kept free of pandas, pandera and requests (they cost most of a second to import): a command imports the loader or the
HTTP client itself when it needs them.
"""
from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Sequence
from datetime import date, datetime, time
from decimal import Decimal
from typing import Annotated, Any, Optional

import duckdb
import typer
from rich.console import Console
from rich.table import Table
from typer.core import TyperCommand, TyperGroup

from flows.dates import UsageError, parse_instant
from flows.locks import lock_wait_seconds
from warehouse.db import connect

# Piped output (CI logs, `| less`) gets a wide table rather than rich's 80-column default.
out = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 200)
err = Console(stderr=True, soft_wrap=True)

# Help is click's plain help (every app is made with `rich_markup_mode=None`): flags show no metavar, and each option
# that takes a value names it ("--db FILE"), never its Python type ("<str>").
DbOption = Annotated[
    Optional[str],
    typer.Option("--db", envvar="SOTA_DB", metavar="WAREHOUSE",
                 help="A DuckDB file (default: sota.duckdb here) or a lake (ducklake:postgres:... data_path=...)."),
]
ConfigOption = Annotated[
    Optional[str], typer.Option("--config", metavar="FILE", help="Run configuration (default sota.toml).")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
KnownAtOption = Annotated[
    Optional[str],
    typer.Option(
        "--known-at", metavar="DATE|TIMESTAMP",
        help="Answer with what our snapshots showed then (date or timestamp, UTC).",
    ),
]
NoExtraOption = Annotated[
    bool, typer.Option("--no-extra-data", help="Leave out results known to use extra training data.")
]
EstimatesOption = Annotated[bool, typer.Option("--estimates", help="Count estimated values (marked ~) too.")]
AllSettingsOption = Annotated[
    bool, typer.Option("--all-settings", help="Rank zero-shot, linear-probe, frozen and few-shot results too.")
]
SuspectsOption = Annotated[
    bool, typer.Option("--suspects", help="Count values flagged as far outside their board's spread too.")
]
WithCodeOption = Annotated[
    bool, typer.Option("--with-code", help="Count only results whose paper or model is said to have code.")
]
SourceNameOption = Annotated[
    Optional[list[str]],
    typer.Option(
        "--source-name", metavar="NAME",
        help="Answer as this lineage published it, from its own claims (repeatable; default: every lineage, merged).",
    ),
]
EvaluatorOption = Annotated[
    Optional[str],
    typer.Option(
        "--evaluator", metavar="WHO",
        help="Count only results reported by this kind of evaluator: first-party (the model's developer) or "
             "third-party.",
    ),
]
EVALUATORS = ("first-party", "third-party")


def evaluator_filter(evaluator: str | None) -> str | None:
    """The --evaluator given, checked; None for every result."""
    if evaluator is not None and evaluator not in EVALUATORS:
        raise UsageError(f"--evaluator {evaluator!r}: expected one of {', '.join(EVALUATORS)}")
    return evaluator


def shown_columns(columns: list[str], rows: list[dict]) -> list[str]:
    """The columns to show: one named "x?" only where some row has a value in it (a setting, a standard error: paper
    boards have neither), under its name "x"."""
    return [column.rstrip("?") for column in columns
            if not column.endswith("?") or any(row.get(column[:-1]) is not None for row in rows)]


def cut(rows: list[dict], limit: int | None) -> tuple[list[dict], int]:
    """The first `limit` rows (all of them for None), and how many there were: what `say_if_cut` reports."""
    return (rows if limit is None else rows[:limit]), len(rows)


AllOption = Annotated[bool, typer.Option("--all", help="Show every row (no --limit).")]
WideOption = Annotated[
    bool, typer.Option("--wide", help="A table however wide (default: one block per row when a table would not fit).")
]
SourcesOption = Annotated[
    Optional[list[str]],
    typer.Option(
        "--source", metavar="NAME", help="Only this configured source (repeatable; default: every enabled one)."
    ),
]

# --task, --dataset and --metric of the questions: one option each, required or not by the command's annotation
_NAMES_MATCHED = "matched spelling-blind and through the alias registry"
_TASK = typer.Option("--task", metavar="TASK", help=f"The task, e.g. 'Image Classification' ({_NAMES_MATCHED}).")
_DATASET = typer.Option("--dataset", metavar="DATASET", help=f"The dataset, e.g. 'ImageNet' ({_NAMES_MATCHED}).")
_METRIC = typer.Option("--metric", metavar="METRIC", help=f"The metric, e.g. 'Top 1 Accuracy' ({_NAMES_MATCHED}).")
TaskOption = Annotated[Optional[str], _TASK]
DatasetOption = Annotated[Optional[str], _DATASET]
MetricOption = Annotated[Optional[str], _METRIC]
TaskRequired = Annotated[str, _TASK]
DatasetRequired = Annotated[str, _DATASET]
MetricRequired = Annotated[str, _METRIC]


class PlainHelpCommand(TyperCommand):
    """A command whose help lists an argument by its metavar alone ("DATE"): typer adds the Python type ("DATE <str>")
    even when the argument names a metavar. `PlainHelpTyper` registers every command with it."""

    def format_options(self, ctx: typer.Context, formatter: Any) -> None:
        arguments, options = [], []
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is None:
                continue
            if param.param_type_name == "argument":
                arguments.append((param.metavar or (param.name or "").upper(), record[1]))
            else:
                options.append(record)
        for title, records in (("Arguments", arguments), ("Options", options)):
            if records:
                with formatter.section(title):
                    formatter.write_dl(records)


class PlainHelpGroup(TyperGroup):
    """A command group whose list of commands shows each one's whole summary line, wrapped, where click would cut it
    to the width left ("...")."""

    def format_commands(self, ctx: typer.Context, formatter: Any) -> None:
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit=1_000)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


class PlainHelpTyper(typer.Typer):
    """A typer app with click's plain help (no `<bool>` or `<str>` type labels): its group lists whole summaries and
    every command it registers lists arguments by their metavar, whatever the command takes."""

    def __init__(self, **settings: Any) -> None:
        super().__init__(rich_markup_mode=None, cls=PlainHelpGroup, add_completion=False, no_args_is_help=True,
                         **settings)

    def command(self, *args: Any, cls: type[TyperCommand] = PlainHelpCommand, **settings: Any) -> Any:
        return super().command(*args, cls=cls, **settings)


def say(text: str) -> None:
    """One line on stdout, printed as it is (no rich markup or highlighting of scraped text)."""
    out.print(text, markup=False, highlight=False)


def complain(text: str) -> None:
    """One line on stderr, printed as it is."""
    err.print(text, markup=False, highlight=False)


def say_if_cut(shown: int, held: int, what: str, more: str = "--limit N or --all shows more") -> None:
    """On stderr, when a listing shows fewer rows than there are: how many, and how to see the rest."""
    if shown < held:
        complain(f"{shown} of {held} {what} shown; {more}")


def open_warehouse(db: str | None, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """The warehouse, waiting up to SOTA_LOCK_TIMEOUT seconds for another process that holds it."""
    return connect(db, read_only=read_only, wait_seconds=lock_wait_seconds())


def known_at_moment(text: str | None) -> date | datetime | None:
    """A bare date means "known on that day" (its end); a timestamp is an instant."""
    if not text:
        return None
    moment = parse_instant(text, what="--known-at")  # its error names both forms it takes
    return moment.date() if len(text.strip()) == 10 else moment


def extra_data_filter(no_extra_data: bool) -> bool | None:
    """`--no-extra-data` as the macros' `extra_data` argument: False leaves extra-data results out, None keeps all."""
    return False if no_extra_data else None


def key_values(pairs: list[str]) -> dict[str, str]:
    """`--option KEY=VALUE` pairs as a dict."""
    options = {}
    for pair in pairs:
        key, found, value = pair.partition("=")
        if not found or not key.strip():
            raise UsageError(f"--option {pair!r}: expected KEY=VALUE")
        options[key.strip()] = value
    return options


# ---------------------------------------------------------------------------------------------------- output


def _json_default(value: Any) -> Any:
    # Exact decimals (a DECIMAL column, a literal such as 1.5 in ad hoc SQL) stay numbers; dates and times are ISO
    # text; blobs are hex; UUIDs, intervals and anything else are their text.
    if isinstance(value, Decimal):
        return int(value) if value.is_finite() and value == value.to_integral_value() else float(value)
    if isinstance(value, (date, datetime, time)):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    return str(value)


def dumps(value: Any) -> str:
    """`--json` output: what `json` cannot write by itself, as DuckDB hands it back."""
    return json.dumps(value, ensure_ascii=False, default=_json_default)


def jsonable(value: Any) -> Any:
    # a JSON column (attributes, options) comes back as text: printed as the JSON it holds
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def print_json(value: Any) -> None:
    out.print_json(dumps(value))


def cell(value: Any) -> str:
    """A value as a table cell."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) >= 1e6 else f"{value:g}"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):  # a list column (the sources of a benchmark): plain text, not Python's repr
        return ", ".join(cell(item) for item in value)
    return str(value)


def print_table(rows: Sequence[dict], columns: Sequence[str], title: str) -> None:
    table = Table(title=title, title_justify="left")
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*[cell(row.get(column)) for column in columns])
    out.print(table)


# A column narrower than this folds its text into an unreadable ribbon; wider ones are shown as they need.
_READABLE_COLUMN = 12


def _table_width(rows: Sequence[dict], columns: Sequence[str]) -> int:
    """About how wide a readable table of these rows is: each column as wide as its header and its cells need (a
    long cell may fold to 30 characters), plus rich's borders."""
    need = 0
    for column in columns:
        longest = max((len(cell(row.get(column))) for row in rows), default=0)
        need += max(len(column), min(longest, 30), min(longest, _READABLE_COLUMN)) + 3
    return need + 1


# What rich changes in text it prints plain: control codes (tabs are expanded, some codes dropped) and ":name:" emoji
# codes. Text without any it writes as it is.
_RICH_WOULD_CHANGE = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]|:\S*?:")


def print_records(rows: Sequence[dict], columns: Sequence[str], title: str) -> None:
    """One block per row, a "column: value" line each: what fits a terminal when a table would not."""
    lines = [title] if title else []
    label = max(len(column) for column in columns)
    for number, row in enumerate(rows, start=1):
        lines.append(f"-- row {number} " + "-" * max(0, label - 4))
        lines.extend(f"{column.rjust(label)}: {cell(row.get(column))}" for column in columns)
    text = "\n".join(lines)
    if _RICH_WOULD_CHANGE.search(text):
        say(text)
    elif text:
        # what rich would print unchanged, written as it is: thousands of rows are tens of thousands of lines, which
        # rich takes a third of a second to pass through (a print a line took a second)
        out.file.write(text + "\n")
        out.file.flush()


def emit(rows: list[dict], columns: list[str], as_json: bool, title: str, empty: str, *, wide: bool = False) -> None:
    """Rows as JSON (`--json`), as a table of `columns`, or, where a table would be wider than the terminal (200
    columns when output is piped) and `wide` was not asked for, as one block per row; `empty` on stderr when there are
    none."""
    if as_json:
        print_json([{k: jsonable(v) for k, v in row.items()} for row in rows])
        return
    if not rows:
        err.print(empty)
        return
    if not wide and _table_width(rows, columns) > out.width:
        print_records(rows, columns, title)
        return
    print_table(rows, columns, title)


def debugging() -> bool:
    """SOTA_DEBUG=1: show the traceback of an unexpected error."""
    return bool(os.environ.get("SOTA_DEBUG"))
