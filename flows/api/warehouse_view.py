"""The copy of the warehouse the API answers from, kept current without ever blocking the nightly writer.

DuckDB lets one process write a file, and while it does no other process can open it, even read-only; a read-only
connection held open by the API would in turn keep the nightly run from writing. So the API never keeps the file
open: when the file's (mtime, size) changes and it can be opened read-only (no writer holds it), it is copied (with
its .wal, if any) into a private folder while that read-only connection is held, so no writer starts mid-copy (as
`flows.rebuild` copies the file under a read-only holder), and the holder is closed at once. The copy is opened
read-only, locked down (no files, no extensions) and swapped in for the one served; the old copy is closed and
deleted once the requests still using it end. While a writer holds the file, the previous copy keeps answering.

Each request takes a `Lease` on the copy current when it arrived, so its ETag and its rows come from one copy. A
query runs on a cursor of its own with a timer that interrupts it (DuckDB has no statement timeout).
"""
from __future__ import annotations

import hashlib
import logging
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TypeVar

import duckdb

from flows.api.problems import NotReady, QueryTimeout
from flows.dates import utc_now
from warehouse import queries
from warehouse.db import connect, database_path
from warehouse.errors import WarehouseError

log = logging.getLogger("sotawatch.api")
T = TypeVar("T")
MEMO_ENTRIES = 10_000  # answers remembered per copy at most: typed names are anyone's text

# What may be remembered for the copy a query runs on (resolved names: a third of an answer's time, the same for
# as long as the copy is served). Set by `Lease.query` for the thread running `ask`; None outside a lease.
copy_memo: ContextVar[dict | None] = ContextVar("copy_memo", default=None)


@dataclass
class ServedCopy:
    """One private, read-only copy of the warehouse and what identifies it."""

    path: Path
    con: duckdb.DuckDBPyConnection
    file_identity: tuple[int, int]  # the original's (mtime_ns, size) when copied
    last_snapshot_id: int | None
    last_loaded_at: datetime | None
    generation: int
    in_flight: int = 0
    retired: bool = False
    memo: dict = field(default_factory=dict)
    cursor_lock: threading.Lock = field(default_factory=threading.Lock)

    def etag(self, today: str) -> str:
        """Strong validator: the last committed load, the file it came from, and the day (answers default to today)."""
        seed = f"{self.last_snapshot_id}|{self.last_loaded_at}|{self.file_identity}|{today}"
        return '"' + hashlib.sha256(seed.encode()).hexdigest()[:20] + '"'

    def close(self) -> None:
        try:
            self.con.close()
        finally:
            for leftover in (self.path, self.path.with_name(self.path.name + ".wal")):
                leftover.unlink(missing_ok=True)


@dataclass(frozen=True)
class Lease:
    """A request's hold on one copy: queries through it are bounded in time."""

    copy: ServedCopy
    query_seconds: float

    def query(self, ask: Callable[[duckdb.DuckDBPyConnection], T]) -> T:
        """`ask` run on a fresh cursor of the copy, interrupted after `query_seconds`."""
        with self.copy.cursor_lock:  # DuckDB's cursor() is not documented as safe from several threads at once
            cursor = self.copy.con.cursor()
        expired = threading.Event()

        def stop() -> None:
            expired.set()
            cursor.interrupt()

        timer = threading.Timer(self.query_seconds, stop)
        timer.daemon = True
        timer.start()
        remembered = copy_memo.set(self.copy.memo)
        try:
            answer = ask(cursor)
        except duckdb.InterruptException:
            raise QueryTimeout(self.query_seconds) from None
        finally:
            copy_memo.reset(remembered)
            timer.cancel()
            cursor.close()
        if expired.is_set():
            # the timer fired between two statements, where an interrupt stops nothing: the answer still came late
            raise QueryTimeout(self.query_seconds)
        return answer


