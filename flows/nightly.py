"""The nightly run as a Prefect flow: every configured source loads on its own, one broken source fails alone.

Work is coarse (one task per source: fetch, parse, validate and load in one transaction), retried only for errors
that can pass (the HTTP client's retryable errors). The run ends Failed when any source failed, after the others
loaded, and leaves a markdown artifact summarising each source. With no PREFECT_API_URL it runs on an ephemeral
server, as a plain command.
"""
from __future__ import annotations

from dataclasses import dataclass

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.states import Completed, Failed

from flows.config import RunConfig, SourceConfig
from flows.ingest import ingest
from pipelines.http import FetchRetryableError
from warehouse.db import connect
from warehouse.load import LoadReport


@dataclass(frozen=True)
class SourceOutcome:
    source: str
    report: LoadReport | None
    error: str | None


def _retry_only_what_can_pass(task, task_run, state) -> bool:
    try:
        state.result()
    except FetchRetryableError:
        return True
    except Exception:  # noqa: BLE001 - anything else will fail the same way again
        return False
    return False


@task(cache_policy=NO_CACHE, retries=2, retry_delay_seconds=[30, 300], retry_condition_fn=_retry_only_what_can_pass)
def load_source(database: str | None, source: SourceConfig, backfill_observed_at: str | None) -> LoadReport:
    with connect(database) as con:
        return ingest(con, source.kind, source.location, options=source.options, observed_at=backfill_observed_at)


def _escape_markdown(text: str) -> str:
    return "".join("\\" + ch if ch in "\\`*_{}[]()#+-.!|<>" else ch for ch in text)


def summary_markdown(outcomes: list[SourceOutcome]) -> str:
    lines = ["| source | status | new | changed | removed | rejected |", "|---|---|---|---|---|---|"]
    for o in outcomes:
        if o.report is None:
            lines.append(f"| {_escape_markdown(o.source)} | failed: {_escape_markdown(o.error or '')} | | | | |")
            continue
        r = o.report
        lines.append(
            f"| {_escape_markdown(o.source)} | {r.status} | {r.results_new} | {r.results_changed} | "
            f"{r.results_removed} | {r.rows_rejected} |"
        )
    return "\n".join(lines)


def run_sources(config: RunConfig, names: list[str] | None, observed_at: str | None) -> list[SourceOutcome]:
    """Load every selected source in turn; each failure is recorded and the next source still runs."""
    outcomes = []
    for source in config.selected(names):
        state = load_source(config.database, source, observed_at, return_state=True)
        if state.is_completed():
            outcomes.append(SourceOutcome(source.name, state.result(), None))
        else:
            try:
                state.result()
                message = state.message or "failed"
            except Exception as error:  # noqa: BLE001 - the error is the outcome we report
                message = str(error).splitlines()[0] if str(error) else type(error).__name__
            outcomes.append(SourceOutcome(source.name, None, message))
    return outcomes


@flow(name="sotawatch-nightly", log_prints=True, validate_parameters=False)
def nightly(config: RunConfig, names: list[str] | None = None, observed_at: str | None = None):
    logger = get_run_logger()
    outcomes = run_sources(config, names, observed_at)
    for o in outcomes:
        logger.info("%s: %s", o.source, o.report.summary() if o.report else f"FAILED: {o.error}")
    create_markdown_artifact(key="sotawatch-run", markdown=summary_markdown(outcomes), description="Nightly run")
    failed = [o.source for o in outcomes if o.report is None]
    if failed:
        return Failed(message=f"{len(failed)} of {len(outcomes)} sources failed: {', '.join(failed)}", data=outcomes)
    return Completed(message=f"{len(outcomes)} sources loaded", data=outcomes)
