"""The record for people: a static HTML report of the watched benchmarks, and an export of the record as files.

`build_report(con, out_dir)` writes

    DIR/index.html                 the latest new-SOTA records (table sota_records) and the benchmarks with their SOTA
    DIR/benchmarks/<slug>.html     one page per watched benchmark: its chart (inline SVG), the leaderboard today and as
                                   of a chosen date (as the boards showed it then), the SOTA history with margins,
                                   where sources disagree, the snapshots that showed it, links to the papers
    DIR/snapshots.html             every snapshot: source, when it was current, what it held, where it came from

Watched benchmarks are the ones given, else the ranked benchmarks with at least `min_results` results. The pages
are self-contained: inline CSS and SVG, no script, no font or file fetched from anywhere (a Content-Security-Policy
says so to the browser too), so they work from file:// and offline, and a viewport meta tag and fluid tables keep
them readable on a phone. Every string from the warehouse goes through Jinja2 with autoescape; links are kept only
for http(s) URLs (a scraped "javascript:" URL shows as text).

`export_record(db, out_dir, fmt=...)` copies results (partitioned by source), benchmarks, snapshots and the SOTA
history to Parquet or CSV files with DuckDB's COPY, on a read-only connection that may write to `out_dir` only.

`regenerate_report(db_path, out_dir)` is the one call the nightly flow makes at its end when the configuration's
`[report] path` is set.
"""
from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import jinja2

from flows.charts import ChartError, chart_svg_element, fetch_chart
from flows.dates import UsageError, utc_now
from warehouse import queries
from warehouse.db import connect
from warehouse.statements import sql

MIN_RESULTS = 50  # a benchmark with this many results by latest knowledge gets a page
MAX_PAGES = 60
BOARD_TOP = 20
EXPORT_FORMATS = ("parquet", "csv")
_ARXIV_ID = re.compile(r"^[A-Za-z0-9.\-/]{4,40}$")


@dataclass
class ReportSummary:
    out_dir: Path
    index: Path
    pages: list[Path] = field(default_factory=list)
    as_of: date | None = None

    def lines(self) -> list[str]:
        pages = f"{len(self.pages)} benchmark page{'s' if len(self.pages) != 1 else ''}"
        return [f"wrote {pages}, the index and the snapshot list to {self.out_dir}",
                f"open {self.index.resolve().as_uri()}"]


# ------------------------------------------------------------------------------------------------------ helpers


def page_name(task: str, dataset: str, metric: str) -> str:
    """A file name for a benchmark's page: readable, safe whatever the names hold, and unique (a hash of them)."""
    readable = re.sub(r"[^a-z0-9]+", "-", f"{task} {dataset} {metric}".lower()).strip("-")[:70] or "benchmark"
    digest = hashlib.sha1(f"{task}\0{dataset}\0{metric}".encode()).hexdigest()[:8]
    return f"{readable}-{digest}.html"


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


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.DictLoader(_TEMPLATES), autoescape=True, undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True,
    )
    env.filters.update(number=number, signed=signed, when=when, published=published, yes_no=yes_no,
                       paper_link=paper_link, location_link=location_link)
    return env


def _write(path: Path, text: str) -> None:
    """Write a page whole or not at all, so a nightly regeneration never leaves half a page behind."""
    temporary = path.with_name(f".{path.name}.tmp")
    try:
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)
    except OSError as error:
        raise ChartError(f"cannot write {path}: {error.strerror or error}") from None


