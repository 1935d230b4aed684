"""(d) `sota rebuild` of a warehouse holding every real payload the sources read, against loading them one by one,
and whether the rebuilt record is the same (bench/run.py writes the lines to RESULTS.md)."""
from __future__ import annotations

import time
from datetime import date
from pathlib import Path

from flows.ingest import ingest
from flows.rebuild import rebuild_warehouse
from warehouse.db import connect

IMAGENET = {"task": "Image Classification", "dataset": "ImageNet"}
_TIMM = ("2019-07-25", "2020-02-01", "2021-05-11", "2022-03-29", "2023-05-24", "2024-08-22")
_ROBUST_IMAGENET = ("2021-08-28", "2021-10-27", "2022-09-28", "2023-04-11", "2024-03-20", "2024-06-26")
_ROBUST_CIFAR = ("2021-04-08", "2022-02-17", "2023-02-13", "2024-03-20", "2025-02-05")
_EPOCH = ("mmlu", "gsm8k", "hellaswag", "arc_ai2", "triviaqa", "lambada", "piqa", "boolq")
# (kind, path under the data folder, lineage, observed_at or None for the file name's date, options), in the order a
# user might load them: history of one lineage after another, not in observed order across lineages
PAYLOADS = [
    ("csv", "pwc-imagenet-2019-handcopy/imagenet_table.csv", "pwc", "2019-11-13", IMAGENET),
    ("pwc-dump", "pwc-dump-2020-08-28/evaluation-tables.json.gz", "pwc", "2020-08-28", {}),
    ("pwc-page", "pwc-sota-page/image-classification-on-imagenet@2023-12-07.json", "pwc", None, {}),
    ("opencodepapers", "opencodepapers/image-classification-on-imagenet.json", "opencodepapers", "2025-11-30", {}),
    *[("timm-csv", f"timm-results/history/results-imagenet@{d}.csv", "timm", None, {}) for d in _TIMM],
    *[("robustbench-html", f"robustbench/history/imagenet_Linf@{d}.html", "robustbench-imagenet", None, {})
      for d in _ROBUST_IMAGENET],
    *[("robustbench-html", f"robustbench/history/cifar10_Linf@{d}.html", "robustbench-cifar10", None, {})
      for d in _ROBUST_CIFAR],
    *[("pwc-dump", f"pwc-sota-extractor/history/squad@{d}.json", "squad", None, {})
      for d in ("2019-01-03", "2019-03-27", "2021-05-20")],
    *[("epoch-csv", f"epoch-benchmarks-2025/external_benchmark_{name}.csv", f"epoch-{name}", "2025-06-01", {})
      for name in _EPOCH],
    ("ilsvrc-csv", "ilsvrc-winners/imagenet.csv", "ilsvrc", "2020-09-04", {}),
    *[("model-index", f"timm-model-index/{card}.mdx", f"timm-docs-{card}", "2021-06-01", {})
      for card in ("resnet", "efficientnet")],
]

RECORD = {
    "versions": "SELECT r.source, b.task, b.dataset, b.metric, r.claim_key, r.model, r.value, r.is_suspect,"
                " r.has_code, r.published_on, r.first_seen_at, r.last_seen_at, r.removed_at"
                " FROM results AS r JOIN benchmarks AS b USING (benchmark_id)",
    "snapshots": "SELECT source, kind, observed_at, status, rows_loaded, rows_rejected, results_new, results_changed,"
                 " results_removed FROM snapshots",
    "directions": "SELECT task, dataset, metric, direction, direction_why FROM benchmarks",
    "consolidated": "SELECT benchmark_id, model, value, sources, seen_from, removed_at FROM consolidated_results",
    "latest answers": "SELECT * EXCLUDE (result_id, consolidated_id) FROM sota_as_of(DATE '2026-01-01')",
    "answers known 2021-06-01": "SELECT task, dataset, metric, model, value, source"
                                " FROM sota_as_of(DATE '2021-06-01', known_at := DATE '2021-06-01')",
}


def _record(path: Path) -> dict[str, list[tuple]]:
    with connect(path, read_only=True) as con:
        return {name: sorted(con.execute(sql).fetchall(), key=repr) for name, sql in RECORD.items()}


def bench_rebuild(folder: Path, data: Path) -> dict:
    path = folder / "all-payloads.duckdb"
    started = time.perf_counter()
    with connect(path) as con:
        for kind, relative, lineage, observed_at, options in PAYLOADS:
            ingest(con, kind, str(data / relative), lineage=lineage, observed_at=observed_at, options=options)
    loaded = time.perf_counter() - started
    before = _record(path)
    started = time.perf_counter()
    report = rebuild_warehouse(path, date.today(), wait_seconds=10)
    rebuilt = time.perf_counter() - started
    after = _record(path)
    return {
        "payloads": len(PAYLOADS), "lineages": len({p[2] for p in PAYLOADS}), "versions": len(before["versions"]),
        "loaded": loaded, "rebuilt": rebuilt, "statuses": report.summary(),
        "differs": [name for name in RECORD if before[name] != after[name]],
    }


def rebuild_lines(found: dict) -> list[str]:
    same = not found["differs"]
    return [
        f"| (d) load every real payload one by one ({found['payloads']} payloads, {found['lineages']} lineages, "
        f"{found['versions']:,} result versions) | {found['loaded']:.1f} s | | |",
        f"| (d) `sota rebuild` of that warehouse from its stored payloads | {found['rebuilt']:.1f} s | | |",
        f"| (d) the rebuilt record: versions, snapshots, directions, consolidated results, answers | "
        f"{'the same' if same else 'differs in ' + ', '.join(found['differs'])} | the same | "
        f"{'met' if same else 'MISSED'} |",
    ]
