"""Fixtures shared by every test: where the real payloads live (read in place, never copied)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

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