def resolve_benchmark(con, text: str) -> tuple[str, str, str]:
    """"TASK/DATASET/METRIC" to the benchmark's names. Names may hold "/" themselves: every way of cutting the text
    in three at its slashes is tried against the warehouse."""
    cuts = [i for i, character in enumerate(text) if character == "/"]
    if len(cuts) < 2:
        raise UsageError(f"--benchmark {text!r}: expected TASK/DATASET/METRIC")
    found = []
    for a in range(len(cuts)):
        for b in range(a + 1, len(cuts)):
            names = (text[: cuts[a]].strip(), text[cuts[a] + 1: cuts[b]].strip(), text[cuts[b] + 1:].strip())
            if all(names) and queries.benchmark(con, *names) is not None:
                found.append(names)
    if not found:
        raise ChartError(f"no benchmark {text!r}: `sota benchmarks` lists them (TASK/DATASET/METRIC)")
    if len(found) > 1:
        raise UsageError(f"--benchmark {text!r} is ambiguous: " + "; ".join(" | ".join(n) for n in found))
    return found[0]


# ------------------------------------------------------------------------------------------------------ the report


def build_report(
    con, out_dir: str | os.PathLike, *, as_of: date | None = None, benchmarks: list[str] | None = None,
    min_results: int = MIN_RESULTS, limit: int = MAX_PAGES, today: date | None = None,
) -> ReportSummary:
    """Write the report for the watched benchmarks to `out_dir` (created if needed); see the module's docstring.

    `as_of` is the chosen date of the second leaderboard and of the faded SOTA line (default: a year ago).
    """
    today = today or utc_now().date()
    as_of = as_of or today - timedelta(days=365)
    if benchmarks:
        watched = [resolve_benchmark(con, text) for text in benchmarks]
        watched = list(dict.fromkeys(watched))
    else:
        watched = [(r["task"], r["dataset"], r["metric"])
                   for r in queries.watched_benchmarks(con, min_results=min_results, limit=limit)]
    root = Path(out_dir)
    try:
        (root / "benchmarks").mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ChartError(f"cannot write the report to {root}: {error.strerror or error}") from None
    env = _environment()
    generated = utc_now()
    common = {"generated": generated, "today": today, "as_of": as_of}

    entries, pages = [], []
    for task, dataset, metric in watched:
        name = page_name(task, dataset, metric)
        info = queries.benchmark(con, task, dataset, metric)
        current = queries.sota_as_of(con, today, task=task, dataset=dataset, metric=metric)
        sota = current[0] if current else None
        entries.append({"task": task, "dataset": dataset, "metric": metric, "href": f"benchmarks/{name}",
                        "results": info["results"] if info else 0, "sota": sota})
        try:
            chart = fetch_chart(con, task, dataset, metric, known_at=as_of, today=today)
            svg, chart_note = chart_svg_element(chart), None
        except (ChartError, UsageError) as error:
            svg, chart_note = None, str(error)
        page = env.get_template("benchmark.html").render(
            **common, root="../", task=task, dataset=dataset, metric=metric, info=info,
            sota=sota, svg=svg, chart_note=chart_note,
            board_today=queries.report_leaderboard(con, task, dataset, metric, today, top=BOARD_TOP),
            board_then=queries.report_leaderboard(con, task, dataset, metric, as_of, top=BOARD_TOP, known_at=as_of),
            history=list(reversed(queries.sota_history(con, task, dataset, metric))),
            conflicts=queries.benchmark_conflicts(con, task, dataset, metric),
            snapshots=queries.benchmark_snapshots(con, task, dataset, metric),
        )
        _write(root / "benchmarks" / name, page)
        pages.append(root / "benchmarks" / name)

    by_benchmark = {(e["task"], e["dataset"], e["metric"]): e["href"] for e in entries}
    records = [{**r, "href": by_benchmark.get((r["task"], r["dataset"], r["metric"]))}
               for r in queries.latest_records(con, limit=50)]
    index = root / "index.html"
    _write(index, env.get_template("index.html").render(
        **common, root="", records=records, entries=entries, min_results=min_results, given=bool(benchmarks),
    ))
    _write(root / "snapshots.html", env.get_template("snapshots.html").render(
        **common, root="", snapshots=queries.snapshots(con, limit=10_000),
    ))
    # pages of benchmarks no longer watched would otherwise linger, linked from nowhere
    written = {p.name for p in pages}
    for old in (root / "benchmarks").glob("*.html"):
        if old.name not in written and re.fullmatch(r"[a-z0-9-]+-[0-9a-f]{8}\.html", old.name):
            old.unlink(missing_ok=True)
    return ReportSummary(out_dir=root, index=index, pages=pages, as_of=as_of)


