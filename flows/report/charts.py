"""The state of the art over time as a picture: one benchmark's results by publication date and its SOTA steps.

`fetch_chart` asks the warehouse (the queries in `warehouse.queries`, no SQL here); `draw_chart` draws with a
matplotlib `Figure` of its own (Agg for PNG, the SVG backend for SVG and HTML: no pyplot state, no browser, no
network); `write_chart` picks the format from the file's suffix.

What the chart shows:
- every result as a point at the date it counts from (publication, else first sighting), coloured and shaped by
  source; hollow when the result used extra training data; a "~" over estimates (which never hold a record);
- the SOTA steps (`sota_history`) as a black step line, the record holders ringed and labelled "model value" where
  a label fits without overlapping another (the current holder always is);
- with `known_at` on a day other than today, the SOTA line as it was known then, faded, behind today's;
- `error=True` plots 100 minus an accuracy (lower is better), `log=True` a logarithmic value axis.

Scraped names are drawn as plain text (mathtext off), so a model called "$x$" or "<script>" shows as written.
"""
from __future__ import annotations

import html
import io
import re
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import pairwise
from pathlib import Path

from flows.dates import UsageError, utc_now
from flows.report import ReportError
from warehouse import queries

FORMATS = (".png", ".svg", ".html")
# Colours and shapes by source, fixed so that a source looks the same on every chart; no grey (the faded line is).
_PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#bcbd22", "#17becf",
            "#393b79"]
_MARKERS = ["o", "s", "^", "D", "v", "P", "X", "h"]
_SOURCE_ORDER = ["pwc-dump", "csv", "pwc-api", "timm-csv", "robustbench-html", "epoch-csv", "ilsvrc-csv",
                 "model-index", "html-table", "arxiv"]
_LABEL_CHARS = 38


@dataclass(frozen=True)
class Step:
    day: date
    value: float  # as plotted (100 - value with error=True)
    model: str
    source: str
    margin: float | None


@dataclass
class ChartData:
    task: str
    dataset: str
    metric: str
    direction: str  # of the plotted values: "higher" or "lower" is better
    unit: str | None
    points: list[dict]
    steps: list[Step]
    faded_steps: list[Step] = field(default_factory=list)
    faded_label: str | None = None
    error: bool = False
    extra_data: bool | None = None
    today: date = field(default_factory=lambda: utc_now().date())
    end: date | None = None  # the right edge of the step line: the last day our snapshots showed the board

    @property
    def title(self) -> str:
        return f"{self.value_label} on {self.dataset}"

    @property
    def value_label(self) -> str:
        if not self.error:
            return self.metric
        named = re.sub(r"accuracy", "Error", self.metric, flags=re.IGNORECASE)
        return f"{named} (100 − {self.metric})" if named != self.metric else f"100 − {self.metric}"

    @property
    def sources(self) -> list[str]:
        return sorted({p["source"] for p in self.points})


def _value_text(value: float) -> str:
    return f"{value:.6g}"


def _as_day(value) -> date:
    return value.date() if isinstance(value, datetime) else value


def steps_from_history(rows: list[dict], *, error: bool) -> list[Step]:
    """The SOTA step line from `sota_history` rows: one step per day on which the best improved.

    Several sources may report the same step (the hand copy and the dump both list AlexNet) and several results may
    beat the old best on one day; the step is the best of that day, named as the first row reporting it.
    """
    by_day: dict[date, dict] = {}
    for row in rows:
        day = _as_day(row["effective_on"])
        key = -row["value"] if row["direction"] == "lower" else row["value"]
        if day not in by_day or key > by_day[day]["key"]:
            by_day[day] = {"key": key, "row": row}
    steps: list[Step] = []
    best = None
    for day in sorted(by_day):
        key, row = by_day[day]["key"], by_day[day]["row"]
        if best is not None and key <= best:
            continue
        value = 100.0 - row["value"] if error else row["value"]
        steps.append(Step(day, value, row["model"], row["source"], None if best is None else key - best))
        best = key
    return steps


