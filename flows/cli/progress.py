"""A progress bar on stderr for the long commands (a backfill, a rebuild), with a line per step printed above it; on a
stderr that is not a terminal (a log file, CI, a pipe) the same lines are printed plainly and no bar is drawn."""
from __future__ import annotations

from typing import Self

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeRemainingColumn

from flows.cli.shared import complain, err


class ProgressLines:
    """`with ProgressLines("captures") as progress: progress.start(total); progress.step(line) ...`: the bar appears at
    `start` (once the total is known) and goes when the block ends; `note(line)` prints without advancing."""

    def __init__(self, what: str):
        self.what = what
        self._bar: Progress | None = None
        self._task: TaskID | None = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._bar is not None:
            self._bar.stop()

    def start(self, total: int) -> None:
        if not err.is_terminal or total == 0:
            return
        self._bar = Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
            console=err, transient=True,
        )
        self._task = self._bar.add_task(self.what, total=total)
        self._bar.start()

    def note(self, line: str) -> None:
        if self._bar is None:
            complain(line)
        else:
            self._bar.console.print(line, markup=False, highlight=False)

    def step(self, line: str) -> None:
        self.note(line)
        if self._bar is not None and self._task is not None:
            self._bar.advance(self._task)
