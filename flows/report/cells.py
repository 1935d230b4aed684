"""How the warehouse's values show in the report's cells: numbers, dates at their precision, flags, and links kept only
for http(s) URLs (a scraped "javascript:" URL shows as text). Shared by the pages (`site`), their boards (`boards`)
and the feeds; re-exported by `flows.report.site`."""
from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

_ARXIV_ID = re.compile(r"^[A-Za-z0-9.\-/]{4,40}$")


def safe_link(url: str | None) -> str | None:
    """The URL if a browser may follow it from a report (http or https), else None."""
    if not url:
        return None
    url = url.strip()
    return url if re.match(r"^https?://[^\s]+$", url, flags=re.IGNORECASE) else None


def paper_link(row: dict) -> str | None:
    link = safe_link(row.get("paper_url"))
    if link is None and row.get("arxiv_id") and _ARXIV_ID.match(str(row["arxiv_id"])):
        link = f"https://arxiv.org/abs/{row['arxiv_id']}"
    return link


def location_link(location: str | None) -> str | None:
    """Where a snapshot came from, as a link: an http(s) URL, a file:// URL, or an absolute path as file://."""
    if not location:
        return None
    if safe_link(location):
        return location
    if location.startswith("file://"):
        return location if re.match(r"^file:///[^\s]*$", location) else None
    path = Path(location)
    return path.as_uri() if path.is_absolute() else None


def number(value) -> str:
    if value is None:
        return ""
    return f"{value:.6g}" if isinstance(value, float) else str(value)


def signed(value) -> str:
    return "" if value is None else f"+{value:.4g}"


def when(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M") if (value.hour, value.minute) != (0, 0) else value.date().isoformat()
    return value.isoformat() if isinstance(value, date) else str(value)


def published(row: dict) -> str:
    """A publication date at its precision: 2019-11-11, 2019-11, 2019, or "?" when unknown."""
    day = row.get("published_on")
    if day is None:
        return "?"
    precision = row.get("published_precision")
    return {"month": day.strftime("%Y-%m"), "year": day.strftime("%Y")}.get(precision, day.isoformat())


def yes_no(value) -> str:
    return "" if value is None else ("yes" if value else "no")
