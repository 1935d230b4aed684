"""The static report of the real record opened in a real browser, and a scraped script that shows as text.

The record (tests/support/report_record.py) is the 2019 hand copy of the PwC ImageNet board (seen 2019-11-13) and the
2020 dump (2020-08-28). The report is opened in headless Chromium (Debian's package; `make test` installs it), which
takes a screenshot and dumps the DOM after the page's script (the project's own site.js) has run.
"""
from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from tests.support.boards import board_file
from tests.support.report_record import assert_picture, record, sota  # noqa: F401 - fixtures

TOP1 = ("Image Classification", "ImageNet", "Top 1 Accuracy")
EVIL_MODEL = "<script>document.title='pwned'</script>Evil & Co"


def browser() -> str:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    pytest.skip("chromium not found even after set-up: `make test` installs Debian's chromium package "
                "(apt-get install chromium); without it the browser tests cannot run")


def chromium(url: str, folder, *args: str) -> subprocess.CompletedProcess:
    """Headless Chromium with a fresh profile and nothing reaching out to the network."""
    profile = folder / f"profile-{len(list(folder.glob('profile-*')))}"
    command = [
        browser(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--no-first-run", "--disable-component-update", "--disable-sync", "--disable-extensions",
        f"--user-data-dir={profile}", *args, url,
    ]
    result = subprocess.run(command, check=False, capture_output=True, text=True, timeout=90)
    assert result.returncode == 0, result.stderr[-2000:]
    return result


def assert_own_scripts_only(html: str) -> None:
    """The one script a page runs is the project's own file beside the pages; any other script element is a JSON data
    block (which no browser runs)."""
    tags = re.findall(r"<script\b[^>]*>", html, flags=re.IGNORECASE)
    assert [t for t in tags if "src=" in t] in (['<script src="site.js">'], ['<script src="../site.js">']), tags
    assert all(re.fullmatch(r'<script type="application/json" id="(board|search)-data">', t)
               for t in tags if "src=" not in t), tags


def page_text(dom: str) -> str:
    from bs4 import BeautifulSoup

    return " ".join(BeautifulSoup(dom, "lxml").get_text(" ").split())


def test_the_report_in_a_browser(record, sota, tmp_path):  # noqa: F811 - fixtures
    site = tmp_path / "site"
    result = sota("report", "-o", site, "--as-of", "2019-12-01", "--benchmark", "/".join(TOP1), "--db", record)
    assert result.returncode == 0, result.stderr
    pages = list((site / "benchmarks").glob("*.html"))
    assert len(pages) == 1 and (site / "index.html").is_file() and (site / "snapshots.html").is_file()
    for page in [site / "index.html", site / "snapshots.html", site / "tasks.html", *pages]:
        html = page.read_text()
        assert '<meta name="viewport"' in html
        assert_own_scripts_only(html)
        assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//[^"']*\.(css|js|woff2?)""", html)  # offline

    shot = tmp_path / "page.png"
    chromium(pages[0].as_uri(), tmp_path, f"--screenshot={shot}", "--window-size=1280,2000")
    assert_picture(shot, min_size=(1280, 2000))
    phone = tmp_path / "phone.png"
    chromium(pages[0].as_uri(), tmp_path, f"--screenshot={phone}", "--window-size=390,1600")
    assert_picture(phone, min_size=(390, 1600))

    text = page_text(chromium(pages[0].as_uri(), tmp_path, "--dump-dom").stdout)
    assert "Top 1 Accuracy on ImageNet" in text and "Image Classification" in text
    assert re.search(r"SOTA today: FixEfficientNet-L2\s*, 88\.5 \(2020-03-18, pwc-dump\)", text)
    assert "Matplotlib" not in text  # the chart's metadata is not page text
    # the board as the hand copy showed it on 2019-12-01, and the history with its margins
    assert re.search(r"Leaderboard as of 2019-12-01, as the boards showed it then [^0-9]* 1 Noisy Student "
                     r"\(EfficientNet-L2\) 87\.4 2019-11-11 csv", text)
    assert "2020-03-18 FixEfficientNet-L2 88.5 88.4 +0.1 pwc-dump" in text
    assert "Where sources disagree" in text

    index = page_text(chromium((site / "index.html").as_uri(), tmp_path, "--dump-dom").stdout)
    assert "No new SOTA recorded yet" in index
    assert "ImageNet · Top 1 Accuracy" in index and "FixEfficientNet-L2 88.5" in index


def test_a_scraped_script_shows_as_text_and_never_runs(sota, tmp_path):  # noqa: F811 - fixtures
    board = board_file(tmp_path, "evil@2021-01-01.json", {("Image Classification", "Evil<b>Net</b>"): [
        {"model": "Honest baseline", "metrics": {"Top 1 Accuracy": "70%"}, "date": "2020-01-01"},
        {"model": EVIL_MODEL, "metrics": {"Top 1 Accuracy": "80%"}, "date": "2020-06-01",
         "url": "javascript:document.title='clicked'"},
        {"model": "Cost $x^2$ and $", "metrics": {"Top 1 Accuracy": "75%"}, "date": "2020-03-01"},
    ]})
    db = tmp_path / "evil.duckdb"
    assert sota("load", board, "--source", "pwc-dump", "--db", db).returncode == 0
    site = tmp_path / "site"
    result = sota("report", "-o", site, "--min-results", "1", "--db", db)
    assert result.returncode == 0, result.stderr
    (page,) = (site / "benchmarks").glob("*.html")
    assert sota("plot", "--task", "Image Classification", "--dataset", "Evil<b>Net</b>", "--metric",
                "Top 1 Accuracy", "-o", tmp_path / "evil.png", "--db", db).returncode == 0

    for target in (page, site / "index.html"):
        raw = target.read_text()
        assert "&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;Evil &amp; Co" in raw
        assert "<script>" not in raw.lower() and 'href="javascript' not in raw.lower()
        assert_own_scripts_only(raw)
        dom = chromium(target.as_uri(), tmp_path, "--dump-dom").stdout
        title = re.search(r"<title>(.*?)</title>", dom, re.DOTALL).group(1)
        assert "pwned" not in title and "clicked" not in title  # no injected script ran
        assert_own_scripts_only(dom)
        assert EVIL_MODEL in page_text(dom)  # shown as text, exactly as scraped
    assert "Evil<b>Net</b>" in page_text(chromium(page.as_uri(), tmp_path, "--dump-dom").stdout)


def test_report_errors_are_report_errors(record, tmp_path):  # noqa: F811 - fixtures
    from flows.report import ReportError
    from flows.report.site import build_report
    from warehouse.db import connect
    from warehouse.errors import WarehouseError

    with connect(record, read_only=True) as con, pytest.raises(ReportError, match="no benchmark 'No/Such/Board'"):
        build_report(con, tmp_path / "site", benchmarks=["No/Such/Board"])
    (tmp_path / "file").write_text("not a folder")
    with connect(record, read_only=True) as con, pytest.raises(ReportError, match="cannot write the report to"):
        build_report(con, tmp_path / "file" / "site", benchmarks=["/".join(TOP1)])
    assert issubclass(ReportError, WarehouseError)  # the CLI's exit 1 for warehouse errors


def test_a_page_says_which_way_its_metric_points_and_never_guesses(record, tmp_path):  # noqa: F811 - fixtures
    from flows.report.site import build_report
    from warehouse.db import connect

    with connect(record, read_only=True) as con:
        names = {direction: con.execute(
            "SELECT task, dataset, metric FROM benchmarks WHERE direction = ? ORDER BY ALL LIMIT 1", [direction],
        ).fetchone() for direction in ("higher", "lower", "unknown")}
        wanted = ["/".join(found) for found in names.values()]
        summary = build_report(con, tmp_path / "site", benchmarks=wanted)
    said = {}
    for direction, page in zip(names, summary.pages):
        sub = re.search(r'<p class="sub">(.*?)</p>', page.read_text(), re.DOTALL).group(1)
        said[direction] = re.search(r"claims shown by its sources ·\s*(.*?) ·", sub).group(1)
    assert said == {"higher": "higher is better", "lower": "lower is better", "unknown": "direction unknown (not ranked)"}
