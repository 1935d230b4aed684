"""The nightly run as a Prefect flow: every configured source loads on its own, one broken source fails alone, then
the new-SOTA alerts go out.

Work is coarse: one task per source (fetch, parse, validate and load in one transaction, with new-SOTA detection and
the alert outbox rows inside that transaction), retried only for errors that can pass (the HTTP client's retryable
errors); then one delivery task sends what the outbox holds for the configured channels. Fetches are conditional
(the ETag / Last-Modified of the last committed load of each URL), so an unchanged payload costs a 304 and writes
nothing. A backfill (`backfill=True`, an `observed_at`, or a source configured with `observed_at`) records the SOTA
steps but queues no alert; a backfill run does not deliver either.

The run ends Failed when a source failed (after the others loaded) or an alert could not be delivered (it stays
pending for the next run), and leaves a markdown artifact: per source, rows new, changed, removed, rejected, and the
new SOTA records. One run at a time per warehouse (`flows.locks`): a second run waits for the first up to
SOTA_LOCK_TIMEOUT seconds, then ends Failed saying which run holds it.

With no PREFECT_API_URL it runs on an ephemeral server, as a plain command. The flow's parameters are plain values
(the configuration's path, not its contents), so a deployment can run it and no secret becomes a parameter.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.states import Completed, Failed, State

from flows.alerts import DeliveryReport, alert_line, build_channels, deliver_pending
from flows.config import ChannelConfig, ConfigError, RunConfig, SourceConfig, load_config
from flows.ingest import ingest_with_opener
from flows.dates import UsageError, utc_now
from flows.fanout import GroupOutcome, fan_out
from flows.locks import exclusive_run, lineage_turn, lock_wait_seconds
from flows.new_sota import NewSotaHook
from pipelines.source import SourceError
from pipelines.http import FetchRetryableError, HostUnreachableError, HttpClient
from warehouse.db import connect, warehouse_location
from warehouse.lake import is_lake
from warehouse.errors import WarehouseError, first_line as _first_line
from warehouse.errors import LoadError
from warehouse.load import LoadReport
from warehouse.sota_detect import Record, Rule


@dataclass(frozen=True)
class SourceOutcome:
    source: str
    report: LoadReport | None
    error: str | None
    records: tuple[Record, ...] = ()  # the new SOTA records this load made
    backfill: bool = False
    unreachable: bool = False  # it failed because its host could not be reached at all (no network, no such host)

    def line(self) -> str:
        """The source and what its load did, or why it failed: one line of a run's summary."""
        return f"{self.source}: {self.report.summary() if self.report else f'FAILED: {self.error}'}"


@dataclass(frozen=True)
class DeliveryOutcome:
    delivered: tuple[tuple[str, str], ...] = ()  # (channel, alert line)
    failed: tuple[tuple[str, str], ...] = ()  # (channel, error, secrets masked): still pending unless given up
    gave_up: int = 0
    waiting: int = 0  # rows for channels not configured now

    @classmethod
    def of(cls, report: DeliveryReport) -> DeliveryOutcome:
        return cls(
            delivered=tuple((a.channel, alert_line(a.record)) for a in report.delivered),
            failed=tuple((a.channel, message) for a, message in report.failed),
            gave_up=len(report.gave_up),
            waiting=len(report.unconfigured),
        )

    def summary(self) -> str:
        if not (self.delivered or self.failed or self.waiting):
            return "alerts: nothing to send"
        text = f"alerts: {len(self.delivered)} delivered, {len(self.failed)} failed"
        if self.failed:
            text += " (kept pending for the next run)" if not self.gave_up else f" ({self.gave_up} given up)"
        if self.waiting:
            text += f", {self.waiting} waiting for channels not configured"
        return text