def fetch_chart(
    con, task: str, dataset: str, metric: str, *, known_at: date | datetime | None = None,
    extra_data: bool | None = None, error: bool = False, today: date | None = None, info: dict | None = None,
    rows: list[dict] | None = None, history: list[dict] | None = None, history_then: list[dict] | None = None,
) -> ChartData:
    """The results and SOTA steps of one benchmark by latest knowledge, with the steps as known at `known_at`
    (when that is another day than today) to draw faded.

    `info` (`queries.benchmark`), `rows` (its `queries.chart_results`), `history` and `history_then` (its
    `queries.sota_history` by latest knowledge and as known at `known_at`), under the same `extra_data`, are asked
    for unless given: the report asks for every page's at once."""
    today = today or utc_now().date()
    if info is None:
        info = queries.benchmark(con, task, dataset, metric)
    if info is None:
        raise ReportError(f"no benchmark {task} / {dataset} / {metric}: `sota benchmarks` lists them")
    direction = info["direction"]
    if direction == "none":
        raise ReportError(f"{task} / {dataset} / {metric} describes models and is not ranked: nothing to chart")
    if direction == "unknown":
        # without a direction there are no SOTA steps to draw, and a chart would suggest some
        raise ReportError(f"{task} / {dataset} / {metric} has no known direction, so no SOTA: `sota benchmarks --why`"
                          " says why; settle it in a directions file (SOTA_DIRECTIONS)")
    if rows is None:
        rows = queries.chart_results(con, [info["benchmark_id"]], extra_data=extra_data)[info["benchmark_id"]]
    if not rows:
        raise ReportError(f"no results for {task} / {dataset} / {metric}" + (
            " without extra training data" if extra_data is False else ""))
    if error:
        if direction != "higher":
            raise UsageError(f"--error plots 100 minus an accuracy; {metric} is already lower-is-better")
        if any(not 0 <= row["value"] <= 100 for row in rows):
            raise UsageError(f"--error plots 100 minus an accuracy in percent; {metric} has values outside 0-100")
    if history is None:
        history = queries.sota_history(con, task, dataset, metric, extra_data=extra_data)
    points = [
        {
            "day": _as_day(row["effective_on"]),
            "value": 100.0 - row["value"] if error else row["value"],
            "model": row["model"], "source": row["source"],
            "extra": row["uses_additional_data"] is True, "estimate": bool(row["is_estimate"]),
            "undated": row["published_on"] is None,
            "stderr": row["stderr"],
        }
        for row in rows
    ]
    data = ChartData(
        task=task, dataset=dataset, metric=metric, direction="lower" if error else direction, unit=info["unit"],
        points=points, steps=steps_from_history(history, error=error), error=error, extra_data=extra_data,
        today=today, end=max(_as_day(row["last_seen_at"]) for row in rows),
    )
    if known_at is not None and _as_day(known_at) != today:
        then = history_then
        if then is None:
            then = queries.sota_history(con, task, dataset, metric, known_at=known_at, extra_data=extra_data)
        data.faded_steps = steps_from_history(then, error=error)
        shown = known_at.isoformat(sep=" ", timespec="minutes") if isinstance(known_at, datetime) else known_at.isoformat()
        data.faded_label = f"SOTA as known on {shown}"
    return data


def _style(source: str) -> tuple[str, str]:
    index = _SOURCE_ORDER.index(source) if source in _SOURCE_ORDER else zlib.crc32(source.encode()) % 97
    return _PALETTE[index % len(_PALETTE)], _MARKERS[index % len(_MARKERS)]


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _LABEL_CHARS else text[: _LABEL_CHARS - 1] + "…"


def _step_line(steps: list[Step], end: date) -> tuple[list[date], list[float]]:
    xs = [s.day for s in steps]
    ys = [s.value for s in steps]
    if steps and end > steps[-1].day:
        xs.append(end)
        ys.append(steps[-1].value)
    return xs, ys


