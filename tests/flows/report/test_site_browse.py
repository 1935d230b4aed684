"""The report browsed as a Papers with Code reader would, in a real browser: the full ImageNet board paged and sorted,
its code links and extra columns, the task index and the search box, the feed and badge links; and hostile names,
loaded through the `csv` source, that stay text when the pages' own script renders them.

The warehouse is the README tour's (bench/cli.py's LOADS: the 2019 hand copy, the 2020 dump, OpenCodePapers' board,
the 2023 PwC page) plus two crafted CSV boards. Headless Chromium (Debian's package) is driven over the DevTools
protocol (a websocket on 127.0.0.1, port chosen by Chromium), so clicks, typing and form submission run the real
script; `Browser` below is that driver, nothing more.
"""
from __future__ import annotations

import base64
import json
import re
import subprocess
import time
import urllib.request
from datetime import date
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from bench.cli import LOADS
from flows.cli.app import main
from flows.report.site import page_name
from tests.flows.report.test_site import browser
from warehouse import queries
from warehouse.db import connect

TOP1 = ("Image Classification", "ImageNet", "Top 1 Accuracy")
HOSTILE = "<img src=x onerror=document.title='pwned'>"
HOSTILE_DATASET = "<img src=x onerror=document.title='pwned'>Set"
CSP = "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; img-src data:"


def _sota(*args) -> None:
    assert main([str(a) for a in args]) == 0, args


@pytest.fixture(scope="module")
def tour(shared_data, tmp_path_factory) -> Path:
    """The tour's warehouse file with a hostile model on the ImageNet board and a hostile dataset of its own."""
    folder = tmp_path_factory.mktemp("tour")
    db = folder / "tour.duckdb"
    for payload, arguments in LOADS:
        _sota("load", shared_data / payload, *arguments, "--db", db)
    (folder / "evil.csv").write_text(f'model,Top 1 Accuracy,date\n"{HOSTILE}",70.0%,2021-01-01\n')
    _sota("load", folder / "evil.csv", "--source", "csv", "--name", "evil", "--task", "Image Classification",
          "--dataset", "ImageNet", "--observed-at", "2025-12-01", "--db", db)
    (folder / "evil-set.csv").write_text("model,Accuracy,date\nPlain model,50.0%,2021-01-01\n")
    _sota("load", folder / "evil-set.csv", "--source", "csv", "--name", "evil-set", "--task", "Image Classification",
          "--dataset", HOSTILE_DATASET, "--observed-at", "2025-12-01", "--db", db)
    return db


