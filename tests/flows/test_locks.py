"""One sota run at a time per warehouse (`flows/locks.py`): how long to wait (SOTA_LOCK_TIMEOUT) and the run lock, held
by this process or by another, real one."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest

from flows.config import ConfigError
from flows.locks import DEFAULT_WAIT_SECONDS, RunInProgressError, exclusive_run, lock_wait_seconds
from warehouse.errors import WarehouseError

REPO = Path(__file__).resolve().parents[2]
# A run in another process: takes the lock, says so, and keeps it until its stdin closes or it is killed.
HOLDER = (
    "import sys; from flows.locks import exclusive_run\n"
    "with exclusive_run(sys.argv[1], 0):\n"
    "    print('holding', flush=True); sys.stdin.read()\n"
)
HOLDER_LINE = re.compile(r"^pid (\d+), since (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC$")


@pytest.fixture
def database(tmp_path) -> Path:
    return tmp_path / "sota.duckdb"


@contextmanager
def run_in_another_process(database: Path) -> Iterator[tuple[subprocess.Popen, datetime, datetime]]:
    """The holder process, and the times (whole seconds, UTC) before it started and after it took the lock."""
    before = datetime.now(UTC).replace(microsecond=0, tzinfo=None)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(database)], cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "holding"
        yield holder, before, datetime.now(UTC).replace(tzinfo=None)
    finally:
        if holder.poll() is None:
            holder.kill()
        holder.wait(timeout=30)


def lock_file(database: Path) -> Path:
    return database.with_name(database.name + ".run.lock")


def refused(database: Path, wait_seconds: float) -> tuple[str, list[str], float]:
    """Try to start a run that must be refused: (the error's message, what `on_wait` was told, seconds waited)."""
    told: list[str] = []
    started = time.monotonic()
    with pytest.raises(RunInProgressError) as raised, exclusive_run(database, wait_seconds, told.append):
        pytest.fail("a second run got the lock")
    return str(raised.value), told, time.monotonic() - started


# ----------------------------------------------------------------------------------------------- SOTA_LOCK_TIMEOUT


@pytest.mark.parametrize(("text", "seconds"), [(None, DEFAULT_WAIT_SECONDS), ("2.5", 2.5), ("0", 0.0), (" 30 ", 30.0)])
def test_lock_wait_seconds_from_sota_lock_timeout(monkeypatch, text, seconds):
    if text is None:
        monkeypatch.delenv("SOTA_LOCK_TIMEOUT", raising=False)
    else:
        monkeypatch.setenv("SOTA_LOCK_TIMEOUT", text)
    assert lock_wait_seconds() == seconds
    assert DEFAULT_WAIT_SECONDS == 10.0


@pytest.mark.parametrize("text", ["ten", "-1", "nan", "", "10s"])
def test_a_bad_sota_lock_timeout_is_a_config_error(monkeypatch, text):
    monkeypatch.setenv("SOTA_LOCK_TIMEOUT", text)
    with pytest.raises(ConfigError) as raised:
        lock_wait_seconds()
    assert str(raised.value) == f"SOTA_LOCK_TIMEOUT must be a number of seconds, not {text!r}"


# ---------------------------------------------------------------------------------------------------- the run lock


def test_a_run_holds_the_lock_for_its_block_and_names_itself_in_the_lock_file(database):
    with exclusive_run(database, 0):
        holder = HOLDER_LINE.match(lock_file(database).read_text().strip())
        assert holder is not None and int(holder[1]) == os.getpid()
    # released at the end of the block: the next run starts without waiting; the warehouse itself is not created
    with exclusive_run(database, 0):
        pass
    assert not database.exists()


def test_a_second_run_in_this_process_is_refused_after_the_wait_and_told_who_holds_it(database):
    with exclusive_run(database, 0):
        holder = lock_file(database).read_text().strip()
        message, told, waited = refused(database, 0.5)
    assert message == (
        f"another sota run is using {database} ({holder}); waited 0.5 s (SOTA_LOCK_TIMEOUT): try again when it has ended"
    )
    assert told == [f"waiting up to 0.5 s for the sota run using {database} ({holder}) to end"]
    assert waited >= 0.5


def test_a_run_in_another_process_is_named_by_its_pid_and_start(database):
    with run_in_another_process(database) as (holder, before, after):
        message, told, _ = refused(database, 0.3)
    named = re.fullmatch(
        rf"another sota run is using {re.escape(str(database))} \((pid \d+, since [^)]+ UTC)\); waited 0.3 s "
        r"\(SOTA_LOCK_TIMEOUT\): try again when it has ended",
        message,
    )
    assert named is not None, message
    pid, since = HOLDER_LINE.match(named[1]).groups()
    assert int(pid) == holder.pid
    assert before <= datetime.strptime(since, "%Y-%m-%d %H:%M:%S") <= after
    assert told == [f"waiting up to 0.3 s for the sota run using {database} ({named[1]}) to end"]


def test_the_lock_is_released_when_the_holding_process_is_killed(database):
    with run_in_another_process(database) as (holder, _, _):
        holder.send_signal(signal.SIGKILL)  # no clean-up runs: the kernel drops the lock with the process
        holder.wait(timeout=30)
        with exclusive_run(database, 5):
            assert HOLDER_LINE.match(lock_file(database).read_text().strip())[1] == str(os.getpid())


def test_a_waiting_run_starts_as_soon_as_the_holder_ends(database):
    told: list[str] = []
    with run_in_another_process(database) as (holder, _, _):
        ends = threading.Timer(0.5, holder.kill)
        ends.start()
        started = time.monotonic()
        try:
            with exclusive_run(database, 20, told.append):
                waited = time.monotonic() - started
        finally:
            ends.cancel()
    assert 0.5 <= waited < 20
    assert len(told) == 1 and told[0].startswith(f"waiting up to 20 s for the sota run using {database} (pid ")


def test_the_lock_is_released_when_the_block_raises(database):
    with pytest.raises(KeyError), exclusive_run(database, 0):
        raise KeyError("inside the run")
    with exclusive_run(database, 0):
        pass


def test_without_a_database_the_lock_follows_sota_db(monkeypatch, tmp_path):
    monkeypatch.setenv("SOTA_DB", str(tmp_path / "from-env.duckdb"))
    with exclusive_run(None, 0):
        assert (tmp_path / "from-env.duckdb.run.lock").is_file()


def test_a_missing_folder_is_a_warehouse_error(tmp_path):
    database = tmp_path / "no-such-folder" / "sota.duckdb"
    with pytest.raises(WarehouseError) as raised, exclusive_run(database, 0):
        pytest.fail("locked in a folder that does not exist")
    assert str(raised.value) == f"cannot create {database}: the folder {database.parent} does not exist"
