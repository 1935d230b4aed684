"""The static report served beside the API: a folder given (`--site DIR`), or built from each served copy.

A built site is written by `flows.report.site.build_report` into a new folder per copy of the warehouse, then
swapped in whole, so a reader never sees half a rebuild; the folder before is deleted. Files are served from inside
the folder only (a path that resolves outside it is a 404).
"""
from __future__ import annotations

import logging
import shutil
import threading
from pathlib import Path

from flows.api.problems import NotReady, Problem
from flows.api.warehouse_view import Lease

log = logging.getLogger("sotawatch.api")


class ServedSite:
    """Where the site's files are now: a fixed folder, or the latest one built (None until the first is ready)."""

    def __init__(self, fixed: Path | None, work: Path | None, *, build: bool = True) -> None:
        self.fixed = fixed.resolve() if fixed is not None else None
        self.work = work
        self.build_enabled = build and fixed is None
        self._built: Path | None = None
        self._lock = threading.Lock()
        self.last_problem: str | None = None

    @property
    def root(self) -> Path | None:
        return self.fixed if self.fixed is not None else self._built

    def rebuild(self, lease: Lease) -> None:
        """The report built from the copy `lease` holds (called by the refresher after each new copy)."""
        if not self.build_enabled or self.work is None:
            return
        from flows.report.site import build_report  # matplotlib and Jinja2: paid for only when a site is built

        target = self.work / f"site-{lease.copy.generation}"
        try:
            # no time limit here: the report asks its questions once for all pages, on the refresher's thread
            with lease.copy.cursor_lock:
                cursor = lease.copy.con.cursor()
            try:
                build_report(cursor, target)
            finally:
                cursor.close()
        except Exception as error:
            self.last_problem = f"the site could not be built: {str(error).splitlines()[0] if str(error) else error}"
            log.exception("building the site from copy %d failed", lease.copy.generation)
            shutil.rmtree(target, ignore_errors=True)
            return
        with self._lock:
            old, self._built = self._built, target
        self.last_problem = None
        if old is not None and old != target:
            shutil.rmtree(old, ignore_errors=True)

    def file(self, path: str) -> Path:
        """The file to answer `path` with: the folder's index for a folder, a 404 for anything outside."""
        root = self.root
        if root is None:
            if self.fixed is None and not self.build_enabled:
                raise Problem(404, f"no such page: /{path[:200]}")
            raise NotReady(self.last_problem or "the site is being built; try again in a few seconds")
        try:
            wanted = (root / path).resolve()
        except (OSError, ValueError):  # a NUL byte, a loop of links
            raise Problem(404, f"no such page: /{path[:200]!r}") from None
        if not wanted.is_relative_to(root):
            raise Problem(404, f"no such page: /{path[:200]}")
        if wanted.is_dir():
            wanted = wanted / "index.html"
        if not wanted.is_file():
            raise Problem(404, f"no such page: /{path[:200]}")
        return wanted