def regenerate_report(db_path: str | os.PathLike | None, out_dir: str | os.PathLike, **options) -> ReportSummary:
    """Rebuild the report from the warehouse file (the nightly flow's last step when `[report] path` is set).

    Opens its own read-only connection; inside a process that still holds a writing connection to the same file
    (DuckDB refuses a second configuration of one file), it opens a writing one instead, which only reads.
    """
    import duckdb

    try:
        con = connect(db_path, read_only=True)
    except duckdb.ConnectionException:
        con = connect(db_path)
    with con:
        return build_report(con, out_dir, **options)


# ------------------------------------------------------------------------------------------------------ export


_EXPORTS = (  # (file or folder name, SQL file, partitioned by source)
    ("results", "export_results", True),
    ("benchmarks", "export_benchmarks", False),
    ("snapshots", "export_snapshots", False),
    ("sota_history", "export_sota_history", False),
)
_COPY_OPTIONS = {"parquet": "FORMAT parquet", "csv": "FORMAT csv, HEADER true"}


def export_record(
    db_path: str | os.PathLike | None, out_dir: str | os.PathLike, *, fmt: str = "parquet",
    as_of: date | None = None, wait_seconds: float = 10.0,
) -> list[Path]:
    """Copy results (a folder per source: results/source=NAME/), benchmarks, snapshots and the SOTA history of every
    ranked benchmark to `out_dir` as Parquet or CSV; with `as_of`, the record as it stood at the end of that day.

    The connection is read-only, and before any COPY runs it is locked to writing under `out_dir` only.
    """
    import duckdb

    if fmt not in EXPORT_FORMATS:
        raise UsageError(f"--format {fmt!r}: expected one of {', '.join(EXPORT_FORMATS)}")
    target = Path(out_dir).resolve()
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ChartError(f"cannot write the export to {target}: {error.strerror or error}") from None
    written = []
    with connect(db_path, read_only=True, wait_seconds=wait_seconds) as con:
        con.execute("SET allowed_directories = $folders", {"folders": [str(target)]})
        queries.lock_down(con)  # only `target` stays reachable, and the settings cannot be undone
        for name, query, partitioned in _EXPORTS:
            # the statement is a fixed SQL file inside fixed COPY options; the values and the path are bound
            options = _COPY_OPTIONS[fmt] + (", PARTITION_BY (source), OVERWRITE true" if partitioned else "")
            path = target / name if partitioned else target / f"{name}.{fmt}"
            statement = f"COPY (\n{sql(query)}\n) TO $path ({options})"
            try:
                con.execute(statement, {"path": str(path), "as_of": as_of})
            except duckdb.Error as error:
                raise ChartError(f"cannot export {name} to {path}: {str(error).strip().splitlines()[0]}") from None
            written.append(path)
    return written


# ------------------------------------------------------------------------------------------------------ templates


