"""(g) `sota api` under load on loopback: requests/s and p99 latency with 8 concurrent clients for `/v1/sota` (ImageNet
top-1 as of 2020-09-01) and `/v1/leaderboard` (its top 20 as of 2025-11-30) on the tour's warehouse, against the same
answers asked of a direct DuckDB connection (8 threads, a cursor each, names remembered as the server remembers
them) in the same run; bounded at 5 s or 2,000
requests a case. The server is the real command (`python -m flows.cli api`) in a process of its own, so the clients'
threads do not share its interpreter; it serves a fixed one-page site, so no report is built meanwhile.

    python bench/api.py            # builds the warehouse in a temporary folder and prints the rows
"""
from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import duckdb
import requests

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.cli import build_tour
from flows.api import answers
from flows.api.warehouse_view import copy_memo

CLIENTS = 8
SECONDS = 5.0
MAX_REQUESTS = 2_000
IMAGENET_TOP1 = {"task": "Image Classification", "dataset": "ImageNet", "metric": "Top 1 Accuracy"}
# (label, path, query) and the same question asked directly
CASES = [
    ("`/v1/sota` ImageNet top-1 as of 2020-09-01", "/v1/sota", {"as_of": "2020-09-01", **IMAGENET_TOP1},
     lambda con: answers.sota(con, date(2020, 9, 1), answers.Filters(), **IMAGENET_TOP1)),
    ("`/v1/leaderboard` ImageNet top-1, top 20 as of 2025-11-30", "/v1/leaderboard",
     {"as_of": "2025-11-30", "top": 20, **IMAGENET_TOP1},
     lambda con: answers.leaderboard(con, *IMAGENET_TOP1.values(), date(2025, 11, 30), 20, answers.Filters())),
]


def _hammer(ask_once: Callable[[int], None]) -> dict:
    """`ask_once(client)` from CLIENTS threads until SECONDS pass or MAX_REQUESTS are made: rate and latencies."""
    latencies: list[float] = []
    lock = threading.Lock()
    deadline = time.perf_counter() + SECONDS

    def client(number: int) -> None:
        while time.perf_counter() < deadline:
            with lock:
                if len(latencies) >= MAX_REQUESTS:
                    return
            started = time.perf_counter()
            ask_once(number)
            with lock:
                latencies.append(time.perf_counter() - started)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {"requests": len(latencies), "rate": len(latencies) / elapsed,
            "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
            "median": statistics.median(latencies)}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start_server(db: Path, folder: Path) -> tuple[subprocess.Popen, str]:
    site = folder / "site"
    site.mkdir(exist_ok=True)
    (site / "index.html").write_text("<!doctype html><title>bench</title>\n")
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "flows.cli", "api", "--db", str(db), "--port", str(port), "--site", str(site)],
        cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(url + "/v1/snapshots", timeout=5).status_code == 200:
                return server, url
        except requests.ConnectionError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError(f"sota api did not start: {server.stderr.read()[-2000:] if server.stderr else ''}")


def _over_http(url: str, path: str, query: dict) -> dict:
    sessions = [requests.Session() for _ in range(CLIENTS)]  # keep-alive, one connection per client

    def ask_once(client: int) -> None:
        answer = sessions[client].get(url + path, params=query, timeout=30)
        if answer.status_code != 200:
            raise RuntimeError(f"{path}: {answer.status_code} {answer.text[:300]}")

    for client in range(CLIENTS):
        ask_once(client)  # warm: connections made, the server's first queries paid
    return _hammer(ask_once)


def _direct(db: Path, ask: Callable) -> dict:
    con = duckdb.connect(str(db), read_only=True)
    try:
        cursors = [con.cursor() for _ in range(CLIENTS)]
        memo: dict = {}  # the names resolved once, as the server remembers them per copy

        def ask_once(client: int) -> None:
            remembered = copy_memo.set(memo)
            try:
                ask(cursors[client])
            finally:
                copy_memo.reset(remembered)

        ask_once(0)
        return _hammer(ask_once)
    finally:
        con.close()


def bench_api(folder: Path, data: Path) -> dict:
    db = build_tour(folder, data)
    server, url = _start_server(db, folder)
    try:
        figures = [{"label": label, "http": _over_http(url, path, query), "direct": _direct(db, direct)}
                   for label, path, query, direct in CASES]
    finally:
        server.terminate()
        server.wait(timeout=30)
    return {"cases": figures}


def api_lines(found: dict) -> list[str]:
    lines = []
    for case in found["cases"]:
        http, direct = case["http"], case["direct"]
        lines += [
            (f"| (g) {case['label']}, {CLIENTS} clients over HTTP ({http['requests']} requests) "
             f"| {http['rate']:.0f} req/s, p99 {http['p99'] * 1000:.0f} ms | (no target) | |"),
            (f"| (g) the same answer on a direct DuckDB connection, {CLIENTS} threads "
             f"| {direct['rate']:.0f} /s, p99 {direct['p99'] * 1000:.0f} ms | | |"),
            f"| (g) ratio HTTP / direct | {http['rate'] / direct['rate']:.2f}x | | |",
        ]
    return lines


if __name__ == "__main__":
    data = Path(os.environ.get("SOTAWATCH_DATA", REPO.parent / "shared" / "data"))
    with tempfile.TemporaryDirectory() as folder:
        print("\n".join(api_lines(bench_api(Path(folder), data))))
