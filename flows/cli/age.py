"""How old an answer's data is: every answer carries the observation date of the newest snapshot behind it, and a
warning when that is older than SOTA_STALE_DAYS days (default 90).

"SOTA as of today" read off a board last seen in 2020 is a 2020 answer; saying so is part of the answer.
"""
from __future__ import annotations

from datetime import date, datetime

import duckdb

from flows.config import number_from_env
from flows.dates import utc_now
from warehouse.statements import run

DEFAULT_STALE_DAYS = 90


def stale_days() -> float:
    """How old the newest data behind an answer may be before the answer warns: SOTA_STALE_DAYS, default 90."""
    return number_from_env("SOTA_STALE_DAYS", DEFAULT_STALE_DAYS, "days")


def with_data_age(
    con: duckdb.DuckDBPyConnection, rows: list[dict], known_at: date | datetime | None,
    sources: list[str] | None = None,
) -> list[dict]:
    """Each row with `data_observed_at`: the newest observation of its benchmark's data (as known at `known_at`), by
    the lineages `sources` only where the answer was theirs."""
    if not rows:
        return rows
    names = sorted({"\x1f".join((row["task"], row["dataset"], row["metric"])) for row in rows})
    params = {"known_at": known_at, "names": names, "sources": sources}
    observed = {(t, d, m): at for t, d, m, at in run(con, "data_observed", params)}
    return [{**row, "data_observed_at": observed.get((row["task"], row["dataset"], row["metric"]))} for row in rows]


def staleness_warning(rows: list[dict], known_at: date | datetime | None, now: datetime | None = None) -> str | None:
    """A warning line when the newest data behind the rows is older than the threshold, else None."""
    seen = [row["data_observed_at"] for row in rows if row.get("data_observed_at") is not None]
    if not seen:
        return None
    newest = max(seen)
    reference = _instant(known_at) if known_at is not None else (now or utc_now())
    age = (reference - newest).days
    limit = stale_days()
    if age <= limit:
        return None
    return (f"warning: the newest data behind this answer was observed {newest:%Y-%m-%d}, {age} days before "
            f"{reference:%Y-%m-%d} (more than {limit:g}; SOTA_STALE_DAYS sets the limit)")


def _instant(moment: date | datetime) -> datetime:
    return moment if isinstance(moment, datetime) else datetime(moment.year, moment.month, moment.day, 23, 59, 59)
