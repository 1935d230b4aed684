"""Small leaderboards written as Papers with Code task files, so warehouse tests run the real load path."""
from __future__ import annotations

import json
from pathlib import Path


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
