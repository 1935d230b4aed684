"""`sota plot`, `sota report` and `sota export`: the record as a picture, a static site, and files others can load.

    sota plot --task T --dataset D --metric M -o FILE.png|.svg|.html [--known-at TS] [--no-extra-data] [--error] [--log]
    sota report -o DIR [--as-of DATE] [--benchmark TASK/DATASET/METRIC ...] [--min-results N]
    sota export --format parquet|csv -o DIR [--as-of DATE]

`register(app)` adds them to the main `sota` app. Errors follow the CLI's rule (see `flows.cli.app.main`): one line on
stderr, exit 2 for a usage error (a bad date, a file name that is not .png/.svg/.html), 1 for the rest (an unknown
benchmark, nothing to draw, a folder that cannot be written). The modules that draw are imported only when a command
runs, so they cost the other commands nothing.
"""
from __future__ import annotations

from typing import Annotated, Optional

import typer

from flows.cli.names import resolve_names
from flows.cli.shared import (
    DatasetRequired,
    DbOption,
    MetricRequired,
    NoExtraOption,
    TaskRequired,
    extra_data_filter,
    known_at_moment,
    open_warehouse,
    say,
)
from flows.dates import UsageError, parse_day
from flows.locks import lock_wait_seconds


def register(app: typer.Typer) -> None:
    """Add `plot`, `report` and `export` to the main app."""
    app.command(name="plot")(plot)
    app.command(name="report")(report)
    app.command(name="export")(export)


def plot(
    task: TaskRequired,
    dataset: DatasetRequired,
    metric: MetricRequired,
    output: Annotated[
        str, typer.Option("--output", "-o", metavar="FILE", help="The file to write: .png, .svg or .html.")
    ],
    known_at: Annotated[
        Optional[str],
        typer.Option(
            "--known-at", metavar="DATE|TIMESTAMP",
            help="Also draw, faded, the SOTA line as our snapshots showed it then.",
        ),
    ] = None,
    no_extra_data: NoExtraOption = False,
    error: Annotated[bool, typer.Option("--error", help="Plot 100 minus the accuracy (an error rate).")] = False,
    log: Annotated[bool, typer.Option("--log", help="A logarithmic value axis (for error rates).")] = False,
    db: DbOption = None,
) -> None:
    """Draw one benchmark's results over time and its SOTA steps (PNG, SVG, or an HTML page with the SVG inline).

    \b
    Example: sota plot --task "Image Classification" --dataset ImageNet --metric "Top 1 Accuracy" -o top1.png
    """
    from pathlib import Path

    from flows.report.charts import FORMATS, fetch_chart, write_chart

    if Path(output).suffix.lower() not in FORMATS:
        raise UsageError(f"-o {output!r}: the file name must end in .png, .svg or .html")
    known = known_at_moment(known_at)
    with open_warehouse(db, read_only=True) as con:
        names = resolve_names(con, task, dataset, metric)
        task, dataset, metric = names.task, names.dataset, names.metric
        data = fetch_chart(con, task, dataset, metric, known_at=known, extra_data=extra_data_filter(no_extra_data),
                           error=error)
    path = write_chart(data, output, log=log)
    holder = data.steps[-1] if data.steps else None
    say(f"wrote {path}: {len(data.points)} results, {len(data.steps)} SOTA steps"
         + (f", SOTA {holder.model} {holder.value:.6g}" if holder else ""))


def report(
    output: Annotated[
        str, typer.Option("--output", "-o", metavar="DIR", help="The folder to write the site to (created).")
    ],
    as_of: Annotated[
        Optional[str],
        typer.Option(
            "--as-of", metavar="DATE",
            help="The date of the second leaderboard and of the faded SOTA line (default: a year ago).",
        ),
    ] = None,
    benchmark: Annotated[
        Optional[list[str]],
        typer.Option(
            "--benchmark", metavar="TASK/DATASET/METRIC",
            help="A benchmark to give a page (repeatable; default: the busiest).",
        ),
    ] = None,
    min_results: Annotated[
        int,
        typer.Option(
            "--min-results", min=1, metavar="N",
            help="Without --benchmark: pages for benchmarks with this many results.",
        ),
    ] = 50,
    limit: Annotated[int, typer.Option("--limit", min=1, metavar="N", help="At most this many benchmark pages.")] = 60,
    db: DbOption = None,
) -> None:
    """Write a static HTML report: an index of new SOTA records and benchmarks, one page per benchmark.

    \b
    Example: sota report -o report --as-of 2019-12-01
    """
    from flows.report.site import build_report

    day = parse_day(as_of, what="--as-of") if as_of else None
    with open_warehouse(db, read_only=True) as con:
        summary = build_report(con, output, as_of=day, benchmarks=benchmark, min_results=min_results, limit=limit)
    for line in summary.lines():
        say(line)


def export(
    output: Annotated[
        str, typer.Option("--output", "-o", metavar="DIR", help="The folder to write the files to (created).")
    ],
    fmt: Annotated[
        str, typer.Option("--format", metavar="FORMAT", help="The file format: parquet or csv.")
    ] = "parquet",
    as_of: Annotated[
        Optional[str],
        typer.Option(
            "--as-of", metavar="DATE", help="The record as it stood at the end of this day (default: now)."
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Export results (partitioned by source), benchmarks, snapshots and the SOTA history as Parquet or CSV files.

    \b
    Example: sota export --format parquet -o export --as-of 2021-06-01
    """
    from warehouse.export import FORMATS, export_record

    fmt = fmt.strip().lower()
    if fmt not in FORMATS:  # a usage error (exit 2), said before the warehouse is opened
        raise UsageError(f"--format {fmt!r}: expected one of {', '.join(FORMATS)}")
    day = parse_day(as_of, what="--as-of") if as_of else None
    for path in export_record(db, output, fmt=fmt, as_of=day, wait_seconds=lock_wait_seconds()):
        say(f"wrote {path}")