_CSS = """
:root{--ink:#1d1d1f;--muted:#5f6368;--line:#e3e3e3;--accent:#1f5fa8;--bg:#fff;--soft:#f6f7f9}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,
"Helvetica Neue",Arial,sans-serif}
main{max-width:1100px;margin:0 auto;padding:12px 16px 40px}
header.site{background:var(--soft);border-bottom:1px solid var(--line)}
header.site div{max-width:1100px;margin:0 auto;padding:10px 16px;display:flex;gap:16px;flex-wrap:wrap;
align-items:baseline}
header.site a.brand{font-weight:700;color:var(--ink);text-decoration:none}
a{color:var(--accent)}
h1{font-size:1.6rem;line-height:1.25;margin:.6em 0 .2em;overflow-wrap:anywhere}
h2{font-size:1.2rem;margin:1.6em 0 .4em;border-bottom:1px solid var(--line);padding-bottom:.2em}
p.sub,p.note,.muted{color:var(--muted)}
p.sota{font-size:1.1rem;background:var(--soft);border-left:4px solid var(--accent);padding:8px 12px}
figure{margin:12px 0;overflow-x:auto;-webkit-overflow-scrolling:touch}
figure svg{display:block;width:100%;min-width:560px;height:auto}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch;border:1px solid var(--line);border-radius:6px}
table{border-collapse:collapse;width:100%;font-size:.92rem}
th,td{padding:6px 8px;text-align:left;vertical-align:top;border-bottom:1px solid var(--line)}
th{background:var(--soft);font-weight:600;white-space:nowrap}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.model{overflow-wrap:anywhere;min-width:9em}
td.date{white-space:nowrap}
tr:last-child td{border-bottom:none}
footer{color:var(--muted);font-size:.85rem;margin-top:40px}
@media (max-width:640px){body{font-size:15px}h1{font-size:1.3rem}th,td{padding:5px 6px}
.wide{display:none}}
"""

