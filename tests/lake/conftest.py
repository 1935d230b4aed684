"""The lake tests' fixtures (issue 16): a PostgreSQL cluster of their own on 127.0.0.1 for the DuckLake catalogs, started
once per session from Debian's package (`make test-lake` installs it when missing) and stopped after, and a fresh lake
per test (its own catalog database and data folder).

They run in the lake environment (`make test-lake`: duckdb 1.5.5 and the lake extensions from their wheels). In the
base environment (duckdb 2.0, no lake extensions) every test here is skipped, saying so.
"""
from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

try:
    import duckdb_extensions  # noqa: F401 - the lake extra's wheels
    LAKE_ENV = True
except ImportError:
    LAKE_ENV = False

if not LAKE_ENV:
    collect_ignore_glob = ["test_*.py"]  # the base environment cannot open a lake: `make test-lake` runs these


def _pg_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if not found:
        pytest.fail("PostgreSQL is not installed (Debian's postgresql package): `make test-lake` installs it")
    return Path(found[-1]).parent


def _as_postgres(argv: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: as root, run it as the package's `postgres` user."""
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Postgres:
    def __init__(self, folder: Path):
        self.bin = _pg_bin()
        self.folder = folder
        self.port = _free_port()
        self.data = folder / "data"

    def run(self, *argv: str) -> None:
        done = subprocess.run(_as_postgres([str(self.bin / argv[0]), *argv[1:]]), capture_output=True, text=True,
                              timeout=120, check=False)
        if done.returncode != 0:
            pytest.fail(f"PostgreSQL's {argv[0]} failed ({done.returncode}): {(done.stderr or done.stdout).strip()}")

    def start(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres")
        self.run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres")
        self.run("pg_ctl", "-D", str(self.data), "-l", str(self.folder / "log"), "-w", "-t", "60", "-o",
                 f"-k {self.folder} -p {self.port} -c listen_addresses=127.0.0.1 -c max_connections=200", "start")

    def stop(self) -> None:
        self.run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def create_database(self, name: str) -> None:
        self.run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name)

    def conninfo(self, database: str) -> str:
        return f"dbname={database} host=127.0.0.1 port={self.port} user=postgres"


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    # a folder of its own under the system's temporary folder: pytest's are private to this user, and the server runs
    # as `postgres`, which must reach it
    folder = Path(tempfile.mkdtemp(prefix="sotawatch-postgres-"))
    os.chmod(folder, 0o755)
    server = Postgres(folder)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session", autouse=True)
def _extensions(tmp_path_factory) -> None:
    """One extension folder for the session, filled from the wheels once."""
    os.environ.setdefault("SOTA_DUCKDB_EXTENSIONS", str(tmp_path_factory.mktemp("duckdb-extensions")))


@pytest.fixture
def lake_url(postgres: Postgres, tmp_path: Path) -> str:
    """A new, empty lake: its own catalog database and data folder, as a warehouse location string."""
    database = "lake_" + uuid.uuid4().hex[:12]
    postgres.create_database(database)
    data = tmp_path / "lake-data"
    data.mkdir()
    return f"ducklake:postgres:{postgres.conninfo(database)} data_path={data}"

