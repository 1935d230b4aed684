"""The nightly across a work pool (issue 16): one flow run per group of sources, on whichever worker is free, all
loading into one lake; then the alerts go out once, from the run that started them.

A group is the configured sources of one lineage (`lineage_groups`): a lineage's payloads are one record, so they load
in one run, in order, and a Prefect concurrency limit keeps any other run off that lineage meanwhile
(`flows.locks.lineage_turn`). Groups of different lineages run at once on different workers; their commits take turns
in the lake (`warehouse.statements.transaction`). The group runs deliver nothing: the nightly that fanned them out
holds the lake's run turn (`flows.locks.exclusive_run`) and delivers from the shared outbox when they have ended, so an
alert goes out once however many workers loaded.

Deployments (prefect.yaml): `sotawatch-sources/sources` runs `flows.nightly.load_sources`; `sotawatch-nightly/nightly-lake` runs the
nightly with `workers` naming it.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

from prefect.client.orchestration import get_client
from prefect.deployments import run_deployment

from flows.config import RunConfig

# How long the nightly waits for its groups: a run that never ends (its worker's machine lost) must not hold the
# lake's run turn, and the alerts, forever.
GROUP_WAIT_SECONDS = 6 * 3600.0
_POLL_SECONDS = 2.0


@dataclass(frozen=True)
class GroupOutcome:
    """One group's flow run, as the nightly that started it saw it end."""

    sources: tuple[str, ...]
    flow_run: str  # its name, to find it in Prefect's UI
    state: str  # Completed, Failed, Crashed, ... or "did not end"
    message: str

    @property
    def ok(self) -> bool:
        return self.state == "Completed"

    def line(self) -> str:
        return f"{', '.join(self.sources)} (flow run {self.flow_run}): {self.state}: {self.message}"


def lineage_groups(config: RunConfig, names: list[str] | None) -> list[list[str]]:
    """The selected sources' names grouped by lineage, in the order selected (the configuration's, or the order
    `names` gives them)."""
    groups: dict[str, list[str]] = {}
    for source in config.selected(names):
        groups.setdefault(source.lineage_name, []).append(source.name)
    return list(groups.values())


def fan_out(
    deployment: str, config_path: str | None, run_config: RunConfig, names: list[str] | None,
    observed_at: str | None, backfill: bool,
) -> list[GroupOutcome]:
    """One run of `deployment` (`flows.nightly.load_sources`) per lineage group, all started at once, then waited for."""
    started = []
    for group in lineage_groups(run_config, names):
        parameters = {"config": config_path, "sources": group, "observed_at": observed_at, "backfill": backfill,
                      "database": run_config.database}
        started.append((group, run_deployment(deployment, parameters=parameters, timeout=0)))
    deadline = time.monotonic() + GROUP_WAIT_SECONDS
    outcomes = []
    with get_client(sync_client=True) as client:
        for group, flow_run in started:
            outcomes.append(_wait_for(client, tuple(group), flow_run.id, flow_run.name, deadline))
    return outcomes


def _wait_for(client, group: tuple[str, ...], flow_run_id, name: str, deadline: float) -> GroupOutcome:
    while True:
        state = client.read_flow_run(flow_run_id).state
        if state is not None and state.is_final():
            return GroupOutcome(group, name, state.name, state.message or "")
        if time.monotonic() >= deadline:
            return GroupOutcome(group, name, "did not end",
                                f"still {state.name if state else 'unscheduled'} after {GROUP_WAIT_SECONDS:g} s")
        time.sleep(_POLL_SECONDS)
