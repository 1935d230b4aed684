"""The questions: `sota asof`, `leaderboard`, `history`, `sql`, `rejects`, `snapshots`, `benchmarks`, `conflicts`.

Each opens the warehouse read-only (a run's load makes it wait up to SOTA_LOCK_TIMEOUT seconds) and answers from the
SQL macros and views in the file, so any DuckDB client gets the same answers. Every one takes `--json`.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Optional

import duckdb

import typer

from flows.cli.shared import (
    EvaluatorOption,
    cut,
    evaluator_filter,
    shown_columns,
    AllSettingsOption,
    DatasetOption,
    DatasetRequired,
    DbOption,
    EstimatesOption,
    JsonOption,
    AllOption,
    KnownAtOption,
    MetricOption,
    MetricRequired,
    NoExtraOption,
    SourceNameOption,
    SuspectsOption,
    TaskOption,
    TaskRequired,
    complain,
    emit,
    extra_data_filter,
    known_at_moment,
    open_warehouse,
    say_if_cut,
    WideOption,
    WithCodeOption,
)
from flows.cli.age import staleness_warning, with_data_age
from flows.cli.names import benchmarks_matching, resolve_lineages, resolve_names
from flows.dates import UsageError, parse_day, utc_now
from warehouse import queries
from warehouse.statements import run


def register(app: typer.Typer) -> None:
    for command in (asof, leaderboard, history, sql_command, rejects, snapshots, benchmarks_command,
                    conflicts_command):
        app.command(name=command.__name__.removesuffix("_command"))(command)


def _resolved(con: duckdb.DuckDBPyConnection, task: str | None, dataset: str | None, metric: str | None) -> tuple:
    """The warehouse's spelling of the names typed (an unknown one exits 1 naming the closest)."""
    names = resolve_names(con, task, dataset, metric)
    return names.task, names.dataset, names.metric


def _held(rows: list[dict], limit: int | None, count: Callable[[], int]) -> int:
    """How many rows the whole listing holds: counted only when `limit` may have cut it (a full page)."""
    return count() if limit is not None and len(rows) >= limit else len(rows)


def _titled_with_age(title: str, rows: list[dict]) -> str:
    seen = [row["data_observed_at"] for row in rows if row.get("data_observed_at") is not None]
    return f"{title} (newest data observed {max(seen):%Y-%m-%d})" if seen else title


def _warn_if_stale(rows: list[dict], known_at) -> None:
    warning = staleness_warning(rows, known_at)
    if warning:
        complain(warning)


# how a board is asked for: the connection, the resolved (task, dataset, metric), the instant known at and the
# lineages answered for (None: every lineage, consolidated)
if TYPE_CHECKING:
    # For type checkers only (as in flows/ingest.py): evaluated, these would keep DuckDB's connection type in typing's
    # cache past DuckDB's teardown at exit, which nanobind reports as a wall of "leaked" warnings.
    _Question = [duckdb.DuckDBPyConnection, tuple[str, str, str], date | datetime | None, list[str] | None]
    Ask = Callable[_Question, list[dict]]
    Size = Callable[_Question, int]


def _filtered_title(title: str, with_code: bool, lineages: list[str] | None) -> str:
    """A title that says which filters the answer kept: only results with code, one lineage's own board."""
    return (title + (", with code" if with_code else "")
            + (f", as {' and '.join(lineages)} published it" if lineages else ""))


