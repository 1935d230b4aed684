"""The `sota` command: load payloads, ask "SOTA as of a date", read rejects, run SQL.

Every query command takes `--json`. Errors a user can cause (a bad date, an unknown source, a missing file, an
unreachable URL, a locked database) print one line on stderr and exit non-zero: 2 for usage, 1 for everything else.
`SOTA_DEBUG=1` shows the traceback of an unexpected error.
"""
from __future__ import annotations

import json
import os
import sys
from datetime import date, datetime
from typing import Annotated, Any, Optional

import typer
from rich.console import Console
from rich.table import Table

from flows import json_output
from flows.config import ConfigError
from flows.locks import lock_wait_seconds
from flows.dates import UsageError, parse_day, parse_instant, utc_now
from pipelines.source import SourceError
from pipelines.registry import UnknownSourceError, get_source, source_names
from warehouse import queries
from warehouse.db import connect
from warehouse.errors import LoadError, WarehouseError

# flows.ingest (the loader) and pipelines.http import pandas, pandera and requests, which cost most of a second: they
# are imported by the commands that need them, not by every `sota` command.

app = typer.Typer(no_args_is_help=True, add_completion=False, help="sotawatch: the state of the art, kept as a dated record.")
# Piped output (CI logs, `| less`) gets a wide table rather than rich's 80-column default.
out = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 200)
err = Console(stderr=True, soft_wrap=True)

DbOption = Annotated[
    Optional[str], typer.Option("--db", envvar="SOTA_DB", help="Warehouse file (default: sota.duckdb here).")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
KnownAtOption = Annotated[
    Optional[str], typer.Option("--known-at", help="Answer with what our snapshots showed then (date or timestamp, UTC).")
]
NoExtraOption = Annotated[bool, typer.Option("--no-extra-data", help="Leave out results known to use extra training data.")]
EstimatesOption = Annotated[bool, typer.Option("--estimates", help="Count estimated values (marked ~) too.")]
AllSettingsOption = Annotated[
    bool, typer.Option("--all-settings", help="Rank zero-shot, linear-probe, frozen and few-shot results too.")
]


def _known_at(text: str | None) -> date | datetime | None:
    """A bare date means "known on that day" (its end); a timestamp is an instant."""
    if not text:
        return None
    return parse_day(text, what="--known-at") if len(text.strip()) == 10 else parse_instant(text, what="--known-at")


def _jsonable(value: Any) -> Any:
    # a JSON column (attributes, options) comes back as text: printed as the JSON it holds
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _emit(rows: list[dict], columns: list[str], as_json: bool, title: str, empty: str) -> None:
    if as_json:
        out.print_json(json_output.dumps([{k: _jsonable(v) for k, v in row.items()} for row in rows]))
        return
    if not rows:
        err.print(empty)
        return
    table = Table(title=title, title_justify="left")
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*[_cell(row.get(column)) for column in columns])
    out.print(table)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) >= 1e6 else f"{value:g}"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


class SourceUnreachable(SourceError):
    pass


class RunFailed(SourceError):
    pass


def _key_values(pairs: list[str]) -> dict[str, str]:
    options = {}
    for pair in pairs:
        key, found, value = pair.partition("=")
        if not found or not key.strip():
            raise UsageError(f"--option {pair!r}: expected KEY=VALUE")
        options[key.strip()] = value
    return options


def _extra(no_extra_data: bool) -> bool | None:
    return False if no_extra_data else None


