"""(f) The questions, the report and the charts on the tour's warehouse (the README's "A five-minute tour": the 2019
hand copy, the 2020 dump, then step 5's OpenCodePapers board and the 2023 PwC page), each timed in-process through
`flows.cli.main`, so Python's start-up and imports are left out: one warm-up run (it pays for the imports), then the
median of three. bench/run.py writes the lines to RESULTS.md.

    python bench/cli.py            # builds the warehouse in a temporary folder and prints the rows
"""
from __future__ import annotations

import contextlib
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from flows.cli.app import main  # noqa: E402

IMAGENET_TOP1 = ["--task", "Image Classification", "--dataset", "ImageNet", "--metric", "Top 1 Accuracy"]
# the tour's loads, in its order: (payload under the data folder, the rest of `sota load`'s arguments)
LOADS = [
    ("pwc-imagenet-2019-handcopy/imagenet_table.csv",
     ["--source", "csv", "--name", "pwc-handcopy", "--task", "Image Classification", "--dataset", "ImageNet",
      "--observed-at", "2019-11-13"]),
    ("pwc-dump-2020-08-28/evaluation-tables.json.gz",
     ["--source", "pwc-dump", "--name", "pwc", "--observed-at", "2020-08-28"]),
    ("opencodepapers/image-classification-on-imagenet.json",
     ["--source", "opencodepapers", "--name", "opencodepapers", "--observed-at", "2025-11-30"]),
    ("pwc-sota-page/image-classification-on-imagenet@2023-12-07.json", ["--source", "pwc-page", "--name", "pwc"]),
]
# (command, its arguments, the limit in seconds): the README's, and the listings whole (every benchmark, every
# conflict, the SOTA of every benchmark); "{out}" is a path in the temporary folder
COMMANDS = [
    ("benchmarks", [], 0.5),
    ("benchmarks", ["--search", "mpjpe", "--dataset", "human3.6m", "--why"], 0.5),
    ("benchmarks", ["--direction", "unknown", "--why"], 0.5),
    ("conflicts", [], 0.5),
    ("conflicts", ["--dataset", "ImageNet"], 0.5),
    ("asof", ["2019-06-01"], 0.5),
    ("asof", ["2019-06-01", *IMAGENET_TOP1], 0.5),
    ("asof", ["2019-12-01", "--dataset", "imagenet", "--metric", "top-1 accuracy", "--known-at", "2019-12-01"], 0.5),
    ("asof", ["2020-09-01", "--dataset", "ImageNet", "--metric", "Top 1 Accuracy", "--no-extra-data", "--json"], 0.5),
    ("leaderboard", [*IMAGENET_TOP1, "--as-of", "2020-01-01", "--top", "5"], 0.5),
    ("leaderboard", [*IMAGENET_TOP1, "--as-of", "2025-11-30", "--known-at", "2025-11-30", "--with-code",
                     "--top", "6"], 0.5),
    ("report", ["-o", "{out}/report", "--as-of", "2019-12-01"], 5.0),
    ("plot", [*IMAGENET_TOP1, "--known-at", "2019-12-01", "-o", "{out}/imagenet-top1.png"], 1.5),
    ("plot", ["--task", "Image Classification", "--dataset", "ImageNet", "--metric", "Top 5 Accuracy", "--error",
              "--log", "-o", "{out}/imagenet-top5-error.svg"], 1.5),
]


def _sota(argv: list[str]) -> str:
    """`sota ARGV` in this process, its output swallowed; a failure stops the bench with what it said."""
    said = io.StringIO()
    with contextlib.redirect_stdout(said), contextlib.redirect_stderr(said):
        status = main(argv)
    if status != 0:
        raise RuntimeError(f"sota {' '.join(argv)} exited {status}: {said.getvalue()[-2000:]}")
    return said.getvalue()


def build_tour(folder: Path, data: Path) -> Path:
    """The tour's warehouse in `folder`, loaded with `sota load` as the README does."""
    db = folder / "tour.duckdb"
    for payload, arguments in LOADS:
        _sota(["load", str(data / payload), *arguments, "--db", str(db)])
    return db


def bench_cli(folder: Path, data: Path) -> dict:
    db = build_tour(folder, data)
    timings = []
    for command, arguments, limit in COMMANDS:
        argv = [command, *[a.format(out=folder) for a in arguments], "--db", str(db)]
        _sota(argv)  # the warm-up: imports, DuckDB's first open of the file, matplotlib's fonts
        runs = []
        for _ in range(3):
            started = time.perf_counter()
            _sota(argv)
            runs.append(time.perf_counter() - started)
        timings.append({"command": command, "arguments": arguments, "seconds": statistics.median(runs),
                        "limit": limit})
    return {"timings": timings}


def _shown(command: str, arguments: list[str]) -> str:
    """The command as typed in the README (quoted where a word holds a space, the temporary folder left out)."""
    return " ".join(["sota", command] + [f'"{a}"' if " " in a else a.replace("{out}/", "") for a in arguments])


def cli_lines(found: dict) -> list[str]:
    return [
        f"| (f) `{_shown(t['command'], t['arguments'])}` on the tour's warehouse | {t['seconds']:.2f} s "
        f"| <= {t['limit']:g} s | {'met' if t['seconds'] <= t['limit'] else 'MISSED'} |"
        for t in found["timings"]
    ]


if __name__ == "__main__":
    data = Path(os.environ.get("SOTAWATCH_DATA", REPO.parent / "shared" / "data"))
    with tempfile.TemporaryDirectory() as folder:
        print("\n".join(cli_lines(bench_cli(Path(folder), data))))
