"""The alias registry's language-model rows (issue 15) are derived from Epoch AI's real model table by one rule, and
they make an undated name one model with its only dated snapshot in the warehouse."""
from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from pathlib import Path

from flows.ingest import ingest
from pipelines.llm_names import split_llm_name
from warehouse.frontier import model_aliases

_DATED = re.compile(r"-(?:20\d\d-\d\d-\d\d|20\d{6})$")


def _fold(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", name.lower())


def derived_aliases(model_table: str) -> set[tuple[str, str]]:
    """(model name, its one dated snapshot) for every model of Epoch's table whose versions are one dated snapshot."""
    versions: dict[str, set[str]] = defaultdict(set)
    for row in csv.DictReader(io.StringIO(model_table)):
        if row["Model"].strip():
            versions[row["Model"].strip()].add(split_llm_name(row["id"]).model)
    return {(name, next(iter(ids))) for name, ids in versions.items()
            if len(ids) == 1 and _DATED.search(next(iter(ids))) and _fold(name) != _fold(next(iter(ids)))}


def test_the_registry_holds_exactly_the_rows_the_rule_derives(shared_data: Path):
    table = (shared_data / "epoch-benchmarks-2025/model_versions.csv").read_text(encoding="utf-8-sig")
    derived = derived_aliases(table)
    _, rows = model_aliases()
    llm_rows = {(alias, canonical) for alias, canonical in rows if _DATED.search(canonical)}
    assert llm_rows == derived and len(derived) == 27
    assert ("Claude Opus 4.1", "claude-opus-4-1-20250805") in derived
    assert not any(alias in ("GPT-4o", "GPT-5", "Claude 3.5 Sonnet") for alias, _ in derived)  # two snapshots each


def test_an_undated_name_is_one_model_with_its_snapshot(db, shared_data: Path, tmp_path: Path):
    """Every Eval Ever's Claude Opus 4.1 ("anthropic/claude-opus-41") and Epoch's claude-opus-4-1-20250805 fold to one
    model key through the registry."""
    records = ingest(db, "eee", str(shared_data / "every-eval-ever"), observed_at="2026-03-01")
    runs = ingest(db, "epoch-runs", str(shared_data / "epoch-benchmarks-2025/benchmarks_runs.csv"),
                  observed_at="2025-12-03")
    # the three records and Epoch's runs load whole into one warehouse
    assert (records.status, records.rows_rejected, runs.status, runs.rows_loaded, runs.rows_rejected) == (
        "loaded", 0, "loaded", 775, 0)
    keys = db.execute(
        """SELECT DISTINCT r.model, coalesce(a.canonical, r.model)
           FROM results AS r LEFT JOIN model_aliases AS a ON a.alias_key = sw_model_key(r.model)
           WHERE sw_model_key(r.model) IN ('claudeopus41', 'claudeopus4120250805') ORDER BY 1""").fetchall()
    assert keys == [("claude-opus-4-1-20250805", "claude-opus-4-1-20250805"),
                    ("claude-opus-41", "claude-opus-4-1-20250805")]