@pytest.fixture(scope="module")
def site(tour, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site")
    _sota("report", "-o", out, "--as-of", "2019-12-01", "--db", tour)
    return out


class Browser:
    """Headless Chromium over the DevTools protocol: open a URL, evaluate JavaScript, type, take a screenshot."""

    def __init__(self, folder: Path):
        from websockets.sync.client import connect as websocket

        profile = folder / f"cdp-profile-{time.monotonic_ns()}"
        self.process = subprocess.Popen(
            [browser(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--no-first-run", "--disable-component-update", "--disable-sync", "--disable-extensions",
             f"--user-data-dir={profile}", "--remote-debugging-port=0", "--window-size=1280,2000", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 60
        while not (port_file.is_file() and port_file.read_text().strip()):
            assert time.monotonic() < deadline and self.process.poll() is None, "chromium did not start"
            time.sleep(0.1)
        port = int(port_file.read_text().split()[0])
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=30) as answer:
            target = next(t for t in json.load(answer) if t["type"] == "page")
        self.socket = websocket(target["webSocketDebuggerUrl"], max_size=None, open_timeout=30)
        self.calls = 0

    def call(self, method: str, **params) -> dict:
        self.calls += 1
        self.socket.send(json.dumps({"id": self.calls, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv(timeout=60))
            if message.get("id") == self.calls:
                assert "error" not in message, message
                return message["result"]

    def evaluate(self, expression: str):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        assert "exceptionDetails" not in result, result
        return result["result"].get("value")

    def wait_for(self, expression: str):
        deadline = time.monotonic() + 30
        while True:
            try:
                if self.evaluate(expression):
                    return
            except AssertionError:
                # asked while the page navigates, the evaluation fails ("context destroyed"): ask the next page
                pass
            assert time.monotonic() < deadline, f"never true: {expression}"
            time.sleep(0.05)

    def open(self, url: str) -> None:
        self.call("Page.navigate", url=url)
        self.wait_for(f"location.href === {json.dumps(url)} && document.readyState === 'complete'")

    def type(self, selector: str, text: str) -> None:
        """Focus a field, empty it and type `text` as a user would (each character an input event)."""
        self.evaluate(f"(() => {{ const f = document.querySelector({json.dumps(selector)}); f.focus(); f.select(); }})()")
        self.call("Input.insertText", text=text)

    def screenshot(self, path: Path) -> Path:
        path.write_bytes(base64.b64decode(self.call("Page.captureScreenshot", format="png")["data"]))
        return path

    def close(self) -> None:
        self.socket.close()
        self.process.terminate()
        self.process.wait(timeout=30)


@pytest.fixture
def chrome(tmp_path):
    driver = Browser(tmp_path)
    yield driver
    driver.close()


ROWS = "Array.from(document.querySelectorAll('#board tbody tr'), tr => Array.from(tr.cells, td => td.textContent))"
CODE_LINKS = "Array.from(document.querySelectorAll('#board tbody tr'), tr => tr.cells[CODE].querySelector('a')?.href ?? null)"


def _whole_board(chrome: Browser) -> list[list[str]]:
    """Every row of the board, page after page through the pager's "next"."""
    rows = chrome.evaluate(ROWS)
    while not chrome.evaluate("document.querySelector('#board-pager button.next').disabled"):
        chrome.evaluate("document.querySelector('#board-pager button.next').click()")
        rows += chrome.evaluate(ROWS)
    return rows


def _static_rows(html: str) -> list[list[str]]:
    """The board's rows as the page's plain HTML has them (what a reader without JavaScript sees)."""
    table = BeautifulSoup(html, "lxml").find("table", id="board")
    return [[td.get_text() for td in tr.find_all("td")] for tr in table.tbody.find_all("tr")]


def test_the_full_board_pages_sorts_and_links_the_code(tour, site, chrome, tmp_path):
    with connect(tour, read_only=True) as con:
        size = queries.leaderboard_size(con, *TOP1, date.today())
        values = sorted(r["value"] for r in queries.leaderboard(con, *TOP1, date.today(), top=10_000))
    page = site / "benchmarks" / page_name(*TOP1)
    chrome.open(page.as_uri())
    headers = chrome.evaluate("Array.from(document.querySelectorAll('#board thead th'), th => th.textContent)")
    assert headers == ["#", "model", "Top 1 Accuracy", "Number of params", "GFLOPs", "Top 5 Accuracy",
                       "Hardware Burden", "published", "extra data", "paper", "code", "sources"]
    code = headers.index("code")

    first_page = chrome.evaluate(ROWS)
    assert first_page == _static_rows(page.read_text())  # the script renders the rows the HTML has, cell for cell
    # one row per consolidated result: CoCa as OpenCodePapers (its code URL) and the 2023 PwC page both list it
    assert first_page[2] == ["3", "CoCa (finetuned)", "91", "2.1B", "", "", "", "2022-05-04", "no", "paper", "code",
                             "opencodepapers, pwc"]
    links = chrome.evaluate(CODE_LINKS.replace("CODE", str(code)))
    assert links[2] == "https://github.com/mlfoundations/open_clip"
    frozen = next(i for i, row in enumerate(first_page) if row[1] == "CoCa (frozen)")
    assert first_page[frozen][code] == "yes" and links[frozen] is None  # has code, no URL known: no link
    assert chrome.evaluate("document.querySelector('#board-pager .where').textContent") == (
        f"page 1 of {-(-size // 50)} · rows 1–50 of {size}")

    board = _whole_board(chrome)
    assert len(board) == size > 1000  # every consolidated result, not the top 20
    assert [row[0] for row in board] == sorted((row[0] for row in board), key=int)
    assert sorted(float(row[2]) for row in board) == pytest.approx(values)
    assert chrome.evaluate("document.querySelector('#board-pager button.next').disabled") is True

    value_header = "document.querySelectorAll('#board thead th button')[2]"
    chrome.evaluate(f"{value_header}.click()")  # the first click: best value first
    shown = [float(row[2]) for row in chrome.evaluate(ROWS)]
    assert shown == sorted(values, reverse=True)[:50]
    chrome.evaluate(f"{value_header}.click()")  # the second: the other way round
    assert [float(row[2]) for row in chrome.evaluate(ROWS)] == values[:50]
    assert chrome.evaluate("document.querySelectorAll('#board thead th')[2].getAttribute('aria-sort')") == "ascending"
    assert chrome.evaluate("document.querySelector('#board-pager .where').textContent").startswith("page 1 of ")

    chrome.evaluate("document.querySelectorAll('#board thead th button')[0].click()")  # back to rank order
    shot = chrome.screenshot(tmp_path / "imagenet-board.png")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 50_000


def test_the_search_box_finds_imagenet_from_any_page(tour, site, chrome):
    with connect(tour, read_only=True) as con:
        ranked = queries.report_task_index(con)

    def matches(text):  # every word of the query in the task, dataset or metric, in any order
        return [f"{b['dataset']} · {b['metric']} {b['task']} ({b['results']})" for b in ranked
                if all(w in f"{b['task']} · {b['dataset']} · {b['metric']}".lower() for w in text.lower().split())]

    expected = matches("ImageNet")
    assert 0 < len(expected) <= 200
    chrome.open((site / "index.html").as_uri())
    chrome.type("#search", "ImageNet")
    chrome.evaluate("document.querySelector('form.search').requestSubmit()")  # not the index's: it goes to tasks.html
    chrome.wait_for("location.pathname.endsWith('/tasks.html') && document.readyState === 'complete'")
    assert chrome.evaluate("location.search") == "?q=ImageNet"
    assert chrome.evaluate("document.getElementById('search').value") == "ImageNet"
    found = chrome.evaluate("Array.from(document.querySelectorAll('#search-results li'), li => li.textContent)")
    assert found == expected
    assert chrome.evaluate("document.getElementById('task-index').hidden") is True
    top1 = chrome.evaluate("Array.from(document.querySelectorAll('#search-results a'), a => a.textContent + ' ' + "
                           "a.getAttribute('href'))")
    assert f"ImageNet · Top 1 Accuracy benchmarks/{page_name(*TOP1)}" in top1

    chrome.type("#search", "top 1 imagenet classification")  # as one types: every word, in any order
    found = chrome.evaluate("Array.from(document.querySelectorAll('#search-results li'), li => li.textContent)")
    assert found == matches("top 1 imagenet classification") and 0 < len(found) < len(expected)
    assert found[0].startswith("ImageNet · Top 1 Accuracy Image Classification (")
    chrome.evaluate("const f = document.getElementById('search'); f.value = ''; f.dispatchEvent(new Event('input'))")
    assert chrome.evaluate("document.getElementById('task-index').hidden") is False


def test_the_task_index_lists_every_ranked_benchmark(tour, site):
    with connect(tour, read_only=True) as con:
        ranked = queries.report_task_index(con)
        watched = queries.watched_benchmarks(con, min_results=50, limit=60)
    soup = BeautifulSoup((site / "tasks.html").read_text(), "lxml")
    listed = []  # (task, dataset, metric, results, link) as the page lists them, without JavaScript
    for h3 in soup.select("#task-index h3"):
        for dt in h3.find_next_sibling("dl").find_all("dt"):
            for item in dt.find_next_sibling("dd").select("span.benchmark"):
                link = item.find("a")
                metric = link.get_text() if link else item.contents[0].strip()
                results = int(item.select_one("span.muted").get_text().strip("()"))
                listed.append((h3.get_text(), dt.get_text(), metric, results, link and link["href"]))
    pages = {(w["task"], w["dataset"], w["metric"]): f"benchmarks/{page_name(w['task'], w['dataset'], w['metric'])}"
             for w in watched}
    assert sorted(listed, key=str) == sorted(((b["task"], b["dataset"], b["metric"], b["results"],
                                               pages.get((b["task"], b["dataset"], b["metric"]))) for b in ranked),
                                             key=str)
    assert len(pages) == 34 and sum(1 for row in listed if row[4]) == 34
    letters = [h2.get_text() for h2 in soup.select("#task-index h2")]
    assert letters == sorted(letters, key=lambda letter: (letter == "#", letter)) and "I" in letters
    assert json.loads(soup.find("script", id="search-data").string)[0] == [
        ranked[0]["task"], ranked[0]["dataset"], ranked[0]["metric"], ranked[0]["results"],
        pages.get((ranked[0]["task"], ranked[0]["dataset"], ranked[0]["metric"]), "")]


def test_feed_badge_and_task_links(site):
    slug = page_name(*TOP1).removesuffix(".html")
    page = BeautifulSoup((site / "benchmarks" / page_name(*TOP1)).read_text(), "lxml")
    hrefs = [a["href"] for a in page.find_all("a")]
    assert f"../feeds/{slug}.atom" in hrefs and f"../badges/{slug}.svg" in hrefs
    assert page.find("link", rel="alternate")["href"] == f"../feeds/{slug}.atom"
    index = BeautifulSoup((site / "index.html").read_text(), "lxml")
    nav = [a["href"] for a in index.select("header.site a")]
    assert nav == ["index.html", "index.html#benchmarks", "tasks.html", "snapshots.html", "feeds/records.atom"]
    assert f"feeds/{slug}.atom" in [a["href"] for a in index.find_all("a")]
    assert f"badges/{slug}.svg" in [a["href"] for a in index.find_all("a")]


def test_only_the_projects_script_runs(site):
    script = (site / "site.js").read_text()
    assert not re.search(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|fetch\(|XMLHttpRequest",
                         script)
    for page in [site / "index.html", site / "tasks.html", site / "snapshots.html",
                 *(site / "benchmarks").glob("*.html")]:
        soup = BeautifulSoup(page.read_text(), "lxml")
        assert soup.find("meta", attrs={"http-equiv": "Content-Security-Policy"})["content"] == CSP
        scripts = soup.find_all("script")
        assert [s.get("src") for s in scripts if s.get("src")] == [
            "../site.js" if page.parent.name == "benchmarks" else "site.js"]
        assert all(s.get("type") == "application/json" for s in scripts if not s.get("src"))
        assert not soup.find_all(attrs={"onerror": True}) and not soup.find_all("img")


def test_hostile_names_stay_text_in_the_browser(site, chrome):
    chrome.open((site / "benchmarks" / page_name(*TOP1)).as_uri())
    title = chrome.evaluate("document.title")
    assert HOSTILE not in [row[1] for row in _static_rows((site / "benchmarks" / page_name(*TOP1)).read_text())]
    shown = f"document.body.innerText.includes({json.dumps(HOSTILE)})"
    while not chrome.evaluate(shown):  # on a later page: rendered by the script, not by the template
        assert chrome.evaluate("!document.querySelector('#board-pager button.next').disabled"), "never shown"
        chrome.evaluate("document.querySelector('#board-pager button.next').click()")
    assert [row[1] for row in chrome.evaluate(ROWS)].count(HOSTILE) == 1
    assert chrome.evaluate("document.querySelectorAll('img').length") == 0
    assert chrome.evaluate("document.title") == title == "Top 1 Accuracy on ImageNet (Image Classification): sotawatch"

    chrome.open((site / "tasks.html").as_uri())
    chrome.type("#search", "onerror")
    assert chrome.evaluate("Array.from(document.querySelectorAll('#search-results li'), li => li.textContent)") == [
        f"{HOSTILE_DATASET} · Accuracy Image Classification (1)"]
    assert chrome.evaluate("document.querySelectorAll('img').length") == 0
    assert chrome.evaluate("document.title") == "Tasks: sotawatch"
    raw = (site / "tasks.html").read_text()
    assert "<img" not in raw and "&lt;img src=x onerror=document.title=&#39;pwned&#39;&gt;Set" in raw


def test_data_blocks_cannot_be_closed_by_the_data():
    from flows.report.boards import amount, json_text

    text = json_text({"model": "</script><!--<script>x & y\u2028", "value": 1.5})
    assert text == ('{"model":"\\u003c/script\\u003e\\u003c!--\\u003cscript\\u003ex \\u0026 y\\u2028",'
                    '"value":1.5}')
    assert json.loads(text) == {"model": "</script><!--<script>x & y\u2028", "value": 1.5}
    assert [amount(2.1e9, "count"), amount(86e6, "count"), amount(950.0, "count"), amount(91.0, "percent"),
            amount(None, "count")] == ["2.1B", "86M", "950", "91", ""]