def draw_chart(data: ChartData, *, log: bool = False):
    """The chart as a matplotlib Figure (with an Agg canvas attached)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(11, 6.6), dpi=120)
    FigureCanvasAgg(fig)
    fig.subplots_adjust(left=0.075, right=0.975, top=0.845, bottom=0.22)
    ax = fig.add_subplot()
    end = max([p["day"] for p in data.points] + ([data.end] if data.end else []))
    _draw_points(ax, data)
    _draw_steps(ax, data, end)
    _draw_axes(ax, data, end, log=log)
    _draw_titles(fig, data)
    _draw_legend(fig, data)
    obstacles = _segments(ax, data.steps, end) + _segments(ax, data.faded_steps, end)
    _label_steps(fig, ax, data.steps, data.direction == "higher", obstacles=obstacles)
    return fig


def _draw_points(ax, data: ChartData) -> None:
    """Every result, one group per (source, extra data) so the legend can explain colour and fill; "~" on estimates."""
    for source in data.sources:
        colour, marker = _style(source)
        for extra in (False, True):
            group = [p for p in data.points if p["source"] == source and p["extra"] is extra]
            if not group:
                continue
            ax.scatter(
                [p["day"] for p in group], [p["value"] for p in group], s=26, marker=marker, linewidths=1.1,
                facecolors="none" if extra else colour, edgecolors=colour, alpha=0.8 if extra else 0.6, zorder=2,
            )
    # one standard error either side, where the source gives one (evaluation runs); paper tables have none
    known = [p for p in data.points if p.get("stderr")]
    if known:
        ax.errorbar([p["day"] for p in known], [p["value"] for p in known], yerr=[p["stderr"] for p in known],
                    fmt="none", ecolor="#555555", elinewidth=0.8, capsize=2, alpha=0.6, zorder=1)
    estimates = [p for p in data.points if p["estimate"]]
    if estimates:
        ax.scatter([p["day"] for p in estimates], [p["value"] for p in estimates], s=70, marker=r"$\sim$",
                   color="#000000", linewidths=0.6, zorder=4)


def _draw_steps(ax, data: ChartData, end: date) -> None:
    """The SOTA step line as known then (faded, behind) and by today's knowledge, its record holders ringed."""
    if data.faded_steps:
        xs, ys = _step_line(data.faded_steps, end)
        ax.step(xs, ys, where="post", color="#6b6b6b", alpha=0.4, linewidth=3.2, zorder=1,
                solid_capstyle="butt")
    if data.steps:
        xs, ys = _step_line(data.steps, end)
        ax.step(xs, ys, where="post", color="#111111", linewidth=1.8, zorder=3)
        ax.scatter([s.day for s in data.steps], [s.value for s in data.steps], s=70, facecolors="none",
                   edgecolors="#111111", linewidths=1.4, zorder=5)


def _draw_axes(ax, data: ChartData, end: date, *, log: bool) -> None:
    """Dates on x, values on y, with padding where the labels go (above a rising line, below a falling one)."""
    import matplotlib.dates as mdates
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    up = data.direction == "higher"
    values = [p["value"] for p in data.points] + [s.value for s in data.faded_steps]
    low, high = min(values), max(values)
    days = [p["day"] for p in data.points] + [s.day for s in data.faded_steps] + [end]
    first, last = min(days), max(days)
    span = max((last - first).days, 30)
    ax.set_xlim(first - timedelta(days=span * 0.1), last + timedelta(days=span * 0.03))
    if log:
        ax.set_yscale("log")
        positive = [v for v in values if v > 0] or [1.0]
        low, high = min(positive), max(positive)
        ratio = (high / low) if high > low else 10.0
        ax.set_ylim(low / ratio ** (0.25 if not up else 0.05), high * ratio ** (0.25 if up else 0.05))
        # 1, 2, 5, 10, 20 ... read better than powers of ten alone on a range of one or two decades
        ax.yaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        ax.yaxis.set_minor_formatter(NullFormatter())
    else:
        pad = (high - low) or max(abs(high), 1.0) * 0.1
        ax.set_ylim(low - pad * (0.06 if up else 0.22), high + pad * (0.22 if up else 0.06))
    locator = mdates.AutoDateLocator(minticks=4, maxticks=10)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.grid(True, color="#e5e5e5", linewidth=0.8, zorder=0)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    better = "higher is better" if up else "lower is better"
    ax.set_ylabel(f"{data.value_label}  ({better})", parse_math=False, fontsize=10)
    ax.set_xlabel("published (or first seen)", fontsize=10)


