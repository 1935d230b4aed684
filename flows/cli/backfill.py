"""`sota backfill`: history loaded from archives. `sota backfill wayback URL --name NAME` loads the Wayback Machine's
captures of a page as snapshots of a lineage, observed at their capture times, resuming where the last run stopped."""
from __future__ import annotations

from typing import Annotated

import typer

from flows.cli.progress import ProgressLines
from flows.cli.shared import DbOption, PlainHelpTyper, key_values, open_warehouse, say
from flows.dates import UsageError, parse_day
from pipelines.registry import get_source
from pipelines.wayback import ARCHIVE_VARIABLE, DEFAULT_ARCHIVE

backfill_app = PlainHelpTyper(help="Load history from archives, oldest first, resumably.")


@backfill_app.command(name="wayback")
def wayback(
    url: Annotated[str, typer.Argument(metavar="URL", help="The page whose captures to load.")],
    name: Annotated[
        str, typer.Option("--name", metavar="LINEAGE", help="The lineage the captures belong to.")
    ],
    source: Annotated[
        str, typer.Option("--source", metavar="KIND", help="Registered source that parses a capture.")
    ] = "pwc-page",
    start: Annotated[
        str | None, typer.Option("--from", metavar="DATE", help="First day of captures to list (YYYY-MM-DD).")
    ] = None,
    end: Annotated[
        str | None, typer.Option("--to", metavar="DATE", help="Last day of captures to list (YYYY-MM-DD).")
    ] = None,
    option: Annotated[
        list[str] | None,
        typer.Option("--option", "-o", metavar="KEY=VALUE", help="A source option (e.g. task=...); repeatable."),
    ] = None,
    archive: Annotated[
        str | None,
        typer.Option("--archive", envvar=ARCHIVE_VARIABLE, metavar="URL",
                     help=f"The Wayback Machine to ask (default {DEFAULT_ARCHIVE})."),
    ] = None,
    interval: Annotated[
        float, typer.Option("--interval", min=0, metavar="SECONDS", help="Least time between two requests.")
    ] = 1.0,
    retries: Annotated[
        int, typer.Option("--retries", min=0, metavar="N", help="Retries for errors that can pass (429, 5xx).")
    ] = 4,
    db: DbOption = None,
) -> None:
    """Load the Wayback Machine's captures of a page as snapshots observed at their capture times.

    Identical consecutive captures are listed once; a capture with the same bytes as one loaded is recorded as
    unchanged; one that does not parse is kept as a failed snapshot and the backfill goes on. A rerun skips the
    captures already loaded. The SOTA steps are recorded; nobody is alerted.

    \b
    Example: sota backfill wayback https://paperswithcode.com/sota/image-classification-on-imagenet --name pwc-imagenet
    """
    from urllib.parse import urlsplit

    from flows.backfill import BackfillSummary, CaptureOutcome, backfill_wayback
    from pipelines.http import HttpClient

    get_source(source)  # an unknown source fails before anything is asked
    first = parse_day(start, what="--from") if start else None
    last = parse_day(end, what="--to") if end else None
    if first and last and first > last:
        raise UsageError(f"--from {first} is after --to {last}")
    archive = (archive or DEFAULT_ARCHIVE).rstrip("/")
    if urlsplit(archive).scheme not in ("http", "https") or not urlsplit(archive).hostname:
        raise UsageError(f"--archive {archive!r}: expected an http(s) URL")
    host = urlsplit(archive).hostname or ""
    with ProgressLines("captures") as progress, HttpClient(
        max_retries=retries, min_interval_per_host={host: interval}
    ) as client:

        def listed(summary: BackfillSummary, to_load: int) -> None:
            if summary.skipped:
                progress.note(f"resuming after capture {summary.position}: {summary.skipped} of "
                              f"{summary.listed} captures already loaded")
            progress.start(to_load)

        def done(outcome: CaptureOutcome) -> None:
            progress.step(f"{outcome.capture.timestamp} {outcome.status}: {outcome.detail}")

        summary = backfill_wayback(
            lambda: open_warehouse(db), client, url, lineage=name, source=source, archive=archive, start=first,
            end=last, options=key_values(option or []), on_listed=listed, on_capture=done,
        )
    say(summary.line())