def file_identity(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size


class WarehouseView:
    """The served copy of `database`, refreshed by `refresh()` (a background thread calls it every `interval` s)."""

    def __init__(self, database: str | Path | None, *, query_seconds: float = 10.0, interval: float = 1.0,
                 on_new_copy: Callable[[Lease], None] | None = None) -> None:
        self.database = database_path(database).resolve()
        self.query_seconds = query_seconds
        self.interval = interval
        self.on_new_copy = on_new_copy
        self._folder = Path(tempfile.mkdtemp(prefix="sota-api-"))
        self._lock = threading.Lock()
        self._current: ServedCopy | None = None
        self._generation = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.last_problem: str | None = None

    # ------------------------------------------------------------------------------------------------ serving

    @contextmanager
    def lease(self) -> Iterator[Lease]:
        """The copy current now, held until the block ends (a swap meanwhile closes it only afterwards)."""
        with self._lock:
            copy = self._current
            if copy is None:
                raise NotReady(self.last_problem or f"no copy of {self.database.name} to answer from yet")
            copy.in_flight += 1
        try:
            yield Lease(copy, self.query_seconds)
        finally:
            with self._lock:
                copy.in_flight -= 1
                done = copy.retired and copy.in_flight == 0
            if done:
                copy.close()

    @property
    def work_folder(self) -> Path:
        """The private folder of the copies (and of the sites built from them)."""
        return self._folder

    @property
    def current(self) -> ServedCopy | None:
        return self._current

    # ----------------------------------------------------------------------------------------------- refreshing

    def refresh(self, wait_seconds: float = 0.0, *, notify: bool = True) -> bool:
        """Copy the warehouse if it changed and no writer holds it; True when a new copy is now served. With `notify`,
        `on_new_copy` is then called with a lease on it."""
        identity = file_identity(self.database)
        current = self._current
        if identity is None:
            self.last_problem = f"no warehouse at {self.database}: load something first (sota load ...)"
            return False
        if current is not None and current.file_identity == identity:
            return False
        try:
            copy = self._copy(wait_seconds)
        except WarehouseError as error:  # a writer holds the file (keep serving), or it is not a warehouse
            self.last_problem = str(error)
            log.info("keeping the served copy: %s", error)
            return False
        self._swap(copy)
        self.last_problem = None
        if notify:
            self._notify()
        return True

    def _notify(self) -> None:
        if self.on_new_copy is not None and self._current is not None:
            with self.lease() as lease:  # e.g. the site built from it; answers come from it meanwhile
                self.on_new_copy(lease)

    def _copy(self, wait_seconds: float) -> ServedCopy:
        holder = connect(self.database, read_only=True, wait_seconds=wait_seconds)
        try:
            # (mtime, size) read under the holder: no writer can change the file until it is closed
            identity = file_identity(self.database) or (0, 0)
            self._generation += 1
            target = self._folder / f"warehouse-{self._generation}.duckdb"
            shutil.copyfile(self.database, target)
            wal = self.database.with_name(self.database.name + ".wal")
            if wal.exists():
                shutil.copyfile(wal, target.with_name(target.name + ".wal"))
        finally:
            holder.close()
        return self._open_copy(target, identity)

    def _open_copy(self, target: Path, identity: tuple[int, int]) -> ServedCopy:
        if target.with_name(target.name + ".wal").exists():
            # a WAL left by a writer that did not checkpoint: fold it into the private copy once
            duckdb.connect(str(target)).close()
        con = duckdb.connect(str(target), read_only=True)
        try:
            con.execute("SET TimeZone = 'UTC'")
            queries.lock_down(con)  # no files, no extensions, no ATTACH: the API reads this copy and nothing else
            last_id, last_loaded = con.execute(
                "SELECT max(snapshot_id), max(loaded_at) FROM snapshots").fetchone()
        except duckdb.Error as error:
            con.close()
            target.unlink(missing_ok=True)
            raise WarehouseError(f"cannot read the copy of {self.database}: {str(error).splitlines()[0]}") from None
        return ServedCopy(target, con, identity, last_id, last_loaded, self._generation)

    def _swap(self, copy: ServedCopy) -> None:
        with self._lock:
            old, self._current = self._current, copy
            done = False
            if old is not None:
                old.retired = True
                done = old.in_flight == 0
        if done:
            old.close()
        log.info("serving copy %d of %s (last snapshot %s)", copy.generation, self.database, copy.last_snapshot_id)

    # ------------------------------------------------------------------------------------------------ lifecycle

    def start(self, wait_seconds: float = 10.0) -> None:
        """A first copy (waiting up to `wait_seconds` for a writer), then the background refresher."""
        try:
            self.refresh(wait_seconds, notify=False)  # the site is built by the refresher: the API answers meanwhile
        except Exception:
            log.exception("first copy of %s failed", self.database)
        self._thread = threading.Thread(target=self._keep_current, name="sota-api-refresh", daemon=True)
        self._thread.start()

    def _keep_current(self) -> None:
        try:
            self._notify()
        except Exception:
            log.exception("after the first copy of %s", self.database)
        while not self._stop.wait(self.interval):
            try:
                self.refresh()
            except Exception:
                log.exception("refreshing the copy of %s failed", self.database)
                time.sleep(self.interval)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        with self._lock:
            old, self._current = self._current, None
        if old is not None:
            old.close()
        shutil.rmtree(self._folder, ignore_errors=True)

    def today(self) -> str:
        return utc_now().date().isoformat()