def _draw_titles(fig, data: ChartData) -> None:
    """The title, a subtitle (task, counts, the SOTA holder) and the footnote of when the record was known."""
    fig.text(0.075, 0.955, data.title, fontsize=16, fontweight="bold", parse_math=False, va="top")
    holder = data.steps[-1] if data.steps else None
    parts = [data.task, f"{len(data.points)} results"]
    if data.extra_data is False:
        parts.append("without extra training data")
    undated = sum(1 for p in data.points if p.get("undated"))
    if undated:
        parts.append(f"{undated} undated (at first sighting)")
    if holder:
        parts.append(f"SOTA: {_short(holder.model)} {_value_text(holder.value)} ({holder.day.isoformat()})")
    subtitle = " · ".join(parts)
    if len(subtitle) > 125:  # a second line rather than text running off the figure
        subtitle = " · ".join(parts[:-1]) + "\n" + parts[-1]
    fig.text(0.075, 0.905, subtitle, fontsize=10.5, color="#444444", parse_math=False, va="top")
    fig.text(0.975, 0.006, f"sotawatch · as known on {data.today.isoformat()}", fontsize=8, color="#888888",
             ha="right", va="bottom")


def _draw_legend(fig, data: ChartData) -> None:
    """The legend below the axes: each source with its count, the hollow and "~" marks, the step lines."""
    from matplotlib.lines import Line2D

    handles, labels = [], []
    for source in data.sources:
        colour, marker = _style(source)
        count = sum(1 for p in data.points if p["source"] == source)
        handles.append(Line2D([], [], linestyle="none", marker=marker, color=colour, markersize=6, alpha=0.8))
        labels.append(f"{source} ({count})")
    if any(p["extra"] for p in data.points):
        handles.append(Line2D([], [], linestyle="none", marker="o", markerfacecolor="none", color="#555555",
                              markersize=6))
        labels.append("hollow: extra training data")
    if any(p["estimate"] for p in data.points):
        handles.append(Line2D([], [], linestyle="none", marker=r"$\sim$", color="#000000", markersize=9))
        labels.append("estimate (never a record)")
    handles.append(Line2D([], [], color="#111111", linewidth=1.8, marker="o", markerfacecolor="none",
                          markersize=7))
    labels.append("SOTA steps (today's knowledge)")
    if data.faded_steps:
        handles.append(Line2D([], [], color="#6b6b6b", alpha=0.4, linewidth=3.2))
        labels.append(data.faded_label or "SOTA as known then")
    fig.legend(handles, labels, loc="lower center", bbox_to_anchor=(0.5, 0.03), ncol=min(len(labels), 4),
               frameon=False, fontsize=9, handletextpad=0.4, columnspacing=1.4)


def _segments(ax, steps: list[Step], end: date) -> list[tuple[float, float, float, float]]:
    """A step line as axis-aligned segments (x0, y0, x1, y1) in display coordinates."""
    import matplotlib.dates as mdates

    if not steps:
        return []
    xs, ys = _step_line(steps, end)
    if len(xs) == len(steps):  # no tail: the last step is the right edge
        xs, ys = xs + [xs[-1]], ys + [ys[-1]]
    corners = ax.transData.transform([(mdates.date2num(x), y) for x, y in zip(xs, ys)])
    found = []
    for (x0, y0), (x1, y1) in pairwise(corners):
        found.append((x0, y0, x1, y0))  # along, at the old value
        found.append((x1, y0, x1, y1))  # up (or down) to the new one
    return found


def _crosses(box, segment, margin: float = 3.0) -> bool:
    x0, y0, x1, y1 = segment
    left, right = min(x0, x1) - margin, max(x0, x1) + margin
    bottom, top = min(y0, y1) - margin, max(y0, y1) + margin
    return left <= box.x1 and right >= box.x0 and bottom <= box.y1 and top >= box.y0


def _free(box, frame, placed: list, obstacles) -> bool:
    """Whether a label's box stays inside the axes, overlaps no label placed and crosses no step line."""
    inside = box.x0 >= frame.x0 and box.x1 <= frame.x1 and box.y0 >= frame.y0 and box.y1 <= frame.y1
    return (inside and not any(box.overlaps(other) for other in placed)
            and not any(_crosses(box, segment) for segment in obstacles))


