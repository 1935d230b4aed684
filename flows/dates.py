"""Dates and instants: the clock (`utc_now`, naive UTC as the warehouse keeps it), what a user types as a date or a
timestamp, and `UsageError` for a bad one.

Kept apart from `flows.ingest` (which imports pandas and pandera through the loader) so that every command, the
configuration and the charts can read a date without paying for them.
"""
from __future__ import annotations

from datetime import date, datetime, timezone


class UsageError(ValueError):
    """A bad argument from the user (a date, a missing option); the message is one line."""


def utc_now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def parse_instant(text: str, *, what: str = "date") -> datetime:
    """A user's date or timestamp ("2019-11-13", "2019-11-13T08:00", "2019-11-13 08:00:00+02:00") as naive UTC."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"bad {what} {text!r}: expected YYYY-MM-DD or an ISO timestamp") from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment


def parse_day(text: str, *, what: str = "date") -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"bad {what} {text!r}: expected YYYY-MM-DD") from None
