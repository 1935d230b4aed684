"""Benchmarks of the vertical slice, written to bench/RESULTS.md (ratios within one run; no timed tests).

(a) loading the whole 2020 PwC dump through `ingest`, against DuckDB's own read_json of the same file;
(b) loading it again unchanged; (c) sota_as_of over 10 million synthetic results across 1,000 benchmarks.
"""
from __future__ import annotations

import os
import platform
import resource
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from flows.ingest import ingest  # noqa: E402
from warehouse.db import connect  # noqa: E402

DATA = Path(os.environ.get("SOTAWATCH_DATA", REPO.parent / "shared" / "data"))
DUMP = DATA / "pwc-dump-2020-08-28" / "evaluation-tables.json.gz"


def timed(fn, repeat=3):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), value


def bench_load(folder: Path) -> dict:
    def duckdb_read():
        path = folder / f"raw-{time.perf_counter_ns()}.duckdb"
        con = duckdb.connect(str(path))
        con.execute(f"CREATE TABLE t AS SELECT * FROM read_json('{DUMP}', maximum_object_size=100000000)")
        con.close()

    def our_load():
        path = folder / f"ours-{time.perf_counter_ns()}.duckdb"
        with connect(path) as con:
            return path, ingest(con, "pwc-dump", str(DUMP), observed_at="2020-08-28")

    raw, _ = timed(duckdb_read)
    ours, (path, report) = timed(our_load)
    with connect(path) as con:
        before = con.execute("SELECT count(*) FROM results").fetchall()[0][0]
        again, rep = timed(lambda: ingest(con, "pwc-dump", str(DUMP), observed_at="2020-09-28"), repeat=1)
        same, rep2 = timed(lambda: ingest(con, "pwc-dump", str(DUMP), observed_at="2020-09-28"), repeat=1)
        after = con.execute("SELECT count(*) FROM results").fetchall()[0][0]
    return {"raw": raw, "ours": ours, "rows": report.rows_loaded, "again": again, "again_status": rep.status,
            "same": same, "same_status": rep2.status, "new_rows": after - before}


SYNTHETIC = """
INSERT INTO benchmarks (benchmark_id, task, dataset, metric, direction, unit)
SELECT i, 'Task ' || (i % 50), 'Dataset ' || i, CASE WHEN i % 5 = 0 THEN 'Error' ELSE 'Accuracy' END,
       CASE WHEN i % 5 = 0 THEN 'lower' ELSE 'higher' END, 'percent'
FROM range(1, 1001) AS r(i);
INSERT INTO results
SELECT i, 'claim ' || i, CASE WHEN i % 3 = 0 THEN 'timm-csv' ELSE 'pwc-dump' END, 1 + i // 10000,
       'model ' || i, random() * 100, false, 'paper ' || i, NULL, NULL,
       CASE WHEN i % 10 = 0 THEN NULL ELSE DATE '2012-01-01' + CAST(random() * 5000 AS INTEGER) END,
       CASE WHEN i % 10 = 0 THEN 'unknown' ELSE 'day' END,
       CASE WHEN i % 4 = 0 THEN true WHEN i % 4 = 1 THEN false ELSE NULL END, NULL,
       TIMESTAMP '2019-01-01' + INTERVAL (i % 2000) DAY, TIMESTAMP '2019-01-01' + INTERVAL (i % 2000) DAY,
       TIMESTAMP '2025-01-01', CASE WHEN i % 20 = 0 THEN TIMESTAMP '2023-01-01' ELSE NULL END, 1, 1, NULL
FROM range(0, 10000000) AS r(i);
"""


def bench_asof(folder: Path) -> dict:
    path = folder / "synthetic.duckdb"
    with connect(path) as con:
        con.execute(SYNTHETIC)
    con = duckdb.connect(str(path), read_only=True)
    queries = {
        "all benchmarks": "SELECT count(*) FROM sota_as_of(DATE '2024-01-01')",
        "all, known_at": "SELECT count(*) FROM sota_as_of(DATE '2024-01-01', known_at := TIMESTAMP '2022-06-01')",
        "one benchmark": "SELECT * FROM sota_as_of(DATE '2024-01-01') WHERE task = 'Task 7' AND dataset = 'Dataset 457' AND metric = 'Accuracy'",
        "one leaderboard top 10": "SELECT * FROM leaderboard_as_of('Task 7', 'Dataset 457', 'Accuracy', DATE '2024-01-01') LIMIT 10",
    }
    figures = {}
    for name, query in queries.items():
        con.execute(query).fetchall()  # warm
        figures[name], _ = timed(lambda q=query: con.execute(q).fetchall(), repeat=7)
    con.close()
    return figures


def machine() -> str:
    cpu = next((l.split(":", 1)[1].strip() for l in Path("/proc/cpuinfo").read_text().splitlines() if l.startswith("model name")), "?")
    mem = next((l.split()[1] for l in Path("/proc/meminfo").read_text().splitlines() if l.startswith("MemTotal")), "0")
    return (f"{cpu}, {os.cpu_count()} cores, {int(mem) / 1024 / 1024:.0f} GiB; Python {platform.python_version()}, "
            f"DuckDB {duckdb.__version__}; {date.today()}")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        load = bench_load(folder)
        asof = bench_asof(folder)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    ok = lambda good: "met" if good else "MISSED"  # noqa: E731
    ratio = load["ours"] / load["raw"]
    lines = [
        "# Benchmarks", "", f"Machine: {machine()}. Peak RSS of the run: {rss:.0f} MiB.", "",
        "Run with `make bench` (medians; ratios are within one run, on a shared, noisy machine).", "",
        "| case | measured | target | |", "|---|---|---|---|",
        f"| (a) load the whole 2020 dump ({load['rows']} results) via `ingest` | {load['ours']:.2f} s | | |",
        f"| (a) DuckDB `read_json` of the same file into a table | {load['raw']:.2f} s | | |",
        f"| (a) ratio | {ratio:.2f}x | <= 3x | {ok(ratio <= 3)} |",
        f"| (b) load it again, later observed_at ({load['again_status']}) | {load['again']:.3f} s | <= 1 s | {ok(load['again'] <= 1)} |",
        f"| (b) again, same observed_at ({load['same_status']}) | {load['same']:.3f} s | <= 1 s | {ok(load['same'] <= 1)} |",
        f"| (b) new rows in `results` | {load['new_rows']} | 0 | {ok(load['new_rows'] == 0)} |",
    ]
    targets = {"all benchmarks": 0.100, "all, known_at": 0.100, "one benchmark": 0.010, "one leaderboard top 10": 0.010}
    for name, seconds in asof.items():
        lines.append(f"| (c) sota_as_of, 10M results / 1,000 benchmarks: {name} | {seconds * 1000:.1f} ms | "
                     f"<= {targets[name] * 1000:.0f} ms | {ok(seconds <= targets[name])} |")
    text = "\n".join(lines) + "\n"
    (REPO / "bench" / "RESULTS.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
