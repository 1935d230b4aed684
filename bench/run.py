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
from warehouse.frontier import rebuild_frontier  # noqa: E402

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
INSERT INTO benchmarks (benchmark_id, task, dataset, metric, direction, unit, benchmark_key, board_key)
SELECT i, 'Task ' || (i % 50), 'Dataset ' || i, CASE WHEN i % 5 = 0 THEN 'Error' ELSE 'Accuracy' END,
       CASE WHEN i % 5 = 0 THEN 'lower' ELSE 'higher' END, 'percent', 'benchmark ' || i, 'board ' || i
FROM range(1, 1001) AS r(i);
INSERT INTO results
SELECT i, 'claim ' || i, CASE WHEN i % 3 = 0 THEN 'timm-csv' ELSE 'pwc-dump' END, 1 + i // 10000,
       'model ' || i, random() * 100, false, 'paper ' || i, NULL, NULL,
       CASE WHEN i % 10 = 0 THEN NULL ELSE DATE '2012-01-01' + CAST(random() * 5000 AS INTEGER) END,
       CASE WHEN i % 10 = 0 THEN 'unknown' ELSE 'day' END,
       CASE WHEN i % 4 = 0 THEN true WHEN i % 4 = 1 THEN false ELSE NULL END, NULL,
       TIMESTAMP '2019-01-01' + INTERVAL (i % 2000) DAY, TIMESTAMP '2019-01-01' + INTERVAL (i % 2000) DAY,
       TIMESTAMP '2025-01-01', CASE WHEN i % 20 = 0 THEN TIMESTAMP '2023-01-01' ELSE NULL END, 1, 1, NULL, NULL
FROM range(0, 10000000) AS r(i);
"""


def bench_asof(folder: Path) -> dict:
    path = folder / "synthetic.duckdb"
    with connect(path) as con:
        start = time.perf_counter()
        con.execute(SYNTHETIC)
        built = time.perf_counter() - start
        # rows written by hand, not by a load: the derived frontier is rebuilt once, as after a migration
        start = time.perf_counter()
        rebuild_frontier(con)
        rebuilt = time.perf_counter() - start
    con = duckdb.connect(str(path), read_only=True)
    queries = {
        "all benchmarks": "SELECT count(*) FROM sota_as_of(DATE '2024-01-01')",
        "all, known_at": "SELECT count(*) FROM sota_as_of(DATE '2024-01-01', known_at := TIMESTAMP '2022-06-01')",
        "all benchmarks, every column": "SELECT * FROM sota_as_of(DATE '2024-01-01')",
        "all, no extra data": "SELECT * FROM sota_as_of(DATE '2024-01-01', extra_data := false)",
        "one benchmark": "SELECT * FROM sota_as_of(DATE '2024-01-01') WHERE task = 'Task 7' AND dataset = 'Dataset 457' AND metric = 'Accuracy'",
        "one benchmark, known_at": "SELECT * FROM sota_as_of(DATE '2024-01-01', known_at := TIMESTAMP '2022-06-01') WHERE task = 'Task 7' AND dataset = 'Dataset 457' AND metric = 'Accuracy'",
        "one leaderboard top 10": "SELECT * FROM leaderboard_as_of('Task 7', 'Dataset 457', 'Accuracy', DATE '2024-01-01') LIMIT 10",
    }
    figures = {}
    for name, query in queries.items():
        con.execute(query).fetchall()  # warm
        figures[name], _ = timed(lambda q=query: con.execute(q).fetchall(), repeat=15)
    con.close()
    return figures, built, rebuilt


NOTES = """
## How to read these

- (a) runs the whole path (gunzip, JSON, parse, normalise, pandera, one load transaction) against DuckDB's own
  `read_json` of the same file, three times each, medians. About half of `ingest` is `normalize_rows`, a third
  `parse_pwc_dump` (gunzip and `json.loads` included); the load itself is about a sixth.
- (b) the same bytes are recognised by their sha256 before parsing: a later `observed_at` records an `unchanged`
  snapshot and moves `last_seen_at`; the same `observed_at` writes nothing.
- (c) 10M synthetic results are written by SQL (clustered by benchmark, as loads write them; 5% removed versions,
  10% without a date, a mix of directions and extra-data flags), then the SOTA frontier is rebuilt once
  (`warehouse.frontier.rebuild_frontier`; a load refreshes it only for the benchmarks it touched). By latest
  knowledge `sota_as_of` reads the frontier (a few rows per benchmark per filter), so the scan of 10M rows is gone;
  what remains for one benchmark is mostly DuckDB binding and optimising the macro (about 4-5 ms), which is why that
  figure sits near its 10 ms target and moves with the machine's load. `known_at` in the past reads the versions
  themselves (every row), hence hundreds of ms for all benchmarks; with a filter on one benchmark the filter reaches
  the scan and row groups are skipped. The leaderboard of one synthetic board ranks about 10,000 rows (real boards
  have at most a few hundred).
"""


def machine() -> str:
    cpu = next((l.split(":", 1)[1].strip() for l in Path("/proc/cpuinfo").read_text().splitlines() if l.startswith("model name")), "?")
    mem = next((l.split()[1] for l in Path("/proc/meminfo").read_text().splitlines() if l.startswith("MemTotal")), "0")
    return (f"{cpu}, {os.cpu_count()} cores, {int(mem) / 1024 / 1024:.0f} GiB; Python {platform.python_version()}, "
            f"DuckDB {duckdb.__version__}; {date.today()}")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        load = bench_load(folder)
        asof, built, rebuilt = bench_asof(folder)
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
    # the targets; the other figures are reported for the record (known_at reads every version)
    targets = {"all benchmarks": 0.100, "all benchmarks, every column": 0.100, "all, no extra data": 0.100,
               "one benchmark": 0.010}
    lines.append(f"| (c) building 10M synthetic results by SQL / rebuilding the frontier from them | "
                 f"{built:.1f} s / {rebuilt:.1f} s | | |")
    for name, seconds in asof.items():
        target = targets.get(name)
        verdict = f"<= {target * 1000:.0f} ms | {ok(seconds <= target)}" if target else "(no target) |"
        lines.append(f"| (c) 10M results / 1,000 benchmarks: {name} | {seconds * 1000:.1f} ms | {verdict} |")
    text = "\n".join(lines) + "\n" + NOTES
    (REPO / "bench" / "RESULTS.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
