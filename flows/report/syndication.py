"""The report's syndication: Atom feeds of new-SOTA records and shields-style SVG badges of each benchmark's SOTA.

`write_syndication(con, root, watched, ...)` writes, beside the HTML report,

    ROOT/feeds/records.atom        the newest records of every benchmark (table sota_records)
    ROOT/feeds/<slug>.atom         the newest records of one watched benchmark
    ROOT/badges/<slug>.svg         "SOTA | <model> <value>" for one watched benchmark, as of today by latest knowledge

where <slug> is the benchmark page's file stem (`feed_slug`), so a page, its feed and its badge share a name.

Ids are stable so that feed readers never show a record twice: an entry's id is its record's alert id (the one the
alert channels send), a feed's id is built from the benchmark's slug. Every string from the warehouse is XML-escaped
(ElementTree for the feeds, `_escape` for the badges), characters XML cannot hold are dropped, and links are kept
only for http(s) URLs, as in the HTML pages.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime
from pathlib import Path

from flows.dates import utc_now
from flows.report import ReportError
from flows.report.cells import paper_link
from flows.report.files import page_name, remove_unlisted, write_whole
from warehouse import queries

ATOM = "http://www.w3.org/2005/Atom"
MAX_TEXT = 60  # a badge wider than a phone's screen is no badge
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
FEED_ENTRIES = 50  # the newest records a feed holds


def feed_slug(task: str, dataset: str, metric: str) -> str:
    """The file stem a benchmark's page, feed and badge share."""
    return page_name(task, dataset, metric).removesuffix(".html")


def _clean(text) -> str:
    """Text XML can hold: a scraped NUL or form feed would make the whole feed unreadable."""
    return _NOT_XML.sub("", str(text))