@app.command()
def load(
    location: Annotated[str, typer.Argument(help="A path, a file:// URL or an http(s) URL.")],
    source: Annotated[str, typer.Option("--source", help="Registered source name (see `sota sources`).")],
    observed_at: Annotated[
        Optional[str], typer.Option("--observed-at", help="When the payload was current (history); default now.")
    ] = None,
    task: Annotated[Optional[str], typer.Option("--task")] = None,
    dataset: Annotated[Optional[str], typer.Option("--dataset")] = None,
    option: Annotated[
        Optional[list[str]],
        typer.Option("--option", "-o", help="A source option KEY=VALUE (e.g. selector=table.board); repeatable."),
    ] = None,
    retries: Annotated[int, typer.Option("--retries", min=0, help="Retries for errors that can pass (429, 5xx).")] = 4,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Load one payload as a snapshot."""
    from flows.ingest import ingest
    from pipelines.http import FetchError, HttpClient

    get_source(source)  # an unknown source fails before the database is touched
    options = {"task": task, "dataset": dataset, **_key_values(option or [])}
    with connect(db, wait_seconds=lock_wait_seconds()) as con:
        try:
            report = ingest(
                con, source, location, options=options, observed_at=observed_at,
                client=HttpClient(max_retries=retries),
            )
        except FetchError as error:
            raise SourceUnreachable(f"source {source} could not be reached: {error}") from None
    if as_json:
        out.print_json(json_output.dumps({k: _jsonable(v) for k, v in report.__dict__.items()}))
    else:
        out.print(report.summary())


@app.command()
def asof(
    day: Annotated[str, typer.Argument(metavar="DATE", help="Publication date cut-off, YYYY-MM-DD.")],
    task: Annotated[Optional[str], typer.Option("--task")] = None,
    dataset: Annotated[Optional[str], typer.Option("--dataset")] = None,
    metric: Annotated[Optional[str], typer.Option("--metric")] = None,
    known_at: KnownAtOption = None,
    no_extra_data: NoExtraOption = False,
    estimates: EstimatesOption = False,
    all_settings: AllSettingsOption = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """The best result per benchmark published on or before DATE."""
    cut = parse_day(day, what="DATE")
    known = _known_at(known_at)
    with connect(db, read_only=True, wait_seconds=lock_wait_seconds()) as con:
        rows = queries.sota_as_of(con, cut, task=task, dataset=dataset, metric=metric, known_at=known,
                                  extra_data=_extra(no_extra_data), estimates=estimates,
                                  all_settings=all_settings)
    _emit(rows, ["task", "dataset", "metric", "model", "value", "published_on", "source", "uses_additional_data", "paper_title"],
          as_json, f"SOTA as of {cut}" + (f", as known at {known_at}" if known_at else ""), "no results match")


@app.command()
def leaderboard(
    task: Annotated[str, typer.Option("--task")],
    dataset: Annotated[str, typer.Option("--dataset")],
    metric: Annotated[str, typer.Option("--metric")],
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="Publication date cut-off (default today).")] = None,
    known_at: KnownAtOption = None,
    top: Annotated[int, typer.Option("--top", min=1)] = 20,
    no_extra_data: NoExtraOption = False,
    estimates: EstimatesOption = False,
    all_settings: AllSettingsOption = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """One benchmark's ranked board as of a date."""
    cut = parse_day(as_of, what="--as-of") if as_of else utc_now().date()
    with connect(db, read_only=True, wait_seconds=lock_wait_seconds()) as con:
        rows = queries.leaderboard(con, task, dataset, metric, cut, top=top, known_at=_known_at(known_at),
                                   extra_data=_extra(no_extra_data), estimates=estimates,
                                  all_settings=all_settings)
    _emit(rows, ["rank", "model", "value", "published_on", "source", "uses_additional_data", "paper_title"],
          as_json, f"{task} / {dataset} / {metric} as of {cut}", "no results for this benchmark")


@app.command()
def history(
    task: Annotated[str, typer.Option("--task")],
    dataset: Annotated[str, typer.Option("--dataset")],
    metric: Annotated[str, typer.Option("--metric")],
    known_at: KnownAtOption = None,
    no_extra_data: NoExtraOption = False,
    estimates: EstimatesOption = False,
    all_settings: AllSettingsOption = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """The SOTA steps of one benchmark, in publication order."""
    with connect(db, read_only=True, wait_seconds=lock_wait_seconds()) as con:
        rows = queries.sota_history(con, task, dataset, metric, known_at=_known_at(known_at),
                                    extra_data=_extra(no_extra_data), estimates=estimates,
                                  all_settings=all_settings)
    _emit(rows, ["published_on", "model", "value", "previous_value", "margin", "source", "paper_title"],
          as_json, f"SOTA history: {task} / {dataset} / {metric}", "no results for this benchmark")


@app.command(name="sql")
def sql_command(
    query: Annotated[str, typer.Argument(help="A SQL query; the connection is read-only and cannot reach files.")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Run ad hoc SQL on a read-only connection (tables, views and macros such as sota_as_of)."""
    with connect(db, read_only=True, wait_seconds=lock_wait_seconds()) as con:
        queries.lock_down(con)
        columns, rows = queries.run_readonly_sql(con, query)
    _emit([dict(zip(columns, row)) for row in rows], columns, as_json, "", "(no rows)")


@app.command()
def rejects(
    snapshot: Annotated[Optional[int], typer.Option("--snapshot", help="Only this snapshot's rejects.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1)] = 200,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Rows that failed validation, with their reasons."""
    with connect(db, read_only=True, wait_seconds=lock_wait_seconds()) as con:
        rows = queries.rejects(con, snapshot_id=snapshot, limit=limit)
    _emit(rows, ["snapshot_id", "source", "row_ref", "reason"], as_json, "Rejected rows", "no rejects")


@app.command()
def snapshots(
    source: Annotated[Optional[str], typer.Option("--source")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1)] = 50,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """What was loaded, when it was current, and what it changed."""
    with connect(db, read_only=True, wait_seconds=lock_wait_seconds()) as con:
        rows = queries.snapshots(con, source=source, limit=limit)
    _emit(rows, ["snapshot_id", "source", "observed_at", "status", "rows_loaded", "rows_rejected", "results_new",
                 "results_changed", "results_removed", "location"], as_json, "Snapshots", "no snapshots yet")


@app.command(name="benchmarks")
def benchmarks_command(
    task: Annotated[Optional[str], typer.Option("--task")] = None,
    dataset: Annotated[Optional[str], typer.Option("--dataset")] = None,
    unmapped: Annotated[bool, typer.Option("--unmapped", help="Only names the alias registry does not map.")] = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """The benchmarks, their results by latest knowledge and the sources reporting them."""
    from pipelines.aliases import CANONICAL_NAMES

    with connect(db, read_only=True, wait_seconds=lock_wait_seconds()) as con:
        rows = queries.benchmarks(con, canonical=CANONICAL_NAMES, task=task, dataset=dataset, unmapped_only=unmapped)
    _emit(rows, ["task", "dataset", "metric", "direction", "results", "sources", "mapped"], as_json, "Benchmarks",
          "no benchmarks")


@app.command(name="conflicts")
def conflicts_command(
    task: Annotated[Optional[str], typer.Option("--task")] = None,
    dataset: Annotated[Optional[str], typer.Option("--dataset")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1)] = 50,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Where sources disagree: the same model on the same benchmark with different values."""
    with connect(db, read_only=True, wait_seconds=lock_wait_seconds()) as con:
        rows = queries.conflicts(con, task=task, dataset=dataset, limit=limit)
    _emit(rows, ["task", "dataset", "metric", "model", "sources", "lowest", "highest", "spread"], as_json,
          "Conflicts between sources", "no conflicts")


@app.command()
def sources(as_json: JsonOption = False) -> None:
    """The registered sources."""
    rows = []
    for name in source_names():
        spec = get_source(name)
        rows.append({"name": name, "full_listing": spec.full_listing, "needs": ", ".join(spec.required_options),
                     "description": spec.description})
    _emit(rows, ["name", "full_listing", "needs", "description"], as_json, "Sources", "no sources")


@app.command(name="run")
def run_command(
    config: Annotated[Optional[str], typer.Option("--config", help="Run configuration (default sota.toml).")] = None,
    source: Annotated[Optional[list[str]], typer.Option("--source", help="Only these configured sources.")] = None,
    observed_at: Annotated[
        Optional[str], typer.Option("--observed-at", help="Backfill: the date the payloads were current.")
    ] = None,
    backfill: Annotated[
        bool, typer.Option("--backfill", help="Record the SOTA steps but alert nobody (history, a first load).")
    ] = False,
    db: DbOption = None,
) -> None:
    """Run the nightly flow once: every enabled source loads on its own, then alerts go out; exit 1 if any failed."""
    from flows.config import load_config
    from flows.nightly import nightly, run_result

    run_config = load_config(config)
    if observed_at:
        parse_instant(observed_at, what="--observed-at")
    run_config.selected(source)  # unknown names are a usage error before any work starts
    state = nightly(str(run_config.path), source, observed_at, backfill, db, return_state=True)
    result = run_result(state)
    for line in result.lines() if result else []:
        out.print(line, markup=False, highlight=False)
    if not state.is_completed():
        raise RunFailed(state.message or "the run failed")


def _mount_command_groups() -> None:
    from flows import claims_cli, ops_cli, report_cli

    ops_cli.register(app)  # sota serve, sota alerts ...
    report_cli.register(app)  # sota plot, sota report, sota export
    app.add_typer(claims_cli.claims_app, name="claims", help="Result claims in arXiv abstracts: extract and score.")


_mount_command_groups()


def main(argv: list[str] | None = None) -> int:
    """Entry point: typer's own usage errors exit 2; ours print one line."""
    try:
        returned = app(args=argv, standalone_mode=False)
        # without standalone mode, typer hands back a command's `typer.Exit(n)` as n instead of exiting
        return returned if isinstance(returned, int) else 0
    except SystemExit as stop:
        return int(stop.code or 0)
    except typer.Abort:
        err.print("aborted")
        return 1
    except Exception as error:  # noqa: BLE001 - the one place that turns errors into exit codes
        if hasattr(error, "format_message") and hasattr(error, "exit_code"):
            # typer's own (vendored click) errors: a missing option, a bad choice; usage errors exit 2
            err.print(f"usage error: {error.format_message()}", markup=False, highlight=False)
            return int(error.exit_code)
        if isinstance(error, (UsageError, UnknownSourceError, ConfigError)):
            err.print(f"error: {error}", markup=False, highlight=False)
            return 2
        if isinstance(error, (SourceError, WarehouseError, LoadError)):
            err.print(f"error: {error}", markup=False, highlight=False)
            return 1
        if os.environ.get("SOTA_DEBUG"):
            raise
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
        err.print(f"error: unexpected {type(error).__name__}: {first_line}", markup=False, highlight=False)
        return 1


if __name__ == "__main__":
    sys.exit(main())
