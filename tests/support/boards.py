"""Small leaderboards written as Papers with Code task files, so warehouse tests run the real load path."""
from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import duckdb


def board_file(folder: Path, name: str, boards: dict[tuple[str, str], list[dict]]) -> Path:
    """Write {(task, dataset): [row, ...]} as a task file; a row is {model, metrics, date?, paper?, extra?}."""
    tasks: dict[str, list] = {}
    for (task, dataset), rows in boards.items():
        tasks.setdefault(task, []).append(
            {
                "dataset": dataset,
                "sota": {
                    "metrics": sorted({m for row in rows for m in row["metrics"]}),
                    "rows": [
                        {
                            "model_name": row["model"],
                            "metrics": row["metrics"],
                            "paper_title": row.get("paper", f"Paper of {row['model']}"),
                            "paper_url": row.get("url", ""),
                            "paper_date": row.get("date"),
                            **({"uses_additional_data": row["extra"]} if "extra" in row else {}),
                        }
                        for row in rows
                    ],
                },
            }
        )
    document = [{"task": task, "datasets": datasets, "subtasks": []} for task, datasets in tasks.items()]
    path = folder / name
    path.write_text(json.dumps(document))
    return path


def board_warehouse(folder: Path) -> tuple[Callable, Callable]:
    """(load, query) on one warehouse file in `folder`: `load(name, boards, **settings)` writes the boards as a task
    file and ingests it (`flows.ingest.ingest` settings: lineage, observed_at, after_load, ...); `query(sql)` answers
    from a separate read-only connection, as any DuckDB client would, without this package."""
    from flows.ingest import ingest
    from warehouse.db import connect

    path = folder / "sota.duckdb"

    def load(name: str, boards: dict[tuple[str, str], list[dict]], **settings):
        with connect(path) as con:
            return ingest(con, "pwc-dump", str(board_file(folder, name, boards)), **settings)

    def query(sql: str) -> list[tuple]:
        reader = duckdb.connect(str(path), read_only=True)
        try:
            return reader.execute(sql).fetchall()
        finally:
            reader.close()

    return load, query
