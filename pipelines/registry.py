"""The source registry: one line per source, mapping its registered name to the module that implements it.

Each module exposes `SOURCE`, a `pipelines.source.SourceSpec`. Modules are imported lazily so that a broken or
heavy source never stops the others from loading.
"""
from __future__ import annotations

import importlib

from pipelines.source import SourceSpec

SOURCE_MODULES: dict[str, str] = {
    "pwc-dump": "pipelines.pwc_dump",
    "pwc-page": "pipelines.pwc_page",
    "csv": "pipelines.csv_table",
    "timm-csv": "pipelines.timm_csv",
    "robustbench-html": "pipelines.robustbench",
    "html-table": "pipelines.html_table",
    "ilsvrc-csv": "pipelines.ilsvrc",
    "model-index": "pipelines.model_index",
    "epoch-csv": "pipelines.epoch_csv",
    "pwc-api": "pipelines.pwc_api",
    "arxiv": "pipelines.arxiv",
    "opencodepapers": "pipelines.opencodepapers",
    "eee": "pipelines.eee",
    "epoch-runs": "pipelines.epoch_runs",
    "hf-eval-results": "pipelines.hf_eval_results",
}


class UnknownSourceError(LookupError):
    def __init__(self, name: str):
        known = ", ".join(sorted(SOURCE_MODULES))
        super().__init__(f"unknown source {name!r} (known: {known})")


def get_source(name: str) -> SourceSpec:
    try:
        module_name = SOURCE_MODULES[name]
    except KeyError:
        raise UnknownSourceError(name) from None
    return importlib.import_module(module_name).SOURCE


def source_names() -> list[str]:
    return sorted(SOURCE_MODULES)