@dataclass(frozen=True)
class RunResult:
    sources: list[SourceOutcome]
    delivery: DeliveryOutcome | None  # None: nothing was delivered (a backfill run, or no channel configured)
    delivery_error: str | None = None  # the delivery step itself failed (the warehouse could not be opened, ...)
    report_error: str | None = None  # the report could not be rebuilt at the run's end
    groups: tuple[GroupOutcome, ...] = ()  # fanned out to a work pool: the group runs that loaded the sources

    def lines(self) -> list[str]:
        """What `sota run` prints: one line per source, its new SOTA records, then the alerts."""
        lines = [group.line() for group in self.groups]
        for o in self.sources:
            lines.append(o.line())
            for record in o.records:
                label = "SOTA step (backfill, no alert)" if record.is_backfill else "new SOTA"
                lines.append(f"  {label}: {alert_line(record)}")
        if self.delivery is not None:
            lines.append(self.delivery.summary())
            lines.extend(f"  {channel}: FAILED: {message}" for channel, message in self.delivery.failed)
        if self.delivery_error:
            lines.append(f"alerts: FAILED: {self.delivery_error}")
        return lines

    @property
    def only_unreachable_failed(self) -> bool:
        """Whether every source that failed did so because its host could not be reached, and the alerts went out:
        what a first run on a machine without a network looks like."""
        failed = [o for o in self.sources if o.report is None]
        if any(not group.ok for group in self.groups):
            return False
        delivered = self.delivery_error is None and (self.delivery is None or not self.delivery.failed)
        return bool(failed) and all(o.unreachable for o in failed) and delivered and self.report_error is None


def _retry_only_what_can_pass(task, task_run, state) -> bool:
    try:
        state.result()
    except FetchRetryableError:
        return True
    except Exception:  # noqa: BLE001 - anything else will fail the same way again
        return False
    return False


@task(cache_policy=NO_CACHE, retry_condition_fn=_retry_only_what_can_pass, task_run_name="load {source.name}")
def load_source(
    database: str | None,
    source: SourceConfig,
    observed_at: str | None,
    backfill: bool,
    rules: Sequence[Rule],
    channels: Sequence[str],
    client: HttpClient,
) -> SourceOutcome:
    """One source, end to end. An error the source can cause (unreachable, a page that does not parse, a bad option, a
    locked warehouse) ends the task Failed with its one-line message, retried if it can pass; anything else
    is a bug and raises with its traceback."""
    watch = NewSotaHook(rules, channels, backfill)
    wait = lock_wait_seconds()
    try:
        # The warehouse is opened for each step that needs it, not held while a payload downloads: queries meanwhile
        # read the last committed state instead of waiting. On a lake, loads of one lineage take turns.
        with lineage_turn(database, source.lineage_name):
            report = ingest_with_opener(lambda: connect(database, wait_seconds=wait), source.kind, source.location,
                                        lineage=source.lineage_name, options=source.options, observed_at=observed_at,
                                        client=client, after_load=watch, conditional=True)
    except _SOURCE_ERRORS as error:
        _REPORTED.add(_first_line(error))
        return Failed(message=_first_line(error), data=_detached(error))
    return SourceOutcome(source.name, report, None, tuple(watch.records), backfill)


_SOURCE_ERRORS = (SourceError, LoadError, UsageError, WarehouseError)


class _Reported:
    """The one-line messages of the source errors this process ended a task with: the run reports each once (its
    summary line), so Prefect's own lines repeating them are dropped (see `_QuietRepeats`)."""

    KEPT = 256  # the latest messages: a served flow runs for months

    def __init__(self) -> None:
        self._messages: dict[str, None] = {}
        self._lock = threading.Lock()

    def add(self, message: str) -> None:
        with self._lock:
            self._messages.pop(message, None)
            self._messages[message] = None
            while len(self._messages) > self.KEPT:
                del self._messages[next(iter(self._messages))]

    def within(self, text: str) -> bool:
        with self._lock:
            return any(message in text for message in self._messages)


_REPORTED = _Reported()