def _instant(value: datetime) -> str:
    """RFC 3339 in UTC, as Atom requires; the warehouse's timestamps are naive UTC."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.replace(microsecond=0).isoformat() + "Z"


def _value(value: float, unit: str | None = None) -> str:
    return f"{value:g}" + ("%" if unit == "percent" else "")


# ------------------------------------------------------------------------------------------------------ feeds


def _tied(row: dict) -> bool:
    return row.get("kind") == "tied within noise"


def _entry_title(row: dict) -> str:
    what = "Tied within noise" if _tied(row) else "New SOTA"
    return f"{what} on {row['task']} / {row['dataset']} / {row['metric']}: {row['model']} {_value(row['value'])}"


def _entry_summary(row: dict) -> str:
    unit = row["unit"]
    margin = f"{row['margin']:g}" + (" percentage points" if unit == "percent" else "")
    if row.get("z") is not None:
        margin += f", {row['z']:.1f} standard errors"
    verb = "topping, within the noise," if _tied(row) else "beating"
    text = (f"{row['model']} reached {_value(row['value'], unit)}, {verb} the previous SOTA, "
            f"{row['previous_model']} {_value(row['previous_value'], unit)}, by {margin}.")
    if _tied(row):
        text += " The margin is under twice the combined standard error: a tie, not a new SOTA; nobody was alerted."
    if row["paper_title"]:
        text += f" Paper: {row['paper_title']}."
    if row["published_on"]:
        text += f" Published {row['published_on'].isoformat()}."
    if row["is_backfill"]:
        # a step found while loading history is not news of the day it was detected: the reader should know
        text += " Found while loading history (a backfill): recorded, nobody was alerted."
    return text


def _add(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, {k: _clean(v) for k, v in attributes.items()})
    if text is not None:
        element.text = _clean(text)
    return element


def _entry(feed: ET.Element, row: dict, base_url: str | None) -> None:
    entry = _add(feed, "entry")
    _add(entry, "id", f"urn:uuid:{row['alert_id']}")
    _add(entry, "title", _entry_title(row), type="text")
    _add(entry, "published", _instant(row["detected_at"]))
    _add(entry, "updated", _instant(row["detected_at"]))
    summary = _entry_summary(row)
    _add(entry, "summary", summary, type="text")
    link = paper_link(row)
    if link:
        _add(entry, "link", rel="alternate", type="text/html", href=link)
    else:
        # Atom wants an entry without an alternate link to carry its content
        _add(entry, "content", summary, type="text")
    if base_url:
        page = f"{base_url}/benchmarks/{feed_slug(row['task'], row['dataset'], row['metric'])}.html"
        _add(entry, "link", rel="related", type="text/html", href=page)
    _add(entry, "category", term=row["task"])


def records_feed(
    con, *, names: tuple[str, str, str] | None = None, base_url: str | None = None,
    generated: datetime | None = None, limit: int = FEED_ENTRIES,
) -> str:
    """Atom 1.0 text of the newest new-SOTA records: of every benchmark, or of the one `names` gives exactly.

    `updated` is the newest record's detection, else `generated` (default: now), so a feed with nothing new reads
    the same to a reader. `base_url` (the report's address) adds the feed's self and alternate links."""
    task, dataset, metric = names or (None, None, None)
    rows = queries.records(con, task=task, dataset=dataset, metric=metric, limit=limit)
    return _feed(rows, names, base_url, generated)


def _feed(rows: list[dict], names: tuple[str, str, str] | None, base_url: str | None,
          generated: datetime | None) -> str:
    """The feed of `rows` (records, newest first): of every benchmark, or of the one `names` gives."""
    slug = feed_slug(*names) if names else "records"
    feed = ET.Element("feed", {"xmlns": ATOM})
    _add(feed, "id", f"urn:sotawatch:records:{slug}" if names else "urn:sotawatch:records")
    _add(feed, "title", "New SOTA records" + (": " + " / ".join(names) if names else ""), type="text")
    newest = rows[0]["detected_at"] if rows else (generated or utc_now())
    _add(feed, "updated", _instant(newest))
    _add(_add(feed, "author"), "name", "sotawatch")
    _add(feed, "generator", "sotawatch")
    if base_url:
        base_url = base_url.rstrip("/")
        _add(feed, "link", rel="self", type="application/atom+xml", href=f"{base_url}/feeds/{slug}.atom")
        page = f"benchmarks/{slug}.html" if names else "index.html"
        _add(feed, "link", rel="alternate", type="text/html", href=f"{base_url}/{page}")
    for row in rows:
        _entry(feed, row, base_url)
    ET.indent(feed)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="unicode") + "\n"


# ------------------------------------------------------------------------------------------------------ badges

_NARROW, _WIDE = set("fijlrtI1.,:;!|'()[] "), set("mwMW@%")


def _text_width(text: str) -> int:
    """Roughly the width of `text` in 11px Verdana, as shields measures it: no font is at hand to measure with."""
    return round(sum(4.0 if c in _NARROW else 10.0 if c in _WIDE else 7.5 if c.isupper() else 6.6 for c in text))


def _shorten(text: str) -> str:
    text = " ".join(_clean(text).split())
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1].rstrip() + "…"


def _escape(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("'", "&#39;"))


def badge_svg(label: str, message: str, color: str = "#4c1") -> str:
    """A flat shields-style badge: `label` on grey, `message` on `color`, each text over its shadow."""
    label, message = _shorten(label), _shorten(message)
    left, right = _text_width(label) + 10, _text_width(message) + 10
    width = left + right
    title, fill = _escape(f"{label}: {message}"), _escape(_clean(color))
    # drawn at ten times the size and scaled down, as shields does, so that positions stay whole numbers; the
    # textLength makes a font wider than the estimate still fit its box
    texts = "".join(
        f'<text x="{x * 10:g}" y="{y}"{shadow} transform="scale(.1)" textLength="{(w - 10) * 10}">{_escape(t)}</text>'
        for x, w, t in ((left / 2, left, label), (left + right / 2, right, message))
        for y, shadow in ((150, ' fill="#010101" fill-opacity=".3"'), (140, ""))
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="20" role="img" aria-label="{title}">'
        f"<title>{title}</title>"
        '<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/>'
        '<stop offset="1" stop-opacity=".1"/></linearGradient>'
        f'<clipPath id="r"><rect width="{width}" height="20" rx="3" fill="#fff"/></clipPath>'
        f'<g clip-path="url(#r)"><rect width="{left}" height="20" fill="#555"/>'
        f'<rect x="{left}" width="{right}" height="20" fill="{fill}"/>'
        f'<rect width="{width}" height="20" fill="url(#s)"/></g>'
        '<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" '
        f'text-rendering="geometricPrecision" font-size="110">{texts}</g></svg>\n'
    )


def benchmark_badge(con, names: tuple[str, str, str], *, today: date | None = None) -> str:
    """The badge of a benchmark's SOTA as of `today` (default: today, UTC) by latest knowledge."""
    task, dataset, metric = names
    rows = queries.sota_as_of(con, today or utc_now().date(), task=task, dataset=dataset, metric=metric)
    return _badge(rows[0] if rows else None)


def _badge(best: dict | None) -> str:
    """The badge of a SOTA row (`sota_as_of`'s), or of a benchmark without one."""
    if best is None:
        return badge_svg("SOTA", "no results", color="#9f9f9f")
    return badge_svg("SOTA", f"{best['model']} {_value(best['value'], best['unit'])}")


# ------------------------------------------------------------------------------------------------------ files


def write_syndication(
    con, root: Path, watched: list[dict], *, generated: datetime, today: date, sota: dict | None = None,
) -> list[Path]:
    """Write the feeds and badges (see the module's docstring) under `root`; remove those of benchmarks no longer
    watched; the paths written. `sota` is the SOTA today by (task, dataset, metric), where the report asked already;
    the records are read once for every feed."""
    feeds, badges = root / "feeds", root / "badges"
    try:
        feeds.mkdir(parents=True, exist_ok=True)
        badges.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ReportError(f"cannot write the feeds and badges to {root}: {error.strerror or error}") from None
    if sota is None and watched:
        sota = {(row["task"], row["dataset"], row["metric"]): row for row in queries.sota_as_of(con, today)}
    records = queries.records(con, limit=None)  # newest first, every benchmark
    by_benchmark: dict[tuple[str, str, str], list[dict]] = {}
    for row in records:
        by_benchmark.setdefault((row["task"], row["dataset"], row["metric"]), []).append(row)
    written = [feeds / "records.atom"]
    write_whole(written[0], _feed(records[:FEED_ENTRIES], None, None, generated))
    for info in watched:
        names = (info["task"], info["dataset"], info["metric"])
        slug = feed_slug(*names)
        write_whole(feeds / f"{slug}.atom", _feed(by_benchmark.get(names, [])[:FEED_ENTRIES], names, None, generated))
        write_whole(badges / f"{slug}.svg", _badge((sota or {}).get(names)))
        written += [feeds / f"{slug}.atom", badges / f"{slug}.svg"]
    keep = {path.name for path in written}
    remove_unlisted(feeds, "atom", keep=keep)
    remove_unlisted(badges, "svg", keep=keep)
    return written
