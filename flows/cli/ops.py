"""`sota serve` and `sota alerts`: running the nightly flow on its schedule, and looking after the alert outbox.

    sota serve [--config F] [--cron "0 3 * * *"] [--timezone UTC]   serve the nightly flow on a cron schedule from
                                                                    this process (needs `prefect server start` or
                                                                    Prefect Cloud: PREFECT_API_URL set)
    sota alerts list [--pending]                                    the outbox, newest first
    sota alerts deliver [--config F]                                send what is pending now (as a run does)
    sota alerts test --channel NAME [--config F]                    send a made-up, labelled alert to one channel

`register(app)` adds them to the main `sota` app. Errors follow the CLI's rule (see `flows.cli.app.main`): exit 2 for a
usage or configuration error, 1 for a failure (an alert not delivered), 0 otherwise. Nothing here prints a secret:
channels are built from the configuration only when they send, and their errors are masked.
"""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from flows.cli.shared import (
    ConfigOption,
    JsonOption,
    PlainHelpTyper,
    SourcesOption,
    complain,
    open_warehouse,
    print_json,
    print_table,
    say,
)
from flows.config import DEFAULT_CONFIG, ConfigError, check_schedule, load_config
from flows.dates import utc_now
from flows.locks import exclusive_run, lock_wait_seconds

ConfigDbOption = Annotated[
    Optional[str],
    typer.Option(
        "--db", envvar="SOTA_DB", metavar="WAREHOUSE",
        help="A DuckDB file or a lake (ducklake:postgres:... data_path=...); default: the configuration's, else "
        "sota.duckdb.",
    ),
]

alerts_app = PlainHelpTyper(
    help="New-SOTA alerts: the outbox, delivering what is pending, trying a channel.\n\n"
    "\b\nExample: sota alerts list --pending",
)


def register(app: typer.Typer) -> None:
    """Add `serve` and `alerts` to the main app."""
    app.command(name="serve")(serve)
    app.add_typer(alerts_app, name="alerts")


# ---------------------------------------------------------------------------------------------------- serve


def serve(
    config: ConfigOption = None,
    cron: Annotated[
        Optional[str],
        typer.Option(
            "--cron", metavar="CRON",
            help="Cron schedule (default: the configuration's schedule.cron, else '0 3 * * *').",
        ),
    ] = None,
    timezone: Annotated[
        Optional[str],
        typer.Option(
            "--timezone", metavar="ZONE",
            help="IANA timezone of the schedule (default: schedule.timezone, else UTC).",
        ),
    ] = None,
    name: Annotated[str, typer.Option("--name", metavar="NAME", help="Deployment name.")] = "nightly-serve",
    source: SourcesOption = None,
    db: Annotated[
        Optional[str], typer.Option("--db", metavar="WAREHOUSE", help="A DuckDB file or a lake (default: the configuration's).")
    ] = None,
) -> None:
    """Serve the nightly flow on its cron schedule from this process until stopped (Ctrl-C).

    Needs a Prefect server that schedules runs: `prefect server start` (then PREFECT_API_URL=http://127.0.0.1:4200/api)
    or Prefect Cloud. The ephemeral server of a plain `sota run` cannot schedule anything.

    \b
    Example: sota serve --config sota.toml --cron "0 3 * * *" --timezone Europe/Paris
    """
    run_config = load_config(config)
    cron = cron or run_config.schedule.cron
    timezone = timezone or run_config.schedule.timezone
    try:
        check_schedule(cron, timezone)
    except ValueError as error:
        raise ConfigError(str(error)) from None
    run_config.selected(source)  # an unknown source is a usage error now, not at 03:00
    from prefect.settings import get_current_settings

    if not get_current_settings().api.url:
        raise ConfigError(
            "sota serve needs a Prefect server to schedule runs: start one with `prefect server start` and set "
            "PREFECT_API_URL=http://127.0.0.1:4200/api (or log in to Prefect Cloud)"
        )
    from prefect.deployments.runner import EntrypointType
    from prefect.schedules import Cron

    from flows.nightly import nightly

    # Absolute paths: the runs start in this process's working directory, but the parameters outlive it in the API.
    parameters: dict[str, Any] = {"config": str(run_config.path.resolve())}
    if source:
        parameters["sources"] = list(source)
    if db:
        parameters["database"] = str(Path(db).resolve())
    complain(f"serving sotawatch-nightly/{name} on '{cron}' ({timezone}) with {parameters['config']}; Ctrl-C stops")
    nightly.serve(
        name=name,
        schedules=[Cron(cron, timezone=timezone)],
        parameters=parameters,
        description="The sotawatch nightly run (served by `sota serve`).",
        tags=["sotawatch"],
        # the installed package, not a file path: runs find the flow whatever the working directory
        entrypoint_type=EntrypointType.MODULE_PATH,
        # a stopped server leaves no schedule behind that nobody serves
        pause_on_shutdown=True,
        print_starting_message=False,
    )


