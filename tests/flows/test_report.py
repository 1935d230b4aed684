"""Pictures of the real record: the SOTA chart, the static report opened in a real browser, the export read back.

The record is the 2019 hand copy of the PwC ImageNet board (seen 2019-11-13) and the 2020 dump (2020-08-28), loaded
once for the module. The report is opened in headless Chromium (Debian's package; `make test` installs it), which
takes a screenshot and dumps the DOM after the page's scripts, if any, have run.
"""
from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date

import pytest

from flows.cli import main
from flows.ingest import ingest
from tests.support.boards import board_file
from warehouse.db import connect

TOP1 = ("Image Classification", "ImageNet", "Top 1 Accuracy")
TOP1_ARGS = ["--task", TOP1[0], "--dataset", TOP1[1], "--metric", TOP1[2]]
EVIL_MODEL = "<script>document.title='pwned'</script>Evil & Co"


@pytest.fixture(scope="module")
def record(shared_data, tmp_path_factory):
    """The warehouse file holding the hand copy and the dump (closed: the commands open it themselves)."""
    path = tmp_path_factory.mktemp("record") / "sota.duckdb"
    with connect(path) as con:
        ingest(con, "csv", str(shared_data / "pwc-imagenet-2019-handcopy/imagenet_table.csv"),
               options={"task": "Image Classification", "dataset": "ImageNet"}, observed_at="2019-11-13")
        ingest(con, "pwc-dump", str(shared_data / "pwc-dump-2020-08-28/evaluation-tables.json.gz"),
               observed_at="2020-08-28")
    return path


@pytest.fixture
def sota(capsys, monkeypatch):
    """The `sota` command in this process: its exit code and output streams."""

    def invoke(*args):
        monkeypatch.setenv("SOTA_LOCK_TIMEOUT", "1")
        monkeypatch.delenv("SOTA_DB", raising=False)
        capsys.readouterr()
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return subprocess.CompletedProcess(args, code, captured.out, captured.err)

    return invoke


def assert_one_line_error(result, code, text):
    assert result.returncode == code, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and text in lines[0] and "Traceback" not in result.stderr, result.stderr


def assert_picture(path, *, min_bytes=10_000, min_size=(600, 400)):
    """A PNG of a real picture: big enough, and not one flat colour."""
    import matplotlib.image

    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert path.stat().st_size >= min_bytes
    pixels = matplotlib.image.imread(str(path))[..., :3]
    height, width = pixels.shape[:2]
    assert width >= min_size[0] and height >= min_size[1]
    assert float(pixels.std()) > 0.05  # not blank
    ink = float((pixels.mean(axis=2) < 0.9).mean())
    assert 0.01 < ink < 0.9  # something drawn on a light background


# ---------------------------------------------------------------------------------------------------- the chart


def test_the_imagenet_chart_from_the_real_record(record, sota, tmp_path):
    from flows.charts import fetch_chart

    png = tmp_path / "top1.png"
    result = sota("plot", *TOP1_ARGS, "--known-at", "2019-12-01", "-o", png, "--db", record)
    assert result.returncode == 0, result.stderr
    assert "SOTA FixEfficientNet-L2 88.5" in result.stdout
    assert_picture(png, min_size=(1200, 700))

    with connect(record, read_only=True) as con:
        chart = fetch_chart(con, *TOP1, known_at=date(2019, 12, 1))
    assert len(chart.points) == 309 and {p["source"] for p in chart.points} == {"csv", "pwc-dump"}
    assert sum(p["extra"] for p in chart.points) == 11  # the hand copy's extra-data rows, drawn hollow
    assert (chart.steps[0].model, chart.steps[0].value, chart.steps[0].day) == ("AlexNet - 7CNNs", 63.3, date(2012, 12, 1))
    assert (chart.steps[-1].model, chart.steps[-1].value) == ("FixEfficientNet-L2", 88.5)
    values = [s.value for s in chart.steps]
    assert values == sorted(values) and len(set(values)) == len(values)  # one step per improvement
    # the faded line: what the boards showed on 2019-12-01 (the hand copy's 87.4 for Noisy Student)
    assert (chart.faded_steps[-1].model, chart.faded_steps[-1].value) == ("Noisy Student (EfficientNet-L2)", 87.4)


def test_error_log_svg_and_html_charts(record, sota, tmp_path):
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


def test_plot_errors_are_one_line(record, sota, tmp_path):
    assert_one_line_error(sota("plot", *TOP1_ARGS, "-o", tmp_path / "x.gif", "--db", record), 2, ".png, .svg or .html")
    assert_one_line_error(sota("plot", "--task", "No", "--dataset", "Such", "--metric", "Board", "-o",
                               tmp_path / "x.png", "--db", record), 1, "no benchmark No / Such / Board")
    assert_one_line_error(sota("plot", *TOP1_ARGS, "--known-at", "yesterday", "-o", tmp_path / "x.png",
                               "--db", record), 2, "bad --known-at")
    assert_one_line_error(sota("plot", *TOP1_ARGS, "-o", tmp_path / "missing" / "x.png", "--db", record), 1,
                          "cannot write")
    assert not (tmp_path / "x.png").exists()


# ---------------------------------------------------------------------------------------------------- in a browser


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


