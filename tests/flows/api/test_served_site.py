"""The site as `sota api` serves it, in headless Chromium (issue 14's Done-when): the full ImageNet board over HTTP
with its code links, paged to its end; the search box going from the index to the task index; a screenshot."""
from __future__ import annotations

from datetime import date

import pytest

from flows.report.site import page_name
from tests.flows.report.test_site_browse import ROWS, Browser
from warehouse import queries
from warehouse.db import connect

TOP1 = ("Image Classification", "ImageNet", "Top 1 Accuracy")


@pytest.fixture
def chrome(tmp_path):
    driver = Browser(tmp_path)
    yield driver
    driver.close()


def test_the_served_site_shows_the_full_imagenet_board_with_code_links_and_a_working_search(
    api, tour_db, chrome, tmp_path
):
    with connect(tour_db, read_only=True) as con:
        size = queries.leaderboard_size(con, *TOP1, date.today())
    api.wait_for("/")  # the site is built from the served copy in the background
    page = f"{api.url}/benchmarks/{page_name(*TOP1)}"
    chrome.open(page)
    headers = chrome.evaluate("Array.from(document.querySelectorAll('#board thead th'), th => th.textContent)")
    code = headers.index("code")
    rows = chrome.evaluate(ROWS)
    coca = next(row for row in rows if row[1] == "CoCa (finetuned)")
    assert (coca[2], coca[code], coca[-1]) == ("91", "code", "opencodepapers, pwc")
    links = chrome.evaluate(
        f"Array.from(document.querySelectorAll('#board tbody tr'), tr => tr.cells[{code}].querySelector('a')?.href)")
    assert links[rows.index(coca)] == "https://github.com/mlfoundations/open_clip"
    assert chrome.evaluate("document.querySelector('#board-pager .where').textContent").endswith(f"of {size}")
    shot = chrome.screenshot(tmp_path / "served-imagenet-board.png")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 50_000
    shown = len(rows)
    while not chrome.evaluate("document.querySelector('#board-pager button.next').disabled"):
        chrome.evaluate("document.querySelector('#board-pager button.next').click()")
        shown += len(chrome.evaluate(ROWS))
    assert shown == size > 1000  # the whole board, not its top 20

    chrome.open(f"{api.url}/index.html")
    chrome.type("#search", "ImageNet")
    chrome.evaluate("document.querySelector('form.search').requestSubmit()")
    chrome.wait_for("location.pathname === '/tasks.html' && document.readyState === 'complete'")
    found = chrome.evaluate("Array.from(document.querySelectorAll('#search-results a'), a => a.textContent + ' ' + "
                            "a.getAttribute('href'))")
    assert f"ImageNet · Top 1 Accuracy benchmarks/{page_name(*TOP1)}" in found
    assert all("imagenet" in text.lower() for text in found)
