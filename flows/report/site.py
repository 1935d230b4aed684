"""The static HTML report of the watched benchmarks.

`build_report(con, out_dir)` writes

    DIR/index.html                 the latest new-SOTA records (table sota_records) and the benchmarks with their SOTA
    DIR/benchmarks/<slug>.html     one page per watched benchmark: its chart (inline SVG), the full board today (one row
                                   per consolidated result: its lineages, paper and code links, the extra columns its
                                   sources give on the sibling benchmarks), the board as of a chosen date (as the
                                   boards showed it then), the SOTA history with margins, where sources disagree, the
                                   snapshots that showed it, links to its feed and badge
    DIR/tasks.html                 every ranked benchmark by task and dataset (alphabetically: no area is stored), with
                                   the search box's index
    DIR/snapshots.html             every snapshot: source, when it was current, what it held, where it came from
    DIR/site.js                    the pages' one script (flows/report/static/): pages and sorts the full board, filters
                                   the task index by the search box

Watched benchmarks are the ones given, else the ranked benchmarks with at least `min_results` results. The pages
are self-contained: inline CSS and SVG, the project's own script beside them, no font or file fetched from anywhere (a
Content-Security-Policy says so to the browser too: `script-src 'self'`), so they work from file:// and offline, and a
viewport meta tag and fluid tables keep them readable on a phone. Without the script a page still shows the first page
of its board and the whole task index as plain HTML. The pages are Jinja2 templates in `flows/report/templates/`;
every string from the warehouse goes through them with autoescape, and the data the script reads is JSON text in a
`<script type="application/json">` block (`boards.json_text`), rendered with textContent only; links are kept only for
http(s) URLs (a scraped "javascript:" URL shows as text).

`regenerate_report(db_path, out_dir)` is the one call the nightly flow makes at its end when the configuration's
`[report] path` is set.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date, timedelta
from importlib import resources
from pathlib import Path

import jinja2

from flows.dates import UsageError, utc_now
from flows.report import ReportError, boards
from flows.report.cells import (  # noqa: F401 - re-exported: the feeds and tests take them from here
    location_link,
    number,
    paper_link,
    published,
    safe_link,
    signed,
    when,
    yes_no,
)
from flows.report.charts import chart_svg_element, fetch_chart
from flows.report.files import page_name, remove_unlisted, write_whole
from flows.report.syndication import write_syndication
from warehouse import queries
from warehouse.db import connect

MIN_RESULTS = 50  # a benchmark with this many results by latest knowledge gets a page
MAX_PAGES = 60
BOARD_TOP = 20


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


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("flows.report", "templates"), autoescape=True,
        undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
    )
    env.filters.update(number=number, signed=signed, when=when, published=published, yes_no=yes_no,
                       paper_link=paper_link, location_link=location_link)
    return env


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
        raise ReportError(f"no benchmark {text!r}: `sota benchmarks` lists them (TASK/DATASET/METRIC)")
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
        watched = [queries.benchmark(con, *names)
                   for names in dict.fromkeys(resolve_benchmark(con, text) for text in benchmarks)]
    else:
        watched = queries.watched_benchmarks(con, min_results=min_results, limit=limit)
    root = Path(out_dir)
    try:
        (root / "benchmarks").mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ReportError(f"cannot write the report to {root}: {error.strerror or error}") from None
    env = _environment()
    common = {"generated": utc_now(), "today": today, "as_of": as_of}

    asked = _ask_for_pages(con, watched, today, as_of)
    entries = [_benchmark_page(env, root, common, info, asked) for info in watched]
    pages = [root / entry["href"] for entry in entries]
    by_benchmark = {(e["task"], e["dataset"], e["metric"]): e["href"] for e in entries}
    records = [{**r, "href": by_benchmark.get((r["task"], r["dataset"], r["metric"]))}
               for r in queries.latest_records(con, limit=50)]
    index = root / "index.html"
    write_whole(index, env.get_template("index.html").render(
        **common, root="", records=records, entries=entries, min_results=min_results, given=bool(benchmarks),
    ))
    _task_index_page(con, env, root, common, by_benchmark)
    write_whole(root / "site.js", resources.files("flows.report").joinpath("static", "site.js").read_text("utf-8"))
    write_whole(root / "snapshots.html", env.get_template("snapshots.html").render(
        **common, root="", snapshots=queries.snapshots(con, limit=10_000),
    ))
    remove_unlisted(root / "benchmarks", "html", keep={p.name for p in pages})
    write_syndication(con, root, watched, generated=common["generated"], today=today, sota=asked.get("sota"))
    return ReportSummary(out_dir=root, index=index, pages=pages, as_of=as_of)


def _ask_for_pages(con, watched: list[dict], today: date, as_of: date) -> dict:
    """Everything the pages show, each question asked once for every page (not once a page), keyed by benchmark: the
    SOTA today, the chart's results, the SOTA history by latest knowledge and as known on `as_of`, the leaderboards
    today (whole, with code links and the sibling benchmarks' values) and as of `as_of` (as the boards showed it then),
    the conflicts and the snapshots."""
    ids = [info["benchmark_id"] for info in watched]
    if not ids:
        return {}
    return {
        "sota": {(r["task"], r["dataset"], r["metric"]): r for r in queries.sota_as_of(con, today)},
        "results": queries.chart_results(con, ids),
        "history": queries.report_histories(con, ids),
        "history_then": queries.report_histories(con, ids, known_at=as_of),
        "board_full": queries.report_full_boards(con, ids, today),
        "extras": queries.report_board_extras(con, ids),
        "board_then": queries.report_leaderboards(con, ids, as_of, top=BOARD_TOP, known_at=as_of),
        "conflicts": queries.benchmark_conflicts(con, ids),
        "snapshots": queries.benchmark_snapshots(con, ids),
    }


def _benchmark_page(env: jinja2.Environment, root: Path, common: dict, info: dict, asked: dict) -> dict:
    """Write one benchmark's page (`info` as `queries.benchmark` gives it; `asked` what `_ask_for_pages` found);
    its entry in the index (names, link, result count, SOTA today)."""
    today, as_of = common["today"], common["as_of"]
    task, dataset, metric, benchmark_id = info["task"], info["dataset"], info["metric"], info["benchmark_id"]
    name = page_name(task, dataset, metric)
    sota = asked["sota"].get((task, dataset, metric))
    history = asked["history"][benchmark_id]
    try:
        chart = fetch_chart(None, task, dataset, metric, known_at=as_of, today=today, info=info,
                            rows=asked["results"][benchmark_id], history=history,
                            history_then=asked["history_then"][benchmark_id])
        svg, chart_note = chart_svg_element(chart), None
    except (ReportError, UsageError) as error:
        svg, chart_note = None, str(error)
    board = boards.full_board(asked["board_full"][benchmark_id], asked["extras"][benchmark_id])
    page = env.get_template("benchmark.html").render(
        **common, root="../", task=task, dataset=dataset, metric=metric, info=info,
        sota=sota, svg=svg, chart_note=chart_note, slug=name.removesuffix(".html"),
        board=board, board_json=boards.json_text(board), board_then=asked["board_then"][benchmark_id],
        history=list(reversed(history)),
        conflicts=asked["conflicts"][benchmark_id],
        snapshots=asked["snapshots"][benchmark_id],
    )
    write_whole(root / "benchmarks" / name, page)
    return {"task": task, "dataset": dataset, "metric": metric, "href": f"benchmarks/{name}",
            "slug": name.removesuffix(".html"), "results": info["results"], "sota": sota}


def _task_index_page(con, env: jinja2.Environment, root: Path, common: dict, pages: dict) -> None:
    """tasks.html: every ranked benchmark by task and dataset, linked where it has a page, and the search's index."""
    ranked = queries.report_task_index(con)
    write_whole(root / "tasks.html", env.get_template("tasks.html").render(
        **common, root="", groups=boards.task_index(ranked, pages), benchmarks=len(ranked),
        tasks=len({b["task"] for b in ranked}),
        search_json=boards.json_text(boards.search_index(ranked, pages)),
    ))


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