# ---------------------------------------------------------------------------------------------------- alerts


def _database(db: str | None, config: str | None) -> str | None:
    """--db (or SOTA_DB), else the configuration's warehouse when there is a configuration, else the default."""
    if db:
        return db
    if config or Path(DEFAULT_CONFIG).is_file():
        return load_config(config).database
    return None


@alerts_app.command(name="list")
def list_alerts(
    pending: Annotated[bool, typer.Option("--pending", help="Only the alerts still to send.")] = False,
    limit: Annotated[int, typer.Option("--limit", min=1, metavar="N", help="Show at most this many.")] = 50,
    config: ConfigOption = None,
    db: ConfigDbOption = None,
    as_json: JsonOption = False,
) -> None:
    """The alert outbox, newest first: channel, status, attempts, the record, the last error.

    \b
    Example: sota alerts list --pending --json
    """
    from flows.alerts import outbox

    with open_warehouse(_database(db, config), read_only=True) as con:
        rows = outbox(con, pending_only=pending, limit=limit)
    if as_json:
        print_json(rows)
        return
    if not rows:
        complain("no pending alerts" if pending else "no alerts yet")
        return
    columns = ["outbox_id", "channel", "status", "attempts", "benchmark", "model", "value", "previous", "margin",
               "created_at", "delivered_at", "last_error"]
    shown = [
        {
            **row,
            "benchmark": f"{row['task']} / {row['dataset']} / {row['metric']}",
            "previous": f"{row['previous_model']} {row['previous_value']:g}",
        }
        for row in rows
    ]
    print_table(shown, columns, "Pending alerts" if pending else "Alerts")


@alerts_app.command(name="deliver")
def deliver(config: ConfigOption = None, db: ConfigDbOption = None) -> None:
    """Send the pending alerts to the configured channels now (as the end of a run does); exit 1 if any failed.

    \b
    Example: sota alerts deliver --config sota.toml
    """
    from flows.alerts import alert_line, build_channels, deliver_pending

    run_config = load_config(config)
    channels = build_channels(run_config.alerts.enabled_channels)
    database = db or run_config.database
    # a run delivers too: taking its lock means the two never send from one outbox at once
    with exclusive_run(database, lock_wait_seconds()), open_warehouse(database) as con:
        report = deliver_pending(con, channels, utc_now(), max_attempts=run_config.alerts.max_attempts)
    for alert in report.delivered:
        say(f"sent to {alert.channel}: {alert_line(alert.record)}")
    for alert, message in report.failed:
        complain(f"not sent to {alert.channel}: {message}")
    say(report.summary())
    if report.failed:
        raise typer.Exit(1)


@alerts_app.command(name="test")
def test_channel(
    channel: Annotated[str, typer.Option("--channel", metavar="NAME", help="A configured channel's name.")],
    config: ConfigOption = None,
) -> None:
    """Send a made-up alert, labelled as a test, to one channel; nothing is read from or written to the warehouse.

    \b
    Example: sota alerts test --channel team-chat
    """
    from flows.alerts import build_channel, mask_secrets, plain, sample_alert
    run_config = load_config(config)
    built = build_channel(run_config.alerts.channel(channel))
    try:
        built.send(sample_alert(channel, utc_now()))
    except Exception as error:  # noqa: BLE001 - any failure of the send is the answer
        text = plain(str(error)) or type(error).__name__
        complain(f"test alert not sent to {channel}: {mask_secrets(text, getattr(built, 'secrets', tuple)())}")
        raise typer.Exit(1) from None
    say(f"test alert sent to {channel}")
