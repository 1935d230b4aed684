"""A PostgreSQL cluster of its own on 127.0.0.1, from Debian's package: for the lake tests' DuckLake catalogs and the
scale benchmark (bench/scale.py). `make test-lake` installs the package when missing."""
from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support.ports import free_port


class PostgresError(RuntimeError):
    """A PostgreSQL command failed; the message is its own words."""


def _pg_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if not found:
        raise PostgresError("PostgreSQL is not installed (Debian's postgresql package): `make test-lake` installs it")
    return Path(found[-1]).parent


def _as_postgres(argv: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: as root, run it as the package's `postgres` user."""
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


class Postgres:
    def __init__(self, folder: Path):
        self.bin = _pg_bin()
        self.folder = folder
        self.port = free_port()
        self.data = folder / "data"

    def run(self, *argv: str) -> str:
        """One of the package's programs, as the server's user; what it printed."""
        done = subprocess.run(_as_postgres([str(self.bin / argv[0]), *argv[1:]]), capture_output=True, text=True,
                              timeout=120, check=False)
        if done.returncode != 0:
            said = (done.stderr or done.stdout).strip()
            raise PostgresError(f"PostgreSQL's {argv[0]} failed ({done.returncode}): {said}")
        return done.stdout

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

    def database_size(self, database: str) -> int:
        """The bytes a database takes on disk (pg_database_size)."""
        size = self.run("psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", database, "-Atc",
                        f"SELECT pg_database_size('{database}')")
        return int(size.strip())

    def conninfo(self, database: str) -> str:
        return f"dbname={database} host=127.0.0.1 port={self.port} user=postgres"



@contextmanager
def running_postgres() -> Iterator[Postgres]:
    """A cluster started in a folder of its own under the system's temporary folder (pytest's are private to root,
    and the server runs as `postgres`, which must reach it), stopped and removed after."""
    folder = Path(tempfile.mkdtemp(prefix="sotawatch-postgres-"))
    os.chmod(folder, 0o755)
    server = Postgres(folder)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)