def page_text(dom: str) -> str:
    from bs4 import BeautifulSoup

    return " ".join(BeautifulSoup(dom, "lxml").get_text(" ").split())


def test_the_report_in_a_browser(record, sota, tmp_path):
    site = tmp_path / "site"
    result = sota("report", "-o", site, "--as-of", "2019-12-01", "--benchmark", "/".join(TOP1), "--db", record)
    assert result.returncode == 0, result.stderr
    pages = list((site / "benchmarks").glob("*.html"))
    assert len(pages) == 1 and (site / "index.html").is_file() and (site / "snapshots.html").is_file()
    for page in [site / "index.html", site / "snapshots.html", *pages]:
        html = page.read_text()
        assert '<meta name="viewport"' in html and "<script" not in html.lower()
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


def test_a_scraped_script_shows_as_text_and_never_runs(sota, tmp_path):
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
        assert "<script" not in raw.lower() and 'href="javascript' not in raw.lower()
        dom = chromium(target.as_uri(), tmp_path, "--dump-dom").stdout
        title = re.search(r"<title>(.*?)</title>", dom, re.DOTALL).group(1)
        assert "pwned" not in title and "clicked" not in title  # no injected script ran
        assert "<script" not in dom.lower()
        assert EVIL_MODEL in page_text(dom)  # shown as text, exactly as scraped
    assert "Evil<b>Net</b>" in page_text(chromium(page.as_uri(), tmp_path, "--dump-dom").stdout)


# ---------------------------------------------------------------------------------------------------- export


def _reload(folder, tmp_path, name):
    """A fresh warehouse holding only what the export wrote (its migrations give it the macros)."""
    from warehouse.frontier import rebuild_frontier

    con = connect(tmp_path / f"{name}.duckdb")
    con.execute(f"INSERT INTO benchmarks BY NAME SELECT * FROM read_parquet('{folder}/benchmarks.parquet')")
    con.execute(f"INSERT INTO snapshots BY NAME SELECT * FROM read_parquet('{folder}/snapshots.parquet')")
    con.execute("INSERT INTO results BY NAME SELECT * FROM "
                f"read_parquet('{folder}/results/*/*.parquet', hive_partitioning = true)")
    rebuild_frontier(con)
    return con


SOTA_ROWS = "SELECT task, dataset, metric, model, value, published_on FROM sota_as_of({args}) ORDER BY ALL"


def test_parquet_export_round_trips(record, sota, tmp_path):
    out = tmp_path / "export"
    result = sota("export", "--format", "parquet", "-o", out, "--db", record)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (out / "results").iterdir()) == ["source=csv", "source=pwc-dump"]
    assert {p.name for p in out.iterdir()} >= {"benchmarks.parquet", "snapshots.parquet", "sota_history.parquet"}

    copy = _reload(out, tmp_path, "copy")
    answers = []
    with connect(record, read_only=True) as original:
        for args in ("DATE '2026-01-01'", "DATE '2019-06-01'", "DATE '2020-09-01', extra_data := false",
                     "DATE '2019-12-01', known_at := DATE '2019-12-01'"):
            expected = original.execute(SOTA_ROWS.format(args=args)).fetchall()
            assert copy.execute(SOTA_ROWS.format(args=args)).fetchall() == expected, args
            answers.append(len(expected))
        assert answers[0] > 3000 and answers[-1] == 2  # every benchmark today; on 2019-12-01 only the hand copy's
        history = original.execute("SELECT count(*) FROM benchmarks b, LATERAL (FROM sota_history(b.task, "
                                   "b.dataset, b.metric)) WHERE b.direction <> 'none'").fetchone()[0]
    assert copy.execute(f"SELECT count(*) FROM read_parquet('{out}/sota_history.parquet')").fetchone()[0] == history
    copy.close()

    # as of a date: the record as it stood then; its latest knowledge is what was known on that day
    then = tmp_path / "then"
    assert sota("export", "--format", "parquet", "-o", then, "--as-of", "2019-12-01", "--db", record).returncode == 0
    assert [p.name for p in (then / "results").iterdir()] == ["source=csv"]
    old = _reload(then, tmp_path, "then")
    assert old.execute(SOTA_ROWS.format(args="DATE '2019-12-01'")).fetchall() == [
        ("Image Classification", "ImageNet", "Top 1 Accuracy", "Noisy Student (EfficientNet-L2)", 87.4, date(2019, 11, 11)),
        ("Image Classification", "ImageNet", "Top 5 Accuracy", "Noisy Student (EfficientNet-L2)", 98.2, date(2019, 11, 11)),
    ]
    old.close()


def test_csv_export_and_its_errors(record, sota, tmp_path):
    out = tmp_path / "csv"
    assert sota("export", "--format", "csv", "-o", out, "--db", record).returncode == 0
    header = (out / "benchmarks.csv").read_text().splitlines()[0]
    assert header.startswith("benchmark_id,task,dataset,metric,direction")
    assert (out / "results" / "source=pwc-dump").is_dir()
    assert_one_line_error(sota("export", "--format", "xlsx", "-o", out, "--db", record), 2, "--format 'xlsx'")
    assert_one_line_error(sota("export", "-o", out, "--db", tmp_path / "none.duckdb"), 1, "no warehouse")
    assert {p.name for p in out.iterdir()} == {"results", "benchmarks.csv", "snapshots.csv", "sota_history.csv"}
