"""Waiting for other sota processes: how long (SOTA_LOCK_TIMEOUT), and one run at a time per warehouse.

DuckDB lets one process hold a database file at a time, so two commands already take turns on the file; but a run
opens it once per source and again to deliver alerts, and two runs taking turns source by source would each compare
with a SOTA the other is about to change and both deliver from one outbox. A run therefore holds an exclusive lock
on `<database>.run.lock` from its start to its end. The lock is an flock(2): the kernel drops it when its process
ends however it ends (SIGKILL included), so there is never a stale lock to clean up; the file stays, holding the pid
and start time of the last run for the message a waiting run prints.
"""
from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from flows.config import number_from_env
from warehouse.db import database_path
from warehouse.errors import WarehouseError

DEFAULT_WAIT_SECONDS = 10.0
_POLL_SECONDS = 0.25


class RunInProgressError(WarehouseError):
    """Another run holds this warehouse's run lock and did not end within the wait."""


def lock_wait_seconds() -> float:
    """How long to wait for another process holding the warehouse: SOTA_LOCK_TIMEOUT seconds, default 10."""
    return number_from_env("SOTA_LOCK_TIMEOUT", DEFAULT_WAIT_SECONDS, "seconds")


@contextmanager
def exclusive_run(
    database: str | os.PathLike | None, wait_seconds: float, on_wait: Callable[[str], None] | None = None
) -> Iterator[None]:
    """Hold the warehouse's run lock for the block; wait up to `wait_seconds` for a run holding it (telling
    `on_wait` once, with a line naming that run), then raise RunInProgressError."""
    target = database_path(database)
    lock = target.with_name(target.name + ".run.lock")
    if not lock.parent.is_dir():
        raise WarehouseError(f"cannot create {target}: the folder {lock.parent} does not exist")
    try:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as error:
        raise WarehouseError(f"cannot lock {lock}: {error.strerror}") from None
    try:
        _acquire(fd, lock, target, wait_seconds, on_wait)
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"pid {os.getpid()}, since {datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC\n".encode(), 0)
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _acquire(fd: int, lock: Path, target: Path, wait_seconds: float, on_wait: Callable[[str], None] | None) -> None:
    deadline = time.monotonic() + wait_seconds
    told = False
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "another process"
            if time.monotonic() >= deadline:
                raise RunInProgressError(
                    f"another sota run is using {target} ({holder}); waited {wait_seconds:g} s "
                    "(SOTA_LOCK_TIMEOUT): try again when it has ended"
                ) from None
            if on_wait is not None and not told:
                on_wait(f"waiting up to {wait_seconds:g} s for the sota run using {target} ({holder}) to end")
                told = True
            time.sleep(_POLL_SECONDS)
        except OSError as error:
            raise WarehouseError(f"cannot lock {lock}: {error.strerror}") from None