# How far inside a label's box the quick test stays (display pixels): far more than the rounding between its
# arithmetic and matplotlib's, so a place the quick test rules out is one the whole label cannot take either.
_SURE = 0.5


def _surely_within(fig, text_at_origin, anchor, dx: float, dy: float, far: bool):
    """A box surely inside the box of the label with this text at offset (dx, dy) points from `anchor` (display
    pixels): around the text's box at that offset and, for a label with an arrow, a point of the arrow (which runs from
    the text's centre to 2 points short of the anchor; this one is a pixel further along it), shrunk by _SURE."""
    from matplotlib.transforms import Bbox

    pixels = fig.dpi / 72.0
    text = text_at_origin.translated(dx * pixels, dy * pixels)
    x0, y0, x1, y1 = text.x0, text.y0, text.x1, text.y1
    if far:
        cx, cy = (x0 + x1) / 2 - anchor[0], (y0 + y1) / 2 - anchor[1]
        along = (2 * pixels + 1) / max((cx * cx + cy * cy) ** 0.5, 1e-9)
        px, py = anchor[0] + cx * along, anchor[1] + cy * along
        x0, y0, x1, y1 = min(x0, px), min(y0, py), max(x1, px), max(y1, py)
    return Bbox.from_extents(x0 + _SURE, y0 + _SURE, x1 - _SURE, y1 - _SURE)


def _places(up: bool) -> list[tuple[int, int, bool]]:
    """Where a step's label may go, in order of preference: offsets (dx, dy) in points from the step, and whether the
    label is far enough to need an arrow."""
    sign = 1 if up else -1
    offsets = [(dx, sign * dy) for dy in (4, 16, 28, 40, 54) for dx in (-6, -28)]
    offsets += [(8, sign * dy) for dy in (4, 16, 28)]
    return [(dx, dy, abs(dy) > 4 or abs(dx) > 6) for dx, dy in offsets]


def _label_text(step: Step) -> str:
    return f"{_short(step.model)} {_value_text(step.value)}"


def _text_at_origin(ax, renderer, text: str, step: Step, va: str) -> dict:
    """The box of a step's label text set at the step itself, right- and left-aligned (display pixels)."""
    probe = ax.annotate(text, xy=(step.day, step.value), xytext=(0, 0), textcoords="offset points", ha="right",
                        va=va, fontsize=8.2, parse_math=False, annotation_clip=False)
    boxes = {"right": probe.get_window_extent(renderer)}
    probe.set_horizontalalignment("left")
    boxes["left"] = probe.get_window_extent(renderer)
    probe.remove()
    return boxes


def _whole_label(ax, text: str, step: Step, dx: float, dy: float, va: str, far: bool):
    """A step's label at offset (dx, dy) points: the text on a rounded white box, with a thin arrow to the step when
    it sits far from it."""
    return ax.annotate(
        text, xy=(step.day, step.value), xytext=(dx, dy), textcoords="offset points",
        ha="right" if dx < 0 else "left", va=va, fontsize=8.2, color="#111111", parse_math=False, zorder=6,
        annotation_clip=False,
        bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.8},
        arrowprops={"arrowstyle": "-", "color": "#999999", "linewidth": 0.6} if far else None,
    )


