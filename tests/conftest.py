"""Fixtures shared by every test: where the real payloads live (read in place, never copied)."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

# Prefect reads its settings at import: a private home, no telemetry, quiet logs, a patient ephemeral server.
os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="sotawatch-prefect-"))
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "60")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

REPO = Path(__file__).resolve().parents[1]


def shared_data_dir() -> Path:
    return Path(os.environ.get("SOTAWATCH_DATA", REPO.parent / "shared" / "data")).resolve()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    path = shared_data_dir()
    if not path.is_dir():
        pytest.fail(f"real payloads not found at {path}: set SOTAWATCH_DATA to the shared data folder")
    return path


@pytest.fixture
def db(tmp_path):
    """A fresh, migrated warehouse file in a temporary folder (a real DuckDB, no mocks)."""
    from warehouse.db import connect

    con = connect(tmp_path / "sota.duckdb")
    yield con
    con.close()


@pytest.fixture(scope="session")
def prefect_harness():
    """One Prefect test server for the session (its cold start costs seconds)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=60):
        yield