def _answer_board(
    db: str | None, typed: tuple[str, str, str], known_at: str | None, as_json: bool, ask: Ask,
    columns: list[str], title: str, wide: bool = False, size: Size | None = None, top: int | None = None,
    source_names: list[str] | None = None, with_code: bool = False,
) -> None:
    """One board's answer: the names (and lineages) resolved, `ask` run on them, the rows shown with the age of their
    data; `size` tells how many rows the whole answer holds, where `ask` cut it at `top`."""
    known = known_at_moment(known_at)
    with open_warehouse(db, read_only=True) as con:
        names = _resolved(con, *typed)
        lineages = resolve_lineages(con, source_names)
        rows = with_data_age(con, ask(con, names, known, lineages), known, lineages)
        held = _held(rows, top, lambda: size(con, names, known, lineages)) if size is not None else len(rows)
    title = _filtered_title(title.format(*names), with_code, lineages)
    emit(rows, shown_columns(columns, rows), as_json, _titled_with_age(title, rows), "no results for this benchmark",
         wide=wide)
    say_if_cut(len(rows), held, "results", "--top N shows more")
    _warn_if_stale(rows, known)


def asof(
    day: Annotated[str, typer.Argument(metavar="DATE", help="Publication date cut-off, YYYY-MM-DD.")],
    task: TaskOption = None,
    dataset: DatasetOption = None,
    metric: MetricOption = None,
    known_at: KnownAtOption = None,
    no_extra_data: NoExtraOption = False,
    estimates: EstimatesOption = False,
    all_settings: AllSettingsOption = False,
    suspects: SuspectsOption = False,
    with_code: WithCodeOption = False,
    source_names: SourceNameOption = None,
    evaluator: EvaluatorOption = None,
    within_noise: Annotated[
        bool, typer.Option("--within-noise", help="Also list every result within the leader's noise (its margin "
                                                  "below twice the combined standard error), with that margin in "
                                                  "standard errors (z).")
    ] = False,
    wide: WideOption = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """The best result per benchmark published on or before DATE.

    \b
    Example: sota asof 2020-01-01 --dataset ImageNet --metric "Top 1 Accuracy"
    """
    cut = parse_day(day, what="DATE")
    known = known_at_moment(known_at)
    with open_warehouse(db, read_only=True) as con:
        task, dataset, metric = _resolved(con, task, dataset, metric)
        lineages = resolve_lineages(con, source_names)
        rows = queries.sota_as_of(con, cut, task=task, dataset=dataset, metric=metric, known_at=known,
                                  extra_data=extra_data_filter(no_extra_data), estimates=estimates,
                                  all_settings=all_settings, suspects=suspects, with_code=with_code,
                                  sources=lineages, evaluator=evaluator_filter(evaluator), within_noise=within_noise)
        rows = with_data_age(con, rows, known, lineages)
    title = f"SOTA as of {cut}" + (f", as known at {known_at}" if known_at else "")
    columns = (["task", "dataset", "metric", "model", "setting?", "value", "stderr?", "published_on", "source",
                "uses_additional_data", "paper_title", "data_observed_at"]
               + (["is_suspect"] if suspects else []) + (["co_leader", "z"] if within_noise else []))
    emit(rows, shown_columns(columns, rows),
         as_json, _filtered_title(title, with_code, lineages), "no results match", wide=wide)
    _warn_if_stale(rows, known)


def leaderboard(
    task: TaskRequired,
    dataset: DatasetRequired,
    metric: MetricRequired,
    as_of: Annotated[
        Optional[str],
        typer.Option("--as-of", metavar="DATE", help="Publication date cut-off, YYYY-MM-DD (default today)."),
    ] = None,
    known_at: KnownAtOption = None,
    top: Annotated[int, typer.Option("--top", min=1, metavar="N", help="Show the best N results.")] = 20,
    no_extra_data: NoExtraOption = False,
    estimates: EstimatesOption = False,
    all_settings: AllSettingsOption = False,
    suspects: SuspectsOption = False,
    with_code: WithCodeOption = False,
    source_names: SourceNameOption = None,
    evaluator: EvaluatorOption = None,
    wide: WideOption = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """One benchmark's ranked board as of a date.

    \b
    Example: sota leaderboard --task "Image Classification" --dataset ImageNet --metric "Top 1 Accuracy" --top 5
    """
    cut = parse_day(as_of, what="--as-of") if as_of else utc_now().date()
    who = evaluator_filter(evaluator)
    _answer_board(
        db, (task, dataset, metric), known_at, as_json,
        lambda con, names, known, lineages: queries.leaderboard(
            con, *names, cut, top=top, known_at=known, extra_data=extra_data_filter(no_extra_data),
            estimates=estimates, all_settings=all_settings, suspects=suspects, with_code=with_code, sources=lineages,
            evaluator=who,
        ),
        ["rank", "model", "setting?", "value", "stderr?", "published_on", "source", "uses_additional_data",
         "paper_title"] + (["is_suspect"] if suspects else []),
        "{} / {} / {} as of " + str(cut), wide=wide,
        top=top,
        size=lambda con, names, known, lineages: queries.leaderboard_size(
            con, *names, cut, known_at=known, extra_data=extra_data_filter(no_extra_data), estimates=estimates,
            all_settings=all_settings, suspects=suspects, with_code=with_code, sources=lineages, evaluator=who,
        ),
        source_names=source_names, with_code=with_code,
    )


def history(
    task: TaskRequired,
    dataset: DatasetRequired,
    metric: MetricRequired,
    known_at: KnownAtOption = None,
    no_extra_data: NoExtraOption = False,
    estimates: EstimatesOption = False,
    all_settings: AllSettingsOption = False,
    suspects: SuspectsOption = False,
    with_code: WithCodeOption = False,
    source_names: SourceNameOption = None,
    evaluator: EvaluatorOption = None,
    wide: WideOption = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """The SOTA steps of one benchmark, in publication order; a step within the noise of the best before it is
    marked (within_noise), with its margin in standard errors (z).

    \b
    Example: sota history --task "Image Classification" --dataset ImageNet --metric "Top 1 Accuracy"
    """
    _answer_board(
        db, (task, dataset, metric), known_at, as_json,
        lambda con, names, known, lineages: queries.sota_history(
            con, *names, known_at=known, extra_data=extra_data_filter(no_extra_data), estimates=estimates,
            all_settings=all_settings, suspects=suspects, with_code=with_code, sources=lineages,
            evaluator=evaluator_filter(evaluator),
        ),
        ["published_on", "model", "setting?", "value", "stderr?", "previous_value", "margin", "z?", "within_noise?",
         "source", "paper_title"]
        + (["is_suspect"] if suspects else []),
        "SOTA history: {} / {} / {}", wide=wide, source_names=source_names, with_code=with_code,
    )


def sql_command(
    query: Annotated[
        str,
        typer.Argument(metavar="QUERY", help="A SQL query; the connection is read-only and cannot reach files."),
    ],
    wide: WideOption = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Run ad hoc SQL on a read-only connection (tables, views and macros such as sota_as_of).

    \b
    Example: sota sql "FROM sota_as_of(DATE '2021-06-01') WHERE dataset = 'ImageNet'"
    """
    with open_warehouse(db, read_only=True) as con:
        queries.lock_down(con)
        columns, rows = queries.run_readonly_sql(con, query)
    emit([dict(zip(columns, row)) for row in rows], columns, as_json, "", "(no rows)", wide=wide)


def rejects(
    snapshot: Annotated[
        Optional[int], typer.Option("--snapshot", metavar="ID", help="Only this snapshot's rejects.")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, metavar="N", help="Show at most this many.")] = 200,
    show_all: AllOption = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Rows that failed validation, with their reasons.

    \b
    Example: sota rejects --snapshot 2 --limit 20
    """
    with open_warehouse(db, read_only=True) as con:
        rows = queries.rejects(con, snapshot_id=snapshot, limit=None if show_all else limit)
        held = _held(rows, None if show_all else limit, lambda: queries.total(con, "rejects", snapshot_id=snapshot))
    emit(rows, ["snapshot_id", "source", "row_ref", "reason"], as_json, "Rejected rows", "no rejects")
    say_if_cut(len(rows), held, "rejects")


def snapshots(
    source: Annotated[
        Optional[str], typer.Option("--source", metavar="LINEAGE", help="Only this lineage's snapshots.")
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", min=1, metavar="N", help="Show at most this many, newest first.")
    ] = 50,
    show_all: AllOption = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """What was loaded, when it was current, and what it changed.

    \b
    Example: sota snapshots --source pwc --limit 10
    """
    with open_warehouse(db, read_only=True) as con:
        rows = queries.snapshots(con, source=source, limit=None if show_all else limit)
        held = _held(rows, None if show_all else limit, lambda: queries.total(con, "snapshots", source=source))
    emit(rows, ["snapshot_id", "source", "kind", "observed_at", "status", "rows_loaded", "rows_rejected", "results_new",
                "results_changed", "results_removed", "location"], as_json, "Snapshots", "no snapshots yet")
    say_if_cut(len(rows), held, "snapshots")


def benchmarks_command(
    task: TaskOption = None,
    dataset: DatasetOption = None,
    unmapped: Annotated[bool, typer.Option("--unmapped", help="Only names the alias registry does not map.")] = False,
    search: Annotated[
        Optional[str],
        typer.Option("--search", metavar="TEXT", help="Only benchmarks with this text in a name (any spelling)."),
    ] = None,
    direction: Annotated[
        Optional[str],
        typer.Option(
            "--direction", metavar="DIRECTION",
            help="Only benchmarks of this direction: higher, lower, none or unknown.",
        ),
    ] = None,
    why: Annotated[bool, typer.Option("--why", help="Show the evidence each direction was decided from.")] = False,
    limit: Annotated[int, typer.Option("--limit", min=1, metavar="N", help="Show at most this many.")] = 200,
    show_all: AllOption = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """The benchmarks, their results by latest knowledge and the sources reporting them.

    \b
    Example: sota benchmarks --search mpjpe --dataset human3.6m --why
    """
    from pipelines.aliases import CANONICAL_NAMES

    with open_warehouse(db, read_only=True) as con:
        task, dataset, _ = _resolved(con, task, dataset, None)
        rows = queries.benchmarks(con, canonical=CANONICAL_NAMES, task=task, dataset=dataset, unmapped_only=unmapped)
        if why:
            reasons = {(b[0], b[1], b[2]): b[4] for b in run(con, "benchmark_directions")}
            rows = [{**row, "why": reasons.get((row["task"], row["dataset"], row["metric"]))} for row in rows]
    rows = benchmarks_matching(rows, search)
    if direction:
        from schemas.results import DIRECTIONS  # pandera: imported only when a direction is asked for

        if direction not in DIRECTIONS:
            raise UsageError(f"--direction {direction!r}: expected one of {', '.join(DIRECTIONS)}")
        rows = [row for row in rows if row["direction"] == direction]
    columns = ["task", "dataset", "metric", "direction", "results", "sources", "mapped"] + (["why"] if why else [])
    rows, held = cut(rows, None if show_all else limit)
    emit(rows, columns, as_json, "Benchmarks", "no benchmarks")
    say_if_cut(len(rows), held, "benchmarks")


def conflicts_command(
    task: TaskOption = None,
    dataset: DatasetOption = None,
    limit: Annotated[
        int, typer.Option("--limit", min=1, metavar="N", help="Show at most this many, widest spread first.")
    ] = 50,
    show_all: AllOption = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Where sources disagree: the same result on the same benchmark with values that differ beyond rounding.

    \b
    Example: sota conflicts --dataset ImageNet
    """
    with open_warehouse(db, read_only=True) as con:
        task, dataset, _ = _resolved(con, task, dataset, None)
        rows = queries.conflicts(con, task=task, dataset=dataset, limit=None if show_all else limit)
        held = _held(rows, None if show_all else limit,
                     lambda: queries.total(con, "conflicts", task=task, dataset=dataset))
    emit(rows, ["task", "dataset", "metric", "model", "sources", "lowest", "highest", "spread"], as_json,
         "Conflicts between sources", "no conflicts")
    say_if_cut(len(rows), held, "conflicts")
