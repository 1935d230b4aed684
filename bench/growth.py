"""(e) Ingest at 1x, 2x, 5x and 10x the 2020 dump, against DuckDB's own `read_json` of the same file: time and peak
RSS, each measured in a fresh process (bench/run.py writes the table and the plot into RESULTS.md).

The scaled dumps repeat the 2020 dump's tasks under renamed tasks ("<task> (copy 2)"), so every board is new and the
warehouse grows with the file, as a nightly run of the final archive (about seven times the 2020 dump) meets it.
"""
from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FACTORS = (1, 2, 5, 10)

# Each measured step runs alone in a fresh interpreter, which prints its wall time and its own peak RSS: VmHWM, the
# high-water mark of its address space, which starts anew at exec (getrusage's ru_maxrss would carry over the RSS of
# the benchmark process it was forked from, 7 GiB after (c)).
_MEASURE = """
import json, sys, time
sys.path.insert(0, {repo!r})
started = time.perf_counter()
{body}
elapsed = time.perf_counter() - started
with open("/proc/self/status") as status:
    peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
print(json.dumps({{"seconds": elapsed, "rss_mib": peak / 1024}}))
"""
# Both steps start their clocks after their imports: what is compared is the work on the file.
_READ_JSON = """
import duckdb
started = time.perf_counter()
con = duckdb.connect({db!r})
con.execute("CREATE TABLE t AS SELECT * FROM read_json(?, maximum_object_size=1000000000)", [{dump!r}])
con.close()
"""
_INGEST = """
from flows.ingest import ingest
from warehouse.db import connect
started = time.perf_counter()
with connect({db!r}) as con:
    report = ingest(con, "pwc-dump", {dump!r}, observed_at={observed_at!r})
print(json.dumps({{"status": report.status, "rows": report.rows_loaded}}))
"""


def scaled_dump(source: Path, factor: int, folder: Path) -> Path:
    """The dump with its tasks repeated `factor` times, the copies renamed, gzipped like the original."""
    target = folder / f"evaluation-tables-x{factor}.json.gz"
    if target.exists():
        return target
    tasks = json.loads(gzip.decompress(source.read_bytes()))
    scaled = list(tasks)
    for copy in range(2, factor + 1):
        scaled.extend(_renamed(task, f" (copy {copy})") for task in tasks)
    target.write_bytes(gzip.compress(json.dumps(scaled).encode(), compresslevel=6))
    return target


def _renamed(task: dict, suffix: str) -> dict:
    return {**task, "task": task["task"] + suffix, "subtasks": [_renamed(t, suffix) for t in task.get("subtasks") or []]}


def measure(body: str) -> dict:
    """Run `body` in a fresh interpreter; its wall time, peak RSS and whatever it printed as JSON lines."""
    done = subprocess.run([sys.executable, "-c", _MEASURE.format(repo=str(REPO), body=body)], capture_output=True,
                          text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"a measured step failed: {done.stderr.strip().splitlines()[-1:]}")
    found: dict = {}
    for line in done.stdout.splitlines():
        if line.startswith("{"):
            found.update(json.loads(line))
    return found


def bench_growth(folder: Path, source: Path, factors: tuple[int, ...] = FACTORS) -> list[dict]:
    rows = []
    for factor in factors:
        dump = str(scaled_dump(source, factor, folder))
        raw = measure(_READ_JSON.format(db=str(folder / f"raw-x{factor}.duckdb"), dump=dump))
        db = str(folder / f"ours-x{factor}.duckdb")
        ours = measure(_INGEST.format(db=db, dump=dump, observed_at="2020-08-28"))
        again = measure(_INGEST.format(db=db, dump=dump, observed_at="2020-09-28"))
        rows.append({"factor": factor, "mib": Path(dump).stat().st_size / 2**20, "raw": raw, "ours": ours,
                     "again": again})
    return rows


if __name__ == "__main__":
    import tempfile

    factors = tuple(int(f) for f in sys.argv[1:]) or FACTORS
    data = Path(__import__("os").environ.get("SOTAWATCH_DATA", REPO.parent / "shared" / "data"))
    with tempfile.TemporaryDirectory() as tmp:
        for row in bench_growth(Path(tmp), data / "pwc-dump-2020-08-28" / "evaluation-tables.json.gz", factors):
            print(json.dumps(row))


def growth_lines(rows: list[dict]) -> list[str]:
    """The (e) rows of RESULTS.md: one per scale, then the targets at 1x and 10x."""
    lines = []
    for row in rows:
        raw, ours, again = row["raw"], row["ours"], row["again"]
        lines.append(
            f"| (e) {row['factor']}x the 2020 dump ({row['mib']:.1f} MiB gzip, {ours['rows']:,} results): ingest / "
            f"`read_json`, time and peak RSS | {ours['seconds']:.2f} s / {raw['seconds']:.2f} s "
            f"({ours['seconds'] / raw['seconds']:.2f}x); {ours['rss_mib']:,.0f} / {raw['rss_mib']:,.0f} MiB | | |"
        )
    by_factor = {row["factor"]: row for row in rows}
    for factor in (1, 10):
        if factor in by_factor:
            ratio = by_factor[factor]["ours"]["seconds"] / by_factor[factor]["raw"]["seconds"]
            lines.append(f"| (e) {factor}x: ingest time / `read_json` time | {ratio:.2f}x | <= 2x | "
                         f"{'met' if ratio <= 2 else 'MISSED'} |")
    if 10 in by_factor:
        rss, again = by_factor[10]["ours"]["rss_mib"], by_factor[10]["again"]["seconds"]
        lines.append(f"| (e) 10x: peak RSS of the ingest | {rss:,.0f} MiB | <= 1,024 MiB | "
                     f"{'met' if rss <= 1024 else 'MISSED'} |")
        lines.append(f"| (e) 10x: the same payload again (unchanged: only `last_seen_at` moves) | {again:.2f} s | <= 1 s | "
                     f"{'met' if again <= 1 else 'MISSED'} |")
    return lines


def plot_growth(rows: list[dict], target: Path) -> None:
    """Time and peak RSS against the scale, ours beside `read_json`'s, with the linear extrapolation of 1x dotted."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    factors = [row["factor"] for row in rows]
    figure, (left, right) = plt.subplots(1, 2, figsize=(9, 3.6), dpi=110)
    for axis, key, unit, title in ((left, "seconds", "s", "time"), (right, "rss_mib", "MiB", "peak RSS")):
        for who, style in (("ours", "o-"), ("raw", "s--")):
            values = [row[who][key] for row in rows]
            axis.plot(factors, values, style, label="sota ingest" if who == "ours" else "DuckDB read_json")
        first = rows[0]["ours"][key] / rows[0]["factor"]
        axis.plot(factors, [first * f for f in factors], ":", color="grey", label="linear from 1x")
        axis.set_xlabel("times the 2020 dump")
        axis.set_ylabel(unit)
        axis.set_title(title)
        axis.set_xticks(factors)
        axis.grid(alpha=0.3)
    left.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(target)
    plt.close(figure)
