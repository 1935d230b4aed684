"""The lake tests' fixtures (issue 16): a PostgreSQL cluster of their own on 127.0.0.1 for the DuckLake catalogs, started
once per session from Debian's package (`make test-lake` installs it when missing) and stopped after, and a fresh lake
per test (its own catalog database and data folder).

They run in the lake environment (`make test-lake`: duckdb 1.5.5 and the lake extensions from their wheels). In the
base environment (duckdb 2.0, no lake extensions) they are not collected: `make test` cannot open a lake.
"""
from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import shared_data_dir
from tests.support.postgres import Postgres, running_postgres
from tests.support.prefect_server import PrefectServer, running_prefect_server

try:
    import duckdb_extensions  # noqa: F401 - the lake extra's wheels
    LAKE_ENV = True
except ImportError:
    LAKE_ENV = False

if not LAKE_ENV:
    collect_ignore_glob = ["test_*.py"]  # the base environment cannot open a lake: `make test-lake` runs these


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    with running_postgres() as server:
        yield server


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



@pytest.fixture(scope="session")
def prefect(postgres, tmp_path_factory) -> Iterator[PrefectServer]:
    """A Prefect server on PostgreSQL (`prefect server start`) with the `sotawatch` process pool and the project's
    deployments from prefect.yaml; tests start and stop its workers."""
    home = tmp_path_factory.mktemp("prefect")
    env = {"SOTA_DUCKDB_EXTENSIONS": os.environ["SOTA_DUCKDB_EXTENSIONS"], "SOTAWATCH_DATA": str(shared_data_dir())}
    with running_prefect_server(home, postgres, env) as server:
        server.cli("work-pool", "create", "sotawatch", "--type", "process")
        server.cli("--no-prompt", "deploy", "--name", "nightly", "--name", "nightly-lake", "--name", "sources")
        yield server