def _label_steps(fig, ax, steps: list[Step], up: bool, *, obstacles=()) -> None:
    """Label the record holders where a label fits: the current holder first, then the biggest jumps; a label never
    overlaps another, and stays inside the axes. Labels sit where a staircase has no points: above-left of a rising
    step (no earlier result was better), below-left of a falling one.

    Drawing a label to measure it is the costly part (its arrow most of all), so each place is first tried with a box
    surely inside the label's (`_surely_within`, from the text measured once): a label's box holds that box, so where
    it does not fit the label cannot, and only the places it fits are tried with the whole label."""
    import matplotlib.dates as mdates

    if not steps:
        return
    renderer = fig.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    placed = []
    order = [len(steps) - 1] + sorted(range(len(steps) - 1), key=lambda i: -(steps[i].margin or 0.0))
    sign = 1 if up else -1
    va = "bottom" if up else "top"
    places = _places(up)
    for rank, index in enumerate(order):
        step = steps[index]
        text = _label_text(step)
        anchor = ax.transData.transform((mdates.date2num(step.day), step.value))
        text_at_origin = _text_at_origin(ax, renderer, text, step, va)
        for number, (dx, dy, far) in enumerate(places):
            quick = _surely_within(fig, text_at_origin["right" if dx < 0 else "left"], anchor, dx, dy, far)
            if _free(quick.expanded(1.02, 1.08), frame, placed, obstacles):
                label = _whole_label(ax, text, step, dx, dy, va, far)
                box = label.get_window_extent(renderer).expanded(1.02, 1.08)
                if _free(box, frame, placed, obstacles):
                    placed.append(box)
                    break
                label.remove()
            if rank == 0 and number == len(places) - 1:  # the current holder is always named
                ax.annotate(text, xy=(step.day, step.value), xytext=(-6, sign * 4), textcoords="offset points",
                            ha="right", va=va, fontsize=8.2, parse_math=False, zorder=6)


def chart_bytes(data: ChartData, fmt: str, *, log: bool = False) -> bytes:
    """The chart as PNG or SVG bytes."""
    from matplotlib import rc_context

    fig = draw_chart(data, log=log)
    buffer = io.BytesIO()
    with rc_context({"svg.hashsalt": "sotawatch", "svg.fonttype": "path"}):
        metadata = {"Date": None} if fmt == "svg" else {"Software": "sotawatch (matplotlib)"}
        fig.savefig(buffer, format=fmt, metadata=metadata)
    return buffer.getvalue()


_SVG_ROOT = re.compile(r"<svg\b[^>]*>", re.DOTALL)


def inline_svg(svg: bytes | str, *, label: str) -> str:
    """An SVG document as an element for an HTML page: no XML prolog or comments, scaling to the page's width."""
    text = svg.decode("utf-8") if isinstance(svg, bytes) else svg
    text = re.sub(r"<\?xml[^>]*\?>|<!DOCTYPE[^>]*>|<!--.*?-->|<metadata>.*?</metadata>", "", text, flags=re.DOTALL)
    text = text.strip()
    root = _SVG_ROOT.search(text)
    if root is None:
        raise ReportError("the chart did not render as SVG")
    view_box = re.search(r'viewBox="([^"]+)"', root.group(0))
    new_root = (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" version="1.1" '
        f'viewBox="{view_box.group(1) if view_box else "0 0 792 475"}" width="100%" preserveAspectRatio="xMidYMid meet" '
        f'role="img" aria-label="{html.escape(label, quote=True)}">'
    )
    return text[: root.start()] + new_root + text[root.end():]


def chart_svg_element(data: ChartData, *, log: bool = False) -> str:
    """The chart as an inline `<svg>` element."""
    return inline_svg(chart_bytes(data, "svg", log=log), label=f"{data.title}: results and SOTA steps over time")


def chart_page(data: ChartData, *, log: bool = False) -> str:
    """A minimal self-contained HTML page holding the chart as inline SVG (no script, nothing fetched)."""
    title = html.escape(f"{data.title} ({data.task})")
    return (
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
        f"<title>{title}</title>"
        "<style>body{margin:0 auto;max-width:1100px;padding:12px;font-family:system-ui,sans-serif}"
        "svg{display:block;height:auto}</style></head>\n"
        f"<body><h1 style=\"font-size:1.2rem\">{title}</h1>\n{chart_svg_element(data, log=log)}\n</body></html>\n"
    )


def write_chart(data: ChartData, path: str | Path, *, log: bool = False) -> Path:
    """Write the chart to `path`; the suffix (.png, .svg, .html) chooses the format."""
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in FORMATS:
        raise UsageError(f"cannot draw {target.name!r}: the file name must end in .png, .svg or .html")
    if suffix == ".html":
        content: bytes = chart_page(data, log=log).encode("utf-8")
    else:
        content = chart_bytes(data, suffix[1:], log=log)
    try:
        target.write_bytes(content)
    except OSError as error:
        raise ReportError(f"cannot write {target}: {error.strerror or error}") from None
    return target
