"""Putting data in: `sota load` (one payload as a snapshot), `sota run` (the nightly flow once), `sota sources`."""
from __future__ import annotations

from typing import Annotated, Optional

import typer

from flows.cli.shared import (
    ConfigOption,
    DbOption,
    JsonOption,
    SourcesOption,
    emit,
    jsonable,
    key_values,
    open_warehouse,
    out,
    print_json,
)
from flows.dates import parse_instant
from pipelines.registry import get_source, source_names
from pipelines.source import SourceError


class SourceUnreachable(SourceError):
    pass


class RunFailed(SourceError):
    pass


# `sota load --task/--dataset`: names given to a payload's rows (not looked up, unlike the questions' options)
_ROWS_NAMED = "The {} of every row, for a payload that does not name it (the csv and html sources need it)."


def load(
    location: Annotated[
        str, typer.Argument(metavar="LOCATION", help="A path, a file:// URL or an http(s) URL.")
    ],
    source: Annotated[
        str, typer.Option("--source", metavar="NAME", help="Registered source name (see `sota sources`).")
    ],
    name: Annotated[
        Optional[str],
        typer.Option(
            "--name", metavar="LINEAGE",
            help="The lineage this payload belongs to (default: from the file name or the URL).",
        ),
    ] = None,
    observed_at: Annotated[
        Optional[str],
        typer.Option(
            "--observed-at", metavar="DATE|TIMESTAMP", help="When the payload was current (history); default now."
        ),
    ] = None,
    task: Annotated[Optional[str], typer.Option("--task", metavar="TASK", help=_ROWS_NAMED.format("task"))] = None,
    dataset: Annotated[
        Optional[str], typer.Option("--dataset", metavar="DATASET", help=_ROWS_NAMED.format("dataset"))
    ] = None,
    option: Annotated[
        Optional[list[str]],
        typer.Option(
            "--option", "-o", metavar="KEY=VALUE", help="A source option (e.g. selector=table.board); repeatable."
        ),
    ] = None,
    retries: Annotated[
        int, typer.Option("--retries", min=0, metavar="N", help="Retries for errors that can pass (429, 5xx).")
    ] = 4,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Load one payload as a snapshot.

    \b
    Example: sota load imagenet_table.csv --source csv --task "Image Classification" --dataset ImageNet
    """
    from flows.ingest import ingest, lineage_name
    from flows.new_sota import backfill_hook
    from pipelines.http import FetchError, HttpClient

    get_source(source)  # an unknown source fails before the database is touched
    options = {"task": task, "dataset": dataset, **key_values(option or [])}
    lineage = name or lineage_name(location)
    with open_warehouse(db) as con:
        try:
            report = ingest(
                con, source, location, lineage=lineage, options=options, observed_at=observed_at,
                client=HttpClient(max_retries=retries),
                # the SOTA steps this payload makes are recorded (sota_records, the report's index); a load outside a
                # run alerts nobody: alerts go through the configured rules and channels of `sota run`
                after_load=backfill_hook(),
            )
        except FetchError as error:
            raise SourceUnreachable(f"source {source} could not be reached: {error}") from None
    if as_json:
        print_json({k: jsonable(v) for k, v in report.__dict__.items()})
    else:
        out.print(report.summary())


def rebuild(db: DbOption = None) -> None:
    """Derive the whole warehouse again from its stored payloads, in observed order (after a parser, alias or
    direction change); the old record answers until the new one is complete.

    \b
    Example: sota rebuild --db sota.duckdb
    """
    from flows.cli.progress import ProgressLines
    from flows.dates import utc_now
    from flows.locks import lock_wait_seconds
    from flows.rebuild import rebuild_warehouse

    with ProgressLines("snapshots") as progress:
        def step(done: int, total: int, item) -> None:
            if done == 1:
                progress.start(total)
            progress.step(f"{item.lineage} observed {item.observed_at:%Y-%m-%d %H:%M} ({item.kind})")

        report = rebuild_warehouse(db, utc_now().date(), lock_wait_seconds(), progress=step, on_wait=progress.note)
    out.print(report.summary(), markup=False, highlight=False)


def sources(as_json: JsonOption = False) -> None:
    """The registered sources.

    \b
    Example: sota sources --json
    """
    rows = []
    for name in source_names():
        spec = get_source(name)
        rows.append({"name": name, "full_listing": spec.full_listing, "needs": ", ".join(spec.required_options),
                     "description": spec.description})
    emit(rows, ["name", "full_listing", "needs", "description"], as_json, "Sources", "no sources")


def run_command(
    config: ConfigOption = None,
    source: SourcesOption = None,
    observed_at: Annotated[
        Optional[str],
        typer.Option("--observed-at", metavar="DATE|TIMESTAMP", help="Backfill: the date the payloads were current."),
    ] = None,
    backfill: Annotated[
        bool, typer.Option("--backfill", help="Record the SOTA steps but alert nobody (history, a first load).")
    ] = False,
    unreachable_ok: Annotated[
        bool,
        typer.Option(
            "--unreachable-ok",
            help="Exit 0 when the only sources that failed could not be reached at all (a machine without a network).",
        ),
    ] = False,
    db: DbOption = None,
) -> None:
    """Run the nightly flow once: every enabled source loads on its own, then alerts go out; exit 1 if any failed.

    \b
    Example: sota run --config sota.toml --source handcopy --observed-at 2019-11-13
    """
    from flows.config import load_config
    from flows.nightly import nightly, run_result, summary_printed_by_caller

    run_config = load_config(config)
    if observed_at:
        parse_instant(observed_at, what="--observed-at")
    run_config.selected(source)  # unknown names are a usage error before any work starts
    with summary_printed_by_caller():  # each source's line is printed once, below, not logged as well
        state = nightly(str(run_config.path), source, observed_at, backfill, db, return_state=True)
    result = run_result(state)
    for line in result.lines() if result else []:
        out.print(line, markup=False, highlight=False)
    if not state.is_completed():
        if unreachable_ok and result is not None and result.only_unreachable_failed:
            unreached = [o.source for o in result.sources if o.report is None]
            out.print(f"not reached (no network?): {', '.join(unreached)}; everything else loaded", markup=False,
                      highlight=False)
            return
        raise RunFailed(state.message or "the run failed")
