"""The SOTA chart of the real record (`sota plot`): PNG, SVG and HTML, the error rate on a log axis, one-line errors.

The record (tests/support/report_record.py) is the 2019 hand copy of the PwC ImageNet board (seen 2019-11-13) and the
2020 dump (2020-08-28).
"""
from __future__ import annotations

import re
from collections import Counter
from datetime import date

from tests.support.report_record import assert_one_line_error, assert_picture, record, sota  # noqa: F401 - fixtures
from warehouse.db import connect

TOP1 = ("Image Classification", "ImageNet", "Top 1 Accuracy")
TOP1_ARGS = ["--task", TOP1[0], "--dataset", TOP1[1], "--metric", TOP1[2]]


def test_the_imagenet_chart_from_the_real_record(record, sota, tmp_path):  # noqa: F811 - fixtures
    from flows.report.charts import fetch_chart

    png = tmp_path / "top1.png"
    result = sota("plot", *TOP1_ARGS, "--known-at", "2019-12-01", "-o", png, "--db", record)
    assert result.returncode == 0, result.stderr
    assert "SOTA FixEfficientNet-L2 88.5" in result.stdout
    assert_picture(png, min_size=(1200, 700))

    with connect(record, read_only=True) as con:
        chart = fetch_chart(con, *TOP1, known_at=date(2019, 12, 1))
    # one point per consolidated result: 107 shown by both the hand copy and the dump, 89 by the dump alone, 6 by the
    # hand copy alone (309 claims before consolidation)
    assert len(chart.points) == 202
    assert Counter(p["source"] for p in chart.points) == {"csv, pwc-dump": 107, "pwc-dump": 89, "csv": 6}
    assert sum(p["extra"] for p in chart.points) == 11  # the hand copy's extra-data rows, drawn hollow
    assert (chart.steps[0].model, chart.steps[0].value, chart.steps[0].day) == ("AlexNet - 7CNNs", 63.3, date(2012, 12, 1))
    assert (chart.steps[-1].model, chart.steps[-1].value) == ("FixEfficientNet-L2", 88.5)
    values = [s.value for s in chart.steps]
    assert values == sorted(values) and len(set(values)) == len(values)  # one step per improvement
    # the faded line: what the boards showed on 2019-12-01 (the hand copy's 87.4 for Noisy Student)
    assert (chart.faded_steps[-1].model, chart.faded_steps[-1].value) == ("Noisy Student (EfficientNet-L2)", 87.4)


def test_error_log_svg_and_html_charts(record, sota, tmp_path):  # noqa: F811 - fixtures
    result = sota("plot", "--task", "Image Classification", "--dataset", "ImageNet", "--metric", "Top 5 Accuracy",
                  "--error", "--log", "--no-extra-data", "-o", tmp_path / "top5.png", "--db", record)
    assert result.returncode == 0, result.stderr
    assert_picture(tmp_path / "top5.png")

    assert sota("plot", *TOP1_ARGS, "-o", tmp_path / "top1.svg", "--db", record).returncode == 0
    svg = (tmp_path / "top1.svg").read_text()
    assert svg.lstrip().startswith("<?xml") and "</svg>" in svg

    assert sota("plot", *TOP1_ARGS, "-o", tmp_path / "top1.html", "--db", record).returncode == 0
    page = (tmp_path / "top1.html").read_text()
    assert "<svg" in page and 'width="100%"' in page and "<script" not in page.lower()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)  # nothing fetched: works offline


def test_plot_errors_are_one_line(record, sota, tmp_path):  # noqa: F811 - fixtures
    assert_one_line_error(sota("plot", *TOP1_ARGS, "-o", tmp_path / "x.gif", "--db", record), 2, ".png, .svg or .html")
    assert_one_line_error(sota("plot", "--task", "No", "--dataset", "Such", "--metric", "Board", "-o",
                               tmp_path / "x.png", "--db", record), 1, "no benchmark No / Such / Board")
    assert_one_line_error(sota("plot", *TOP1_ARGS, "--known-at", "yesterday", "-o", tmp_path / "x.png",
                               "--db", record), 2, "bad --known-at")
    assert_one_line_error(sota("plot", *TOP1_ARGS, "-o", tmp_path / "missing" / "x.png", "--db", record), 1,
                          "cannot write")
    assert not (tmp_path / "x.png").exists()


def test_the_quick_test_of_a_label_place_never_rules_out_one_the_whole_label_fits(record):  # noqa: F811 - fixtures
    """Label placement rules places out with a box it works out (`_surely_within`) before drawing a whole label
    there; that box must lie inside the whole label's box as matplotlib measures it (its rounded box and arrow), at
    every step and every place, or a chart would lose labels it used to have."""
    import matplotlib.dates as mdates

    from flows.report import charts

    with connect(record, read_only=True) as con:
        top1 = charts.fetch_chart(con, *TOP1, known_at=date(2019, 12, 1))
        top5_error = charts.fetch_chart(con, "Image Classification", "ImageNet", "Top 5 Accuracy", error=True)
    tried = 0
    for chart, log in ((top1, False), (top5_error, True)):
        fig = charts.draw_chart(chart, log=log)
        ax, renderer = fig.axes[0], fig.canvas.get_renderer()
        up = chart.direction == "higher"
        va = "bottom" if up else "top"
        for step in chart.steps:
            text = charts._label_text(step)
            anchor = ax.transData.transform((mdates.date2num(step.day), step.value))
            at_origin = charts._text_at_origin(ax, renderer, text, step, va)
            for dx, dy, far in charts._places(up):
                quick = charts._surely_within(fig, at_origin["right" if dx < 0 else "left"], anchor, dx, dy, far)
                label = charts._whole_label(ax, text, step, dx, dy, va, far)
                whole = label.get_window_extent(renderer)
                label.remove()
                assert (whole.x0 <= quick.x0 and whole.y0 <= quick.y0 and quick.x1 <= whole.x1
                        and quick.y1 <= whole.y1), (step.model, dx, dy)
                tried += 1
    assert tried > 300