class _QuietRepeats(logging.Filter):
    """Prefect logs a task that ended Failed up to three times: the failure (with a traceback it does not have:
    "NoneType: None"), each retry, and the final state. For a source error the run's summary already says it in one
    line, so those records are dropped, and a retry keeps only its "Retry 1/2 will start ..." part. A bug (an
    exception that is not a source error) keeps Prefect's records and its traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not _REPORTED.within(record.getMessage()):
            return True
        text = record.getMessage()
        if " - Retry " not in text:
            return False
        record.msg, record.args = "source failed; retry " + text.rsplit(" - Retry ", 1)[1], ()
        record.exc_info = record.exc_text = None
        return True


_TASK_RUN_LOGGER = "prefect.task_runs"
if not any(isinstance(f, _QuietRepeats) for f in logging.getLogger(_TASK_RUN_LOGGER).filters):
    logging.getLogger(_TASK_RUN_LOGGER).addFilter(_QuietRepeats())

_SUMMARY_LINE = "sotawatch_summary"  # marks the flow's log records that repeat `RunResult.lines()`


class _DropSummaryLines(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not getattr(record, _SUMMARY_LINE, False)


@contextmanager
def summary_printed_by_caller() -> Iterator[None]:
    """While the caller prints `RunResult.lines()` itself (`sota run`), the flow's log does not repeat them."""
    quiet = _DropSummaryLines()
    flow_logger = logging.getLogger("prefect.flow_runs")
    flow_logger.addFilter(quiet)
    try:
        yield
    finally:
        flow_logger.removeFilter(quiet)


def _detached(error: BaseException) -> BaseException:
    # The message is the report; the traceback would keep the load's frames (and its connection) alive in the state.
    error.__traceback__ = error.__cause__ = error.__context__ = None
    return error


@task(cache_policy=NO_CACHE, task_run_name="deliver alerts")
def deliver_alerts(database: str | None, channels: Sequence[ChannelConfig], max_attempts: int | None) -> DeliveryOutcome:
    """Send what the outbox holds for the configured channels (secrets are read here, not passed in)."""
    logger = get_run_logger()
    built = build_channels(channels)
    with connect(database, wait_seconds=lock_wait_seconds()) as con:
        report = deliver_pending(con, built, utc_now(), max_attempts=max_attempts)
    outcome = DeliveryOutcome.of(report)
    for channel, line in outcome.delivered:
        logger.info("alert sent to %s: %s", channel, line)
    for channel, message in outcome.failed:
        logger.warning("alert to %s not sent: %s", channel, message)
    return outcome


def _escape_markdown(text: str) -> str:
    return "".join("\\" + ch if ch in "\\`*_{}[]()#+-.!|<>" else ch for ch in text)


def summary_markdown(outcomes: list[SourceOutcome], delivery: DeliveryOutcome | None = None) -> str:
    """The run's artifact: the table of sources, then the new SOTA records and the alerts. Everything that came from
    a source or a receiver is escaped: a model name must not become a link or a table cell."""
    lines = ["| source | status | new | changed | removed | rejected |", "|---|---|---|---|---|---|"]
    for o in outcomes:
        if o.report is None:
            lines.append(f"| {_escape_markdown(o.source)} | failed: {_escape_markdown(o.error or '')} | | | | |")
            continue
        r = o.report
        lines.append(
            f"| {_escape_markdown(o.source)} | {_escape_markdown(r.status)} | {r.results_new} | {r.results_changed} | "
            f"{r.results_removed} | {r.rows_rejected} |"
        )
    records = [(o, record) for o in outcomes for record in o.records]
    lines += ["", "**New SOTA records**", ""]
    if not records:
        lines.append("none")
    for o, record in records:
        note = " (backfill: recorded, no alert)" if record.is_backfill else ""
        lines.append(f"- {_escape_markdown(alert_line(record))}{note} \\[{_escape_markdown(o.source)}\\]")
    if delivery is not None:
        lines += ["", f"**{_escape_markdown(delivery.summary())}**", ""]
        lines += [f"- sent to {_escape_markdown(channel)}" for channel, _ in delivery.delivered]
        lines += [f"- not sent to {_escape_markdown(channel)}: {_escape_markdown(message)}"
                  for channel, message in delivery.failed]
    return "\n".join(lines)