_TEMPLATES = {
    "base.html": """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="generator" content="sotawatch">
<title>{% block title %}{% endblock %}</title>
<style>""" + _CSS + """</style>
</head>
<body>
<header class="site"><div><a class="brand" href="{{ root }}index.html">sotawatch</a>
<a href="{{ root }}index.html#benchmarks">benchmarks</a> <a href="{{ root }}snapshots.html">snapshots</a></div></header>
<main>
{% block main %}{% endblock %}
<footer>Generated {{ generated | when }} UTC by sotawatch from its own dated record. "As of" a date counts results
published by then; "as the boards showed it" uses only what our snapshots had seen by then.</footer>
</main>
</body>
</html>
""",
    "index.html": """{% extends "base.html" %}
{% block title %}sotawatch: the state of the art, kept as a dated record{% endblock %}
{% block main %}
<h1>The state of the art, kept as a dated record</h1>
<p class="sub">As of {{ today | when }}. Each benchmark page shows its chart, its leaderboard today and on
{{ as_of | when }}, its SOTA history and where sources disagree.</p>

<h2 id="records">Latest new-SOTA records</h2>
{% if records %}
<div class="scroll"><table>
<thead><tr><th>detected</th><th>benchmark</th><th>new best</th><th class="num">value</th><th>previous</th>
<th class="num">margin</th><th class="wide">published</th></tr></thead>
<tbody>
{% for r in records %}
<tr><td>{{ r.detected_at | when }}{% if r.is_backfill %} <span class="muted">(history)</span>{% endif %}</td>
<td>{% if r.href %}<a href="{{ r.href }}">{{ r.dataset }} · {{ r.metric }}</a>{% else %}{{ r.dataset }} · {{ r.metric }}{% endif %}
<br><span class="muted">{{ r.task }}</span></td>
<td class="model">{% set link = r | paper_link %}{% if link %}<a href="{{ link }}" rel="noopener noreferrer">{{ r.model }}</a>{% else %}{{ r.model }}{% endif %}</td>
<td class="num">{{ r.value | number }}</td><td class="model">{{ r.previous_model }} {{ r.previous_value | number }}</td>
<td class="num">{{ r.margin | signed }}</td><td class="wide">{{ r.published_on | when }}</td></tr>
{% endfor %}
</tbody></table></div>
{% else %}
<p class="note">No new SOTA recorded yet: a record is written when a load moves a benchmark's best.</p>
{% endif %}

<h2 id="benchmarks">Benchmarks</h2>
{% if entries %}
<p class="note">{% if given %}The benchmarks asked for.{% else %}Ranked benchmarks with at least {{ min_results }}
results, the busiest first.{% endif %}</p>
<div class="scroll"><table>
<thead><tr><th>benchmark</th><th>SOTA today</th><th class="num">value</th><th class="num wide">results</th>
<th class="wide">published</th></tr></thead>
<tbody>
{% for e in entries %}
<tr><td><a href="{{ e.href }}">{{ e.dataset }} · {{ e.metric }}</a><br><span class="muted">{{ e.task }}</span></td>
<td class="model">{{ e.sota.model if e.sota else "" }}</td><td class="num">{{ e.sota.value | number if e.sota else "" }}</td>
<td class="num wide">{{ e.results }}</td>
<td class="wide">{{ e.sota | published if e.sota else "" }}</td></tr>
{% endfor %}
</tbody></table></div>
{% else %}
<p class="note">No benchmark has {{ min_results }} results yet: load something (sota load ...).</p>
{% endif %}
{% endblock %}
""",
    "benchmark.html": """{% extends "base.html" %}
{% block title %}{{ metric }} on {{ dataset }} ({{ task }}): sotawatch{% endblock %}
{% block main %}
<h1>{{ metric }} on {{ dataset }}</h1>
<p class="sub">{{ task }} · {{ info.results if info else 0 }} results ·
{{ "higher" if info and info.direction == "higher" else "lower" }} is better</p>
{% if sota %}
<p class="sota">SOTA today: <strong>{{ sota.model }}</strong>, {{ sota.value | number }}
({{ sota | published }}, {{ sota.source }}){% set link = sota | paper_link %}{% if link %} · <a href="{{ link }}"
rel="noopener noreferrer">paper</a>{% endif %}</p>
{% endif %}

<figure>
{% if svg %}{{ svg | safe }}
<figcaption class="muted">Every result by publication date (colour and shape: source; hollow: extra training data),
the SOTA steps in black by today's knowledge, and in faded grey the SOTA as our snapshots had it on
{{ as_of | when }}.</figcaption>
{% else %}<p class="note">No chart: {{ chart_note }}</p>{% endif %}
</figure>

{% macro board(rows) %}
{% if rows %}
<div class="scroll"><table>
<thead><tr><th class="num">#</th><th>model</th><th class="num">value</th><th>published</th><th class="wide">source</th>
<th class="wide">extra data</th><th class="wide">snapshot</th></tr></thead>
<tbody>
{% for r in rows %}
<tr><td class="num">{{ r.rank }}</td>
<td class="model">{% set link = r | paper_link %}{% if link %}<a href="{{ link }}" rel="noopener noreferrer">{{ r.model }}</a>{% else %}{{ r.model }}{% endif %}{% if r.is_estimate %} <span class="muted">(estimate)</span>{% endif %}</td>
<td class="num">{{ r.value | number }}</td><td class="date">{{ r | published }}</td><td class="wide">{{ r.source }}</td>
<td class="wide">{{ r.uses_additional_data | yes_no }}</td>
<td class="wide"><a href="{{ root }}snapshots.html#snapshot-{{ r.first_snapshot_id }}">#{{ r.first_snapshot_id }}</a>{% if r.last_snapshot_id != r.first_snapshot_id %}–<a href="{{ root }}snapshots.html#snapshot-{{ r.last_snapshot_id }}">#{{ r.last_snapshot_id }}</a>{% endif %}</td></tr>
{% endfor %}
</tbody></table></div>
{% else %}
<p class="note">No results.</p>
{% endif %}
{% endmacro %}

<h2 id="today">Leaderboard today ({{ today | when }})</h2>
{{ board(board_today) }}

<h2 id="then">Leaderboard as of {{ as_of | when }}, as the boards showed it then</h2>
{{ board(board_then) }}

<h2 id="history">SOTA history</h2>
{% if history %}
<p class="note">Each result that beat every result published before it, newest first; the margin is how much
better it was. Where two sources report the same step, both are listed.</p>
<div class="scroll"><table>
<thead><tr><th>published</th><th>model</th><th class="num">value</th><th class="num wide">previous</th>
<th class="num">margin</th><th class="wide">source</th></tr></thead>
<tbody>
{% for h in history %}
<tr><td class="date">{{ h | published }}</td>
<td class="model">{% set link = h | paper_link %}{% if link %}<a href="{{ link }}" rel="noopener noreferrer">{{ h.model }}</a>{% else %}{{ h.model }}{% endif %}</td>
<td class="num">{{ h.value | number }}</td><td class="num wide">{{ h.previous_value | number }}</td>
<td class="num">{{ h.margin | signed }}</td><td class="wide">{{ h.source }}</td></tr>
{% endfor %}
</tbody></table></div>
{% else %}
<p class="note">No SOTA steps.</p>
{% endif %}

<h2 id="conflicts">Where sources disagree</h2>
{% if conflicts %}
<div class="scroll"><table>
<thead><tr><th>model</th><th class="num">spread</th><th>what each source says</th></tr></thead>
<tbody>
{% for c in conflicts %}
<tr><td class="model">{{ c.model }}</td><td class="num">{{ c.spread | number }}</td>
<td>{% for v in c.versions %}{{ v.source }}: {{ v.value | number }}{% if v.model != c.model %} ({{ v.model }}){% endif %}{% if not loop.last %}; {% endif %}{% endfor %}</td></tr>
{% endfor %}
</tbody></table></div>
{% else %}
<p class="note">The sources agree (or only one reports this benchmark).</p>
{% endif %}

<h2 id="snapshots">Snapshots</h2>
{% if snapshots %}
<div class="scroll"><table>
<thead><tr><th class="num">#</th><th>source</th><th>current on</th><th class="num">results</th><th>from</th></tr></thead>
<tbody>
{% for s in snapshots %}
<tr><td class="num"><a href="{{ root }}snapshots.html#snapshot-{{ s.snapshot_id }}">{{ s.snapshot_id }}</a></td>
<td>{{ s.source }}</td><td>{{ s.observed_at | when }}</td><td class="num">{{ s.results }}</td>
<td class="model">{% set link = s.location | location_link %}{% if link %}<a href="{{ link }}">{{ s.location }}</a>{% else %}{{ s.location }}{% endif %}</td></tr>
{% endfor %}
</tbody></table></div>
{% endif %}
{% endblock %}
""",
    "snapshots.html": """{% extends "base.html" %}
{% block title %}Snapshots: sotawatch{% endblock %}
{% block main %}
<h1>Snapshots</h1>
<p class="sub">Every payload loaded, newest first: when it was current, what it held and what it changed.</p>
{% if snapshots %}
<div class="scroll"><table>
<thead><tr><th class="num">#</th><th>source</th><th>current on</th><th>status</th><th class="num">rows</th>
<th class="num">rejected</th><th class="num">new</th><th class="num">changed</th><th class="num">removed</th>
<th>from</th></tr></thead>
<tbody>
{% for s in snapshots %}
<tr id="snapshot-{{ s.snapshot_id }}"><td class="num">{{ s.snapshot_id }}</td><td>{{ s.source }}</td>
<td>{{ s.observed_at | when }}</td><td>{{ s.status }}</td><td class="num">{{ s.rows_loaded }}</td>
<td class="num">{{ s.rows_rejected }}</td><td class="num">{{ s.results_new }}</td>
<td class="num">{{ s.results_changed }}</td><td class="num">{{ s.results_removed }}</td>
<td class="model">{% set link = s.location | location_link %}{% if link %}<a href="{{ link }}">{{ s.location }}</a>{% else %}{{ s.location }}{% endif %}</td></tr>
{% endfor %}
</tbody></table></div>
{% else %}
<p class="note">Nothing loaded yet.</p>
{% endif %}
{% endblock %}
""",
}
