"""The report's files: the name each benchmark's page (and its feed and badge) takes, and writing a file whole or not at
all. Shared by the pages (`site`) and the feeds and badges (`syndication`)."""
from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

from flows.report import ReportError


def page_name(task: str, dataset: str, metric: str) -> str:
    """A file name for a benchmark's page: readable, safe whatever the names hold, and unique (a hash of them)."""
    readable = re.sub(r"[^a-z0-9]+", "-", f"{task} {dataset} {metric}".lower()).strip("-")[:70] or "benchmark"
    digest = hashlib.sha1(f"{task}\0{dataset}\0{metric}".encode()).hexdigest()[:8]
    return f"{readable}-{digest}.html"


def write_whole(path: Path, text: str) -> None:
    """Write a page whole or not at all, so a nightly regeneration never leaves half a page behind."""
    temporary = path.with_name(f".{path.name}.tmp")
    try:
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)
    except OSError as error:
        raise ReportError(f"cannot write {path}: {error.strerror or error}") from None


# what `page_name` makes, without its suffix: only files so named are ever removed
PAGE_STEM = r"[a-z0-9-]+-[0-9a-f]{8}"


def remove_unlisted(folder: Path, suffix: str, *, keep: set[str]) -> None:
    """The files `page_name` named in `folder` (pages, feeds, badges of benchmarks no longer watched, which would
    otherwise linger, linked from nowhere), but those in `keep`; whatever else someone keeps there is theirs."""
    for old in folder.glob(f"*.{suffix}"):
        if old.name not in keep and re.fullmatch(rf"{PAGE_STEM}\.{suffix}", old.name):
            old.unlink(missing_ok=True)