def run_sources(
    config: RunConfig, names: list[str] | None, observed_at: str | None, backfill: bool = False
) -> list[SourceOutcome]:
    """Load every selected source in turn; each failure is recorded and the next source still runs."""
    settings = config.run
    loader = load_source.with_options(retries=settings.retries, retry_delay_seconds=list(settings.retry_delay_seconds))
    rules = list(config.alerts.rules)
    channels = [c.name for c in config.alerts.enabled_channels]
    outcomes = []
    # One client: per-host intervals hold across sources; only the configured hosts are fetched (SSRF).
    with HttpClient(max_retries=settings.http_retries, allowed_hosts=config.fetch_hosts()) as client:
        for source in config.selected(names):
            when = observed_at or source.observed_at
            is_backfill = backfill or when is not None
            state = loader(config.database, source, when, is_backfill, rules, channels, client, return_state=True)
            if state.is_completed():
                outcomes.append(state.result())
                continue
            unreachable = False
            try:
                state.result()
                message = state.message or "failed"
            except Exception as error:  # noqa: BLE001 - the error is the outcome we report
                message, unreachable = _first_line(error), isinstance(error, HostUnreachableError)
            outcomes.append(SourceOutcome(source.name, None, message, (), is_backfill, unreachable))
    return outcomes


@flow(name="sotawatch-nightly", log_prints=True, validate_parameters=False)
def nightly(
    config: str | None = None,
    sources: list[str] | None = None,
    observed_at: str | None = None,
    backfill: bool = False,
    database: str | None = None,
    workers: str | None = None,
) -> State:
    """Run the configured sources (or the ones named), then deliver the pending alerts.

    config: path of the TOML configuration (default sota.toml). sources: only these configured sources. observed_at:
    history, the date the payloads were current (a backfill). backfill: record SOTA steps but alert nobody.
    database: overrides the configuration's warehouse. workers: a deployment of `flows.fanout.load_sources` (e.g.
    "sotawatch-sources/sources"): the sources load there, one flow run per lineage on a work pool's workers, into a
    warehouse they all reach (a lake); this run waits for them, then delivers.
    """
    logger = get_run_logger()
    run_config = configured(config, database)
    with ExitStack() as held:
        try:
            held.enter_context(exclusive_run(run_config.database, lock_wait_seconds(), on_wait=logger.warning))
        except (WarehouseError, ConfigError) as error:  # another run holds the warehouse: this one does nothing
            logger.error("%s", error)
            return Failed(message=_first_line(error))
        if workers and not is_lake(warehouse_location(run_config.database)):
            # one process at a time can hold a DuckDB file: workers loading it at once would queue and time out
            message = (f"workers ({workers}) load into one warehouse at once, which a DuckDB file does not allow: "
                       "give the configuration a lake (ducklake:postgres:... data_path=...), or run without workers")
            logger.error("%s", message)
            return Failed(message=message)
        if workers:
            # the warehouse made (or migrated) once, here, before the workers all open it at once
            connect(run_config.database, wait_seconds=lock_wait_seconds()).close()
            groups = tuple(fan_out(workers, config, run_config, sources, observed_at, backfill))
            return _run_holding_the_lock(run_config, [], observed_at, backfill, groups)
        return _run_holding_the_lock(run_config, run_sources(run_config, sources, observed_at, backfill),
                                     observed_at, backfill)


