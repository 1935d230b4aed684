"""The `sota` command: the typer app every command group registers on, and `main`, which turns errors into exit codes.

Errors a user can cause (a bad date, an unknown source, a missing file, an unreachable URL, a locked database) print
one line on stderr and exit non-zero: 2 for usage, 1 for everything else. `SOTA_DEBUG=1` shows the traceback of an
unexpected error.
"""
from __future__ import annotations

import os
import sys

import typer

from flows.cli.api import register as register_api
from flows.cli.backfill import backfill_app
from flows.cli.claims import claims_app
from flows.cli.models import register as register_models
from flows.cli.lake import register as register_lake
from flows.cli.load import load, rebuild, run_command, sources
from flows.cli.ops import register as register_ops
from flows.cli.questions import register as register_questions
from flows.cli.report import register as register_report
from flows.cli.names import UnknownNameError
from flows.cli.shared import PlainHelpTyper, complain, debugging
from flows.config import ConfigError
from flows.dates import UsageError
from pipelines.registry import UnknownSourceError
from pipelines.source import SourceError
from warehouse.errors import LoadError, WarehouseError

app = PlainHelpTyper(
    help="sotawatch: the state of the art, kept as a dated record.\n\n"
    "Each command's --help explains its options and gives an example.\n\n"
    '\b\nExample: sota asof 2020-01-01 --dataset ImageNet --metric "Top 1 Accuracy"',
)

# the order of `sota --help`: putting data in, the questions, then running, serving and the outputs
app.command(name="load")(load)
register_questions(app)  # sota asof, leaderboard, history, sql, rejects, snapshots, benchmarks, conflicts
app.command(name="sources")(sources)
app.command(name="run")(run_command)
app.command(name="rebuild")(rebuild)
register_ops(app)  # sota serve, sota alerts ...
register_report(app)  # sota plot, sota report, sota export
register_api(app)  # sota api
register_models(app)  # sota models
register_lake(app)  # sota lake migrate
app.add_typer(
    claims_app,
    name="claims",
    help="Result claims in arXiv abstracts: extract and score.\n\n"
    "\b\nExample: sota claims extract --jsonl abstracts.jsonl",
)
app.add_typer(
    backfill_app,
    name="backfill",
    help="Load history from archives: the Wayback Machine's captures of a page, oldest first, resumably.\n\n"
    "\b\nExample: sota backfill wayback https://paperswithcode.com/sota/image-classification-on-imagenet --name pwc",
)


def main(argv: list[str] | None = None) -> int:
    """Entry point: typer's own usage errors exit 2; ours print one line."""
    _no_telemetry_from_a_temporary_server()
    try:
        returned = app(args=argv, standalone_mode=False)
        # without standalone mode, typer hands back a command's `typer.Exit(n)` as n instead of exiting
        return returned if isinstance(returned, int) else 0
    except SystemExit as stop:
        return int(stop.code or 0)
    except typer.Abort:
        complain("aborted")
        return 1
    except Exception as error:  # noqa: BLE001 - the one place that turns errors into exit codes
        return _exit_status(error)


def _no_telemetry_from_a_temporary_server() -> None:
    """Without PREFECT_API_URL a run starts a temporary Prefect server, whose telemetry heartbeat only adds errors
    ("Failed to send telemetry", a locked database) to a command's output. Set before Prefect is imported (it reads
    its settings then); a value the user set is kept."""
    if os.environ.get("PREFECT_API_URL"):
        return
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")


def _exit_status(error: Exception) -> int:
    if hasattr(error, "format_message") and hasattr(error, "exit_code"):
        # typer's own (vendored click) errors: a missing option, a bad choice; usage errors exit 2
        complain(f"usage error: {error.format_message()}")
        return int(error.exit_code)
    if isinstance(error, (UsageError, UnknownSourceError, ConfigError)):
        complain(f"error: {error}")
        return 2
    if isinstance(error, (SourceError, WarehouseError, LoadError, UnknownNameError)):
        complain(f"error: {error}")
        return 1
    if debugging():
        raise error
    first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
    complain(f"error: unexpected {type(error).__name__}: {first_line}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
