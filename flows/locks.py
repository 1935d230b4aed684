"""Waiting for other sota processes: how long (SOTA_LOCK_TIMEOUT), and one run at a time per warehouse.

DuckDB lets one process hold a database file at a time, so two commands already take turns on the file; but a run
opens it once per source and again to deliver alerts, and two runs taking turns source by source would each compare
with a SOTA the other is about to change and both deliver from one outbox. A run therefore holds an exclusive lock
on `<database>.run.lock` from its start to its end. The lock is an flock(2): the kernel drops it when its process
ends however it ends (SIGKILL included), so there is never a stale lock to clean up; the file stays, holding the pid
and start time of the last run for the message a waiting run prints.

A lake (issue 16) is written by many processes on many machines, so a file lock beside it means nothing. There the turns
are Prefect global concurrency limits of one slot, on the Prefect server every worker reports to: one run at a time
delivers from the lake's outbox (`exclusive_run`), and one load at a time per lineage (`lineage_turn`), while loads of
different lineages run at once (their commits take turns in the lake: `warehouse.statements.transaction`). A slot is a
lease the holder renews: a process killed while holding one gives it back when the lease runs out.
"""
from __future__ import annotations

import fcntl
import hashlib
import os
import re
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, nullcontext
from datetime import UTC, datetime
from pathlib import Path

from flows.config import number_from_env
from warehouse.db import database_path, warehouse_location
from warehouse.lake import is_lake, parse_lake_location
from warehouse.errors import WarehouseError

DEFAULT_WAIT_SECONDS = 10.0
_POLL_SECONDS = 0.25
# How long a lake's turn outlives a holder that stopped renewing it (a killed worker): the wait a rerun may have.
LEASE_SECONDS = 60.0


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
    `on_wait` once, with a line naming that run), then raise RunInProgressError. On a lake, the lake's run turn."""
    chosen = warehouse_location(database)
    if is_lake(chosen):
        with prefect_turn(f"sotawatch-run-{_lake_tag(chosen)}", wait_seconds, on_wait,
                          f"another sota run delivering from {parse_lake_location(chosen).describe()}"):
            yield
        return
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


def lineage_turn(database: str | os.PathLike | None, lineage: str, wait_seconds: float | None = None):
    """The block as the only load of `lineage` into a lake (its payloads are one record, in observed order); on a
    file, the run lock already makes every load take its turn, and this holds nothing."""
    chosen = warehouse_location(database)
    if not is_lake(chosen):
        return nullcontext()
    name = f"sotawatch-lineage-{_lake_tag(chosen)}-{re.sub(r'[^A-Za-z0-9_.-]', '_', lineage)}"
    return prefect_turn(name, wait_seconds, None, f"another load of the lineage {lineage}")


def _lake_tag(location: str) -> str:
    """A short name of one lake, so that lakes sharing a Prefect server never wait for each other."""
    lake = parse_lake_location(location)
    return hashlib.sha256(f"{lake.catalog} {lake.data_path}".encode()).hexdigest()[:10]


@contextmanager
def prefect_turn(name: str, wait_seconds: float | None, on_wait: Callable[[str], None] | None,
                 holder: str) -> Iterator[None]:
    """The one slot of the Prefect global concurrency limit `name` (made if missing) for the block; waiting up to
    `wait_seconds` (None: as long as it takes), then RunInProgressError naming `holder`. `on_wait` is not told: Prefect
    does not say whether it waits."""
    from prefect.concurrency.sync import concurrency

    _ensure_one_slot_limit(name)
    with ExitStack() as held:
        try:
            held.enter_context(concurrency(name, occupy=1, timeout_seconds=wait_seconds, lease_duration=LEASE_SECONDS,
                                           strict=True))
        except TimeoutError:
            raise RunInProgressError(f"{holder} holds {name}; waited {wait_seconds:g} s (SOTA_LOCK_TIMEOUT): try "
                                     "again when it has ended") from None
        yield


def _ensure_one_slot_limit(name: str) -> None:
    """Make the limit `name` of one slot unless it exists. Prefect's upsert reads, then creates: two processes taking
    a new lake's first turn at once both find it missing, and the later create fails with ObjectAlreadyExists. That
    one was made by the other process, of one slot too, so it is what this process wanted."""
    from prefect.client.orchestration import get_client
    from prefect.exceptions import ObjectAlreadyExists

    with get_client(sync_client=True) as client:
        try:
            client.upsert_global_concurrency_limit_by_name(name, 1)
        except ObjectAlreadyExists:
            pass