def _run_holding_the_lock(
    run_config: RunConfig, outcomes: list[SourceOutcome], observed_at: str | None, backfill: bool,
    groups: tuple[GroupOutcome, ...] = (),
) -> State:
    logger = get_run_logger()
    summary = {_SUMMARY_LINE: True}
    for group in groups:
        logger.info("%s", group.line(), extra=summary)
    for o in outcomes:
        logger.info("%s", o.line(), extra=summary)
        for record in o.records:
            logger.info("%s: %s%s", o.source, alert_line(record), " (backfill: no alert)" if record.is_backfill else "",
                        extra=summary)

    delivery, delivery_error = None, None
    channels = run_config.alerts.enabled_channels
    if backfill or observed_at:
        logger.info("backfill: SOTA steps recorded, no alert queued or sent")
    elif channels:
        state = deliver_alerts(run_config.database, channels, run_config.alerts.max_attempts, return_state=True)
        try:
            delivery = state.result()
        except Exception as error:  # noqa: BLE001 - reported as the run's failure; the rows stay pending
            delivery_error = _first_line(error)
    report_error = None
    if run_config.report_path and not (backfill or observed_at):
        report_error = regenerate_report_step(run_config.database, run_config.report_path)
    result = RunResult(outcomes, delivery, delivery_error, report_error, groups)

    create_markdown_artifact(key="sotawatch-run", markdown=summary_markdown(outcomes, delivery),
                             description="Nightly run")
    problems = []
    failed = [o.source for o in outcomes if o.report is None]
    failed += [source for group in groups if not group.ok for source in group.sources]
    total = len(outcomes) + sum(len(group.sources) for group in groups)
    if failed:
        of = f"{len(failed)} of {total} sources" if total > 1 else "the source"
        problems.append(f"{of} failed: {', '.join(failed)}")
    if delivery is not None and delivery.failed:
        problems.append(delivery.summary())
    if delivery_error:
        problems.append(f"alerts could not be delivered: {delivery_error}")
    if report_error:
        problems.append(f"the report could not be rebuilt: {report_error}")
    if problems:
        return Failed(message="; ".join(problems), data=result)
    message = f"{total} source{'' if total == 1 else 's'} loaded"
    if delivery is not None and (delivery.delivered or delivery.waiting):
        message += f"; {delivery.summary()}"
    return Completed(message=message, data=result)


@flow(name="sotawatch-sources", log_prints=True, validate_parameters=False)
def load_sources(
    config: str | None = None,
    sources: list[str] | None = None,
    observed_at: str | None = None,
    backfill: bool = False,
    database: str | None = None,
) -> State:
    """Load these configured sources, one after the other, each in its lineage's turn; deliver nothing (the nightly
    that started this run does). Ends Failed when a source failed, with one line per source as its message."""
    logger = get_run_logger()
    run_config = configured(config, database)
    outcomes = run_sources(run_config, sources, observed_at, backfill)
    lines = [o.line() for o in outcomes]
    for line in lines:
        logger.info("%s", line)
    failed = [o.source for o in outcomes if o.report is None]
    if failed:
        return Failed(message=f"failed: {', '.join(failed)} | " + " | ".join(lines))
    return Completed(message=" | ".join(lines))


def configured(config: str | None, database: str | None) -> RunConfig:
    """The run's configuration, its warehouse overridden by `database` when one is given."""
    run_config = load_config(config)
    return replace(run_config, database=database) if database else run_config


def regenerate_report_step(database: str | None, out_dir: str) -> str | None:
    """Rebuild the static report after the loads (`[report] path`); a failure is reported, never raised."""
    from flows.report.site import regenerate_report

    try:
        summary = regenerate_report(database, out_dir)
    except Exception as error:  # noqa: BLE001 - the loads are done; the report's failure is one line of the run
        return _first_line(error)
    get_run_logger().info("report rebuilt in %s: %s", out_dir, summary)
    return None


def run_result(state: State) -> RunResult | None:
    """The run's result from its final state, or None when the flow crashed before making one."""
    result = state.result(raise_on_failure=False)
    return result if isinstance(result, RunResult) else None
